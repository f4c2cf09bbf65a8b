"""Model sizing against hand-computed figures (GiB = 2**30 bytes; 1 GiB runtime overhead per GPU process).

The zone of these tests, as its nodes publish it:
  a100-mig     A100 80GB (80 GiB), all 3g.40gb: 16 x nvidia.com/mig-3g.40gb (40 GiB, 36 usable at 0.9)
  a100-mixed   A100 80GB, 1g.10gb (10 GiB) and 2g.20gb (20 GiB) slices
  a100-shared  A100 40GB time-sliced by 3: 24 x nvidia.com/gpu of 40/3 = 13.33 GiB (12.0 usable)
  h100         8 x H100 80GB, 81559 MiB = 79.65 GiB (71.68 usable)
  cpu          no GPU
"""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.mlops import sizing
from ansible_collections.aizone.platform.plugins.module_utils.mlops.serving_spec import validate_service

GIB = 2 ** 30


def node(model, allocatable, count=8, replicas=None):
    labels = {"aizone.io/gpu-model": model, "nvidia.com/gpu.count": str(count)}
    if replicas:
        labels["nvidia.com/gpu.replicas"] = str(replicas)
    return {"metadata": {"labels": labels}, "status": {"allocatable": dict(allocatable, cpu="96")}}


ZONE = {
    "a100-mig": [node("A100-80GB", {"nvidia.com/mig-3g.40gb": "16"})],
    "a100-mixed": [node("A100-80GB", {"nvidia.com/mig-1g.10gb": "16", "nvidia.com/mig-2g.20gb": "8"})],
    "a100-shared": [node("A100-SXM4-40GB", {"nvidia.com/gpu": "24"}, replicas=3)],
    "h100": [node("H100-80GB", {"nvidia.com/gpu": "8"}), node("H100-80GB", {"nvidia.com/gpu": "6"})],
    "cpu": [{"metadata": {"labels": {}}, "status": {"allocatable": {"cpu": "16"}}}],
}
OFFERS = sizing.pool_offers(ZONE)


def service(pool, params_b, dtype="bfloat16", resources=None, **model):
    raw = {"name": "svc", "namespace": "inference", "pool": pool,
           "model": dict({"name": "m", "parameters_b": params_b, "dtype": dtype}, **model),
           "resources": resources or {"gpus": 1}}
    for key in ("tensor_parallel_size", "gpu_memory_utilization"):
        if key in model:
            raw[key] = raw["model"].pop(key)
    return validate_service(0, raw)


def fit(pool, params_b, **kw):
    return sizing.check_fit("services[0]", service(pool, params_b, **kw), OFFERS)


def refused(pool, params_b, **kw):
    with pytest.raises(ValidationError) as err:
        fit(pool, params_b, **kw)
    return err.value


MIG3 = {"mig_profile": "3g.40gb"}


def test_offers_read_from_the_nodes():
    assert OFFERS["a100-mig"]["nvidia.com/mig-3g.40gb"]["memory_gib"] == 40.0
    assert OFFERS["a100-mixed"]["nvidia.com/mig-2g.20gb"]["memory_gib"] == 20.0
    assert OFFERS["a100-shared"]["nvidia.com/gpu"]["kind"] == "shared"
    assert OFFERS["a100-shared"]["nvidia.com/gpu"]["memory_gib"] == pytest.approx(40 / 3.0)
    assert OFFERS["h100"]["nvidia.com/gpu"] == dict(gpu_model="H100-80GB", kind="gpu", profile=None, per_node=8,
                                                    replicas=1, memory_gib=81559 / 1024.0)
    assert OFFERS["cpu"] == {}


def test_8b_bf16_fits_3g_40gb():
    # weights 8e9 x 2 B = 14.901 GiB, KV 10% = 1.490, + 1 overhead = 17.391 <= 40 x 0.9 = 36.0
    report = fit("a100-mig", 8, resources=MIG3)
    assert report["weights_gib"] == pytest.approx(16e9 / GIB)
    assert report["per_device_gib"] == pytest.approx(16e9 / GIB * 1.1 + 1)
    assert report["usable_gib"] == pytest.approx(36.0)


def test_70b_fp16_on_3g_40gb_is_refused_naming_the_smallest_pool_that_fits():
    # 140e9 B = 130.385 GiB + 13.039 KV = 143.424 GiB; 2 x H100 need 72.71 > 71.68, 4 x H100 need 36.86
    err = refused("a100-mig", 70, dtype="float16", resources=MIG3)
    assert err.field == "services[0].model"
    assert "model 'm' needs about 143.4 GiB (weights 130.4 GiB + KV cache 13.0 GiB" in err.msg
    assert "3g.40gb MIG slice of a A100-80GB (40.0 GiB), of which 36.0 GiB usable each" in err.msg
    assert "smallest that fits in the zone: pool 'h100', 4 x nvidia.com/gpu (H100-80GB GPU (79.6 GiB), " \
           "tensor_parallel_size 4)" in err.msg


def test_70b_fp16_fits_4_h100_with_tensor_parallel_4():
    report = fit("h100", 70, dtype="float16", resources={"gpus": 4})
    assert report["per_device_gib"] == pytest.approx(140e9 / GIB * 1.1 / 4 + 1)   # 36.856
    assert report["usable_gib"] == pytest.approx(81559 / 1024.0 * 0.9)            # 71.682


def test_70b_fp16_does_not_fit_2_h100():
    err = refused("h100", 70, dtype="float16", resources={"gpus": 2})
    assert "72.7 GiB per device with 2-way tensor parallelism" in err.msg and "tensor_parallel_size 4" in err.msg


