#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: gpu_sharing
short_description: Share the GPUs of node pools with time-slicing or MIG through the NVIDIA GPU Operator
version_added: 0.1.0
description:
  - Sets, per node pool, how its GPUs are shared - not at all, by time-slicing, or by Multi-Instance GPU (MIG) -
    by writing what the NVIDIA GPU Operator reads - the device-plugin ConfigMap with one key per pool, the
    mig-parted ConfigMap with one MIG config per MIG pool, the fields of the C(cluster-policy) ClusterPolicy
    this collection owns, and the labels C(nvidia.com/device-plugin.config) and C(nvidia.com/mig.config) on the
    pool's nodes (found by the label C(aizone.io/node-pool=<pool>)).
  - Every layout is checked against the pool's GPU model (the C(aizone.io/gpu-model) label of its nodes, or
    O(node_pools[].gpu_model)) before anything is written - MIG profiles the model lacks, counts above the
    per-GPU maximum, mixes that cannot be placed on the GPU's slices (and 4g + 3g), MIG on GPUs without MIG
    (T4, A10G, L4, V100), and replicas below 1 fail with a message naming the model and its allowed profiles.
  - The ClusterPolicy is created with the operator's usual defaults when it does not exist; otherwise only
    C(spec.devicePlugin.config.name), C(spec.mig.strategy), C(spec.migManager.config.name) and, when
    O(dcgm_exporter) is given, C(spec.dcgmExporter) (with its ServiceMonitor) are changed.
  - On nodes that no GPU Operator drives (KWOK nodes of the local zone, see O(operator_emulation)) the module
    also plays the operator - it installs the GPU Operator's upstream ClusterPolicy CRD (from its pinned Go
    module, see O(files_dir)) when the CRD is missing and publishes the
    GPU extended resources and labels the device plugin, GPU feature discovery and MIG manager would.
  - On cloud zones the node pools should carry the returned RV(node_pools[].node_pool_labels) too, so that
    nodes added later get their configuration.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.kube, aizone.platform.attributes.kubernetes, aizone.platform.addon_files, aizone.platform.objects]
