"""The provider contract suite's harness selection and the tasks it runs (shared with other provider suites)."""

import time

import pytest

from harness import providers
from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS


def _marks(name):
    try:
        return getattr(providers.load(name), "MARKS", [])
    except Exception:  # noqa: BLE001 - a broken harness fails its own parameter, not collection
        return []


PARAMS = [pytest.param(name, marks=_marks(name), id=name) for name in providers.available()]


def start_harness(request):
    """The harness of request.param (a provider name), cleaned up at the end of the request's scope."""
    h = providers.load(request.param).make_harness(request)
    request.addfinalizer(h.cleanup)
    return h


def zone_task(h, zone_spec, state="present", name="zone"):
    args = dict(h.module_params, **zone_spec)
    args["state"] = state
    return {"name": name, "aizone.platform.zone": args, "register": "out"}


def pool_task(h, pool_spec, state="present", name="pool"):
    args = dict(h.module_params, **pool_spec)
    args.update(zone=h.zone_spec["name"], state=state)
    if state == "absent":
        args = dict(h.module_params, zone=h.zone_spec["name"], name=pool_spec["name"], state="absent")
    return {"name": name, "aizone.platform.node_pool": args}


def info_tasks(h):
    return [
        {"name": "zone_info", "aizone.platform.zone_info": dict(h.module_params, name=h.zone_spec["name"])},
        {"name": "pool_info", "aizone.platform.node_pool_info": dict(h.module_params, zone=h.zone_spec["name"])},
    ]


def play(tasks, ignore_errors=False):
    if ignore_errors:
        tasks = [dict(t, ignore_errors=True) for t in tasks]
    return [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]


def run(run_playbook, h, tasks, check=False, expect_rc=0, ignore_errors=False):
    h.reset_counts()
    start = time.time()
    res = run_playbook(play(tasks, ignore_errors), check=check, diff=True)
    print("%5.1fs check=%s %s" % (time.time() - start, check, [(t["task"], t["changed"]) for t in res.tasks]))
    assert res.rc == expect_rc, res.output[-4000:]
    for key, spec in PROVIDER_ARGS.items():
        if spec.get("no_log") and h.module_params.get(key):
            assert h.module_params[key] not in res.output, "%s leaked into the output" % key
    return res, h.write_calls()


def pools_task(h, pool_specs, name="pools", prune=False):
    """node_pools over the harness zone; pool_specs: node_pool_spec-like dicts (state inside when absent)."""
    args = dict(h.module_params, zone=h.zone_spec["name"], node_pools=pool_specs, prune=prune)
    return {"name": name, "aizone.platform.node_pools": args}
