# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An inference service's objects, rendered from its spec (pure, no I/O).

- Deployment: the runtime's own command line (vLLM: `vllm serve`; Triton:
  `tritonserver` loading the one model explicitly), its ports, shared memory
  as an in-memory emptyDir on /dev/shm, the model cache claim, the pool's
  placement. A startup probe covers the model's load time (kserve#5062: a
  liveness probe kills large models while they load); readiness is the
  runtime's own endpoint (vLLM /v1/models, Triton /v2/health/ready). The pod
  template carries the model and runtime, so changing either rolls it.
- Service, PodDisruptionBudget (one pod at a time), NetworkPolicy (ingress
  from the namespace and tenant namespaces; the metrics port also from the
  monitoring namespaces).
- Autoscaling: a KEDA ScaledObject whose Prometheus query reads this model's
  queue only (its model label and namespace), or a CPU HorizontalPodAutoscaler.
  KEDA rather than an HPA on prometheus-adapter's external metric: the query
  lives in the service's own object, so one service's change never rewrites
  a rule file every service shares, and KEDA is maintained for exactly this.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDONS
from ansible_collections.aizone.platform.plugins.module_utils.catalog.mlops import SERVING
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    LABEL_COMPONENT, LABEL_MANAGED_BY, LABEL_NAME, MANAGED_BY, POOL_LABEL, TENANT_LABEL, WORKLOAD_LABEL)
from ansible_collections.aizone.platform.plugins.module_utils.workloads.objects import (
    RESTRICTED_CONTAINER, RESTRICTED_POD)
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import HPA_API

SCALED_OBJECT_API = ADDONS["keda"]["kinds"][0][0]
#: a model's load: runtime start plus its weights read at this rate (object store or cache), with 50% margin
START_SECONDS = 60
LOAD_GIB_PER_SECOND = 0.25
PROBE_PERIOD = 10
MODEL_ANNOTATION = "aizone.io/model"


def labels(spec, versioned=False):
    """The labels of every object; the runtime version only on the Deployment and its pods, so a new version
    rewrites only them."""
    out = {LABEL_NAME: spec["runtime"], "app.kubernetes.io/instance": spec["name"], LABEL_MANAGED_BY: MANAGED_BY,
           LABEL_COMPONENT: "inference-service", WORKLOAD_LABEL: spec["name"], POOL_LABEL: spec["pool"]}
    if versioned:
        out["app.kubernetes.io/version"] = spec["version"]
    return out


def selector(spec):
    """workload's own selector (a Deployment's selector is immutable): a workload of the same name - how a model
    server was run before this module - becomes an inference service in place, its pods rolled, not deleted."""
    return {WORKLOAD_LABEL: spec["name"]}


def _meta(spec, versioned=False):
    return {"name": spec["name"], "namespace": spec["namespace"], "labels": labels(spec, versioned)}


def load_seconds(spec, weights_gib):
    """How long the startup probe waits for the model: given, or start + weights / rate, with 50% margin."""
    given = spec["model"].get("load_seconds")
    return given or int(math.ceil(1.5 * (START_SECONDS + weights_gib / LOAD_GIB_PER_SECOND)))


def runtime_args(spec):
    """(command, args) of the server."""
    model, runtime = spec["model"], SERVING[spec["runtime"]]
    if spec["runtime"] == "triton":
        ports = dict(runtime["ports"])
        return ["tritonserver"], ["--model-repository=" + model["source"], "--model-control-mode=explicit",
                                  "--load-model=" + model["name"], "--http-port=%d" % ports["http"],
                                  "--grpc-port=%d" % ports["grpc"], "--metrics-port=%d" % ports["metrics"]] + \
            spec["extra_args"]
    args = [model["source"], "--served-model-name", model["name"], "--host", "0.0.0.0",
            "--port", str(dict(runtime["ports"])["http"]), "--tensor-parallel-size", str(spec["tensor_parallel_size"]),
            "--gpu-memory-utilization", "%g" % spec["gpu_memory_utilization"],
            "--max-model-len", str(model["context_length"]), "--dtype", model["dtype"]]
    if model["quantization"]:
        args += ["--quantization", model["quantization"]]
    if model["kv_cache_dtype"] != "auto":
        args += ["--kv-cache-dtype", model["kv_cache_dtype"]]
    if spec["cache"]:
        args += ["--download-dir", spec["cache"]["mount_path"]]
    return ["vllm", "serve"], args + spec["extra_args"]


