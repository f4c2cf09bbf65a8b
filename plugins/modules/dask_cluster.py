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
author:
  - aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.kube
attributes:
  check_mode:
    support: full
    description:
      - Predicted with the API server's dry run. When the CRD is not installed yet, the DaskCluster cannot
        be dry-run and is reported as created.
  diff_mode:
    support: full
    description: Before and after of every object created or updated.
options:
  name:
    description: DaskCluster name (a DNS-1035 label).
    type: str
    required: true
  namespace:
    description: Namespace of the DaskCluster; it must exist (for example a tenant).
    type: str
    required: true
  state:
    description:
      - V(present) converges the DaskCluster (and CRD and operator); V(absent) deletes the DaskCluster
        only, leaving the CRD and operator to other clusters.
    type: str
    choices: [present, absent]
    default: present
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
  wait:
    description: Wait for the operator's rollout (present) or for the DaskCluster to be gone (absent).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 300
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
  description:
    - Requests this task sent to the API server, by HTTP method (reads included). A run that finds
      everything converged sends only GET requests.
  returned: always
  type: dict
  sample: {GET: 4}
changed:
  description: Whether anything was (or in check mode would be) written.
  returned: always
  type: bool
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
  description: Every object of the run with its action.
  returned: always
  type: list
  elements: dict
diff:
  description: Before and after of each object created, updated or deleted (with --diff).
  returned: when diff mode is on
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.compute.spec import converge

GROUP_OPTIONS = dict(
    cpu=dict(type="str"),
    memory=dict(type="str"),
    gpus=dict(type="int"),
    mig_profile=dict(type="str"),
    shared_gpu=dict(type="bool"),
    pool=dict(type="str"),
)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        namespace=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        image=dict(type="str"),
        scheduler=dict(type="dict", default={}, options=dict(
            cpu=dict(type="str", default="1"),
            memory=dict(type="str", default="4Gi"),
            pool=dict(type="str"),
            service_type=dict(type="str", choices=["ClusterIP", "NodePort", "LoadBalancer"], default="ClusterIP"),
        )),
        worker=dict(type="dict", default={}, options=dict(
            GROUP_OPTIONS,
            replicas=dict(type="int", default=2),
            cpu=dict(type="str", default="2"),
            memory=dict(type="str", default="8Gi"),
        )),
        operator=dict(type="dict", default={}, options=dict(
            deploy=dict(type="bool", default=True),
            namespace=dict(type="str", default="dask-operator"),
            image=dict(type="str", default="ghcr.io/dask/dask-kubernetes-operator:2024.12.1"),
            pool=dict(type="str"),
        )),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
    )
    argument_spec.update(K8S_AUTH_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    run_module(module, lambda m: converge("dask", m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
