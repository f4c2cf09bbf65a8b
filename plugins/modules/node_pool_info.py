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
author:
  - aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.provider
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
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
  description: The pools, sorted by name, in the shape aizone.platform.node_pool returns.
  returned: always
  type: list
  elements: dict
  sample:
    - name: gpu
      type: gpu-optimized
      instance_type: p4de.24xlarge
      gpu: {model: A100-80GB, count: 8, memory_gib: 80}
      autoscaling: {enabled: true, min: 0, max: 4, desired: 2}
      labels: {team: ml}
      taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
      capacity_type: on-demand
      disk_size_gb: 100
      status: ACTIVE
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS, get_provider
from ansible_collections.aizone.platform.plugins.module_utils.zones.spec import check_name
from ansible_collections.aizone.platform.plugins.module_utils.zones.reconcile import node_pool_info


def run(module):
    zone = check_name("zone", module.params["zone"])
    name = module.params["name"]
    if name is not None:
        check_name("name", name)
    return node_pool_info(get_provider(module.params["provider"], module.params), zone, name)


def main():
    spec = dict(PROVIDER_ARGS)
    spec.update(zone=dict(type="str", required=True), name=dict(type="str"))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    run_module(module, run)


if __name__ == "__main__":
    main()
