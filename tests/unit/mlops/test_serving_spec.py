"""inference_service input checks and its rendered objects (pure: no I/O)."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.mlops import serving_render as render
from ansible_collections.aizone.platform.plugins.module_utils.mlops.serving_spec import validate_services


def raw(**over):
    base = {"name": "llm", "namespace": "inference", "pool": "a100-mig",
            "model": {"name": "llama-3.1-8b", "source": "meta-llama/Llama-3.1-8B-Instruct", "parameters_b": 8},
            "resources": {"cpu": "4", "memory": "32Gi", "mig_profile": "3g.40gb"},
            "autoscaling": {"min": 2, "max": 6}}
    base.update(over)
    return base


@pytest.mark.parametrize("over,field", [
    ({"name": "Bad_Name"}, "services[0].name"),
    ({"runtime": "tgi"}, "services[0].runtime"),
    ({"pool": None}, "services[0].pool"),
    ({"model": {"name": "x y", "parameters_b": 8}}, "services[0].model.name"),
    ({"model": {"name": "m"}}, "services[0].model.parameters_b"),
    ({"model": {"name": "m", "parameters_b": -1}}, "services[0].model.parameters_b"),
    ({"model": {"name": "m", "parameters_b": 8, "dtype": "fp4"}}, "services[0].model.dtype"),
    ({"model": {"name": "m", "parameters_b": 8, "quantization": "int3"}}, "services[0].model.quantization"),
    ({"model": {"name": "m", "parameters_b": 8, "context_length": 10}}, "services[0].model.context_length"),
    ({"runtime": "triton", "model": {"name": "m", "parameters_b": 1}}, "services[0].model.source"),
    ({"resources": {"gpus": 0}}, "services[0].resources.gpus"),
    ({"resources": {"gpus": 4}, "tensor_parallel_size": 2}, "services[0].tensor_parallel_size"),
    ({"tensor_parallel_size": 2}, "services[0].tensor_parallel_size"),
    ({"resources": {"mig_profile": "3g.40gb", "gpus": 2}}, "services[0].resources.gpus"),
    ({"resources": {"mig_profile": "5g.50gb"}}, "services[0].resources.mig_profile"),
    ({"gpu_memory_utilization": 1.5}, "services[0].gpu_memory_utilization"),
    ({"autoscaling": {"min": 3, "max": 2}}, "services[0].autoscaling.max"),
    ({"autoscaling": {"max": 2, "metric": "cpu"}, "resources": {"gpus": 1}}, "services[0].autoscaling"),
    ({"autoscaling": {"max": 2, "prometheus_url": "prom:9090"}}, "services[0].autoscaling.prometheus_url"),
    ({"cache": {"claim": "models", "mount_path": "models"}}, "services[0].cache.mount_path"),
    ({"shm_size": "lots"}, "services[0].shm_size"),
    ({"replicas": 0}, "services[0].replicas"),
    ({"colour": "red"}, "services[0].colour"),
])
def test_bad_input_names_the_option(over, field):
    with pytest.raises(ValidationError) as err:
        validate_services([raw(**over)])
    assert err.value.field == field, err.value.msg


def test_the_same_service_twice_is_refused():
    with pytest.raises(ValidationError) as err:
        validate_services([raw(), raw()])
    assert err.value.field == "services[1].name" and "also services[0]" in err.value.msg


def rendered(**over):
    spec = validate_services([raw(**over)])[0]
    spec["placement"] = ({"aizone.io/node-pool": "a100-mig"}, [{"key": "nvidia.com/gpu", "operator": "Equal",
                                                                "value": "present", "effect": "NoSchedule"}])
    desired, absent = render.objects(spec, 14.9, keda_served=True)
    return spec, dict((o["kind"], o) for o in desired), absent


def test_vllm_deployment_runs_its_server_on_the_slice():
    spec, objs, absent = rendered()
    pod = objs["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == "vllm/vllm-openai:v0.33.0" and container["command"] == ["vllm", "serve"]
    assert container["args"][:4] == ["meta-llama/Llama-3.1-8B-Instruct", "--served-model-name", "llama-3.1-8b",
                                     "--host"]
    assert "--max-model-len" in container["args"] and "--tensor-parallel-size" in container["args"]
    assert container["resources"]["limits"]["nvidia.com/mig-3g.40gb"] == "1"
    assert container["readinessProbe"]["httpGet"]["path"] == "/v1/models"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    # 1.5 x (60 s + 14.9 GiB / 0.25 GiB/s) = 180 s: 18 periods of 10 s
    assert container["startupProbe"]["failureThreshold"] == 18
    assert {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "2Gi"}} in pod["volumes"]
    assert pod["nodeSelector"] == {"aizone.io/node-pool": "a100-mig"} and pod["tolerations"][0]["key"] == "nvidia.com/gpu"
    assert "replicas" not in objs["Deployment"]["spec"]   # the ScaledObject owns it
    assert [r["kind"] for r in absent] == ["HorizontalPodAutoscaler"]


def test_scaled_object_reads_this_models_queue_only():
    _spec, objs, _absent = rendered()
    trigger = objs["ScaledObject"]["spec"]["triggers"][0]
    assert trigger["metadata"]["query"] == \
        'sum(vllm:num_requests_waiting{model_name="llama-3.1-8b",namespace="inference"})'
    assert trigger["metadata"]["threshold"] == "5"
    assert objs["ScaledObject"]["spec"]["minReplicaCount"] == 2 and objs["ScaledObject"]["spec"]["maxReplicaCount"] == 6


def test_triton_loads_its_one_model_and_scales_on_queue_time():
    _spec, objs, _absent = rendered(runtime="triton", model={"name": "resnet50", "source": "s3://models/repo",
                                                             "parameters_b": 0.0256, "dtype": "float32"},
                                    resources={"shared_gpu": True})
    container = objs["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["tritonserver"] and "--load-model=resnet50" in container["args"]
    assert "--model-repository=s3://models/repo" in container["args"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/v2/health/ready"
    assert [p["containerPort"] for p in container["ports"]] == [8000, 8001, 8002]
    query = objs["ScaledObject"]["spec"]["triggers"][0]["metadata"]["query"]
    assert 'nv_inference_queue_duration_us{model="resnet50",namespace="inference"}' in query
    metrics_rule = objs["NetworkPolicy"]["spec"]["ingress"][1]
    assert metrics_rule["ports"] == [{"port": 8002, "protocol": "TCP"}]


def test_cpu_autoscaling_is_an_hpa_and_drops_the_scaled_object():
    _spec, objs, absent = rendered(autoscaling={"metric": "cpu", "max": 3}, resources={"cpu": "4", "gpus": 1})
    assert objs["HorizontalPodAutoscaler"]["spec"]["maxReplicas"] == 3 and "ScaledObject" not in objs
    assert [r["kind"] for r in absent] == ["ScaledObject"]


def test_a_new_model_or_version_changes_the_pod_template():
    _s, base, _a = rendered()
    _s, other, _a = rendered(version="v0.34.0")
    assert base["Deployment"]["spec"]["template"] != other["Deployment"]["spec"]["template"]
    _s, model, _a = rendered(model={"name": "qwen", "source": "Qwen/Qwen3-8B", "parameters_b": 8.2})
    assert model["Deployment"]["spec"]["template"]["metadata"]["annotations"]["aizone.io/model"] == \
        "vllm Qwen/Qwen3-8B 8.2B bfloat16"
