"""Rollout waits: state of a workload, and the scheduler's reasons when it does not finish."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.workloads import rollout


def deployment(replicas, ready, updated=None, generation=2, observed=2):
    updated = ready if updated is None else updated
    return {"kind": "Deployment", "metadata": {"generation": generation}, "spec": {"replicas": replicas},
            "status": {"observedGeneration": observed, "replicas": replicas, "updatedReplicas": updated,
                       "readyReplicas": ready, "availableReplicas": ready}}


def test_rollout_status():
    assert rollout.rollout_status(deployment(2, 2))[0] is True
    assert rollout.rollout_status(deployment(2, 1))[0] is False
    assert rollout.rollout_status(deployment(2, 2, observed=1))[0] is False
    job = {"kind": "Job", "spec": {"completions": 1},
           "status": {"conditions": [{"type": "Failed", "status": "True", "message": "BackoffLimitExceeded"}]}}
    done, failure, _text = rollout.rollout_status(job)
    assert not done and "BackoffLimitExceeded" in failure
    job["status"]["conditions"] = [{"type": "Complete", "status": "True"}]
    assert rollout.rollout_status(job)[0] is True


class FakeRest(object):
    def __init__(self, obj, pods, events=()):
        self.obj, self.pods, self.events = obj, pods, list(events)
        self.calls = []

    def get(self, path, query=None):
        self.calls.append(("GET", path, query))
        if path.endswith("/events"):
            return {"items": self.events}
        return dict(self.obj)

    def list_all(self, path, selector=None):
        self.calls.append(("LIST", path, selector))
        return self.events if path.endswith("/events") else self.pods


UNSCHEDULABLE = "0/5 nodes are available: 5 Insufficient nvidia.com/gpu."


def pending_pod(name, message=""):
    cond = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}
    if message:
        cond["message"] = message
    return {"metadata": {"name": name}, "status": {"phase": "Pending", "conditions": [cond]}}


def test_timeout_reports_the_scheduler_reason_from_the_pod_condition():
    rest = FakeRest(deployment(1, 0), [pending_pod("app-1", UNSCHEDULABLE)])
    with pytest.raises(rollout.RolloutError) as err:
        rollout.wait_rollouts(rest, [("Deployment", "team", "app")], 0.05, interval=0.01, sleep=lambda s: None)
    assert UNSCHEDULABLE in err.value.msg
    assert err.value.details["scheduler_reasons"] == [UNSCHEDULABLE]
    assert ("LIST", "/api/v1/namespaces/team/pods", "aizone.io/workload=app") in rest.calls


def test_timeout_falls_back_to_failed_scheduling_events():
    events = [{"reason": "FailedScheduling", "involvedObject": {"name": "app-1"}, "message": "old",
               "lastTimestamp": "2026-01-01T00:00:00Z"},
              {"reason": "FailedScheduling", "involvedObject": {"name": "app-1"}, "message": UNSCHEDULABLE,
               "lastTimestamp": "2026-01-01T00:01:00Z"}]
    rest = FakeRest(deployment(1, 0), [pending_pod("app-1")], events)
    with pytest.raises(rollout.RolloutError) as err:
        rollout.wait_rollouts(rest, [("Deployment", "team", "app")], 0.05, interval=0.01, sleep=lambda s: None)
    assert err.value.details["not_ready"][0]["pending_pods"][0]["message"] == UNSCHEDULABLE
    assert "old" not in err.value.msg


def test_autoscaled_workload_waits_for_the_minimum():
    rest = FakeRest(deployment(1, 1), [])
    with pytest.raises(rollout.RolloutError) as err:
        rollout.wait_rollouts(rest, [("Deployment", "team", "app")], 0.05, interval=0.01, sleep=lambda s: None,
                              min_replicas={("Deployment", "team", "app"): 2})
    assert "minimum of 2" in err.value.msg
    assert rollout.wait_rollouts(FakeRest(deployment(2, 2), []), [("Deployment", "team", "app")], 1,
                                 min_replicas={("Deployment", "team", "app"): 2})
