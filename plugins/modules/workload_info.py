#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: workload_info
short_description: Read the workloads this collection manages, with the pool each pod landed on
version_added: 0.1.0
description:
  - Lists the Deployments, StatefulSets and Jobs written by M(aizone.platform.workload) (labelled
    C(app.kubernetes.io/managed-by=aizone.platform) and C(aizone.io/workload)), their rollout state and
    their pods with the node and node pool each runs on.
  - Read only; at most one LIST per workload kind, one of pods and one of pool nodes.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.kube, aizone.platform.attributes.info]
options:
  namespace:
    description: Only this namespace (every namespace when omitted).
    type: str
  names:
    description: Only workloads with these names.
    type: list
    elements: str
    default: []
  kinds:
    description: Only these kinds.
    type: list
    elements: str
    choices: [Deployment, StatefulSet, Job]
    default: [Deployment, StatefulSet, Job]
'''

EXAMPLES = r'''
- name: Where did the pods of the inference tenant land
  aizone.platform.workload_info:
    kubeconfig: "{{ zone_kubeconfig }}"
    namespace: inference
  register: wl

- name: Show each pod's pool
  ansible.builtin.debug:
    msg: "{{ wl.workloads | map(attribute='pods') | flatten | map(attribute='node_pool') | list }}"
'''

RETURN = r'''
workloads:
  description: Managed workloads, sorted by namespace and name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Workload name.
      type: str
    namespace:
      description: Namespace.
      type: str
    kind:
      description: Deployment, StatefulSet or Job.
      type: str
    pool:
      description: Node pool the workload is placed on (its C(aizone.io/node-pool) label), or null.
      type: str
    image:
      description: Container image.
      type: str
    requests:
      description: Container resource requests.
      type: dict
    limits:
      description: Container resource limits.
      type: dict
    ready:
      description: Whether the rollout is complete (a Job, whether it completed).
      type: bool
    state:
      description: Rollout state text, for example C(2/2 ready, 2 updated).
      type: str
    replicas:
      description: Desired replicas (Deployment and StatefulSet).
      type: int
    ready_replicas:
      description: Ready replicas (Deployment and StatefulSet).
      type: int
    succeeded:
      description: Succeeded pods (Job).
      type: int
    pods:
      description: Pods of the workload.
      type: list
      elements: dict
      contains:
        name:
          description: Pod name.
          type: str
        phase:
          description: Pod phase.
          type: str
        node:
          description: Node the pod is bound to, or null when not scheduled.
          type: str
        node_pool:
          description: Node pool of that node, or null.
          type: str
  sample:
    - name: llm-server
      namespace: inference
      kind: Deployment
      pool: gpu-a100
      image: vllm/vllm-openai:v0.6.3
      requests: {cpu: "8", memory: 64Gi, nvidia.com/gpu: "1"}
      limits: {nvidia.com/gpu: "1"}
      ready: true
      state: 1/1 ready, 1 updated
      replicas: 1
      ready_replicas: 1
      pods: [{name: llm-server-6d9f7-abcde, phase: Running, node: gpu-a100-0, node_pool: gpu-a100}]
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.workloads.converge import describe
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import KINDS


def main():
    argument_spec = dict(
        namespace=dict(type="str"),
        names=dict(type="list", elements="str", default=[]),
        kinds=dict(type="list", elements="str", choices=list(KINDS), default=list(KINDS)),
    )
    argument_spec.update(K8S_AUTH_ARGS)
    run_module(argument_spec, lambda m: describe(m.params))


if __name__ == "__main__":
    main()
