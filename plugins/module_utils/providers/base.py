# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider interface: one contract, four implementations (local, eks, aks, gke).

Modules never branch on the provider. They validate input (zones/spec.py), hand
normalized desired state to the reconciler (zones/reconcile.py), and the reconciler
talks to a Provider through the methods below. A provider only translates
between the normalized shapes and its API; comparing, check mode, diffs and
waiting policy live in the reconciler so they behave the same everywhere.

Where a provider lives: plugins/module_utils/providers/<name>.py exposes its
subclass as the module attribute ``PROVIDER``; providers/__init__.py
``get_provider(name, params)`` loads it. SDKs are imported inside methods.
The three clouds derive from providers/cloud.CloudProvider, the one home of
their shared mechanics (calls, retries, reads, operations, ready probes).

Connection params (``self.params``, built from providers.PROVIDER_ARGS; every
key is present, unset ones are None): provider, region, endpoint_url
(env AIZONE_ENDPOINT_URL), ca_bundle, aws_access_key_id, aws_secret_access_key,
aws_session_token, aws_profile, eks_cluster_role_arn, eks_node_role_arn,
azure_subscription_id, azure_tenant_id, azure_client_id, azure_client_secret,
azure_access_token, azure_resource_group, gcp_project, gcp_credentials_file,
gcp_access_token, binaries_dir, workdir (local only); plus wait_timeout, the module's own
(None for modules without one).

What the reconciler guarantees to providers:
- create_zone / create_node_pool receive a COMPLETE normalized shape: the
  reconciler starts from generic defaults (zones/spec.ZONE_DEFAULTS /
  NODE_POOL_DEFAULTS), lays the provider's zone_defaults()/node_pool_defaults()
  over them (region, kubernetes_version, networking...), then what the user set.
- update_* receive the merged desired shape and changed_fields, the list of
  top-level field names that differ ("labels", "taints", "autoscaling",
  "tags", "logging", "kubernetes_version", "networking"...); a dotted path
  ("networking.endpoint_public_access") when only a sub-field differs.
  Fields not in *_updatable never reach update_*: the reconciler fails first.
