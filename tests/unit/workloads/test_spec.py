"""Workload specs: validation and the objects built from them, without a server."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.workloads.converge import converge
from ansible_collections.aizone.platform.plugins.module_utils.workloads.objects import workload_objects
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import validate_workload, validate_workloads


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
