#!/usr/bin/env python
"""Benchmark: what one Ansible task costs before the tenant module talks to the cluster.

Times, as bench/tenants.py does (the task's duration from the json callback,
median of --runs playbook runs), three tasks that need no cluster:

  ansible.builtin.ping    the smallest module: Ansible's own cost per task
  stand-in, 0 tenants     the tenant module's code and argument spec, an empty list
  stand-in, N tenants     the tenant module given N tenants (bench/tenants.py's specs):
                          Ansible templates and validates the same arguments, the
                          module imports the engine, plans the same objects and
                          returns the same result (every object "unchanged")
                          without a single API request

The stand-in is plugins/modules/tenant.py with its one call into the engine
replaced, written to a temporary library. The difference between the last
row and a real no-op re-apply of N tenants (bench/tenants.py) is what the
engine's reads and converged check cost; the last row is the least any
module could take for that input and that result on this machine.

    .venv/bin/python bench/floor.py [--tenants 200] [--runs 7]
"""

from __future__ import print_function

import argparse
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tenants import ROOT, run_playbook, tenant_specs  # noqa: E402  (also links the collection)

ENGINE_CALL = "    run_module(argument_spec, lambda m: converge(m.params, check_mode=m.check_mode, want_diff=m._diff))\n"
STAND_IN = '''    run_module(argument_spec, stand_in)


def stand_in(module):
    """plan() and the module's result shape, every object unchanged; no API request."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import object_ref, result_entry
    from ansible_collections.aizone.platform.plugins.module_utils.tenants.objects import plan, summarize
    p = module.params
    desired = plan(p["tenants"], p["state"], p["prune"], p["prune_selector"], p["priority_classes"],
                   p["platform_namespaces"])[0]
    objects = [result_entry(object_ref(o), "unchanged") for o in desired]
    return dict(changed=False, objects=objects, tenants=summarize(objects))
'''


def write_stand_in(library):
    with open(os.path.join(ROOT, "plugins", "modules", "tenant.py")) as handle:
        source = handle.read()
    if ENGINE_CALL not in source:
        raise SystemExit("plugins/modules/tenant.py no longer calls converge the way this script expects")
    source = source.replace(ENGINE_CALL, STAND_IN)
    with open(os.path.join(library, "aizone_tenant_stand_in.py"), "w") as handle:
        handle.write(source)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    library = tempfile.mkdtemp(prefix="aizone-floor-")
    os.environ["ANSIBLE_LIBRARY"] = library
    try:
        write_stand_in(library)
        cases = [("ansible.builtin.ping", {"ansible.builtin.ping": {}}, []),
                 ("stand-in, 0 tenants", {"aizone_tenant_stand_in": {"tenants": []}}, []),
                 ("stand-in, %d tenants" % args.tenants,
                  {"aizone_tenant_stand_in": {"tenants": "{{ tenants }}"}}, tenant_specs("floor", args.tenants))]
        print("%-24s %8s %8s  %s" % ("task", "median s", "min s", "task s of each run"))
        for name, task, specs in cases:
            times = sorted(run_playbook([dict(task, name=name)], {"tenants": specs})[1] for _run in range(args.runs))
            print("%-24s %8.2f %8.2f  %s" % (name, statistics.median(times), times[0],
                                             " ".join("%.2f" % t for t in times)))
            sys.stdout.flush()
    finally:
        shutil.rmtree(library, ignore_errors=True)


if __name__ == "__main__":
    main()