- "status" and "endpoint" are never compared.
- Node pools: the reconciler picks instance_type from gpu model+count through
  the catalog (catalog/instances.py, keyed by provider name) and recomputes "gpu" from
  the catalog on both sides, so providers may return gpu None. "type" may come
  back None if the API cannot hold it; it is then derived from the catalog
  category. "labels" must be the user's labels only: strip provider-added
  ones (aizone.io/*, node.kubernetes.io/*, topology.*, nvidia.com/*, cloud
  ones). Pool names are unique per zone.
- Write methods start the operation and return; the reconciler waits with
  zone_ready/node_pool_ready (present) or by polling get_zone/list_node_pools
  until the object is gone (absent), always through waiter.wait_for.
- In check mode no write method is called.

Normalized zone (what get_zone returns and create_zone receives):
    {
      "name": str, "provider": str, "region": str,
      "kubernetes_version": str | None,   # "1.36"; None = provider default
      "zone_type": "shared" | "dedicated",
      "networking": {"subnets": [..], "security_groups": [..],
                     "endpoint_public_access": bool,
                     "endpoint_private_access": bool},
      "logging": [str, ...],              # enabled control-plane log types, sorted
      "tags": {str: str},
      "status": str,                      # provider status, e.g. ACTIVE/RUNNING/Succeeded
      "endpoint": str | None,
    }

Normalized node pool:
    {
      "name": str, "type": "cpu-optimized" | "memory-optimized" | "gpu-optimized",
      "instance_type": str,
      "gpu": {"model": str, "count": int, "memory_gib": int} | None,
      "autoscaling": {"enabled": bool, "min": int, "max": int, "desired": int},
      "labels": {str: str},               # user labels only, not provider-added ones
      "taints": [{"key": str, "value": str, "effect": str}, ...],  # sorted by key, effect
      "capacity_type": "on-demand" | "spot",
      "disk_size_gb": int,
      "status": str,
      "managed": bool,                    # created by this collection (its nodes carry aizone.io/node-pool)
    }
Providers may add read-only extras to a pool (the local one adds node_count
and ready_node_count); the reconciler never compares them, nor "managed",
which only node_pools' prune reads.
"""

from __future__ import absolute_import, division, print_function

import abc
import re

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import GPU_MODEL_LABEL, POOL_LABEL, POOL_TYPE_LABEL

__metaclass__ = type


def minor_version(version):
    """'1.34.1', '1.34' or GKE's '1.30.5-gke.1014001' -> '1.34' / '1.30'; None stays None."""
    if not version:
        return None
    return ".".join(str(version).split("-", 1)[0].split(".")[:2])


def networking_shape(subnets, security_groups, public, private):
    """The normalized zone's networking."""
    return {"subnets": subnets, "security_groups": security_groups,
            "endpoint_public_access": bool(public), "endpoint_private_access": bool(private)}


def zone_shape(provider, name, region, version, zone_type, networking, logging, tags, status, endpoint):
    """The normalized zone (see the module docstring): the one place its fields are listed."""
    return {"name": name, "provider": provider, "region": region, "kubernetes_version": version,
            "zone_type": zone_type, "networking": networking, "logging": logging, "tags": tags,
            "status": status, "endpoint": endpoint}


def scaling_shape(enabled, low, high, desired):
    """The normalized pool's autoscaling; a pool without autoscaling is fixed at its size."""
    if not enabled:
        return {"enabled": False, "min": desired, "max": desired, "desired": desired}
    return {"enabled": True, "min": low, "max": high, "desired": desired}


def pool_shape(name, pool_type, instance_type, autoscaling, labels, taints, capacity_type, disk_size_gb, status,
               gpu=None, node_labels=None):
    """The normalized node pool (see the module docstring): the one place its fields are listed.

    node_labels: every label the pool gives its nodes, reserved ones included: a pool whose nodes carry
    aizone.io/node-pool=<its name> (pool_labels) was created by this collection (`managed`)."""
    return {"name": name, "type": pool_type, "instance_type": instance_type, "gpu": gpu,
            "autoscaling": autoscaling, "labels": labels,
            "taints": sorted(taints, key=lambda t: (t["key"], t["effect"])), "capacity_type": capacity_type,
            "disk_size_gb": disk_size_gb, "status": status,
            "managed": (node_labels or {}).get(POOL_LABEL) == name}


def pool_labels(desired):
    """User labels plus the reserved labels every node of the pool carries, on every provider."""
    labels = dict(desired.get("labels") or {})
    labels[POOL_LABEL] = desired["name"]
    if desired.get("type"):
        labels[POOL_TYPE_LABEL] = desired["type"]
    if desired.get("gpu") and desired["gpu"].get("model"):
        labels[GPU_MODEL_LABEL] = desired["gpu"]["model"]
    return labels


class Provider(object, metaclass=abc.ABCMeta):
    """Base class; every method raises AizoneError subclasses on failure."""

    #: provider name as users write it
    name = None
    #: zone fields that can change in place (anything else differing is an error
    #: naming the field); dotted paths allowed, e.g. "networking.endpoint_public_access"
    zone_updatable = ()
    #: node pool fields that can change in place
    node_pool_updatable = ()
    #: zone statuses a zone with state=present is started from (start_zone); the local provider adds DEGRADED
    start_statuses = ("STOPPED",)

    def zone_defaults(self, desired):
        """Provider defaults for a zone being created: {field: value}, used for
        every field the user left unset (desired[field] is None), overriding
        zones/spec.ZONE_DEFAULTS. Must be what create_zone will really use, so
        check mode predicts exactly. May raise ValidationError for desired
        values the provider cannot create (called in check mode too)."""
        return {}

    def node_pool_defaults(self, zone_name, desired):
        """Provider defaults for a node pool being created (same rule as zone_defaults)."""
        return {}

    def normalize_node_pool(self, pool):
        """The pool in the provider's own terms, applied by the reconciler to desired
        pools so both sides of a comparison agree (e.g. EKS has no autoscaling
        switch: enabled means min < max). Default: unchanged."""
        return pool

    def reuse_kubeconfig(self, existing, fresh):
        """True when the kubeconfig already written (a dict) may stay although the
        fresh one differs (e.g. a short-lived token still valid). Default: only
        when equal."""
        return existing == fresh

    def stop_zone(self, current):
        """Stop a running zone, keeping it (zone state=stopped). get_zone then reports
        status "STOPPED". Providers whose zones cannot stop keep this refusal."""
        raise AizoneError("provider %s cannot stop a zone; use state=absent to delete it" % self.name,
                          field="state")

    def start_zone(self, current):
        """Start a zone get_zone reports as "STOPPED" (zone state=present); the reconciler waits."""
        raise AizoneError("provider %s cannot start a stopped zone" % self.name, field="state")

    #: how a pod's ServiceAccount assumes a cloud identity (IRSA, Azure workload identity, GKE Workload Identity):
    #: {"pattern", "what" (the identity's form, for messages), "annotation" (on the ServiceAccount), "pod_labels"};
    #: None where the provider has none
    workload_identity_form = None

    def workload_identity(self, field, identity):
        """{"annotations", "pod_labels"} binding an operator's ServiceAccount to identity; pure (no request):
        ValidationError naming field when the provider has no workload identity or identity is not its form."""
        form = self.workload_identity_form
        if form is None:
            raise ValidationError(field, "provider %s has no workload identity; leave it unset (the local zone's "
                                         "processes use the credentials they are given)" % self.name)
        if not isinstance(identity, str) or not re.match(form["pattern"], identity):
            raise ValidationError(field, "give %s for provider %s (got %r)" % (form["what"], self.name, identity))
        return {"annotations": {form["annotation"]: identity}, "pod_labels": dict(form.get("pod_labels") or {})}

    #: where zone add-on operators can run: "cluster" (a Deployment in the zone) and, on a provider
    #: that runs its zones on this machine, "local" (a process next to the control plane); the first
    #: is the provider's choice when the module leaves it to the provider
    addon_controllers = ("cluster",)

    def run_addon_process(self, zone_name, name, argv, env, health, timeout):
        """Run an add-on's operator as a process of the zone (addon_controllers has "local"); True when
        it was (re)started. argv and health may hold {port}: a free loopback port."""
        raise AizoneError("provider %s runs add-on operators in the cluster only" % self.name)

    def stop_addon_process(self, zone_name, name):
        """Stop and forget an add-on's operator process; True when there was one."""
        return False

    def addon_process(self, zone_name, name):
        """{running, healthy, pid, health, log, argv} of an add-on's operator process, or None."""
        return None

    def database_server(self, zone_name, check_mode=False):
        """(changed, {host, port, admin_user, admin_password, running, ...}) of the PostgreSQL server the zone runs for
        its platform databases, made to run (check mode: predicted). Cloud zones use a managed server instead."""
        raise AizoneError("provider %s runs no PostgreSQL for the platform databases: give aizone.platform."
                          "platform_databases the endpoint of a managed server (RDS for PostgreSQL, Azure Database for "
                          "PostgreSQL, Cloud SQL) as server.host" % self.name, field="zone")

    def storage_volumes(self, zone_name, storage_class, volumes):
        """PersistentVolumes a StorageClass without a provisioner needs made for it (catalog/storage.py), as
        manifests for the apply engine. storage_class: {name, kind, access_modes}; volumes: {count, size}.
        Cloud zones provision volumes through their CSI drivers: none."""
        return []

    def __init__(self, params):
        """params: the module's provider-connection options (region, endpoint_url, credentials...)."""
        self.params = params

    # zones -------------------------------------------------------------
    @abc.abstractmethod
    def get_zone(self, name):
        """Return the normalized zone, or None when it does not exist."""

    @abc.abstractmethod
    def list_zones(self):
        """Every zone this collection made that the credentials see (the account and region, subscription and
        resource group, project and location, or the local work directory), normalized like get_zone."""

    @abc.abstractmethod
    def create_zone(self, desired):
        """Start creating the zone; return immediately (the reconciler waits)."""

    @abc.abstractmethod
    def update_zone(self, current, desired, changed_fields):
        """Apply in-place changes for changed_fields (a subset of zone_updatable)."""

    @abc.abstractmethod
    def delete_zone(self, current):
        """Start deleting the zone and its node pools (pools first)."""

    @abc.abstractmethod
    def zone_ready(self, name):
        """(done, zone_or_None, state_text) for the reconciler's wait_for."""

    @abc.abstractmethod
    def zone_kubeconfig(self, zone):
        """Return the kubeconfig for the zone as a dict (contains secrets).

        Must be the same dict for an unchanged zone: the reconciler rewrites
        kubeconfig_dest, and reports changed, only when the text differs (so a
        short-lived token belongs in an exec credential entry, not inline)."""

    # node pools -------------------------------------------------------
    @abc.abstractmethod
    def list_node_pools(self, zone_name):
        """Return {pool_name: normalized pool} for every pool of the zone."""

    @abc.abstractmethod
    def create_node_pool(self, zone_name, desired):
        """See the class docstring for the normalized shapes."""

    @abc.abstractmethod
    def update_node_pool(self, zone_name, current, desired, changed_fields):
        """See the class docstring for the normalized shapes."""

    @abc.abstractmethod
    def delete_node_pool(self, zone_name, current):
        """See the class docstring for the normalized shapes."""

    @abc.abstractmethod
    def node_pool_ready(self, zone_name, pool_name):
        """(done, pool_or_None, state_text)."""

    def predicted_node_pool(self, pool):
        """Check mode: the pool as the provider will report it once a create or update has settled (its
        read-only extras, such as the local provider's node counts). Default: as planned."""
        return pool
