# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a kind lives in the API (path, scope) and in what order it is written.

A static table covers every kind the collection writes, so the engine pays no
discovery request for them. An unknown kind costs one GET of its
group-version's resource list (cached for the process).

Apply order is by `tier`: CRDs, then namespaces, then cluster-wide policy
objects, then what lives in a namespace (policy before workloads), then
custom resources. Deletes run the tiers in reverse.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError

# (apiVersion, kind): (plural, namespaced, tier)
STATIC_KINDS = {
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): ("customresourcedefinitions", False, 0),
    ("v1", "Namespace"): ("namespaces", False, 10),
    ("scheduling.k8s.io/v1", "PriorityClass"): ("priorityclasses", False, 20),
    ("storage.k8s.io/v1", "StorageClass"): ("storageclasses", False, 20),
    ("node.k8s.io/v1", "RuntimeClass"): ("runtimeclasses", False, 20),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): ("clusterroles", False, 20),
    ("resource.k8s.io/v1", "DeviceClass"): ("deviceclasses", False, 20),
    ("v1", "Node"): ("nodes", False, 20),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): ("clusterrolebindings", False, 30),
    ("v1", "ServiceAccount"): ("serviceaccounts", True, 30),
    ("v1", "ResourceQuota"): ("resourcequotas", True, 30),
    ("v1", "LimitRange"): ("limitranges", True, 30),
    ("v1", "ConfigMap"): ("configmaps", True, 30),
    ("v1", "Secret"): ("secrets", True, 30),
    ("v1", "PersistentVolumeClaim"): ("persistentvolumeclaims", True, 30),
    ("rbac.authorization.k8s.io/v1", "Role"): ("roles", True, 30),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): ("rolebindings", True, 40),
    ("networking.k8s.io/v1", "NetworkPolicy"): ("networkpolicies", True, 40),
    ("policy/v1", "PodDisruptionBudget"): ("poddisruptionbudgets", True, 40),
    ("v1", "Service"): ("services", True, 40),
    ("resource.k8s.io/v1", "ResourceClaimTemplate"): ("resourceclaimtemplates", True, 40),
    ("resource.k8s.io/v1", "ResourceClaim"): ("resourceclaims", True, 40),
    ("apps/v1", "Deployment"): ("deployments", True, 50),
    ("apps/v1", "StatefulSet"): ("statefulsets", True, 50),
    ("apps/v1", "DaemonSet"): ("daemonsets", True, 50),
    ("apps/v1", "ReplicaSet"): ("replicasets", True, 50),
    ("batch/v1", "Job"): ("jobs", True, 50),
    ("batch/v1", "CronJob"): ("cronjobs", True, 50),
    ("v1", "Pod"): ("pods", True, 50),
    ("v1", "Event"): ("events", True, 50),
    ("autoscaling/v2", "HorizontalPodAutoscaler"): ("horizontalpodautoscalers", True, 50),
    ("ray.io/v1", "RayCluster"): ("rayclusters", True, 60),
    ("ray.io/v1", "RayJob"): ("rayjobs", True, 60),
    ("ray.io/v1", "RayService"): ("rayservices", True, 60),
    ("kubernetes.dask.org/v1", "DaskCluster"): ("daskclusters", True, 60),
    ("nvidia.com/v1", "ClusterPolicy"): ("clusterpolicies", False, 60),
    ("keda.sh/v1alpha1", "ScaledObject"): ("scaledobjects", True, 60),
    ("velero.io/v1", "BackupStorageLocation"): ("backupstoragelocations", True, 60),
    ("velero.io/v1", "Schedule"): ("schedules", True, 60),
    ("velero.io/v1", "Backup"): ("backups", True, 60),
    ("velero.io/v1", "Restore"): ("restores", True, 60),
    ("velero.io/v1", "DeleteBackupRequest"): ("deletebackuprequests", True, 60),
}

CUSTOM_TIER = 60


class KindInfo(object):
    """Plural, scope and tier of one apiVersion/kind, and how to build its paths."""

    __slots__ = ("api_version", "kind", "plural", "namespaced", "tier")

    def __init__(self, api_version, kind, plural, namespaced, tier):
        self.api_version = api_version
        self.kind = kind
        self.plural = plural
        self.namespaced = namespaced
        self.tier = tier

    @property
    def base(self):
        if "/" in self.api_version:
            return "/apis/%s" % self.api_version
        return "/api/%s" % self.api_version

    def collection_path(self, namespace=None):
        """Path of the collection; all namespaces when namespace is None."""
        if self.namespaced and namespace:
            return "%s/namespaces/%s/%s" % (self.base, namespace, self.plural)
        return "%s/%s" % (self.base, self.plural)

    def object_path(self, name, namespace=None):
        return "%s/%s" % (self.collection_path(namespace), name)


def kind_info(api_version, kind):
    """KindInfo of a kind in the static table (the kinds the collection writes); KeyError otherwise."""
    return KindInfo(api_version, kind, *STATIC_KINDS[(api_version, kind)])


class KindResolver(object):
    """Resolves apiVersion/kind to KindInfo: static table first, discovery second.

    `get(path)` is a callable doing one GET and returning the parsed body; it is
    only called for kinds missing from STATIC_KINDS (once per group-version).
    """

    def __init__(self, get):
        self._get = get
        self._cache = {}
        self._lock = threading.Lock()
        self.discovery_requests = 0

    def add_crd(self, crd):
        """Learn the kinds a CustomResourceDefinition manifest defines (no request needed)."""
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        if not spec.get("group") or not names.get("kind") or not names.get("plural"):
            return
        with self._lock:
            for version in spec.get("versions") or []:
                api_version = "%s/%s" % (spec["group"], version.get("name"))
                self._cache.setdefault(api_version, {})[names["kind"]] = (
                    names["plural"], spec.get("scope", "Namespaced") == "Namespaced")

    def resolve(self, api_version, kind, field="definition"):
        key = (api_version, kind)
        if key in STATIC_KINDS:
            return kind_info(api_version, kind)
        with self._lock:
            if api_version not in self._cache:
                self._cache[api_version] = self._discover(api_version)
            elif kind not in self._cache[api_version]:
                self._cache[api_version].update(self._discover(api_version))
            resources = self._cache[api_version]
        if kind not in resources:
            raise ValidationError(field, "kind %s is not served by apiVersion %s on this cluster (served: %s)"
                                  % (kind, api_version, ", ".join(sorted(resources)) or "none"))
        plural, namespaced = resources[kind]
        return KindInfo(api_version, kind, plural, namespaced, CUSTOM_TIER)

    def _discover(self, api_version):
        path = ("/apis/%s" if "/" in api_version else "/api/%s") % api_version
        self.discovery_requests += 1
        try:
            body = self._get(path)
        except AizoneError as exc:
            if getattr(exc, "status", None) == 404:
                return {}
            raise
        found = {}
        for res in body.get("resources", []):
            if "/" in res.get("name", ""):
                continue  # subresources such as deployments/status
            found[res["kind"]] = (res["name"], bool(res.get("namespaced")))
        return found
