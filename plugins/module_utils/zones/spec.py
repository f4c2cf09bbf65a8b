# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation of zone and node pool input, before any API call.

`zone_desired(params)` and `node_pool_desired(params, provider)` turn module
params into the normalized shapes of providers/base.py, keeping None for
every option the user did not set (the reconciler then leaves that field as
it is on update, and fills ZONE_DEFAULTS / NODE_POOL_DEFAULTS on create).
Errors are ValidationError naming the option path and the allowed values;
`prefix` lets a caller validating a list say `node_pools[2].autoscaling.min`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    RESERVED_NODE_LABEL_PREFIXES, check_choice, check_dns_label, check_label_key, check_label_value)
from ansible_collections.aizone.platform.plugins.module_utils.names import check_labels as _check_labels

ZONE_TYPES = ("shared", "dedicated")
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
POOL_TYPES = ("cpu-optimized", "memory-optimized", "gpu-optimized")
CAPACITY_TYPES = ("on-demand", "spot")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
STATES = ("present", "absent")
ZONE_STATES = ("present", "absent", "stopped")
#: wait_timeout defaults: creating a cloud cluster takes about 10 minutes, a node group 3 to 5
ZONE_WAIT_TIMEOUT = 1800
NODE_POOL_WAIT_TIMEOUT = 900

ZONE_DEFAULTS = {
    "zone_type": "shared",
    "networking": {"subnets": [], "security_groups": [],
                   "endpoint_public_access": True, "endpoint_private_access": False},
    "logging": [],
    "tags": {},
}
NODE_POOL_DEFAULTS = {
    "autoscaling": {"enabled": True, "min": 1, "max": 1, "desired": 1},
    "labels": {},
    "taints": [],
    "capacity_type": "on-demand",
    "disk_size_gb": 100,
}
ZONE_SPEC_FIELDS = ("region", "kubernetes_version", "zone_type", "networking", "logging", "tags")
NODE_POOL_SPEC_FIELDS = ("type", "instance_type", "autoscaling", "labels", "taints",
                         "capacity_type", "disk_size_gb")

VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)$")


def _path(prefix, field):
    return "%s.%s" % (prefix, field) if prefix else field


def check_name(field, value):
    """A zone or node pool name: 1-40 characters, a DNS-1035 label (valid everywhere the clouds use it)."""
    return check_dns_label(field, value, max_length=40, start_letter=True)


def normalize_version(field, value):
    """'1.36' / 'v1.36' -> '1.36'; None stays None."""
    if value is None:
        return None
    match = VERSION_RE.match(str(value).strip())
    if not match:
        raise ValidationError(field, "%r is not a Kubernetes minor version; use MAJOR.MINOR such as 1.36"
                              % (value,))
    return "%d.%d" % (int(match.group(1)), int(match.group(2)))


def version_tuple(value):
    major, minor = value.split(".")
    return int(major), int(minor)


def check_labels(field, labels):
    """Node pool labels: valid, and none under a prefix the platform or the clouds set."""
    return _check_labels(field, labels, reserved_prefixes=RESERVED_NODE_LABEL_PREFIXES)


def check_taints(field, taints):
    """Validate taints and return them sorted by (key, effect)."""
    if taints is None:
        return None
    out = []
    seen = set()
    for i, taint in enumerate(taints):
        here = "%s[%d]" % (field, i)
        if not isinstance(taint, dict) or not taint.get("key"):
            raise ValidationError(here + ".key", "every taint needs a key")
        key = check_label_key(here + ".key", taint["key"])
        value = check_label_value(here + ".value", taint.get("value"))
        effect = taint.get("effect")
        check_choice(here + ".effect", effect, TAINT_EFFECTS)
        if effect is None:
            raise ValidationError(here + ".effect", "required; allowed values: %s" % ", ".join(TAINT_EFFECTS))
        if (key, effect) in seen:
            raise ValidationError(here, "duplicate taint %s with effect %s" % (key, effect))
        seen.add((key, effect))
        out.append({"key": key, "value": value, "effect": effect})
    return sort_taints(out)


def sort_taints(taints):
    return sorted(taints, key=lambda t: (t["key"], t["effect"]))


