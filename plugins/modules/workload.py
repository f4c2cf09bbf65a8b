#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: workload
short_description: Converge GPU-aware Deployments, StatefulSets and Jobs from a compact spec
version_added: 0.1.0
description:
  - One task converges a list of workloads. Each is a Deployment, StatefulSet or Job with one container,
    an optional Service and an optional HorizontalPodAutoscaler (C(autoscaling/v2)), all named after the
    workload and labelled C(aizone.io/workload=<name>).
  - GPUs are asked by count; the module picks the extended resource (C(nvidia.com/gpu), a MIG slice
    C(nvidia.com/mig-<profile>) or a shared replica C(nvidia.com/gpu.shared)) and sets request and limit
    to the same value, as Kubernetes requires for extended resources.
  - O(workloads[].pool) places the pods on a node pool. The node selector and tolerations are derived
    from the labels and taints of that pool's nodes as they are in the zone (one LIST of nodes for all
    pools of the task); the task fails naming the pool when it has no nodes.
  - Pods meet the C(restricted) Pod Security Standard that tenants enforce by default (C(runAsNonRoot),
    the C(RuntimeDefault) seccomp profile, no privilege escalation, all capabilities dropped), so the image
    must run as a non-root user.
  - Everything, quantities included, is validated before any API call. Objects are written with
    server-side apply in one batch; a converged workload costs no write request.
  - With O(wait=true) the module waits for every rollout (Deployment, StatefulSet) or completion (Job)
    under one O(wait_timeout). Pods still Pending at the end make the task fail with the scheduler's
    reason, such as C(0/5 nodes are available - 5 Insufficient nvidia.com/gpu) (quoted from the scheduler's message).
  - A Job's pod template cannot be changed once created (Kubernetes rejects it); delete the Job
    (O(state=absent)) to run a different one.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.kube, aizone.platform.attributes.kubernetes, aizone.platform.wait, aizone.platform.objects]
