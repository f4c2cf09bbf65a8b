"""Pod placement on a node pool, derived from the pool's nodes, without a server."""

import pytest

from harness.nodes import GPU_NODE, GPU_NODE_2

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import pool_selector
from ansible_collections.aizone.platform.plugins.module_utils.workloads.objects import workload_objects
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import validate_workload
from ansible_collections.aizone.platform.plugins.module_utils.zones.placement import derive_placement


def spec(**kw):
    base = {"name": "app", "namespace": "team", "image": "nginx:1.27"}
    base.update(kw)
    return validate_workload("workloads[0]", base)


# -- placement ----------------------------------------------------------------------------------

def test_placement_derived_from_the_pool_nodes():
    selector, tolerations = derive_placement("gpu", [GPU_NODE, GPU_NODE_2])
    assert selector == {"aizone.io/node-pool": "gpu"}
    assert tolerations == [
        {"key": "aizone.io/dedicated", "effect": "NoExecute", "operator": "Exists"},
        {"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Equal", "value": "present"},
    ]


def test_pool_without_nodes_fails_naming_the_pool():
    with pytest.raises(ValidationError) as err:
        derive_placement("h100", [], field="workloads[3].pool")
    assert err.value.field == "workloads[3].pool"
    assert "'h100' has no nodes" in err.value.msg


def test_one_selector_for_every_pool():
    assert pool_selector(["b", "a", "b"]) == "aizone.io/node-pool in (a,b)"
    assert pool_selector(["a"]) == "aizone.io/node-pool=a"


def test_placement_lands_in_the_pod_spec():
    placement = derive_placement("gpu", [GPU_NODE])
    obj = workload_objects(spec(pool="gpu"), placement)[0][0]
    pod = obj["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"aizone.io/node-pool": "gpu"}
    assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Equal",
                                   "value": "present"}]
    assert obj["metadata"]["labels"]["aizone.io/node-pool"] == "gpu"
