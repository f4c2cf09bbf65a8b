#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: inference_service_info
short_description: The inference services of a zone or namespace, as they run
version_added: 0.3.0
description:
  - Lists the services M(aizone.platform.inference_service) made - runtime, image, model, pool, replicas and
    readiness, GPU limits, autoscaler (with the ScaledObject's query) and pods with their nodes. Read-only; one
    LIST per kind.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.kube, aizone.platform.attributes.info]
options:
  namespace:
    description: Only this namespace; every namespace by default.
    type: str
seealso:
  - module: aizone.platform.inference_service
'''

EXAMPLES = r'''
- name: Which pool each model runs on, and how it scales
  aizone.platform.inference_service_info:
    kubeconfig: "{{ aizone_kubeconfig }}"
    namespace: inference
  register: serving
'''

RETURN = r'''
services:
  description: One entry per service, sorted by namespace and name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Its name.
      type: str
    namespace:
      description: Its namespace.
      type: str
    runtime:
      description: C(vllm) or C(triton).
      type: str
    image:
      description: The server image.
      type: str
    pool:
      description: The node pool.
      type: str
    model:
      description: Runtime, source, size and type of the model served.
      type: str
    replicas:
      description: Replicas asked for (set by the autoscaler when there is one).
      type: int
    ready_replicas:
      description: Replicas ready.
      type: int
    resources:
      description: The server container's limits.
      type: dict
    autoscaling:
      description: Its ScaledObject or HorizontalPodAutoscaler (C(kind), C(min), C(max), C(query), C(threshold)).
      type: list
      elements: dict
    pods:
      description: Its pods (C(name), C(phase), C(node)).
      type: list
      elements: dict
  sample:
    - name: llm-serving
      namespace: inference
      runtime: vllm
      image: vllm/vllm-openai:v0.33.0
      pool: a100-mig
      model: vllm meta-llama/Llama-3.1-8B-Instruct 8B bfloat16
      replicas: 2
      ready_replicas: 2
      resources: {nvidia.com/mig-3g.40gb: "1"}
      autoscaling: [{kind: ScaledObject, min: 2, max: 6, threshold: "5",
                     query: 'sum(vllm:num_requests_waiting{model_name="llama-3.1-8b-instruct",namespace="inference"})'}]
      pods: [{name: llm-serving-7c9d-x2x7k, phase: Running, node: aizone-local-a100-mig-0}]
api_requests:
  description: Kubernetes API requests by HTTP method.
  returned: always
  type: dict
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.mlops.serving import info


def main():
    spec = dict(namespace=dict(type="str"))
    spec.update(K8S_AUTH_ARGS)
    run_module(spec, lambda m: info(m.params))


if __name__ == "__main__":
    main()
