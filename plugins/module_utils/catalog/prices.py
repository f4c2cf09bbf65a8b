# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Price lookups over catalog/price_data.py: a node's hourly price where it runs, and its CPU/memory/GPU parts.

Region: a zone is priced at its own region when the data has a row for it,
else at the cloud's DEFAULT_REGION, and the price says so in `notes`. The
local provider simulates AWS instance types and is priced as AWS us-east-1.
Spot: a spot pool is priced at the region's spot snapshot; with none, at the
on-demand price, and a note says it is an upper bound (never silently, the
way Infracost prices spot as on-demand).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.catalog.price_data import (
    DEFAULT_REGION, PRICES, SOURCES, SPOT_DATE, SPOT_SOURCE, UNIT_BASIS)
from ansible_collections.aizone.platform.plugins.module_utils.money import ZERO, dec

_ROWS = dict(((r[0], r[1], r[2]), r) for r in PRICES)


def regions(cloud, instance_type):
    """Regions with a price row for the type, sorted."""
    return sorted(region for (c, t, region) in _ROWS if c == cloud and t == instance_type)


def offer(cloud, instance_type, region, capacity_type="on-demand"):
    """{"hourly": Decimal or None, "source", "date"} of one row and capacity type; None when there is no row."""
    row = _ROWS.get((cloud, instance_type, region))
    if row is None:
        return None
    _c, _t, _r, on_demand, source, date, spot = row
    if capacity_type == "spot":
        if spot is None:
            return {"hourly": None, "source": None, "date": None}
        return {"hourly": dec(spot), "source": SPOT_SOURCE, "date": SPOT_DATE}
    return {"hourly": dec(on_demand), "source": SOURCES.get(source), "date": date}


def _priced_region(provider, cloud, instance_type, region, notes):
    if provider == "local":
        notes.append("the local zone is priced as AWS %s (it simulates AWS instance types)" % DEFAULT_REGION[cloud])
        return DEFAULT_REGION[cloud]
    if region and (cloud, instance_type, region) in _ROWS:
        return region
    fallback = DEFAULT_REGION[cloud]
    notes.append("%s has no price row for region %s: priced at %s" % (instance_type, region or "(unknown)", fallback))
    return fallback


def node_price(provider, instance_type, region=None, capacity_type="on-demand"):
    """What one node of instance_type costs per hour on provider in region.

    {"hourly": Decimal or None, "region", "capacity_type", "source", "date", "notes": [str]}"""
    cloud = catalog.cloud_of(provider)
    notes = []
    where = _priced_region(provider, cloud, instance_type, region, notes)
    price = offer(cloud, instance_type, where, capacity_type) or {"hourly": None, "source": None, "date": None}
    basis = capacity_type
    if capacity_type == "spot" and price["hourly"] is None:
        notes.append("no spot snapshot for %s in %s: priced as on-demand, an upper bound" % (instance_type, where))
        price = offer(cloud, instance_type, where) or price
        basis = "on-demand"
    if price["hourly"] is None:
        notes.append("no price figure for %s in %s: its cost is unknown, not zero" % (instance_type, where))
    return {"hourly": price["hourly"], "region": where, "capacity_type": basis, "source": price["source"],
            "date": price["date"], "notes": notes}


def unit_prices(cloud):
    """(USD per vCPU-hour, USD per GiB-hour) of the cloud, from its UNIT_BASIS pair of instance types."""
    small, large = [catalog.instance_types_of_cloud(cloud)[t] for t in UNIT_BASIS[cloud]]
    region = DEFAULT_REGION[cloud]
    p_small, p_large = [offer(cloud, e["type"], region)["hourly"] for e in (small, large)]
    per_gib = (p_large - p_small) / (large["memory_gib"] - small["memory_gib"])
    per_vcpu = (p_small - per_gib * small["memory_gib"]) / small["vcpu"]
    return per_vcpu, per_gib


def split(cloud, entry, hourly):
    """{"cpu", "memory", "gpu"} Decimal parts of a node's hourly price, adding up to it exactly.

    A GPU type's CPU and memory are priced at the cloud's unit prices and the GPUs get the rest; a type without
    GPUs (or whose rest would not be positive) is split between CPU and memory in the unit prices' proportion."""
    hourly = dec(hourly)
    per_vcpu, per_gib = unit_prices(cloud)
    cpu_w, mem_w = per_vcpu * entry["vcpu"], per_gib * entry["memory_gib"]
    if entry["gpu_count"] and hourly - cpu_w - mem_w > 0:
        return {"cpu": cpu_w, "memory": mem_w, "gpu": hourly - cpu_w - mem_w}
    cpu = hourly * cpu_w / (cpu_w + mem_w)
    return {"cpu": cpu, "memory": hourly - cpu, "gpu": ZERO}


def default_hourly(entry):
    """The on-demand hourly price of a catalog entry in its cloud's default region (Decimal or None)."""
    found = offer(entry["cloud"], entry["type"], DEFAULT_REGION[entry["cloud"]])
    return found["hourly"] if found else None
