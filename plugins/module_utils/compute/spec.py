# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ray (KubeRay `ray.io/v1` RayCluster) and Dask (`kubernetes.dask.org/v1` DaskCluster) clusters: validation.

Pure: every option is checked before any request, and errors name the
option path. compute/objects.py builds the objects; compute/converge.py is
what the ray_cluster and dask_cluster modules call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDONS
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import check_choice, check_dns_label, check_int
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import validate_resources

STATES = ("present", "absent")
SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer")
RAY_API = ADDONS["kuberay"]["kinds"][0][0]
DASK_API = ADDONS["dask"]["kinds"][0][0]
DEFAULT_RAY_VERSION = "2.41.0"
#: Defaults per kind: images, the add-on serving the kind, and each group's cpu/memory (requests = limits).
DEFAULTS = {
    "ray": {"image": "rayproject/ray:%s" % DEFAULT_RAY_VERSION, "addon": "kuberay",
            "head": {"cpu": "2", "memory": "8Gi"}, "worker": {"cpu": "4", "memory": "16Gi"},
            "idle_timeout_seconds": 60},
    "dask": {"image": "ghcr.io/dask/dask:2024.12.1", "addon": "dask",
             "scheduler": {"cpu": "1", "memory": "4Gi"}, "worker": {"cpu": "2", "memory": "8Gi", "replicas": 2}},
}


def served_kind(kind):
    """(apiVersion, kind, CRD name) of the "ray" or "dask" cluster kind, from its add-on's catalog entry."""
    return ADDONS[DEFAULTS[kind]["addon"]]["kinds"][0]


DEFAULT_SERVICE_TYPE = "ClusterIP"


def common_args():
    """The argument spec ray_cluster and dask_cluster share (the aizone.platform.compute_cluster doc fragment)."""
    return dict(
        name=dict(type="str", required=True),
        namespace=dict(type="str", required=True),
        state=dict(type="str", choices=list(STATES), default="present"),
        image=dict(type="str"),
    )


def group_args(defaults):
    """cpu, memory, GPUs and pool of one group of pods (head, worker group, scheduler, workers)."""
    return dict(
        cpu=dict(type="str", default=defaults.get("cpu")),
        memory=dict(type="str", default=defaults.get("memory")),
        gpus=dict(type="int"),
        mig_profile=dict(type="str"),
        shared_gpu=dict(type="bool"),
        pool=dict(type="str"),
    )


def _str_map(field, value):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(field, "must be a mapping of string to string")
    return dict((str(k), str(v).lower() if isinstance(v, bool) else str(v)) for k, v in value.items())


def _group_resources(field, group, defaults):
    res = {"cpu": group.get("cpu") or defaults["cpu"], "memory": group.get("memory") or defaults["memory"]}
    for key in ("gpus", "mig_profile", "shared_gpu"):
        if group.get(key) is not None:
            res[key] = group[key]
    out = validate_resources(field, res)
    # Ray and Dask size themselves from the limits: cpu and memory are requested and limited alike
    for key in ("cpu", "memory"):
        out["limits"][key] = out["requests"][key]
    return out


def _pool(field, value):
    return check_dns_label(field, value) if value else None


def _common(params, kind):
    return {
        "name": check_dns_label("name", params.get("name"), start_letter=True),
        "namespace": check_dns_label("namespace", params.get("namespace")),
        "state": check_choice("state", params.get("state") or "present", STATES),
        "image": params.get("image") or DEFAULTS[kind]["image"],
    }


def _worker_group(where, group, seen):
    group = dict((k, v) for k, v in (group or {}).items() if v is not None)
    name = check_dns_label(where + ".name", group.get("name"))
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
    return {"name": name, "replicas": replicas, "min_replicas": low, "max_replicas": high,
            "resources": _group_resources(where, group, DEFAULTS["ray"]["worker"]),
            "pool": _pool(where + ".pool", group.get("pool")),
            "ray_start_params": _str_map(where + ".ray_start_params", group.get("ray_start_params"))}


def validate_ray(params):
    """Normalized ray_cluster spec; ValidationError naming the option path."""
    spec = _common(params, "ray")
    if spec["state"] == "absent":
        return spec
    head = dict(params.get("head") or {})
    spec["ray_version"] = str(params.get("ray_version") or DEFAULT_RAY_VERSION)
    if not re.match(r"^[0-9]+\.[0-9]+\.[0-9]+$", spec["ray_version"]):
        raise ValidationError("ray_version", "%r is not a Ray release such as %s (the head and workers run "
                              "rayproject/ray:<ray_version>)" % (spec["ray_version"], DEFAULT_RAY_VERSION))
    spec["head"] = {
        "resources": _group_resources("head", head, DEFAULTS["ray"]["head"]),
        "pool": _pool("head.pool", head.get("pool")),
        "service_type": check_choice("head.service_type", head.get("service_type") or DEFAULT_SERVICE_TYPE, SERVICE_TYPES),
        "ray_start_params": _str_map("head.ray_start_params", head.get("ray_start_params")),
    }
    groups, seen = [], set()
    for i, group in enumerate(params.get("worker_groups") or []):
        groups.append(_worker_group("worker_groups[%d]" % i, group, seen))
    spec["worker_groups"] = groups
    auto = params.get("autoscaling")
    auto = dict(auto) if isinstance(auto, dict) else {"enabled": auto is not False}
    spec["autoscaling"] = {"enabled": auto.get("enabled", True) is not False,
                           "idle_timeout_seconds": check_int("autoscaling.idle_timeout_seconds",
                                                             auto.get("idle_timeout_seconds", DEFAULTS["ray"]["idle_timeout_seconds"]), 0)}
    return spec


def validate_dask(params):
    """Normalized dask_cluster spec; ValidationError naming the option path."""
    spec = _common(params, "dask")
    if spec["state"] == "absent":
        return spec
    sched = dict(params.get("scheduler") or {})
    worker = dict((k, v) for k, v in (params.get("worker") or {}).items() if v is not None)
    spec["scheduler"] = {"resources": _group_resources("scheduler", sched, DEFAULTS["dask"]["scheduler"]),
                         "pool": _pool("scheduler.pool", sched.get("pool")),
                         "service_type": check_choice("scheduler.service_type",
                                                      sched.get("service_type") or DEFAULT_SERVICE_TYPE, SERVICE_TYPES)}
    spec["worker"] = {"replicas": check_int("worker.replicas", worker.get("replicas", DEFAULTS["dask"]["worker"]["replicas"]), 0),
                      "resources": _group_resources("worker", worker, DEFAULTS["dask"]["worker"]),
                      "pool": _pool("worker.pool", worker.get("pool"))}
    return spec


def pools_wanted(spec):
    """{pool: option path} of every pool the spec names."""
    wanted = {}
    entries = []
    if "head" in spec:
        entries.append(("head.pool", spec["head"]["pool"]))
        entries += [("worker_groups[%d].pool" % i, g["pool"]) for i, g in enumerate(spec["worker_groups"])]
    if "scheduler" in spec:
        entries += [("scheduler.pool", spec["scheduler"]["pool"]), ("worker.pool", spec["worker"]["pool"])]
    for field, pool in entries:
        if pool and pool not in wanted:
            wanted[pool] = field
    return wanted
