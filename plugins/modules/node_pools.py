#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: node_pools
short_description: Converge every node pool of an AI zone in one task, side by side
version_added: 0.2.0
description:
  - Converges a whole list of node pools of one zone, with the options of M(aizone.platform.node_pool) for each.
  - Every pool is planned first, from one read of the zone's pools. Bad input, and a change a provider cannot
    make in place, fail naming the option path (V(node_pools[2].capacity_type)) before any pool is written.
  - The creates, updates and deletes then go to the provider side by side, at most O(concurrency) at once,
    and one wait covers them all. On a cloud, where a node group takes minutes, the task takes about as long
    as the slowest pool, not their sum.
  - A pool whose call or wait fails does not stop the others. The task then fails naming each failed pool
    and its error, and still returns every pool's result in RV(node_pools).
  - With O(prune), pools the zone has that the list lacks are deleted - only those this collection created
    (RV(node_pools[].node_pool.managed)). The zone's system pool, where a provider has one, is never listed.
  - M(aizone.platform.node_pool) stays for single pools; both share one reconciler.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.provider, aizone.platform.cost_estimate,
                                 aizone.platform.attributes.provider]
options:
  zone:
    description: Name of the zone the pools belong to.
    type: str
    required: true
  node_pools:
    description: The pools. Each takes the options of M(aizone.platform.node_pool), which documents them in full.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Pool name; 1-40 lowercase letters, digits and C(-), starting with a letter; unique in the list.
        type: str
        required: true
      state:
        description: C(present) creates or updates the pool, C(absent) deletes it with its nodes.
        type: str
        choices: [present, absent]
        default: present
      type:
        description: Kind of pool (C(aizone.io/node-pool-type)); defaults to the instance type's category.
        type: str
        choices: [cpu-optimized, memory-optimized, gpu-optimized]
      instance_type:
        description: Instance type from the instance catalog; required to create a pool unless O(node_pools[].gpu).
        type: str
      gpu:
        description: Choose the instance type by GPU model and count.
        type: dict
        suboptions:
          model:
            description: Canonical GPU model.
            type: str
            required: true
            choices: [A100-SXM4-40GB, A100-80GB, A100-80GB-PCIe, H100-80GB, H100-NVL-94GB, H200-141GB,
                      A30-24GB, A10G, L4, T4, V100, L40S]
          count:
            description: GPUs per node.
            type: int
            default: 1
      autoscaling:
        description: Pool size; min <= desired <= max is checked before any change.
        type: dict
        suboptions:
          enabled:
            description: Whether the cluster autoscaler may resize the pool between min and max.
            type: bool
          min:
            description: Smallest size.
            type: int
          max:
            description: Largest size.
            type: int
          desired:
            description: Size now.
            type: int
      labels:
        description: Kubernetes labels of the pool's nodes; given labels replace the current ones.
        type: dict
      taints:
        description: Taints of the pool's nodes; given taints replace the current ones.
        type: list
        elements: dict
        suboptions:
          key:
            description: Taint key.
            type: str
            required: true
          value:
            description: Taint value.
            type: str
            default: ""
          effect:
            description: Taint effect.
            type: str
            required: true
            choices: [NoSchedule, PreferNoSchedule, NoExecute]
      capacity_type:
        description: C(on-demand) (the default) or C(spot).
        type: str
        choices: [on-demand, spot]
      disk_size_gb:
        description: Root disk size of each node in GiB (10-16384). Defaults to 100.
        type: int
  prune:
    description: Delete the pools this collection created in the zone that O(node_pools) does not list.
    type: bool
    default: false
  concurrency:
    description: How many pools are written, and polled, at once (1-64).
    type: int
    default: 8
  wait:
    description: Wait until every pool written is ready (or gone).
    type: bool
    default: true
  wait_timeout:
    description: Seconds the one wait for all pools may take; a pool not settled by then fails, naming its last state.
    type: int
    default: 900
