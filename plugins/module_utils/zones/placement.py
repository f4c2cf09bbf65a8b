# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pod placement on a node pool, derived from the pool's nodes as they are in the zone.

A node pool's nodes carry the label aizone.io/node-pool=<pool> and the pool's
taints (every provider sets both). A pod meant for the pool gets:

- nodeSelector {aizone.io/node-pool: <pool>}: the one label every node of the
  pool has and no other node has;
- one toleration per distinct taint found on the pool's nodes (key, value and
  effect exactly, `Exists` when the taint has no value), sorted, so the same
  nodes always give the same pod spec. Condition taints the node lifecycle
  sets on its own (node.kubernetes.io/*, node.cloudprovider.kubernetes.io/*)
  are skipped: tolerating them would keep pods on broken nodes.

`read_pool_nodes` costs one LIST of nodes whatever the number of pools.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import parse_quantity
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    CONDITION_TAINT_PREFIXES, POOL_LABEL, pool_selector)


def read_pool_nodes(rest, pools=None):
    """{pool: [node, ...] sorted by name} from one LIST of nodes (k8s.rest.Rest).

    pools: the pools to read, each present in the answer even without nodes;
    None reads every pool's nodes."""
    found = dict((pool, []) for pool in pools or [])
    if pools is not None and not found:
        return found
    selector = pool_selector(found) if pools is not None else POOL_LABEL
    for node in rest.list_all(kind_info("v1", "Node").collection_path(), selector):
        pool = ((node.get("metadata") or {}).get("labels") or {}).get(POOL_LABEL)
        if pools is None or pool in found:
            found.setdefault(pool, []).append(node)
    for nodes in found.values():
        nodes.sort(key=lambda n: n["metadata"]["name"])
    return found


def toleration_for(taint):
    """The toleration that tolerates exactly this taint."""
    tol = {"key": taint["key"], "effect": taint["effect"]}
    if taint.get("value"):
        tol["operator"] = "Equal"
        tol["value"] = taint["value"]
    else:
        tol["operator"] = "Exists"
    return tol


def derive_placement(pool, nodes, field="pool"):
    """(nodeSelector, tolerations) for pods of pool; ValidationError naming the pool when it has no node."""
    if not nodes:
        raise ValidationError(field, "node pool %r has no nodes in the zone (no node is labelled %s=%s); "
                                     "create or scale up the pool first" % (pool, POOL_LABEL, pool),
                              pool=pool)
    taints = {}
    for node in nodes:
        for taint in (node.get("spec") or {}).get("taints") or []:
            if taint.get("key", "").startswith(CONDITION_TAINT_PREFIXES):
                continue
            key = (taint["key"], taint.get("value") or "", taint["effect"])
            taints[key] = taint
    tolerations = [toleration_for(taints[k]) for k in sorted(taints)]
    return {POOL_LABEL: pool}, tolerations


def _offer(allocatable):
    return ", ".join("%s %s" % (k, allocatable[k]) for k in sorted(allocatable)
                     if k in ("cpu", "memory") or "/" in k) or "nothing"


def check_fit(pool, nodes, requests, field):
    """Refuse (ValidationError naming field) a pod asking `requests` ({resource: quantity}) that no node of the
    pool could hold even empty: none offers pods (allocatable) that much of every resource asked."""
    wanted = dict((k, parse_quantity(v)) for k, v in (requests or {}).items())
    if not nodes or not wanted:
        return
    shapes = []
    for node in nodes:
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        if all(k in allocatable and parse_quantity(allocatable[k]) >= v for k, v in wanted.items()):
            return
        if _offer(allocatable) not in shapes:
            shapes.append(_offer(allocatable))
    raise ValidationError(field, "a pod asking %s fits on no node of pool %r, whose nodes offer pods %s"
                          % (", ".join("%s %s" % kv for kv in sorted(requests.items())), pool, "; or ".join(shapes)),
                          pool=pool)


def placements(rest, wanted, demands=(), warnings=None):
    """wanted: {pool: field} -> {pool: (nodeSelector, tolerations)}, one LIST for all pools.

    demands: [(pool, field, requests of one pod)] checked with check_fit against the same nodes. With a
    `warnings` list (check mode: an earlier task may create the pool's nodes, or change what they offer, as
    gpu_sharing does) a pool without nodes and a pod that fits nowhere are warnings there instead of errors."""
    nodes = read_pool_nodes(rest, list(wanted))
    found = {}
    for pool, field in wanted.items():
        if not nodes[pool] and warnings is not None:
            warnings.append("%s: node pool %r has no nodes yet: its pods are predicted with the pool's node selector "
                            "only (the real run adds a toleration per taint of its nodes)" % (field, pool))
            found[pool] = ({POOL_LABEL: pool}, [])
            continue
        found[pool] = derive_placement(pool, nodes[pool], field)
    for pool, field, requests in demands:
        try:
            check_fit(pool, nodes.get(pool), requests, field)
        except ValidationError as exc:
            if warnings is None:
                raise
            warnings.append(exc.msg + " (now; a real run refuses it unless an earlier task changes the nodes)")
    return found