def check_autoscaling(field, scaling, complete=True):
    """min <= desired <= max (for the parts given when complete=False); returns a copy."""
    if scaling is None:
        return None
    out = dict((k, scaling.get(k)) for k in ("enabled", "min", "max", "desired"))
    for key in ("min", "max", "desired"):
        value = out[key]
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError("%s.%s" % (field, key), "must be an integer >= 0, got %r" % (value,))
    if out["max"] is not None and out["max"] < 1:
        raise ValidationError(field + ".max", "must be >= 1, got %d" % out["max"])
    lo, want, hi = out["min"], out["desired"], out["max"]
    if lo is not None and hi is not None and lo > hi:
        raise ValidationError(field + ".min", "min (%d) must be <= max (%d)" % (lo, hi))
    if want is not None and lo is not None and want < lo:
        raise ValidationError(field + ".desired", "desired (%d) must be >= min (%d)" % (want, lo))
    if want is not None and hi is not None and want > hi:
        raise ValidationError(field + ".desired", "desired (%d) must be <= max (%d)" % (want, hi))
    if complete and None in (lo, want, hi, out["enabled"]):
        missing = [k for k in ("enabled", "min", "max", "desired") if out[k] is None]
        raise ValidationError(field, "incomplete scaling settings, missing %s" % ", ".join(missing))
    return out


def complete_autoscaling(scaling):
    """Fill a new pool's scaling from what was given: desired defaults to min, max to max(min, desired)."""
    scaling = dict(scaling or {})
    if scaling.get("enabled") is None:
        scaling["enabled"] = True
    if scaling.get("min") is None:
        scaling["min"] = min(1, scaling["desired"]) if scaling.get("desired") is not None else 1
    if scaling.get("desired") is None:
        scaling["desired"] = scaling["min"]
    if scaling.get("max") is None:
        scaling["max"] = max(scaling["min"], scaling["desired"])
    return scaling


# Providers keep the collection's own metadata under these tag keys and strip
# them when reading; a user tag there would differ on every run.
RESERVED_TAG_PREFIX = "aizone.io/"
RESERVED_TAG_KEYS = ("app.kubernetes.io/managed-by", "aizone-zone-type", "aizone-managed-by")


def check_tags(field, tags):
    if tags is None:
        return None
    out = {}
    for key, value in tags.items():
        if not key or len(str(key)) > 128:
            raise ValidationError("%s.%s" % (field, key), "tag keys must be 1-128 characters")
        if str(key).startswith(RESERVED_TAG_PREFIX) or str(key) in RESERVED_TAG_KEYS:
            raise ValidationError("%s.%s" % (field, key), "this key is the collection's own; reserved: %s*, %s"
                                  % (RESERVED_TAG_PREFIX, ", ".join(RESERVED_TAG_KEYS)))
        value = "" if value is None else str(value)
        if len(value) > 256:
            raise ValidationError("%s.%s" % (field, key), "tag values must be at most 256 characters")
        out[str(key)] = value
    return out


def zone_desired(params, prefix=""):
    """Validated, normalized desired zone from zone module params (None = not set)."""
    net = params.get("networking")
    networking = None
    if net is not None:
        networking = {}
        for key in ("subnets", "security_groups"):
            value = net.get(key)
            networking[key] = sorted(str(v) for v in value) if value is not None else None
        for key in ("endpoint_public_access", "endpoint_private_access"):
            networking[key] = net.get(key)
        if networking["endpoint_public_access"] is False and networking["endpoint_private_access"] is False:
            raise ValidationError(_path(prefix, "networking"), "endpoint_public_access and "
                                  "endpoint_private_access cannot both be false")
    logging = params.get("logging")
    if logging is not None:
        for i, log_type in enumerate(logging):
            check_choice(_path(prefix, "logging[%d]" % i), log_type, LOG_TYPES)
        logging = sorted(set(logging))
    return {
        "name": check_name(_path(prefix, "name"), params.get("name")),
        "provider": params.get("provider"),
        "region": params.get("region"),
        "kubernetes_version": normalize_version(_path(prefix, "kubernetes_version"),
                                                params.get("kubernetes_version")),
        "zone_type": check_choice(_path(prefix, "zone_type"), params.get("zone_type"), ZONE_TYPES),
        "networking": networking,
        "logging": logging,
        "tags": check_tags(_path(prefix, "tags"), params.get("tags")),
    }


def _pool_entry(params, provider, prefix):
    """The catalog entry of the pool's instance type: from instance_type, or gpu model and count."""
    gpu = params.get("gpu")
    instance_type = params.get("instance_type")
    if gpu is None:
        return catalog.get(provider, instance_type, _path(prefix, "instance_type")) if instance_type else None
    count = gpu.get("count") if gpu.get("count") is not None else 1
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValidationError(_path(prefix, "gpu.count"), "must be an integer >= 1, got %r" % (count,))
    if not gpu.get("model"):
        raise ValidationError(_path(prefix, "gpu.model"), "required with gpu; allowed values: %s"
                              % ", ".join(catalog.GPU_MODELS))
    entry = catalog.by_gpu(provider, gpu["model"], count, field=_path(prefix, "gpu"))
    if instance_type is not None:
        given = catalog.get(provider, instance_type, _path(prefix, "instance_type"))
        if (given["gpu_model"], given["gpu_count"]) != (gpu["model"], count):
            raise ValidationError(_path(prefix, "instance_type"), "%s has %s x %s, but gpu asks for %d x %s "
                                  "(which is %s); give one of instance_type or gpu"
                                  % (instance_type, given["gpu_count"], given["gpu_model"] or "no GPU",
                                     count, gpu["model"], entry["type"]))
    return entry


