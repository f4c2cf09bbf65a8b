# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon EKS: its wire shapes and rules, mapped to and from the normalized shapes of providers/base.py. No I/O."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import LABEL_MANAGED_BY, POOL_TYPE_LABEL
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import networking_shape, pool_shape, zone_shape
from ansible_collections.aizone.platform.plugins.module_utils.retry import status_is_transient

RESERVED_PREFIX = "aizone.io/"
ZONE_TYPE_TAG = "aizone.io/zone-type"
NODE_ROLE_TAG = "aizone.io/node-role-arn"
MANAGED_BY_TAG = LABEL_MANAGED_BY
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")

EFFECT_TO_EKS = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE",
                 "NoExecute": "NO_EXECUTE"}
EFFECT_FROM_EKS = dict((v, k) for k, v in EFFECT_TO_EKS.items())
CAPACITY_TO_EKS = {"on-demand": "ON_DEMAND", "spot": "SPOT"}
CAPACITY_FROM_EKS = dict((v, k) for k, v in CAPACITY_TO_EKS.items())

THROTTLE_CODES = frozenset([
    "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
    "ServiceUnavailable", "ServiceUnavailableException", "ServerException", "InternalFailure",
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
])
# ResourceInUseException is transient only when another operation is still running
# (an update in progress, a node group still being created or deleted).
IN_PROGRESS = re.compile(r"in progress|currently|being (created|updated|deleted)|"
                         r"not in ACTIVE|is (CREATING|UPDATING|DELETING)", re.IGNORECASE)
CONNECTION_ERRORS = frozenset([
    "EndpointConnectionError", "ConnectionClosedError", "ReadTimeoutError",
    "ConnectTimeoutError", "ConnectionError",
])
# Instance families with an ARM (Graviton) processor carry a "g" in their
# suffix: c7g, m7gd, r6gn, g5g. "g5"/"g6" (the GPU families) have none.
_FAMILY = re.compile(r"^([a-z]+)(\d+)([a-z-]*)\.")


def is_transient(exc):
    """The retry classifier: throttling, 5xx, connection errors, update-in-progress."""
    if type(exc).__name__ in CONNECTION_ERRORS:
        return True
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    error = response.get("Error") or {}
    code = error.get("Code", "")
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    if code in THROTTLE_CODES or (status_is_transient(status) and status != 409):
        return True
    if code == "ResourceInUseException":
        return bool(IN_PROGRESS.search(error.get("Message", "")))
    return False


def ami_type(instance_type, gpu):
    """The EKS-optimized AL2023 AMI for the pool: NVIDIA for GPU pools, ARM for Graviton."""
    m = _FAMILY.match(instance_type or "")
    arm = bool(m and "g" in m.group(3))
    if gpu:
        return "AL2023_ARM_64_NVIDIA" if arm else "AL2023_x86_64_NVIDIA"
    return "AL2023_ARM_64_STANDARD" if arm else "AL2023_x86_64_STANDARD"


def _reserved(key):
    return key.startswith(RESERVED_PREFIX)


def touches(changed_fields, name):
    return any(f == name or f.startswith(name + ".") for f in changed_fields)


def normalize_taints(taints):
    """Sorted by (key, effect); value always a string."""
    out = [{"key": t["key"], "value": t.get("value") or "", "effect": t["effect"]}
           for t in taints or []]
    return sorted(out, key=lambda t: (t["key"], t["effect"]))


def eks_taint(taint):
    out = {"key": taint["key"], "effect": EFFECT_TO_EKS[taint["effect"]]}
    if taint.get("value"):
        out["value"] = taint["value"]
    return out


def normalize_cluster(cluster, region):
    """describe_cluster's cluster -> the normalized zone of base.py."""
    vpc = cluster.get("resourcesVpcConfig") or {}
    tags = cluster.get("tags") or {}
    enabled = set()
    for entry in (cluster.get("logging") or {}).get("clusterLogging") or []:
        if entry.get("enabled"):
            enabled.update(entry.get("types") or [])
    # EKS defaults: public endpoint on, private off (moto omits unset flags)
    networking = networking_shape(sorted(vpc.get("subnetIds") or []), sorted(vpc.get("securityGroupIds") or []),
                                  vpc.get("endpointPublicAccess", True), vpc.get("endpointPrivateAccess", False))
    user_tags = dict((k, v) for k, v in tags.items() if not _reserved(k) and k != MANAGED_BY_TAG)
    return zone_shape("eks", cluster["name"], region, cluster.get("version"), tags.get(ZONE_TYPE_TAG), networking,
                      sorted(enabled), user_tags, cluster.get("status"), cluster.get("endpoint"))


