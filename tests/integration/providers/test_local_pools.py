"""Node pools on a local zone: nodes that look like cloud nodes, and the real scheduler using them.

One playbook creates a zone of its own (so nothing else runs on its
scheduler) with a CPU, a memory, a GPU (tainted) and a spot T4 pool (tainted
as the user asked); the test then reads the nodes back and schedules pods.
"""

import time

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane
from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import quantities_equal

pytestmark = pytest.mark.controlplane

ZONE = "pools-local"
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
SPOT_TAINT = {"key": "spot", "value": "true", "effect": "NoSchedule"}
POOLS = [
    {"name": "cpu", "instance_type": "c5.4xlarge", "autoscaling": {"min": 1, "max": 3, "desired": 2},
     "labels": {"tier": "batch"}},
    {"name": "mem", "type": "memory-optimized", "instance_type": "r5.2xlarge", "autoscaling": {"desired": 1}},
    {"name": "gpu", "type": "gpu-optimized", "gpu": {"model": "H100-80GB", "count": 8},
     "autoscaling": {"min": 0, "max": 4, "desired": 2}, "labels": {"team": "ml"}, "taints": [GPU_TAINT],
     "disk_size_gb": 500},
    {"name": "spot-t4", "instance_type": "g4dn.xlarge", "capacity_type": "spot",
     "autoscaling": {"desired": 1}, "taints": [SPOT_TAINT]},
]
EXPECTED = {
    # pool: (count, type, instance type, cpu, memory, pods, gpus, product, gpu memory MiB, taints, capacity type)
    "cpu": (2, "cpu-optimized", "c5.4xlarge", "16", "32Gi", "234", None, None, None, [], "on-demand"),
    "mem": (1, "memory-optimized", "r5.2xlarge", "8", "64Gi", "58", None, None, None, [], "on-demand"),
    "gpu": (2, "gpu-optimized", "p5.48xlarge", "192", "2048Gi", "100", "8", "NVIDIA-H100-80GB-HBM3", "81559",
            [GPU_TAINT], "on-demand"),
    "spot-t4": (1, "gpu-optimized", "g4dn.xlarge", "4", "16Gi", "29", "1", "Tesla-T4", "15360", [SPOT_TAINT],
                "spot"),
}


@pytest.fixture(scope="module")
def zone(controlplane, run_playbook_module):
    plane = LocalControlPlane(ZONE, bin_dir=controlplane.bin_dir)
    plane.delete()
    common = {"provider": "local", "binaries_dir": controlplane.bin_dir}
    tasks = [{"name": "zone", "aizone.platform.zone": dict(common, name=ZONE, region="eu-local-1")}]
    for pool in POOLS:
        tasks.append({"name": pool["name"], "aizone.platform.node_pool": dict(common, zone=ZONE, **pool)})
    res = run_playbook_module([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}])
    assert res.rc == 0, res.output[-4000:]
    from kubernetes import client, config
    api = client.CoreV1Api(config.new_client_from_config(config_file=plane.kubeconfig_path))
    yield res, api
    plane.delete()


@pytest.fixture(scope="module")
def run_playbook_module(tmp_path_factory):
    """run_playbook for a module-scoped fixture (the conftest one is function-scoped)."""
    from harness import ansible as conftest
    tmp = tmp_path_factory.mktemp("pools")

    def run(plays):
        import json
        import os
        import subprocess
        import sys
        import yaml
        path = tmp / "playbook.yml"
        path.write_text(yaml.safe_dump(plays, sort_keys=False))
        inv = tmp / "inventory.ini"
        inv.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
        proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                               "-i", str(inv), str(path)], capture_output=True, text=True, check=False,
                              env=conftest.ansible_env(), cwd=conftest.ROOT)
        start = proc.stdout.find("{")
        data = json.loads(proc.stdout[start:]) if start >= 0 else {}
        return conftest.PlaybookResult(proc.returncode, proc.stdout + proc.stderr, data)
    return run


def _nodes(api, pool):
    return sorted(api.list_node(label_selector="aizone.io/node-pool=%s" % pool).items,
                  key=lambda n: n.metadata.name)


