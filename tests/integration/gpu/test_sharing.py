"""gpu_sharing on the local zone, with the real kube-scheduler deciding what fits.

The KWOK GPU nodes are created here by a small fixture with the labels the
local provider gives node pools (aizone.io/node-pool, aizone.io/gpu-model,
nvidia.com/gpu.count, ...), so these tests do not depend on node_pool. Each
test uses its own pool names, operator namespace and an extra taint, so other
tests on the shared control plane neither land on these nodes nor see them.
"""

import time
import uuid

import pytest

pytestmark = pytest.mark.controlplane

TAINT_KEY = "aizone.io/gpu-sharing-test"


@pytest.fixture
def gpu_nodes(controlplane):
    """make(pool, count) -> node names: KWOK nodes with 8 x A100 80GB each (p4de.24xlarge)."""
    from kubernetes import client
    core = client.CoreV1Api(controlplane.api_client())
    made = []

    def make(pool, count):
        names = []
        for i in range(count):
            name = "%s-%d" % (pool, i)
            capacity = {"cpu": "96", "memory": "1152Gi", "pods": "737", "nvidia.com/gpu": "8"}
            core.create_node(client.V1Node(
                metadata=client.V1ObjectMeta(
                    name=name, annotations={"kwok.x-k8s.io/node": "fake"},
                    labels={"aizone.io/node-pool": pool, "aizone.io/node-pool-type": "gpu-optimized",
                            "aizone.io/gpu-model": "A100-80GB", "node.kubernetes.io/instance-type": "p4de.24xlarge",
                            "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB", "nvidia.com/gpu.count": "8",
                            "nvidia.com/gpu.memory": "81920"}),
                spec=client.V1NodeSpec(taints=[
                    client.V1Taint(key="kwok.x-k8s.io/node", value="fake", effect="NoSchedule"),
                    client.V1Taint(key=TAINT_KEY, value=pool, effect="NoSchedule")]),
                status=client.V1NodeStatus(capacity=capacity, allocatable=dict(capacity))))
            made.append(name)
            names.append(name)
        return names

    yield make
    for name in made:
        core.delete_node(name)


@pytest.fixture
def namespace(controlplane):
    from kubernetes import client
    core = client.CoreV1Api(controlplane.api_client())
    name = "gs-test-" + uuid.uuid4().hex[:6]
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    yield name
    core.delete_namespace(name)


