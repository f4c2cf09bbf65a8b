# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Workloads: validation of the compact, GPU-aware workload spec, before any API call.

One workload is a Deployment, StatefulSet or Job with one container, plus an
optional Service and an optional HorizontalPodAutoscaler (autoscaling/v2),
all named after the workload and labelled aizone.io/workload=<name>.

GPU resources: `gpus: N` asks N x nvidia.com/gpu; with `mig_profile: 3g.40gb`
the N are nvidia.com/mig-3g.40gb (mixed strategy); with `shared_gpu: true`
they are nvidia.com/gpu.shared (time-slicing with renamed resources). An
extended resource is always requested and limited with the same value.

Placement: `pool` becomes a node selector and tolerations derived from the
pool's nodes (zones/placement.py); the user never repeats them.

Everything here is pure: validation raises ValidationError naming the option
path. workloads/objects.py builds the objects; workloads/converge.py is what
the workload and workload_info modules call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.catalog import mig as mig_data
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import compare_quantities, validate_quantity
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    GPU_RESOURCE, POOL_LABEL, SHARED_GPU_RESOURCE, WORKLOAD_LABEL, check_annotations, check_choice,
    check_dns_label, check_dns_subdomain, check_int, check_keys, check_labels)

STATES = ("present", "absent")
KINDS = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "Job": "batch/v1"}
SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "Headless")
PROTOCOLS = ("TCP", "UDP", "SCTP")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
RESTART_POLICIES = ("Never", "OnFailure")
#: Defaults of the workload options (the module's argument spec uses the same).
DEFAULTS = {"namespace": "default", "kind": "Deployment", "image_pull_policy": "IfNotPresent", "replicas": 1,
            "protocol": "TCP", "autoscaling_min": 1, "target_cpu_utilization": 80, "backoff_limit": 6,
            "restart_policy": "Never"}
HPA_API = "autoscaling/v2"

_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_PORT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

SPEC_KEYS = ("name", "namespace", "kind", "image", "image_pull_policy", "command", "args", "env", "ports",
             "service", "replicas", "resources", "pool", "priority_class", "autoscaling", "volumes",
             "labels", "annotations", "service_account", "completions", "parallelism", "backoff_limit",
             "restart_policy")
RESOURCE_KEYS = ("cpu", "memory", "cpu_limit", "memory_limit", "gpus", "mig_profile", "shared_gpu")


def mig_profiles():
    """Every MIG profile name some MIG-capable GPU model offers."""
    return sorted(set(p for geo in mig_data.MIG_MODELS.values() for p in geo["profiles"]))


def _str_list(field, value):
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValidationError(field, "must be a list of strings")
    return [str(v) for v in value]


def _env(field, env):
    if env is None:
        return []
    out = []
    items = env.items() if isinstance(env, dict) else None
    if items is None:
        if not isinstance(env, list):
            raise ValidationError(field, "must be a mapping of variable name to value, or a list of {name, value}")
        items = []
        for i, item in enumerate(env):
            if not isinstance(item, dict) or "name" not in item:
                raise ValidationError("%s[%d]" % (field, i), "must be a mapping with name and value")
            items.append((item["name"], item.get("value")))
    for name, value in items:
        where = "%s.%s" % (field, name)
        if not isinstance(name, str) or not _ENV_NAME.match(name):
            raise ValidationError(where, "%r is not a valid environment variable name" % (name,))
        if isinstance(value, dict):
            out.append({"name": name, "valueFrom": _env_ref(where, value)})
            continue
        if isinstance(value, bool):
            value = str(value).lower()
        out.append({"name": name, "value": "" if value is None else str(value)})
    return out


def _env_ref(field, ref):
    """{secret: s, key: k} / {config_map: c, key: k} / {field: path} -> an env valueFrom."""
    kinds = [k for k in ("secret", "config_map", "field") if ref.get(k)]
    if len(kinds) != 1 or set(ref) - set(["secret", "config_map", "field", "key"]):
        raise ValidationError(field, "a reference is {secret: <name>, key: <key>}, {config_map: <name>, key: <key>} "
                                     "or {field: <pod field path>}")
    if kinds[0] == "field":
        return {"fieldRef": {"fieldPath": str(ref["field"])}}
    if not ref.get("key"):
        raise ValidationError(field + ".key", "is required with %s" % kinds[0])
    name = check_dns_subdomain("%s.%s" % (field, kinds[0]), ref[kinds[0]], "a %s name" % kinds[0])
    source = "secretKeyRef" if kinds[0] == "secret" else "configMapKeyRef"
    return {source: {"name": name, "key": str(ref["key"])}}


