#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: inference_service
short_description: Model servers (vLLM, Triton) sized to the GPU, MIG slice or shared GPU they run on
version_added: 0.3.0
description:
  - Converges a list of inference services in one task. Each serves one model with a runtime - V(vllm) (its
    OpenAI-compatible server) or V(triton) - in a tenant namespace, on a named node pool.
  - Renders a Deployment with the runtime's own command line and ports, shared memory on C(/dev/shm), an
    optional model cache claim, and the pool's node selector and tolerations (read from the pool's nodes); a
    startup probe sized to the model's load time, readiness on the runtime's own endpoint (C(/v1/models) for
    vLLM, C(/v2/health/ready) for Triton) and liveness on its health endpoint; a Service, a PodDisruptionBudget
    and a NetworkPolicy (ingress from the namespace and tenant namespaces, the metrics port also from
    O(services[].metrics_namespaces)).
  - Autoscaling on the runtime's queue for this model only - a KEDA ScaledObject whose Prometheus query selects
    the model's own label and namespace (vLLM C(vllm:num_requests_waiting{model_name=...}), Triton's mean queue
    time per request from C(nv_inference_queue_duration_us{model=...})) - or on CPU with a
    HorizontalPodAutoscaler. KEDA rather than an HPA on prometheus-adapter's external metrics, because the query
    lives in the service's own object and no shared rule file is rewritten per service. Queue autoscaling needs
    the zone to serve KEDA's CRDs (the C(keda) add-on of M(aizone.platform.addon)); without them the task fails
    before any write.
  - Sizing is checked before any write, against the pool's nodes as they are - the GPU model from the node's
    C(aizone.io/gpu-model) label and the catalog, the MIG slice or time-sliced share the nodes publish. The
    model needs its weights (parameters x bytes of its dtype or quantization), a KV cache reserve
    (O(services[].model.kv_cache_gib), or one sequence of the full context from
    O(services[].model.architecture), or else 10% of the weights) and 1 GiB per GPU process; split over the
    tensor-parallel GPUs it must fit each device's memory x O(services[].gpu_memory_utilization). A model that
    does not fit fails naming its estimate, the pool's device and the smallest pool of the zone that would
    hold it. Tensor parallelism above 1 on a MIG slice or a time-sliced GPU, or above the GPUs of one of the
    pool's nodes, is refused; so is a device the pool does not publish.
  - The pod template records the runtime and model, so a new model, version or runtime rolls the Deployment,
    and O(wait) waits for the rollout.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.kube
  - aizone.platform.attributes.kubernetes
  - aizone.platform.wait
  - aizone.platform.objects