def test_70b_awq_fits_one_h100_but_not_3g_40gb():
    # 70e9 x 0.5 B = 32.596 GiB + 3.260 KV + 1 = 36.856: <= 71.68 on an H100, > 36.0 on a 3g.40gb slice
    assert fit("h100", 70, quantization="awq")["per_device_gib"] == pytest.approx(35e9 / GIB * 1.1 + 1)
    assert "36.9 GiB per device" in refused("a100-mig", 70, quantization="awq", resources=MIG3).msg


def test_70b_fp8_is_just_too_big_for_one_h100():
    # 65.193 + 6.519 + 1 = 72.712 > 71.682
    refused("h100", 70, quantization="fp8")


def test_7b_int8_fits_2g_20gb():
    # 6.519 + 0.652 + 1 = 8.171 <= 18.0
    assert fit("a100-mixed", 7, quantization="int8", resources={"mig_profile": "2g.20gb"})["per_device_gib"] == \
        pytest.approx(7e9 / GIB * 1.1 + 1)


def test_8b_on_1g_10gb_is_refused_naming_2g_20gb():
    err = refused("a100-mixed", 8, resources={"mig_profile": "1g.10gb"})
    assert "usable each at gpu_memory_utilization 0.90" in err.msg
    assert "pool 'a100-mixed', 1 x nvidia.com/mig-2g.20gb (2g.20gb MIG slice of a A100-80GB (20.0 GiB))" in err.msg


def test_time_sliced_share_is_a_third_of_a_40gb_gpu():
    # 3B fp16: 5.588 + 0.559 + 1 = 7.147 <= 12.0; 7B fp16: 13.039 + 1.304 + 1 = 15.343 > 12.0
    assert fit("a100-shared", 3, dtype="float16")["usable_gib"] == pytest.approx(12.0)
    assert "A100-SXM4-40GB GPU shared by 3 (13.3 GiB)" in refused("a100-shared", 7, dtype="float16").msg


def test_explicit_kv_cache_reserve():
    # 14.901 + 20 + 1 = 35.901 <= 36.0; with 21 GiB: 36.901 > 36.0
    assert fit("a100-mig", 8, resources=MIG3, kv_cache_gib=20)["kv_basis"] == "kv_cache_gib"
    refused("a100-mig", 8, resources=MIG3, kv_cache_gib=21)


def test_kv_cache_from_the_architecture():
    # 2 x 32 layers x 8 KV heads x 128 x 2 B = 128 KiB a token; x 8192 tokens = 1 GiB exactly; fp8 halves it
    arch = {"layers": 32, "kv_heads": 8, "head_dim": 128}
    assert fit("a100-mig", 8, resources=MIG3, architecture=arch, context_length=8192)["kv_cache_gib"] == 1.0
    assert fit("a100-mig", 8, resources=MIG3, architecture=arch, context_length=8192,
               kv_cache_dtype="fp8")["kv_cache_gib"] == 0.5


def test_float32_weights_are_4_bytes():
    assert sizing.model_memory(service("h100", 1, dtype="float32")["model"])["weights_gib"] == pytest.approx(4e9 / GIB)


def test_gpu_memory_utilization_changes_the_fit():
    # usable 40 x 0.5 = 20 >= 17.39; 40 x 0.4 = 16 < 17.39
    fit("a100-mig", 8, resources=MIG3, gpu_memory_utilization=0.5)
    err = refused("a100-mig", 8, resources=MIG3, gpu_memory_utilization=0.4)
    assert "usable each at gpu_memory_utilization 0.40" in err.msg


def test_tensor_parallel_on_a_mig_slice_is_refused():
    err = refused("a100-mig", 8, resources={"mig_profile": "3g.40gb", "gpus": 1}, tensor_parallel_size=2)
    assert err.field == "services[0].tensor_parallel_size" and "a CUDA process sees one MIG device" in err.msg


def test_tensor_parallel_on_a_time_sliced_gpu_is_refused():
    # gpus: 2 asks two whole GPUs, but the pool's nvidia.com/gpu are time-sliced shares: known from its nodes
    err = refused("a100-shared", 8, resources={"gpus": 2})
    assert err.field == "services[0].tensor_parallel_size" and "time-sliced GPU" in err.msg


def test_tensor_parallel_above_the_gpus_of_a_node_is_refused():
    err = refused("h100", 400, resources={"gpus": 16})
    assert "16 exceeds the 8 GPUs per node of pool 'h100'" in err.msg


def test_a_device_the_pool_does_not_publish_is_refused():
    err = refused("h100", 8, resources=MIG3)
    assert err.field == "services[0].resources"
    assert "pool 'h100' offers no nvidia.com/mig-3g.40gb: its nodes publish nvidia.com/gpu: H100-80GB GPU" in err.msg
    assert "publish no GPU" in refused("cpu", 8).msg


def test_nothing_in_the_zone_fits_a_400b_fp32_model():
    assert refused("h100", 400, dtype="float32", resources={"gpus": 8}).msg.endswith("no pool of the zone can hold it")


def test_h200_holds_70b_fp16_on_two_gpus():
    offers = sizing.pool_offers({"h200": [node("H200-141GB", {"nvidia.com/gpu": "8"})]})
    spec = service("h200", 70, dtype="float16", resources={"gpus": 2})
    # 71.712 + 1 = 72.712 <= 143771 / 1024 x 0.9 = 126.36
    assert sizing.check_fit("s", spec, offers)["usable_gib"] == pytest.approx(143771 / 1024.0 * 0.9)
