#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zone_info
short_description: Read an AI zone and its node pools
version_added: 0.1.0
description:
  - Returns a zone in the normalized shape every provider shares, with its node pools. Read-only.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.provider, aizone.platform.attributes.info]
options:
  name:
    description: Zone name.
    type: str
    required: true
'''

EXAMPLES = r'''
- name: Read the dev zone
  aizone.platform.zone_info:
    name: dev
    provider: local
  register: dev

- name: Show its GPU pools
  ansible.builtin.debug:
    msg: "{{ dev.node_pools | selectattr('type', 'equalto', 'gpu-optimized') | map(attribute='name') }}"
'''

RETURN = r'''
exists:
  description: Whether the zone exists.
  returned: always
  type: bool
zone:
  description: The zone, in the shape aizone.platform.zone returns; null when it does not exist.
  returned: always
  type: dict
node_pools:
  description: The zone's node pools sorted by name, in the shape aizone.platform.node_pool returns
    (empty when the zone does not exist or is stopped).
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.zones.converge import describe_zone


def main():
    spec = dict(PROVIDER_ARGS)
    spec.update(name=dict(type="str", required=True))
    run_module(spec, lambda m: describe_zone(m.params))


if __name__ == "__main__":
    main()
