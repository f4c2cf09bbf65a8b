"""The reconciler against an in-memory provider: behaviour every provider inherits."""

import copy
import os
import stat

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.zones import pools, reconcile as zones, spec as zone_spec
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError, WaitTimeout
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import Provider


class FakeProvider(Provider):
    name = "eks"  # the catalog of AWS types
    zone_updatable = ("tags", "logging")
    node_pool_updatable = ("labels", "taints", "autoscaling")

    def __init__(self, ready=True):
        super(FakeProvider, self).__init__({})
        self.zones, self.pools, self.writes, self.ready = {}, {}, [], ready

    def zone_defaults(self, desired):
        return {"region": "us-east-1", "kubernetes_version": "1.33"}

    def get_zone(self, name):
        return copy.deepcopy(self.zones.get(name))

    def list_zones(self):
        return [copy.deepcopy(z) for _n, z in sorted(self.zones.items())]

    def create_zone(self, desired):
        self.writes.append(("create_zone", desired["name"]))
        self.zones[desired["name"]] = dict(copy.deepcopy(desired), status="ACTIVE", endpoint="https://x")

    def update_zone(self, current, desired, changed_fields):
        self.writes.append(("update_zone", tuple(changed_fields)))
        self.zones[current["name"]] = dict(copy.deepcopy(desired), status="ACTIVE")

    def delete_zone(self, current):
        self.writes.append(("delete_zone", current["name"]))
        del self.zones[current["name"]]

    def zone_ready(self, name):
        zone = self.get_zone(name)
        return self.ready, zone, "ACTIVE" if self.ready else "CREATING"

    def zone_kubeconfig(self, zone):
        return {"apiVersion": "v1", "clusters": [{"name": zone["name"], "cluster": {"server": zone["endpoint"]}}]}

    def list_node_pools(self, zone_name):
        return copy.deepcopy(self.pools)

    def create_node_pool(self, zone_name, desired):
        self.writes.append(("create_node_pool", desired["name"]))
        self.pools[desired["name"]] = dict(copy.deepcopy(desired), gpu=None, status="ACTIVE")

    def update_node_pool(self, zone_name, current, desired, changed_fields):
        self.writes.append(("update_node_pool", tuple(changed_fields)))
        self.pools[current["name"]] = dict(copy.deepcopy(desired), gpu=None, status="ACTIVE")

    def delete_node_pool(self, zone_name, current):
        self.writes.append(("delete_node_pool", current["name"]))
        del self.pools[current["name"]]

    def node_pool_ready(self, zone_name, pool_name):
        pool = self.pools.get(pool_name)
        return True, copy.deepcopy(pool), "ACTIVE"


def zone_params(**kw):
    params = dict(name="dev", provider="eks", region=None, kubernetes_version=None, zone_type=None,
                  networking=None, logging=None, tags=None)
    params.update(kw)
    return zone_spec.zone_desired(params)


def pool_params(**kw):
    params = dict(name="gpu", type=None, instance_type=None, gpu={"model": "A10G", "count": 1}, autoscaling=None,
                  labels=None, taints=None, capacity_type=None, disk_size_gb=None)
    params.update(kw)
    return zone_spec.node_pool_desired(params, "eks")


def test_check_mode_predicts_create_exactly_without_writes():
    p = FakeProvider()
    predicted = zones.reconcile_zone(p, zone_params(tags={"a": "1"}), check_mode=True)
    assert p.writes == [] and predicted["changed"]
    real = zones.reconcile_zone(p, zone_params(tags={"a": "1"}))
    assert p.writes == [("create_zone", "dev")]
    assert real["diff"] == predicted["diff"]
    assert real["diff"]["after"]["kubernetes_version"] == "1.33"  # the provider's default, predicted


def test_unset_fields_are_left_alone_and_second_run_writes_nothing():
    p = FakeProvider()
    zones.reconcile_zone(p, zone_params(tags={"a": "1"}, logging=["api"]))
    p.writes = []
    again = zones.reconcile_zone(p, zone_params())
    assert not again["changed"] and p.writes == []


def test_non_updatable_zone_field_fails_naming_it_before_any_write():
    p = FakeProvider()
    zones.reconcile_zone(p, zone_params())
    p.writes = []
    with pytest.raises(ValidationError) as err:
        zones.reconcile_zone(p, zone_params(zone_type="dedicated", tags={"b": "2"}))
    assert err.value.field == "zone_type"
    assert "cannot be changed in place on provider eks" in err.value.msg
    assert "fields it can update: tags, logging" in err.value.msg
    assert p.writes == []


