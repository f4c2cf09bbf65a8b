# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""inference_service input: one normalized spec per service, or ValidationError naming the option. No I/O.

Whether the model fits its pool is decided later from the pool's nodes
(sizing.check_fit), still before any write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.catalog.mlops import SERVING
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import validate_quantity
from ansible_collections.aizone.platform.plugins.module_utils.mlops.sizing import (
    DTYPE_BYTES, KV_CACHE_DTYPES, QUANTIZATION_BYTES)
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    check_choice, check_dns_label, check_dns_subdomain, check_int, check_keys, check_list, given)
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import validate_resources

RUNTIMES = tuple(sorted(SERVING))
STATES = ("present", "absent")
DTYPES = tuple(sorted(DTYPE_BYTES))
QUANTIZATIONS = ("none",) + tuple(sorted(QUANTIZATION_BYTES))
METRICS = ("queue", "cpu")
#: a served model name: what clients ask for and the metrics' model label (no quotes, spaces or braces)
MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")
MODEL_KEYS = ("name", "source", "parameters_b", "dtype", "quantization", "context_length", "kv_cache_gib",
              "kv_cache_dtype", "architecture", "load_seconds")
SERVICE_KEYS = ("name", "namespace", "state", "pool", "runtime", "version", "image", "model", "resources",
                "tensor_parallel_size", "gpu_memory_utilization", "replicas", "autoscaling", "cache", "shm_size",
                "priority_class", "extra_args", "hf_token_secret", "metrics_namespaces")
AUTOSCALING_KEYS = ("metric", "min", "max", "target", "target_cpu_utilization", "prometheus_url",
                    "polling_seconds", "cooldown_seconds")
DEFAULT_PROMETHEUS = "http://prometheus-operated.monitoring.svc:9090"


def _number(field, value, low, high=None):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(field, "%r is not a number" % (value,))
    if isinstance(value, bool) or number < low or (high is not None and number > high):
        raise ValidationError(field, "%r must be between %s and %s" % (value, low, high if high else "any"))
    return number


def _architecture(field, raw):
    if raw is None:
        return None
    check_keys(field, raw, ("layers", "kv_heads", "head_dim"))
    return dict((k, check_int("%s.%s" % (field, k), raw.get(k) if raw.get(k) is not None else 0, 1))
                for k in ("layers", "kv_heads", "head_dim"))


def _model(field, raw, runtime):
    check_keys(field, raw, MODEL_KEYS)
    name = raw.get("name")
    if not isinstance(name, str) or not MODEL_NAME.match(name):
        raise ValidationError(field + ".name", "%r is not a served model name (1-128 characters: letters, digits "
                              "and . _ : / -, starting with a letter or digit)" % (name,))
    if raw.get("parameters_b") is None:
        raise ValidationError(field + ".parameters_b", "is required: the model's parameters, in billions (8 for 8B)")
    if runtime == "triton" and not raw.get("source"):
        raise ValidationError(field + ".source", "is required with runtime triton: the model repository "
                              "(s3://bucket/path, gs://..., or a path under cache.mount_path)")
    quantization = check_choice(field + ".quantization", raw.get("quantization") or "none", QUANTIZATIONS)
    out = {"name": name, "source": str(raw.get("source") or name),
           "parameters_b": _number(field + ".parameters_b", raw["parameters_b"], 0.001, 10000),
           "dtype": check_choice(field + ".dtype", raw.get("dtype") or "bfloat16", DTYPES),
           "quantization": None if quantization == "none" else quantization,
           "context_length": check_int(field + ".context_length", given(raw.get("context_length"), 8192), 128, 10 ** 7),
           "kv_cache_dtype": check_choice(field + ".kv_cache_dtype", raw.get("kv_cache_dtype") or "auto",
                                          KV_CACHE_DTYPES),
           "architecture": _architecture(field + ".architecture", raw.get("architecture")),
           "kv_cache_gib": None, "load_seconds": None}
    if raw.get("kv_cache_gib") is not None:
        out["kv_cache_gib"] = _number(field + ".kv_cache_gib", raw["kv_cache_gib"], 0, 100000)
    if raw.get("load_seconds") is not None:
        out["load_seconds"] = check_int(field + ".load_seconds", raw["load_seconds"], 10, 86400)
    return out


