# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure AKS: zones are managed clusters, node pools are agent pools.

Translation only: comparing, check mode, diffs and wait policy live in the
reconciler (zones.py). What this file knows about AKS and ARM:

- What ARM allows for updates, and what is sent:
  * cluster tags: PATCH managedClusters/{name} with ``{"tags": ...}``
    (update_tags), nothing else;
  * Kubernetes version: there is no PATCH for properties, so the cluster is
    read, only ``kubernetesVersion`` is changed, and that object is PUT back
    with ``If-Match`` on its eTag (read-modify-write; unchanged fields are
    sent as they are, never rebuilt from module options);
  * agent pools only have PUT: one PUT of the one pool whose fields changed,
    built from the pool as read with only the changed properties replaced,
    with ``If-Match`` on its eTag. Nothing is sent when nothing changed.
  * immutable after creation (the reconciler refuses them naming the field):
    vmSize, osDiskSizeGB, scaleSetPriority/spotMaxPrice, location, private
    cluster, subnet.
- Collection facts AKS has no field for live under reserved names: the zone
  type is the cluster tag ``aizone-zone-type`` (ARM tag names cannot contain
  "/"), the pool name/type/GPU model are node labels ``aizone.io/...`` that
  every node carries. AKS adds ``kubernetes.azure.com/scalesetpriority`` to
  spot pools (label and NoSchedule taint); both are stripped on read and kept
  on write.
- AKS requires a System agent pool to create a cluster. The zone is created
  with one small System pool, ``system``, tagged ``aizone-role=system``; it
  runs the cluster's own add-ons and is not one of the user's node pools
  (list_node_pools leaves it out).
- Long-running operations: begin_* makes the first request (through
  call_with_retry) and returns a poller; zone_ready/node_pool_ready report its
  state, and a failed operation raises ApiError with the service's error code
  and message (e.g. QuotaExceeded). Without a poller (a later run), the
  resource's provisioningState is read instead.
- Credentials: azure_access_token (a bearer token, e.g. from
  ``az account get-access-token``), or a service principal
  (azure_tenant_id/azure_client_id/azure_client_secret through azure-identity),
  or azure-identity's DefaultAzureCredential. endpoint_url points at another
  cloud (sovereign clouds, private endpoints); the token scope follows it.
  TLS stays verified: a private CA is given by ca_bundle (or REQUESTS_CA_BUNDLE).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import time

from ansible_collections.aizone.platform.plugins.module_utils.errors import (
    AizoneError, ApiError, ValidationError)
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import (
    POOL_LABEL, POOL_TYPE_LABEL, Provider, pool_labels as platform_pool_labels)
from ansible_collections.aizone.platform.plugins.module_utils.retry import (
    call_with_retry, status_is_transient)
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for

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


def minor_version(version):
    """'1.34.1' / '1.34' -> '1.34'."""
    if not version:
        return None
    return ".".join(str(version).split(".")[:2])


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
    return {
        "name": mc["name"],
        "provider": "aks",
        "region": mc.get("location"),
        "kubernetes_version": minor_version(props.get("kubernetesVersion")),
        "zone_type": tags.get(ZONE_TYPE_TAG),
        "networking": {"subnets": [subnet] if subnet else [], "security_groups": [],
                       "endpoint_public_access": not private, "endpoint_private_access": private},
        "logging": [],
        "tags": dict((k, v) for k, v in tags.items() if k not in RESERVED_TAGS),
        "status": "STOPPED" if stopped else props.get("provisioningState"),
        "endpoint": ("https://%s:443" % props["fqdn"]) if props.get("fqdn") else None,
    }


