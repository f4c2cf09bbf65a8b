#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: dask_cluster
short_description: Converge a Dask cluster (kubernetes.dask.org/v1 DaskCluster) with its CRD and operator
version_added: 0.1.0
description:
  - Converges one C(kubernetes.dask.org/v1) DaskCluster in a namespace (a tenant), with a scheduler with its
    Service and a worker spec with replicas, resources (GPUs included) and node pool placement.
  - Pool placement is derived from the pool's nodes as in M(aizone.platform.workload).
  - The C(daskclusters.kubernetes.dask.org) CRD is installed when absent. It is a minimal CRD of this
    collection (pod specs kept whole); an existing CRD not written by this collection, such as the one
    of the dask-kubernetes operator's Helm chart, is left alone.
  - With O(operator.deploy) the dask-kubernetes operator is deployed with the workload code, as its
    Namespace (created when absent, never re-applied), a ServiceAccount, a ClusterRole and binding and a
    Deployment of O(operator.image).
  - In the local zone the nodes are simulated (KWOK) and no container runs, so the operator's pod is
    reported Running but does nothing; the DaskCluster is stored and validated by the API server but no
    scheduler or worker pod is created from it. On a real cluster the operator makes them.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.kube
  - aizone.platform.attributes.kubernetes
  - aizone.platform.compute_cluster
  - aizone.platform.wait
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
  operator:
    description: The dask-kubernetes operator.
    type: dict
    default: {}
    suboptions:
      deploy:
        description: Deploy (converge) the operator.
        type: bool
        default: true
      namespace:
        description: Operator namespace (created).
        type: str
        default: dask-operator
      image:
        description: Operator image.
        type: str
        default: ghcr.io/dask/dask-kubernetes-operator:2024.12.1
      pool:
        description: Node pool of the operator pod.
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
    operator: {pool: cpu}
'''

RETURN = r'''
api_requests:
  description: Requests this task sent to the API server, by HTTP method (see the notes).
  returned: always
  type: dict
  sample: {GET: 6, PATCH: 6}
cluster:
  description: The DaskCluster and what happened to it (created, updated, unchanged, deleted).
  returned: always
  type: dict
  sample: {name: etl, namespace: mlops, action: created}
crd:
  description: The CRD and what happened to it; C(foreign) when a CRD not written by this collection is there.
  returned: when state is present
  type: dict
  sample: {name: daskclusters.kubernetes.dask.org, action: unchanged}
objects:
  description: Every object of the run with its action (the shape is in the notes).
  returned: always
  type: list
  elements: dict
  sample: [{apiVersion: kubernetes.dask.org/v1, kind: DaskCluster, namespace: team, name: c1, action: created}]
'''

from ansible_collections.aizone.platform.plugins.module_utils.compute.converge import converge
from ansible_collections.aizone.platform.plugins.module_utils.compute.spec import (
    DEFAULT_SERVICE_TYPE, DEFAULTS, SERVICE_TYPES, common_args, group_args)
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args


def main():
    scheduler = group_args(DEFAULTS["dask"]["scheduler"])
    for key in ("gpus", "mig_profile", "shared_gpu"):
        scheduler.pop(key)
    argument_spec = common_args("dask")
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
    run_module(argument_spec, lambda m: converge("dask", m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
