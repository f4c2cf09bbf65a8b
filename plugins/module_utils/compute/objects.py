# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ray and Dask clusters: the RayCluster / DaskCluster objects and their operators' objects."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.compute.spec import DASK_API, DEFAULTS, RAY_API
from ansible_collections.aizone.platform.plugins.module_utils.names import COMPUTE_CLUSTER_LABEL, POOL_LABEL
from ansible_collections.aizone.platform.plugins.module_utils.workloads.objects import workload_object
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import validate_workload

OPERATOR_RULES = {
    "ray": [
        {"apiGroups": ["ray.io"], "resources": ["rayclusters", "rayclusters/status", "rayclusters/finalizers",
                                                "rayjobs", "rayjobs/status", "rayservices", "rayservices/status"],
         "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
        {"apiGroups": [""], "resources": ["pods", "pods/status", "services", "serviceaccounts", "endpoints",
                                          "events"],
         "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"],
         "verbs": ["get", "list", "watch", "create", "delete", "update"]},
        {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "watch", "create", "delete"]},
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
         "verbs": ["get", "list", "watch", "create", "update", "patch"]},
    ],
    "dask": [
        {"apiGroups": ["kubernetes.dask.org"], "resources": ["*"], "verbs": ["*"]},
        {"apiGroups": [""], "resources": ["pods", "pods/status", "services", "endpoints", "events"],
         "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
        {"apiGroups": ["apps"], "resources": ["deployments"],
         "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
        {"apiGroups": ["apiextensions.k8s.io"], "resources": ["customresourcedefinitions"],
         "verbs": ["get", "list", "watch"]},
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
         "verbs": ["get", "list", "watch", "create", "update", "patch"]},
    ],
}


def _resources_block(res):
    out = {}
    if res["requests"]:
        out["requests"] = dict(res["requests"])
    if res["limits"]:
        out["limits"] = dict(res["limits"])
    return out


def _pod_spec(containers, placement):
    spec = {"containers": containers}
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
                                     "idleTimeoutSeconds": spec["autoscaling"]["idle_timeout_seconds"]}
    for group in spec["worker_groups"]:
        worker = {"name": "ray-worker", "image": spec["image"], "resources": _resources_block(group["resources"])}
        body["workerGroupSpecs"].append({
            "groupName": group["name"], "replicas": group["replicas"],
            "minReplicas": group["min_replicas"], "maxReplicas": group["max_replicas"],
            "rayStartParams": dict(group["ray_start_params"]),
            "template": _template(spec["name"], group["pool"], [worker], placements.get(group["pool"])),
        })
    return {"apiVersion": RAY_API, "kind": "RayCluster",
            "metadata": {"name": spec["name"], "namespace": spec["namespace"],
                         "labels": {COMPUTE_CLUSTER_LABEL: spec["name"]}},
            "spec": body}


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
    return {"apiVersion": DASK_API, "kind": "DaskCluster",
            "metadata": {"name": name, "namespace": spec["namespace"], "labels": {COMPUTE_CLUSTER_LABEL: name}},
            "spec": body}


def operator_objects(kind, op, placements, with_namespace=True):
    """Namespace, ServiceAccount, ClusterRole/Binding and the operator Deployment (workload code)."""
    name = DEFAULTS[kind]["operator_name"]
    ns = op["namespace"]
    role = "aizone-%s" % name
    workload = validate_workload("operator", {
        "name": name, "namespace": ns, "kind": "Deployment", "image": op["image"], "replicas": 1,
        "resources": {"cpu": "100m", "memory": "512Mi", "memory_limit": "512Mi"},
        "pool": op["pool"], "service_account": name})
    objects = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}] if with_namespace else []
    return objects + [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": role},
         "rules": OPERATOR_RULES[kind]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": role},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
         "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": ns}]},
        workload_object(workload, placements.get(op["pool"])),
    ]