def test_networking_subfield_is_named():
    p = FakeProvider()
    zones.reconcile_zone(p, zone_params())
    with pytest.raises(ValidationError) as err:
        zones.reconcile_zone(p, zone_params(networking={"subnets": None, "security_groups": None,
                                                        "endpoint_public_access": False,
                                                        "endpoint_private_access": True}))
    assert err.value.field == "networking.endpoint_private_access"


def test_downgrade_is_refused():
    p = FakeProvider()
    p.zone_updatable = ("kubernetes_version",)
    zones.reconcile_zone(p, zone_params())
    with pytest.raises(ValidationError) as err:
        zones.reconcile_zone(p, zone_params(kubernetes_version="1.32"))
    assert err.value.field == "kubernetes_version" and "downgrading" in err.value.msg


def test_wait_times_out_with_the_last_state():
    p = FakeProvider(ready=False)
    with pytest.raises(WaitTimeout) as err:
        zones.reconcile_zone(p, zone_params(), wait_timeout=0)
    assert "zone dev (eks): waiting until ready" in err.value.msg and "CREATING" in err.value.msg


def test_kubeconfig_written_0600_and_idempotent(tmp_path):
    p = FakeProvider()
    dest = str(tmp_path / "sub" / "kc.yaml")
    first = zones.reconcile_zone(p, zone_params(), kubeconfig_dest=dest)
    assert first["kubeconfig_changed"]
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    second = zones.reconcile_zone(p, zone_params(), kubeconfig_dest=dest)
    assert not second["kubeconfig_changed"] and not second["changed"]
    os.chmod(dest, 0o644)
    third = zones.reconcile_zone(p, zone_params(), kubeconfig_dest=dest, check_mode=True)
    assert third["changed"] and stat.S_IMODE(os.stat(dest).st_mode) == 0o644  # check mode: untouched


def test_pool_update_merges_partial_scaling_and_checks_bounds():
    p = FakeProvider()
    zones.reconcile_zone(p, zone_params())
    pools.reconcile_node_pool(p, "dev", pool_params(autoscaling={"min": 1, "max": 3, "desired": 2}))
    p.writes = []
    res = pools.reconcile_node_pool(p, "dev", pool_params(autoscaling={"desired": 3}, labels={"x": "y"}),
                                    check_mode=True)
    assert res["changed_fields"] == ["autoscaling", "labels"] and p.writes == []
    assert res["diff"]["after"]["autoscaling"] == {"enabled": True, "min": 1, "max": 3, "desired": 3}
    with pytest.raises(ValidationError) as err:
        pools.reconcile_node_pool(p, "dev", pool_params(autoscaling={"desired": 4}))
    assert err.value.field == "autoscaling.desired" and p.writes == []


def test_pool_instance_type_change_refused():
    p = FakeProvider()
    zones.reconcile_zone(p, zone_params())
    pools.reconcile_node_pool(p, "dev", pool_params())
    with pytest.raises(ValidationError) as err:
        pools.reconcile_node_pool(p, "dev", pool_params(gpu={"model": "L4", "count": 1}))
    assert err.value.field == "instance_type" and "g5.xlarge" in err.value.msg and "g6.xlarge" in err.value.msg


def test_pool_read_back_gets_gpu_from_catalog():
    p = FakeProvider()
    zones.reconcile_zone(p, zone_params())
    res = pools.reconcile_node_pool(p, "dev", pool_params())
    assert res["node_pool"]["gpu"] == {"model": "A10G", "count": 1, "memory_gib": 24}
    info = pools.node_pool_info(p, "dev")
    assert info["node_pools"][0]["gpu"]["model"] == "A10G"


def test_pool_in_missing_zone():
    p = FakeProvider()
    res = pools.reconcile_node_pool(p, "nozone", pool_params(), check_mode=True)
    assert res["changed"] and p.writes == []  # an earlier task would create the zone
    assert not pools.reconcile_node_pool(p, "nozone", {"name": "gpu"}, state="absent")["changed"]
    with pytest.raises(Exception) as err:
        pools.reconcile_node_pool(p, "nozone", pool_params())
    assert "zone nozone does not exist" in str(err.value)


class RefusingProvider(FakeProvider):
    """Refuses to create the pools named in `refuse` (a cloud quota), after a pause."""

    def __init__(self, refuse=()):
        super(RefusingProvider, self).__init__()
        self.refuse = set(refuse)

    def create_node_pool(self, zone_name, desired):
        if desired["name"] in self.refuse:
            from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError
            raise ApiError("quota exceeded for %s" % desired["name"], code="QuotaExceeded")
        super(RefusingProvider, self).create_node_pool(zone_name, desired)


