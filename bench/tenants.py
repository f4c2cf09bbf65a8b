#!/usr/bin/env python
"""Benchmark: converge N tenants with aizone.platform.tenant vs kubernetes.core.k8s.

For N in --sizes (default 10, 50, 200) tenants of 5 or 6 objects each
(Namespace, ResourceQuota, LimitRange, NetworkPolicy, one or two
RoleBindings), three ways, each on its own fresh namespaces:

  aizone.platform.tenant   one task for the whole list (batch server-side apply)
  k8s one task per object  kubernetes.core.k8s looped over the objects, one module run per object
                           (the way most playbooks are written; only up to --per-object-max tenants)
  k8s single task          kubernetes.core.k8s with every object as one multi-document definition

Each does the first apply, then the no-op re-apply --noop-runs times (default
3), reported as the run with the median task time and the min-max of the samples, since task times on a
small machine vary by tenths of a second from run to run (one task per
object re-applies once: it costs about a second per object). For every run it
prints the task's own duration (from the json callback), the size of its result (without the
echo of its arguments, `invocation`), the whole
ansible-playbook wall time (interpreter and Ansible start-up included, the
same fixed cost for every tool), and the API requests by verb: the delta
of kube-apiserver's apiserver_request_total around the run. Requests from
controllers reacting to new namespaces and quotas (service accounts,
kube-root-ca.crt config maps, status subresources, leases, events) and the
API server's own start-up writes (the default ServiceCIDR) are left
out: they are the same whichever tool wrote the tenants, and no tool makes them.

The control plane: --kubeconfig, or (default) a dedicated local zone
`aizone-bench` started through module_utils/providers/localzone.py and deleted at the
end (--keep-zone keeps it), so other sessions' traffic does not pollute the
counts. Binaries come from $AIZONE_CONTROLPLANE_BIN.

    .venv/bin/python bench/tenants.py [--sizes 10,50,200] [--per-object-max 50]
"""

from __future__ import print_function

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".build", "collections")
_LINK = os.path.join(COLLECTIONS, "ansible_collections", "aizone", "platform")
if os.path.realpath(_LINK) != ROOT:
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    if os.path.islink(_LINK):
        os.unlink(_LINK)
    os.symlink(ROOT, _LINK)
sys.path.insert(0, COLLECTIONS)

from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import delete_objects  # noqa: E402
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect  # noqa: E402
from ansible_collections.aizone.platform.plugins.module_utils.tenants.objects import tenant_objects  # noqa: E402
from ansible_collections.aizone.platform.plugins.module_utils.tenants.spec import validate_tenant  # noqa: E402

VERBS = ("LIST", "GET", "POST", "PUT", "PATCH", "APPLY", "DELETE")
WRITES = ("POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION")
CONTROLLER_RESOURCES = frozenset(["serviceaccounts", "configmaps", "secrets", "events", "leases", "endpoints",
                                  "endpointslices", "nodes", "pods", "tokenreviews", "subjectaccessreviews",
                                  "servicecidrs"])
_METRIC = re.compile(r'^apiserver_request_total\{([^}]*)\} ([0-9.e+]+)$')
_LABEL = re.compile(r'(\w+)="([^"]*)"')
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


def tenant_specs(prefix, count):
    specs = []
    for i in range(count):
        access = [{"role": "edit", "groups": ["team-%d-devs" % i]}]
        if i % 2 == 0:
            access.append({"role": "view", "groups": ["auditors"]})
        specs.append({"name": "%s-%03d" % (prefix, i), "labels": {"bench": prefix},
                      "quota": {"requests.cpu": "64", "requests.memory": "256Gi", "pods": 200,
                                "requests.nvidia.com/gpu": 4},
                      "limit_range": {"default": {"cpu": "1", "memory": "2Gi"},
                                      "default_request": {"cpu": "500m", "memory": "1Gi"}},
                      "access": access})
    return specs


def manifests(specs):
    out = []
    for index, spec in enumerate(specs):
        out.extend(tenant_objects(validate_tenant(index, spec)))
    return out


