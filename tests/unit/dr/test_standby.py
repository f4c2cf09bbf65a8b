"""A DR zone's pools by its primaries' DR policies: none, 0 nodes, a fraction, or full size once failed over."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.dr.standby import equivalent_pools, primaries, standby_pools
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError

POOLS = [{"name": "cpu", "instance_type": "c5.4xlarge", "autoscaling": {"enabled": True, "min": 1, "max": 12, "desired": 6},
          "labels": {"team": "a"}},
         {"name": "a100", "gpu": {"model": "A100-80GB", "count": 8}, "autoscaling": {"min": 0, "max": 16, "desired": 2},
          "taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]},
         {"name": "gone", "instance_type": "c5.4xlarge", "state": "absent"}]


def _primary(approach, **policy):
    return {"inventory_hostname": "aws-use1", "aizone_zone": {"name": "prod-use1", "provider": "eks"},
            "aizone_node_pools": POOLS, "aizone_dr_policy": dict(policy, approach=approach, dr_zone="azure-eastus")}


def _sizes(pools):
    return dict((p["name"], tuple(p["autoscaling"][k] for k in ("min", "desired", "max"))) for p in pools)


def test_primaries_are_the_hosts_naming_the_zone():
    hosts = [_primary("pilot-light"), {"inventory_hostname": "azure-eastus"},
             {"inventory_hostname": "x", "aizone_dr_policy": {"dr_zone": "elsewhere"}}]
    assert [h["inventory_hostname"] for h in primaries(hosts, "azure-eastus")] == ["aws-use1"]
    assert primaries(hosts, "aws-use1") == []


def test_backup_and_restore_keeps_nothing_on_standby():
    own = [{"name": "system", "instance_type": "Standard_F16s_v2"}]
    assert standby_pools(own, [_primary("backup-and-restore")], "aks") == own


def test_pilot_light_keeps_every_pool_at_zero_with_the_dr_clouds_types():
    pools = standby_pools([], [_primary("pilot-light")], "aks")
    assert _sizes(pools) == {"cpu": (0, 0, 12), "a100": (0, 0, 16)}
    cpu, a100 = pools
    assert cpu["instance_type"] == equivalent_pools(POOLS[:1], "eks", "aks")[0]["instance_type"] != "c5.4xlarge"
    assert cpu["labels"] == {"team": "a"} and a100["taints"] == POOLS[1]["taints"] and "instance_type" not in a100


def test_warm_standby_keeps_a_fraction_rounded_up_or_the_nodes_given():
    assert _sizes(standby_pools([], [_primary("warm-standby")], "aks")) == {"cpu": (1, 2, 12), "a100": (0, 1, 16)}
    half = standby_pools([], [_primary("warm-standby", standby_fraction=0.5, standby_nodes={"a100": 0})], "aks")
    assert _sizes(half) == {"cpu": (1, 3, 12), "a100": (0, 0, 16)}


def test_failed_over_is_full_size_by_policy_or_by_name():
    full = {"cpu": (1, 6, 12), "a100": (0, 2, 16)}
    assert _sizes(standby_pools([], [_primary("pilot-light", failed_over=True)], "aks")) == full
    assert _sizes(standby_pools([], [_primary("backup-and-restore")], "aks", ["aws-use1"])) == full
    assert standby_pools([], [_primary("backup-and-restore")], "aks", ["other"]) == []


def test_the_dr_zones_own_pool_of_the_same_name_stays_its_own_raised_to_the_standby():
    own = [{"name": "cpu", "instance_type": "Standard_D4s_v5", "autoscaling": {"min": 1, "max": 4, "desired": 1}},
           {"name": "system", "instance_type": "Standard_D4s_v5"}]
    pools = standby_pools(own, [_primary("warm-standby")], "aks")
    assert [p["name"] for p in pools] == ["cpu", "system", "a100"]
    assert pools[0]["instance_type"] == "Standard_D4s_v5" and _sizes(pools[:1])["cpu"] == (1, 2, 12)
    assert "autoscaling" not in pools[1]
    assert own[0]["autoscaling"] == {"min": 1, "max": 4, "desired": 1}


@pytest.mark.parametrize("policy, field", [
    ({"approach": "hot"}, "aws-use1: aizone_dr_policy.approach"),
    ({"approach": "warm-standby", "standby_fraction": 0}, "aws-use1: aizone_dr_policy.standby_fraction"),
    ({"approach": "warm-standby", "standby_fraction": True}, "aws-use1: aizone_dr_policy.standby_fraction"),
    ({"approach": "warm-standby", "standby_nodes": {"cpu": -1}}, "aws-use1: aizone_dr_policy.standby_nodes"),
])
def test_a_bad_policy_names_its_host_and_key(policy, field):
    host = dict(_primary("x"), aizone_dr_policy=dict(policy, dr_zone="azure-eastus"))
    with pytest.raises(ValidationError) as err:
        standby_pools([], [host], "aks")
    assert err.value.field == field, err.value.msg
