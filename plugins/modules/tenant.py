#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: tenant
short_description: Converge a list of tenants (namespace, quotas, limits, access, isolation) on a cluster
version_added: 0.1.0
description:
  - One task converges a whole list of tenants. A tenant is a namespace of the same name with a
    ResourceQuota, optional quotas per PriorityClass, a LimitRange, RoleBindings and a NetworkPolicy.
  - Cluster-wide PriorityClasses can be converged in the same task.
  - Everything is validated locally, including quantities against the Kubernetes quantity grammar,
    before any API call.
  - Objects are written with server-side apply in one batch; objects already converged cost no
    request beyond one LIST per kind, so a second run makes no write request.
  - Every object is labelled C(app.kubernetes.io/managed-by=aizone.platform) and
    C(aizone.io/tenant=<name>).
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.kube, aizone.platform.attributes.kubernetes, aizone.platform.wait, aizone.platform.objects]
options:
  tenants:
    description:
      - The tenants. With O(state=present) each is created or updated; with O(state=absent) each
        listed tenant's namespace (and so everything in it) is deleted.
      - Objects carrying a listed tenant's label that the spec no longer asks for (a role dropped from
        O(tenants[].access)) are deleted.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - Tenant and namespace name (a DNS-1123 label).
          - Namespaces the cluster or an add-on owns are refused - C(kube-*), C(default), C(gpu-operator) and
            the add-ons' namespaces (C(kuberay-system), C(dask-operator), C(keda)).
        type: str
        required: true
      labels:
        description: Extra labels of the namespace.
        type: dict
        default: {}
      annotations:
        description: Annotations of the namespace.
        type: dict
        default: {}
      pod_security:
        description: Pod Security Standards level, set as the enforce, audit and warn labels of the namespace.
        type: str
        choices: [privileged, baseline, restricted]
        default: restricted
      quota:
        description:
          - Hard limits of the ResourceQuota C(tenant-quota), resource name to quantity, for example
            C(cpu), C(memory), C(pods), C(persistentvolumeclaims), C(requests.storage),
            C(requests.nvidia.com/gpu), C(requests.nvidia.com/mig-1g.10gb).
          - GPUs and other extended resources are limited as C(requests.<resource>);
            C(limits.nvidia.com/gpu) is rejected because Kubernetes never enforces it.
        type: dict
      priority_class_quotas:
        description:
          - Quotas per PriorityClass, class name to a mapping like O(tenants[].quota). Each becomes the
            ResourceQuota C(tenant-quota-<class>) with a PriorityClass scope selector.
        type: dict
        default: {}
      limit_range:
        description:
          - Container defaults and bounds of the LimitRange C(tenant-limits). Keys C(default),
            C(default_request), C(max), C(min), C(max_limit_request_ratio), each a mapping of resource
            name to quantity.
        type: dict
      access:
        description: RoleBindings C(tenant-<role>) giving groups, users or service accounts a cluster role.
        type: list
        elements: dict
        default: []
        suboptions:
          role:
            description: The ClusterRole to bind.
            type: str
            required: true
            choices: [admin, edit, view]
          groups:
            description: Group names.
            type: list
            elements: str
            default: []
          users:
            description: User names.
            type: list
            elements: str
            default: []
          service_accounts:
            description: Service accounts, C(name) (in the tenant's namespace) or C(namespace/name).
            type: list
            elements: str
            default: []
      network_isolation:
        description:
          - Write the NetworkPolicy C(tenant-isolation) denying ingress except from the namespace itself,
            O(platform_namespaces) and O(tenants[].allow_from_namespaces).
        type: bool
        default: true
      allow_from_namespaces:
        description: Further namespaces allowed to reach this tenant's pods.
        type: list
        elements: str
        default: []
      volume_claims:
        description:
          - PersistentVolumeClaims in the tenant's namespace (see M(aizone.platform.storage_classes)). A claim
            left out of the list is kept - it holds data; one with C(state=absent) is deleted.
          - The quota's C(requests.storage), C(persistentvolumeclaims) and
            C(<class>.storageclass.storage.k8s.io/requests.storage) keys bound them.
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description: Claim name.
            type: str
            required: true
          size:
            description: Storage requested, like C(20Gi); it can grow where the class allows expansion, never shrink.
            type: str
            required: true
          storage_class:
            description: StorageClass; the zone's default class when omitted.
            type: str
          access_mode:
            description: How pods may mount it.
            type: str
            choices: [ReadWriteOnce, ReadWriteMany, ReadOnlyMany, ReadWriteOncePod]
            default: ReadWriteOnce
          state:
            description: C(absent) deletes the claim (once no pod uses it).
            type: str
            choices: [present, absent]
            default: present
  state:
    description: Whether the listed tenants should exist.
    type: str
    choices: [present, absent]
    default: present
  prune:
    description:
      - Delete the tenants this collection manages (namespaces labelled
        C(app.kubernetes.io/managed-by=aizone.platform) and C(aizone.io/tenant)) that are not listed,
        narrowed by O(prune_selector). Nothing without those labels is ever deleted.
      - With O(priority_classes) given, also delete the managed PriorityClasses not listed.
      - With an empty O(tenants) list, every managed tenant matching O(prune_selector) is deleted.
      - Only with O(state=present).
    type: bool
    default: false
  prune_selector:
    description:
      - Labels a tenant namespace must carry to be pruned, so several tenant lists can share a
        cluster. Default is every managed tenant.
    type: dict
    default: {}
  platform_namespaces:
    description: Namespaces (ingress controllers, monitoring) allowed to reach every tenant.
    type: list
    elements: str
    default: []
  priority_classes:
    description:
      - Cluster-wide PriorityClasses to converge, whatever O(state) is. Not touched when omitted.
      - The platform's tiers are production-inference 1000, critical-agents 900, training 500,
        research 100 and development 50.
    type: list
    elements: dict
    suboptions:
      name:
        description: Class name.
        type: str
        required: true
      value:
        description: Priority, up to 1000000000.
        type: int
        required: true
      description:
        description: Free text shown by kubectl.
        type: str
      global_default:
        description: Use this class for pods naming none. At most one class may set it.
        type: bool
        default: false
      preemption_policy:
        description: Whether pods of this class preempt lower ones.
        type: str
        choices: [PreemptLowerPriority, Never]
        default: PreemptLowerPriority
'''

EXAMPLES = r'''
- name: Converge the tenants of the zone
  aizone.platform.tenant:
    kubeconfig: "{{ zone_kubeconfig }}"
    platform_namespaces: [ingress-nginx, monitoring]
    priority_classes:
      - {name: production-inference, value: 1000}
      - {name: critical-agents, value: 900}
      - {name: training, value: 500}
      - {name: research, value: 100}
      - {name: development, value: 50}
    tenants:
      - name: team-vision
        labels: {cost-center: cv-42}
        quota:
          requests.cpu: "64"
          requests.memory: 256Gi
          pods: 200
          persistentvolumeclaims: 20
          requests.storage: 2Ti
          requests.nvidia.com/gpu: 8
        priority_class_quotas:
          production-inference: {requests.nvidia.com/gpu: 4}
        limit_range:
          default: {cpu: "1", memory: 2Gi}
          default_request: {cpu: 500m, memory: 1Gi}
        access:
          - {role: admin, groups: [vision-leads]}
          - {role: edit, groups: [vision-devs]}
      - name: team-nlp
        pod_security: baseline
        quota: {requests.nvidia.com/gpu: 4, requests.nvidia.com/mig-1g.10gb: 14}

- name: Remove every managed tenant not listed above
  aizone.platform.tenant:
    tenants: "{{ tenants }}"
    prune: true

- name: Remove one tenant
  aizone.platform.tenant:
    tenants: [{name: team-old}]
    state: absent
'''

RETURN = r'''
tenants:
  description: Each tenant touched and what happened to it.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Tenant name.
      type: str
    action:
      description: created, updated, deleted or unchanged.
      type: str
  sample: [{name: team-vision, action: created}]
objects:
  description: The objects that changed, with the action taken or predicted (every object with O(list_unchanged)); the shape is in the notes.
  returned: always
  type: list
  elements: dict
  sample: [{apiVersion: v1, kind: ResourceQuota, namespace: team-nlp, name: tenant-quota, action: updated}]
object_counts:
  description: How many objects of the run each action concerned.
  returned: always
  type: dict
  sample: {created: 0, deleted: 0, unchanged: 11, updated: 1}
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS, REPORT_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.tenants.converge import converge
from ansible_collections.aizone.platform.plugins.module_utils.tenants.spec import (
    ACCESS_MODES, DEFAULT_POD_SECURITY, DEFAULT_PREEMPTION_POLICY, POD_SECURITY_LEVELS, PREEMPTION_POLICIES, ROLES,
    STATES)
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args

TENANT_OPTIONS = dict(
    name=dict(type="str", required=True),
    labels=dict(type="dict", default={}),
    annotations=dict(type="dict", default={}),
    pod_security=dict(type="str", choices=list(POD_SECURITY_LEVELS), default=DEFAULT_POD_SECURITY),
    quota=dict(type="dict"),
    priority_class_quotas=dict(type="dict", default={}),
    limit_range=dict(type="dict"),
    access=dict(type="list", elements="dict", default=[], options=dict(
        role=dict(type="str", required=True, choices=list(ROLES)),
        groups=dict(type="list", elements="str", default=[]),
        users=dict(type="list", elements="str", default=[]),
        service_accounts=dict(type="list", elements="str", default=[]),
    )),
    network_isolation=dict(type="bool", default=True),
    allow_from_namespaces=dict(type="list", elements="str", default=[]),
    volume_claims=dict(type="list", elements="dict", default=[], options=dict(
        name=dict(type="str", required=True),
        size=dict(type="str", required=True),
        storage_class=dict(type="str"),
        access_mode=dict(type="str", choices=list(ACCESS_MODES), default="ReadWriteOnce"),
        state=dict(type="str", choices=list(STATES), default="present"),
    )),
)

PRIORITY_CLASS_OPTIONS = dict(
    name=dict(type="str", required=True),
    value=dict(type="int", required=True),
    description=dict(type="str"),
    global_default=dict(type="bool", default=False),
    preemption_policy=dict(type="str", choices=list(PREEMPTION_POLICIES), default=DEFAULT_PREEMPTION_POLICY),
)


def main():
    argument_spec = dict(
        tenants=dict(type="list", elements="dict", default=[], options=TENANT_OPTIONS),
        state=dict(type="str", choices=list(STATES), default="present"),
        prune=dict(type="bool", default=False),
        prune_selector=dict(type="dict", default={}),
        platform_namespaces=dict(type="list", elements="str", default=[]),
        priority_classes=dict(type="list", elements="dict", options=PRIORITY_CLASS_OPTIONS),
    )
    argument_spec.update(wait_args())
    argument_spec.update(K8S_AUTH_ARGS)
    argument_spec.update(REPORT_ARGS)
    run_module(argument_spec, lambda m: converge(m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
