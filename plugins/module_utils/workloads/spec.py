# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Workloads: validate the compact, GPU-aware workload spec and build its objects.

One workload is a Deployment, StatefulSet or Job with one container, plus an
optional Service and an optional HorizontalPodAutoscaler (autoscaling/v2),
all named after the workload and labelled aizone.io/workload=<name>.

GPU resources: `gpus: N` asks N x nvidia.com/gpu; with `mig_profile: 3g.40gb`
the N are nvidia.com/mig-3g.40gb (mixed strategy); with `shared_gpu: true`
they are nvidia.com/gpu.shared (time-slicing with renamed resources). An
extended resource is always requested and limited with the same value.

Placement: `pool` becomes a node selector and tolerations derived from the
pool's nodes (placement.py); the user never repeats them.

Everything here is pure: validation raises ValidationError naming the option
path before any API call; `converge` and `describe` at the bottom are what the
workload and workload_info modules call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.catalog import mig as mig_data
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import compare_quantities, validate_quantity

LABEL_WORKLOAD = "aizone.io/workload"
LABEL_NAME = "app.kubernetes.io/name"
LABEL_POOL = "aizone.io/node-pool"
KINDS = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "Job": "batch/v1"}
SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "Headless")
PROTOCOLS = ("TCP", "UDP", "SCTP")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
RESTART_POLICIES = ("Never", "OnFailure")
GPU = "nvidia.com/gpu"
GPU_SHARED = "nvidia.com/gpu.shared"
HPA_API = "autoscaling/v2"

DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
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


DNS_1123_TEXT = ("a DNS-1123 label (lowercase letters, digits and '-', starting and ending alphanumeric, "
                 "at most 63 characters)")
DNS_1035_TEXT = "a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, at most 63)"


def check_name(field, value, pattern=DNS_1123, what=DNS_1123_TEXT):
    """value if it matches pattern (and is at most 63 characters), else ValidationError naming field."""
    if not isinstance(value, str) or len(value) > 63 or not pattern.match(value):
        raise ValidationError(field, "%r is not %s" % (value, what))
    return value


def _labels(field, labels, reserved=()):
    if labels is None:
        return {}
    if not isinstance(labels, dict):
        raise ValidationError(field, "must be a mapping of label key to value")
    out = {}
    for key, value in labels.items():
        where = "%s.%s" % (field, key)
        prefix, _sep, name = str(key).rpartition("/")
        if (not name or len(name) > 63 or not _LABEL_NAME.match(name)
                or (prefix and (len(prefix) > 253 or not DNS_SUBDOMAIN.match(prefix)))):
            raise ValidationError(where, "%r is not a valid label key" % (key,))
        if key in reserved:
            raise ValidationError(where, "is set by the module; remove it")
        value = str(value).lower() if isinstance(value, bool) else "" if value is None else str(value)
        if len(value) > 63 or not _LABEL_VALUE.match(value):
            raise ValidationError(where, "%r is not a valid label value" % (value,))
        out[key] = value
    return out


