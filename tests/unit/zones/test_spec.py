"""Validation of zone and node pool input: fails before any API call, naming the field."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.zones import spec as zone_spec
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError


def pool(**kw):
    params = dict(name="gpu", type=None, instance_type=None, gpu=None, autoscaling=None, labels=None,
                  taints=None, capacity_type=None, disk_size_gb=None)
    params.update(kw)
    return params


def fails(fn, *args, **kwargs):
    with pytest.raises(ValidationError) as err:
        fn(*args, **kwargs)
    return err.value


def test_pool_from_gpu_model_and_count():
    out = zone_spec.node_pool_desired(pool(gpu={"model": "A100-80GB", "count": 8}), "aks")
    assert out["instance_type"] == "Standard_ND96amsr_A100_v4"
    assert out["type"] == "gpu-optimized"
    assert out["gpu"] == {"model": "A100-80GB", "count": 8, "memory_gib": 80}


def test_unset_options_stay_none():
    out = zone_spec.node_pool_desired(pool(instance_type="c5.4xlarge"), "eks")
    assert out["type"] == "cpu-optimized"
    unset = [k for k, v in out.items() if v is None]
    assert unset == ["gpu", "autoscaling", "labels", "taints", "capacity_type", "disk_size_gb"]


def test_general_type_counts_as_cpu_and_memory_type_as_memory():
    assert zone_spec.node_pool_desired(pool(instance_type="m5.xlarge"), "eks")["type"] == "cpu-optimized"
    assert zone_spec.node_pool_desired(pool(instance_type="r5.xlarge"), "eks")["type"] == "memory-optimized"


def test_gpu_optimized_pool_with_cpu_type_fails():
    err = fails(zone_spec.node_pool_desired, pool(type="gpu-optimized", instance_type="c5.4xlarge"), "eks")
    assert err.field == "instance_type"
    assert "gpu-optimized pool needs a GPU instance type; c5.4xlarge has no GPU" in err.msg
    assert "p4de.24xlarge" in err.msg


def test_cpu_pool_with_gpu_type_fails():
    err = fails(zone_spec.node_pool_desired, pool(type="cpu-optimized", instance_type="g5.xlarge"), "eks")
    assert err.field == "type" and "use type gpu-optimized" in err.msg


def test_instance_type_and_gpu_must_agree():
    err = fails(zone_spec.node_pool_desired,
                pool(instance_type="g5.xlarge", gpu={"model": "A100-80GB", "count": 8}), "eks")
    assert err.field == "instance_type" and "p4de.24xlarge" in err.msg
    ok = zone_spec.node_pool_desired(pool(instance_type="p4de.24xlarge", gpu={"model": "A100-80GB", "count": 8}),
                                     "eks")
    assert ok["instance_type"] == "p4de.24xlarge"


def test_unknown_instance_type_uses_prefix():
    err = fails(zone_spec.node_pool_desired, pool(instance_type="g5.xlarg"), "eks", prefix="node_pools[2]")
    assert err.field == "node_pools[2].instance_type" and "g5.xlarge" in err.msg


@pytest.mark.parametrize("scaling,field,text", [
    ({"min": 3, "max": 2}, "autoscaling.min", "min (3) must be <= max (2)"),
    ({"min": 2, "desired": 1}, "autoscaling.desired", "desired (1) must be >= min (2)"),
    ({"max": 2, "desired": 5}, "autoscaling.desired", "desired (5) must be <= max (2)"),
    ({"min": -1}, "autoscaling.min", "must be an integer >= 0"),
    ({"max": 0}, "autoscaling.max", "must be >= 1"),
])
def test_scaling_bounds(scaling, field, text):
    err = fails(zone_spec.node_pool_desired, pool(instance_type="c5.xlarge", autoscaling=scaling), "eks")
    assert err.field == field and text in err.msg


def test_scaling_completion_for_new_pools():
    assert zone_spec.complete_autoscaling({"desired": 3}) == {"enabled": True, "min": 1, "max": 3, "desired": 3}
    assert zone_spec.complete_autoscaling({"desired": 0, "max": 4}) == \
        {"enabled": True, "min": 0, "max": 4, "desired": 0}
    assert zone_spec.complete_autoscaling(None) == {"enabled": True, "min": 1, "max": 1, "desired": 1}
    err = fails(zone_spec.check_autoscaling, "autoscaling", {"min": 1, "max": 2, "desired": 2})
    assert "missing enabled" in err.msg


def test_taints_validated_and_sorted():
    out = zone_spec.check_taints("taints", [
        {"key": "b", "value": "x", "effect": "NoSchedule"},
        {"key": "a", "value": None, "effect": "NoExecute"},
    ])
    assert out == [{"key": "a", "value": "", "effect": "NoExecute"},
                   {"key": "b", "value": "x", "effect": "NoSchedule"}]


@pytest.mark.parametrize("taint,field,text", [
    ({"key": "a", "effect": "Evict"}, "taints[0].effect",
     "allowed values: NoSchedule, PreferNoSchedule, NoExecute"),
    ({"key": "a"}, "taints[0].effect", "required"),
    ({"key": "bad key", "effect": "NoSchedule"}, "taints[0].key", "not a valid label key"),
    ({"key": "a", "value": "-x", "effect": "NoSchedule"}, "taints[0].value", "not a valid label value"),
])
def test_bad_taints(taint, field, text):
    err = fails(zone_spec.check_taints, "taints", [taint])
    assert err.field == field and text in err.msg


def test_duplicate_taint():
    err = fails(zone_spec.check_taints, "taints", [{"key": "a", "effect": "NoSchedule"},
                                                   {"key": "a", "value": "v", "effect": "NoSchedule"}])
    assert err.field == "taints[1]"


@pytest.mark.parametrize("labels,field,text", [
    ({"ok/x/y": "v"}, "labels.ok/x/y", "not a valid label key"),
    ({"team": "a" * 64}, "labels.team", "not a valid label value"),
    ({"aizone.io/node-pool": "x"}, "labels.aizone.io/node-pool", "set by the platform"),
    ({"node-role.kubernetes.io/gpu": ""}, "labels.node-role.kubernetes.io/gpu", "set by the platform"),
    ({"Example.com/x": "v"}, "labels.Example.com/x", "not a valid label key"),
])
def test_bad_labels(labels, field, text):
    err = fails(zone_spec.check_labels, "labels", labels)
    assert err.field == field and text in err.msg


def test_good_labels_and_bool_values():
    assert zone_spec.check_labels("labels", {"example.com/team": "ml", "gpu": True}) == \
        {"example.com/team": "ml", "gpu": "true"}


@pytest.mark.parametrize("name", ["Gpu", "1gpu", "gpu-", "g" * 41, "gpu_a"])
def test_bad_names(name):
    err = fails(zone_spec.node_pool_desired, pool(name=name, instance_type="c5.xlarge"), "eks")
    assert err.field == "name"


def test_disk_size_bounds():
    err = fails(zone_spec.node_pool_desired, pool(instance_type="c5.xlarge", disk_size_gb=5), "eks")
    assert err.field == "disk_size_gb" and "10 to 16384" in err.msg


def zone(**kw):
    params = dict(name="dev", provider="eks", region=None, kubernetes_version=None, zone_type=None,
                  networking=None, logging=None, tags=None)
    params.update(kw)
    return params


def test_zone_normalization():
    out = zone_spec.zone_desired(zone(kubernetes_version="v1.33", logging=["audit", "api", "audit"],
                                      networking={"subnets": ["s2", "s1"], "security_groups": None,
                                                  "endpoint_public_access": None,
                                                  "endpoint_private_access": True},
                                      tags={"n": 1}))
    assert out["kubernetes_version"] == "1.33"
    assert out["logging"] == ["api", "audit"]
    assert out["networking"] == {"subnets": ["s1", "s2"], "security_groups": None,
                                 "endpoint_public_access": None, "endpoint_private_access": True}
    assert out["tags"] == {"n": "1"}


@pytest.mark.parametrize("kw,field,text", [
    (dict(kubernetes_version="1.33.2"), "kubernetes_version", "use MAJOR.MINOR"),
    (dict(zone_type="private"), "zone_type", "allowed values: shared, dedicated"),
    (dict(logging=["api", "kubelet"]), "logging[1]", "allowed values: api, audit, authenticator"),
    (dict(networking={"subnets": None, "security_groups": None, "endpoint_public_access": False,
                      "endpoint_private_access": False}), "networking", "cannot both be false"),
    (dict(name="Dev"), "name", "lowercase"),
    (dict(tags={"k": "v" * 257}), "tags.k", "at most 256"),
])
def test_bad_zone_input(kw, field, text):
    err = fails(zone_spec.zone_desired, zone(**kw))
    assert err.field == field and text in err.msg
