# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ray (KubeRay `ray.io/v1` RayCluster) and Dask (`kubernetes.dask.org/v1` DaskCluster) clusters.

Validation and object building are pure; `converge(kind, params, ...)` is what
the ray_cluster and dask_cluster modules call:

1. validate everything (no request on bad input);
2. one LIST of the nodes of every pool named (head, worker groups, operator):
   placement is derived as for workloads (placement.py);
3. install the CRD when absent (crds.py; an upstream CRD is left alone);
4. one batch server-side apply of the operator (its Namespace when absent,
   ServiceAccount, ClusterRole, ClusterRoleBinding and a Deployment built by
   the workload code) and the cluster object. An existing operator
   namespace is never applied again: every module shares one field manager,
   so re-applying a namespace another module (tenant) manages would drop
   that module's labels from it;
5. optionally wait for the operator's rollout.

The operator Deployment is the upstream operator image. Where pods really
run, it reconciles the cluster object into head/scheduler and worker pods.
In the local zone (KWOK nodes, no container runtime) its pod is reported
Running but executes nothing, so the cluster object is stored and validated
by the API server and no Ray or Dask pod is made from it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import (
    DNS_1035, DNS_1035_TEXT, check_int, check_name, validate_resources, validate_workload, workload_object)

RAY_API = "ray.io/v1"
DASK_API = "kubernetes.dask.org/v1"
LABEL_CLUSTER = "aizone.io/compute-cluster"
DEFAULT_RAY_VERSION = "2.41.0"
DEFAULTS = {
    "ray": {"image": "rayproject/ray:%s" % DEFAULT_RAY_VERSION, "operator_namespace": "ray-system",
            "operator_image": "quay.io/kuberay/operator:v1.3.0", "operator_name": "kuberay-operator"},
    "dask": {"image": "ghcr.io/dask/dask:2024.12.1", "operator_namespace": "dask-operator",
             "operator_image": "ghcr.io/dask/dask-kubernetes-operator:2024.12.1",
             "operator_name": "dask-kubernetes-operator"},
}
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


# -- validation -----------------------------------------------------------------------------

def _str_map(field, value):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(field, "must be a mapping of string to string")
    return dict((str(k), str(v).lower() if isinstance(v, bool) else str(v)) for k, v in value.items())


def _group_resources(field, group, default_cpu, default_memory):
    res = {"cpu": group.get("cpu") or default_cpu, "memory": group.get("memory") or default_memory}
    for key in ("gpus", "mig_profile", "shared_gpu"):
        if group.get(key) is not None:
            res[key] = group[key]
    out = validate_resources(field, res)
    # Ray and Dask size themselves from the limits: cpu and memory are requested and limited alike
    for key in ("cpu", "memory"):
        out["limits"][key] = out["requests"][key]
    return out


def _pool(field, value):
    return check_name(field, value) if value else None


def _operator(field, op, kind):
    op = dict(op or {})
    defaults = DEFAULTS[kind]
    return {
        "deploy": op.get("deploy", True) is not False,
        "namespace": check_name(field + ".namespace", op.get("namespace") or defaults["operator_namespace"]),
        "image": op.get("image") or defaults["operator_image"],
        "pool": _pool(field + ".pool", op.get("pool")),
    }


def _common(params, kind):
    return {
        "name": check_name("name", params.get("name"), DNS_1035, DNS_1035_TEXT),
        "namespace": check_name("namespace", params.get("namespace")),
        "state": params.get("state") or "present",
        "image": params.get("image") or DEFAULTS[kind]["image"],
        "operator": _operator("operator", params.get("operator"), kind),
    }