def check_int(field, value, minimum=0, maximum=None):
    """value as an int within minimum..maximum, else ValidationError naming field."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value), 10)
        except ValueError:
            raise ValidationError(field, "%r is not an integer" % (value,))
    if value < minimum:
        raise ValidationError(field, "%d must be >= %d" % (value, minimum))
    if maximum is not None and value > maximum:
        raise ValidationError(field, "%d must be <= %d" % (value, maximum))
    return value


def _str_list(field, value):
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValidationError(field, "must be a list of strings")
    return [str(v) for v in value]


def _choice(field, value, choices):
    if value not in choices:
        raise ValidationError(field, "%r is not one of %s" % (value, ", ".join(choices)))
    return value


def _unknown(field, spec, known):
    for key in spec:
        if key not in known:
            raise ValidationError("%s.%s" % (field, key), "unknown option; allowed: %s" % ", ".join(known))


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
    name = check_name("%s.%s" % (field, kinds[0]), ref[kinds[0]], DNS_SUBDOMAIN, "a %s name" % kinds[0])
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
        _unknown(where, port, ("port", "name", "protocol"))
        number = check_int(where + ".port", port.get("port"), 1, 65535)
        protocol = _choice(where + ".protocol", port.get("protocol") or "TCP", PROTOCOLS)
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
    _unknown(field, res, RESOURCE_KEYS)
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
    resource = GPU
    if profile:
        if profile not in mig_profiles():
            raise ValidationError(field + ".mig_profile", "%r is not a MIG profile; allowed: %s"
                                  % (profile, ", ".join(mig_profiles())))
        resource = mig_data.resource_name(profile)
        if gpus == 0:
            raise ValidationError(field + ".gpus", "must be >= 1 with mig_profile (it counts MIG slices)")
    elif shared:
        resource = GPU_SHARED
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
    _unknown(field, service, ("type", "annotations"))
    default = "Headless" if kind == "StatefulSet" else "ClusterIP"
    stype = _choice(field + ".type", service.get("type") or default, SERVICE_TYPES)
    if not ports:
        raise ValidationError(field, "a Service needs ports; set ports")
    return {"type": stype, "annotations": dict(service.get("annotations") or {})}


def _autoscaling(field, auto, kind, requests):
    if auto is None:
        return None
    if not isinstance(auto, dict):
        raise ValidationError(field, "must be a mapping with min, max, target_cpu_utilization")
    _unknown(field, auto, ("min", "max", "target_cpu_utilization"))
    if kind == "Job":
        raise ValidationError(field, "applies to Deployment and StatefulSet only, not Job")
    low = check_int(field + ".min", auto.get("min", 1), 1)
    if auto.get("max") is None:
        raise ValidationError(field + ".max", "is required")
    high = check_int(field + ".max", auto["max"], 1)
    if high < low:
        raise ValidationError(field + ".max", "%d is below min %d" % (high, low))
    target = check_int(field + ".target_cpu_utilization", auto.get("target_cpu_utilization", 80), 1, 1000)
    if "cpu" not in requests:
        raise ValidationError(field, "CPU utilisation is measured against the CPU request: set resources.cpu")
    return {"min": low, "max": high, "target_cpu_utilization": target}


def _volumes(field, volumes):
    out, seen = [], set()
    for i, vol in enumerate(volumes or []):
        where = "%s[%d]" % (field, i)
        if not isinstance(vol, dict):
            raise ValidationError(where, "must be a mapping with claim and mount_path")
        _unknown(where, vol, ("claim", "mount_path", "read_only", "sub_path"))
        claim = check_name(where + ".claim", vol.get("claim"), DNS_SUBDOMAIN,
                           "a PersistentVolumeClaim name (DNS-1123 subdomain)")
        path = vol.get("mount_path")
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValidationError(where + ".mount_path", "%r is not an absolute path" % (path,))
        if path in seen:
            raise ValidationError(where + ".mount_path", "%s is mounted twice" % path)
        seen.add(path)
        out.append({"claim": claim, "mount_path": path, "read_only": bool(vol.get("read_only")),
                    "sub_path": vol.get("sub_path")})
    return out


def validate_workload(field, raw, state="present"):
    """Normalize and check one workload spec; raise ValidationError naming the option path."""
    if not isinstance(raw, dict):
        raise ValidationError(field, "must be a mapping")
    raw = dict((k, v) for k, v in raw.items() if v is not None)
    _unknown(field, raw, SPEC_KEYS)
    spec = {
        "name": check_name(field + ".name", raw.get("name"), DNS_1035, DNS_1035_TEXT),
        "namespace": check_name(field + ".namespace", raw.get("namespace", "default")),
        "kind": _choice(field + ".kind", raw.get("kind", "Deployment"), tuple(KINDS)),
    }
    if state == "absent":
        return spec
    kind = spec["kind"]
    image = raw.get("image")
    if not isinstance(image, str) or not image or any(c.isspace() for c in image):
        raise ValidationError(field + ".image", "is required (a container image reference)")
    resources = validate_resources(field + ".resources", raw.get("resources"))
    ports = _ports(field + ".ports", raw.get("ports"))
    spec.update({
        "image": image,
        "image_pull_policy": _choice(field + ".image_pull_policy", raw.get("image_pull_policy", "IfNotPresent"),
                                     PULL_POLICIES),
        "command": _str_list(field + ".command", raw.get("command")),
        "args": _str_list(field + ".args", raw.get("args")),
        "env": _env(field + ".env", raw.get("env")),
        "ports": ports,
        "service": _service(field + ".service", raw.get("service"), ports, kind),
        "replicas": check_int(field + ".replicas", raw.get("replicas", 1), 0),
        "resources": resources,
        "pool": check_name(field + ".pool", raw["pool"]) if raw.get("pool") else None,
        "priority_class": check_name(field + ".priority_class", raw["priority_class"], DNS_SUBDOMAIN,
                                     "a PriorityClass name (DNS-1123 subdomain)") if raw.get("priority_class") else None,
        "autoscaling": _autoscaling(field + ".autoscaling", raw.get("autoscaling"), kind, resources["requests"]),
        "volumes": _volumes(field + ".volumes", raw.get("volumes")),
        "labels": _labels(field + ".labels", raw.get("labels"), (LABEL_WORKLOAD, LABEL_POOL)),
        "annotations": dict((str(k), str(v)) for k, v in (raw.get("annotations") or {}).items()),
        "service_account": check_name(field + ".service_account", raw["service_account"], DNS_SUBDOMAIN,
                                      "a ServiceAccount name") if raw.get("service_account") else None,
    })
    job_keys = ("completions", "parallelism", "backoff_limit", "restart_policy")
    if kind == "Job":
        # a Job runs `parallelism` pods at once; replicas is accepted as its default
        spec["parallelism"] = check_int(field + ".parallelism", raw.get("parallelism", spec["replicas"]), 1)
        spec["completions"] = check_int(field + ".completions", raw.get("completions", spec["parallelism"]), 1)
        spec["backoff_limit"] = check_int(field + ".backoff_limit", raw.get("backoff_limit", 6), 0)
        spec["restart_policy"] = _choice(field + ".restart_policy", raw.get("restart_policy", "Never"),
                                         RESTART_POLICIES)
    else:
        for key in job_keys:
            if key in raw:
                raise ValidationError("%s.%s" % (field, key), "applies to kind Job only")
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


# -- objects ----------------------------------------------------------------------------------

def _meta(spec, extra_labels=None):
    labels = dict(spec.get("labels") or {})
    labels.update({LABEL_NAME: spec["name"], LABEL_WORKLOAD: spec["name"]})
    if spec.get("pool"):
        labels[LABEL_POOL] = spec["pool"]
    labels.update(extra_labels or {})
    meta = {"name": spec["name"], "namespace": spec["namespace"], "labels": labels}
    if spec.get("annotations"):
        meta["annotations"] = dict(spec["annotations"])
    return meta


# Tenants enforce the restricted Pod Security Standard by default, so pods
# carry the settings it requires (the image must run as a non-root user).
RESTRICTED_POD = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED_CONTAINER = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def container(spec):
    """The workload's one container."""
    res = spec["resources"]
    out = {"name": spec["name"], "image": spec["image"], "imagePullPolicy": spec["image_pull_policy"],
           "securityContext": dict(RESTRICTED_CONTAINER)}
    if spec.get("command") is not None:
        out["command"] = spec["command"]
    if spec.get("args") is not None:
        out["args"] = spec["args"]
    if spec.get("env"):
        out["env"] = spec["env"]
    if spec.get("ports"):
        out["ports"] = [{"name": p["name"], "containerPort": p["port"], "protocol": p["protocol"]}
                        for p in spec["ports"]]
    resources = {}
    if res["requests"]:
        resources["requests"] = dict(res["requests"])
    if res["limits"]:
        resources["limits"] = dict(res["limits"])
    if resources:
        out["resources"] = resources
    if spec.get("volumes"):
        mounts = []
        for vol in spec["volumes"]:
            mount = {"name": _volume_name(vol["claim"]), "mountPath": vol["mount_path"]}
            if vol["read_only"]:
                mount["readOnly"] = True
            if vol.get("sub_path"):
                mount["subPath"] = vol["sub_path"]
            mounts.append(mount)
        out["volumeMounts"] = mounts
    return out