def normalize_pool(pool):
    """An ARM agentPool (dict) -> the normalized node pool of base.py (gpu left to the reconciler)."""
    props = pool.get("properties") or {}
    labels = props.get("nodeLabels") or {}
    count = int(props.get("count") or 0)
    if props.get("enableAutoScaling"):
        scaling = {"enabled": True, "min": int(props.get("minCount") or 0),
                   "max": int(props.get("maxCount") or 0), "desired": count}
    else:
        scaling = {"enabled": False, "min": count, "max": count, "desired": count}
    taints = [parse_taint(t) for t in props.get("nodeTaints") or [] if t != SPOT_TAINT]
    return {
        "name": pool["name"],
        "type": labels.get(POOL_TYPE_LABEL),
        "instance_type": props.get("vmSize"),
        "gpu": None,
        "autoscaling": scaling,
        "labels": dict((k, v) for k, v in labels.items() if _user_label(k)),
        "taints": sorted(taints, key=lambda t: (t["key"], t["effect"])),
        "capacity_type": "spot" if props.get("scaleSetPriority") == "Spot" else "on-demand",
        "disk_size_gb": props.get("osDiskSizeGB"),
        "status": props.get("provisioningState"),
    }


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


def check_tags(field, tags):
    """ARM tag names cannot hold < > % & \\ ? / (checked before any call)."""
    for key in tags or {}:
        if TAG_NAME_BAD.search(key):
            raise ValidationError("%s.%s" % (field, key), "Azure tag names cannot contain any of "
                                  "< > %% & \\ ? /; got %r" % key)
        if key in RESERVED_TAGS:
            raise ValidationError("%s.%s" % (field, key), "tag %s is reserved by aizone.platform" % key)


class _StaticToken(object):
    """A TokenCredential for a bearer token given as an option."""

    def __init__(self, token):
        self._token = token

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken
        return AccessToken(self._token, int(time.time()) + 3600)


