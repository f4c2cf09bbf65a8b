# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the zone, zone_info, node_pool and node_pool_info modules call: validate, pick the provider, reconcile."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.cost.estimate import check_budget
from ansible_collections.aizone.platform.plugins.module_utils.providers import get_provider
from ansible_collections.aizone.platform.plugins.module_utils.zones import pools, reconcile
from ansible_collections.aizone.platform.plugins.module_utils.zones.access import serving
from ansible_collections.aizone.platform.plugins.module_utils.names import check_int, given
from ansible_collections.aizone.platform.plugins.module_utils.zones.spec import (
    check_name, node_pool_desired, node_pools_desired, zone_desired)


def converge_zone(params, check_mode=False):
    """The zone module: validated desired zone, then the reconciler; the result carries the zone's cost before
    and after (its pools as they are, read before the task)."""
    desired = zone_desired(params)
    provider = get_provider(params["provider"], params)
    current = provider.get_zone(desired["name"])
    before_pools = pools.current_pools(provider, desired["name"]) if serving(provider, current) else {}
    result = reconcile.reconcile_zone(provider, desired, state=params["state"], check_mode=check_mode,
                                      wait=params["wait"], wait_timeout=params["wait_timeout"],
                                      kubeconfig_dest=params["kubeconfig_dest"], current=current)
    result["cost"] = pools.zone_cost(provider, desired, params["state"], current, before_pools)
    return result


def describe_zone(params):
    """The zone_info module: the zone and its node pools."""
    name = check_name("name", params["name"])
    provider = get_provider(params["provider"], params)
    zone = provider.get_zone(name)
    found = {}
    if serving(provider, zone):
        found = pools.current_pools(provider, name)
    return {"changed": False, "exists": zone is not None, "zone": zone,
            "node_pools": [found[pool] for pool in sorted(found)]}


def converge_node_pool(params, check_mode=False):
    """The node_pool module: validated desired pool, then the reconciler."""
    zone = check_name("zone", params["zone"])
    if params["state"] == "absent":
        desired = {"name": check_name("name", params["name"])}
    else:
        desired = node_pool_desired(params, params["provider"])
    budget = check_budget(params.get("budget"))
    provider = get_provider(params["provider"], params)
    return pools.reconcile_node_pool(provider, zone, desired, state=params["state"], check_mode=check_mode,
                                     wait=params["wait"], wait_timeout=params["wait_timeout"], budget=budget,
                                     cost_report=params.get("cost_report"))


def converge_node_pools(params, check_mode=False):
    """The node_pools module: the whole list validated, then one plan, concurrent writes and one wait."""
    zone = check_name("zone", params["zone"])
    desired = node_pools_desired(params.get("node_pools"), params["provider"])
    concurrency = check_int("concurrency", given(params.get("concurrency"), pools.DEFAULT_CONCURRENCY), 1, 64)
    budget = check_budget(params.get("budget"))
    provider = get_provider(params["provider"], params)
    return pools.reconcile_node_pools(provider, zone, desired, prune=params.get("prune", False),
                                      check_mode=check_mode, wait=params["wait"], wait_timeout=params["wait_timeout"],
                                      concurrency=concurrency, budget=budget, cost_report=params.get("cost_report"))


def describe_node_pools(params):
    """The node_pool_info module: the zone's pools, or the one named."""
    zone = check_name("zone", params["zone"])
    name = params.get("name")
    if name is not None:
        check_name("name", name)
    return pools.node_pool_info(get_provider(params["provider"], params), zone, name)