def _volume_name(claim):
    name = re.sub(r"[^a-z0-9-]", "-", claim)[:63].strip("-")
    return name or "claim"


def pod_spec(spec, placement=None, restart_policy=None):
    """Pod spec of a workload; placement is (nodeSelector, tolerations) from placement.py."""
    out = {"containers": [container(spec)], "securityContext": dict(RESTRICTED_POD)}
    if placement:
        selector, tolerations = placement
        out["nodeSelector"] = dict(selector)
        if tolerations:
            out["tolerations"] = [dict(t) for t in tolerations]
    if spec.get("priority_class"):
        out["priorityClassName"] = spec["priority_class"]
    if spec.get("service_account"):
        out["serviceAccountName"] = spec["service_account"]
    if restart_policy:
        out["restartPolicy"] = restart_policy
    if spec.get("volumes"):
        seen, volumes = set(), []
        for vol in spec["volumes"]:
            name = _volume_name(vol["claim"])
            if name not in seen:
                seen.add(name)
                volumes.append({"name": name, "persistentVolumeClaim": {"claimName": vol["claim"]}})
        out["volumes"] = volumes
    return out


def _template(spec, placement, restart_policy=None):
    labels = dict(spec.get("labels") or {})
    labels.update({LABEL_NAME: spec["name"], LABEL_WORKLOAD: spec["name"]})
    if spec.get("pool"):
        labels[LABEL_POOL] = spec["pool"]
    return {"metadata": {"labels": labels}, "spec": pod_spec(spec, placement, restart_policy)}


