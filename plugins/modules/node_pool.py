#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: node_pool
short_description: Create, update and delete a node pool of an AI zone
version_added: 0.1.0
description:
  - Manages a group of nodes of one instance type in a zone, with the same options on every provider.
  - The instance type is given directly, or chosen from the instance catalog by GPU model and count
    (the cheapest type of the provider offering exactly that many GPUs of that model).
  - Labels, taints and scaling change in place; any other difference fails before any change, naming the field.
  - Options left unset keep their current value on an existing pool and take the documented default on a new one.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.provider, aizone.platform.cost_estimate,
                                 aizone.platform.attributes.provider]
options:
  zone:
    description: Name of the zone the pool belongs to.
    type: str
    required: true
  name:
    description:
      - Pool name; 1-40 lowercase letters, digits and C(-), starting with a letter.
    type: str
    required: true
  state:
    description: C(present) creates or updates the pool, C(absent) deletes it with its nodes.
    type: str
    choices: [present, absent]
    default: present
  type:
    description:
      - Kind of pool; sets the C(aizone.io/node-pool-type) node label.
      - Defaults to the instance type's category (general-purpose types count as C(cpu-optimized)).
      - C(gpu-optimized) needs a GPU instance type, and a GPU instance type needs C(gpu-optimized).
    type: str
    choices: [cpu-optimized, memory-optimized, gpu-optimized]
  instance_type:
    description:
      - Instance type from the instance catalog, for example C(p4de.24xlarge), C(Standard_NC24ads_A100_v4)
        or C(c5.4xlarge). An unknown type fails listing close matches.
      - Required to create a pool unless O(gpu) is given.
    type: str
  gpu:
    description:
      - Choose the instance type by GPU model and count instead of O(instance_type).
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
    description:
      - Pool size. O(autoscaling.min) <= O(autoscaling.desired) <= O(autoscaling.max) is checked before any change.
      - On create, O(autoscaling.min) defaults to 1 (or O(autoscaling.desired) when that is 0),
        O(autoscaling.desired) to O(autoscaling.min) and O(autoscaling.max) to the larger of the two.
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
        description: Size now. On C(local), the number of nodes.
        type: int
  labels:
    description:
      - Kubernetes labels for the pool's nodes. Given labels replace the current ones.
      - Keys under platform-owned prefixes (C(aizone.io/), C(kubernetes.io/), C(nvidia.com/) and the clouds' own)
        are refused.
    type: dict
  taints:
    description:
      - Taints of the pool's nodes. Given taints replace the current ones; an empty list removes them.
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
    description:
      - C(spot) nodes are labelled C(karpenter.sh/capacity-type=spot) (and with the cloud's own label);
        add a taint in O(taints) to keep workloads off them unless they tolerate it. Defaults to C(on-demand).
    type: str
    choices: [on-demand, spot]
  disk_size_gb:
    description: Root disk size of each node in GiB (10-16384). Defaults to 100.
    type: int
  wait:
    description: Wait until every node is ready (or the pool is gone, for C(absent)).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait before failing with the last state seen.
    type: int
    default: 900
'''

EXAMPLES = r'''
- name: Two nodes with 8 x A100 80GB each, tainted for GPU workloads only
  aizone.platform.node_pool:
    zone: dev
    name: gpu
    provider: local
    gpu:
      model: A100-80GB
      count: 8
    autoscaling: {min: 0, max: 4, desired: 2}
    labels:
      team: ml
    taints:
      - key: nvidia.com/gpu
        value: present
        effect: NoSchedule

- name: A CPU pool on EKS with spot capacity
  aizone.platform.node_pool:
    zone: train
    name: cpu
    provider: eks
    region: us-east-1
    instance_type: c5.4xlarge
    capacity_type: spot
    autoscaling: {min: 1, max: 10, desired: 3}
    disk_size_gb: 50

- name: Delete a pool
  aizone.platform.node_pool:
    zone: dev
    name: gpu
    provider: local
    state: absent
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
node_pool:
  description: The pool after the task (predicted in check mode); null when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Pool name.
      type: str
    type:
      description: C(cpu-optimized), C(memory-optimized) or C(gpu-optimized).
      type: str
    instance_type:
      description: Instance type.
      type: str
    gpu:
      description: GPU model, count per node and memory per GPU in GiB; null for CPU types.
      type: dict
    autoscaling:
      description: enabled, min, max and desired.
      type: dict
    labels:
      description: The user's labels (not the ones the platform adds).
      type: dict
    taints:
      description: Taints sorted by key and effect.
      type: list
      elements: dict
    capacity_type:
      description: C(on-demand) or C(spot).
      type: str
    disk_size_gb:
      description: Root disk size in GiB.
      type: int
    status:
      description: Provider status, for example C(ACTIVE); null when predicted.
      type: str
    managed:
      description: Whether this collection created the pool (its nodes carry C(aizone.io/node-pool)).
      type: bool
  sample:
    name: gpu
    type: gpu-optimized
    instance_type: p4de.24xlarge
    gpu: {model: A100-80GB, count: 8, memory_gib: 80}
    autoscaling: {enabled: true, min: 0, max: 4, desired: 2}
    labels: {team: ml}
    taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
    capacity_type: on-demand
    disk_size_gb: 100
    status: ACTIVE
changed_fields:
  description: Settings that differed on an existing pool.
  returned: when the pool existed
  type: list
  elements: str
  sample: [autoscaling, labels]
zone:
  description: The zone name.
  returned: always
  type: str
'''

from ansible_collections.aizone.platform.plugins.module_utils.cost.estimate import COST_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args
from ansible_collections.aizone.platform.plugins.module_utils.zones.converge import converge_node_pool
from ansible_collections.aizone.platform.plugins.module_utils.zones.spec import NODE_POOL_WAIT_TIMEOUT, node_pool_options


ARGUMENT_SPEC = dict(COST_ARGS, **dict(
    PROVIDER_ARGS,
    zone=dict(type="str", required=True),
    **dict(node_pool_options(), **wait_args(NODE_POOL_WAIT_TIMEOUT))
))


def main():
    run_module(ARGUMENT_SPEC, lambda m: converge_node_pool(m.params, check_mode=m.check_mode))


if __name__ == "__main__":
    main()