def normalize_nodegroup(nodegroup, gpu_lookup):
    """describe_nodegroup's nodegroup -> the normalized node pool of base.py."""
    labels = nodegroup.get("labels") or {}
    scaling = nodegroup.get("scalingConfig") or {}
    low, high = int(scaling.get("minSize", 0)), int(scaling.get("maxSize", 0))
    instance_types = nodegroup.get("instanceTypes") or []
    instance_type = instance_types[0] if instance_types else None
    disk = nodegroup.get("diskSize")
    # managed node groups have no autoscaling switch: a fixed pool is min == max
    scaling = {"enabled": low != high, "min": low, "max": high, "desired": int(scaling.get("desiredSize", low))}
    taints = normalize_taints([{"key": t["key"], "value": t.get("value"),
                                "effect": EFFECT_FROM_EKS.get(t["effect"], t["effect"])}
                               for t in nodegroup.get("taints") or []])
    capacity = CAPACITY_FROM_EKS.get(nodegroup.get("capacityType"), nodegroup.get("capacityType"))
    # moto returns its default disk size as the string "20"
    return pool_shape(nodegroup["nodegroupName"], labels.get(POOL_TYPE_LABEL), instance_type, scaling,
                      dict((k, v) for k, v in labels.items() if not _reserved(k)), taints, capacity,
                      int(disk) if disk is not None else None, nodegroup.get("status"),
                      gpu=gpu_lookup(instance_type) if instance_type else None, node_labels=labels)


def scaling_config(autoscaling):
    """A disabled autoscaler is a fixed pool: min = max = desired."""
    desired = int(autoscaling["desired"])
    if not autoscaling.get("enabled", True):
        return {"minSize": desired, "maxSize": desired, "desiredSize": desired}
    return {"minSize": int(autoscaling["min"]), "maxSize": int(autoscaling["max"]),
            "desiredSize": desired}


def _add_remove(add, remove, add_key, remove_key):
    """An update_nodegroup_config argument of what to add and remove, or None when both are empty."""
    out = {}
    if add:
        out[add_key] = add
    if remove:
        out[remove_key] = remove
    return out or None


def label_update(current, desired):
    """update_nodegroup_config 'labels' argument, or None when nothing differs."""
    add = dict((k, v) for k, v in desired.items() if current.get(k) != v)
    remove = sorted(k for k in current if k not in desired)
    return _add_remove(add, remove, "addOrUpdateLabels", "removeLabels")


def taint_update(current, desired):
    """update_nodegroup_config 'taints' argument (taints keyed by key+effect), or None."""
    cur = dict(((t["key"], t["effect"]), t) for t in normalize_taints(current))
    want = dict(((t["key"], t["effect"]), t) for t in normalize_taints(desired))
    add = [eks_taint(t) for k, t in sorted(want.items()) if cur.get(k) != t]
    remove = [eks_taint(t) for k, t in sorted(cur.items()) if k not in want]
    return _add_remove(add, remove, "addOrUpdateTaints", "removeTaints")


def check_one_minor_step(current, wanted):
    """EKS upgrades a cluster one minor version per update; refuse bigger jumps up front."""
    try:
        cur = [int(p) for p in str(current).split(".")[:2]]
        new = [int(p) for p in str(wanted).split(".")[:2]]
    except ValueError:
        return
    if new[0] != cur[0] or new[1] - cur[1] > 1:
        raise ValidationError("kubernetes_version", "EKS upgrades one minor version at a time: zone runs %s, "
                              "so the next version is %d.%d (run again for each step to %s)"
                              % (current, cur[0], cur[1] + 1, wanted))


def endpoint_access(current, desired):
    """update_cluster_config's resourcesVpcConfig for an endpoint access change."""
    net_cur = current.get("networking") or {}
    net = desired.get("networking") or {}
    return {"endpointPublicAccess": bool(net.get("endpoint_public_access", True)),
            "endpointPrivateAccess": bool(net.get("endpoint_private_access", False)),
            # unchanged; resent because moto replaces the whole resourcesVpcConfig
            "subnetIds": list(net_cur.get("subnets") or []),
            "securityGroupIds": list(net_cur.get("security_groups") or [])}


def logging_config(enabled):
    """Every log type listed, enabled or not, so a replace and a merge agree."""
    on = sorted(set(enabled or []))
    off = [t for t in LOG_TYPES if t not in on]
    entries = []
    if on:
        entries.append({"types": on, "enabled": True})
    if off:
        entries.append({"types": off, "enabled": False})
    return {"clusterLogging": entries}