def listed(*pools_, **kw):
    return zone_spec.node_pools_desired([dict({"name": n, "gpu": {"model": "A10G", "count": 1}}, **kw)
                                         for n in pools_], "eks")


def test_node_pools_plan_writes_and_reports_each_pool_and_prunes_only_managed_ones():
    p = FakeProvider()
    zones.reconcile_zone(p, zone_params())
    p.pools["foreign"] = dict(p.pools.get("foreign") or {}, name="foreign", instance_type="g5.xlarge", labels={},
                              taints=[], autoscaling={"enabled": False, "min": 1, "max": 1, "desired": 1},
                              status="ACTIVE", managed=False)
    check = pools.reconcile_node_pools(p, "dev", listed("a", "b"), check_mode=True)
    assert check["actions"] == {"created": 2, "deleted": 0, "unchanged": 0, "updated": 0}
    assert p.writes == [("create_zone", "dev")]
    done = pools.reconcile_node_pools(p, "dev", listed("a", "b"))
    assert [r["diff"]["after"] for r in done["node_pools"]] == [r["diff"]["after"] for r in check["node_pools"]]
    for pool in p.pools.values():
        pool.setdefault("managed", pool["name"] != "foreign")
    writes = len(p.writes)
    pruned = pools.reconcile_node_pools(p, "dev", listed("a"), prune=True)
    assert [(r["name"], r["action"], r.get("pruned")) for r in pruned["node_pools"]] == [
        ("a", "unchanged", None), ("b", "deleted", True)]
    assert p.writes[writes:] == [("delete_node_pool", "b")] and "foreign" in p.pools


def test_node_pools_refuse_fixed_fields_naming_the_pool_before_any_write_and_report_a_failed_pool():
    p = RefusingProvider(refuse=["b"])
    zones.reconcile_zone(p, zone_params())
    pools.reconcile_node_pools(p, "dev", listed("a"))
    writes = len(p.writes)
    both = zone_spec.node_pools_desired([{"name": "c", "gpu": {"model": "A10G", "count": 1}},
                                         {"name": "a", "gpu": {"model": "A10G", "count": 1}, "capacity_type": "spot"}],
                                        "eks")
    with pytest.raises(ValidationError) as err:
        pools.reconcile_node_pools(p, "dev", both)
    assert err.value.field == "node_pools[1].capacity_type" and "cannot be changed in place" in err.value.msg
    assert len(p.writes) == writes
    with pytest.raises(ValidationError) as err:
        zone_spec.node_pools_desired([{"name": "a", "instance_type": "g5.xlarge"}, {"name": "a"}], "eks")
    assert err.value.field == "node_pools[1].name"

    from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
    with pytest.raises(AizoneError) as err:
        pools.reconcile_node_pools(p, "dev", listed("b", "c"))
    assert "1 of 2 node pools failed in zone dev (eks): b: quota exceeded for b" in err.value.msg
    report = dict((r["name"], r) for r in err.value.details["node_pools"])
    assert report["b"]["failed"] is True and report["c"]["action"] == "created" and "c" in p.pools
    assert err.value.details["changed"] is True


class StuckProvider(FakeProvider):
    """A pool in `stuck` stays CREATING; the wait gives up on it alone."""

    def __init__(self, stuck):
        super(StuckProvider, self).__init__()
        self.stuck = stuck

    def node_pool_ready(self, zone_name, pool_name):
        if pool_name in self.stuck:
            return False, copy.deepcopy(self.pools.get(pool_name)), "CREATING"
        return super(StuckProvider, self).node_pool_ready(zone_name, pool_name)


def test_node_pools_wait_times_out_per_pool_naming_it_and_its_last_state():
    from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
    p = StuckProvider(stuck=["slow"])
    zones.reconcile_zone(p, zone_params())
    with pytest.raises(AizoneError) as err:
        pools.reconcile_node_pools(p, "dev", listed("fast", "slow"), wait_timeout=1)
    assert ("1 of 2 node pools failed in zone dev (eks): slow: node pool slow in zone dev (eks): timed out after 1 s "
            "waiting until ready; last state: CREATING") in err.value.msg
    report = dict((r["name"], r) for r in err.value.details["node_pools"])
    assert report["slow"]["failed"] is True and report["fast"]["action"] == "created"
    assert "failed" not in report["fast"]