@pytest.mark.parametrize("pool", sorted(EXPECTED))
def test_nodes_carry_what_cloud_nodes_carry(zone, pool):
    res, api = zone
    count, ptype, itype, cpu, memory, pods, gpus, product, gmem, taints, capacity = EXPECTED[pool]
    assert res.task(pool)["node_pool"]["instance_type"] == itype
    nodes = _nodes(api, pool)
    assert [n.metadata.name for n in nodes] == ["%s-%d" % (pool, i) for i in range(count)]
    zones = set()
    for node in nodes:
        labels = node.metadata.labels
        assert labels["aizone.io/node-pool-type"] == ptype
        assert labels["node.kubernetes.io/instance-type"] == itype
        assert labels["topology.kubernetes.io/region"] == "eu-local-1"
        zones.add(labels["topology.kubernetes.io/zone"])
        assert labels["app.kubernetes.io/managed-by"] == "aizone.platform"
        assert labels["karpenter.sh/capacity-type"] == capacity
        assert labels["eks.amazonaws.com/capacityType"] == capacity.upper().replace("-", "_")
        assert node.metadata.annotations["kwok.x-k8s.io/node"] == "fake"
        for key, value in [p for p in POOLS if p["name"] == pool][0].get("labels", {}).items():
            assert labels[key] == value
        got_taints = [{"key": t.key, "value": t.value or "", "effect": t.effect} for t in node.spec.taints or []
                      if not t.key.startswith("node.kubernetes.io/")]
        assert got_taints == taints
        for field in ("capacity", "allocatable"):
            res_map = getattr(node.status, field)
            assert (res_map["cpu"], res_map["pods"]) == (cpu, pods)
            assert quantities_equal(res_map["memory"], memory)  # the API server writes 2048Gi as 2Ti
            assert res_map.get("nvidia.com/gpu") == gpus
        if gpus:
            assert labels["nvidia.com/gpu.product"] == product
            assert labels["nvidia.com/gpu.count"] == gpus
            assert labels["nvidia.com/gpu.memory"] == gmem
            assert labels["aizone.io/gpu-model"] in ("H100-80GB", "T4")
        else:
            assert not any(k.startswith("nvidia.com/") for k in labels)
    if count > 1:
        assert len(zones) == count  # spread over topology zones like a cloud node group
    assert quantities_equal(nodes[0].status.capacity["ephemeral-storage"], "500Gi" if pool == "gpu" else "100Gi")


def _pod(name, tolerate):
    from kubernetes import client
    tolerations = [client.V1Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")]
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name=name, labels={"app.kubernetes.io/managed-by": "aizone.platform"}),
        spec=client.V1PodSpec(
            containers=[client.V1Container(name="main", image="cuda",
                                           resources=client.V1ResourceRequirements(
                                               limits={"nvidia.com/gpu": "1"}))],
            tolerations=tolerations if tolerate else None))


def _wait_pod(api, name, done, timeout=60):
    end = time.time() + timeout
    while True:
        pod = api.read_namespaced_pod(name, "default")
        if done(pod) or time.time() > end:
            return pod
        time.sleep(0.5)


def test_scheduler_puts_gpu_pod_on_the_tainted_gpu_pool(zone):
    api = zone[1]
    api.create_namespaced_pod("default", _pod("wants-gpu", tolerate=True))
    api.create_namespaced_pod("default", _pod("wants-gpu-no-toleration", tolerate=False))
    pod = _wait_pod(api, "wants-gpu", lambda p: p.status.phase == "Running")
    assert pod.spec.node_name in ("gpu-0", "gpu-1")
    assert pod.status.phase == "Running"
    # without the toleration no node fits: the GPU nodes are tainted, the CPU nodes have no GPU
    stuck = _wait_pod(api, "wants-gpu-no-toleration",
                      lambda p: any(c.type == "PodScheduled" and c.reason == "Unschedulable"
                                    for c in p.status.conditions or []))
    assert stuck.spec.node_name is None
    reasons = [c for c in stuck.status.conditions if c.type == "PodScheduled"]
    assert reasons and reasons[0].reason == "Unschedulable"
    assert "untolerated taint" in reasons[0].message and "Insufficient nvidia.com/gpu" in reasons[0].message


def test_a_pool_whose_nodes_are_gone_or_changed_is_repaired_from_what_exists(zone, run_playbook_module):
    """A run stopped after a pool's record and before its nodes (here: the record stays, the nodes are deleted;
    a GPU node loses its taint and its user label) is finished by the next run, which sees the difference in
    the nodes themselves; the run after that is changed=0."""
    api = zone[1]
    for node in _nodes(api, "mem"):
        api.delete_node(node.metadata.name)
    api.patch_node("gpu-1", {"metadata": {"labels": {"team": None}}, "spec": {"taints": []}})
    common = {"provider": "local", "binaries_dir": LocalControlPlane(ZONE).bin_dir, "zone": ZONE}
    tasks = [{"name": p["name"], "aizone.platform.node_pool": dict(common, **p)}
             for p in POOLS if p["name"] in ("mem", "gpu")]
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    repaired, again = run_playbook_module(play), run_playbook_module(play)
    assert repaired.rc == 0 and again.rc == 0, (repaired.output + again.output)[-3000:]
    assert repaired.task("mem")["changed"] and repaired.task("mem")["node_pool"]["node_count"] == 1
    assert repaired.task("mem")["diff"]["before"]["autoscaling"]["desired"] == 0
    assert repaired.task("gpu")["changed"]
    gpu_1 = api.read_node("gpu-1")
    assert gpu_1.metadata.labels.get("team") == "ml"
    assert [t.key for t in gpu_1.spec.taints or [] if t.key == GPU_TAINT["key"]] == [GPU_TAINT["key"]]
    assert [n.metadata.name for n in _nodes(api, "mem")] == ["mem-0"]
    assert not again.task("mem")["changed"] and not again.task("gpu")["changed"]
