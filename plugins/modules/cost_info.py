#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cost_info
short_description: Showback of a running AI zone from what is really placed, GPU slices priced exactly
version_added: 0.3.0
description:
  - Prices every node of the zone (its instance type and region from its labels, catalog prices with their source
    and date) and splits each node's price over the pods on it, from their requests. Two LIST requests (nodes,
    pods). Read-only on the zone.
  - A node's price is split into CPU, memory and GPU parts. A GPU node's CPU and memory are priced at the cloud's
    unit prices (per vCPU-hour and per GiB-hour, derived from two catalog types of one family) and its GPUs take
    the rest; a CPU node is split between CPU and memory in those prices' proportion.
  - A pod pays its requests' share of each part. A time-sliced C(nvidia.com/gpu) is 1/replicas of a GPU, an
    unshared one a whole GPU. A MIG slice is priced by compute slices (3g.40gb on an A100 is 3/7 of a GPU), not
    memory slices, because compute is what a slice runs on; so the compute slice a layout such as all-3g.40gb
    leaves unusable shows as the pool's idle cost instead of being billed to tenants.
  - What no pod requests is the pool's idle cost. Amounts are apportioned exactly, per node, so tenants plus
    idle add up to the sum of node prices to the cent (monthly) and to the millionth (hourly).
  - Per node pool, tenant (namespace) and workload (Deployment, StatefulSet, RayCluster... from the pod's
    controller); written as CSV or JSON with O(dest).
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.provider, aizone.platform.zone_access, aizone.platform.attributes.info]
options:
  dest:
    description:
      - Also write the showback to this file (mode 0600), as O(format). Written in check mode too; it is a report,
        not a change to the zone.
    type: path
  format:
    description: Format of O(dest).
    type: str
    choices: [json, csv]
    default: json
seealso:
  - module: aizone.platform.cost_compare
  - module: aizone.platform.node_pools
'''

EXAMPLES = r'''
- name: Monthly cost per tenant of the demo zone
  aizone.platform.cost_info:
    provider: local
    zone: aizone-local
    dest: /tmp/aizone-local-showback.csv
    format: csv
  register: showback

- name: Tenants plus idle add up to the node prices
  ansible.builtin.debug:
    msg: "{{ showback.tenants | map(attribute='monthly') | sum + showback.idle.monthly }} = {{ showback.total.monthly }}"
'''

RETURN = r'''
total:
  description: Sum of the node prices, C(hourly) and C(monthly) (730 hours), in US dollars.
  returned: always
  type: dict
  sample: {hourly: 106.485, monthly: 77734.05}
idle:
  description: What no pod requests, over all pools.
  returned: always
  type: dict
  sample: {hourly: 84.625725, monthly: 61776.77}
pools:
  description: Per node pool its C(nodes), C(pods), C(hourly) and C(monthly) price, and C(idle_hourly) and C(idle_monthly).
  returned: always
  type: list
  elements: dict
  sample: [{name: a100-shared, instance_type: p4d.24xlarge, nodes: 1, pods: 6, hourly: 21.958, monthly: 16029.34,
            idle_hourly: 17.5725, idle_monthly: 12827.92}]
tenants:
  description: Per namespace its C(pods), C(hourly) and C(monthly) cost.
  returned: always
  type: list
  elements: dict
  sample: [{name: agentic, pods: 6, hourly: 4.3855, monthly: 3201.42}]
workloads:
  description: Per workload (C(namespace), C(kind), C(name)) its C(pools), C(pods), C(hourly) and C(monthly) cost.
  returned: always
  type: list
  elements: dict
  sample: [{namespace: inference, kind: Deployment, name: llm-serving, pools: [a100-mig], pods: 4, hourly: 5.3855,
            monthly: 3931.41}]
nodes:
  description: Per node its pool, instance type, price region, price source and date, price and idle part.
  returned: always
  type: list
  elements: dict
gpu_rule:
  description: How GPU units are turned into GPU fractions.
  returned: always
  type: str
split_rule:
  description: How a node's price is split into CPU, memory and GPU parts.
  returned: always
  type: str
notes:
  description: What the figures rest on (for example the region a price was taken from), and nodes not priced.
  returned: always
  type: list
  elements: str
dest_changed:
  description: Whether O(dest) was written with new content.
  returned: when O(dest) is set
  type: bool
'''

from ansible_collections.aizone.platform.plugins.module_utils.cost.info import FORMATS, describe
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.providers import ZONE_ACCESS_ARGS

ARGUMENT_SPEC = dict(
    ZONE_ACCESS_ARGS,
    dest=dict(type="path"),
    format=dict(type="str", choices=list(FORMATS), default="json"),
)


def main():
    run_module(ARGUMENT_SPEC, lambda m: describe(m.params))


if __name__ == "__main__":
    main()
