#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cost_compare
short_description: Rank the equivalent instance types of a node pool on every cloud, region and capacity type
version_added: 0.3.0
description:
  - For a pool given by GPU model and count (or by its current instance type), lists every equivalent instance
    type of the catalog on EKS, AKS and GKE, in every region and capacity type the price data holds, ranked by
    hourly price, each with its source and date. Equivalent means the same GPU model and count per node; for a CPU
    type, the same category with at least its vCPUs and memory.
  - Spot offers appear only where a dated spot snapshot exists; they are estimates, since spot prices move.
    Unknown prices rank last and are never taken as free.
  - With O(current), the current choice is priced the same way and every offer carries its monthly difference
    from it. No API call is made.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.attributes.info]
options:
  gpu:
    description: GPUs per node of the pool.
    type: dict
    suboptions:
      model:
        description: Canonical GPU model of the catalog, for example V(A100-80GB), V(H100-80GB), V(L4).
        type: str
        required: true
      count:
        description: GPUs per node.
        type: int
        default: 1
  current:
    description: The pool's current choice; without O(gpu), its equivalents are compared.
    type: dict
    suboptions:
      provider:
        description: Provider of the current pool.
        type: str
        choices: [local, eks, aks, gke]
        default: eks
      instance_type:
        description: Its instance type.
        type: str
        required: true
      region:
        description: Its region (the cloud's default priced region when not set or not priced).
        type: str
      capacity_type:
        description: Its capacity type.
        type: str
        choices: [on-demand, spot]
        default: on-demand
  providers:
    description: Providers to compare.
    type: list
    elements: str
    choices: [eks, aks, gke]
    default: [eks, aks, gke]
  capacity_types:
    description: Capacity types to compare.
    type: list
    elements: str
    choices: [on-demand, spot]
    default: [on-demand, spot]
seealso:
  - module: aizone.platform.cost_info
'''

EXAMPLES = r'''
- name: Where would 8 x A100 80GB be cheapest, against the demo's a100-mig pool
  aizone.platform.cost_compare:
    gpu: {model: A100-80GB, count: 8}
    current: {provider: eks, instance_type: p4de.24xlarge, region: us-east-1}
  register: a100

- name: Say it
  ansible.builtin.debug:
    msg: "{{ a100.cheapest.provider }} {{ a100.cheapest.instance_type }} ({{ a100.cheapest.capacity_type }}) saves
      {{ a100.current.monthly_saving_at_cheapest }} USD a month"
'''

RETURN = r'''
offers:
  description:
    - Every equivalent offer, cheapest first, with C(rank), C(provider), C(cloud), C(instance_type), C(region),
      C(capacity_type), C(vcpu), C(memory_gib), C(gpu_model), C(gpu_count), C(hourly), C(monthly), C(source),
      C(date), and C(monthly_vs_current) when O(current) is priced.
  returned: always
  type: list
  elements: dict
  sample: [{rank: 1, provider: eks, instance_type: p4de.24xlarge, region: us-east-1, capacity_type: spot,
            hourly: 8.6505, monthly: 6314.87, monthly_vs_current: -13721.45}]
cheapest:
  description: The first priced offer, or null.
  returned: always
  type: dict
current:
  description: The current choice priced (C(hourly), C(monthly), C(source), C(date), C(notes)) and
    C(monthly_saving_at_cheapest); null without O(current).
  returned: always
  type: dict
equivalent:
  description: What counted as equivalent (C(gpu_model) and C(gpu_count), or C(category), C(vcpu), C(memory_gib)).
  returned: always
  type: dict
'''

from ansible_collections.aizone.platform.plugins.module_utils.cost.compare import (
    CAPACITY_TYPES, CLOUD_PROVIDERS, compare)
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module

ARGUMENT_SPEC = dict(
    gpu=dict(type="dict", options=dict(model=dict(type="str", required=True), count=dict(type="int", default=1))),
    current=dict(type="dict", options=dict(
        provider=dict(type="str", choices=["local"] + list(CLOUD_PROVIDERS), default="eks"),
        instance_type=dict(type="str", required=True), region=dict(type="str"),
        capacity_type=dict(type="str", choices=list(CAPACITY_TYPES), default="on-demand"))),
    providers=dict(type="list", elements="str", choices=list(CLOUD_PROVIDERS), default=list(CLOUD_PROVIDERS)),
    capacity_types=dict(type="list", elements="str", choices=list(CAPACITY_TYPES), default=list(CAPACITY_TYPES)),
)


def main():
    run_module(ARGUMENT_SPEC, lambda m: compare(m.params))


if __name__ == "__main__":
    main()
