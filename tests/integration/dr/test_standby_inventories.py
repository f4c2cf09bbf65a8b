"""The environments' DR zones, as ansible templates them: the foundation layer's pools of each DR zone hold its
primary's pools at the standby of the primary's policy (dev backup-and-restore, staging pilot-light, prod
warm-standby), with the DR cloud's instance types; failed_over gives them their full size."""

import os

import pytest

from harness.ansible import ROOT

DEFAULTS = os.path.join(ROOT, "roles", "foundation", "defaults", "main.yml")
ZONES = {"dev": ("aizone-dev-aws-use1", "aizone-dev-azure-eastus"),
         "staging": ("aizone-staging-aws-use1", "aizone-staging-azure-eastus"),
         "prod": ("aizone-prod-aws-use1", "aizone-prod-azure-eastus")}


def _pools(run_playbook, env, host, extravars=None):
    """{name: (min, desired, max, instance type)} of the foundation layer's pools of host in inventories/env."""
    res = run_playbook([{"name": "pools", "hosts": host, "gather_facts": False, "vars_files": [DEFAULTS],
                         "tasks": [{"name": "pools", "ansible.builtin.debug": {"var": "foundation_node_pools"}}]}],
                       inventory=os.path.join(ROOT, "inventories", env), extravars=extravars)
    assert res.rc == 0, res.output[-3000:]
    out = {}
    for pool in res.task("pools")["foundation_node_pools"]:
        scaling = pool.get("autoscaling") or {}
        out[pool["name"]] = (int(scaling["min"]), int(scaling["desired"]), int(scaling["max"]), pool.get("instance_type"))
    return out


@pytest.mark.parametrize("env", sorted(ZONES))
def test_each_dr_zone_stands_by_as_its_primarys_policy_says(run_playbook, env):
    primary, dr = ZONES[env]
    mine, theirs = _pools(run_playbook, env, dr), _pools(run_playbook, env, primary)
    print("\n%s primary %s\n%s DR      %s" % (env, theirs, env, mine))
    assert set(mine) == set(theirs) == {"cpu", "a100"}
    assert mine["cpu"][3].startswith("Standard_") and theirs["cpu"][3].startswith("c5")
    if env == "prod":
        # warm-standby, a quarter rounded up: 6 -> 2 CPU nodes, 2 -> 1 A100 node; the DR zone's own max of 12 kept
        assert mine["cpu"][:3] == (1, 2, 12) and mine["a100"][:3] == (0, 1, 16), mine
    else:
        # backup-and-restore and pilot-light: the DR zone's own pools stand as they are (GPU at 0 nodes)
        assert mine["a100"][1] == 0 and mine["cpu"][1] == 1, mine


def test_a_failed_over_primary_keeps_its_full_size_on_the_dr_zone(run_playbook, tmp_path):
    """inventories/staging with failed_over: true in the primary's policy (what failover.yml asks for)."""
    import shutil
    import yaml
    inv = tmp_path / "staging"
    shutil.copytree(os.path.join(ROOT, "inventories", "staging"), str(inv))
    path = inv / "host_vars" / "aizone-staging-aws-use1.yml"
    host = yaml.safe_load(path.read_text())
    host["aizone_dr_policy"]["failed_over"] = True
    path.write_text(yaml.safe_dump(host, sort_keys=False))
    primary, dr = ZONES["staging"]
    res = run_playbook([{"name": "pools", "hosts": dr, "gather_facts": False, "vars_files": [DEFAULTS],
                         "tasks": [{"name": "pools", "ansible.builtin.debug": {"var": "foundation_node_pools"}}]}],
                       inventory=str(inv))
    assert res.rc == 0, res.output[-3000:]
    pools = dict((p["name"], p["autoscaling"]) for p in res.task("pools")["foundation_node_pools"])
    theirs = _pools(run_playbook, "staging", primary)
    assert int(pools["a100"]["desired"]) == theirs["a100"][1] > 0 and int(pools["cpu"]["desired"]) == theirs["cpu"][1]
