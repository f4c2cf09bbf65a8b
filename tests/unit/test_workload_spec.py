"""Workload, Ray and Dask specs: validation, placement, objects and rollout logic, without a server."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.compute import crds, spec as ray_dask
from ansible_collections.aizone.platform.plugins.module_utils.workloads import rollout
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.zones.placement import derive_placement, pool_selector
from ansible_collections.aizone.platform.plugins.module_utils.workloads.converge import converge
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import (
    validate_workload, validate_workloads, workload_objects)

GPU_NODE = {"metadata": {"name": "gpu-0", "labels": {"aizone.io/node-pool": "gpu"}},
            "spec": {"taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},
                                {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]}}
GPU_NODE_2 = {"metadata": {"name": "gpu-1", "labels": {"aizone.io/node-pool": "gpu"}},
              "spec": {"taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},
                                  {"key": "aizone.io/dedicated", "effect": "NoExecute"}]}}


def spec(**kw):
    base = {"name": "app", "namespace": "team", "image": "nginx:1.27"}
    base.update(kw)
    return validate_workload("workloads[0]", base)


def container(obj):
    return obj["spec"]["template"]["spec"]["containers"][0]


# -- resources ----------------------------------------------------------------------------------

def test_gpus_become_nvidia_gpu_with_request_equal_limit():
    res = container(workload_objects(spec(resources={"cpu": "2", "memory": "8Gi", "gpus": 2}))[0][0])["resources"]
    assert res["requests"] == {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "2"}
    assert res["limits"] == {"nvidia.com/gpu": "2"}


def test_mig_profile_and_shared_gpu_pick_their_resource_names():
    mig = container(workload_objects(spec(resources={"mig_profile": "3g.40gb"}))[0][0])["resources"]
    assert mig["requests"] == {"nvidia.com/mig-3g.40gb": "1"} == mig["limits"]
    shared = container(workload_objects(spec(resources={"shared_gpu": True, "gpus": 3}))[0][0])["resources"]
    assert shared["limits"] == {"nvidia.com/gpu.shared": "3"} == shared["requests"]


@pytest.mark.parametrize("resources, field, text", [
    ({"cpu": "two"}, "workloads[0].resources.cpu", "not a Kubernetes quantity"),
    ({"memory": "8GB"}, "workloads[0].resources.memory", "not a Kubernetes quantity"),
    ({"cpu": "2", "cpu_limit": "1"}, "workloads[0].resources.cpu_limit", "below the request"),
    ({"mig_profile": "3g.41gb"}, "workloads[0].resources.mig_profile", "3g.40gb"),
    ({"mig_profile": "1g.10gb", "gpus": 0}, "workloads[0].resources.gpus", "MIG slices"),
    ({"mig_profile": "1g.10gb", "shared_gpu": True}, "workloads[0].resources", "mutually exclusive"),
    ({"gpus": -1}, "workloads[0].resources.gpus", ">= 0"),
    ({"tpus": 1}, "workloads[0].resources.tpus", "allowed: cpu"),
])
def test_bad_resources_name_the_field(resources, field, text):
    with pytest.raises(ValidationError) as err:
        spec(resources=resources)
    assert err.value.field == field
    assert text in err.value.msg


@pytest.mark.parametrize("extra, field, text", [
    ({"kind": "DaemonSet"}, "workloads[0].kind", "Deployment, StatefulSet, Job"),
    ({"name": "1app"}, "workloads[0].name", "DNS-1035"),
    ({"image": ""}, "workloads[0].image", "required"),
    ({"pool": "GPU_Pool"}, "workloads[0].pool", "DNS-1123"),
    ({"completions": 3}, "workloads[0].completions", "kind Job only"),
    ({"service": True}, "workloads[0].service", "needs ports"),
    ({"autoscaling": {"max": 3}}, "workloads[0].autoscaling", "resources.cpu"),
    ({"autoscaling": {"min": 4, "max": 3}, "resources": {"cpu": "1"}}, "workloads[0].autoscaling.max", "below min"),
    ({"kind": "Job", "autoscaling": {"max": 3}, "resources": {"cpu": "1"}}, "workloads[0].autoscaling", "not Job"),
    ({"ports": [{"port": 70000}]}, "workloads[0].ports[0].port", "<= 65535"),
    ({"volumes": [{"claim": "data", "mount_path": "data"}]}, "workloads[0].volumes[0].mount_path", "absolute"),
    ({"env": {"BAD NAME": "x"}}, "workloads[0].env.BAD NAME", "environment variable"),
    ({"labels": {"aizone.io/workload": "x"}}, "workloads[0].labels.aizone.io/workload", "set by the module"),
])
def test_bad_spec_names_the_field(extra, field, text):
    with pytest.raises(ValidationError) as err:
        spec(**extra)
    assert err.value.field == field
    assert text in err.value.msg


def test_env_values_and_references():
    env = container(workload_objects(spec(env={"MODE": True, "N": 4, "TOKEN": {"secret": "hf", "key": "token"},
                                               "POD": {"field": "metadata.name"}}))[0][0])["env"]
    assert env == [{"name": "MODE", "value": "true"}, {"name": "N", "value": "4"},
                   {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf", "key": "token"}}},
                   {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    with pytest.raises(ValidationError) as err:
        spec(env={"TOKEN": {"secret": "hf"}})
    assert err.value.field == "workloads[0].env.TOKEN.key"


def test_duplicate_workloads_rejected():
    with pytest.raises(ValidationError) as err:
        validate_workloads([{"name": "a", "image": "x"}, {"name": "a", "image": "y"}])
    assert err.value.field == "workloads[1].name"


def test_bad_input_fails_before_any_api_call(tmp_path):
    params = {"kubeconfig": str(tmp_path / "missing"), "state": "present", "wait": True, "wait_timeout": 30,
              "workloads": [{"name": "app", "image": "nginx", "resources": {"gpus": 1, "mig_profile": "9g.1gb"}}]}
    with pytest.raises(ValidationError) as err:
        converge(params)
    assert err.value.field == "workloads[0].resources.mig_profile"


# -- placement ----------------------------------------------------------------------------------

def test_placement_derived_from_the_pool_nodes():
    selector, tolerations = derive_placement("gpu", [GPU_NODE, GPU_NODE_2])
    assert selector == {"aizone.io/node-pool": "gpu"}
    assert tolerations == [
        {"key": "aizone.io/dedicated", "effect": "NoExecute", "operator": "Exists"},
        {"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Equal", "value": "present"},
    ]


def test_pool_without_nodes_fails_naming_the_pool():
    with pytest.raises(ValidationError) as err:
        derive_placement("h100", [], field="workloads[3].pool")
    assert err.value.field == "workloads[3].pool"
    assert "'h100' has no nodes" in err.value.msg


def test_one_selector_for_every_pool():
    assert pool_selector(["b", "a", "b"]) == "aizone.io/node-pool in (a,b)"
    assert pool_selector(["a"]) == "aizone.io/node-pool=a"


def test_placement_lands_in_the_pod_spec():
    placement = derive_placement("gpu", [GPU_NODE])
    obj = workload_objects(spec(pool="gpu"), placement)[0][0]
    pod = obj["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"aizone.io/node-pool": "gpu"}
    assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Equal",
                                   "value": "present"}]
    assert obj["metadata"]["labels"]["aizone.io/node-pool"] == "gpu"


# -- objects ------------------------------------------------------------------------------------

def test_deployment_with_service_and_hpa():
    desired, absent = workload_objects(spec(ports=[{"port": 8000, "name": "http"}], service=True,
                                            resources={"cpu": "1"}, replicas=3, priority_class="training",
                                            autoscaling={"min": 2, "max": 5, "target_cpu_utilization": 70},
                                            volumes=[{"claim": "models", "mount_path": "/models", "read_only": True}]))
    deploy, svc, hpa = desired
    assert sorted(o["kind"] for o in absent) == ["Job", "StatefulSet"]  # a kind change leaves nothing behind
    assert "replicas" not in deploy["spec"]  # the autoscaler owns it
    assert deploy["spec"]["selector"] == {"matchLabels": {"aizone.io/workload": "app"}}
    pod = deploy["spec"]["template"]["spec"]
    assert pod["priorityClassName"] == "training"
    assert pod["volumes"] == [{"name": "models", "persistentVolumeClaim": {"claimName": "models"}}]
    assert pod["containers"][0]["volumeMounts"] == [{"name": "models", "mountPath": "/models", "readOnly": True}]
    assert svc["spec"]["ports"] == [{"name": "http", "port": 8000, "targetPort": 8000, "protocol": "TCP"}]
    assert svc["spec"]["type"] == "ClusterIP"
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["minReplicas"] == 2 and hpa["spec"]["maxReplicas"] == 5
    assert hpa["spec"]["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 70}


def test_dropped_service_and_hpa_are_deleted():
    desired, absent = workload_objects(spec(replicas=2))
    assert desired[0]["spec"]["replicas"] == 2
    assert sorted(o["kind"] for o in absent) == ["HorizontalPodAutoscaler", "Job", "Service", "StatefulSet"]


def test_statefulset_gets_headless_service_and_job_fields():
    desired, _absent = workload_objects(spec(kind="StatefulSet", ports=[8786], service=True))
    assert desired[0]["spec"]["serviceName"] == "app"
    assert desired[1]["spec"]["clusterIP"] == "None"
    job = workload_objects(spec(kind="Job", replicas=2, completions=4, backoff_limit=1))[0][0]
    assert job["apiVersion"] == "batch/v1"
    assert job["spec"]["parallelism"] == 2 and job["spec"]["completions"] == 4
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert "selector" not in job["spec"]


# -- rollout --------------------------------------------------------------------------------------

def deployment(replicas, ready, updated=None, generation=2, observed=2):
    updated = ready if updated is None else updated
    return {"kind": "Deployment", "metadata": {"generation": generation}, "spec": {"replicas": replicas},
            "status": {"observedGeneration": observed, "replicas": replicas, "updatedReplicas": updated,
                       "readyReplicas": ready, "availableReplicas": ready}}


def test_rollout_status():
    assert rollout.rollout_status(deployment(2, 2))[0] is True
    assert rollout.rollout_status(deployment(2, 1))[0] is False
    assert rollout.rollout_status(deployment(2, 2, observed=1))[0] is False
    job = {"kind": "Job", "spec": {"completions": 1},
           "status": {"conditions": [{"type": "Failed", "status": "True", "message": "BackoffLimitExceeded"}]}}
    done, failure, _text = rollout.rollout_status(job)
    assert not done and "BackoffLimitExceeded" in failure
    job["status"]["conditions"] = [{"type": "Complete", "status": "True"}]
    assert rollout.rollout_status(job)[0] is True


class FakeRest(object):
    def __init__(self, obj, pods, events=()):
        self.obj, self.pods, self.events = obj, pods, list(events)
        self.calls = []

    def get(self, path, query=None):
        self.calls.append(("GET", path, query))
        if path.endswith("/events"):
            return {"items": self.events}
        return dict(self.obj)

    def list_all(self, path, selector=None):
        self.calls.append(("LIST", path, selector))
        return self.events if path.endswith("/events") else self.pods


UNSCHEDULABLE = "0/5 nodes are available: 5 Insufficient nvidia.com/gpu."


def pending_pod(name, message=""):
    cond = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}
    if message:
        cond["message"] = message
    return {"metadata": {"name": name}, "status": {"phase": "Pending", "conditions": [cond]}}


def test_timeout_reports_the_scheduler_reason_from_the_pod_condition():
    rest = FakeRest(deployment(1, 0), [pending_pod("app-1", UNSCHEDULABLE)])
    with pytest.raises(rollout.RolloutError) as err:
        rollout.wait_rollouts(rest, [("Deployment", "team", "app")], 0.05, interval=0.01, sleep=lambda s: None)
    assert UNSCHEDULABLE in err.value.msg
    assert err.value.details["scheduler_reasons"] == [UNSCHEDULABLE]
    assert ("LIST", "/api/v1/namespaces/team/pods", "aizone.io/workload=app") in rest.calls


def test_timeout_falls_back_to_failed_scheduling_events():
    events = [{"reason": "FailedScheduling", "involvedObject": {"name": "app-1"}, "message": "old",
               "lastTimestamp": "2026-01-01T00:00:00Z"},
              {"reason": "FailedScheduling", "involvedObject": {"name": "app-1"}, "message": UNSCHEDULABLE,
               "lastTimestamp": "2026-01-01T00:01:00Z"}]
    rest = FakeRest(deployment(1, 0), [pending_pod("app-1")], events)
    with pytest.raises(rollout.RolloutError) as err:
        rollout.wait_rollouts(rest, [("Deployment", "team", "app")], 0.05, interval=0.01, sleep=lambda s: None)
    assert err.value.details["not_ready"][0]["pending_pods"][0]["message"] == UNSCHEDULABLE
    assert "old" not in err.value.msg


def test_autoscaled_workload_waits_for_the_minimum():
    rest = FakeRest(deployment(1, 1), [])
    with pytest.raises(rollout.RolloutError) as err:
        rollout.wait_rollouts(rest, [("Deployment", "team", "app")], 0.05, interval=0.01, sleep=lambda s: None,
                              min_replicas={("Deployment", "team", "app"): 2})
    assert "minimum of 2" in err.value.msg
    assert rollout.wait_rollouts(FakeRest(deployment(2, 2), []), [("Deployment", "team", "app")], 1,
                                 min_replicas={("Deployment", "team", "app"): 2})


# -- ray and dask -----------------------------------------------------------------------------------

def ray_params(**kw):
    base = {"name": "rc", "namespace": "training", "head": {"pool": "cpu"},
            "worker_groups": [{"name": "a100", "min_replicas": 0, "max_replicas": 4, "replicas": 1, "gpus": 1,
                               "pool": "gpu"}]}
    base.update(kw)
    return base


def test_ray_cluster_object():
    spec = ray_dask.validate_ray(ray_params())
    obj = ray_dask.ray_cluster_object(spec, {"gpu": derive_placement("gpu", [GPU_NODE]),
                                             "cpu": ({"aizone.io/node-pool": "cpu"}, [])})
    assert obj["apiVersion"] == "ray.io/v1" and obj["spec"]["enableInTreeAutoscaling"] is True
    group = obj["spec"]["workerGroupSpecs"][0]
    assert (group["minReplicas"], group["replicas"], group["maxReplicas"]) == (0, 1, 4)
    worker = group["template"]["spec"]
    assert worker["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert worker["nodeSelector"] == {"aizone.io/node-pool": "gpu"}
    head = obj["spec"]["headGroupSpec"]["template"]["spec"]
    assert head["nodeSelector"] == {"aizone.io/node-pool": "cpu"} and "tolerations" not in head
    assert ray_dask.pools_wanted(spec) == {"cpu": "head.pool", "gpu": "worker_groups[0].pool"}


@pytest.mark.parametrize("group, field", [
    ({"name": "g", "min_replicas": 3, "max_replicas": 2}, "worker_groups[0].max_replicas"),
    ({"name": "g", "min_replicas": 1, "max_replicas": 2, "replicas": 5}, "worker_groups[0].replicas"),
    ({"name": "g", "cpu": "lots"}, "worker_groups[0].cpu"),
])
def test_ray_bad_groups(group, field):
    with pytest.raises(ValidationError) as err:
        ray_dask.validate_ray(ray_params(worker_groups=[group]))
    assert err.value.field == field


def test_dask_cluster_object_with_gpu_workers():
    spec = ray_dask.validate_dask({"name": "etl", "namespace": "mlops", "worker": {"replicas": 3, "gpus": 1}})
    obj = ray_dask.dask_cluster_object(spec, {})
    assert obj["apiVersion"] == "kubernetes.dask.org/v1"
    assert obj["spec"]["worker"]["replicas"] == 3
    worker = obj["spec"]["worker"]["spec"]["containers"][0]
    assert worker["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert worker["args"][-2:] == ["--resources", "GPU=1"]
    assert obj["spec"]["scheduler"]["service"]["selector"]["dask.org/component"] == "scheduler"


def _structural(schema, path="schema"):
    """Every node of a structural schema has a type, or keeps unknown fields."""
    assert "type" in schema or schema.get("x-kubernetes-preserve-unknown-fields"), path
    for name, sub in (schema.get("properties") or {}).items():
        _structural(sub, "%s.%s" % (path, name))
    if "items" in schema:
        _structural(schema["items"], path + "[]")


@pytest.mark.parametrize("crd", [crds.raycluster_crd(), crds.daskcluster_crd()])
def test_crds_are_structural(crd):
    version = crd["spec"]["versions"][0]
    _structural(version["schema"]["openAPIV3Schema"])
    assert crd["metadata"]["name"] == "%s.%s" % (crd["spec"]["names"]["plural"], crd["spec"]["group"])
