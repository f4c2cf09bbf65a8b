#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: addon_info
short_description: Read the add-ons of an AI zone, their CRDs and their operators
version_added: 0.2.0
description:
  - For each add-on M(aizone.platform.addon) knows, the CRDs of it the zone has (with the version they were applied
    at), and its operator - the process next to a local zone's control plane, with its health, or the Deployment in
    the zone. Read-only.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.provider, aizone.platform.zone_access, aizone.platform.attributes.info]
options:
  names:
    description: Only these add-ons; every one when empty.
    type: list
    elements: str
    choices: [dask, keda, kuberay, velero]
    default: []
'''

EXAMPLES = r'''
- name: Is the KubeRay operator up
  aizone.platform.addon_info:
    zone: aizone-local
    provider: local
    names: [kuberay]
  register: addons

- name: Fail unless healthy
  ansible.builtin.assert:
    that: addons.addons[0].process.healthy
'''

RETURN = r'''
addons:
  description: One entry per add-on.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The add-on.
      type: str
    pinned_version:
      description: The version the collection pins.
      type: str
    installed_version:
      description: The versions the zone's CRDs of the add-on were applied at; null when none is installed.
      type: list
      elements: str
    crds:
      description: The add-on's CRDs in the zone.
      type: list
      elements: str
    process:
      description: The operator process of a local zone (running, healthy, pid, health, log, command, argv), or null.
      type: dict
    deployment:
      description: The operator Deployment in the zone (namespace, name, ready_replicas, image), when there is one.
      type: dict
  sample: [{name: kuberay, pinned_version: v1.5.0, installed_version: [v1.5.0],
            crds: [rayclusters.ray.io, rayjobs.ray.io, rayservices.ray.io],
            process: {running: true, healthy: true, pid: 4242}}]
api_requests:
  description: Requests this task sent to the API server, by HTTP method.
  returned: always
  type: dict
'''

from ansible_collections.aizone.platform.plugins.module_utils.addons.converge import describe
from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDON_NAMES
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.providers import ZONE_ACCESS_ARGS

ARGUMENT_SPEC = dict(
    ZONE_ACCESS_ARGS,
    names=dict(type="list", elements="str", choices=list(ADDON_NAMES), default=[]),
)


def main():
    run_module(ARGUMENT_SPEC, lambda m: describe(m.params))


if __name__ == "__main__":
    main()
