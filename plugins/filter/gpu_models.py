# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gpu_models: GPU sharing entries completed with their pools' GPU model, from the node pools' own definitions.

gpu_sharing reads a pool's GPU model from its nodes' labels. A pool whose nodes do not exist yet - check mode
on a new zone, where an earlier task would create them - has none to read: the model the pool is defined with
(its gpu.model, or its instance type's GPU in the provider's catalog) is what its nodes will carry, and
gpu_sharing checks the two against each other once they exist. Entries that give gpu_model keep it; entries
whose pool is not defined here are left as they are.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError


def _model(pool, provider):
    from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
    from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
    if (pool.get("gpu") or {}).get("model"):
        return pool["gpu"]["model"]
    if not pool.get("instance_type"):
        return None
    try:
        return catalog.get(provider, pool["instance_type"]).get("gpu_model")
    except AizoneError as exc:
        raise AnsibleFilterError("gpu_models: node pool %s: %s" % (pool.get("name"), exc.msg))


def gpu_models(sharing, node_pools, provider):
    """sharing (gpu_sharing's node_pools) with gpu_model set from node_pools (node_pools' node_pools)."""
    if not isinstance(sharing, list) or not isinstance(node_pools, list):
        raise AnsibleFilterError("gpu_models: give the gpu_sharing entries and the node pools, both lists")
    defined = dict((p.get("name"), p) for p in node_pools if isinstance(p, dict))
    out = []
    for entry in sharing:
        pool = defined.get((entry or {}).get("name"))
        model = None if entry.get("gpu_model") or pool is None else _model(pool, provider)
        out.append(dict(entry, gpu_model=model) if model else dict(entry))
    return out


class FilterModule(object):
    def filters(self):
        return {"gpu_models": gpu_models}