def validate_ray(params):
    """Normalized ray_cluster spec; ValidationError naming the option path."""
    spec = _common(params, "ray")
    if spec["state"] == "absent":
        return spec
    head = dict(params.get("head") or {})
    spec["ray_version"] = str(params.get("ray_version") or DEFAULT_RAY_VERSION)
    spec["head"] = {
        "resources": _group_resources("head", head, "2", "8Gi"),
        "pool": _pool("head.pool", head.get("pool")),
        "service_type": head.get("service_type") or "ClusterIP",
        "ray_start_params": _str_map("head.ray_start_params", head.get("ray_start_params")),
    }
    if spec["head"]["service_type"] not in ("ClusterIP", "NodePort", "LoadBalancer"):
        raise ValidationError("head.service_type", "%r is not one of ClusterIP, NodePort, LoadBalancer"
                              % spec["head"]["service_type"])
    groups, seen = [], set()
    for i, group in enumerate(params.get("worker_groups") or []):
        where = "worker_groups[%d]" % i
        group = dict((k, v) for k, v in (group or {}).items() if v is not None)
        name = check_name(where + ".name", group.get("name"))
        if name in seen:
            raise ValidationError(where + ".name", "%s appears twice" % name)
        seen.add(name)
        low = check_int(where + ".min_replicas", group.get("min_replicas", 0), 0)
        high = check_int(where + ".max_replicas", group.get("max_replicas", max(low, group.get("replicas", 1))), 0)
        if high < low:
            raise ValidationError(where + ".max_replicas", "%d is below min_replicas %d" % (high, low))
        replicas = check_int(where + ".replicas", group.get("replicas", low), 0)
        if not low <= replicas <= high:
            raise ValidationError(where + ".replicas", "%d is outside min_replicas..max_replicas (%d..%d)"
                                  % (replicas, low, high))
        groups.append({"name": name, "replicas": replicas, "min_replicas": low, "max_replicas": high,
                       "resources": _group_resources(where, group, "4", "16Gi"),
                       "pool": _pool(where + ".pool", group.get("pool")),
                       "ray_start_params": _str_map(where + ".ray_start_params", group.get("ray_start_params"))})
    spec["worker_groups"] = groups
    auto = params.get("autoscaling")
    auto = dict(auto) if isinstance(auto, dict) else {"enabled": auto is not False}
    spec["autoscaling"] = {"enabled": auto.get("enabled", True) is not False,
                           "idle_timeout_seconds": check_int("autoscaling.idle_timeout_seconds",
                                                             auto.get("idle_timeout_seconds", 60), 0)}
    return spec


def validate_dask(params):
    """Normalized dask_cluster spec; ValidationError naming the option path."""
    spec = _common(params, "dask")
    if spec["state"] == "absent":
        return spec
    sched = dict(params.get("scheduler") or {})
    worker = dict((k, v) for k, v in (params.get("worker") or {}).items() if v is not None)
    spec["scheduler"] = {"resources": _group_resources("scheduler", sched, "1", "4Gi"),
                         "pool": _pool("scheduler.pool", sched.get("pool")),
                         "service_type": sched.get("service_type") or "ClusterIP"}
    if spec["scheduler"]["service_type"] not in ("ClusterIP", "NodePort", "LoadBalancer"):
        raise ValidationError("scheduler.service_type", "%r is not one of ClusterIP, NodePort, LoadBalancer"
                              % spec["scheduler"]["service_type"])
    spec["worker"] = {"replicas": check_int("worker.replicas", worker.get("replicas", 2), 0),
                      "resources": _group_resources("worker", worker, "2", "8Gi"),
                      "pool": _pool("worker.pool", worker.get("pool"))}
    return spec


def pools_wanted(spec):
    """{pool: option path} of every pool the spec names."""
    wanted = {}
    entries = [("operator.pool", spec["operator"]["pool"] if spec["operator"]["deploy"] else None)]
    if "head" in spec:
        entries.append(("head.pool", spec["head"]["pool"]))
        entries += [("worker_groups[%d].pool" % i, g["pool"]) for i, g in enumerate(spec["worker_groups"])]
    if "scheduler" in spec:
        entries += [("scheduler.pool", spec["scheduler"]["pool"]), ("worker.pool", spec["worker"]["pool"])]
    for field, pool in entries:
        if pool and pool not in wanted:
            wanted[pool] = field
    return wanted


# -- objects --------------------------------------------------------------------------------

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
    labels = {LABEL_CLUSTER: name}
    if pool:
        labels["aizone.io/node-pool"] = pool
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
                         "labels": {LABEL_CLUSTER: spec["name"]}},
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
            "metadata": {"name": name, "namespace": spec["namespace"], "labels": {LABEL_CLUSTER: name}},
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


KINDS = {
    "ray": {"validate": validate_ray, "build": ray_cluster_object, "api": RAY_API, "kind": "RayCluster"},
    "dask": {"validate": validate_dask, "build": dask_cluster_object, "api": DASK_API, "kind": "DaskCluster"},
}


