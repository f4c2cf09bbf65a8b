"""Run a rendered MLflow container as a local process, with the real `mlflow` from PyPI.

- The Python environment is what the pod's image plus its init container hold:
  `mlflow==<catalog version>` and the catalog's pinned packages (PostgreSQL
  driver, basic auth's Flask-WTF, boto3), built once with uv into
  ~/.cache/aizone/mlflow-<version>-<hash>.
- A container runs with its command, args and env exactly as rendered:
  env values by value, secretKeyRef and envFrom resolved from the live
  Secrets; the only substitution is each emptyDir mount path, replaced by a
  temporary directory (the process has no pod filesystem).
"""

import base64
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

from ansible_collections.aizone.platform.plugins.module_utils.catalog.mlops import MLFLOW

CACHE = os.path.join(os.path.expanduser("~"), ".cache", "aizone")


def packages():
    return ["mlflow==%s" % MLFLOW["version"]] + [p for key in ("postgresql", "auth", "s3")
                                                 for p in MLFLOW["packages"][key]]


def environment():
    """The bin directory of the MLflow environment, built on first use."""
    wanted = packages()
    key = hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:10]
    root = os.path.join(CACHE, "mlflow-%s-%s" % (MLFLOW["version"], key))
    python = os.path.join(root, "bin", "python")
    if not os.path.exists(os.path.join(root, ".complete")):
        uv = os.path.join(os.path.dirname(sys.executable), "uv")
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, root], check=True)
        subprocess.run([uv, "pip", "install", "-q", "--python", python] + wanted, check=True)
        open(os.path.join(root, ".complete"), "w").close()
    return os.path.join(root, "bin")


def _secret(rest, namespace, name, cache):
    if (namespace, name) not in cache:
        secret = rest.get("/api/v1/namespaces/%s/secrets/%s" % (namespace, name))
        cache[(namespace, name)] = dict((k, base64.b64decode(v).decode()) for k, v in (secret.get("data") or {}).items())
    return cache[(namespace, name)]


def resolve_env(rest, namespace, container):
    """The container's environment as the kubelet would build it (envFrom first, then env)."""
    cache, out = {}, {}
    for source in container.get("envFrom") or []:
        out.update(_secret(rest, namespace, source["secretRef"]["name"], cache))
    for entry in container.get("env") or []:
        if "value" in entry:
            out[entry["name"]] = entry["value"]
        else:
            ref = entry["valueFrom"]["secretKeyRef"]
            out[entry["name"]] = _secret(rest, namespace, ref["name"], cache)[ref["key"]]
    return out


class LocalContainer(object):
    """A rendered container as a process: mount paths mapped to temporary directories."""

    def __init__(self, rest, namespace, container, bin_dir):
        self.root = tempfile.mkdtemp(prefix="aizone-container-")
        self.mounts = dict((m["mountPath"], os.path.join(self.root, m["name"])) for m in container.get("volumeMounts") or [])
        for path in self.mounts.values():
            os.makedirs(path, exist_ok=True)
        self.env = dict((k, self._local(v)) for k, v in resolve_env(rest, namespace, container).items())
        self.env["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")
        self.argv = [self._local(a) for a in (container.get("command") or []) + (container.get("args") or [])]
        self.proc = None
        self._final = None
        self.log = os.path.join(self.root, "output.log")

    def _local(self, value):
        """value with each mount path (at a path boundary) replaced, in one pass."""
        if not self.mounts:
            return value
        pattern = "|".join(re.escape(p) for p in sorted(self.mounts, key=len, reverse=True))
        return re.sub("(%s)(?=/|$|[^A-Za-z0-9_.-])" % pattern, lambda m: self.mounts[m.group(1)], value)

    def run(self, timeout=300):
        """Run to completion; (return code, output). Its temporary directory goes with it."""
        try:
            done = subprocess.run(self.argv, env=self.env, capture_output=True, text=True, timeout=timeout, check=False)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
        return done.returncode, done.stdout + done.stderr

    def start(self):
        with open(self.log, "w") as log:
            # its own process group: mlflow server starts uvicorn workers, stopped with it
            self.proc = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def output(self):
        """The process's output so far; after stop(), all of it (kept when its directory goes)."""
        if self._final is not None:
            return self._final
        with open(self.log) as handle:
            return handle.read()

    def stop(self):
        try:
            self._kill()
            self._final = self.output()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _kill(self):
        if self.proc is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=20)
                return
            except subprocess.TimeoutExpired:
                continue
