"""ray_cluster and dask_cluster on the live local control plane, with the real operators.

The kuberay and dask add-ons run KubeRay's ray-operator and the Dask operator
as processes next to the test zone (zone_addons). They make the pods the
cluster objects describe; the real scheduler places them on KWOK nodes of the
test's pools, and the real API server's quota and Pod Security admission
judge them.
"""

import time
import uuid

import pytest

from harness.addons import addon_task, play
from harness.kwok_pool import delete_nodes, make_pool

pytestmark = pytest.mark.controlplane

GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
RESTRICTED = {"pod-security.kubernetes.io/enforce": "restricted"}


@pytest.fixture
def env(controlplane, zone_addons):
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException
    core = client.CoreV1Api(controlplane.api_client())
    cpu, cpu_nodes, _taint = make_pool(core, "rd-cpu", count=2, gpus=0)
    gpu, gpu_nodes, _taint = make_pool(core, "rd-gpu", count=1, gpus=8, taints=[GPU_TAINT])
    ns = "rd-team-" + uuid.uuid4().hex[:5]
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns, labels=RESTRICTED)))
    core.create_namespaced_resource_quota(ns, client.V1ResourceQuota(
        metadata=client.V1ObjectMeta(name="gpus"), spec=client.V1ResourceQuotaSpec(hard={"requests.nvidia.com/gpu": "4"})))
    yield {"ns": ns, "cpu": cpu, "gpu": gpu, "cpu_nodes": cpu_nodes, "gpu_nodes": gpu_nodes, "core": core}
    try:
        core.delete_namespace(ns)
    except ApiException as exc:
        if exc.status != 404:
            raise
    delete_nodes(core, cpu_nodes + gpu_nodes)


def ray_task(task, kc, env, replicas=2, **kw):
    args = dict(kubeconfig=kc, name="rc", namespace=env["ns"], wait_timeout=90,
                head={"pool": env["cpu"], "cpu": "1", "memory": "2Gi"},
                worker_groups=[{"name": "gpu", "min_replicas": 0, "max_replicas": 4, "replicas": replicas, "gpus": 1,
                                "cpu": "2", "memory": "4Gi", "pool": env["gpu"]}])
    args.update(kw)
    return {"name": task, "aizone.platform.ray_cluster": args}


def dask_task(task, kc, env, **kw):
    args = dict(kubeconfig=kc, name="dc", namespace=env["ns"], wait_timeout=90,
                scheduler={"pool": env["cpu"], "cpu": "1", "memory": "1Gi"},
                worker={"replicas": 3, "cpu": "1", "memory": "2Gi", "pool": env["cpu"]})
    args.update(kw)
    return {"name": task, "aizone.platform.dask_cluster": args}


def pods(env, selector):
    return [p for p in env["core"].list_namespaced_pod(env["ns"], label_selector=selector).items
            if not p.metadata.deletion_timestamp]


def test_kuberay_makes_the_head_and_workers_on_their_pools_scales_replaces_and_deletes(controlplane, env, run_playbook):
    kc = controlplane.kubeconfig
    first = run_playbook(play(dict(ray_task("ray check", kc, env), check_mode=True), ray_task("ray", kc, env),
                              ray_task("ray again", kc, env)))
    assert first.rc == 0, first.output[-4000:]
    assert first.task("ray check")["cluster"]["action"] == "created"
    made = first.task("ray")
    assert made["cluster"]["action"] == "created" and made["cluster"]["running_pods"] == {"headgroup": 1, "gpu": 2}
    again = first.task("ray again")
    assert again["changed"] is False and set(again["api_requests"]) == {"GET"}, again["api_requests"]

    head = pods(env, "ray.io/cluster=rc,ray.io/node-type=head")
    workers = pods(env, "ray.io/cluster=rc,ray.io/node-type=worker")
    assert len(head) == 1 and head[0].spec.node_name in env["cpu_nodes"] and head[0].status.phase == "Running"
    assert len(workers) == 2 and all(p.spec.node_name in env["gpu_nodes"] and p.status.phase == "Running"
                                     for p in workers)
    assert workers[0].spec.containers[0].resources.requests["nvidia.com/gpu"] == "1"
    svc = env["core"].read_namespaced_service("rc-head-svc", env["ns"])
    assert {p.port for p in svc.spec.ports} >= {6379, 8265, 10001}

    second = run_playbook(play(dict(ray_task("scale check", kc, env, replicas=4), check_mode=True),
                               ray_task("scale", kc, env, replicas=4),
                               dict(ray_task("image check", kc, env, replicas=4, image="rayproject/ray:2.40.0"),
                                    check_mode=True),
                               ray_task("image", kc, env, replicas=4, image="rayproject/ray:2.40.0")))
    assert second.rc == 0, second.output[-4000:]
    assert second.task("scale check")["cluster"]["action"] == "updated"
    assert second.task("scale")["cluster"] == dict(name="rc", namespace=env["ns"], action="updated",
                                                   running_pods={"headgroup": 1, "gpu": 4})
    # a pod spec change: neither operator changes existing pods, so the cluster is replaced
    assert second.task("image check")["cluster"]["action"] == "replaced"
    assert second.task("image")["cluster"]["action"] == "replaced"
    new_head = pods(env, "ray.io/cluster=rc,ray.io/node-type=head")
    assert len(new_head) == 1 and new_head[0].metadata.uid != head[0].metadata.uid
    assert new_head[0].spec.containers[0].image == "rayproject/ray:2.40.0"
    assert len(pods(env, "ray.io/cluster=rc,ray.io/node-type=worker")) == 4

    gone = run_playbook(play(ray_task("gone", kc, env, state="absent"), ray_task("gone again", kc, env, state="absent")))
    assert gone.rc == 0, gone.output[-4000:]
    assert gone.task("gone")["cluster"]["action"] == "deleted"
    assert gone.task("gone again")["changed"] is False
    assert env["core"].list_namespaced_pod(env["ns"], label_selector="ray.io/cluster=rc").items == []


