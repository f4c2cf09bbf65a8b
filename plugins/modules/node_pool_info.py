#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: node_pool_info
short_description: Read the node pools of an AI zone
version_added: 0.1.0
description:
  - Returns node pools in the normalized shape every provider shares. Read-only.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.provider, aizone.platform.attributes.info]
options:
  zone:
    description: Name of the zone.
    type: str
    required: true
  name:
    description: Only this node pool; all of the zone's pools when unset.
    type: str
'''

EXAMPLES = r'''
- name: Read the gpu pool of the dev zone
  aizone.platform.node_pool_info:
    zone: dev
    name: gpu
    provider: local
  register: gpu

- name: Its instance type
  ansible.builtin.debug:
    msg: "{{ gpu.node_pools[0].instance_type }}"
'''

RETURN = r'''
zone_exists:
  description: Whether the zone exists.
  returned: always
  type: bool
node_pools:
  description: The pools, sorted by name, in the shape of RV(aizone.platform.node_pool#module:node_pool) (the local
    provider adds node_count and ready_node_count).
  returned: always
  type: list
  elements: dict
  sample: [{name: gpu, type: gpu-optimized, instance_type: p4de.24xlarge, autoscaling: {enabled: true, min: 0, max: 4,
            desired: 2}, capacity_type: on-demand, status: ACTIVE, node_count: 2, ready_node_count: 2}]
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.zones.converge import describe_node_pools


def main():
    spec = dict(PROVIDER_ARGS)
    spec.update(zone=dict(type="str", required=True), name=dict(type="str"))
    run_module(spec, lambda m: describe_node_pools(m.params))


if __name__ == "__main__":
    main()