def _pool_type(pool_type, entry, provider, prefix):
    """The pool type, checked against the instance type (its category when not given)."""
    if entry is None:
        return pool_type
    if pool_type == "gpu-optimized" and not entry["gpu_model"]:
        raise ValidationError(_path(prefix, "instance_type"), "a gpu-optimized pool needs a GPU instance "
                              "type; %s has no GPU. GPU types on %s: %s"
                              % (entry["type"], provider, ", ".join(catalog.gpu_types(provider))))
    if pool_type in ("cpu-optimized", "memory-optimized") and entry["gpu_model"]:
        raise ValidationError(_path(prefix, "type"), "%s is a GPU instance type (%d x %s); use "
                              "type gpu-optimized" % (entry["type"], entry["gpu_count"], entry["gpu_model"]))
    return pool_type or catalog.pool_type(entry)


def node_pool_desired(params, provider, prefix=""):
    """Validated, normalized desired node pool from node_pool params (None = not set).

    The instance type comes from `instance_type`, or from `gpu` (model and
    count) through the catalog of `provider`; when both are given they must
    agree. `type` defaults to the instance type's category.
    """
    name = check_name(_path(prefix, "name"), params.get("name"))
    pool_type = check_choice(_path(prefix, "type"), params.get("type"), POOL_TYPES)
    entry = _pool_entry(params, provider, prefix)
    disk = params.get("disk_size_gb")
    if disk is not None and (isinstance(disk, bool) or not isinstance(disk, int) or not 10 <= disk <= 16384):
        raise ValidationError(_path(prefix, "disk_size_gb"), "must be an integer from 10 to 16384, got %r" % (disk,))
    return {
        "name": name,
        "type": _pool_type(pool_type, entry, provider, prefix),
        "instance_type": entry["type"] if entry else None,
        "gpu": catalog.gpu_of(entry) if entry else None,
        "autoscaling": check_autoscaling(_path(prefix, "autoscaling"), params.get("autoscaling"), complete=False),
        "labels": check_labels(_path(prefix, "labels"), params.get("labels")),
        "taints": check_taints(_path(prefix, "taints"), params.get("taints")),
        "capacity_type": check_choice(_path(prefix, "capacity_type"), params.get("capacity_type"), CAPACITY_TYPES),
        "disk_size_gb": disk,
    }


def node_pools_desired(pools, provider):
    """The node_pools list validated before any call: each pool as node_pool_desired (or only its name, for
    state absent) with "state" and "field" (its option path, "node_pools[2]."); names unique."""
    if not isinstance(pools, list):
        raise ValidationError("node_pools", "must be a list of node pools")
    out, seen = [], {}
    for index, raw in enumerate(pools):
        prefix = "node_pools[%d]" % index
        if not isinstance(raw, dict):
            raise ValidationError(prefix, "must be a mapping with at least a name")
        state = check_choice(prefix + ".state", raw.get("state") or "present", STATES)
        if state == "absent":
            desired = {"name": check_name(prefix + ".name", raw.get("name"))}
        else:
            desired = node_pool_desired(raw, provider, prefix=prefix)
        if desired["name"] in seen:
            raise ValidationError(prefix + ".name", "%s is also node_pools[%d]" % (desired["name"], seen[desired["name"]]))
        seen[desired["name"]] = index
        desired.update(state=state, field=prefix + ".")
        out.append(desired)
    return out


def node_pool_options():
    """The argument spec of one node pool: node_pool's options, node_pools' suboptions (with state)."""
    from ansible_collections.aizone.platform.plugins.module_utils.catalog.instances import GPU_MODELS
    return dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=list(STATES)),
        type=dict(type="str", choices=list(POOL_TYPES)),
        instance_type=dict(type="str"),
        gpu=dict(type="dict", options=dict(
            model=dict(type="str", required=True, choices=list(GPU_MODELS)),
            count=dict(type="int", default=1),
        )),
        autoscaling=dict(type="dict", options=dict(
            enabled=dict(type="bool"),
            min=dict(type="int"),
            max=dict(type="int"),
            desired=dict(type="int"),
        )),
        labels=dict(type="dict"),
        taints=dict(type="list", elements="dict", options=dict(
            key=dict(type="str", required=True, no_log=False),
            value=dict(type="str", default=""),
            effect=dict(type="str", required=True, choices=list(TAINT_EFFECTS)),
        )),
        capacity_type=dict(type="str", choices=list(CAPACITY_TYPES)),
        disk_size_gb=dict(type="int"),
    )