def _gpus(field, raw, resources, runtime):
    """(tensor_parallel_size, resources) with the GPU count checked against the parallelism."""
    kind = "mig" if (raw.get("resources") or {}).get("mig_profile") else \
        "shared" if (raw.get("resources") or {}).get("shared_gpu") else "gpu"
    gpus = resources["gpus"]
    if gpus == 0 and runtime == "vllm":
        raise ValidationError(field + ".resources.gpus", "vLLM serves on GPUs: give gpus, mig_profile or shared_gpu")
    default = gpus if kind == "gpu" and gpus else 1
    size = check_int(field + ".tensor_parallel_size", given(raw.get("tensor_parallel_size"), default), 1, 64)
    if kind == "gpu" and gpus and size != gpus:
        raise ValidationError(field + ".tensor_parallel_size", "%d differs from resources.gpus %d: each tensor-"
                              "parallel rank holds one whole GPU" % (size, gpus))
    if kind != "gpu" and size > 1:
        raise ValidationError(field + ".tensor_parallel_size", "%d on a %s: a CUDA process sees one %s, so tensor "
                              "parallelism needs whole GPUs (resources.gpus: N on a pool of whole GPUs)" % (
                                  size, "MIG slice" if kind == "mig" else "time-sliced GPU",
                                  "MIG device" if kind == "mig" else "GPU"))
    if kind != "gpu" and gpus != 1:
        raise ValidationError(field + ".resources.gpus", "must be 1 with %s: one server process sees one device"
                              % ("mig_profile" if kind == "mig" else "shared_gpu"))
    return size


def _autoscaling(field, raw, runtime, resources):
    if raw is None:
        return None
    check_keys(field, raw, AUTOSCALING_KEYS)
    metric = check_choice(field + ".metric", raw.get("metric") or "queue", METRICS)
    low = check_int(field + ".min", raw.get("min") if raw.get("min") is not None else 1, 1)
    if raw.get("max") is None:
        raise ValidationError(field + ".max", "is required")
    high = check_int(field + ".max", raw["max"], 1, 1000)
    if high < low:
        raise ValidationError(field + ".max", "%d is below min %d" % (high, low))
    out = {"metric": metric, "min": low, "max": high}
    if metric == "cpu":
        if "cpu" not in resources["requests"]:
            raise ValidationError(field, "CPU utilisation is measured against the CPU request: set resources.cpu")
        out["target_cpu_utilization"] = check_int(field + ".target_cpu_utilization",
                                                  given(raw.get("target_cpu_utilization"), 70), 1, 1000)
        return out
    url = raw.get("prometheus_url") or DEFAULT_PROMETHEUS
    if not re.match(r"^https?://[^\s\"'{}]+$", str(url)):
        raise ValidationError(field + ".prometheus_url", "%r is not an http(s) URL" % (url,))
    out.update(target=_number(field + ".target", raw.get("target") or SERVING[runtime]["queue_target"], 0.001),
               prometheus_url=str(url),
               polling_seconds=check_int(field + ".polling_seconds", given(raw.get("polling_seconds"), 15), 1, 3600),
               cooldown_seconds=check_int(field + ".cooldown_seconds", given(raw.get("cooldown_seconds"), 300), 0, 86400))
    return out


def _cache(field, raw):
    if raw is None:
        return None
    check_keys(field, raw, ("claim", "read_only", "mount_path"))
    path = raw.get("mount_path") or "/models"
    if not str(path).startswith("/") or ".." in str(path):
        raise ValidationError(field + ".mount_path", "%r is not an absolute path" % (path,))
    return {"claim": check_dns_subdomain(field + ".claim", raw.get("claim")), "read_only": bool(raw.get("read_only")),
            "mount_path": str(path)}


def _secret_ref(field, raw):
    if raw is None:
        return None
    check_keys(field, raw, ("name", "key"))
    return {"name": check_dns_subdomain(field + ".name", raw.get("name")), "key": str(raw.get("key") or "token")}