options:
  workloads:
    description: The workloads.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the workload and of its objects (a DNS-1035 label).
        type: str
        required: true
      namespace:
        description: Namespace (it must exist, for example a tenant).
        type: str
        default: default
      kind:
        description: What runs the pods.
        type: str
        choices: [Deployment, StatefulSet, Job]
        default: Deployment
      image:
        description: Container image. Required with O(state=present).
        type: str
      image_pull_policy:
        description: When the kubelet pulls the image.
        type: str
        choices: [Always, IfNotPresent, Never]
        default: IfNotPresent
      command:
        description: Container entrypoint (the image's when omitted).
        type: list
        elements: str
      args:
        description: Arguments of the entrypoint.
        type: list
        elements: str
      env:
        description:
          - Environment variables, name to value. Plain values are passed as strings.
          - "A value may instead reference a key of a Secret (V({secret: hf-token, key: token})) or of a
            ConfigMap (V({config_map: settings, key: mode})), or a pod field (V({field: metadata.name})),
            so secrets never appear in the task."
        type: dict
      ports:
        description: Container ports.
        type: list
        elements: dict
        suboptions:
          port:
            description: Port number.
            type: int
            required: true
          name:
            description: Port name (at most 15 characters); C(port-<port>) by default.
            type: str
          protocol:
            description: Protocol.
            type: str
            choices: [TCP, UDP, SCTP]
            default: TCP
      service:
        description:
          - A Service in front of the pods exposing O(workloads[].ports). V(true) or a mapping with
            C(type) (C(ClusterIP), C(NodePort), C(LoadBalancer) or C(Headless); C(Headless) by default
            for a StatefulSet, C(ClusterIP) otherwise) and C(annotations).
          - When dropped from the spec, the Service the module made earlier is deleted.
        type: raw
      replicas:
        description:
          - Number of pods. Not set on the workload when O(workloads[].autoscaling) is given (the
            autoscaler owns it). For a Job, the default of O(workloads[].parallelism).
        type: int
        default: 1
      resources:
        description: What each pod's container asks for.
        type: dict
        suboptions:
          cpu:
            description: CPU request, a Kubernetes quantity (V(500m), V(4)).
            type: str
          memory:
            description: Memory request, a Kubernetes quantity (V(16Gi)).
            type: str
          cpu_limit:
            description: CPU limit; at least the request.
            type: str
          memory_limit:
            description: Memory limit; at least the request.
            type: str
          gpus:
            description:
              - Number of GPUs (C(nvidia.com/gpu)), of MIG slices with O(workloads[].resources.mig_profile)
                or of shared GPU replicas with O(workloads[].resources.shared_gpu). Default 0, or 1 with
                either of those.
            type: int
          mig_profile:
            description:
              - Ask MIG slices of this profile (C(nvidia.com/mig-<profile>), mixed MIG strategy), for
                example V(3g.40gb) or V(1g.10gb).
            type: str
          shared_gpu:
            description: Ask time-sliced GPU replicas advertised as C(nvidia.com/gpu.shared).
            type: bool
            default: false
      pool:
        description:
          - Node pool the pods must run on. Node selector C(aizone.io/node-pool=<pool>) and one toleration
            per taint of the pool's nodes are derived from the zone.
          - A pod that no node of the pool could hold even empty (its requests above every node's allocatable,
            or a GPU resource the nodes do not publish) is refused before any write, with what the nodes offer.
            In check mode that is a warning, since an earlier task (gpu_sharing) may change what they publish.
        type: str
      priority_class:
        description: PriorityClass of the pods.
        type: str
      autoscaling:
        description:
          - A HorizontalPodAutoscaler (C(autoscaling/v2)) on CPU utilisation; needs a CPU request.
          - The wait lasts until the autoscaler has brought the workload to O(workloads[].autoscaling.min).
          - Adding autoscaling to a running workload hands C(spec.replicas) over to the autoscaler; Kubernetes
            resets it to 1 until the autoscaler raises it to the minimum again.
        type: dict
        suboptions:
          min:
            description: Minimum replicas.
            type: int
            default: 1
          max:
            description: Maximum replicas.
            type: int
            required: true
          target_cpu_utilization:
            description: Target average CPU utilisation, percent of the request.
            type: int
            default: 80
      volumes:
        description: PersistentVolumeClaims mounted in the container.
        type: list
        elements: dict
        suboptions:
          claim:
            description: Claim name (in the workload's namespace).
            type: str
            required: true
          mount_path:
            description: Absolute mount path.
            type: str
            required: true
          read_only:
            description: Mount read-only.
            type: bool
            default: false
          sub_path:
            description: Path inside the volume to mount.
            type: str
      labels:
        description: Extra labels of the workload's objects and pods.
        type: dict
      annotations:
        description: Annotations of the workload object.
        type: dict
      service_account:
        description: ServiceAccount of the pods.
        type: str
      completions:
        description: Job only. Successful pods needed; O(workloads[].parallelism) by default.
        type: int
      parallelism:
        description: Job only. Pods running at once; O(workloads[].replicas) by default.
        type: int
      backoff_limit:
        description: Job only. Retries before the Job fails.
        type: int
      restart_policy:
        description: Job only. Pod restart policy.
        type: str
        choices: [Never, OnFailure]
  state:
    description:
      - V(present) converges the workloads; V(absent) deletes each listed workload with its Service and
        autoscaler (only objects labelled C(app.kubernetes.io/managed-by=aizone.platform)).
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: Serve a model on the A100 pool and run a batch job on MIG slices
  aizone.platform.workload:
    kubeconfig: "{{ zone_kubeconfig }}"
    workloads:
      - name: llm-server
        namespace: inference
        image: vllm/vllm-openai:v0.6.3
        args: [--model, meta-llama/Llama-3.1-8B-Instruct]
        env:
          HF_HOME: /models
          HF_TOKEN: {secret: hf-token, key: token}
        ports: [{name: http, port: 8000}]
        service: true
        replicas: 2
        resources: {cpu: "8", memory: 64Gi, gpus: 1}
        pool: gpu-a100
        priority_class: production-inference
        autoscaling: {min: 2, max: 6, target_cpu_utilization: 70}
        volumes: [{claim: model-cache, mount_path: /models, read_only: true}]
      - name: embed-batch
        namespace: training
        kind: Job
        image: ghcr.io/example/embed:1.4
        completions: 4
        parallelism: 2
        resources: {cpu: "2", memory: 8Gi, mig_profile: 3g.40gb}
        pool: gpu-a100-mig

- name: Remove a workload
  aizone.platform.workload:
    workloads: [{name: embed-batch, namespace: training, kind: Job}]
    state: absent
'''

RETURN = r'''
api_requests:
  description: Requests this task sent to the API server, by HTTP method (see the notes).
  returned: always
  type: dict
  sample: {GET: 5, PATCH: 2}
workloads:
  description: Each workload and what happened to it.
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
    action:
      description: created, updated, unchanged or deleted.
      type: str
    pool:
      description: Node pool the pods are placed on, or null.
      type: str
    state:
      description: Rollout state after the wait (for example C(2/2 ready, 2 updated) or C(complete)); null
        without a wait.
      type: str
  sample: [{name: llm-server, namespace: inference, kind: Deployment, action: created, pool: gpu-a100,
            state: "2/2 ready, 2 updated"}]
objects:
  description: The objects that changed, with the action taken or predicted (every object with O(list_unchanged)); the shape is in the notes.
  returned: always
  type: list
  elements: dict
object_counts:
  description: How many objects of the run each action concerned.
  returned: always
  type: dict
  sample: {created: 0, deleted: 0, unchanged: 11, updated: 1}
not_ready:
  description: On a wait that ran out, each workload not done with its Pending pods and the scheduler's reason.
  returned: on rollout failure
  type: list
  elements: dict
scheduler_reasons:
  description: On a wait that ran out, the distinct scheduler messages of the Pending pods.
  returned: on rollout failure
  type: list
  elements: str
  sample: ["0/5 nodes are available: 5 Insufficient nvidia.com/gpu. preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod."]
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS, REPORT_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args
from ansible_collections.aizone.platform.plugins.module_utils.workloads.converge import converge
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import (
    DEFAULTS, KINDS, PROTOCOLS, PULL_POLICIES, RESTART_POLICIES, STATES)

WORKLOAD_OPTIONS = dict(
    name=dict(type="str", required=True),
    namespace=dict(type="str", default=DEFAULTS["namespace"]),
    kind=dict(type="str", choices=list(KINDS), default=DEFAULTS["kind"]),
    image=dict(type="str"),
    image_pull_policy=dict(type="str", choices=list(PULL_POLICIES), default=DEFAULTS["image_pull_policy"]),
    command=dict(type="list", elements="str"),
    args=dict(type="list", elements="str"),
    env=dict(type="dict"),
    ports=dict(type="list", elements="dict", options=dict(
        port=dict(type="int", required=True),
        name=dict(type="str"),
        protocol=dict(type="str", choices=list(PROTOCOLS), default=DEFAULTS["protocol"]),
    )),
    service=dict(type="raw"),
    replicas=dict(type="int", default=DEFAULTS["replicas"]),
    resources=dict(type="dict", options=dict(
        cpu=dict(type="str"),
        memory=dict(type="str"),
        cpu_limit=dict(type="str"),
        memory_limit=dict(type="str"),
        gpus=dict(type="int"),
        mig_profile=dict(type="str"),
        shared_gpu=dict(type="bool", default=False),
    )),
    pool=dict(type="str"),
    priority_class=dict(type="str"),
    autoscaling=dict(type="dict", options=dict(
        min=dict(type="int", default=DEFAULTS["autoscaling_min"]),
        max=dict(type="int", required=True),
        target_cpu_utilization=dict(type="int", default=DEFAULTS["target_cpu_utilization"]),
    )),
    volumes=dict(type="list", elements="dict", options=dict(
        claim=dict(type="str", required=True),
        mount_path=dict(type="str", required=True),
        read_only=dict(type="bool", default=False),
        sub_path=dict(type="str"),
    )),
    labels=dict(type="dict"),
    annotations=dict(type="dict"),
    service_account=dict(type="str"),
    completions=dict(type="int"),
    parallelism=dict(type="int"),
    backoff_limit=dict(type="int"),
    restart_policy=dict(type="str", choices=list(RESTART_POLICIES)),
)


def main():
    argument_spec = dict(
        workloads=dict(type="list", elements="dict", required=True, options=WORKLOAD_OPTIONS),
        state=dict(type="str", choices=list(STATES), default="present"),
    )
    argument_spec.update(wait_args())
    argument_spec.update(K8S_AUTH_ARGS)
    argument_spec.update(REPORT_ARGS)
    run_module(argument_spec, lambda m: converge(m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