def _env(spec):
    env = [{"name": "HOME", "value": "/tmp"}]
    if spec["cache"]:
        env.append({"name": "HF_HOME", "value": spec["cache"]["mount_path"] + "/huggingface"})
    if spec["hf_token_secret"]:
        env.append({"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": dict(spec["hf_token_secret"])}})
    return env


def _probe(path, port, **kw):
    probe = {"httpGet": {"path": path, "port": port}, "periodSeconds": PROBE_PERIOD, "timeoutSeconds": 5}
    probe.update(kw)
    return probe


def container(spec, weights_gib):
    runtime = SERVING[spec["runtime"]]
    command, args = runtime_args(spec)
    res = spec["resources"]
    mounts = [{"name": "shm", "mountPath": "/dev/shm"}, {"name": "tmp", "mountPath": "/tmp"}]
    if spec["cache"]:
        mounts.append({"name": "model-cache", "mountPath": spec["cache"]["mount_path"],
                       "readOnly": spec["cache"]["read_only"]})
    startup = int(math.ceil(load_seconds(spec, weights_gib) / float(PROBE_PERIOD)))
    out = {"name": spec["runtime"], "image": spec["image"], "command": command, "args": args, "env": _env(spec),
           "ports": [{"name": n, "containerPort": p, "protocol": "TCP"} for n, p in runtime["ports"]],
           "startupProbe": _probe(runtime["ready"], "http", failureThreshold=startup),
           "readinessProbe": _probe(runtime["ready"], "http", failureThreshold=3),
           "livenessProbe": _probe(runtime["live"], "http", failureThreshold=6),
           "volumeMounts": mounts, "securityContext": dict(RESTRICTED_CONTAINER)}
    resources = dict((k, dict(v)) for k, v in (("requests", res["requests"]), ("limits", res["limits"])) if v)
    if resources:
        out["resources"] = resources
    return out


def _pod(spec, weights_gib):
    pod = {"securityContext": dict(RESTRICTED_POD, runAsUser=1000, runAsGroup=1000, fsGroup=1000),
           "automountServiceAccountToken": False, "containers": [container(spec, weights_gib)],
           "volumes": [{"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": spec["shm_size"]}},
                       {"name": "tmp", "emptyDir": {}}]}
    if spec["cache"]:
        pod["volumes"].append({"name": "model-cache", "persistentVolumeClaim": {
            "claimName": spec["cache"]["claim"], "readOnly": spec["cache"]["read_only"]}})
    if spec.get("placement"):
        pod["nodeSelector"] = dict(spec["placement"][0])
        if spec["placement"][1]:
            pod["tolerations"] = [dict(t) for t in spec["placement"][1]]
    else:
        pod["nodeSelector"] = {POOL_LABEL: spec["pool"]}
    if spec["priority_class"]:
        pod["priorityClassName"] = spec["priority_class"]
    return pod


def model_annotation(spec):
    model = spec["model"]
    return "%s %s %sB %s%s" % (spec["runtime"], model["source"], "%g" % model["parameters_b"], model["dtype"],
                               "/" + model["quantization"] if model["quantization"] else "")


def deployment(spec, weights_gib):
    body = {"selector": {"matchLabels": selector(spec)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {"metadata": {"labels": labels(spec, True),
                                      "annotations": {MODEL_ANNOTATION: model_annotation(spec)}},
                         "spec": _pod(spec, weights_gib)}}
    if not spec["autoscaling"]:
        body["replicas"] = spec["replicas"]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta(spec, True), "spec": body}


