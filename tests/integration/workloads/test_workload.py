"""workload / workload_info on the live local control plane, the real kube-scheduler placing pods.

A GPU pool of two KWOK nodes (2 x nvidia.com/gpu each, taint nvidia.com/gpu=present
plus a taint unique to the pool) is made by a fixture; the module must derive
the node selector and both tolerations from those nodes to land there.
"""

import uuid

import pytest

from harness.kwok_pool import delete_nodes, make_pool

pytestmark = pytest.mark.controlplane

RESOURCES = ("deployments", "statefulsets", "jobs", "services", "horizontalpodautoscalers")
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}


def writes(cp, before):
    delta = cp.delta(before, cp.request_counts(), writes_only=True)
    # DELETE is left out: the namespace controller deletes in other tests' namespaces meanwhile;
    # the module's own count (api_requests) covers every method
    return dict((k, v) for k, v in delta.items() if k[1] in RESOURCES and k[0] in ("APPLY", "PATCH", "POST"))


@pytest.fixture
def core(controlplane):
    from kubernetes import client
    return client.CoreV1Api(controlplane.api_client())


@pytest.fixture
def gpu_pool(core):
    pool, names, unique = make_pool(core, "wl-gpu", count=2, gpus=2, taints=[GPU_TAINT])
    yield pool, names, unique
    delete_nodes(core, names)


@pytest.fixture
def namespace(core):
    from kubernetes import client
    name = "wl-test-" + uuid.uuid4().hex[:6]
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    yield name
    core.delete_namespace(name)


def task(name, kubeconfig, workloads, module="workload", **opts):
    args = dict(kubeconfig=kubeconfig, workloads=workloads, wait_timeout=60)
    args.update(opts)
    return {"name": name, "aizone.platform." + module: args}


def play(*tasks):
    """One play of the given tasks; the playbook runs are the slow part here, so tests batch tasks."""
    return [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}]


def gpu_workload(ns, pool, **kw):
    spec = {"name": "trainer", "namespace": ns, "image": "ghcr.io/example/trainer:1", "replicas": 2,
            "resources": {"cpu": "1", "memory": "2Gi", "gpus": 1}, "pool": pool,
            "ports": [{"name": "http", "port": 8080}], "service": True}
    spec.update(kw)
    return spec


def test_gpu_workload_lands_on_its_pool_and_second_run_writes_nothing(controlplane, core, gpu_pool, namespace,
                                                                      run_playbook):
    pool, nodes, unique = gpu_pool
    kc = controlplane.kubeconfig
    first = run_playbook(play(task("converge", kc, [gpu_workload(namespace, pool)])))
    assert first.rc == 0, first.output
    res = first.task("converge")
    assert res["changed"] is True
    assert res["workloads"] == [{"name": "trainer", "namespace": namespace, "kind": "Deployment",
                                 "action": "created", "pool": pool, "state": "2/2 ready, 2 updated"}]

    pods = core.list_namespaced_pod(namespace, label_selector="aizone.io/workload=trainer").items
    assert len(pods) == 2
    for pod in pods:
        assert pod.status.phase == "Running"
        assert pod.spec.node_name in nodes
        assert pod.spec.node_selector == {"aizone.io/node-pool": pool}
        tolerated = set((t.key, t.effect) for t in pod.spec.tolerations)
        assert {("nvidia.com/gpu", "NoSchedule"), (unique, "NoSchedule")} <= tolerated
        assert pod.spec.containers[0].resources.limits == {"nvidia.com/gpu": "1"}

    before = controlplane.request_counts()
    info_task = {"name": "info", "aizone.platform.workload_info": {"kubeconfig": kc, "namespace": namespace}}
    second = run_playbook(play(task("converge", kc, [gpu_workload(namespace, pool)]), info_task))
    assert second.rc == 0, second.output
    assert second.task("converge")["changed"] is False
    assert second.task("converge")["objects"] == []    # only what changed is listed; the counts say the rest
    assert second.task("converge")["object_counts"] == {"created": 0, "deleted": 0, "unchanged": 2, "updated": 0}
    assert writes(controlplane, before) == {}
    assert set(second.task("converge")["api_requests"]) == {"GET"}

    [wl] = second.task("info")["workloads"]
    assert wl["ready"] is True and wl["pool"] == pool
    assert sorted(p["node_pool"] for p in wl["pods"]) == [pool, pool]
    assert all(p["phase"] == "Running" for p in wl["pods"])


