"""GPU sharing validation, MIG placement and rendering (pure logic, no server)."""

import pytest
import yaml

from ansible_collections.aizone.platform.plugins.module_utils.gpu import local_operator as emu
from ansible_collections.aizone.platform.plugins.module_utils.gpu import render
from ansible_collections.aizone.platform.plugins.module_utils.catalog import mig as mig_data
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.gpu.spec import (
    normalize_pools, place, resolve_for_model)

A100_PROFILES = ("1g.10gb (max 7), 1g.10gb+me (max 1), 1g.20gb (max 4), 2g.20gb (max 3), "
                 "3g.40gb (max 2), 4g.40gb (max 1), 7g.80gb (max 1)")


def mig_pool(layout, strategy="mixed", name="gpu-a"):
    return {"name": name, "mode": "mig", "mig": {"strategy": strategy, "layout": layout}}


def check(pool, model="A100-80GB"):
    (norm,) = normalize_pools([pool])
    return resolve_for_model(norm, model)


# (case id, pool, model, field, fragments the message must contain)
INVALID = [
    ("profile-missing-on-model", mig_pool({"1g.5gb": 7}), "A100-80GB", "node_pools[0].mig.layout",
     ["profile 1g.5gb does not exist on A100-80GB", "allowed profiles on A100-80GB: " + A100_PROFILES]),
    ("profile-of-other-model", mig_pool({"3g.40gb": 1}), "A100-SXM4-40GB", "node_pools[0].mig.layout",
     ["profile 3g.40gb does not exist on A100-SXM4-40GB", "3g.20gb (max 2)"]),
    ("count-over-max-1g", mig_pool({"1g.10gb": 8}), "A100-80GB", "node_pools[0].mig.layout",
     ["8 x 1g.10gb exceeds the maximum of 7 per GPU on A100-80GB", A100_PROFILES]),
    ("count-over-max-3g", mig_pool({"3g.40gb": 3}), "H100-80GB", "node_pools[0].mig.layout",
     ["3 x 3g.40gb exceeds the maximum of 2 per GPU on H100-80GB", "allowed profiles on H100-80GB"]),
    ("count-over-max-me", mig_pool({"1g.10gb+me": 2}), "A100-80GB", "node_pools[0].mig.layout",
     ["2 x 1g.10gb+me exceeds the maximum of 1 per GPU"]),
    ("4g-plus-3g", mig_pool({"4g.40gb": 1, "3g.40gb": 1}), "A100-80GB", "node_pools[0].mig.layout",
     ["3g.40gb and 4g.40gb cannot share one GPU on A100-80GB", "4g + 3g", A100_PROFILES]),
    ("4g-plus-3g-h200", mig_pool({"4g.71gb": 1, "3g.71gb": 1}), "H200-141GB", "node_pools[0].mig.layout",
     ["3g.71gb and 4g.71gb cannot share one GPU on H200-141GB"]),
    ("compute-over-7", mig_pool({"3g.40gb": 2, "2g.20gb": 1}), "A100-80GB", "node_pools[0].mig.layout",
     ["1 x 2g.20gb + 2 x 3g.40gb needs 8 compute slices but A100-80GB has 7", A100_PROFILES]),
    ("7g-plus-1g", mig_pool({"7g.80gb": 1, "1g.10gb": 1}), "A100-80GB", "node_pools[0].mig.layout",
     ["needs 8 compute slices but A100-80GB has 7"]),
    ("memory-slots-3g3g1g", mig_pool({"3g.40gb": 2, "1g.10gb": 1}), "A100-80GB", "node_pools[0].mig.layout",
     ["1 x 1g.10gb + 2 x 3g.40gb cannot be placed on one A100-80GB", "needs 9 of 8 memory slots",
      "3g.40gb starts [0, 4]", A100_PROFILES]),
    ("memory-slots-double-mem", mig_pool({"1g.20gb": 4, "1g.10gb": 1}), "A100-80GB", "node_pools[0].mig.layout",
     ["cannot be placed on one A100-80GB", "1g.20gb starts [0, 2, 4, 6]"]),
    ("overlap-4g-2g-2g", mig_pool({"4g.40gb": 1, "2g.20gb": 2}), "A100-80GB", "node_pools[0].mig.layout",
     ["needs 8 compute slices"]),
    ("a30-over-4-slices", mig_pool({"2g.12gb": 2, "1g.6gb": 1}), "A30-24GB", "node_pools[0].mig.layout",
     ["needs 5 compute slices but A30-24GB has 4", "allowed profiles on A30-24GB: 1g.6gb (max 4)"]),
    ("mig-on-t4", mig_pool("all-1g.10gb"), "T4", "node_pools[0].mode",
     ["GPU model T4 does not support MIG", "allowed profiles: none", "MIG-capable models: A100-80GB",
      "use mode time_slicing"]),
    ("mig-on-a10g", mig_pool({"1g.10gb": 1}), "A10G", "node_pools[0].mode", ["GPU model A10G does not support MIG"]),
    ("mig-on-l4", mig_pool("all-balanced"), "L4", "node_pools[0].mode", ["GPU model L4 does not support MIG"]),
    ("mig-on-v100", mig_pool("all-balanced"), "V100", "node_pools[0].mode", ["GPU model V100 does not support MIG"]),
    ("preset-of-other-model", mig_pool("all-3g.40gb"), "A100-SXM4-40GB", "node_pools[0].mig.layout",
     ["preset 'all-3g.40gb' does not exist for A100-SXM4-40GB", "all-3g.20gb", "allowed profiles on A100-SXM4-40GB"]),
    ("preset-unknown", mig_pool("all-5g.50gb"), "H100-80GB", "node_pools[0].mig.layout",
     ["preset 'all-5g.50gb' does not exist for H100-80GB", "all-balanced"]),
    ("single-with-two-profiles", mig_pool("all-balanced", strategy="single"), "A100-80GB",
     "node_pools[0].mig.strategy",
     ["strategy single needs one profile per GPU",
      "got 2 x 1g.10gb + 1 x 2g.20gb + 1 x 3g.40gb on A100-80GB", "all-3g.40gb"]),
    ("unknown-model", mig_pool("all-balanced"), "B200", "node_pools[0].gpu_model",
     ["unknown GPU model 'B200'", "A100-80GB"]),
]

