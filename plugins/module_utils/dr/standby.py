# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a DR zone holds of its primaries' node pools, by each primary's DR policy (the standby_pools
and dr_primaries filters: the foundation layer of every zone, playbooks/failover.yml, the dr role).

- primaries: the inventory hosts whose aizone_dr_policy.dr_zone names a zone.
- equivalent_pools: a primary's pools with each instance type replaced by the DR provider's equivalent
  (catalog.instances.equivalent_type); names, types, labels, taints and sizes kept.
- standby_pools: a DR zone's own pools, plus each primary's pools at their standby size:
    backup-and-restore  none (the failover makes them);
    pilot-light         every pool, at 0 nodes (min 0, desired 0, the primary's max): the failover only resizes;
    warm-standby        every pool at standby_fraction of the primary's desired size (default 0.25, rounded up,
                        at least 1 node where the primary has any), or standby_nodes[pool];
  and every pool at the primary's full size once its policy says failed_over (set after playbooks/failover.yml,
  so that the next site.yml on the DR zone does not shrink what now serves) - or while failover.yml runs, which
  names the primary in failed_over.
  A pool of the DR zone's own with a primary pool's name stays the DR zone's definition, each of its sizes raised
  to the standby's where that is larger; two primaries' pools of one name are sized by the larger.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import math

from ansible_collections.aizone.platform.plugins.module_utils.catalog.instances import equivalent_type
from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.zones.spec import complete_autoscaling

APPROACHES = ("backup-and-restore", "pilot-light", "warm-standby")
DEFAULT_FRACTION = 0.25
SIZES = ("min", "desired", "max")


def primaries(hosts, host):
    """The hosts (inventory variables each, with inventory_hostname) whose DR policy names host as its DR zone."""
    return [h for h in hosts if ((h.get("aizone_dr_policy") or {}).get("dr_zone")) == host]


def equivalent_pools(pools, from_provider, to_provider):
    """pools with each instance type replaced by to_provider's equivalent."""
    if not isinstance(pools, list):
        raise ValidationError("node_pools", "give the primary's node pools, a list")
    out = []
    for index, pool in enumerate(pools):
        pool = copy.deepcopy(dict(pool))
        if pool.get("instance_type"):
            try:
                pool["instance_type"] = equivalent_type(from_provider, pool["instance_type"], to_provider,
                                                        "node_pools[%d].instance_type" % index)
            except AizoneError as exc:
                raise ValidationError("node_pools[%d].instance_type" % index,
                                      "node pool %s: %s" % (pool.get("name"), exc.msg))
        out.append(pool)
    return out


def _policy(host, failed_over):
    name = host.get("inventory_hostname") or "?"
    policy = host.get("aizone_dr_policy") or {}
    field = "%s: aizone_dr_policy." % name
    if policy.get("approach") not in APPROACHES:
        raise ValidationError(field + "approach", "give one of %s (got %r)" % (", ".join(APPROACHES), policy.get("approach")))
    fraction = policy.get("standby_fraction", DEFAULT_FRACTION)
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction <= 1:
        raise ValidationError(field + "standby_fraction", "give a number above 0 and at most 1 (got %r)" % (fraction,))
    nodes = policy.get("standby_nodes") or {}
    if not isinstance(nodes, dict) or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in nodes.values()):
        raise ValidationError(field + "standby_nodes", "give {pool name: nodes}, each a whole number of at least 0")
    return dict(policy, standby_fraction=fraction, standby_nodes=nodes, failed_over=bool(policy.get("failed_over")) or name in failed_over)


def standby_scaling(scaling, policy, pool_name):
    """A primary pool's autoscaling at its standby size under policy (validated by _policy)."""
    full = complete_autoscaling(scaling)
    if policy["failed_over"]:
        return full
    if policy["approach"] == "pilot-light":
        return dict(full, min=0, desired=0)
    desired = policy["standby_nodes"].get(pool_name)
    if desired is None:
        desired = int(math.ceil(full["desired"] * policy["standby_fraction"])) if full["desired"] else 0
    desired = min(desired, full["max"])
    return dict(full, min=min(full["min"], desired), desired=desired)


def _raise(pool, scaling):
    """pool with each size at least scaling's."""
    current = complete_autoscaling(pool.get("autoscaling"))
    return dict(pool, autoscaling=dict(current, **dict((k, max(current[k], scaling[k])) for k in SIZES)))


def standby_pools(own, hosts, provider, failed_over=()):
    """The DR zone's pools: own, with the standby pools of the primaries (hosts, from primaries()) merged in; the
    primaries named in failed_over (inventory host names) at their full size."""
    if not isinstance(own, list):
        raise ValidationError("aizone_node_pools", "give the zone's node pools, a list")
    out = dict((p.get("name"), copy.deepcopy(dict(p))) for p in own)     # in order: own pools first
    for host in hosts:
        policy = _policy(host, failed_over)
        if policy["approach"] == "backup-and-restore" and not policy["failed_over"]:
            continue
        zone = host.get("aizone_zone") or {}
        for pool in equivalent_pools(list(host.get("aizone_node_pools") or []), zone.get("provider"), provider):
            if pool.get("state", "present") == "absent":
                continue
            pool["autoscaling"] = standby_scaling(pool.get("autoscaling"), policy, pool.get("name"))
            name = pool.get("name")
            out[name] = _raise(out[name], pool["autoscaling"]) if name in out else pool
    return list(out.values())
