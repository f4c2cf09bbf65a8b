# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ray and Dask clusters: the upstream RayCluster (ray.io/v1) and DaskCluster (kubernetes.dask.org/v1) objects.

Pods of both carry what the restricted Pod Security Standard asks (tenants
enforce it by default): the pod's runAsNonRoot and RuntimeDefault seccomp,
and each container's no privilege escalation and no capabilities. KubeRay
copies the Ray container's context to the init container it injects into
workers, and takes the autoscaler sidecar's from autoscalerOptions.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.aizone.platform.plugins.module_utils.compute.spec import DASK_API, RAY_API
from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import desired_hash
from ansible_collections.aizone.platform.plugins.module_utils.names import COMPUTE_CLUSTER_LABEL, POOL_LABEL
from ansible_collections.aizone.platform.plugins.module_utils.workloads.objects import (
    RESTRICTED_CONTAINER, RESTRICTED_POD)

#: hash of what the operator puts in the pods (everything but the replica counts): neither KubeRay nor the Dask
#: operator changes existing pods when it changes, so the cluster is replaced (compute/converge.py)
PODS_HASH = "aizone.io/pods-hash"


def pods_hash(kind, body):
    """The PODS_HASH of a RayCluster or DaskCluster spec: the spec without its replica counts."""
    body = copy.deepcopy(body)
    if kind == "RayCluster":
        for group in body.get("workerGroupSpecs") or []:
            for key in ("replicas", "minReplicas", "maxReplicas"):
                group.pop(key, None)
    else:
        body.get("worker", {}).pop("replicas", None)
    return desired_hash(body)


def _cluster(api, kind, spec, body):
    return {"apiVersion": api, "kind": kind,
            "metadata": {"name": spec["name"], "namespace": spec["namespace"],
                         "labels": {COMPUTE_CLUSTER_LABEL: spec["name"]},
                         "annotations": {PODS_HASH: pods_hash(kind, body)}},
            "spec": body}


def _resources_block(res):
    out = {}
    if res["requests"]:
        out["requests"] = dict(res["requests"])
    if res["limits"]:
        out["limits"] = dict(res["limits"])
    return out


#: the user of the Ray image (uid 1000, "ray"); the Dask image has no USER (root), which runAsNonRoot refuses, so
#: both run as this uid
RUN_AS = {"runAsUser": 1000, "runAsGroup": 1000}


def _pod_spec(containers, placement):
    for container in containers:
        container["securityContext"] = dict(RESTRICTED_CONTAINER)
    spec = {"containers": containers, "securityContext": dict(RESTRICTED_POD, **RUN_AS)}
    if placement:
        spec["nodeSelector"] = dict(placement[0])
        if placement[1]:
            spec["tolerations"] = [dict(t) for t in placement[1]]
    return spec


def _template(name, pool, containers, placement):
    labels = {COMPUTE_CLUSTER_LABEL: name}
    if pool:
        labels[POOL_LABEL] = pool
    return {"metadata": {"labels": labels}, "spec": _pod_spec(containers, placement)}


def ray_cluster_object(spec, placements):
    head = spec["head"]
    head_params = {"dashboard-host": "0.0.0.0"}
    head_params.update(head["ray_start_params"])
    head_container = {
        "name": "ray-head", "image": spec["image"],
        "ports": [{"name": "gcs-server", "containerPort": 6379, "protocol": "TCP"},
                  {"name": "dashboard", "containerPort": 8265, "protocol": "TCP"},
                  {"name": "client", "containerPort": 10001, "protocol": "TCP"}],
        "resources": _resources_block(head["resources"]),
    }
    body = {
        "rayVersion": spec["ray_version"],
        "enableInTreeAutoscaling": spec["autoscaling"]["enabled"],
        "headGroupSpec": {
            "serviceType": head["service_type"],
            "rayStartParams": head_params,
            "template": _template(spec["name"], head["pool"], [head_container], placements.get(head["pool"])),
        },
        "workerGroupSpecs": [],
    }
    if spec["autoscaling"]["enabled"]:
        body["autoscalerOptions"] = {"upscalingMode": "Default",
                                     "idleTimeoutSeconds": spec["autoscaling"]["idle_timeout_seconds"],
                                     "securityContext": dict(RESTRICTED_CONTAINER)}
    for group in spec["worker_groups"]:
        worker = {"name": "ray-worker", "image": spec["image"], "resources": _resources_block(group["resources"])}
        body["workerGroupSpecs"].append({
            "groupName": group["name"], "replicas": group["replicas"],
            "minReplicas": group["min_replicas"], "maxReplicas": group["max_replicas"],
            "rayStartParams": dict(group["ray_start_params"]),
            "template": _template(spec["name"], group["pool"], [worker], placements.get(group["pool"])),
        })
    return _cluster(RAY_API, "RayCluster", spec, body)


def dask_cluster_object(spec, placements):
    name, sched, worker = spec["name"], spec["scheduler"], spec["worker"]
    scheduler_container = {
        "name": "scheduler", "image": spec["image"], "args": ["dask-scheduler"],
        "ports": [{"name": "tcp-comm", "containerPort": 8786, "protocol": "TCP"},
                  {"name": "http-dashboard", "containerPort": 8787, "protocol": "TCP"}],
        "readinessProbe": {"httpGet": {"port": "http-dashboard", "path": "/health"},
                           "initialDelaySeconds": 5, "periodSeconds": 10},
        "resources": _resources_block(sched["resources"]),
    }
    worker_args = ["dask-worker", "--name", "$(DASK_WORKER_NAME)", "--dashboard", "--dashboard-address", "8788"]
    if worker["resources"]["gpus"]:
        worker_args += ["--resources", "GPU=%d" % worker["resources"]["gpus"]]
    worker_container = {
        "name": "worker", "image": spec["image"], "args": worker_args,
        "ports": [{"name": "http-dashboard", "containerPort": 8788, "protocol": "TCP"}],
        "resources": _resources_block(worker["resources"]),
    }
    selector = {"dask.org/cluster-name": name, "dask.org/component": "scheduler"}
    body = {
        "scheduler": {
            "spec": _pod_spec([scheduler_container], placements.get(sched["pool"])),
            "service": {"type": sched["service_type"], "selector": selector, "ports": [
                {"name": "tcp-comm", "protocol": "TCP", "port": 8786, "targetPort": "tcp-comm"},
                {"name": "http-dashboard", "protocol": "TCP", "port": 8787, "targetPort": "http-dashboard"}]},
        },
        "worker": {"replicas": worker["replicas"],
                   "spec": _pod_spec([worker_container], placements.get(worker["pool"]))},
    }
    return _cluster(DASK_API, "DaskCluster", spec, body)