# shape errors found without any model
INVALID_SHAPE = [
    ("replicas-zero", {"name": "p", "mode": "time_slicing", "time_slicing": {"replicas": 0}},
     "node_pools[0].time_slicing.replicas", "must be >= 1"),
    ("replicas-negative", {"name": "p", "mode": "time_slicing", "time_slicing": {"replicas": -2}},
     "node_pools[0].time_slicing.replicas", "must be >= 1"),
    ("replicas-missing", {"name": "p", "mode": "time_slicing"},
     "node_pools[0].time_slicing.replicas", "required with mode time_slicing"),
    ("replicas-not-int", {"name": "p", "mode": "time_slicing", "time_slicing": {"replicas": "3"}},
     "node_pools[0].time_slicing.replicas", "must be an integer >= 1"),
    ("layout-missing", {"name": "p", "mode": "mig", "mig": {"strategy": "mixed"}},
     "node_pools[0].mig.layout", "required with mode mig"),
    ("layout-bad-profile-name", mig_pool({"three-g": 1}), "node_pools[0].mig.layout",
     "'three-g' is not a MIG profile name"),
    ("layout-zero-count", mig_pool({"3g.40gb": 0}), "node_pools[0].mig.layout.3g.40gb",
     "instances per GPU must be an integer >= 1"),
    ("layout-list", mig_pool(["3g.40gb"]), "node_pools[0].mig.layout", "must be a preset name or a mapping"),
    ("strategy-bad", mig_pool("all-balanced", strategy="both"), "node_pools[0].mig.strategy",
     "must be one of single, mixed, got 'both'"),
    ("mode-bad", {"name": "p", "mode": "mps"}, "node_pools[0].mode", "must be one of none, time_slicing, mig"),
    ("ts-options-with-mig", {"name": "p", "mode": "mig", "mig": {"layout": "all-balanced"},
                             "time_slicing": {"replicas": 2}},
     "node_pools[0].time_slicing", "only valid with mode time_slicing (mode is mig)"),
    ("mig-options-with-none", {"name": "p", "mode": "none", "mig": {"layout": "all-balanced"}},
     "node_pools[0].mig", "only valid with mode mig (mode is none)"),
    ("pool-name-bad", {"name": "GPU_A", "mode": "none"}, "node_pools[0].name", "must be a DNS label"),
    ("pool-name-reserved", {"name": "all-disabled", "mode": "none"}, "node_pools[0].name", "reserved"),
]