def _ports(field, ports):
    out, seen = [], set()
    for i, port in enumerate(ports or []):
        where = "%s[%d]" % (field, i)
        if isinstance(port, int) and not isinstance(port, bool):
            port = {"port": port}
        if not isinstance(port, dict):
            raise ValidationError(where, "must be a port number or a mapping with port, name, protocol")
        check_keys(where, port, ("port", "name", "protocol"))
        number = check_int(where + ".port", port.get("port"), 1, 65535)
        protocol = check_choice(where + ".protocol", port.get("protocol") or DEFAULTS["protocol"], PROTOCOLS)
        name = port.get("name") or "port-%d" % number
        if len(name) > 15 or not _PORT_NAME.match(name) or not re.search("[a-z]", name):
            raise ValidationError(where + ".name", "%r is not a port name (at most 15 lowercase letters, digits "
                                                   "and '-', with at least one letter)" % (name,))
        if (number, protocol) in seen or name in seen:
            raise ValidationError(where, "port %d/%s or name %s appears twice" % (number, protocol, name))
        seen.update([(number, protocol), name])
        out.append({"name": name, "port": number, "protocol": protocol})
    return out


def validate_resources(field, res):
    res = res or {}
    if not isinstance(res, dict):
        raise ValidationError(field, "must be a mapping with keys %s" % ", ".join(RESOURCE_KEYS))
    check_keys(field, res, RESOURCE_KEYS)
    requests, limits = {}, {}
    for key, limit_key in (("cpu", "cpu_limit"), ("memory", "memory_limit")):
        if res.get(key) is not None:
            requests[key] = validate_quantity("%s.%s" % (field, key), res[key], allow_zero=False)
        if res.get(limit_key) is not None:
            limits[key] = validate_quantity("%s.%s" % (field, limit_key), res[limit_key], allow_zero=False)
            if key in requests and compare_quantities(limits[key], requests[key]) < 0:
                raise ValidationError("%s.%s" % (field, limit_key), "%s is below the request %s"
                                      % (limits[key], requests[key]))
    profile, shared = res.get("mig_profile"), res.get("shared_gpu")
    if profile and shared:
        raise ValidationError(field, "mig_profile and shared_gpu are mutually exclusive: a pod asks for "
                                     "whole GPUs, MIG slices or shared GPU replicas")
    gpus = res.get("gpus")
    if gpus is None:
        gpus = 1 if (profile or shared) else 0
    gpus = check_int(field + ".gpus", gpus, 0)
    resource = GPU_RESOURCE
    if profile:
        if profile not in mig_profiles():
            raise ValidationError(field + ".mig_profile", "%r is not a MIG profile; allowed: %s"
                                  % (profile, ", ".join(mig_profiles())))
        resource = mig_data.resource_name(profile)
        if gpus == 0:
            raise ValidationError(field + ".gpus", "must be >= 1 with mig_profile (it counts MIG slices)")
    elif shared:
        resource = SHARED_GPU_RESOURCE
        if gpus == 0:
            raise ValidationError(field + ".gpus", "must be >= 1 with shared_gpu (it counts GPU replicas)")
    if gpus:
        requests[resource] = limits[resource] = str(gpus)
    return {"requests": requests, "limits": limits, "gpu_resource": resource if gpus else None, "gpus": gpus}


def _service(field, service, ports, kind):
    if service in (None, False):
        return None
    if service is True:
        service = {}
    if not isinstance(service, dict):
        raise ValidationError(field, "must be true or a mapping with type")
    check_keys(field, service, ("type", "annotations"))
    default = "Headless" if kind == "StatefulSet" else "ClusterIP"
    stype = check_choice(field + ".type", service.get("type") or default, SERVICE_TYPES)
    if not ports:
        raise ValidationError(field, "a Service needs ports; set ports")
    return {"type": stype, "annotations": dict(service.get("annotations") or {})}


def _autoscaling(field, auto, kind, requests):
    if auto is None:
        return None
    if not isinstance(auto, dict):
        raise ValidationError(field, "must be a mapping with min, max, target_cpu_utilization")
    check_keys(field, auto, ("min", "max", "target_cpu_utilization"))
    if kind == "Job":
        raise ValidationError(field, "applies to Deployment and StatefulSet only, not Job")
    low = check_int(field + ".min", auto.get("min", DEFAULTS["autoscaling_min"]), 1)
    if auto.get("max") is None:
        raise ValidationError(field + ".max", "is required")
    high = check_int(field + ".max", auto["max"], 1)
    if high < low:
        raise ValidationError(field + ".max", "%d is below min %d" % (high, low))
    target = check_int(field + ".target_cpu_utilization", auto.get("target_cpu_utilization", DEFAULTS["target_cpu_utilization"]), 1, 1000)
    if "cpu" not in requests:
        raise ValidationError(field, "CPU utilisation is measured against the CPU request: set resources.cpu")
    return {"min": low, "max": high, "target_cpu_utilization": target}