def _crd_for(kind):
    from ansible_collections.aizone.platform.plugins.module_utils.compute import crds
    return crds.raycluster_crd() if kind == "ray" else crds.daskcluster_crd()


def _namespace_exists(rest, name):
    from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError
    try:
        rest.get("/api/v1/namespaces/%s" % name)
    except ApiError as exc:
        if exc.status == 404:
            return False
        raise
    return True


def converge(kind, params, check_mode=False, want_diff=False):
    """What ray_cluster (kind "ray") and dask_cluster (kind "dask") do; returns the result dict."""
    from ansible_collections.aizone.platform.plugins.module_utils.compute.crds import ensure_crd
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import build_client
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.rest import Rest
    from ansible_collections.aizone.platform.plugins.module_utils.zones.placement import placements as read_placements
    from ansible_collections.aizone.platform.plugins.module_utils.workloads.rollout import wait_rollouts
    from ansible_collections.aizone.platform.plugins.module_utils.workloads.converge import request_counts

    info = KINDS[kind]
    spec = info["validate"](params)
    timeout = params.get("wait_timeout") or 300
    ref = {"apiVersion": info["api"], "kind": info["kind"],
           "metadata": {"name": spec["name"], "namespace": spec["namespace"]}}
    api_client = build_client(params)
    crd = _crd_for(kind)
    crd_name = crd["metadata"]["name"]
    if spec["state"] == "absent":
        rest = Rest(api_client)
        from ansible_collections.aizone.platform.plugins.module_utils.compute.crds import CRD_PATH
        from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError
        try:
            rest.get(CRD_PATH % crd_name)
        except ApiError as exc:
            if exc.status != 404:
                raise
            return dict(changed=False, objects=[], api_requests=dict(rest.counts),
                        cluster=dict(name=spec["name"], namespace=spec["namespace"], action="unchanged"))
        result = apply_objects(api_client, [], check_mode=check_mode, absent=[ref],
                               wait_deleted=params.get("wait", True), wait_timeout=timeout)
        out = result.as_dict(diff=want_diff)
        out["cluster"] = dict(name=spec["name"], namespace=spec["namespace"],
                              action="deleted" if result.changed else "unchanged")
        out["api_requests"] = request_counts(result.requests, rest.counts)
        return out

    rest = Rest(api_client)
    placements = read_placements(rest, pools_wanted(spec))
    cluster = info["build"](spec, placements)
    crd_action, served, crd_diff = ensure_crd(api_client, crd, check_mode=check_mode, timeout=min(timeout, 120),
                                              rest=rest)
    desired = []
    if spec["operator"]["deploy"]:
        desired = operator_objects(kind, spec["operator"], placements,
                                   with_namespace=not _namespace_exists(rest, spec["operator"]["namespace"]))
    if served:
        desired.append(cluster)
    result = apply_objects(api_client, desired, check_mode=check_mode, wait_timeout=timeout)
    objects = [dict(apiVersion=crd["apiVersion"], kind=crd["kind"], namespace=None, name=crd_name,
                    action=crd_action)] + result.objects
    diff = list(crd_diff) + list(result.diff)
    cluster_action = None
    for obj in result.objects:
        if obj["kind"] == info["kind"]:
            cluster_action = obj["action"]
    if not served:
        # check mode, CRD not installed yet: the cluster cannot be dry-run; it would be created
        cluster_action = "created"
        objects.append(dict(apiVersion=info["api"], kind=info["kind"], namespace=spec["namespace"],
                            name=spec["name"], action="created"))
        header = "%s %s/%s" % (info["kind"], spec["namespace"], spec["name"])
        diff.append(dict(before_header=header, after_header=header, before={}, after=cluster))
    changed = any(o["action"] not in ("unchanged", "foreign") for o in objects)
    if spec["operator"]["deploy"] and params.get("wait", True) and not check_mode:
        wait_rollouts(rest, [("Deployment", spec["operator"]["namespace"], DEFAULTS[kind]["operator_name"])],
                      timeout)
    out = dict(changed=changed, objects=objects,
               crd=dict(name=crd_name, action=crd_action),
               cluster=dict(name=spec["name"], namespace=spec["namespace"], action=cluster_action),
               api_requests=request_counts(result.requests, rest.counts))
    if want_diff:
        out["diff"] = diff
    return out