@pytest.mark.parametrize("case,pool,model,field,fragments", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_layout_for_model(case, pool, model, field, fragments):
    with pytest.raises(ValidationError) as err:
        check(pool, model)
    assert err.value.field == field
    assert err.value.msg.startswith(field + ": ")
    for fragment in fragments:
        assert fragment in err.value.msg, (fragment, err.value.msg)


@pytest.mark.parametrize("case,pool,field,fragment", INVALID_SHAPE, ids=[c[0] for c in INVALID_SHAPE])
def test_invalid_shape(case, pool, field, fragment):
    with pytest.raises(ValidationError) as err:
        normalize_pools([pool])
    assert err.value.field == field
    assert fragment in err.value.msg, err.value.msg


def test_duplicate_pool_names():
    with pytest.raises(ValidationError) as err:
        normalize_pools([{"name": "a", "mode": "none"}, {"name": "a", "mode": "none"}])
    assert err.value.field == "node_pools[1].name"
    assert "listed twice (also at node_pools[0])" in err.value.msg


def test_enough_invalid_cases():
    assert len(INVALID) + len(INVALID_SHAPE) >= 15


def test_all_balanced_accepted_and_placed():
    got = check(mig_pool("all-balanced"))
    assert got["profiles"] == {"1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1}
    assert got["preset"] == "all-balanced"
    assert [(i["profile"], i["start"]) for i in got["placement"]] == [
        ("2g.20gb", 0), ("1g.10gb", 2), ("1g.10gb", 3), ("3g.40gb", 4)]


def test_explicit_3g_2g_1g_1g_accepted():
    got = check(mig_pool({"3g.40gb": 1, "2g.20gb": 1, "1g.10gb": 2}))
    assert got["preset"] is None
    assert sum(i["memory_slots"] for i in got["placement"]) == 8


@pytest.mark.parametrize("layout", [{"4g.40gb": 1, "2g.20gb": 1, "1g.10gb": 1}, {"2g.20gb": 3, "1g.10gb": 1},
                                    {"1g.10gb": 7}, {"1g.20gb": 4}, {"7g.80gb": 1}, {"3g.40gb": 2},
                                    {"1g.10gb+me": 1, "1g.10gb": 6}])
def test_valid_mixes_place(layout):
    placed = place("A100-80GB", layout)
    slots = []
    for inst in placed:
        slots.extend(range(inst["start"], inst["start"] + inst["memory_slots"]))
    assert len(slots) == len(set(slots)) and max(slots) < 8


def test_every_preset_of_every_model_places():
    for model, presets in mig_data.PRESETS.items():
        for name, counts in presets.items():
            (norm,) = normalize_pools([mig_pool(name, strategy="single" if len(counts) == 1 else "mixed")])
            assert resolve_for_model(norm, model)["profiles"] == counts


def test_time_slicing_and_none_need_only_a_known_model():
    assert check({"name": "p", "mode": "time_slicing", "time_slicing": {"replicas": 3}}, "T4") is None
    assert check({"name": "p", "mode": "none"}, "L4") is None


def resolved(pool, model="A100-80GB"):
    (norm,) = normalize_pools([pool])
    norm["gpu_model"] = model
    norm["mig_resolved"] = resolve_for_model(norm, model)
    return norm


def test_device_plugin_config_time_slicing():
    pool = resolved({"name": "a", "mode": "time_slicing",
                     "time_slicing": {"replicas": 3, "rename": True, "fail_requests_greater_than_one": True}})
    cfg = yaml.safe_load(render.device_plugin_config(pool))
    assert cfg == {"version": "v1", "flags": {"migStrategy": "none"},
                   "sharing": {"timeSlicing": {"renameByDefault": True, "failRequestsGreaterThanOne": True,
                                               "resources": [{"name": "nvidia.com/gpu", "replicas": 3}]}}}


def _merge(current_dp, current_mig, pools):
    return render.merge_device_plugin(current_dp, pools), render.merge_mig_parted(current_mig, pools)


def test_merge_configmaps_keeps_other_pools_and_drops_none():
    ts = resolved({"name": "a", "mode": "time_slicing", "time_slicing": {"replicas": 2}})
    mig = resolved(mig_pool("all-3g.40gb", name="b"))
    dp, mp = _merge({"other": "x", "b": "old"}, None, [ts, mig])
    assert sorted(dp) == ["a", "b", "other"]
    assert yaml.safe_load(dp["b"]) == {"version": "v1", "flags": {"migStrategy": "mixed"}}
    configs = yaml.safe_load(mp["config.yaml"])["mig-configs"]
    assert configs["b"] == [{"devices": "all", "mig-enabled": True, "mig-devices": {"3g.40gb": 2}}]
    assert configs["all-disabled"] == [{"devices": "all", "mig-enabled": False}]
    none = resolved({"name": "b", "mode": "none"})
    dp2, mp2 = _merge(dp, mp["config.yaml"], [none])
    assert sorted(dp2) == ["a", "other"]
    assert sorted(yaml.safe_load(mp2["config.yaml"])["mig-configs"]) == ["all-disabled"]


def test_cluster_policy_owned_fields_and_create_defaults():
    pools = [resolved(mig_pool("all-balanced", name="a")), resolved(mig_pool("all-1g.10gb", "single", "b"))]
    strategy = render.cluster_policy_strategy(pools)
    assert strategy == "mixed"
    monitor = {"enabled": True, "interval": "15s"}
    owned = render.cluster_policy_owned(strategy, {"enabled": True, "service_monitor": monitor})
    obj = render.cluster_policy(owned)
    assert obj["metadata"]["name"] == "cluster-policy" and obj["apiVersion"] == "nvidia.com/v1"
    assert sorted(obj["spec"]) == ["dcgmExporter", "devicePlugin", "mig", "migManager"]
    assert obj["spec"]["dcgmExporter"]["serviceMonitor"] == {"enabled": True, "interval": "15s"}
    created = render.cluster_policy(owned, create=True)
    assert created["spec"]["devicePlugin"] == {"enabled": True, "config": {"name": render.DEVICE_PLUGIN_CM}}
    assert created["spec"]["mig"] == {"strategy": "mixed"} and created["spec"]["driver"] == {"enabled": True}
    assert render.cluster_policy_strategy([resolved({"name": "c", "mode": "none"})], "single") == "single"


def test_node_labels_turn_mig_off_only_where_it_was_on():
    none = resolved({"name": "a", "mode": "none"})
    assert render.pool_node_labels(none, {}) == {render.LABEL_DP_CONFIG: None, render.LABEL_MIG_CONFIG: None}
    assert render.pool_node_labels(none, {render.LABEL_MIG_CONFIG: "a"})[render.LABEL_MIG_CONFIG] == "all-disabled"
    mig = resolved(mig_pool("all-3g.40gb", name="a"))
    assert render.pool_node_labels(mig, {}) == {render.LABEL_DP_CONFIG: "a", render.LABEL_MIG_CONFIG: "a"}


def node(gpus=8, product="NVIDIA-A100-SXM4-80GB", capacity=None, kwok=True):
    return {"metadata": {"name": "n1", "labels": {"nvidia.com/gpu.count": str(gpus), "nvidia.com/gpu.product": product},
                         "annotations": {"kwok.x-k8s.io/node": "fake"} if kwok else {}},
            "status": {"capacity": dict(capacity or {"nvidia.com/gpu": str(gpus), "cpu": "96"}),
                       "allocatable": dict(capacity or {"nvidia.com/gpu": str(gpus), "cpu": "96"})}}


def test_emulated_time_slicing_and_mig_capacity():
    ts = resolved({"name": "a", "mode": "time_slicing", "time_slicing": {"replicas": 3}})
    labels, res = emu.emulated_node_state(ts, node())
    assert res == {"nvidia.com/gpu": "24"}
    assert labels["nvidia.com/gpu.replicas"] == "3"
    assert labels["nvidia.com/gpu.product"] == "NVIDIA-A100-SXM4-80GB-SHARED"
    mixed = resolved(mig_pool("all-3g.40gb", name="a"))
    shared = node(product="NVIDIA-A100-SXM4-80GB-SHARED", capacity={"nvidia.com/gpu": "24"})
    labels, res = emu.emulated_node_state(mixed, shared, "a")
    assert res == {"nvidia.com/mig-3g.40gb": "16", "nvidia.com/gpu": None}
    assert labels["nvidia.com/mig.config.state"] == "success"
    assert labels["nvidia.com/gpu.product"] == "NVIDIA-A100-SXM4-80GB"
    patch = emu.status_patch(node(capacity={"nvidia.com/gpu": "24"}), res)
    assert patch == {"status": {"capacity": res, "allocatable": res}}
    single = resolved(mig_pool("all-1g.10gb", "single", "a"))
    labels, res = emu.emulated_node_state(single, node(), "a")
    assert res == {"nvidia.com/gpu": "56"}
    assert labels["nvidia.com/gpu.product"] == "NVIDIA-A100-SXM4-80GB-MIG-1g.10gb"
    assert emu.status_patch(node(capacity={"nvidia.com/gpu": "56"}), res) is None


def test_emulation_decided_by_the_node_not_the_provider():
    assert emu.is_emulated(node(kwok=True), "auto")
    assert not emu.is_emulated(node(kwok=False), "auto")
    assert emu.is_emulated(node(kwok=False), "always")
    assert not emu.is_emulated(node(kwok=True), "never")


def pool_nodes(*models):
    return [{"metadata": {"name": "n%d" % i, "labels": {} if m is None else {"aizone.io/gpu-model": m}}}
            for i, m in enumerate(models)]


def test_pool_model_from_nodes_and_its_errors():
    from ansible_collections.aizone.platform.plugins.module_utils.gpu.sharing import pool_model
    (pool,) = normalize_pools([{"name": "p", "mode": "none"}])
    assert pool_model(pool, pool_nodes("H100-80GB", "H100-80GB")) == "H100-80GB"
    cases = [
        (pool_nodes("A100-80GB", None), "node(s) n1 carry no aizone.io/gpu-model label"),
        (pool_nodes("A100-80GB", "T4"), "mixes GPU models A100-80GB, T4"),
        ([], "has no nodes labelled aizone.io/node-pool=p, so its GPU model is unknown; give gpu_model"),
    ]
    for nodes, fragment in cases:
        with pytest.raises(ValidationError) as err:
            pool_model(pool, nodes)
        assert fragment in err.value.msg
    given = dict(pool, gpu_model="T4")
    with pytest.raises(ValidationError) as err:
        pool_model(given, pool_nodes("L4"))
    assert err.value.field == "node_pools[0].gpu_model" and "carry aizone.io/gpu-model=L4" in err.value.msg
    assert pool_model(given, []) == "T4"


def test_info_reads_back_what_converge_writes():
    from ansible_collections.aizone.platform.plugins.module_utils.gpu.info import pool_config
    ts = resolved({"name": "a", "mode": "time_slicing", "time_slicing": {"replicas": 5, "rename": True}})
    mig = resolved(mig_pool("all-balanced", name="b"))
    dp, mp = _merge({}, None, [ts, mig])
    migs = render.parse_mig_parted(mp["config.yaml"])
    assert pool_config("a", dp, migs) == {"mode": "time_slicing", "time_slicing": {
        "replicas": 5, "rename": True, "fail_requests_greater_than_one": False}}
    assert pool_config("b", dp, migs) == {"mode": "mig", "mig": {
        "strategy": "mixed", "profiles": {"1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1}}}
    assert pool_config("c", dp, migs) == {"mode": "none"}


def test_converge_rejects_a_layout_before_connecting(tmp_path):
    """With gpu_model given, a bad layout fails before the kubeconfig is even read."""
    from ansible_collections.aizone.platform.plugins.module_utils.gpu.sharing import converge
    params = {"kubeconfig": str(tmp_path / "missing"), "node_pools": [
        {"name": "ok", "mode": "time_slicing", "time_slicing": {"replicas": 2}, "gpu_model": "T4"},
        dict(mig_pool({"1g.10gb": 7}, name="bad"), gpu_model="L4")]}
    with pytest.raises(ValidationError) as err:
        converge(params)
    assert err.value.field == "node_pools[1].mode"
    assert "GPU model L4 does not support MIG" in err.value.msg


def test_mig_tables_only_know_catalog_gpu_models_and_split_them():
    """The catalog is the one list of GPU models: every MIG table row is a catalog model."""
    from ansible_collections.aizone.platform.plugins.module_utils.catalog.instance_data import CATALOG
    assert set(mig_data.MIG_MODELS) <= set(CATALOG["gpu_models"])
    assert set(mig_data.MIG_MODELS) | set(mig_data.NO_MIG_MODELS) == set(CATALOG["gpu_models"])
    assert not set(mig_data.MIG_MODELS) & set(mig_data.NO_MIG_MODELS)
    assert set(mig_data.NO_MIG_MODELS) >= {"A10G", "L4", "T4", "V100"}
