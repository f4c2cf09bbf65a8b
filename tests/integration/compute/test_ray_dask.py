"""ray_cluster and dask_cluster on the live local control plane.

The CRDs are ours (installed when absent), so the API server really validates
the cluster objects; the operators are Deployments that KWOK runs on the test
pool's nodes (no container executes, so no Ray/Dask pod is made from the
cluster objects: that is what the tests can and do check).
"""

import uuid

import pytest

from harness.kwok_pool import delete_nodes, make_pool

pytestmark = pytest.mark.controlplane

GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
ROLES = ("aizone-kuberay-operator", "aizone-dask-kubernetes-operator")


@pytest.fixture
def env(controlplane):
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException
    api = controlplane.api_client()
    core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    pool, nodes, _unique = make_pool(core, "rd-gpu", count=2, gpus=2, taints=[GPU_TAINT])
    suffix = uuid.uuid4().hex[:5]
    names = {"ns": "rd-team-" + suffix, "ray_op": "rd-ray-op-" + suffix, "dask_op": "rd-dask-op-" + suffix}
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=names["ns"])))
    yield dict(names, pool=pool, nodes=nodes)
    for ns in names.values():
        try:
            core.delete_namespace(ns)
        except ApiException as exc:
            if exc.status != 404:
                raise
    for role in ROLES:
        for delete in (rbac.delete_cluster_role, rbac.delete_cluster_role_binding):
            try:
                delete(role)
            except ApiException as exc:
                if exc.status != 404:
                    raise
    delete_nodes(core, nodes)


def ray_task(name, kc, env, **kw):
    args = dict(kubeconfig=kc, name="rc", namespace=env["ns"], wait_timeout=60,
                head={"pool": env["pool"], "cpu": "1", "memory": "2Gi"},
                worker_groups=[{"name": "gpu", "min_replicas": 0, "max_replicas": 2, "replicas": 1, "gpus": 1,
                                "pool": env["pool"]}],
                operator={"namespace": env["ray_op"], "pool": env["pool"]})
    args.update(kw)
    return {"name": name, "aizone.platform.ray_cluster": args}


def dask_task(name, kc, env, **kw):
    args = dict(kubeconfig=kc, name="dc", namespace=env["ns"], wait_timeout=60,
                scheduler={"pool": env["pool"]}, worker={"replicas": 2, "gpus": 1, "pool": env["pool"]},
                operator={"namespace": env["dask_op"], "pool": env["pool"]})
    args.update(kw)
    return {"name": name, "aizone.platform.dask_cluster": args}


def play(*tasks):
    return [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}]


def test_ray_and_dask_clusters_converge_validate_and_go(controlplane, env, run_playbook):
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException
    api = controlplane.api_client()
    custom, core = client.CustomObjectsApi(api), client.CoreV1Api(api)
    kc = controlplane.kubeconfig

    first = run_playbook(play(dict(ray_task("ray check", kc, env), check_mode=True),
                              dict(dask_task("dask check", kc, env), check_mode=True),
                              ray_task("ray", kc, env), dask_task("dask", kc, env)))
    assert first.rc == 0, first.output
    for name in ("ray check", "dask check", "ray", "dask"):
        res = first.task(name)
        assert res["changed"] is True and res["cluster"]["action"] == "created", (name, res)
    assert first.task("ray")["crd"]["action"] in ("created", "unchanged")

    rc = custom.get_namespaced_custom_object("ray.io", "v1", env["ns"], "rayclusters", "rc")
    assert rc["spec"]["enableInTreeAutoscaling"] is True
    group = rc["spec"]["workerGroupSpecs"][0]
    assert (group["minReplicas"], group["replicas"], group["maxReplicas"]) == (0, 1, 2)
    worker_pod = group["template"]["spec"]
    assert worker_pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert worker_pod["nodeSelector"] == {"aizone.io/node-pool": env["pool"]}
    assert {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"} \
        in worker_pod["tolerations"]
    dc = custom.get_namespaced_custom_object("kubernetes.dask.org", "v1", env["ns"], "daskclusters", "dc")
    assert dc["spec"]["worker"]["replicas"] == 2

    for ns in (env["ray_op"], env["dask_op"]):
        pods = core.list_namespaced_pod(ns).items
        assert len(pods) == 1 and pods[0].status.phase == "Running" and pods[0].spec.node_name in env["nodes"]

    # the CRD schema is enforced by the API server
    bad = {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "bad"},
           "spec": {"headGroupSpec": {"template": {}},
                    "workerGroupSpecs": [{"groupName": "g", "minReplicas": 3, "maxReplicas": 1, "template": {}}]}}
    with pytest.raises(ApiException) as err:
        custom.create_namespaced_custom_object("ray.io", "v1", env["ns"], "rayclusters", bad)
    assert err.value.status == 422 and "minReplicas must not exceed maxReplicas" in err.value.body
    bad["spec"]["workerGroupSpecs"][0].update(minReplicas=0, replicas=-1)
    with pytest.raises(ApiException) as err:
        custom.create_namespaced_custom_object("ray.io", "v1", env["ns"], "rayclusters", bad)
    assert err.value.status == 422
    with pytest.raises(ApiException) as err:
        custom.create_namespaced_custom_object("kubernetes.dask.org", "v1", env["ns"], "daskclusters", {
            "apiVersion": "kubernetes.dask.org/v1", "kind": "DaskCluster", "metadata": {"name": "bad"},
            "spec": {"scheduler": {"spec": {}, "service": {}}}})
    assert err.value.status == 422 and "worker" in err.value.body

    bigger = [{"name": "gpu", "min_replicas": 0, "max_replicas": 4, "replicas": 1, "gpus": 1, "pool": env["pool"]}]
    second = run_playbook(play(ray_task("ray", kc, env), dask_task("dask", kc, env),
                               dict(ray_task("ray bigger", kc, env, worker_groups=bigger), check_mode=True),
                               ray_task("ray gone", kc, env, state="absent"),
                               dask_task("dask gone", kc, env, state="absent")))
    assert second.rc == 0, second.output
    for name in ("ray", "dask"):
        res = second.task(name)
        assert res["changed"] is False, res["objects"]
        assert set(res["api_requests"]) == {"GET"}, res["api_requests"]
    res = second.task("ray bigger")
    assert res["changed"] is True and res["cluster"]["action"] == "updated"
    for name in ("ray gone", "dask gone"):
        assert second.task(name)["cluster"]["action"] == "deleted"
    assert custom.list_namespaced_custom_object("ray.io", "v1", env["ns"], "rayclusters")["items"] == []
    assert custom.list_namespaced_custom_object("kubernetes.dask.org", "v1", env["ns"], "daskclusters")["items"] == []