def workload_object(spec, placement=None):
    """The Deployment, StatefulSet or Job."""
    kind = spec["kind"]
    obj = {"apiVersion": KINDS[kind], "kind": kind, "metadata": _meta(spec)}
    if kind == "Job":
        obj["spec"] = {"completions": spec["completions"], "parallelism": spec["parallelism"],
                       "backoffLimit": spec["backoff_limit"],
                       "template": _template(spec, placement, spec["restart_policy"])}
        return obj
    body = {"selector": {"matchLabels": {LABEL_WORKLOAD: spec["name"]}},
            "template": _template(spec, placement)}
    if not spec.get("autoscaling"):
        body["replicas"] = spec["replicas"]
    if kind == "StatefulSet":
        body["serviceName"] = spec["name"]
    obj["spec"] = body
    return obj


def service_object(spec):
    svc = spec["service"]
    body = {"selector": {LABEL_WORKLOAD: spec["name"]},
            "ports": [{"name": p["name"], "port": p["port"], "targetPort": p["port"], "protocol": p["protocol"]}
                      for p in spec["ports"]]}
    if svc["type"] == "Headless":
        body["type"] = "ClusterIP"
        body["clusterIP"] = "None"
    else:
        body["type"] = svc["type"]
    meta = _meta(spec)
    meta.pop("annotations", None)
    if svc.get("annotations"):
        meta["annotations"] = dict((str(k), str(v)) for k, v in svc["annotations"].items())
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": body}


def hpa_object(spec):
    auto = spec["autoscaling"]
    meta = _meta(spec)
    meta.pop("annotations", None)
    return {"apiVersion": HPA_API, "kind": "HorizontalPodAutoscaler", "metadata": meta, "spec": {
        "scaleTargetRef": {"apiVersion": KINDS[spec["kind"]], "kind": spec["kind"], "name": spec["name"]},
        "minReplicas": auto["min"], "maxReplicas": auto["max"],
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": auto["target_cpu_utilization"]}}}],
    }}


def _ref(api_version, kind, spec):
    return {"apiVersion": api_version, "kind": kind,
            "metadata": {"name": spec["name"], "namespace": spec["namespace"]}}


def workload_objects(spec, placement=None):
    """(desired, absent): the objects of a workload, and the companions it no longer wants.

    A Service or HPA the spec dropped, and the workload's object of another
    kind (the kind was changed), are deleted; only objects carrying the
    collection's managed-by label are, the engine never deletes anything else.
    """
    desired = [workload_object(spec, placement)]
    absent = [_ref(KINDS[kind], kind, spec) for kind in sorted(KINDS) if kind != spec["kind"]]
    if spec.get("service"):
        desired.append(service_object(spec))
    else:
        absent.append(_ref("v1", "Service", spec))
    if spec.get("autoscaling"):
        desired.append(hpa_object(spec))
    else:
        absent.append(_ref(HPA_API, "HorizontalPodAutoscaler", spec))
    return desired, absent


def absent_refs(spec):
    """Everything a workload may own, for state=absent."""
    return [_ref(KINDS[spec["kind"]], spec["kind"], spec), _ref("v1", "Service", spec),
            _ref(HPA_API, "HorizontalPodAutoscaler", spec)]


def pools_wanted(specs, field="workloads"):
    """{pool: option path of its first use} for placement.placements."""
    wanted = {}
    for i, spec in enumerate(specs):
        if spec.get("pool") and spec["pool"] not in wanted:
            wanted[spec["pool"]] = "%s[%d].pool" % (field, i)
    return wanted