def validate_service(index, raw):
    field = "services[%d]" % index
    check_keys(field, raw, SERVICE_KEYS)
    spec = {"field": field, "name": check_dns_label(field + ".name", raw.get("name"), start_letter=True),
            "namespace": check_dns_label(field + ".namespace", raw.get("namespace")),
            "state": check_choice(field + ".state", raw.get("state") or "present", STATES)}
    if spec["state"] == "absent":
        return spec
    runtime = check_choice(field + ".runtime", raw.get("runtime") or "vllm", RUNTIMES)
    version = str(raw.get("version") or SERVING[runtime]["version"])
    if not re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", version):
        raise ValidationError(field + ".version", "%r is not an image tag" % version)
    resources = validate_resources(field + ".resources", raw.get("resources") or {"gpus": 1})
    if raw.get("pool") is None:
        raise ValidationError(field + ".pool", "is required: the node pool the server runs on")
    spec.update(
        runtime=runtime, version=version, image=str(raw.get("image") or "%s:%s" % (SERVING[runtime]["image"], version)),
        pool=check_dns_label(field + ".pool", raw["pool"]),
        model=_model(field + ".model", raw.get("model") or {}, runtime),
        resources=resources, gpu_resource=resources["gpu_resource"],
        tensor_parallel_size=_gpus(field, raw, resources, runtime),
        gpu_memory_utilization=_number(field + ".gpu_memory_utilization", given(raw.get("gpu_memory_utilization"), 0.9),
                                       0.1, 0.99),
        replicas=check_int(field + ".replicas", raw.get("replicas") if raw.get("replicas") is not None else 1, 1, 1000),
        autoscaling=_autoscaling(field + ".autoscaling", raw.get("autoscaling"), runtime, resources),
        cache=_cache(field + ".cache", raw.get("cache")),
        priority_class=check_dns_subdomain(field + ".priority_class", raw["priority_class"])
        if raw.get("priority_class") else None,
        extra_args=[str(a) for a in raw.get("extra_args") or []],
        hf_token_secret=_secret_ref(field + ".hf_token_secret", raw.get("hf_token_secret")),
        metrics_namespaces=[check_dns_label("%s.metrics_namespaces[%d]" % (field, i), n)
                            for i, n in enumerate(["monitoring"] if raw.get("metrics_namespaces") is None
                                                  else raw["metrics_namespaces"])])
    default_shm = "%dGi" % (2 * spec["tensor_parallel_size"])
    spec["shm_size"] = validate_quantity(field + ".shm_size", raw.get("shm_size") or default_shm, allow_zero=False)
    return spec


def argument_spec():
    """The services option's Ansible argument spec (types; normalize above fills the defaults)."""
    model = dict(name=dict(type="str", required=True), source=dict(type="str"),
                 parameters_b=dict(type="float", required=True), dtype=dict(type="str", choices=list(DTYPES)),
                 quantization=dict(type="str", choices=list(QUANTIZATIONS)), context_length=dict(type="int"),
                 kv_cache_gib=dict(type="float"), kv_cache_dtype=dict(type="str", choices=list(KV_CACHE_DTYPES)),
                 architecture=dict(type="dict", options=dict(layers=dict(type="int", required=True),
                                                             kv_heads=dict(type="int", required=True),
                                                             head_dim=dict(type="int", required=True))),
                 load_seconds=dict(type="int"))
    resources = dict(cpu=dict(type="str"), memory=dict(type="str"), cpu_limit=dict(type="str"),
                     memory_limit=dict(type="str"), gpus=dict(type="int"), mig_profile=dict(type="str"),
                     shared_gpu=dict(type="bool"))
    autoscaling = dict(metric=dict(type="str", choices=list(METRICS)), min=dict(type="int"),
                       max=dict(type="int", required=True), target=dict(type="float"),
                       target_cpu_utilization=dict(type="int"), prometheus_url=dict(type="str"),
                       polling_seconds=dict(type="int"), cooldown_seconds=dict(type="int"))
    service = dict(
        name=dict(type="str", required=True), namespace=dict(type="str", required=True),
        state=dict(type="str", choices=list(STATES), default="present"), pool=dict(type="str"),
        runtime=dict(type="str", choices=list(RUNTIMES), default="vllm"), version=dict(type="str"),
        image=dict(type="str"), model=dict(type="dict", options=model), resources=dict(type="dict", options=resources),
        tensor_parallel_size=dict(type="int"), gpu_memory_utilization=dict(type="float"), replicas=dict(type="int"),
        autoscaling=dict(type="dict", options=autoscaling),
        cache=dict(type="dict", options=dict(claim=dict(type="str", required=True), read_only=dict(type="bool"),
                                             mount_path=dict(type="str"))),
        shm_size=dict(type="str"), priority_class=dict(type="str"), extra_args=dict(type="list", elements="str"),
        hf_token_secret=dict(type="dict", no_log=False, options=dict(name=dict(type="str", required=True),
                                                                     key=dict(type="str", no_log=False))),
        metrics_namespaces=dict(type="list", elements="str"))
    return dict(services=dict(type="list", elements="dict", required=True, options=service))


def validate_services(services):
    return check_list("services", services, validate_service, "inference service",
                      key=lambda spec: (spec["namespace"], spec["name"]))
