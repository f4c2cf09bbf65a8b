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

import json
import time

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ApiError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import POOL_LABEL
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import minor_version
from ansible_collections.aizone.platform.plugins.module_utils.providers.cloud import CloudProvider, import_sdk
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for
from ansible_collections.aizone.platform.plugins.module_utils.providers.aks_shapes import (
    CLUSTER_READ_ONLY, CONNECTION_ERRORS, DEFAULT_ENDPOINT, MANAGED_BY, MANAGED_BY_TAG, POOL_NAME_RE, POOL_READ_ONLY,
    RESERVED_TAGS, ROLE_TAG, SPOT_TAINT, SYSTEM_POOL, ZONE_TYPE_TAG, check_tags, error_code,
    format_taint, is_transient, normalize_cluster, normalize_pool, pool_labels, scaling_properties)


def _container_service_client():
    from azure.mgmt.containerservice import ContainerServiceClient
    return ContainerServiceClient


class _StaticToken(object):
    """A TokenCredential for a bearer token given as an option."""

    def __init__(self, token):
        self._token = token

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken
        return AccessToken(self._token, int(time.time()) + 3600)


class AksProvider(CloudProvider):
    name = "aks"
    service = "AKS"
    zone_updatable = ("kubernetes_version", "tags")
    node_pool_updatable = ("autoscaling", "labels", "taints")
    status_word = "provisioningState"
    ready_statuses = ("Succeeded",)
    failed_statuses = ("Failed",)
    #: Microsoft Entra Workload ID: the ServiceAccount names the managed identity's client ID, the pod opts in
    workload_identity_form = {"pattern": r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$",
                              "what": "a managed identity's client ID (a UUID)",
                              "annotation": "azure.workload.identity/client-id",
                              "pod_labels": {"azure.workload.identity/use": "true"}}

    def __init__(self, params):
        super(AksProvider, self).__init__(params)
        self._client = None

    # plumbing ----------------------------------------------------------
    @property
    def resource_group(self):
        return self.required("azure_resource_group", "AZURE_RESOURCE_GROUP")

    def _credential(self):
        token = self.param("azure_access_token", "AZURE_ACCESS_TOKEN")
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
        with self.client_lock:
            if self._client is None:
                client_class = import_sdk("aks", "azure-mgmt-containerservice", _container_service_client)
                endpoint = (self.params.get("endpoint_url") or DEFAULT_ENDPOINT).rstrip("/")
                subscription = self.required("azure_subscription_id", "AZURE_SUBSCRIPTION_ID")
                # retry_total=0: one retry policy (call_with_retry) for the whole collection.
                # polling_interval: used only when the service sends no Retry-After.
                kwargs = {}
                if self.params.get("ca_bundle"):
                    # a private CA (private endpoints); TLS verification itself is never turned off
                    kwargs["connection_verify"] = self.params["ca_bundle"]
                self._client = client_class(
                    self._credential(), subscription, base_url=endpoint,
                    credential_scopes=[endpoint + "/.default"], retry_total=0, polling_interval=5,
                    user_agent="aizone.platform", **kwargs)
            return self._client

    def is_transient(self, exc):
        return is_transient(exc)

    def translate_error(self, what, exc):
        if not hasattr(exc, "status_code") and type(exc).__name__ not in CONNECTION_ERRORS:
            return None
        code, message = error_code(exc)
        return ApiError("AKS %s failed: %s: %s" % (what, code, message),
                        status=getattr(exc, "status_code", None), code=code)

    def operation_state(self, handle, what):
        """An LROPoller's state; a failed operation raises with the service's error code."""
        # the poller polls in its own thread (at the service's Retry-After); give it a
        # moment so a probe right after a short operation need not wait a whole interval
        try:
            handle.wait(0.5)
        except Exception:  # noqa: BLE001 - a failed operation is reported from result() below
            pass
        if not handle.done():
            return False, "operation %s: %s" % (what, handle.status())
        try:
            handle.result()
        except Exception as exc:  # noqa: BLE001 - azure-core HttpResponseError
            if is_transient(exc):
                # the poller's own GET was throttled or got no answer: the poll failed, not the operation;
                # the ready probe reads the resource's provisioning state instead
                return True, "operation %s: its poll failed (%s); the resource's state decides" % (
                    what, getattr(exc, "status_code", None) or type(exc).__name__)
            code, message = error_code(exc)
            # the HTTP status here is the poll's (200): the failure is in the operation body
            raise ApiError("AKS %s failed: %s: %s" % (what, code, message), code=code, operation=what)
        return True, "operation %s: Succeeded" % what

    def failed(self, what, raw, status):
        return ApiError("AKS %s is in provisioningState Failed; running the task again retries it "
                        "(AKS reconciles a failed resource on the next PUT)" % what, code="ProvisioningStateFailed")

    @staticmethod
    def _dict(model):
        return model.as_dict() if hasattr(model, "as_dict") else dict(model)

    def _mc(self, name):
        mc = self.read("get managed cluster %s" % name,
                       lambda: self.client().managed_clusters.get(self.resource_group, name))
        return self._raw(mc)

    def _raw(self, model):
        """The wire JSON of an SDK model (the new-style models are MutableMappings of it)."""
        if model is None:
            return None
        return json.loads(json.dumps(dict(model), default=self._default))

    @staticmethod
    def _default(obj):
        if hasattr(obj, "keys"):
            return dict(obj)
        if isinstance(obj, bytes):
            return obj.decode("utf-8")
        return str(obj)

    def _pools_raw(self, zone_name):
        pools = self.read("list agent pools of %s" % zone_name,
                          lambda: list(self.client().agent_pools.list(self.resource_group, zone_name)))
        return [self._raw(p) for p in pools or []]

    def _pool_raw(self, zone_name, pool_name):
        pool = self.read("get agent pool %s/%s" % (zone_name, pool_name),
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
        return self._zone(self._mc(name))

    def list_zones(self):
        clusters = self.read("list managed clusters of %s" % self.resource_group,
                             lambda: list(self.client().managed_clusters.list_by_resource_group(self.resource_group)))
        found = [self._raw(mc) for mc in clusters or []]
        return [self._zone(mc) for mc in found if (mc.get("tags") or {}).get(MANAGED_BY_TAG) == MANAGED_BY]

    def _zone(self, mc):
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
        self.start(("zone", name), "create managed cluster %s" % name,
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
            self.start(("zone", name), "upgrade managed cluster %s" % name,
                       lambda: self.client().managed_clusters.begin_create_or_update(
                           self.resource_group, name, body, **kwargs))
            return
        if "tags" in changed_fields:
            mc = self._mc(name)
            tags = dict(desired.get("tags") or {})
            tags.update(dict((k, v) for k, v in ((mc or {}).get("tags") or {}).items() if k in RESERVED_TAGS))
            self.start(("zone", name), "update tags of managed cluster %s" % name,
                       lambda: self.client().managed_clusters.begin_update_tags(
                           self.resource_group, name, {"tags": tags}))

    def delete_zone(self, current):
        name = current["name"]
        # deleting the managed cluster deletes its agent pools with it
        self.start(("zone", name), "delete managed cluster %s" % name,
                   lambda: self.client().managed_clusters.begin_delete(self.resource_group, name))

    def stop_zone(self, current):
        """AKS stops a cluster (control plane and nodes) and keeps it; waits until stopped."""
        name = current["name"]
        self.start(("zone", name), "stop managed cluster %s" % name,
                   lambda: self.client().managed_clusters.begin_stop(self.resource_group, name))
        timeout = int(self.params.get("wait_timeout") or self.operation_timeout)
        wait_for(lambda: self.zone_ready(name), timeout, "aks zone %s: waiting until stopped" % name)

    def start_zone(self, current):
        name = current["name"]
        self.start(("zone", name), "start managed cluster %s" % name,
                   lambda: self.client().managed_clusters.begin_start(self.resource_group, name))

    def zone_ready(self, name):
        return self.ready(("zone", name), "managed cluster %s" % name, lambda: self.get_zone(name), lambda z: z,
                          ok=("Succeeded", "STOPPED"))

    def zone_kubeconfig(self, zone):
        import yaml
        name = zone["name"]
        admin = bool(self.param("azure_kubeconfig_admin"))
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
        self.start(("pool", zone_name, name), "create agent pool %s/%s" % (zone_name, name),
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
        self.start(("pool", zone_name, name), "update agent pool %s/%s" % (zone_name, name),
                   lambda: self.client().agent_pools.begin_create_or_update(
                       self.resource_group, zone_name, name, {"properties": props}, **kwargs))

    def delete_node_pool(self, zone_name, current):
        name = current["name"]
        self.start(("pool", zone_name, name), "delete agent pool %s/%s" % (zone_name, name),
                   lambda: self.client().agent_pools.begin_delete(self.resource_group, zone_name, name))

    def node_pool_ready(self, zone_name, pool_name):
        return self.ready(("pool", zone_name, pool_name), "agent pool %s/%s" % (zone_name, pool_name),
                          lambda: self._pool_raw(zone_name, pool_name), normalize_pool)


PROVIDER = AksProvider
