"""Running ansible-playbook against the collection as installed from the working tree, and reading its result."""

import json
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, ".build", "collections")
BIN = os.path.dirname(sys.executable)


def _seconds(duration):
    """Seconds between the json callback's start and end stamps of a task, or None."""
    from datetime import datetime
    try:
        start, end = (datetime.strptime(duration[k], "%Y-%m-%dT%H:%M:%S.%fZ") for k in ("start", "end"))
    except (KeyError, ValueError):
        return None
    return round((end - start).total_seconds(), 1)


def _window(duration):
    """(start, end) of a task as POSIX seconds (the json callback's UTC stamps), or None."""
    from datetime import datetime, timezone
    try:
        return tuple(datetime.strptime(duration[k], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
                     for k in ("start", "end"))
    except (KeyError, ValueError):
        return None


class PlaybookResult(object):
    def __init__(self, rc, output, data):
        self.rc = rc
        self.output = output
        self.stats = data.get("stats", {}) if data else {}
        self.tasks = []
        for play in (data or {}).get("plays", []):
            for task in play.get("tasks", []):
                for host, result in task.get("hosts", {}).items():
                    self.tasks.append({
                        "task": task["task"]["name"], "host": host,
                        "changed": bool(result.get("changed")), "failed": bool(result.get("failed")),
                        "result": result, "duration": _seconds(task["task"].get("duration") or {}),
                        "window": _window(task["task"].get("duration") or {}),
                    })

    def task(self, name):
        for t in self.tasks:
            if t["task"] == name:
                return t["result"]
        raise KeyError("no task named %r; tasks: %s" % (name, [t["task"] for t in self.tasks]))

    @property
    def changed(self):
        return [t["task"] for t in self.tasks if t["changed"]]


def ansible_env(extra=None):
    env = dict(os.environ)
    # Module runs are new processes: share compiled bytecode between them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", os.path.join(ROOT, ".build", "pycache"))
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        "ANSIBLE_CALLBACK_RESULT_FORMAT": "json",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_PIPELINING": "True",
    })
    env.update(extra or {})
    return env


def run_playbook(playbook, workdir, extravars=None, check=False, diff=False, inventory=None, env=None, args=(),
                 kill_after=None):
    """Run ansible-playbook; returns a PlaybookResult.

    playbook: a path, YAML text, or a list of plays; workdir: a directory for
    the files written. The default inventory is localhost with connection
    local and this interpreter. kill_after: seconds after which the run is killed (see _killed)."""
    workdir = str(workdir)
    if isinstance(playbook, (list, dict)):
        playbook = yaml.safe_dump(playbook if isinstance(playbook, list) else [playbook], sort_keys=False)
    if not os.path.exists(str(playbook)):
        path = os.path.join(workdir, "playbook.yml")
        with open(path, "w") as handle:
            handle.write(playbook)
        playbook = path
    if inventory is None:
        inventory = os.path.join(workdir, "inventory.ini")
        with open(inventory, "w") as handle:
            handle.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    cmd = [os.path.join(BIN, "ansible-playbook"), "-i", inventory, playbook]
    if extravars:
        fd, extra = tempfile.mkstemp(suffix=".json", dir=workdir)
        with os.fdopen(fd, "w") as handle:
            json.dump(extravars, handle)
        cmd += ["-e", "@" + extra]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    cmd += list(args)
    if kill_after is not None:
        return _killed(cmd, env, kill_after)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(env), cwd=ROOT, check=False)
    start = proc.stdout.find("{")
    try:
        data = json.loads(proc.stdout[start:]) if start >= 0 else {}
    except ValueError:
        data = {}
    return PlaybookResult(proc.returncode, proc.stdout + proc.stderr, data)


def _killed(cmd, env, seconds):
    """Run cmd and SIGKILL its whole process group (ansible-playbook and the module it runs) after `seconds`, as
    a cancelled AWX job or a lost controller would stop it; rc is -9 then, the result has no task records."""
    import signal
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ansible_env(env),
                            cwd=ROOT, start_new_session=True)
    try:
        out = proc.communicate(timeout=seconds)[0]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out = proc.communicate()[0]
    return PlaybookResult(proc.returncode, out, {})
