#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ray_cluster
short_description: Converge a KubeRay RayCluster (ray.io/v1) and wait for the pods the operator makes of it
version_added: 0.1.0
description:
  - Converges one C(ray.io/v1) RayCluster in a namespace (a tenant), with a head group and worker groups with
    minimum and maximum replicas, GPUs per worker and node pool placement, with KubeRay's in-tree
    autoscaling on or off.
  - Pool placement is derived from the pool's nodes as in M(aizone.platform.workload), with node selector
    C(aizone.io/node-pool=<pool>) and one toleration per taint of the pool's nodes.
  - The upstream C(rayclusters.ray.io) CRD and the KubeRay operator come with the V(kuberay) add-on
    (M(aizone.platform.addon)); without it the task fails saying so, and check mode predicts the cluster as
    created.
  - The KubeRay operator makes the head pod, one pod per worker replica and the C(<name>-head-svc) Service;
    with O(wait) the task waits until every pod runs. A wait that fails names the reason - the operator never
    reconciled the cluster (is its add-on running?), the quota refused the pods (the admission message, at
    once when a pod asks for more than the quota's hard limit), or the pods are Pending (the scheduler's
    message).
  - Pods carry what the restricted Pod Security Standard asks, the autoscaler sidecar included.
  - Nothing is written when the cluster is converged.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.kube
  - aizone.platform.attributes.kubernetes
  - aizone.platform.compute_cluster
  - aizone.platform.wait
  - aizone.platform.objects
options:
  ray_version:
    description: Ray version the cluster runs (C(spec.rayVersion)).
    type: str
    default: 2.41.0
  image:
    description: Ray image of the head and workers; C(rayproject/ray:<ray_version default>) when omitted.
    type: str
  head:
    description: The head group.
    type: dict
    default: {}
    suboptions:
      cpu:
        description: CPU request and limit.
        type: str
        default: "2"
      memory:
        description: Memory request and limit.
        type: str
        default: 8Gi
      pool:
        description: Node pool of the head pod.
        type: str
      service_type:
        description: Type of the head Service.
        type: str
        choices: [ClusterIP, NodePort, LoadBalancer]
        default: ClusterIP
      ray_start_params:
        description: Extra C(ray start) parameters (C(dashboard-host) is C(0.0.0.0) by default).
        type: dict
  worker_groups:
    description: Worker groups.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Group name.
        type: str
        required: true
      replicas:
        description: Starting replicas; O(worker_groups[].min_replicas) by default.
        type: int
      min_replicas:
        description: Lower bound for the autoscaler.
        type: int
        default: 0
      max_replicas:
        description: Upper bound for the autoscaler; at least O(worker_groups[].replicas).
        type: int
      cpu:
        description: CPU request and limit of each worker.
        type: str
        default: "4"
      memory:
        description: Memory request and limit of each worker.
        type: str
        default: 16Gi
      gpus:
        description: GPUs per worker (or MIG slices with O(worker_groups[].mig_profile), or shared replicas).
        type: int
      mig_profile:
        description: Ask MIG slices of this profile (C(nvidia.com/mig-<profile>)).
        type: str
      shared_gpu:
        description: Ask time-sliced replicas C(nvidia.com/gpu.shared).
        type: bool
      pool:
        description: Node pool of the group's pods.
        type: str
      ray_start_params:
        description: Extra C(ray start) parameters of the group.
        type: dict
  autoscaling:
    description: KubeRay in-tree autoscaling (C(enableInTreeAutoscaling)).
    type: dict
    default: {}
    suboptions:
      enabled:
        description: Run the Ray autoscaler, scaling groups between their min and max.
        type: bool
        default: true
      idle_timeout_seconds:
        description: Seconds an idle worker is kept before scale-down.
        type: int
        default: 60
'''

EXAMPLES = r'''
- name: Ray cluster of the training tenant on the A100 pool
  aizone.platform.ray_cluster:
    kubeconfig: "{{ zone_kubeconfig }}"
    name: training-ray
    namespace: training
    head: {cpu: "4", memory: 16Gi, pool: cpu}
    worker_groups:
      - {name: a100, min_replicas: 0, max_replicas: 8, replicas: 1, gpus: 1, cpu: "8", memory: 64Gi,
         pool: gpu-a100}
'''

RETURN = r'''
api_requests:
  description: Requests this task sent to the API server, by HTTP method (see the notes).
  returned: always
  type: dict
  sample: {GET: 6, PATCH: 6}
cluster:
  description:
    - The RayCluster and what happened to it (created, updated, unchanged, deleted).
    - C(running_pods) counts the running pods per group (C(headgroup) and each worker group) after the wait.
  returned: always
  type: dict
  sample: {name: training-ray, namespace: training, action: created, running_pods: {headgroup: 1, h100: 2}}
objects:
  description: The objects that changed, with the action taken or predicted (every object with O(list_unchanged)); the shape is in the notes.
  returned: always
  type: list
  elements: dict
  sample: [{apiVersion: ray.io/v1, kind: RayCluster, namespace: team, name: c1, action: created}]
object_counts:
  description: How many objects of the run each action concerned.
  returned: always
  type: dict
  sample: {created: 0, deleted: 0, unchanged: 11, updated: 1}
'''

from ansible_collections.aizone.platform.plugins.module_utils.compute.converge import converge
from ansible_collections.aizone.platform.plugins.module_utils.compute.spec import (
    DEFAULT_RAY_VERSION, DEFAULT_SERVICE_TYPE, DEFAULTS, SERVICE_TYPES, common_args, group_args)
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS, REPORT_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args


def main():
    head = group_args(DEFAULTS["ray"]["head"])
    for key in ("gpus", "mig_profile", "shared_gpu"):
        head.pop(key)
    argument_spec = common_args()
    argument_spec.update(
        ray_version=dict(type="str", default=DEFAULT_RAY_VERSION),
        head=dict(type="dict", default={}, options=dict(
            head,
            service_type=dict(type="str", choices=list(SERVICE_TYPES), default=DEFAULT_SERVICE_TYPE),
            ray_start_params=dict(type="dict"),
        )),
        worker_groups=dict(type="list", elements="dict", default=[], options=dict(
            group_args(DEFAULTS["ray"]["worker"]),
            name=dict(type="str", required=True),
            replicas=dict(type="int"),
            min_replicas=dict(type="int", default=0),
            max_replicas=dict(type="int"),
            ray_start_params=dict(type="dict"),
        )),
        autoscaling=dict(type="dict", default={}, options=dict(
            enabled=dict(type="bool", default=True),
            idle_timeout_seconds=dict(type="int", default=DEFAULTS["ray"]["idle_timeout_seconds"]),
        )),
    )
    argument_spec.update(wait_args())
    argument_spec.update(K8S_AUTH_ARGS)
    argument_spec.update(REPORT_ARGS)
    run_module(argument_spec, lambda m: converge("ray", m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
