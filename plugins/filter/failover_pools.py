# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""failover_pools: a primary zone's node pool definitions for its DR zone on another provider.

Each pool keeps its name, type, labels, taints and sizes - restored pods are placed by the pool label and
tolerate the same taints - and its instance type becomes the DR provider's equivalent from the catalog (the
same GPUs, or for CPU types the same category with at least the vCPUs and memory, cheapest first:
catalog.instances.equivalent_type). A pool given by GPU model and count keeps them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError


def failover_pools(pools, from_provider, to_provider):
    """pools (node_pools' node_pools) with each instance type replaced by to_provider's equivalent."""
    from ansible_collections.aizone.platform.plugins.module_utils.catalog.instances import equivalent_type
    from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
    if not isinstance(pools, list):
        raise AnsibleFilterError("failover_pools: give the primary's node pools, a list")
    out = []
    for index, pool in enumerate(pools):
        pool = dict(pool)
        if pool.get("instance_type"):
            try:
                pool["instance_type"] = equivalent_type(from_provider, pool["instance_type"], to_provider,
                                                        "node_pools[%d].instance_type" % index)
            except AizoneError as exc:
                raise AnsibleFilterError("failover_pools: node pool %s: %s" % (pool.get("name"), exc.msg))
        out.append(pool)
    return out


class FilterModule(object):
    def filters(self):
        return {"failover_pools": failover_pools}
