# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure AKS: ARM shapes and rules, mapped to and from the normalized shapes of providers/base.py. No I/O."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.names import POOL_TYPE_LABEL
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import minor_version, networking_shape, pool_shape, scaling_shape, zone_shape
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import pool_labels as platform_pool_labels
from ansible_collections.aizone.platform.plugins.module_utils.providers.cloud import check_tags as check_cloud_tags
from ansible_collections.aizone.platform.plugins.module_utils.retry import status_is_transient

DEFAULT_ENDPOINT = "https://management.azure.com"
ZONE_TYPE_TAG = "aizone-zone-type"
MANAGED_BY_TAG = "aizone-managed-by"
ROLE_TAG = "aizone-role"
MANAGED_BY = "aizone.platform"
RESERVED_TAGS = (ZONE_TYPE_TAG, MANAGED_BY_TAG, ROLE_TAG)
SPOT_KEY = "kubernetes.azure.com/scalesetpriority"
SPOT_TAINT = SPOT_KEY + "=spot:NoSchedule"
SYSTEM_POOL = {"name": "system", "vmSize": "Standard_D4s_v5", "count": 1, "osDiskSizeGB": 128}
POOL_NAME_RE = re.compile(r"^[a-z][a-z0-9]{0,11}$")
TAG_NAME_BAD = re.compile(r"[<>%&\\?/]")
# read-only agent pool properties that must not be sent back on PUT
POOL_READ_ONLY = ("provisioningState", "powerState", "currentOrchestratorVersion", "nodeImageVersion",
                  "status", "virtualMachineNodesStatus", "eTag")
CLUSTER_READ_ONLY = ("provisioningState", "powerState", "currentKubernetesVersion", "fqdn", "privateFQDN",
                     "azurePortalFQDN", "maxAgentPools", "resourceUID", "status")
CONNECTION_ERRORS = ("ServiceRequestError", "ServiceResponseError", "ServiceRequestTimeoutError",
                     "ServiceResponseTimeoutError", "ConnectionError")


def is_transient(exc):
    """Retry classifier: throttling, 5xx, 409 operation-in-progress, connection errors."""
    if type(exc).__name__ in CONNECTION_ERRORS:
        return True
    return status_is_transient(getattr(exc, "status_code", None))


def error_code(exc):
    """(code, message) of an azure-core HttpResponseError, from the ARM error body."""
    err = getattr(exc, "error", None)
    code = getattr(err, "code", None) or type(exc).__name__
    message = getattr(err, "message", None) or getattr(exc, "message", None) or str(exc)
    return code, message


def parse_taint(text):
    """'key=value:Effect' -> normalized taint dict."""
    keyval, effect = text.rsplit(":", 1) if ":" in text else (text, "")
    key, value = keyval.split("=", 1) if "=" in keyval else (keyval, "")
    return {"key": key, "value": value, "effect": effect}


def format_taint(taint):
    if taint.get("value"):
        return "%s=%s:%s" % (taint["key"], taint["value"], taint["effect"])
    return "%s:%s" % (taint["key"], taint["effect"])


def _user_label(key):
    return not key.startswith("aizone.io/") and not key.startswith("kubernetes.azure.com/")


def normalize_cluster(mc, system_pool=None):
    """An ARM managedCluster (dict) -> the normalized zone of base.py."""
    props = mc.get("properties") or {}
    tags = mc.get("tags") or {}
    private = bool((props.get("apiServerAccessProfile") or {}).get("enablePrivateCluster"))
    subnet = ((system_pool or {}).get("properties") or {}).get("vnetSubnetID")
    stopped = ((props.get("powerState") or {}).get("code") == "Stopped"
               and props.get("provisioningState") == "Succeeded")
    return zone_shape("aks", mc["name"], mc.get("location"), minor_version(props.get("kubernetesVersion")),
                      tags.get(ZONE_TYPE_TAG), networking_shape([subnet] if subnet else [], [], not private, private),
                      [], dict((k, v) for k, v in tags.items() if k not in RESERVED_TAGS),
                      "STOPPED" if stopped else props.get("provisioningState"),
                      ("https://%s:443" % props["fqdn"]) if props.get("fqdn") else None)


def normalize_pool(pool):
    """An ARM agentPool (dict) -> the normalized node pool of base.py (gpu left to the reconciler)."""
    props = pool.get("properties") or {}
    labels = props.get("nodeLabels") or {}
    scaling = scaling_shape(props.get("enableAutoScaling"), int(props.get("minCount") or 0),
                            int(props.get("maxCount") or 0), int(props.get("count") or 0))
    taints = [parse_taint(t) for t in props.get("nodeTaints") or [] if t != SPOT_TAINT]
    return pool_shape(pool["name"], labels.get(POOL_TYPE_LABEL), props.get("vmSize"), scaling,
                      dict((k, v) for k, v in labels.items() if _user_label(k)), taints,
                      "spot" if props.get("scaleSetPriority") == "Spot" else "on-demand",
                      props.get("osDiskSizeGB"), props.get("provisioningState"), node_labels=labels)


def pool_labels(desired, keep=None):
    """User labels, the reserved pool labels, and provider-added labels already on the pool."""
    labels = dict((k, v) for k, v in (keep or {}).items() if k.startswith("kubernetes.azure.com/"))
    labels.update(platform_pool_labels(desired))
    return labels


def scaling_properties(autoscaling):
    """count/enableAutoScaling/minCount/maxCount for a normalized autoscaling dict."""
    props = {"count": int(autoscaling["desired"]), "enableAutoScaling": bool(autoscaling.get("enabled"))}
    if props["enableAutoScaling"]:
        props["minCount"] = int(autoscaling["min"])
        props["maxCount"] = int(autoscaling["max"])
    else:
        props["minCount"] = None
        props["maxCount"] = None
    return props


TAG_RULES = (("key", lambda key: not TAG_NAME_BAD.search(key),
              "Azure tag names cannot contain any of < > %% & \\ ? /; got %r"),)


def check_tags(field, tags):
    """ARM tag names cannot hold < > % & \\ ? / (checked before any call)."""
    check_cloud_tags(field, tags, RESERVED_TAGS, TAG_RULES)
