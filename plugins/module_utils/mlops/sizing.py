# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Will a model fit the GPU, MIG slice or shared GPU it is given? Pure: no I/O.

A model's memory (GiB, 2**30 bytes):
- weights: parameters x bytes per parameter - float32 4, float16 and bfloat16
  2, fp8 and int8 1, int4 (awq, gptq) 0.5; a quantization sets the bytes;
- KV cache reserve: `kv_cache_gib` when given; else, with the architecture
  (layers, kv_heads, head_dim), one sequence of the full context:
  2 (K and V) x layers x kv_heads x head_dim x KV bytes x context_length;
  else 10% of the weights. It is a floor: more concurrent sequences need more;
- per GPU process, RUNTIME_OVERHEAD_GIB for the CUDA context and activations.

What one device offers: the GPU model's memory (catalog, from the node's
aizone.io/gpu-model label); a MIG slice its memory slots' share of it (3g.40gb
on an A100 80GB: 4 of 8 slots, 40 GiB); a time-sliced GPU 1/replicas of it
(time-slicing isolates no memory: the other replicas' pods use the rest).
The runtime may use gpu_memory_utilization of it (vLLM's own limit; the same
headroom for Triton). With tensor parallelism T the weights and KV cache are
split over T devices, each also paying the overhead:

    (weights + kv) / T + overhead  <=  device memory x gpu_memory_utilization

T > 1 needs whole GPUs on one node: a CUDA process sees one MIG device
(vllm#7211), and time-sliced replicas are the same GPU.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.catalog import mig
from ansible_collections.aizone.platform.plugins.module_utils.catalog.instance_data import CATALOG
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    GPU_COUNT_LABEL, GPU_MODEL_LABEL, GPU_REPLICAS_LABEL, GPU_RESOURCE, SHARED_GPU_RESOURCE)

GIB = float(2 ** 30)
DTYPE_BYTES = {"float32": 4.0, "float16": 2.0, "bfloat16": 2.0}
QUANTIZATION_BYTES = {"fp8": 1.0, "int8": 1.0, "awq": 0.5, "gptq": 0.5}
KV_CACHE_DTYPES = ("auto", "fp8")
DEFAULT_KV_FRACTION = 0.10
RUNTIME_OVERHEAD_GIB = 1.0
TENSOR_PARALLEL_SIZES = (1, 2, 4, 8, 16)


def model_memory(model):
    """{weights_gib, kv_cache_gib, kv_basis, total_gib} of a normalized model spec."""
    per_param = QUANTIZATION_BYTES.get(model.get("quantization")) or DTYPE_BYTES[model["dtype"]]
    weights = model["parameters_b"] * 1e9 * per_param / GIB
    arch = model.get("architecture")
    if model.get("kv_cache_gib") is not None:
        kv, basis = float(model["kv_cache_gib"]), "kv_cache_gib"
    elif arch:
        kv_bytes = 1.0 if model.get("kv_cache_dtype") == "fp8" else DTYPE_BYTES[model["dtype"]]
        kv = 2 * arch["layers"] * arch["kv_heads"] * arch["head_dim"] * kv_bytes * model["context_length"] / GIB
        basis = "one sequence of %d tokens" % model["context_length"]
    else:
        kv, basis = weights * DEFAULT_KV_FRACTION, "10% of the weights"
    return {"weights_gib": weights, "kv_cache_gib": kv, "kv_basis": basis, "total_gib": weights + kv}


def per_device_need(memory, tensor_parallel):
    return memory["total_gib"] / tensor_parallel + RUNTIME_OVERHEAD_GIB


def _gpu_memory_gib(model_key):
    known = CATALOG["gpu_models"].get(model_key)
    return known["memory_mib"] / 1024.0 if known else None


def _mig_offer(model_key, resource):
    geometry = mig.MIG_MODELS.get(model_key)
    for name, profile in sorted((geometry or {}).get("profiles", {}).items()):
        if mig.resource_name(name) == resource:
            return name, _gpu_memory_gib(model_key) * profile["memory"] / geometry["memory"]
    return None, None


def node_offers(node):
    """{resource: offer} a node publishes; an offer is {gpu_model, kind (gpu, shared, mig), profile,
    memory_gib (one device), per_node (devices a pod may ask on this node), replicas}."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    model_key = labels.get(GPU_MODEL_LABEL)
    memory = _gpu_memory_gib(model_key)
    if memory is None:
        return {}
    replicas = max(int(labels.get(GPU_REPLICAS_LABEL) or 1), 1)
    physical = int(labels.get(GPU_COUNT_LABEL) or 0)
    out = {}
    for resource, value in allocatable.items():
        count = int(value) if str(value).isdigit() else 0
        if count <= 0:
            continue
        offer = {"gpu_model": model_key, "profile": None, "per_node": count, "replicas": replicas}
        if resource in (GPU_RESOURCE, SHARED_GPU_RESOURCE):
            shared = replicas > 1 or resource == SHARED_GPU_RESOURCE
            offer.update(kind="shared" if shared else "gpu", memory_gib=memory / replicas if shared else memory,
                         per_node=count if not shared else (physical or count // replicas or 1))
        elif resource.startswith("nvidia.com/mig-"):
            profile, slice_memory = _mig_offer(model_key, resource)
            if profile is None:
                continue
            offer.update(kind="mig", profile=profile, memory_gib=slice_memory)
        else:
            continue
        out[resource] = offer
    return out


def pool_offers(nodes_by_pool):
    """{pool: {resource: offer}}: per resource the largest count one node of the pool has."""
    out = {}
    for pool, nodes in nodes_by_pool.items():
        mine = out.setdefault(pool, {})
        for node in nodes:
            for resource, offer in node_offers(node).items():
                if resource not in mine or offer["per_node"] > mine[resource]["per_node"]:
                    mine[resource] = offer
    return out


def describe_offer(offer):
    what = {"gpu": "%s GPU" % offer["gpu_model"], "mig": "%s MIG slice of a %s" % (offer["profile"], offer["gpu_model"]),
            "shared": "%s GPU shared by %d" % (offer["gpu_model"], offer["replicas"])}[offer["kind"]]
    return "%s (%.1f GiB)" % (what, offer["memory_gib"])


def fits(memory, offer, tensor_parallel, utilization):
    return per_device_need(memory, tensor_parallel) <= offer["memory_gib"] * utilization + 1e-9


def smallest_fit(memory, offers_by_pool, utilization):
    """{pool, resource, offer, size (tensor parallel)} using the least GPU memory that holds the model, or None."""
    best = None
    for pool in sorted(offers_by_pool):
        for resource, offer in sorted(offers_by_pool[pool].items()):
            sizes = TENSOR_PARALLEL_SIZES if offer["kind"] == "gpu" else (1,)
            for size in sizes:
                if size > offer["per_node"] or not fits(memory, offer, size, utilization):
                    continue
                key = (offer["memory_gib"] * size, size, pool, resource)
                if best is None or key < best[0]:
                    best = (key, {"pool": pool, "resource": resource, "offer": offer, "size": size})
                break
    return best[1] if best else None


def _suggestion(memory, offers_by_pool, utilization):
    found = smallest_fit(memory, offers_by_pool, utilization)
    if found is None:
        return "no pool of the zone can hold it"
    size = found["size"]
    return "the smallest that fits in the zone: pool %r, %d x %s (%s%s)" % (
        found["pool"], size, found["resource"], describe_offer(found["offer"]),
        ", tensor_parallel_size %d" % size if size > 1 else "")


def check_fit(field, spec, offers_by_pool):
    """Raise ValidationError unless the service's model fits the devices it asks on its pool. Returns the sizing
    report: {weights_gib, kv_cache_gib, kv_basis, total_gib, per_device_gib, device, usable_gib}."""
    resource, tensor_parallel = spec["gpu_resource"], spec["tensor_parallel_size"]
    offers = offers_by_pool.get(spec["pool"]) or {}
    offer = offers.get(resource)
    if offer is None:
        published = ", ".join("%s: %s" % (r, describe_offer(o)) for r, o in sorted(offers.items())) or "no GPU"
        raise ValidationError(field + ".resources", "pool %r offers no %s: its nodes publish %s"
                              % (spec["pool"], resource, published))
    if tensor_parallel > 1 and offer["kind"] != "gpu":
        raise ValidationError(field + ".tensor_parallel_size", "%d on a %s: a CUDA process sees one %s, so tensor "
                              "parallelism needs whole GPUs (give gpus: N on a pool of whole GPUs)" % (
                                  tensor_parallel, "MIG slice" if offer["kind"] == "mig" else "time-sliced GPU",
                                  "MIG device" if offer["kind"] == "mig" else "GPU"))
    if tensor_parallel > offer["per_node"]:
        raise ValidationError(field + ".tensor_parallel_size", "%d exceeds the %d GPUs per node of pool %r: the "
                              "tensor-parallel ranks of one server share a node" % (
                                  tensor_parallel, offer["per_node"], spec["pool"]))
    memory = model_memory(spec["model"])
    utilization = spec["gpu_memory_utilization"]
    report = dict(memory, per_device_gib=per_device_need(memory, tensor_parallel), device=describe_offer(offer),
                  usable_gib=offer["memory_gib"] * utilization)
    if not fits(memory, offer, tensor_parallel, utilization):
        raise ValidationError(field + ".model", "model %r needs about %.1f GiB (weights %.1f GiB + KV cache %.1f GiB "
                              "(%s)), %.1f GiB per device with %d-way tensor parallelism and %.0f GiB runtime "
                              "overhead; pool %r gives %d x %s, of which %.1f GiB usable each at "
                              "gpu_memory_utilization %.2f; %s" % (
                                  spec["model"]["name"], memory["total_gib"], memory["weights_gib"],
                                  memory["kv_cache_gib"], memory["kv_basis"], report["per_device_gib"],
                                  tensor_parallel, RUNTIME_OVERHEAD_GIB, spec["pool"], tensor_parallel,
                                  describe_offer(offer), report["usable_gib"], utilization,
                                  _suggestion(memory, offers_by_pool, utilization)))
    return report