options:
  node_pools:
    description:
      - The node pools to configure; pools not listed keep their configuration.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Node pool name, as in the node label C(aizone.io/node-pool).
        type: str
        required: true
      mode:
        description:
          - V(none) removes the pool's configuration (and turns MIG off on nodes that had it),
            V(time_slicing) shares each GPU between O(node_pools[].time_slicing.replicas) pods,
            V(mig) partitions each GPU into MIG instances.
        type: str
        required: true
        choices: [none, time_slicing, mig]
      gpu_model:
        description:
          - Canonical GPU model of the pool. Defaults to the C(aizone.io/gpu-model) label of its nodes;
            required when the pool has no nodes yet. When given, the layout is checked before any request.
        type: str
        choices: [A100-SXM4-40GB, A100-80GB, A100-80GB-PCIe, H100-80GB, H100-NVL-94GB, H200-141GB, A30-24GB,
                  A10G, L4, T4, V100, L40S]
      time_slicing:
        description: Time-slicing settings; only with O(node_pools[].mode=time_slicing).
        type: dict
        suboptions:
          replicas:
            description:
              - Pods sharing each physical GPU (>= 1). A node with G GPUs advertises G x replicas.
            type: int
            required: true
          rename:
            description:
              - Advertise the shared GPUs as C(nvidia.com/gpu.shared) instead of C(nvidia.com/gpu).
            type: bool
            default: false
          fail_requests_greater_than_one:
            description:
              - Reject pods asking for more than one shared GPU (a replica gives no more compute).
            type: bool
            default: false
      mig:
        description: MIG settings; only with O(node_pools[].mode=mig).
        type: dict
        suboptions:
          strategy:
            description:
              - V(single) exposes every MIG instance as C(nvidia.com/gpu) and needs one profile per GPU;
                V(mixed) exposes C(nvidia.com/mig-<profile>) resources and allows mixes.
            type: str
            choices: [single, mixed]
            default: single
          layout:
            description:
              - The instances on every GPU of the pool - a preset name of the GPU model (V(all-1g.10gb),
                V(all-3g.40gb), V(all-balanced), ... as in the default config of mig-parted) or a mapping of
                profile to instances per GPU.
              - 'For example C({"3g.40gb": 1, "2g.20gb": 1, "1g.10gb": 2}), the all-balanced preset of an A100 80GB.'
            type: raw
            required: true
  operator_namespace:
    description: Namespace of the GPU Operator, where both ConfigMaps are written (created when missing).
    type: str
    default: gpu-operator
  operator_emulation:
    description:
      - Which nodes get their GPU resources and operator labels from this module instead of the GPU Operator.
      - V(auto) emulates the operator on KWOK nodes only (annotation C(kwok.x-k8s.io/node=fake)) - fake nodes
        have no device plugin, real nodes must keep the operator as the only writer of their capacity. The
        choice is made per node, from the node, so the module behaves the same on every provider.
      - V(always) and V(never) force the choice.
    type: str
    choices: [auto, always, never]
    default: auto
  dcgm_exporter:
    description:
      - DCGM exporter settings in the ClusterPolicy. Left as they are when omitted.
    type: dict
    suboptions:
      enabled:
        description: Run the DCGM exporter.
        type: bool
        default: true
      service_monitor:
        description: Prometheus Operator ServiceMonitor for the exporter's metrics.
        type: dict
        suboptions:
          enabled:
            description: Create the ServiceMonitor.
            type: bool
            default: true
          interval:
            description: Scrape interval, for example V(15s).
            type: str
          honor_labels:
            description: Keep the exporter's labels when they clash with the target's.
            type: bool
          additional_labels:
            description: Extra labels on the ServiceMonitor (for a Prometheus selector).
            type: dict
notes:
  - In check mode, node label and GPU capacity changes are computed without being sent.
  - Each pool gets the device-plugin config key and the mig-parted config named after it; C(all-disabled) is the
    mig-parted config pools leaving MIG are switched to, so pool names cannot be C(all-disabled).
  - C(spec.mig.strategy) of the ClusterPolicy is set to the strategy of the MIG pools of the task (V(mixed) when
    they differ); each pool's device-plugin config carries its own strategy.
seealso:
  - module: aizone.platform.gpu_sharing_info
"""

EXAMPLES = r"""
- name: Time-slice one pool, partition another with MIG
  aizone.platform.gpu_sharing:
    kubeconfig: "{{ zone_kubeconfig }}"
    node_pools:
      - name: gpu-dev
        mode: time_slicing
        time_slicing:
          replicas: 4
          fail_requests_greater_than_one: true
      - name: gpu-infer
        mode: mig
        mig:
          strategy: mixed
          layout: all-balanced

- name: Explicit MIG profile counts per GPU (3g + 2g + 1g + 1g)
  aizone.platform.gpu_sharing:
    node_pools:
      - name: gpu-infer
        mode: mig
        mig:
          strategy: mixed
          layout:
            3g.40gb: 1
            2g.20gb: 1
            1g.10gb: 2
    dcgm_exporter:
      service_monitor:
        interval: 15s

- name: Stop sharing
  aizone.platform.gpu_sharing:
    node_pools:
      - name: gpu-dev
        mode: none
"""

RETURN = r"""
objects:
  description: The objects that changed, with the action taken or predicted (every object with O(list_unchanged)); the shape is in the notes.
  returned: always
  type: list
  elements: dict
  sample:
    - {apiVersion: v1, kind: ConfigMap, namespace: gpu-operator, name: aizone-device-plugin-config, action: updated}
    - {apiVersion: v1, kind: Node, namespace: null, name: gpu-a-0, action: updated}