options:
  services:
    description: The services.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the service's objects (a DNS-1035 label).
        type: str
        required: true
      namespace:
        description: The tenant namespace; it must exist (in check mode a missing one is predicted created by an
          earlier task).
        type: str
        required: true
      state:
        description: V(absent) deletes the service's objects.
        type: str
        choices: [present, absent]
        default: present
      pool:
        description: The node pool the server runs on. Required with O(services[].state=present).
        type: str
      runtime:
        description: The model server.
        type: str
        choices: [triton, vllm]
        default: vllm
      version:
        description: The runtime's image tag; by default the pinned one (vLLM C(v0.33.0), Triton C(26.09-py3)).
        type: str
      image:
        description: The whole image reference, for a mirror or a derived image; by default the runtime's upstream
          image at O(services[].version).
        type: str
      model:
        description: The model served. Required with O(services[].state=present).
        type: dict
        suboptions:
          name:
            description: The served model name (what clients ask for and the metrics' model label).
            type: str
            required: true
          source:
            description:
              - vLLM - the Hugging Face repository or path it loads (by default O(services[].model.name)).
              - Triton - the model repository (C(s3://...), C(gs://...), or a path under the cache); required.
            type: str
          parameters_b:
            description: Parameters, in billions (V(8) for an 8B model).
            type: float
            required: true
          dtype:
            description: Weights' type, V(bfloat16) by default.
            type: str
            choices: [bfloat16, float16, float32]
          quantization:
            description: Weights' quantization (V(awq) and V(gptq) are 4-bit), V(none) by default.
            type: str
            choices: [none, awq, fp8, gptq, int8]
          context_length:
            description: The longest sequence served (vLLM C(--max-model-len)), 8192 by default.
            type: int
          kv_cache_gib:
            description: KV cache to reserve, GiB. Overrides the estimate.
            type: float
          kv_cache_dtype:
            description: V(fp8) stores the KV cache in one byte per value; V(auto) by default.
            type: str
            choices: [auto, fp8]
          architecture:
            description: Layers, KV heads and head size, for a KV cache estimate of one full-context sequence.
            type: dict
            suboptions:
              layers:
                description: Transformer layers.
                type: int
                required: true
              kv_heads:
                description: Key/value heads.
                type: int
                required: true
              head_dim:
                description: Size of one head.
                type: int
                required: true
          load_seconds:
            description: How long the model takes to load; by default 1.5 x (60 s + weights at 0.25 GiB/s). The
              startup probe allows this long.
            type: int
      resources:
        description:
          - CPU, memory and the GPU device, as in M(aizone.platform.workload) - O(services[].resources.gpus)
            whole GPUs (one per tensor-parallel rank), or one MIG slice (O(services[].resources.mig_profile)), or
            one time-sliced GPU (O(services[].resources.shared_gpu)). One whole GPU by default.
        type: dict
        suboptions:
          cpu:
            description: CPU request.
            type: str
          memory:
            description: Memory request.
            type: str
          cpu_limit:
            description: CPU limit.
            type: str
          memory_limit:
            description: Memory limit.
            type: str
          gpus:
            description: Whole GPUs (equal to the tensor parallel size), or 1 with a MIG profile or a shared GPU.
            type: int
          mig_profile:
            description: A MIG profile, for example V(3g.40gb).
            type: str
          shared_gpu:
            description: One time-sliced GPU published as C(nvidia.com/gpu.shared).
            type: bool
      tensor_parallel_size:
        description: GPUs one server splits the model over (vLLM C(--tensor-parallel-size)); by default
          O(services[].resources.gpus).
        type: int
      gpu_memory_utilization:
        description: Share of each device's memory the runtime may use (vLLM's own flag), 0.9 by default.
        type: float
      replicas:
        description: Replicas without autoscaling, 1 by default.
        type: int
      autoscaling:
        description: Scale between O(services[].autoscaling.min) and O(services[].autoscaling.max) replicas.
        type: dict
        suboptions:
          metric:
            description: V(queue) (KEDA ScaledObject on this model's queue, the default) or V(cpu) (an HPA).
            type: str
            choices: [queue, cpu]
          min:
            description: Fewest replicas, 1 by default.
            type: int
          max:
            description: Most replicas.
            type: int
            required: true
          target:
            description: Queue target per replica - vLLM requests waiting (5 by default), Triton microseconds queued
              per request (50000 by default).
            type: float
          target_cpu_utilization:
            description: CPU target, percent of the request, with O(services[].autoscaling.metric=cpu); 70 by
              default.
            type: int
          prometheus_url:
            description: The Prometheus KEDA queries, C(http://prometheus-operated.monitoring.svc:9090) by default.
            type: str
          polling_seconds:
            description: How often KEDA queries, 15 by default.
            type: int
          cooldown_seconds:
            description: How long KEDA waits before scaling down, 300 by default.
            type: int
      cache:
        description: A claim (it must exist) mounted as the model cache; vLLM downloads into it.
        type: dict
        suboptions:
          claim:
            description: The PersistentVolumeClaim.
            type: str
            required: true
          read_only:
            description: Mount it read-only.
            type: bool
          mount_path:
            description: Where, C(/models) by default.
            type: str
      shm_size:
        description: Size of C(/dev/shm) (in memory); 2Gi per tensor-parallel rank by default.
        type: str
      priority_class:
        description: The pods' PriorityClass.
        type: str
      extra_args:
        description: More arguments for the runtime, appended.
        type: list
        elements: str
      hf_token_secret:
        description: A Secret key holding a Hugging Face token, given to the server as C(HF_TOKEN) by reference.
        type: dict
        suboptions:
          name:
            description: The Secret.
            type: str
            required: true
          key:
            description: Its key, C(token) by default.
            type: str
      metrics_namespaces:
        description: Namespaces allowed to scrape the metrics port (C([monitoring]) by default).
        type: list
        elements: str
seealso:
  - module: aizone.platform.inference_service_info
  - module: aizone.platform.addon
  - module: aizone.platform.gpu_sharing
'''

EXAMPLES = r'''
- name: An 8B model on one 3g.40gb MIG slice, scaled on its own queue
  aizone.platform.inference_service:
    kubeconfig: "{{ aizone_kubeconfig }}"
    services:
      - name: llm-serving
        namespace: inference
        pool: a100-mig
        model: {name: llama-3.1-8b-instruct, source: meta-llama/Llama-3.1-8B-Instruct, parameters_b: 8,
                dtype: bfloat16, context_length: 8192}
        resources: {cpu: "4", memory: 32Gi, mig_profile: 3g.40gb}
        autoscaling: {min: 2, max: 6, target: 5}
        hf_token_secret: {name: hf-token}

- name: A 70B model over 4 H100s
  aizone.platform.inference_service:
    kubeconfig: "{{ aizone_kubeconfig }}"
    services:
      - name: llama-70b
        namespace: inference
        pool: h100
        model: {name: llama-3.1-70b-instruct, source: meta-llama/Llama-3.1-70B-Instruct, parameters_b: 70,
                dtype: float16, architecture: {layers: 80, kv_heads: 8, head_dim: 128}}
        resources: {cpu: "16", memory: 256Gi, gpus: 4}
'''

RETURN = r'''
services:
  description: One entry per service.
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
    action:
      description: C(created), C(updated), C(unchanged) or C(deleted).
      type: str
    runtime:
      description: C(vllm) or C(triton).
      type: str
      returned: when state is present
    image:
      description: The server image.
      type: str
      returned: when state is present
    pool:
      description: The node pool.
      type: str
      returned: when state is present
    url:
      description: In-cluster URL of the HTTP endpoint.
      type: str
      returned: when state is present
    sizing:
      description: The model's memory estimate in GiB (C(weights_gib), C(kv_cache_gib), C(kv_basis), C(total_gib),
        C(per_device_gib)), the C(device) and its C(usable_gib).
      type: dict
      returned: when state is present
    autoscaling:
      description: C(kind) (C(ScaledObject), C(HorizontalPodAutoscaler) or null), C(min), C(max), C(query) and
        C(target).
      type: dict
      returned: when state is present
    rollout:
      description: The Deployment's state after the wait.
      type: str
      returned: when waited
  sample:
    - name: llm-serving
      namespace: inference
      action: created
      runtime: vllm
      image: vllm/vllm-openai:v0.33.0
      pool: a100-mig
      url: http://llm-serving.inference.svc.cluster.local:8000
      sizing: {weights_gib: 14.9, kv_cache_gib: 1.49, kv_basis: 10% of the weights, total_gib: 16.39,
               per_device_gib: 17.39, device: 3g.40gb MIG slice of a A100-80GB (40.0 GiB), usable_gib: 36.0}
      autoscaling: {kind: ScaledObject, min: 2, max: 6, target: 5 requests waiting per replica,
                    query: 'sum(vllm:num_requests_waiting{model_name="llama-3.1-8b-instruct",namespace="inference"})'}
      rollout: 2/2 ready, 2 updated
objects:
  description: The objects of the run that changed (see the notes).
  returned: always
  type: list
  elements: dict
object_counts:
  description: How many objects each action concerned.
  returned: always
  type: dict
diff:
  description: Before and after of each changed object.
  returned: with --diff
  type: list
  elements: dict
api_requests:
  description: Kubernetes API requests by HTTP method.
  returned: always
  type: dict
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS, REPORT_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.mlops.serving import converge
from ansible_collections.aizone.platform.plugins.module_utils.mlops.serving_spec import argument_spec
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args


def main():
    spec = argument_spec()
    spec.update(K8S_AUTH_ARGS)
    spec.update(REPORT_ARGS)
    spec.update(wait_args())
    run_module(spec, lambda m: converge(m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