'''

EXAMPLES = r'''
- name: The platform design's four pools, created side by side
  aizone.platform.node_pools:
    zone: aizone-dev-use1
    provider: eks
    region: us-east-1
    node_pools:
      - {name: cpu, instance_type: c5.4xlarge, autoscaling: {min: 1, max: 4, desired: 2}}
      - name: a100-shared
        gpu: {model: A100-SXM4-40GB, count: 8}
        autoscaling: {min: 0, max: 2, desired: 1}
        taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
      - {name: h100, gpu: {model: H100-80GB, count: 8}, autoscaling: {min: 0, max: 2, desired: 1}}
      - {name: old-gpu, state: absent}

- name: Exactly these pools; delete the others this collection created
  aizone.platform.node_pools:
    zone: dev
    provider: local
    prune: true
    node_pools: "{{ aizone_node_pools }}"
'''

RETURN = r'''
cost:
  description:
    - The zone's estimated cost (its control plane fee and its node pools) before and after the task, in US
      dollars (a month is 730 hours), the same in check mode and in a real run. Prices are catalog figures per region with their source and date; spot pools use
      a dated spot snapshot where one exists, else on-demand (said in C(notes)).
    - C(before) and C(after) hold C(hourly) and C(monthly) at the desired node counts, and C(monthly_min) and
      C(monthly_max) at the autoscaling bounds. C(diff) is after minus before; C(control_plane) is the fee with
      its source.
    - C(pools) has one entry per pool of the zone with its C(before), C(after) (node counts, price per node,
      price region, source, date) and C(diff_monthly).
  returned: always
  type: dict
  sample:
    before: {hourly: 22.638, monthly: 16525.74, monthly_min: 16525.74, monthly_max: 33051.48}
    after: {hourly: 44.596, monthly: 32555.08, monthly_min: 16525.74, monthly_max: 33051.48}
    diff: {hourly: 21.958, monthly: 16029.34}
node_pools:
  description:
    - One entry per pool of the list, then one per pruned pool, with what happened to it.
    - C(node_pool) is the pool after the task as M(aizone.platform.node_pool) returns it (predicted in check mode;
      null when deleted).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Pool name.
      type: str
    action:
      description: C(created), C(updated), C(deleted) or C(unchanged).
      type: str
    changed:
      description: Whether the pool changed (or would, in check mode).
      type: bool
    node_pool:
      description: The pool after the task, with the keys M(aizone.platform.node_pool) returns.
      type: dict
      contains:
        managed:
          description: Whether this collection created the pool; only such pools are pruned.
          type: bool
    changed_fields:
      description: Settings that differed, for a pool that existed.
      type: list
      elements: str
    diff:
      description: The pool's before and after.
      type: dict
    pruned:
      description: Present and true for a pool deleted because O(prune) is set.
      type: bool
    failed:
      description: Present and true for a pool whose call or wait failed; C(msg) says why.
      type: bool
  sample:
    - {name: cpu, action: unchanged, changed: false}
    - {name: h100, action: created, changed: true, node_pool: {name: h100, instance_type: p5.48xlarge}}
actions:
  description: How many pools each action concerned.
  returned: always
  type: dict
  sample: {created: 1, deleted: 0, unchanged: 3, updated: 0}
zone:
  description: The zone name.
  returned: always
  type: str
'''

from ansible_collections.aizone.platform.plugins.module_utils.cost.estimate import COST_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args
from ansible_collections.aizone.platform.plugins.module_utils.zones.converge import converge_node_pools
from ansible_collections.aizone.platform.plugins.module_utils.zones.pools import DEFAULT_CONCURRENCY
from ansible_collections.aizone.platform.plugins.module_utils.zones.spec import NODE_POOL_WAIT_TIMEOUT, node_pool_options


ARGUMENT_SPEC = dict(COST_ARGS, **dict(
    PROVIDER_ARGS,
    zone=dict(type="str", required=True),
    node_pools=dict(type="list", elements="dict", required=True, options=node_pool_options()),
    prune=dict(type="bool", default=False),
    concurrency=dict(type="int", default=DEFAULT_CONCURRENCY),
    **wait_args(NODE_POOL_WAIT_TIMEOUT)
))


def main():
    run_module(ARGUMENT_SPEC, lambda m: converge_node_pools(m.params, check_mode=m.check_mode))


if __name__ == "__main__":
    main()
