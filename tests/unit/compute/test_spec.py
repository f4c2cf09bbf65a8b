"""Ray and Dask specs: validation, objects and the CRDs, without a server."""

import pytest

from harness.nodes import GPU_NODE

from ansible_collections.aizone.platform.plugins.module_utils.compute import crds
from ansible_collections.aizone.platform.plugins.module_utils.compute.objects import dask_cluster_object, ray_cluster_object
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


def _structural(schema, path="schema"):
    """Every node of a structural schema has a type, or keeps unknown fields."""
    assert "type" in schema or schema.get("x-kubernetes-preserve-unknown-fields"), path
    for name, sub in (schema.get("properties") or {}).items():
        _structural(sub, "%s.%s" % (path, name))
    if "items" in schema:
        _structural(schema["items"], path + "[]")


@pytest.mark.parametrize("crd", [crds.raycluster_crd(), crds.daskcluster_crd()])
def test_crds_are_structural(crd):
    version = crd["spec"]["versions"][0]
    _structural(version["schema"]["openAPIV3Schema"])
    assert crd["metadata"]["name"] == "%s.%s" % (crd["spec"]["names"]["plural"], crd["spec"]["group"])