def service(spec):
    ports = [{"name": n, "port": p, "targetPort": n, "protocol": "TCP"} for n, p in SERVING[spec["runtime"]]["ports"]]
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(spec),
            "spec": {"type": "ClusterIP", "selector": selector(spec), "ports": ports}}


def disruption_budget(spec):
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": _meta(spec),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(spec)}}}


def network_policy(spec):
    runtime = SERVING[spec["runtime"]]
    ports = dict(runtime["ports"])
    peers = [{"podSelector": {}},
             {"namespaceSelector": {"matchExpressions": [{"key": TENANT_LABEL, "operator": "Exists"}]}}]
    rules = [{"from": peers, "ports": [{"port": p, "protocol": "TCP"} for _n, p in runtime["ports"]]}]
    if spec["metrics_namespaces"]:
        scrapers = [{"namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In",
                                                                 "values": list(spec["metrics_namespaces"])}]}}]
        rules.append({"from": scrapers, "ports": [{"port": ports[runtime["metrics"][0]], "protocol": "TCP"}]})
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta(spec),
            "spec": {"podSelector": {"matchLabels": selector(spec)}, "policyTypes": ["Ingress"], "ingress": rules}}


def queue_query(spec):
    """The PromQL of this model's queue: vLLM's waiting requests; Triton's mean queue time per request."""
    runtime = SERVING[spec["runtime"]]
    match = '%s="%s",namespace="%s"' % (runtime["model_label"], spec["model"]["name"], spec["namespace"])
    if spec["runtime"] == "triton":
        return ("sum(rate(%s{%s}[1m])) / clamp_min(sum(rate(nv_inference_request_success{%s}[1m])), 1)"
                % (runtime["queue_metric"], match, match))
    return "sum(%s{%s})" % (runtime["queue_metric"], match)


def scaled_object(spec):
    auto = spec["autoscaling"]
    trigger = {"type": "prometheus", "metadata": {"serverAddress": auto["prometheus_url"], "query": queue_query(spec),
                                                  "threshold": "%g" % auto["target"]}}
    return {"apiVersion": SCALED_OBJECT_API, "kind": "ScaledObject", "metadata": _meta(spec),
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec["name"]},
                     "minReplicaCount": auto["min"], "maxReplicaCount": auto["max"],
                     "pollingInterval": auto["polling_seconds"], "cooldownPeriod": auto["cooldown_seconds"],
                     "triggers": [trigger]}}


def cpu_autoscaler(spec):
    auto = spec["autoscaling"]
    return {"apiVersion": HPA_API, "kind": "HorizontalPodAutoscaler", "metadata": _meta(spec), "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec["name"]},
        "minReplicas": auto["min"], "maxReplicas": auto["max"],
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": auto["target_cpu_utilization"]}}}]}}


def ref(spec, api_version, kind):
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": spec["name"], "namespace": spec["namespace"]}}


def objects(spec, weights_gib, keda_served):
    """(desired, absent): the service's objects, and the autoscaler it no longer wants (ScaledObject only where
    the zone serves its kind)."""
    desired = [service(spec), deployment(spec, weights_gib), disruption_budget(spec), network_policy(spec)]
    metric = (spec["autoscaling"] or {}).get("metric")
    absent = [] if metric == "cpu" else [ref(spec, HPA_API, "HorizontalPodAutoscaler")]
    if metric == "queue":
        desired.append(scaled_object(spec))
    elif keda_served:
        absent.append(ref(spec, SCALED_OBJECT_API, "ScaledObject"))
    if metric == "cpu":
        desired.append(cpu_autoscaler(spec))
    return desired, absent


def absent_refs(spec, keda_served):
    refs = [ref(spec, *k) for k in (("apps/v1", "Deployment"), ("v1", "Service"), ("policy/v1", "PodDisruptionBudget"),
                                    ("networking.k8s.io/v1", "NetworkPolicy"), (HPA_API, "HorizontalPodAutoscaler"))]
    return refs + ([ref(spec, SCALED_OBJECT_API, "ScaledObject")] if keda_served else [])