object_counts:
  description: How many objects of the run each action concerned.
  returned: always
  type: dict
  sample: {created: 0, deleted: 0, unchanged: 11, updated: 1}
node_pools:
  description: What each pool is configured to, and its nodes' GPU labels and resources after the task.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Node pool name.
      type: str
    mode:
      description: none, time_slicing or mig.
      type: str
    gpu_model:
      description: Canonical GPU model the layout was checked against.
      type: str
    device_plugin_config:
      description: Key of the pool in the device-plugin ConfigMap (null for mode none).
      type: str
    mig_config:
      description: Name of the pool's mig-parted config (null unless mode mig).
      type: str
    node_pool_labels:
      description: Labels a cloud node pool should carry so that new nodes get the pool's configuration.
      type: dict
    time_slicing:
      description: The time-slicing settings (mode time_slicing only).
      type: dict
      returned: when mode is time_slicing
    mig:
      description: strategy, preset (or null), profiles per GPU and their placement on the GPU's memory slots.
      type: dict
      returned: when mode is mig
      sample:
        strategy: mixed
        preset: all-balanced
        profiles: {"1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1}
        placement: [{profile: 2g.20gb, start: 0, memory_slots: 2}, {profile: 1g.10gb, start: 2, memory_slots: 1}]
    nodes:
      description: Per node - name, whether the operator is emulated there, its nvidia.com/ labels and GPU capacity.
      type: list
      elements: dict
    resources:
      description: GPU extended resources summed over the pool's nodes.
      type: dict
      sample: {"nvidia.com/mig-3g.40gb": 16}
cluster_policy:
  description: The ClusterPolicy name, whether this task created it, and its MIG strategy.
  returned: always
  type: dict
  sample: {name: cluster-policy, created: false, mig_strategy: mixed}
requests:
  description: HTTP requests the task sent to the API server, by method (a no-op run sends only GET requests).
  returned: always
  type: dict
  sample: {GET: 9}"""

from ansible_collections.aizone.platform.plugins.module_utils.catalog.instances import GPU_MODELS
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.gpu.local_operator import EMULATION_CHOICES
from ansible_collections.aizone.platform.plugins.module_utils.gpu.sharing import converge
from ansible_collections.aizone.platform.plugins.module_utils.gpu.spec import DEFAULT_OPERATOR_NAMESPACE, MODES, STRATEGIES
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS, REPORT_ARGS

POOL_OPTIONS = dict(
    name=dict(type="str", required=True),
    mode=dict(type="str", required=True, choices=list(MODES)),
    gpu_model=dict(type="str", choices=list(GPU_MODELS)),
    time_slicing=dict(type="dict", options=dict(
        replicas=dict(type="int", required=True),
        rename=dict(type="bool", default=False),
        fail_requests_greater_than_one=dict(type="bool", default=False),
    )),
    mig=dict(type="dict", options=dict(
        strategy=dict(type="str", choices=list(STRATEGIES), default=STRATEGIES[0]),
        layout=dict(type="raw", required=True),
    )),
)


def main():
    argument_spec = dict(
        node_pools=dict(type="list", elements="dict", required=True, options=POOL_OPTIONS),
        operator_namespace=dict(type="str", default=DEFAULT_OPERATOR_NAMESPACE),
        operator_emulation=dict(type="str", choices=list(EMULATION_CHOICES), default=EMULATION_CHOICES[0]),
        files_dir=dict(type="path"),
        dcgm_exporter=dict(type="dict", options=dict(
            enabled=dict(type="bool", default=True),
            service_monitor=dict(type="dict", options=dict(
                enabled=dict(type="bool", default=True),
                interval=dict(type="str"),
                honor_labels=dict(type="bool"),
                additional_labels=dict(type="dict"),
            )),
        )),
    )
    argument_spec.update(K8S_AUTH_ARGS)
    argument_spec.update(REPORT_ARGS)
    run_module(argument_spec, lambda m: converge(m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
