#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zone
short_description: Create, update, stop and delete an AI zone (a managed Kubernetes cluster)
version_added: 0.1.0
description:
  - Manages a zone, the Kubernetes cluster that hosts node pools and tenants, on a local control plane,
    Amazon EKS, Azure AKS or Google GKE with one set of options.
  - Fields the provider can change in place (for example tags, control-plane logging, endpoint access and a
    version upgrade on EKS) are updated; any other difference fails before any change, naming the field.
  - Options left unset keep their current value on an existing zone and take the documented default on a new one.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.provider, aizone.platform.attributes.provider]
options:
  name:
    description:
      - Zone name; 1-40 lowercase letters, digits and C(-), starting with a letter.
    type: str
    required: true
  state:
    description:
      - C(present) creates or updates the zone (and starts a stopped one). A C(local) zone one of whose
        components died (status C(DEGRADED)) is started again.
      - C(absent) deletes it with its node pools.
      - C(stopped) stops an existing zone and keeps it, where the provider can (C(local)).
    type: str
    choices: [present, absent, stopped]
    default: present
  kubernetes_version:
    description:
      - Kubernetes minor version, for example C(1.36). Unset means the provider's default on create
        and no change on update. A higher version than the current one upgrades where the provider allows it.
    type: str
  zone_type:
    description:
      - C(shared) zones host several tenants; C(dedicated) zones one. Defaults to C(shared) on create.
    type: str
    choices: [shared, dedicated]
  networking:
    description:
      - Network placement of the control plane.
    type: dict
    suboptions:
      subnets:
        description: Subnet IDs for the control plane (EKS).
        type: list
        elements: str
      security_groups:
        description: Additional security group IDs (EKS).
        type: list
        elements: str
      endpoint_public_access:
        description: Whether the API endpoint is reachable from the internet.
        type: bool
      endpoint_private_access:
        description: Whether the API endpoint is reachable from inside the network.
        type: bool
  logging:
    description:
      - Control-plane log types to enable; an empty list disables them all.
    type: list
    elements: str
    choices: [api, audit, authenticator, controllerManager, scheduler]
  tags:
    description:
      - Tags of the zone. Given tags replace the current ones.
    type: dict
  wait:
    description:
      - Wait until the zone is ready (or gone, for C(absent)).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait before failing with the last state seen.
    type: int
    default: 1800
  kubeconfig_dest:
    description:
      - Write the zone's kubeconfig to this path with mode C(0600). The task reports a change when the file changes.
      - The file is written as JSON (a kubeconfig is YAML, and JSON is YAML), which the Kubernetes-side
        modules of this collection read without importing PyYAML.
    type: path
'''

EXAMPLES = r'''
- name: A local zone for development
  aizone.platform.zone:
    name: dev
    provider: local
    kubeconfig_dest: "{{ playbook_dir }}/dev.kubeconfig"

- name: An EKS zone with private endpoint and audit logs
  aizone.platform.zone:
    name: train
    provider: eks
    region: us-east-1
    kubernetes_version: "1.33"
    zone_type: dedicated
    networking:
      subnets: [subnet-0a1, subnet-0b2]
      endpoint_public_access: false
      endpoint_private_access: true
    logging: [api, audit]
    tags:
      team: ml
    wait_timeout: 1800

- name: Stop a local zone, keeping it
  aizone.platform.zone:
    name: dev
    provider: local
    state: stopped

- name: Delete a zone and its node pools
  aizone.platform.zone:
    name: train
    provider: eks
    region: us-east-1
    state: absent
'''

RETURN = r'''
cost:
  description:
    - The zone's estimated cost before and after the task, in US dollars (a month is 730 hours), made of its control
      plane fee (EKS and GKE 0.10 USD an hour, AKS Free tier none, the local zone none) and its node pools as they
      are (desired node counts x catalog price for the region, with source and date). A deleted zone costs nothing
      after; a stopped one keeps its control plane and no nodes. M(aizone.platform.node_pools) reports the cost of
      a change of the pools and holds it to a budget.
    - C(before) and C(after) hold C(hourly), C(monthly), C(monthly_min) and C(monthly_max); C(diff) after minus
      before; C(control_plane) the fee with its source; C(pools) each pool's figures.
  returned: always
  type: dict
  sample:
    before: {hourly: 0.0, monthly: 0.0, monthly_min: 0.0, monthly_max: 0.0}
    after: {hourly: 0.1, monthly: 73.0, monthly_min: 73.0, monthly_max: 73.0}
    diff: {hourly: 0.1, monthly: 73.0}
zone:
  description: The zone after the task (predicted in check mode); null when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Zone name.
      type: str
    provider:
      description: Provider name.
      type: str
    region:
      description: Region.
      type: str
    kubernetes_version:
      description: Kubernetes minor version.
      type: str
    zone_type:
      description: C(shared) or C(dedicated).
      type: str
    networking:
      description: Subnets, security groups and endpoint access.
      type: dict
    logging:
      description: Enabled control-plane log types, sorted.
      type: list
      elements: str
    tags:
      description: Tags.
      type: dict
    status:
      description:
        - Provider status, for example C(ACTIVE) or C(RUNNING); null when predicted.
        - A C(local) zone is C(RUNNING) when its API server, etcd, controller manager, scheduler and KWOK
          controller are all healthy, C(STOPPED) when none runs, C(DEGRADED) otherwise.
      type: str
    status_message:
      description: For a C(DEGRADED) local zone, each unhealthy component and why (the tail of its log).
      type: str
      returned: provider local
    endpoint:
      description: API server URL; null when predicted.
      type: str
  sample:
    name: dev
    provider: local
    region: local
    kubernetes_version: "1.36"
    zone_type: shared
    networking: {subnets: [], security_groups: [], endpoint_public_access: false, endpoint_private_access: true}
    logging: []
    tags: {team: ml}
    status: RUNNING
    endpoint: https://127.0.0.1:32765
changed_fields:
  description: Settings that differed on an existing zone (dotted paths for networking).
  returned: when the zone existed
  type: list
  elements: str
  sample: [tags, networking.endpoint_public_access]
kubeconfig_dest:
  description: Absolute path the kubeconfig was written to.
  returned: when O(kubeconfig_dest) is set and state is present
  type: str
kubeconfig_changed:
  description: Whether the kubeconfig file was (or in check mode would be) written.
  returned: when O(kubeconfig_dest) is set and state is present
  type: bool
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args
from ansible_collections.aizone.platform.plugins.module_utils.zones.converge import converge_zone
from ansible_collections.aizone.platform.plugins.module_utils.zones.spec import LOG_TYPES, ZONE_STATES, ZONE_TYPES, ZONE_WAIT_TIMEOUT


ARGUMENT_SPEC = dict(
    PROVIDER_ARGS,
    name=dict(type="str", required=True),
    state=dict(type="str", default="present", choices=list(ZONE_STATES)),
    kubernetes_version=dict(type="str"),
    zone_type=dict(type="str", choices=list(ZONE_TYPES)),
    networking=dict(type="dict", options=dict(
        subnets=dict(type="list", elements="str"),
        security_groups=dict(type="list", elements="str"),
        endpoint_public_access=dict(type="bool"),
        endpoint_private_access=dict(type="bool"),
    )),
    logging=dict(type="list", elements="str", choices=list(LOG_TYPES)),
    tags=dict(type="dict"),
    kubeconfig_dest=dict(type="path", no_log=False),
    **wait_args(ZONE_WAIT_TIMEOUT)
)


def main():
    run_module(ARGUMENT_SPEC, lambda m: converge_zone(m.params, check_mode=m.check_mode))


if __name__ == "__main__":
    main()
