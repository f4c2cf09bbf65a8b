"""One inventory zone spec converges on every provider.

The GPU pools of inventories/dev are written once, by GPU model and count
(8 x A100 80GB). Run through the real modules against each provider harness
(local control plane, moto for EKS, the AKS and GKE doubles), each resolves
its own equivalent instance type, converges, and a second run writes nothing.
"""

import os

import jinja2
import pytest
import yaml

from harness.ansible import ROOT
from harness.contract import PARAMS, pool_task, run, start_harness, zone_task

EXPECTED_TYPE = {"local": "p4de.24xlarge", "eks": "p4de.24xlarge",
                 "aks": "Standard_ND96amsr_A100_v4", "gke": "a2-ultragpu-8g"}


def dev_gpu_pools():
    """aizone_gpu_pools of inventories/dev, templated with the dev environment's variables."""
    inv = os.path.join(ROOT, "inventories", "dev", "group_vars")
    with open(os.path.join(inv, "dev.yml")) as f:
        env = yaml.safe_load(f)
    with open(os.path.join(inv, "all.yml")) as f:
        pools = yaml.safe_load(f)["aizone_gpu_pools"]

    def render(value):
        if isinstance(value, dict):
            return dict((k, render(v)) for k, v in value.items())
        if isinstance(value, list):
            return [render(v) for v in value]
        if isinstance(value, str) and "{{" in value:
            return yaml.safe_load(jinja2.Template(value).render(**env))
        return value
    return render(pools)


@pytest.fixture(params=PARAMS)
def harness(request):
    return start_harness(request)


def test_dev_inventory_gpu_pools_converge_on_every_provider(harness, run_playbook):
    pools = dev_gpu_pools()
    assert pools and all("gpu" in p and "instance_type" not in p for p in pools)
    tasks = [zone_task(harness, harness.zone_spec)]
    tasks += [dict(pool_task(harness, pool, name="pool %s" % pool["name"]), register="pool_" + pool["name"])
              for pool in pools]

    first = run(run_playbook, harness, tasks)[0]
    for pool in pools:
        got = first.task("pool %s" % pool["name"])["node_pool"]
        assert got["instance_type"] == EXPECTED_TYPE[harness.module_params["provider"]]
        assert got["gpu"]["model"] == "A100-80GB" and got["gpu"]["count"] == 8
        assert got["autoscaling"]["max"] == pool["autoscaling"]["max"]

    again, writes = run(run_playbook, harness, tasks)
    assert again.changed == [] and writes == 0

    delete = [pool_task(harness, pool, state="absent", name="delete %s" % pool["name"]) for pool in pools]
    delete.append(zone_task(harness, harness.zone_spec, state="absent", name="delete zone"))
    run(run_playbook, harness, delete)
