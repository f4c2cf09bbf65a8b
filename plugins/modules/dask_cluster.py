#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: dask_cluster
short_description: Converge a Dask cluster (kubernetes.dask.org/v1 DaskCluster) and wait for the pods the operator makes of it
version_added: 0.1.0
description:
  - Converges one C(kubernetes.dask.org/v1) DaskCluster in a namespace (a tenant), with a scheduler with its
    Service and a worker spec with replicas, resources (GPUs included) and node pool placement.
  - Pool placement is derived from the pool's nodes as in M(aizone.platform.workload).
  - The upstream C(daskclusters.kubernetes.dask.org) CRD and the Dask operator come with the V(dask) add-on
    (M(aizone.platform.addon)); without it the task fails saying so, and check mode predicts the cluster as
    created.
  - The Dask operator makes a scheduler Deployment and Service (C(<name>-scheduler)) and one Deployment per
    worker; with O(wait) the task waits until every pod runs. A wait that fails names the reason - the
    operator never reconciled the cluster (is its add-on running?), the quota refused the pods (the admission
    message, at once when a pod asks for more than the quota's hard limit), or the pods are Pending (the
    scheduler's message).
  - Pods carry what the restricted Pod Security Standard asks.
  - Nothing is written when the cluster is converged.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.kube
  - aizone.platform.attributes.kubernetes
  - aizone.platform.compute_cluster
  - aizone.platform.wait
  - aizone.platform.objects
options:
  image:
    description: Dask image of the scheduler and workers; C(ghcr.io/dask/dask:2024.12.1) when omitted.
    type: str
  scheduler:
    description: The scheduler.
    type: dict
    default: {}
    suboptions:
      cpu:
        description: CPU request and limit.
        type: str
        default: "1"
      memory:
        description: Memory request and limit.
        type: str
        default: 4Gi
      pool:
        description: Node pool of the scheduler pod.
        type: str
      service_type:
        description: Type of the scheduler Service.
        type: str
        choices: [ClusterIP, NodePort, LoadBalancer]
        default: ClusterIP
  worker:
    description: The workers.
    type: dict
    default: {}
    suboptions:
      replicas:
        description: Number of workers.
        type: int
        default: 2
      cpu:
        description: CPU request and limit of each worker.
        type: str
        default: "2"
      memory:
        description: Memory request and limit of each worker.
        type: str
        default: 8Gi
      gpus:
        description: GPUs per worker (or MIG slices with O(worker.mig_profile), or shared replicas).
        type: int
      mig_profile:
        description: Ask MIG slices of this profile (C(nvidia.com/mig-<profile>)).
        type: str
      shared_gpu:
        description: Ask time-sliced replicas C(nvidia.com/gpu.shared).
        type: bool
      pool:
        description: Node pool of the worker pods.
        type: str
'''

EXAMPLES = r'''
- name: Dask cluster for data processing on the CPU pool
  aizone.platform.dask_cluster:
    kubeconfig: "{{ zone_kubeconfig }}"
    name: etl
    namespace: mlops
    scheduler: {pool: cpu}
    worker: {replicas: 4, cpu: "4", memory: 16Gi, pool: cpu}
'''

RETURN = r'''
api_requests:
  description: Requests this task sent to the API server, by HTTP method (see the notes).
  returned: always
  type: dict
  sample: {GET: 6, PATCH: 6}
cluster:
  description:
    - The DaskCluster and what happened to it (created, updated, unchanged, deleted).
    - C(running_pods) counts the running pods of the scheduler and of the workers after the wait.
  returned: always
  type: dict
  sample: {name: etl, namespace: mlops, action: created, running_pods: {scheduler: 1, worker: 4}}
objects:
  description: The objects that changed, with the action taken or predicted (every object with O(list_unchanged)); the shape is in the notes.
  returned: always
  type: list
  elements: dict
  sample: [{apiVersion: kubernetes.dask.org/v1, kind: DaskCluster, namespace: team, name: c1, action: created}]
object_counts:
  description: How many objects of the run each action concerned.
  returned: always
  type: dict
  sample: {created: 0, deleted: 0, unchanged: 11, updated: 1}
'''

from ansible_collections.aizone.platform.plugins.module_utils.compute.converge import converge
from ansible_collections.aizone.platform.plugins.module_utils.compute.spec import (
    DEFAULT_SERVICE_TYPE, DEFAULTS, SERVICE_TYPES, common_args, group_args)
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS, REPORT_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args


def main():
    scheduler = group_args(DEFAULTS["dask"]["scheduler"])
    for key in ("gpus", "mig_profile", "shared_gpu"):
        scheduler.pop(key)
    argument_spec = common_args()
    argument_spec.update(
        scheduler=dict(type="dict", default={}, options=dict(
            scheduler,
            service_type=dict(type="str", choices=list(SERVICE_TYPES), default=DEFAULT_SERVICE_TYPE),
        )),
        worker=dict(type="dict", default={}, options=dict(
            group_args(DEFAULTS["dask"]["worker"]),
            replicas=dict(type="int", default=DEFAULTS["dask"]["worker"]["replicas"]),
        )),
    )
    argument_spec.update(wait_args())
    argument_spec.update(K8S_AUTH_ARGS)
    argument_spec.update(REPORT_ARGS)
    run_module(argument_spec, lambda m: converge("dask", m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