def test_dask_operator_makes_the_scheduler_and_workers(controlplane, env, run_playbook):
    from kubernetes import client
    kc = controlplane.kubeconfig
    first = run_playbook(play(dask_task("dask", kc, env), dask_task("dask again", kc, env)))
    assert first.rc == 0, first.output[-4000:]
    assert first.task("dask")["cluster"]["running_pods"] == {"scheduler": 1, "worker": 3}
    again = first.task("dask again")
    assert again["changed"] is False and set(again["api_requests"]) == {"GET"}, again["api_requests"]
    apps = client.AppsV1Api(controlplane.api_client())
    assert apps.read_namespaced_deployment("dc-scheduler", env["ns"]).status.ready_replicas == 1
    assert env["core"].read_namespaced_service("dc-scheduler", env["ns"]).spec.selector["dask.org/component"] == \
        "scheduler"
    workers = pods(env, "dask.org/cluster-name=dc,dask.org/component=worker")
    assert len(workers) == 3 and all(p.status.phase == "Running" and p.spec.node_name in env["cpu_nodes"]
                                     for p in workers)
    gone = run_playbook(play(dask_task("gone", kc, env, state="absent")))
    assert gone.rc == 0 and gone.task("gone")["cluster"]["action"] == "deleted", gone.output[-3000:]
    assert env["core"].list_namespaced_pod(env["ns"], label_selector="dask.org/cluster-name=dc").items == []


def test_waits_fail_in_bounded_time_naming_the_quota_the_scheduler_or_the_operator(controlplane, env, run_playbook):
    kc = controlplane.kubeconfig
    too_many = [{"name": "big", "replicas": 1, "gpus": 5, "pool": env["gpu"]}]
    no_fit = [{"name": "huge", "replicas": 1, "cpu": "64", "memory": "1Gi", "pool": env["gpu"]}]
    start = time.monotonic()
    quota = run_playbook(play(ray_task("quota", kc, env, name="rq", worker_groups=too_many)))
    took = time.monotonic() - start
    res = quota.task("quota")
    assert res["failed"] and "exceeded quota: gpus" in res["msg"] and "requests.nvidia.com/gpu=5" in res["msg"], res
    assert took < 45, took   # the quota refusal ends the wait at once, not after wait_timeout (90 s)

    unfit = run_playbook(play(ray_task("unfit", kc, env, name="ru", worker_groups=no_fit, wait_timeout=15)))
    res = unfit.task("unfit")
    assert res["failed"] and "1 pod Pending" in res["msg"] and "Insufficient cpu" in res["msg"], res

    controlplane.cp.processes.stop("dask")
    try:
        idle = run_playbook(play(dask_task("no operator", kc, env, name="dn", wait_timeout=6)))
        res = idle.task("no operator")
        assert res["failed"] and "the Dask operator has not reconciled it" in res["msg"], res
        assert "dask add-on running" in res["msg"]
    finally:
        back = run_playbook(play(addon_task(controlplane.name, [{"name": "dask"}])))
        assert back.rc == 0 and back.task("addons")["changed"] is True, back.output[-3000:]
    later = run_playbook(play(dask_task("operator back", kc, env, name="dn")))
    assert later.task("operator back")["cluster"]["running_pods"] == {"scheduler": 1, "worker": 3}