class AksProvider(Provider):
    name = "aks"
    zone_updatable = ("kubernetes_version", "tags")
    node_pool_updatable = ("autoscaling", "labels", "taints")

    def __init__(self, params):
        super(AksProvider, self).__init__(params)
        self._client = None
        self._pollers = {}   # ("zone", name) / ("pool", zone, pool) -> (LROPoller, what)

    # plumbing ----------------------------------------------------------
    def _param(self, key, env=None):
        value = self.params.get(key)
        if value is None and env:
            value = os.environ.get(env)
        return value

    def _required(self, key, env):
        value = self._param(key, env)
        if not value:
            raise ValidationError(key, "required for provider aks (or set %s)" % env)
        return value

    @property
    def resource_group(self):
        return self._required("azure_resource_group", "AZURE_RESOURCE_GROUP")

    def _credential(self):
        token = self._param("azure_access_token", "AZURE_ACCESS_TOKEN")
        if token:
            return _StaticToken(token)
        try:
            from azure import identity
        except ImportError:
            raise AizoneError("the aks provider needs azure_access_token, or the Python library "
                              "azure-identity (pip install azure-identity) for other credentials")
        tenant, client = self.params.get("azure_tenant_id"), self.params.get("azure_client_id")
        secret = self.params.get("azure_client_secret")
        if tenant and client and secret:
            return identity.ClientSecretCredential(tenant, client, secret)
        return identity.DefaultAzureCredential()

    def client(self):
        if self._client is None:
            try:
                from azure.mgmt.containerservice import ContainerServiceClient
            except ImportError:
                raise AizoneError("the aks provider requires the Python library azure-mgmt-containerservice "
                                  "(pip install azure-mgmt-containerservice) on the host running the module")
            endpoint = (self.params.get("endpoint_url") or DEFAULT_ENDPOINT).rstrip("/")
            subscription = self._required("azure_subscription_id", "AZURE_SUBSCRIPTION_ID")
            # retry_total=0: one retry policy (call_with_retry) for the whole collection.
            # polling_interval: used only when the service sends no Retry-After.
            kwargs = {}
            if self.params.get("ca_bundle"):
                # a private CA (private endpoints); TLS verification itself is never turned off
                kwargs["connection_verify"] = self.params["ca_bundle"]
            self._client = ContainerServiceClient(
                self._credential(), subscription, base_url=endpoint,
                credential_scopes=[endpoint + "/.default"], retry_total=0, polling_interval=5,
                user_agent="aizone.platform", **kwargs)
        return self._client

    def call(self, what, fn):
        """One SDK call through call_with_retry; a final HTTP error becomes ApiError."""
        try:
            return call_with_retry(fn, is_transient)
        except AizoneError:
            raise
        except Exception as exc:  # noqa: BLE001 - azure-core errors, imported lazily
            if not hasattr(exc, "status_code") and type(exc).__name__ not in CONNECTION_ERRORS:
                raise
            code, message = error_code(exc)
            raise ApiError("AKS %s failed: %s: %s" % (what, code, message),
                           status=getattr(exc, "status_code", None), code=code)

    def _get(self, what, fn):
        """A GET; None when the resource does not exist."""
        try:
            return self.call(what, fn)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    @staticmethod
    def _dict(model):
        return model.as_dict() if hasattr(model, "as_dict") else dict(model)

    def _mc(self, name):
        mc = self._get("get managed cluster %s" % name,
                       lambda: self.client().managed_clusters.get(self.resource_group, name))
        return self._raw(mc)

    def _raw(self, model):
        """The wire JSON of an SDK model (the new-style models are MutableMappings of it)."""
        if model is None:
            return None
        import json
        return json.loads(json.dumps(dict(model), default=self._default))

    @staticmethod
    def _default(obj):
        if hasattr(obj, "keys"):
            return dict(obj)
        if isinstance(obj, bytes):
            return obj.decode("utf-8")
        return str(obj)

    def _pools_raw(self, zone_name):
        pools = self._get("list agent pools of %s" % zone_name,
                          lambda: list(self.client().agent_pools.list(self.resource_group, zone_name)))
        return [self._raw(p) for p in pools or []]

    def _pool_raw(self, zone_name, pool_name):
        pool = self._get("get agent pool %s/%s" % (zone_name, pool_name),
                         lambda: self.client().agent_pools.get(self.resource_group, zone_name, pool_name))
        return self._raw(pool)

    @staticmethod
    def _if_match(etag):
        """Optimistic concurrency for read-modify-write PUTs (412 if someone changed it meanwhile)."""
        if not etag:
            return {}
        from azure.core import MatchConditions
        return {"etag": etag, "match_condition": MatchConditions.IfNotModified}

    @staticmethod
    def _is_system(pool):
        return ((pool.get("properties") or {}).get("tags") or {}).get(ROLE_TAG) == "system"

    def _start(self, key, what, fn):
        """Start a long-running operation; keep its poller for *_ready."""
        poller = self.call(what, fn)
        self._pollers[key] = (poller, what)
        return poller

    def _poll_state(self, key):
        """None when no operation of this run is pending on key; else (done, text). Raises on failure."""
        entry = self._pollers.get(key)
        if entry is None:
            return None
        poller, what = entry
        # the poller polls in its own thread (at the service's Retry-After); give it a
        # moment so a probe right after a short operation need not wait a whole interval
        try:
            poller.wait(0.5)
        except Exception:  # noqa: BLE001 - a failed operation is reported from result() below
            pass
        if not poller.done():
            return (False, "operation %s: %s" % (what, poller.status()))
        del self._pollers[key]
        try:
            poller.result()
        except Exception as exc:  # noqa: BLE001 - azure-core HttpResponseError
            code, message = error_code(exc)
            # the HTTP status here is the poll's (200): the failure is in the operation body
            raise ApiError("AKS %s failed: %s: %s" % (what, code, message), code=code, operation=what)
        return (True, "operation %s: Succeeded" % what)

    # defaults and validation (called before any write, also in check mode) ------
    def zone_defaults(self, desired):
        name = desired["name"]
        if len(name) > 63:
            raise ValidationError("name", "AKS cluster names have at most 63 characters")
        check_tags("tags", desired.get("tags"))
        self._check_networking(desired.get("networking") or {})
        if desired.get("logging"):
            raise ValidationError("logging", "AKS control-plane logs are sent through Azure Monitor "
                                  "diagnostic settings, not the AKS API; allowed value on aks: []")
        out = {}
        if not desired.get("kubernetes_version"):
            out["kubernetes_version"] = self.default_version(desired.get("region"))
        return out

    @staticmethod
    def _check_networking(net):
        if net.get("security_groups"):
            raise ValidationError("networking.security_groups", "AKS clusters take no security groups "
                                  "(network security groups belong to the subnet); allowed value on aks: []")
        if len(net.get("subnets") or []) > 1:
            raise ValidationError("networking.subnets", "AKS takes one subnet (the node subnet); got %d"
                                  % len(net["subnets"]))
        if net.get("endpoint_public_access", True) == net.get("endpoint_private_access", False):
            raise ValidationError("networking.endpoint_private_access", "AKS API servers are either public "
                                  "or private (private cluster); set exactly one of endpoint_public_access "
                                  "and endpoint_private_access to true")

    def default_version(self, region):
        """The minor version AKS uses when none is asked for in region."""
        if not region:
            raise ValidationError("region", "required for provider aks (an Azure location, e.g. eastus)")
        result = self.call("list kubernetes versions in %s" % region,
                           lambda: self.client().managed_clusters.list_kubernetes_versions(region))
        for entry in self._raw(result).get("values") or []:
            if entry.get("isDefault"):
                return minor_version(entry["version"])
        return None

    def node_pool_defaults(self, zone_name, desired):
        if not POOL_NAME_RE.match(desired["name"]):
            raise ValidationError("name", "AKS agent pool names are 1-12 lowercase letters and digits, "
                                  "starting with a letter (no '-'); got %r" % desired["name"])
        if desired["name"] == SYSTEM_POOL["name"]:
            raise ValidationError("name", "%r is the zone's own System pool on aks; choose another name"
                                  % desired["name"])
        disk = desired.get("disk_size_gb")
        if disk is not None and not 30 <= disk <= 2048:
            raise ValidationError("disk_size_gb", "AKS OS disks are 30 to 2048 GB; got %d" % disk)
        return {}

    # zones -------------------------------------------------------------
    def get_zone(self, name):
        mc = self._mc(name)
        if mc is None:
            return None
        system = [p for p in (mc.get("properties") or {}).get("agentPoolProfiles") or []
                  if p.get("name") == SYSTEM_POOL["name"]]
        return normalize_cluster(mc, {"properties": system[0]} if system else None)

    def create_zone(self, desired):
        net = desired.get("networking") or {}
        self._check_networking(net)
        tags = dict(desired.get("tags") or {})
        tags[MANAGED_BY_TAG] = MANAGED_BY
        if desired.get("zone_type"):
            tags[ZONE_TYPE_TAG] = desired["zone_type"]
        system = dict(SYSTEM_POOL, mode="System", type="VirtualMachineScaleSets", osType="Linux",
                      tags={ROLE_TAG: "system", MANAGED_BY_TAG: MANAGED_BY},
                      nodeLabels={POOL_LABEL: SYSTEM_POOL["name"]})
        if net.get("subnets"):
            system["vnetSubnetID"] = net["subnets"][0]
        props = {"dnsPrefix": desired["name"], "agentPoolProfiles": [system], "enableRBAC": True,
                 "apiServerAccessProfile": {"enablePrivateCluster": bool(net.get("endpoint_private_access"))}}
        if desired.get("kubernetes_version"):
            props["kubernetesVersion"] = desired["kubernetes_version"]
        body = {"location": desired["region"], "tags": tags, "identity": {"type": "SystemAssigned"},
                "properties": props}
        name = desired["name"]
        self._start(("zone", name), "create managed cluster %s" % name,
                    lambda: self.client().managed_clusters.begin_create_or_update(self.resource_group, name, body))

    def update_zone(self, current, desired, changed_fields):
        name = current["name"]
        check_tags("tags", desired.get("tags"))
        if "kubernetes_version" in changed_fields:
            mc = self._mc(name)
            if mc is None:
                raise ApiError("AKS managed cluster %s not found" % name, status=404, code="ResourceNotFound")
            etag = mc.get("eTag")
            body = dict((k, v) for k, v in mc.items() if k in ("location", "tags", "sku", "identity", "properties"))
            props = dict((k, v) for k, v in (mc.get("properties") or {}).items() if k not in CLUSTER_READ_ONLY)
            # agent pools are managed through their own API; leaving them out of the
            # cluster PUT keeps this request to the one property that changes
            props.pop("agentPoolProfiles", None)
            props["kubernetesVersion"] = desired["kubernetes_version"]
            body["properties"] = props
            if "tags" in changed_fields:
                tags = dict(desired.get("tags") or {})
                tags.update(dict((k, v) for k, v in (mc.get("tags") or {}).items() if k in RESERVED_TAGS))
                body["tags"] = tags
            kwargs = self._if_match(etag)
            self._start(("zone", name), "upgrade managed cluster %s" % name,
                        lambda: self.client().managed_clusters.begin_create_or_update(
                            self.resource_group, name, body, **kwargs))
            return
        if "tags" in changed_fields:
            mc = self._mc(name)
            tags = dict(desired.get("tags") or {})
            tags.update(dict((k, v) for k, v in ((mc or {}).get("tags") or {}).items() if k in RESERVED_TAGS))
            self._start(("zone", name), "update tags of managed cluster %s" % name,
                        lambda: self.client().managed_clusters.begin_update_tags(
                            self.resource_group, name, {"tags": tags}))

    def delete_zone(self, current):
        name = current["name"]
        # deleting the managed cluster deletes its agent pools with it
        self._start(("zone", name), "delete managed cluster %s" % name,
                    lambda: self.client().managed_clusters.begin_delete(self.resource_group, name))

    def stop_zone(self, current):
        """AKS stops a cluster (control plane and nodes) and keeps it; waits until stopped."""
        name = current["name"]
        self._start(("zone", name), "stop managed cluster %s" % name,
                    lambda: self.client().managed_clusters.begin_stop(self.resource_group, name))
        timeout = int(self.params.get("wait_timeout") or 1800)
        wait_for(lambda: self.zone_ready(name), timeout, "aks zone %s: waiting until stopped" % name)

    def start_zone(self, current):
        name = current["name"]
        self._start(("zone", name), "start managed cluster %s" % name,
                    lambda: self.client().managed_clusters.begin_start(self.resource_group, name))

    def zone_ready(self, name):
        op = self._poll_state(("zone", name))
        if op is not None and not op[0]:
            return (False, None, op[1])
        zone = self.get_zone(name)
        if zone is None:
            return (False, None, "not found")
        status = zone["status"]
        if status == "Failed":
            raise ApiError("AKS managed cluster %s is in provisioningState Failed; running the task again "
                           "retries it (AKS reconciles a failed cluster on the next PUT)" % name,
                           code="ProvisioningStateFailed")
        return (status in ("Succeeded", "STOPPED"), zone, "provisioningState %s" % status)

    def zone_kubeconfig(self, zone):
        import yaml
        name = zone["name"]
        admin = bool(self._param("azure_kubeconfig_admin", None))
        clusters = self.client().managed_clusters
        method = clusters.list_cluster_admin_credentials if admin else clusters.list_cluster_user_credentials
        result = self.call("list %s credentials of %s" % ("admin" if admin else "user", name),
                           lambda: method(self.resource_group, name))
        configs = list(getattr(result, "kubeconfigs", None) or result.get("kubeconfigs") or [])
        if not configs:
            raise ApiError("AKS returned no kubeconfig for %s" % name, code="NoKubeconfig")
        value = configs[0]["value"] if isinstance(configs[0], dict) else configs[0].value
        if isinstance(value, (bytes, bytearray)):
            value = value.decode("utf-8")
        return yaml.safe_load(value)

    # node pools -------------------------------------------------------
    def list_node_pools(self, zone_name):
        return dict((p["name"], normalize_pool(p)) for p in self._pools_raw(zone_name) if not self._is_system(p))

    def create_node_pool(self, zone_name, desired):
        self.node_pool_defaults(zone_name, desired)
        props = {"vmSize": desired["instance_type"], "type": "VirtualMachineScaleSets", "osType": "Linux",
                 "mode": desired.get("mode") or "User", "nodeLabels": pool_labels(desired),
                 "nodeTaints": [format_taint(t) for t in desired.get("taints") or []],
                 "tags": {MANAGED_BY_TAG: MANAGED_BY}}
        props.update(dict((k, v) for k, v in scaling_properties(desired["autoscaling"]).items() if v is not None))
        if desired.get("disk_size_gb"):
            props["osDiskSizeGB"] = int(desired["disk_size_gb"])
        if desired.get("kubernetes_version"):
            props["orchestratorVersion"] = desired["kubernetes_version"]
        if desired.get("capacity_type") == "spot":
            props.update({"scaleSetPriority": "Spot", "scaleSetEvictionPolicy": "Delete",
                          "spotMaxPrice": float(desired.get("spot_max_price") or -1)})
        name = desired["name"]
        self._start(("pool", zone_name, name), "create agent pool %s/%s" % (zone_name, name),
                    lambda: self.client().agent_pools.begin_create_or_update(
                        self.resource_group, zone_name, name, {"properties": props}))

    def update_node_pool(self, zone_name, current, desired, changed_fields):
        name = current["name"]
        pool = self._pool_raw(zone_name, name)
        if pool is None:
            raise ApiError("AKS agent pool %s/%s not found" % (zone_name, name), status=404, code="NotFound")
        old = pool.get("properties") or {}
        props = dict((k, v) for k, v in old.items() if k not in POOL_READ_ONLY)
        if "labels" in changed_fields:
            props["nodeLabels"] = pool_labels(dict(desired, type=desired.get("type") or current.get("type")),
                                              keep=old.get("nodeLabels"))
        if "taints" in changed_fields:
            added = [t for t in old.get("nodeTaints") or [] if t == SPOT_TAINT]
            props["nodeTaints"] = [format_taint(t) for t in desired.get("taints") or []] + added
        if "autoscaling" in changed_fields:
            props.update(scaling_properties(desired["autoscaling"]))
            for key in ("minCount", "maxCount"):
                if props[key] is None:
                    props.pop(key)
        if props == dict((k, v) for k, v in old.items() if k not in POOL_READ_ONLY):
            return
        kwargs = self._if_match(old.get("eTag"))
        self._start(("pool", zone_name, name), "update agent pool %s/%s" % (zone_name, name),
                    lambda: self.client().agent_pools.begin_create_or_update(
                        self.resource_group, zone_name, name, {"properties": props}, **kwargs))

    def delete_node_pool(self, zone_name, current):
        name = current["name"]
        self._start(("pool", zone_name, name), "delete agent pool %s/%s" % (zone_name, name),
                    lambda: self.client().agent_pools.begin_delete(self.resource_group, zone_name, name))

    def node_pool_ready(self, zone_name, pool_name):
        op = self._poll_state(("pool", zone_name, pool_name))
        if op is not None and not op[0]:
            return (False, None, op[1])
        pool = self._pool_raw(zone_name, pool_name)
        if pool is None:
            return (False, None, "not found")
        normalized = normalize_pool(pool)
        status = normalized["status"]
        if status == "Failed":
            raise ApiError("AKS agent pool %s/%s is in provisioningState Failed; running the task again "
                           "retries it" % (zone_name, pool_name), code="ProvisioningStateFailed")
        return (status == "Succeeded", normalized, "provisioningState %s" % status)


PROVIDER = AksProvider
