#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: tenant_info
short_description: Read the tenants this collection manages, with quota usage
version_added: 0.1.0
description:
  - Lists the tenants written by M(aizone.platform.tenant) (namespaces labelled
    C(app.kubernetes.io/managed-by=aizone.platform) and C(aizone.io/tenant)) with their quotas
    (hard and used), LimitRange, RoleBindings and network isolation.
  - Costs one LIST per kind whatever the number of tenants. Read only.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.kube, aizone.platform.attributes.info]
options:
  names:
    description: Only these tenants. Default is every managed tenant.
    type: list
    elements: str
    default: []
'''

EXAMPLES = r'''
- name: Read GPU quota usage of every tenant
  aizone.platform.tenant_info:
    kubeconfig: "{{ zone_kubeconfig }}"
  register: tenants

- name: Show GPUs used by team-nlp
  ansible.builtin.debug:
    msg: "{{ (tenants.tenants | selectattr('name', 'eq', 'team-nlp') | first).quotas[0].used }}"
'''

RETURN = r'''
tenants:
  description: The managed tenants, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Tenant (namespace) name.
      type: str
    phase:
      description: Namespace phase, Active or Terminating.
      type: str
    labels:
      description: Namespace labels other than the ones the module sets.
      type: dict
    annotations:
      description: Namespace annotations.
      type: dict
    pod_security:
      description: Enforced Pod Security Standards level.
      type: str
    quotas:
      description: ResourceQuotas, with C(hard), C(used) and the C(priority_classes) they are scoped to.
      type: list
      elements: dict
    limit_range:
      description: The container item of the LimitRange, or null.
      type: dict
    access:
      description: RoleBindings as C(role) and C(subjects).
      type: list
      elements: dict
    network_isolation:
      description: Whether the isolation NetworkPolicy exists.
      type: bool
  sample:
    - name: team-nlp
      phase: Active
      pod_security: restricted
      quotas: [{name: tenant-quota, hard: {requests.nvidia.com/gpu: "4"}, used: {requests.nvidia.com/gpu: "2"},
                priority_classes: []}]
      network_isolation: true
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.tenants.converge import describe


def main():
    argument_spec = dict(names=dict(type="list", elements="str", default=[]))
    argument_spec.update(K8S_AUTH_ARGS)
    run_module(argument_spec, lambda m: describe(m.params))


if __name__ == "__main__":
    main()
