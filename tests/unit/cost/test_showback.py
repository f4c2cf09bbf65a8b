"""Showback against hand-computed cases: whole, time-sliced and MIG GPUs; exact reconciliation to the cent."""

from decimal import Decimal as D

from ansible_collections.aizone.platform.plugins.module_utils.catalog.prices import split, unit_prices
from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.cost.showback import owner, pod_requests, showback


def node(name, pool, itype, allocatable, **labels):
    base = {"aizone.io/node-pool": pool, "node.kubernetes.io/instance-type": itype,
            "topology.kubernetes.io/region": "us-east-1"}
    base.update(labels)
    return {"metadata": {"name": name, "labels": base}, "status": {"allocatable": allocatable}}


def pod(name, namespace, node_name, requests, phase="Running", owner_name=None):
    meta = {"name": name, "namespace": namespace, "labels": {}}
    if owner_name:
        meta["labels"]["pod-template-hash"] = "abc12"
        meta["ownerReferences"] = [{"kind": "ReplicaSet", "name": owner_name + "-abc12", "controller": True}]
    return {"metadata": meta, "spec": {"nodeName": node_name, "containers": [{"resources": {"requests": requests}}]},
            "status": {"phase": phase}}


P4D = node("p4d-0", "a100-shared", "p4d.24xlarge", {"cpu": "96", "memory": "1152Gi", "nvidia.com/gpu": "24"},
           **{"nvidia.com/gpu.replicas": "3"})
P4DE = node("p4de-0", "a100-mig", "p4de.24xlarge", {"cpu": "96", "memory": "1152Gi", "nvidia.com/mig-3g.40gb": "16"})


def _gpu_part(itype):
    entry = catalog.get("eks", itype)
    return split("aws", entry, {"p4d.24xlarge": D("21.958"), "p4de.24xlarge": D("27.447")}[itype])["gpu"]


def _by(rows, name):
    return [r for r in rows if r["name"] == name][0]


def test_unit_prices_come_from_one_family_pair():
    # c6i.xlarge (4 vCPU, 8 GiB) 0.17 and m6i.xlarge (4 vCPU, 16 GiB) 0.192: 0.022 for 8 GiB
    assert unit_prices("aws") == (D("0.037"), D("0.00275"))


def test_time_sliced_p4d_six_one_gpu_pods_pay_six_twentyfourths_of_the_gpu_part():
    pods = [pod("a%d" % i, "agentic", "p4d-0", {"nvidia.com/gpu": "1"}, owner_name="agent") for i in range(6)]
    result = showback("eks", [P4D], pods)
    gpu_part = _gpu_part("p4d.24xlarge")      # 21.958 - 96 x 0.037 - 1152 x 0.00275 = 15.238
    assert gpu_part == D("15.238")
    expected = gpu_part * 6 / 24              # 3.8095 an hour
    tenant = _by(result["tenants"], "agentic")
    assert D(str(tenant["hourly"])) == expected
    assert D(str(tenant["monthly"])) == (expected * 730).quantize(D("0.01"))
    pool = _by(result["pools"], "a100-shared")
    assert D(str(pool["idle_hourly"])) == D("21.958") - expected
    assert result["workloads"][0]["kind"] == "Deployment" and result["workloads"][0]["name"] == "agent"


def test_renamed_shared_gpus_are_priced_like_time_sliced_ones():
    renamed = node("p4d-1", "a100-shared", "p4d.24xlarge",
                   {"cpu": "96", "memory": "1152Gi", "nvidia.com/gpu.shared": "24"}, **{"nvidia.com/gpu.replicas": "3"})
    pods = [pod("r%d" % i, "agentic", "p4d-1", {"nvidia.com/gpu.shared": "1"}) for i in range(6)]
    tenant = _by(showback("eks", [renamed], pods)["tenants"], "agentic")
    assert D(str(tenant["hourly"])) == _gpu_part("p4d.24xlarge") * 6 / 24


def test_mig_all_3g_40gb_pods_pay_three_sevenths_each_and_the_seventh_slice_is_idle():
    pods = [pod("s%d" % i, "inference", "p4de-0", {"nvidia.com/mig-3g.40gb": "1"}) for i in range(4)]
    result = showback("eks", [P4DE], pods)
    per_gpu = _gpu_part("p4de.24xlarge") / 8  # (27.447 - 3.552 - 3.168) / 8 = 2.590875
    assert per_gpu == D("2.590875")
    # by compute slices: 3 of 7 of a GPU a slice (by memory slices it would be 4 of 8), plus no CPU or memory
    paid = D(str(_by(result["tenants"], "inference")["hourly"]))
    assert abs(paid - per_gpu * 4 * D(3) / 7) <= D("0.000001")
    # with all 16 slices taken, each GPU's 7th compute slice (1/7 of the GPU part) is still idle
    full = [pod("f%d" % i, "inference", "p4de-0", {"nvidia.com/mig-3g.40gb": "1"}) for i in range(16)]
    idle = D(str(_by(showback("eks", [P4DE], full)["pools"], "a100-mig")["idle_hourly"]))
    unusable = per_gpu * 8 / 7
    assert abs(idle - (unusable + D("3.552") + D("3.168"))) <= D("0.000001")


def test_parts_add_up_to_node_prices_to_the_cent():
    cpu = node("cpu-0", "cpu", "c5.4xlarge", {"cpu": "16", "memory": "32Gi"})
    pods = [pod("a", "t1", "cpu-0", {"cpu": "333m", "memory": "1111Mi"}),
            pod("b", "t2", "cpu-0", {"cpu": "1", "memory": "3Gi"}),
            pod("c", "t2", "p4d-0", {"nvidia.com/gpu": "1", "cpu": "7", "memory": "13Gi"}),
            pod("d", "t3", "p4de-0", {"nvidia.com/mig-3g.40gb": "3", "cpu": "3"}),
            pod("done", "t3", "p4de-0", {"cpu": "90"}, phase="Succeeded")]
    result = showback("eks", [cpu, P4D, P4DE], pods)
    total = sum(D(str(t["monthly"])) for t in result["tenants"]) + sum(D(str(p["idle_monthly"])) for p in result["pools"])
    nodes = sum((D(p) * 730).quantize(D("0.01")) for p in ("0.68", "21.958", "27.447"))
    assert total == nodes == D(str(result["total"]["monthly"]))
    hourly = sum(D(str(t["hourly"])) for t in result["tenants"]) + sum(D(str(p["idle_hourly"])) for p in result["pools"])
    assert hourly == D("0.68") + D("21.958") + D("27.447")
    assert _by(result["tenants"], "t3")["pods"] == 1          # the Succeeded pod holds nothing


def test_effective_requests_and_owner():
    p = {"metadata": {"name": "x", "namespace": "n"},
         "spec": {"containers": [{"resources": {"requests": {"cpu": "1"}}}, {"resources": {"requests": {"cpu": "500m"}}}],
                  "initContainers": [{"resources": {"requests": {"cpu": "2", "memory": "1Gi"}}}],
                  "overhead": {"cpu": "100m"}}}
    req = pod_requests(p)
    assert req["cpu"] == D("2.1") and req["memory"] == D(2 ** 30)
    assert owner(p) == ("Pod", "x")
