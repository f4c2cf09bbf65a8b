# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cheapest equivalent of a pool across clouds: SkyPilot's optimizer, for node pools, from the catalog only.

Equivalent: the same GPU model and count per node (or, for a CPU pool, at
least the vCPUs and memory of the current type, within its category). Every
provider, region and capacity type the price data has is an offer; offers are
ranked by hourly price (unknown prices last, never taken as free). The current
choice, when given, is priced the same way, and each offer carries its
difference from it. No API call: it answers before anything exists.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.catalog.prices import node_price, offer, regions
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.money import MICRO, figure, monthly
from ansible_collections.aizone.platform.plugins.module_utils.names import given

CLOUD_PROVIDERS = ("eks", "aks", "gke")
CAPACITY_TYPES = ("on-demand", "spot")


def _offers(providers, capacity_types, want):
    out = []
    for provider in providers:
        cloud = catalog.cloud_of(provider)
        for entry in catalog.instance_types(provider).values():
            if not catalog.matches(entry, want):
                continue
            for region in regions(cloud, entry["type"]):
                for capacity in capacity_types:
                    price = offer(cloud, entry["type"], region, capacity)
                    if capacity == "spot" and price["hourly"] is None:
                        continue   # no spot snapshot: not an offer (on-demand already is)
                    out.append({"provider": provider, "cloud": cloud, "instance_type": entry["type"],
                                "region": region, "capacity_type": capacity, "vcpu": entry["vcpu"],
                                "memory_gib": entry["memory_gib"], "gpu_model": entry["gpu_model"],
                                "gpu_count": entry["gpu_count"], "hourly": price["hourly"],
                                "source": price["source"], "date": price["date"]})
    out.sort(key=lambda o: (o["hourly"] is None, o["hourly"] or 0, o["provider"], o["instance_type"],
                            o["region"] or "", o["capacity_type"]))
    return out


def _want(params):
    gpu = params.get("gpu") or {}
    current = params.get("current") or {}
    if current.get("instance_type"):
        catalog.get(current.get("provider") or "eks", current["instance_type"], "current.instance_type")
    if gpu.get("model"):
        catalog.gpu_model(gpu["model"], "gpu.model")
        count = given(gpu.get("count"), 1)
        if not isinstance(count, int) or count < 1:
            raise ValidationError("gpu.count", "must be a whole number of GPUs of at least 1, got %r" % (count,))
        counts = sorted(set(e["gpu_count"] for p in CLOUD_PROVIDERS for e in catalog.instance_types(p).values()
                            if e["gpu_model"] == gpu["model"]))
        if count not in counts:
            raise ValidationError("gpu.count", "no instance type of %s has %d x %s; allowed values: %s"
                                  % ("/".join(CLOUD_PROVIDERS), count, gpu["model"], ", ".join(map(str, counts))))
        return {"gpu_model": gpu["model"], "gpu_count": count}
    if current.get("instance_type"):
        entry = catalog.get(current.get("provider") or "eks", current["instance_type"], "current.instance_type")
        if entry["gpu_model"]:
            return {"gpu_model": entry["gpu_model"], "gpu_count": entry["gpu_count"]}
        return {"gpu_model": None, "category": entry["category"], "vcpu": entry["vcpu"],
                "memory_gib": entry["memory_gib"]}
    raise ValidationError("gpu", "give gpu (model and count), or current.instance_type to compare its equivalents")


def _current(params):
    current = params.get("current") or {}
    if not current.get("instance_type"):
        return None
    provider = current.get("provider") or "eks"
    capacity = current.get("capacity_type") or "on-demand"
    if capacity not in CAPACITY_TYPES:
        raise ValidationError("current.capacity_type", "allowed values: %s, got %r"
                              % (", ".join(CAPACITY_TYPES), capacity))
    price = node_price(provider, current["instance_type"], current.get("region"), capacity)
    return {"provider": provider, "instance_type": current["instance_type"], "region": price["region"],
            "capacity_type": price["capacity_type"], "hourly": price["hourly"], "source": price["source"],
            "date": price["date"], "notes": price["notes"]}


def _shown(row, current):
    out = dict(row, hourly=figure(row["hourly"], MICRO), monthly=figure(monthly(row["hourly"])))
    if current is not None and current["hourly"] is not None and row["hourly"] is not None:
        out["monthly_vs_current"] = figure(monthly(row["hourly"] - current["hourly"]))
    return out


def compare(params):
    """cost_compare: every equivalent offer ranked, the cheapest, and the current choice with its difference."""
    providers = params.get("providers") or list(CLOUD_PROVIDERS)
    for i, provider in enumerate(providers):
        if provider not in CLOUD_PROVIDERS:
            raise ValidationError("providers[%d]" % i, "allowed values: %s, got %r"
                                  % (", ".join(CLOUD_PROVIDERS), provider))
    capacity_types = params.get("capacity_types") or list(CAPACITY_TYPES)
    for i, capacity in enumerate(capacity_types):
        if capacity not in CAPACITY_TYPES:
            raise ValidationError("capacity_types[%d]" % i, "allowed values: %s, got %r"
                                  % (", ".join(CAPACITY_TYPES), capacity))
    want = _want(params)
    current = _current(params)
    offers = _offers(providers, capacity_types, want)
    ranked = [dict(_shown(o, current), rank=i + 1) for i, o in enumerate(offers)]
    priced = [o for o in offers if o["hourly"] is not None]
    result = {"changed": False, "equivalent": want, "offers": ranked, "cheapest": ranked[0] if priced else None,
              "current": None}
    if current is not None:
        shown = dict(current, hourly=figure(current["hourly"], MICRO), monthly=figure(monthly(current["hourly"])))
        if priced and current["hourly"] is not None:
            shown["monthly_saving_at_cheapest"] = figure(monthly(current["hourly"] - priced[0]["hourly"]))
        result["current"] = shown
    return result
