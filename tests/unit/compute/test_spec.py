"""Ray and Dask specs: validation, objects, replacement hash and wait diagnostics, without a server."""

import pytest

from harness.nodes import GPU_NODE

from ansible_collections.aizone.platform.plugins.module_utils.compute import wait
from ansible_collections.aizone.platform.plugins.module_utils.compute.objects import (
    PODS_HASH, dask_cluster_object, ray_cluster_object)
from ansible_collections.aizone.platform.plugins.module_utils.compute.spec import pools_wanted, validate_dask, validate_ray
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.zones.placement import derive_placement


def ray_params(**kw):
    base = {"name": "rc", "namespace": "training", "head": {"pool": "cpu"},
            "worker_groups": [{"name": "a100", "min_replicas": 0, "max_replicas": 4, "replicas": 1, "gpus": 1,
                               "pool": "gpu"}]}
    base.update(kw)
    return base


def test_ray_cluster_object():
    spec = validate_ray(ray_params())
    obj = ray_cluster_object(spec, {"gpu": derive_placement("gpu", [GPU_NODE]),
                                    "cpu": ({"aizone.io/node-pool": "cpu"}, [])})
    assert obj["apiVersion"] == "ray.io/v1" and obj["spec"]["enableInTreeAutoscaling"] is True
    group = obj["spec"]["workerGroupSpecs"][0]
    assert (group["minReplicas"], group["replicas"], group["maxReplicas"]) == (0, 1, 4)
    worker = group["template"]["spec"]
    assert worker["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert worker["nodeSelector"] == {"aizone.io/node-pool": "gpu"}
    head = obj["spec"]["headGroupSpec"]["template"]["spec"]
    assert head["nodeSelector"] == {"aizone.io/node-pool": "cpu"} and "tolerations" not in head
    assert pools_wanted(spec) == {"cpu": "head.pool", "gpu": "worker_groups[0].pool"}


@pytest.mark.parametrize("group, field", [
    ({"name": "g", "min_replicas": 3, "max_replicas": 2}, "worker_groups[0].max_replicas"),
    ({"name": "g", "min_replicas": 1, "max_replicas": 2, "replicas": 5}, "worker_groups[0].replicas"),
    ({"name": "g", "cpu": "lots"}, "worker_groups[0].cpu"),
])
def test_ray_bad_groups(group, field):
    with pytest.raises(ValidationError) as err:
        validate_ray(ray_params(worker_groups=[group]))
    assert err.value.field == field


def test_dask_cluster_object_with_gpu_workers():
    spec = validate_dask({"name": "etl", "namespace": "mlops", "worker": {"replicas": 3, "gpus": 1}})
    obj = dask_cluster_object(spec, {})
    assert obj["apiVersion"] == "kubernetes.dask.org/v1"
    assert obj["spec"]["worker"]["replicas"] == 3
    worker = obj["spec"]["worker"]["spec"]["containers"][0]
    assert worker["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert worker["args"][-2:] == ["--resources", "GPU=1"]
    assert obj["spec"]["scheduler"]["service"]["selector"]["dask.org/component"] == "scheduler"


def _ray(**kw):
    return ray_cluster_object(validate_ray(ray_params(**kw)), {})


def test_pods_hash_ignores_replica_counts_only():
    base = _ray()["metadata"]["annotations"][PODS_HASH]
    scaled = [{"name": "a100", "min_replicas": 1, "max_replicas": 8, "replicas": 4, "gpus": 1, "pool": "gpu"}]
    assert _ray(worker_groups=scaled)["metadata"]["annotations"][PODS_HASH] == base
    more_gpus = [{"name": "a100", "min_replicas": 0, "max_replicas": 4, "replicas": 1, "gpus": 2, "pool": "gpu"}]
    assert _ray(worker_groups=more_gpus)["metadata"]["annotations"][PODS_HASH] != base
    assert _ray(image="rayproject/ray:2.40.0")["metadata"]["annotations"][PODS_HASH] != base
    dask = validate_dask({"name": "etl", "namespace": "mlops", "worker": {"replicas": 3}})
    dask_more = validate_dask({"name": "etl", "namespace": "mlops", "worker": {"replicas": 5}})
    dask_big = validate_dask({"name": "etl", "namespace": "mlops", "worker": {"replicas": 3, "cpu": "4"}})
    hashes = [dask_cluster_object(s, {})["metadata"]["annotations"][PODS_HASH] for s in (dask, dask_more, dask_big)]
    assert hashes[0] == hashes[1] != hashes[2]


def test_pods_meet_the_restricted_pod_security_standard():
    obj = _ray()
    pods = [obj["spec"]["headGroupSpec"]["template"]["spec"]] + [
        g["template"]["spec"] for g in obj["spec"]["workerGroupSpecs"]]
    for pod in pods:
        assert pod["securityContext"] == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"},
                                          "runAsUser": 1000, "runAsGroup": 1000}
        for container in pod["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert obj["spec"]["autoscalerOptions"]["securityContext"]["capabilities"] == {"drop": ["ALL"]}


QUOTA = ('pods "rc-gpu-worker-x" is forbidden: exceeded quota: team, requested: requests.nvidia.com/gpu=4, '
         'used: requests.nvidia.com/gpu=0, limited: requests.nvidia.com/gpu=2')


@pytest.mark.parametrize("message, hopeless", [
    (QUOTA, True),
    (QUOTA.replace("requested: requests.nvidia.com/gpu=4", "requested: requests.nvidia.com/gpu=1")
     .replace("used: requests.nvidia.com/gpu=0", "used: requests.nvidia.com/gpu=2"), False),
    ('pods "x" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true', True),
    ("some other refusal", False),
])
def test_refusals_that_can_never_be_admitted(message, hopeless):
    assert wait._never_admitted(message) is hopeless


class _Events(object):
    def __init__(self, events):
        self.events = events

    def list_all(self, path, selector=None):
        return self.events


def test_create_failures_are_ours_only_and_counted_without_pod_names():
    def event(uid, pod, count=1, reason="FailedToCreateWorkerPod"):
        return {"involvedObject": {"uid": uid}, "reason": reason, "count": count,
                "message": '(combined from similar events): pods "%s" is forbidden: quota' % pod}
    rest = _Events([event("u1", "rc-a", 3), event("u1", "rc-b"), event("old", "rc-c", 9),
                    event("u1", "rc-d", reason="Created")])
    failures = wait.create_failures(rest, "team", "rc", {"u1"})
    assert failures == [('pods "rc-..." is forbidden: quota', 4)]
    assert wait._say(failures) == ['pods "rc-..." is forbidden: quota (4 events)']


def test_expected_pods():
    assert wait.expected_pods("ray", validate_ray(ray_params())) == {"headgroup": 1, "a100": 1}
    dask = validate_dask({"name": "etl", "namespace": "mlops", "worker": {"replicas": 3}})
    assert wait.expected_pods("dask", dask) == {"scheduler": 1, "worker": 3}