@pytest.fixture
def op_ns(controlplane):
    """A fresh operator namespace (the module creates it); deleted afterwards."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException
    name = "gs-op-" + uuid.uuid4().hex[:6]
    yield name
    try:
        client.CoreV1Api(controlplane.api_client()).delete_namespace(name)
    except ApiException as exc:
        if exc.status != 404:
            raise


def sharing_play(kubeconfig, pools, op_ns, name="share"):
    return [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": name, "aizone.platform.gpu_sharing": {
            "kubeconfig": kubeconfig, "operator_namespace": op_ns, "node_pools": pools}},
    ]}]


def run_sharing(run_playbook, controlplane, pools, op_ns, check=False, diff=False):
    res = run_playbook(sharing_play(controlplane.kubeconfig, pools, op_ns), check=check, diff=diff)
    assert res.rc == 0, res.output[-3000:]
    return res.task("share")


def node_capacity(controlplane, name):
    from kubernetes import client
    node = client.CoreV1Api(controlplane.api_client()).read_node(name)
    return dict((k, v) for k, v in node.status.capacity.items() if k.startswith("nvidia.com/")), node


def make_pods(controlplane, ns, pool, resource, per_pod, count):
    from kubernetes import client
    core = client.CoreV1Api(controlplane.api_client())
    for i in range(count):
        core.create_namespaced_pod(ns, client.V1Pod(
            metadata=client.V1ObjectMeta(name="gpu-%02d" % i, labels={"app": "gpu"}),
            spec=client.V1PodSpec(
                node_selector={"aizone.io/node-pool": pool},
                tolerations=[client.V1Toleration(operator="Exists", effect="NoSchedule")],
                containers=[client.V1Container(
                    name="c", image="cuda",
                    resources=client.V1ResourceRequirements(limits={resource: str(per_pod)},
                                                            requests={resource: str(per_pod)}))])))


def settle(controlplane, ns, running, pending, timeout=90):
    """Wait until `running` pods are Running and `pending` are Pending as Unschedulable."""
    from kubernetes import client
    core = client.CoreV1Api(controlplane.api_client())
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        pods = core.list_namespaced_pod(ns, label_selector="app=gpu").items
        run = [p for p in pods if p.status.phase == "Running"]
        unsched = [p for p in pods if p.status.phase == "Pending" and any(
            c.type == "PodScheduled" and c.status == "False" and c.reason == "Unschedulable"
            for c in (p.status.conditions or []))]
        state = (len(run), len(unsched), len(pods))
        if state == (running, pending, running + pending):
            return run, unsched
        time.sleep(0.5)
    raise AssertionError("pods did not settle: (running, unschedulable, total) = %s, wanted %s"
                         % (state, (running, pending, running + pending)))


def test_time_slicing_replicas_3_runs_24_pods_on_8_gpus(controlplane, run_playbook, gpu_nodes, op_ns, namespace):
    pool = "gs-ts-" + uuid.uuid4().hex[:5]
    (node,) = gpu_nodes(pool, 1)
    pools = [{"name": pool, "mode": "time_slicing", "time_slicing": {"replicas": 3}}]
    result = run_sharing(run_playbook, controlplane, pools, op_ns)
    assert result["changed"] is True
    assert result["node_pools"][0]["resources"] == {"nvidia.com/gpu": 24}
    capacity, obj = node_capacity(controlplane, node)
    assert capacity == {"nvidia.com/gpu": "24"}
    assert obj.status.allocatable["nvidia.com/gpu"] == "24"
    assert obj.metadata.labels["nvidia.com/gpu.replicas"] == "3"
    assert obj.metadata.labels["nvidia.com/gpu.product"] == "NVIDIA-A100-SXM4-80GB-SHARED"
    assert obj.metadata.labels["nvidia.com/device-plugin.config"] == pool

    make_pods(controlplane, namespace, pool, "nvidia.com/gpu", 1, 25)
    running, pending = settle(controlplane, namespace, running=24, pending=1)
    assert {p.spec.node_name for p in running} == {node}
    assert "Insufficient nvidia.com/gpu" in pending[0].status.conditions[0].message


def test_mig_mixed_all_3g_on_two_nodes(controlplane, run_playbook, gpu_nodes, op_ns, namespace):
    pool = "gs-mig-" + uuid.uuid4().hex[:5]
    nodes = gpu_nodes(pool, 2)
    pools = [{"name": pool, "mode": "mig", "mig": {"strategy": "mixed", "layout": "all-3g.40gb"}}]
    result = run_sharing(run_playbook, controlplane, pools, op_ns)
    assert result["changed"] is True
    # 2 nodes x 8 GPUs x 2 instances of 3g.40gb; nvidia.com/gpu is gone (mixed strategy)
    assert result["node_pools"][0]["resources"] == {"nvidia.com/mig-3g.40gb": 32}
    for node in nodes:
        capacity, obj = node_capacity(controlplane, node)
        assert capacity == {"nvidia.com/mig-3g.40gb": "16"}
        assert obj.metadata.labels["nvidia.com/mig.config"] == pool
        assert obj.metadata.labels["nvidia.com/mig.config.state"] == "success"
    # 32 instances, pods asking 4 each: 8 run, the 9th cannot fit anywhere
    make_pods(controlplane, namespace, pool, "nvidia.com/mig-3g.40gb", 4, 9)
    running, pending = settle(controlplane, namespace, running=8, pending=1)
    assert {p.spec.node_name for p in running} == set(nodes)
    assert "Insufficient nvidia.com/mig-3g.40gb" in pending[0].status.conditions[0].message


def test_switch_time_slicing_to_mig_check_mode_then_idempotent(controlplane, run_playbook, gpu_nodes, op_ns):
    from kubernetes import client
    pool = "gs-sw-" + uuid.uuid4().hex[:5]
    (node,) = gpu_nodes(pool, 1)
    ts = [{"name": pool, "mode": "time_slicing", "time_slicing": {"replicas": 4, "rename": True}}]
    layout = {"3g.40gb": 1, "2g.20gb": 1, "1g.10gb": 2}
    mig = [{"name": pool, "mode": "mig", "mig": {"strategy": "mixed", "layout": layout}}]
    dcgm = {"dcgm_exporter": {"service_monitor": {"interval": "30s"}}}
    mig_capacity = {"nvidia.com/mig-3g.40gb": "8", "nvidia.com/mig-2g.20gb": "8", "nvidia.com/mig-1g.10gb": "16"}

    def task(name, pools, args=None, **keywords):
        module_args = dict({"kubeconfig": controlplane.kubeconfig, "operator_namespace": op_ns,
                            "node_pools": pools}, **(args or {}))
        return dict({"name": name, "aizone.platform.gpu_sharing": module_args}, **keywords)

    first = run_playbook([{"hosts": "localhost", "gather_facts": False, "tasks": [
        task("time-slicing", ts), task("predict", mig, dcgm, check_mode=True, diff=True)]}])
    assert first.rc == 0, first.output[-3000:]
    assert first.task("time-slicing")["changed"] is True
    assert first.task("time-slicing")["node_pools"][0]["resources"] == {"nvidia.com/gpu.shared": 32}
    predicted = first.task("predict")
    assert predicted["changed"] is True
    assert predicted["node_pools"][0]["resources"] == dict((k, int(v)) for k, v in mig_capacity.items())
    assert node_capacity(controlplane, node)[0] == {"nvidia.com/gpu.shared": "32"}, "check mode wrote capacity"
    node_diff = [d for d in predicted["diff"] if d["before_header"] == "Node " + node][0]
    assert node_diff["before"]["capacity"] == {"nvidia.com/gpu.shared": "32"}
    assert node_diff["after"]["capacity"] == mig_capacity
    assert node_diff["after"]["labels"]["nvidia.com/mig.config"] == pool
    cm = client.CoreV1Api(controlplane.api_client()).read_namespaced_config_map(
        "aizone-device-plugin-config", op_ns)
    assert "timeSlicing" in cm.data[pool], "check mode wrote the device-plugin ConfigMap"

    second = run_playbook([{"hosts": "localhost", "gather_facts": False, "tasks": [
        task("mig", mig, dcgm),
        task("again-check", mig, check_mode=True), task("again", mig),
        {"name": "info", "aizone.platform.gpu_sharing_info": {
            "kubeconfig": controlplane.kubeconfig, "operator_namespace": op_ns, "node_pools": [pool]}}]}])
    assert second.rc == 0, second.output[-3000:]
    applied = second.task("mig")
    assert applied["changed"] is True
    actions = dict((o["kind"] + "/" + o["name"], o["action"]) for o in predicted["objects"])
    assert dict((o["kind"] + "/" + o["name"], o["action"]) for o in applied["objects"]) == actions
    assert actions["Node/" + node] == "updated" and actions["ConfigMap/aizone-device-plugin-config"] == "updated"
    assert applied["node_pools"][0]["resources"] == predicted["node_pools"][0]["resources"]
    placement = applied["node_pools"][0]["mig"]["placement"]
    assert [(p["profile"], p["start"]) for p in placement] == [
        ("2g.20gb", 0), ("1g.10gb", 2), ("1g.10gb", 3), ("3g.40gb", 4)]
    for name in ("again-check", "again"):
        res = second.task(name)
        assert res["changed"] is False, name
        assert res["objects"] == [] and res["object_counts"]["unchanged"] > 0, res["object_counts"]
        assert set(res["requests"]) == {"GET"}, res["requests"]
    assert set(applied["requests"]) == {"GET", "PATCH", "PUT"}   # PUT: the shared ConfigMaps, at their version
    capacity, obj = node_capacity(controlplane, node)
    assert capacity == mig_capacity
    assert "nvidia.com/gpu.shared" not in obj.status.allocatable

    (entry,) = second.task("info")["node_pools"]
    assert entry["mode"] == "mig" and entry["gpu_model"] == "A100-80GB"
    assert entry["mig"] == {"strategy": "mixed", "profiles": {"3g.40gb": 1, "2g.20gb": 1, "1g.10gb": 2}}
    assert entry["resources"] == {"nvidia.com/mig-3g.40gb": 8, "nvidia.com/mig-2g.20gb": 8,
                                  "nvidia.com/mig-1g.10gb": 16}
    policy = second.task("info")["cluster_policy"]
    assert policy["exists"] is True and policy["mig_strategy"] == "mixed"
    # set once, kept by the later tasks that do not mention it
    assert policy["dcgm_exporter"]["serviceMonitor"] == {"enabled": True, "interval": "30s"}
    assert policy["device_plugin_config"] == {"name": "aizone-device-plugin-config"}


def test_invalid_layout_fails_before_any_write(controlplane, run_playbook, gpu_nodes, op_ns):
    pool = "gs-bad-" + uuid.uuid4().hex[:5]
    gpu_nodes(pool, 1)
    res = run_playbook(sharing_play(controlplane.kubeconfig, [
        {"name": pool, "mode": "mig", "mig": {"strategy": "mixed", "layout": {"4g.40gb": 1, "3g.40gb": 1}}}], op_ns))
    assert res.rc != 0
    result = res.task("share")
    assert result["failed"] is True
    assert result["field"] == "node_pools[0].mig.layout"
    assert "cannot share one GPU on A100-80GB" in result["msg"]
    assert "allowed profiles on A100-80GB: 1g.10gb (max 7)" in result["msg"]
    from kubernetes import client
    core = client.CoreV1Api(controlplane.api_client())
    assert op_ns not in [n.metadata.name for n in core.list_namespace().items], "a namespace was written"
    assert "nvidia.com/device-plugin.config" not in core.read_node(pool + "-0").metadata.labels


def test_cluster_policy_crd_is_the_gpu_operators_own_and_validates_the_policy(
        controlplane, run_playbook, gpu_nodes, op_ns):
    from kubernetes import client
    from harness.addons import served_as_shipped, upstream_crds
    pool = "gs-crd-" + uuid.uuid4().hex[:5]
    gpu_nodes(pool, 1)
    run_sharing(run_playbook, controlplane, [{"name": pool, "mode": "time_slicing", "time_slicing": {"replicas": 2}}],
                op_ns)
    api = controlplane.api_client()
    live = api.sanitize_for_serialization(client.ApiextensionsV1Api(api).read_custom_resource_definition(
        "clusterpolicies.nvidia.com"))
    shipped = upstream_crds("gpu-operator")["clusterpolicies.nvidia.com"]
    assert served_as_shipped(live, shipped) == ""
    assert live["metadata"]["labels"]["aizone.io/addon"] == "gpu-operator"
    # the upstream schema accepted the ClusterPolicy this collection wrote (its defaults and owned fields)
    policy = client.CustomObjectsApi(api).get_cluster_custom_object("nvidia.com", "v1", "clusterpolicies",
                                                                    "cluster-policy")
    assert policy["spec"]["devicePlugin"]["config"]["name"]


def test_two_hosts_sharing_one_zone_lose_no_key_or_value(controlplane, gpu_nodes, op_ns):
    """Two hosts converge GPU sharing for different pools of one zone at the same moment, 50 times, each time
    with new values: both pools' keys of the shared device-plugin and mig-parted ConfigMaps hold the values of
    the last iteration every time (issue 20 measured 10 of 30 keys lost with one field manager and force)."""
    import threading

    import yaml

    from ansible_collections.aizone.platform.plugins.module_utils.gpu import render, sharing
    tag = uuid.uuid4().hex[:4]
    ts_pool, mig_pool = "cc-ts-" + tag, "cc-mig-" + tag
    gpu_nodes(ts_pool, 1)
    gpu_nodes(mig_pool, 1)
    layouts = ("all-1g.10gb", "all-2g.20gb", "all-3g.40gb")
    lost, errors = [], []

    def host(pools):
        try:
            sharing.converge({"kubeconfig": controlplane.kubeconfig, "operator_namespace": op_ns,
                              "operator_emulation": "auto", "node_pools": pools})
        except Exception as exc:    # noqa: BLE001 - reported below
            errors.append(exc)
    rest = controlplane.rest()
    for i in range(50):
        replicas, layout = 2 + i % 7, layouts[i % 3]
        hosts = [threading.Thread(target=host, args=(pools,)) for pools in (
            [{"name": ts_pool, "mode": "time_slicing", "time_slicing": {"replicas": replicas}}],
            [{"name": mig_pool, "mode": "mig", "mig": {"strategy": "single", "layout": layout}}])]
        for thread in hosts:
            thread.start()
        for thread in hosts:
            thread.join()
        dp = rest.get("/api/v1/namespaces/%s/configmaps/%s" % (op_ns, render.DEVICE_PLUGIN_CM))["data"]
        mig = yaml.safe_load(rest.get("/api/v1/namespaces/%s/configmaps/%s" % (op_ns, render.MIG_PARTED_CM))
                             ["data"][render.MIG_PARTED_KEY])["mig-configs"]
        if ts_pool not in dp or "replicas: %d" % replicas not in dp[ts_pool]:
            lost.append((i, "device-plugin", ts_pool))
        if mig_pool not in mig:
            lost.append((i, "mig-parted", mig_pool))
    assert errors == [] and lost == [], (errors[:3], lost)