def _volumes(field, volumes):
    out, seen = [], set()
    for i, vol in enumerate(volumes or []):
        where = "%s[%d]" % (field, i)
        if not isinstance(vol, dict):
            raise ValidationError(where, "must be a mapping with claim and mount_path")
        check_keys(where, vol, ("claim", "mount_path", "read_only", "sub_path"))
        claim = check_dns_subdomain(where + ".claim", vol.get("claim"), "a PersistentVolumeClaim name")
        path = vol.get("mount_path")
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValidationError(where + ".mount_path", "%r is not an absolute path" % (path,))
        if path in seen:
            raise ValidationError(where + ".mount_path", "%s is mounted twice" % path)
        seen.add(path)
        out.append({"claim": claim, "mount_path": path, "read_only": bool(vol.get("read_only")),
                    "sub_path": vol.get("sub_path")})
    return out


def _identity(field, raw):
    """name, namespace and kind: all a workload needs for state=absent."""
    return {
        "name": check_dns_label(field + ".name", raw.get("name"), start_letter=True),
        "namespace": check_dns_label(field + ".namespace", raw.get("namespace", DEFAULTS["namespace"])),
        "kind": check_choice(field + ".kind", raw.get("kind", DEFAULTS["kind"]), tuple(KINDS)),
    }


def _optional(check, field, value, *args):
    return check(field, value, *args) if value else None


def _pod_fields(field, raw, kind):
    """What the pod template and its companions are built from."""
    image = raw.get("image")
    if not isinstance(image, str) or not image or any(c.isspace() for c in image):
        raise ValidationError(field + ".image", "is required (a container image reference)")
    resources = validate_resources(field + ".resources", raw.get("resources"))
    ports = _ports(field + ".ports", raw.get("ports"))
    return {
        "image": image,
        "image_pull_policy": check_choice(field + ".image_pull_policy",
                                          raw.get("image_pull_policy", DEFAULTS["image_pull_policy"]), PULL_POLICIES),
        "command": _str_list(field + ".command", raw.get("command")),
        "args": _str_list(field + ".args", raw.get("args")),
        "env": _env(field + ".env", raw.get("env")),
        "ports": ports,
        "service": _service(field + ".service", raw.get("service"), ports, kind),
        "replicas": check_int(field + ".replicas", raw.get("replicas", DEFAULTS["replicas"]), 0),
        "resources": resources,
        "pool": _optional(check_dns_label, field + ".pool", raw.get("pool")),
        "priority_class": _optional(check_dns_subdomain, field + ".priority_class", raw.get("priority_class"),
                                    "a PriorityClass name"),
        "autoscaling": _autoscaling(field + ".autoscaling", raw.get("autoscaling"), kind, resources["requests"]),
        "volumes": _volumes(field + ".volumes", raw.get("volumes")),
        "labels": check_labels(field + ".labels", raw.get("labels") or {}, (WORKLOAD_LABEL, POOL_LABEL)),
        "annotations": check_annotations(field + ".annotations", raw.get("annotations") or {}),
        "service_account": _optional(check_dns_subdomain, field + ".service_account", raw.get("service_account"),
                                     "a ServiceAccount name"),
    }


JOB_KEYS = ("completions", "parallelism", "backoff_limit", "restart_policy")


def _job_fields(field, raw, kind, replicas):
    """completions, parallelism, backoff_limit and restart_policy: Job only."""
    if kind != "Job":
        for key in JOB_KEYS:
            if key in raw:
                raise ValidationError("%s.%s" % (field, key), "applies to kind Job only")
        return {}
    # a Job runs `parallelism` pods at once; replicas is accepted as its default
    parallelism = check_int(field + ".parallelism", raw.get("parallelism", replicas), 1)
    return {
        "parallelism": parallelism,
        "completions": check_int(field + ".completions", raw.get("completions", parallelism), 1),
        "backoff_limit": check_int(field + ".backoff_limit", raw.get("backoff_limit", DEFAULTS["backoff_limit"]), 0),
        "restart_policy": check_choice(field + ".restart_policy", raw.get("restart_policy", DEFAULTS["restart_policy"]),
                                       RESTART_POLICIES),
    }


def validate_workload(field, raw, state="present"):
    """Normalize and check one workload spec; raise ValidationError naming the option path."""
    if not isinstance(raw, dict):
        raise ValidationError(field, "must be a mapping")
    raw = dict((k, v) for k, v in raw.items() if v is not None)
    check_keys(field, raw, SPEC_KEYS)
    spec = _identity(field, raw)
    if state == "absent":
        return spec
    spec.update(_pod_fields(field, raw, spec["kind"]))
    spec.update(_job_fields(field, raw, spec["kind"], spec["replicas"]))
    return spec


def validate_workloads(workloads, state="present", field="workloads"):
    if not isinstance(workloads, list):
        raise ValidationError(field, "must be a list")
    specs, seen = [], {}
    for i, raw in enumerate(workloads):
        spec = validate_workload("%s[%d]" % (field, i), raw, state)
        key = (spec["namespace"], spec["name"])
        if key in seen:
            raise ValidationError("%s[%d].name" % (field, i), "%s/%s is also %s[%d]"
                                  % (key[0], key[1], field, seen[key]))
        seen[key] = i
        specs.append(spec)
    return specs