class Metrics(object):
    def __init__(self, kubeconfig):
        self.rest = connect({"kubeconfig": kubeconfig})

    def snapshot(self):
        raw = self._raw()
        counts = {}
        for line in raw.splitlines():
            m = _METRIC.match(line)
            if not m:
                continue
            labels = dict(_LABEL.findall(m.group(1)))
            if labels.get("resource") in CONTROLLER_RESOURCES or labels.get("subresource"):
                continue
            verb = labels.get("verb", "")
            if verb in ("WATCH", "WATCHLIST", "CONNECT"):
                continue
            counts[verb] = counts.get(verb, 0) + int(float(m.group(2)))
        return counts

    def _raw(self):
        """The API server's /metrics text (not JSON, so straight from the transport)."""
        status, raw = self.rest.transport.request("GET", "/metrics", None, {"Accept": "text/plain"}, None, (10, 60))
        if status != 200:
            raise SystemExit("GET /metrics answered %d" % status)
        return raw.decode()


def run_playbook(tasks, extravars):
    fd, play_path = tempfile.mkstemp(suffix=".yml")
    with os.fdopen(fd, "w") as handle:
        json.dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}], handle)
    fd, vars_path = tempfile.mkstemp(suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(extravars, handle)
    inventory = "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable
    fd, inv_path = tempfile.mkstemp(suffix=".ini")
    with os.fdopen(fd, "w") as handle:
        handle.write(inventory)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1",
               ANSIBLE_DEPRECATION_WARNINGS="False", ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    # Both tools' module runs share compiled bytecode, as `make test` and `make demo` do.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", os.path.join(os.path.dirname(COLLECTIONS), "pycache"))
    start = time.time()
    proc = subprocess.run([ANSIBLE_PLAYBOOK, "-i", inv_path, play_path, "-e", "@" + vars_path],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, env=env,
                          check=False)
    wall = time.time() - start
    for path in (play_path, vars_path, inv_path):
        os.unlink(path)
    if proc.returncode != 0:
        raise SystemExit("playbook failed:\n" + (proc.stdout + proc.stderr)[-3000:])
    data = json.loads(proc.stdout[proc.stdout.find("{"):])
    task = data["plays"][0]["tasks"][0]
    task_time = _seconds(task["task"]["duration"]["end"]) - _seconds(task["task"]["duration"]["start"])
    # what the module returned, without Ansible's echo of the task's arguments (invocation)
    result_bytes = len(json.dumps(dict((k, v) for k, v in task["hosts"]["localhost"].items() if k != "invocation")))
    return wall, task_time, data["stats"]["localhost"].get("changed", 0), result_bytes


def _seconds(stamp):
    from datetime import datetime
    return datetime.strptime(stamp.rstrip("Z")[:26], "%Y-%m-%dT%H:%M:%S.%f").timestamp()


def tool_tasks(tool, kubeconfig):
    if tool == "aizone":
        return [{"name": "tenants", "aizone.platform.tenant": {"kubeconfig": kubeconfig, "tenants": "{{ tenants }}"}}]
    if tool == "k8s-per-object":
        return [{"name": "object", "kubernetes.core.k8s": {"kubeconfig": kubeconfig, "state": "present",
                                                           "definition": "{{ item }}"},
                 "loop": "{{ objects }}", "loop_control": {"label": "{{ item.kind }} {{ item.metadata.name }}"}}]
    return [{"name": "objects", "kubernetes.core.k8s": {"kubeconfig": kubeconfig, "state": "present",
                                                        "definition": "{{ objects }}"}}]


TOOL_NAMES = {"aizone": "aizone.platform.tenant", "k8s-per-object": "k8s one task per object",
              "k8s-single": "k8s single task"}


def measure(metrics, tool, kubeconfig, specs, objects, noop_runs):
    """The first apply, then noop_runs no-op re-applies reported as the one with the median task time."""
    rows = []
    for run, repeat in (("first apply", 1), ("no-op", noop_runs)):
        samples = []
        for _run in range(repeat):
            before = metrics.snapshot()
            wall, task_time, changed, result_bytes = run_playbook(tool_tasks(tool, kubeconfig), {"tenants": specs, "objects": objects})
            time.sleep(0.2)
            after = metrics.snapshot()
            delta = dict((v, after.get(v, 0) - before.get(v, 0)) for v in set(after) | set(before))
            samples.append(dict(tool=TOOL_NAMES[tool], run=run, wall=wall, task=task_time, changed=changed,
                                result_kib=result_bytes / 1024.0, verbs=dict((v, n) for v, n in delta.items() if n)))
        samples.sort(key=lambda row: row["task"])
        row = samples[len(samples) // 2]
        row["task_samples"] = [sample["task"] for sample in samples]
        rows.append(row)
    return rows


def print_table(rows, out=sys.stdout):
    names = ("tenants", "objects", "tool", "run", "task s", "min-max", "wall s", "result KiB")
    header = "%7s %7s  %-24s %-16s %7s %11s %7s %9s  " % names + \
        " ".join("%6s" % v for v in VERBS) + " %6s %6s  %s" % ("total", "writes", "speedup")
    out.write(header + "\n" + "-" * len(header) + "\n")
    for row in rows:
        verbs = row["verbs"]
        writes = sum(n for v, n in verbs.items() if v in WRITES)
        samples = len(row.get("task_samples") or [1])
        run = row["run"] + (" (median/%d)" % samples if samples > 1 else "")
        spread = "%.2f-%.2f" % (min(row.get("task_samples") or [row["task"]]), max(row.get("task_samples") or [row["task"]]))
        cells = (row["tenants"], row["objects"], row["tool"], run, row["task"], spread, row["wall"], row["result_kib"])
        out.write("%7d %7d  %-24s %-16s %7.2f %11s %7.1f %9.1f  " % cells
                  + " ".join("%6d" % verbs.get(v, 0) for v in VERBS)
                  + " %6d %6d  %s\n" % (sum(verbs.values()), writes, row.get("speedup", "")))
    out.flush()


def add_speedups(rows):
    ours = dict(((r["tenants"], r["run"]), r) for r in rows if r["tool"] == TOOL_NAMES["aizone"])
    for row in rows:
        base = ours.get((row["tenants"], row["run"]))
        if base and row["tool"] != TOOL_NAMES["aizone"]:
            theirs, mine = row.get("task_samples") or [row["task"]], base.get("task_samples") or [base["task"]]
            row["speedup"] = "aizone %.1fx (task; %.1f-%.1fx over the samples), %.1fx (wall)" % (
                row["task"] / base["task"], min(theirs) / max(mine), max(theirs) / min(mine), row["wall"] / base["wall"])


def cleanup(kubeconfig, prefix):
    api = connect({"kubeconfig": kubeconfig})
    names = [n["metadata"]["name"] for n in api.list_all("/api/v1/namespaces", "bench")
             if n["metadata"]["name"].startswith(prefix)]
    delete_objects(api, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in names],
                   wait=True, wait_timeout=600)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--sizes", default="10,50,200")
    parser.add_argument("--per-object-max", type=int, default=50,
                        help="largest tenant count run with one k8s task per object")
    parser.add_argument("--tools", default="aizone,k8s-per-object,k8s-single")
    parser.add_argument("--noop-runs", type=int, default=3,
                        help="no-op re-applies per size and tool, reported as the median by task time "
                             "(one task per object always runs once: it costs about a second per object)")
    parser.add_argument("--kubeconfig", help="use this cluster instead of a dedicated local zone")
    parser.add_argument("--keep-zone", action="store_true")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()

    zone = None
    kubeconfig = args.kubeconfig
    if not kubeconfig:
        from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane
        zone = LocalControlPlane("aizone-bench")
        sys.stderr.write("starting local zone aizone-bench...\n")
        zone.start(timeout=300)
        # the kubeconfig as the zone module writes it (kubeconfig_dest), which playbooks then use
        kubeconfig = os.path.join(ROOT, ".build", "bench", "aizone-bench.kubeconfig")
        zone.write_kubeconfig(kubeconfig)
    metrics = Metrics(kubeconfig)
    run_id = uuid.uuid4().hex[:4]
    rows = []
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            for tool in args.tools.split(","):
                if tool == "k8s-per-object" and size > args.per_object_max:
                    continue
                prefix = "b%s-%s-%d" % (run_id, {"aizone": "az", "k8s-per-object": "po", "k8s-single": "st"}[tool], size)
                specs = tenant_specs(prefix, size)
                objects = manifests(specs)
                sys.stderr.write("%d tenants (%d objects) with %s...\n" % (size, len(objects), TOOL_NAMES[tool]))
                noop_runs = 1 if tool == "k8s-per-object" else args.noop_runs
                for row in measure(metrics, tool, kubeconfig, specs, objects, noop_runs):
                    row.update(tenants=size, objects=len(objects))
                    rows.append(row)
                    print_table([row], sys.stderr)
                cleanup(kubeconfig, prefix)
    finally:
        if zone is not None and not args.keep_zone:
            zone.delete()
    add_speedups(rows)
    print_table(rows)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=1)


if __name__ == "__main__":
    main()
