"""concurrency.outcomes / all_or_raise and errors.trim_objects, without a server."""

import threading
import time

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.concurrency import all_or_raise, outcomes
from ansible_collections.aizone.platform.plugins.module_utils.errors import trim_objects


def test_outcomes_run_side_by_side_in_order_and_keep_every_failure():
    seen = set()

    def call(item):
        seen.add(threading.current_thread().name)
        time.sleep(0.2)
        if item == 2:
            raise ValueError("two")
        return item * 10
    began = time.monotonic()
    results = outcomes(call, [1, 2, 3, 4], workers=4)
    assert time.monotonic() - began < 0.6          # four 0.2 s calls at once, not 0.8 s
    assert [value for value, _exc in results] == [10, None, 30, 40]
    assert isinstance(results[1][1], ValueError) and len(seen) == 4


def test_one_worker_runs_in_the_caller_and_all_or_raise_raises_after_all_ran():
    ran = []

    def call(item):
        ran.append(item)
        if item == "bad":
            raise KeyError(item)
        return item
    assert outcomes(call, ["a"], workers=8) == [("a", None)]
    with pytest.raises(KeyError):
        all_or_raise(call, ["bad", "b", "c"], workers=3)
    assert sorted(ran[1:]) == ["b", "bad", "c"]


def test_trim_objects_lists_what_changed_and_counts_everything():
    objects = [{"kind": "Namespace", "action": "unchanged"}, {"kind": "ResourceQuota", "action": "updated"},
               {"kind": "RoleBinding", "action": "deleted"}, {"kind": "LimitRange", "action": "unchanged"}]
    out = trim_objects({"changed": True, "objects": objects})
    assert [o["kind"] for o in out["objects"]] == ["ResourceQuota", "RoleBinding"]
    assert out["object_counts"] == {"created": 0, "deleted": 1, "unchanged": 2, "updated": 1}
    assert trim_objects({"objects": objects}, every=True)["objects"] == objects
    assert trim_objects({"changed": False}) == {"changed": False}
