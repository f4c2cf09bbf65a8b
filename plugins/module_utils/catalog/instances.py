# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookups over the instance catalog (catalog/instance_data.CATALOG).

Everything is keyed by provider name (local, eks, aks, gke); the catalog says
which cloud's instance types a provider uses, so callers never branch on the
provider. Lookups raise ValidationError naming the option they were given.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

from ansible_collections.aizone.platform.plugins.module_utils.catalog.instance_data import CATALOG
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError

GPU_MODELS = tuple(CATALOG["gpu_models"])
POOL_TYPE_OF_CATEGORY = {"gpu-optimized": "gpu-optimized", "memory-optimized": "memory-optimized",
                         "cpu-optimized": "cpu-optimized", "general": "cpu-optimized"}

_BY_CLOUD = {}
for _entry in CATALOG["instance_types"]:
    _BY_CLOUD.setdefault(_entry["cloud"], {})[_entry["type"]] = _entry


def cloud_of(provider):
    """The cloud whose instance types `provider` uses ('aws', 'azure', 'gcp')."""
    try:
        return CATALOG["clouds"][provider]
    except KeyError:
        raise ValidationError("provider", "no instance catalog for provider %r; allowed values: %s"
                              % (provider, ", ".join(sorted(CATALOG["clouds"]))))


def instance_types(provider):
    """{type name: entry} for the provider's cloud."""
    return _BY_CLOUD.get(cloud_of(provider), {})


def instance_types_of_cloud(cloud):
    """{type name: entry} of a cloud ('aws', 'azure', 'gcp')."""
    return _BY_CLOUD.get(cloud, {})


def get(provider, instance_type, field="instance_type"):
    """The catalog entry for instance_type on provider; unknown types fail with close matches."""
    types = instance_types(provider)
    entry = types.get(instance_type)
    if entry is not None:
        return entry
    close = difflib.get_close_matches(str(instance_type), list(types), n=5, cutoff=0.6)
    msg = "unknown instance type %r for provider %s" % (instance_type, provider)
    if close:
        msg += "; close matches: %s" % ", ".join(close)
    elsewhere = [c for c, t in sorted(_BY_CLOUD.items()) if instance_type in t]
    if elsewhere:
        msg += "; %r is in the %s catalog, not %s" % (instance_type, elsewhere[0], cloud_of(provider))
    raise ValidationError(field, msg, close_matches=close)


def gpu_model(model, field="gpu.model"):
    """The GPU model record ({'product', 'memory_mib'}) for a canonical key."""
    try:
        return CATALOG["gpu_models"][model]
    except KeyError:
        raise ValidationError(field, "unknown GPU model %r; allowed values: %s"
                              % (model, ", ".join(GPU_MODELS)))


def by_gpu(provider, model, count, field="gpu"):
    """The instance type giving `count` GPUs of `model` on provider.

    Among several fits the cheapest known on-demand price in the cloud's
    default region wins (unknown prices last), then the fewest vCPUs. A model
    the provider lacks, or a count it does not offer, fails naming what it
    does offer.
    """
    gpu_model(model, field + ".model")
    types = instance_types(provider)
    with_model = [e for e in types.values() if e["gpu_model"] == model]
    if not with_model:
        offered = sorted(set(e["gpu_model"] for e in types.values() if e["gpu_model"]))
        raise ValidationError(field + ".model", "provider %s has no instance type with GPU model %s; "
                              "GPU models on %s: %s" % (provider, model, provider, ", ".join(offered)))
    fits = [e for e in with_model if e["gpu_count"] == count]
    if not fits:
        counts = sorted(set(e["gpu_count"] for e in with_model))
        raise ValidationError(field + ".count", "provider %s has no instance type with %s x %s; "
                              "counts offered for %s: %s" % (provider, count, model, model,
                                                             ", ".join(str(c) for c in counts)))
    from ansible_collections.aizone.platform.plugins.module_utils.catalog.prices import default_hourly
    priced = [(default_hourly(e), e) for e in fits]
    priced.sort(key=lambda pe: (pe[0] is None, pe[0] or 0, pe[1]["vcpu"], pe[1]["type"]))
    return priced[0][1]


def matches(entry, want):
    """Whether a catalog entry can stand in for `want` (an entry, or its gpu_model, gpu_count, category, vcpu
    and memory_gib): the same GPUs, or for CPU types the same category with at least its vCPUs and memory."""
    if want.get("gpu_model"):
        return entry["gpu_model"] == want["gpu_model"] and entry["gpu_count"] == want["gpu_count"]
    return (not entry["gpu_model"] and entry["category"] == want["category"] and entry["vcpu"] >= want["vcpu"]
            and entry["memory_gib"] >= want["memory_gib"])


def equivalent_type(from_provider, instance_type, to_provider, field="instance_type"):
    """The instance type of to_provider standing in for instance_type of from_provider: itself on the same
    cloud, else the cheapest match (matches) at its default region's on-demand price, then the fewest vCPUs."""
    entry = get(from_provider, instance_type, field)
    if cloud_of(from_provider) == cloud_of(to_provider):
        return instance_type
    if entry["gpu_model"]:
        return by_gpu(to_provider, entry["gpu_model"], entry["gpu_count"], field)["type"]
    from ansible_collections.aizone.platform.plugins.module_utils.catalog.prices import default_hourly
    fits = [(default_hourly(e), e) for e in instance_types(to_provider).values() if matches(e, entry)]
    if not fits:
        raise ValidationError(field, "provider %s has no %s instance type with at least %s vCPUs and %s GiB (for %s)"
                              % (to_provider, entry["category"], entry["vcpu"], entry["memory_gib"], instance_type))
    fits.sort(key=lambda pe: (pe[0] is None, pe[0] or 0, pe[1]["vcpu"], pe[1]["type"]))
    return fits[0][1]["type"]


def equivalents(model, count):
    """{cloud: instance type} offering count x model on each cloud that has one."""
    out = {}
    for provider in ("eks", "aks", "gke"):
        try:
            out[cloud_of(provider)] = by_gpu(provider, model, count)["type"]
        except ValidationError:
            continue
    return out


def pool_type(entry):
    """The node pool type an instance type belongs to by default."""
    return POOL_TYPE_OF_CATEGORY[entry["category"]]


def gpu_of(entry):
    """The normalized pool 'gpu' value for a catalog entry, or None."""
    if not entry["gpu_model"]:
        return None
    return {"model": entry["gpu_model"], "count": entry["gpu_count"],
            "memory_gib": entry["gpu_memory_gib"]}


def gke_accelerators():
    """{GPU model: GKE accelerator type} for the models GKE offers."""
    return dict((model, entry["gke_accelerator"]) for model, entry in CATALOG["gpu_models"].items()
                if entry.get("gke_accelerator"))


def gpu_types(provider):
    """Sorted names of the provider's GPU instance types."""
    return sorted(t for t, e in instance_types(provider).items() if e["gpu_model"])