def test_unplaceable_workloads_fail_with_the_reason(controlplane, core, gpu_pool, namespace, run_playbook):
    """More GPUs per pod than any node of the pool has, or a pool without nodes: refused before any write, with the
    pool's capacity or its name. Pods that each fit a node but not all at once: the scheduler's reason."""
    from kubernetes import client
    apps = client.AppsV1Api(controlplane.api_client())
    pool, _nodes, _unique = gpu_pool
    kc = controlplane.kubeconfig
    missing = "no-such-pool-" + uuid.uuid4().hex[:5]
    huge = gpu_workload(namespace, pool, name="huge", replicas=1,
                        resources={"cpu": "1", "gpus": 3}, service=None, ports=None)
    greedy = gpu_workload(namespace, pool, name="greedy", replicas=3,
                          resources={"cpu": "1", "gpus": 2}, service=None, ports=None)
    lost = gpu_workload(namespace, missing, name="lost")
    result = run_playbook(play(dict(task("huge", kc, [huge]), ignore_errors=True),
                               dict(task("greedy", kc, [greedy], wait_timeout=8), ignore_errors=True),
                               dict(task("lost", kc, [lost]), ignore_errors=True)))
    res = result.task("huge")
    assert res["failed"] is True and res["field"] == "workloads[0].resources", res
    assert "a pod asking cpu 1, nvidia.com/gpu 3 fits on no node of pool %r" % pool in res["msg"], res["msg"]
    assert "nvidia.com/gpu 2" in res["msg"], res["msg"]

    res = result.task("greedy")
    assert res["failed"] is True
    assert "Insufficient nvidia.com/gpu" in res["msg"], res["msg"]
    assert "Deployment %s/greedy" % namespace in res["msg"]
    assert any("Insufficient nvidia.com/gpu" in r for r in res["scheduler_reasons"])
    pending = res["not_ready"][0]["pending_pods"]
    assert pending and pending[0]["reason"] == "Unschedulable"

    res = result.task("lost")
    assert res["failed"] is True
    assert missing in res["msg"] and "has no nodes" in res["msg"]
    assert res["field"] == "workloads[0].pool"
    assert [d.metadata.name for d in apps.list_namespaced_deployment(namespace).items] == ["greedy"]


def test_check_mode_predicts_and_changes_nothing(controlplane, core, gpu_pool, namespace, run_playbook):
    from kubernetes import client
    apps = client.AppsV1Api(controlplane.api_client())
    pool, _nodes, _unique = gpu_pool
    kc = controlplane.kubeconfig
    spec = gpu_workload(namespace, pool, kind="StatefulSet", replicas=1)

    predicted = run_playbook(play(task("converge", kc, [spec])), check=True, diff=True)
    assert predicted.rc == 0, predicted.output
    res = predicted.task("converge")
    assert res["changed"] is True
    assert [(o["kind"], o["action"]) for o in res["objects"]] == [("StatefulSet", "created"), ("Service", "created")]
    assert res["diff"][0]["after"]["spec"]["template"]["spec"]["nodeSelector"] == {"aizone.io/node-pool": pool}
    assert apps.list_namespaced_stateful_set(namespace).items == []

    real = run_playbook(play(task("converge", kc, [spec])))
    assert real.rc == 0, real.output
    assert [(o["kind"], o["action"]) for o in real.task("converge")["objects"]] == \
        [("StatefulSet", "created"), ("Service", "created")]

    later = run_playbook(play(
        dict(task("scale", kc, [dict(spec, replicas=2)]), check_mode=True, diff=True),
        dict(task("same", kc, [spec]), check_mode=True),
        task("delete", kc, [{"name": "trainer", "namespace": namespace, "kind": "StatefulSet"}], state="absent")))
    assert later.rc == 0, later.output
    res = later.task("scale")
    assert res["changed"] is True
    assert [(o["kind"], o["action"]) for o in res["objects"]] == [("StatefulSet", "updated")]
    assert res["object_counts"]["unchanged"] == 1
    assert res["diff"][0]["before"]["spec"]["replicas"] == 1 and res["diff"][0]["after"]["spec"]["replicas"] == 2
    assert later.task("same")["changed"] is False
    gone = later.task("delete")
    assert gone["changed"] is True and gone["workloads"][0]["action"] == "deleted"
    assert sorted(o["kind"] for o in gone["objects"]) == ["Service", "StatefulSet"]
    assert apps.list_namespaced_stateful_set(namespace).items == []
