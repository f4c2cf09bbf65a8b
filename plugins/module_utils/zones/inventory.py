# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The zones the aizone.platform.zones inventory plugin lists: every zone of every provider entry, with its
node pools and GPU capacity, read side by side (one thread per provider entry, then one per zone's pools).

A host record: {name, vars}, the vars prefixed aizone_ (zone, provider, region, kubernetes_version, endpoint,
status, tags, zone_type, node_pools, gpus, gpu_models), `aizone_zone` being the zone as the roles take it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.concurrency import all_or_raise
from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.providers import (
    PROVIDER_NAMES, get_provider, options_with_env)
from ansible_collections.aizone.platform.plugins.module_utils.zones.access import serving

WORKERS = 8


def _gpu(provider, pool):
    """{model, count} per node: the pool's own, else its instance type's in the catalog (none when unknown)."""
    if pool.get("gpu"):
        return pool["gpu"]
    entry = catalog.instance_types(provider).get(pool.get("instance_type")) or {}
    return {"model": entry.get("gpu_model"), "count": entry.get("gpu_count") or 0}


def _pool_view(provider, pool):
    scaling = pool.get("autoscaling") or {}
    gpu = _gpu(provider, pool)
    return {"name": pool["name"], "type": pool.get("type"), "instance_type": pool.get("instance_type"),
            "desired": scaling.get("desired"), "min": scaling.get("min"), "max": scaling.get("max"),
            "gpu_model": gpu.get("model"), "gpus_per_node": gpu.get("count") or 0,
            "capacity_type": pool.get("capacity_type"), "labels": pool.get("labels") or {}}


def _host(zone, pools):
    views = [_pool_view(zone["provider"], p) for p in sorted(pools.values(), key=lambda p: p["name"])]
    gpus = {}
    for view in views:
        if view["gpu_model"]:
            gpus[view["gpu_model"]] = gpus.get(view["gpu_model"], 0) + view["gpus_per_node"] * (view["desired"] or 0)
    return {"name": zone["name"], "vars": {
        "aizone_zone": {"name": zone["name"], "provider": zone["provider"], "region": zone.get("region")},
        "aizone_provider": zone["provider"], "aizone_region": zone.get("region"),
        "aizone_kubernetes_version": zone.get("kubernetes_version"), "aizone_endpoint": zone.get("endpoint"),
        "aizone_status": zone.get("status"), "aizone_zone_type": zone.get("zone_type"),
        "aizone_tags": zone.get("tags") or {}, "aizone_node_pools": views,
        "aizone_gpus": sum(gpus.values()), "aizone_gpu_models": gpus}}


def _entry_zones(index, entry):
    """Every zone of one provider entry, each with its node pools (none read for a stopped zone: its API
    server, where a local zone keeps them, is down)."""
    if not isinstance(entry, dict) or entry.get("provider") not in PROVIDER_NAMES:
        raise ValidationError("providers[%d].provider" % index, "must be one of %s" % ", ".join(PROVIDER_NAMES))
    provider = get_provider(entry["provider"], options_with_env(entry))
    zones = provider.list_zones()

    def pools(zone):
        return provider.list_node_pools(zone["name"]) if serving(provider, zone) else {}
    return [_host(z, p) for z, p in zip(zones, all_or_raise(pools, zones, WORKERS))]


def discover(entries):
    """Host records of every zone the provider entries see, sorted by name; a zone name seen twice fails."""
    def read(item):
        index, entry = item
        try:
            return _entry_zones(index, entry)
        except AizoneError as exc:
            raise AizoneError("providers[%d] (%s): %s" % (index, entry.get("provider"), exc.msg))
    hosts, seen = [], {}
    for index, found in enumerate(all_or_raise(read, list(enumerate(entries)), WORKERS)):
        for host in found:
            if host["name"] in seen:
                raise AizoneError("zone %r is listed by providers[%d] and providers[%d]: give the entries regions "
                                  "or credentials that do not overlap" % (host["name"], seen[host["name"]], index))
            seen[host["name"]] = index
            hosts.append(host)
    return sorted(hosts, key=lambda h: h["name"])
