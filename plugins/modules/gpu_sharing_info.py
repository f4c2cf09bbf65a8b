#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: gpu_sharing_info
short_description: Report how the GPUs of node pools are shared
version_added: 0.1.0
description:
  - Reads, per node pool, the sharing mode written by M(aizone.platform.gpu_sharing) (from the device-plugin
    and mig-parted ConfigMaps), the pool's GPU model, its nodes' C(nvidia.com/) labels and GPU extended
    resources, and the GPU Operator fields of the C(cluster-policy) ClusterPolicy.
  - Read-only; never changes anything.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.kube, aizone.platform.attributes.info]
options:
  node_pools:
    description:
      - Names of the node pools to report. Defaults to every pool with nodes labelled C(aizone.io/node-pool).
    type: list
    elements: str
  operator_namespace:
    description: Namespace of the GPU Operator's ConfigMaps.
    type: str
    default: gpu-operator
seealso:
  - module: aizone.platform.gpu_sharing
"""

EXAMPLES = r"""
- name: How is gpu-infer shared?
  aizone.platform.gpu_sharing_info:
    kubeconfig: "{{ zone_kubeconfig }}"
    node_pools: [gpu-infer]
  register: sharing

- name: Show the MIG resources of the pool
  ansible.builtin.debug:
    var: sharing.node_pools[0].resources
"""

RETURN = r"""
node_pools:
  description: One entry per pool, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Node pool name.
      type: str
    mode:
      description: none, time_slicing or mig, as configured in the device-plugin ConfigMap.
      type: str
    gpu_model:
      description: The pool's canonical GPU model (aizone.io/gpu-model of its nodes; comma-joined if they disagree), or null without nodes.
      type: str
    time_slicing:
      description: replicas, rename and fail_requests_greater_than_one.
      type: dict
      returned: when mode is time_slicing
    mig:
      description: strategy and profiles per GPU.
      type: dict
      returned: when mode is mig
      sample: {strategy: mixed, profiles: {"3g.40gb": 2}}
    nodes:
      description: Per node - name, emulated (a KWOK node), nvidia.com/ labels and GPU capacity.
      type: list
      elements: dict
    resources:
      description: GPU extended resources summed over the pool's nodes.
      type: dict
      sample: {"nvidia.com/gpu": 24}
cluster_policy:
  description: Whether the CRD and the ClusterPolicy exist, and the fields gpu_sharing owns.
  returned: always
  type: dict
  sample:
    exists: true
    crd_installed: true
    device_plugin_config: {name: aizone-device-plugin-config}
    mig_strategy: mixed
    mig_manager_config: {name: aizone-mig-parted-config}
    dcgm_exporter: {enabled: true}
"""

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.gpu.info import info
from ansible_collections.aizone.platform.plugins.module_utils.gpu.spec import DEFAULT_OPERATOR_NAMESPACE
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS


def main():
    argument_spec = dict(
        node_pools=dict(type="list", elements="str"),
        operator_namespace=dict(type="str", default=DEFAULT_OPERATOR_NAMESPACE),
    )
    argument_spec.update(K8S_AUTH_ARGS)
    run_module(argument_spec, lambda mod: info(mod.params))


if __name__ == "__main__":
    main()
