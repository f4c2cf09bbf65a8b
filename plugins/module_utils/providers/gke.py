# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Google GKE: zones are clusters, node pools are GKE node pools.

Translation only: comparing, check mode, diffs and wait policy live in the
reconciler (zones.py). What this file knows about GKE:

- google-cloud-container over transport="rest" (the gRPC default is slower
  to start and hangs on a plain-http endpoint). endpoint_url becomes the
  client's api_endpoint (private or regional endpoints, test doubles).
- Updates are really applied, one GKE operation per kind of change, each
  polled to DONE (GKE runs one operation per cluster at a time):
  * cluster labels (tags): set_labels with the current label fingerprint;
  * version: update_cluster(desired_master_version); logging:
    update_cluster(desired_logging_config) (GKE takes one update per call);
  * pool labels and taints: one update_node_pool carrying only the changed
    ones (each replaces that whole list, as the API defines);
  * pool autoscaling: set_node_pool_autoscaling; pool size: set_node_pool_size.
- GKE's NodePool has no current-size field (the size lives in the instance
  groups). The size this collection asked for is kept in the pool's resource
  label ``aizone-node-count`` (written with the resize, read back as
  autoscaling.desired); a pool created elsewhere reads initialNodeCount.
- Collection facts GKE has no field for: the zone type is the cluster
  resource label ``aizone-zone-type``; the pool name/type/GPU model are node
  labels ``aizone.io/...`` carried by every node. Reserved names are stripped
  on read.
- A cluster needs a node pool to be created: the zone gets a small pool,
  ``system`` (resource label ``aizone-role=system``), for the cluster's own
  add-ons; list_node_pools leaves it out.
- Operations: create/delete return at once; zone_ready/node_pool_ready poll
  the operation this run started and raise ApiError naming the operation's
  error code (e.g. RESOURCE_EXHAUSTED) and message when it ends DONE with an
  error. Sequential operations inside one update are awaited with
  waiter.wait_for and a timeout.
- The access token (gcp_access_token) is used to call the API and to build
  the kubeconfig; it never appears in results other than the kubeconfig file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import POOL_LABEL
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import minor_version, pool_labels
from ansible_collections.aizone.platform.plugins.module_utils.providers.cloud import CloudProvider, import_sdk
from ansible_collections.aizone.platform.plugins.module_utils.providers.gke_shapes import (
    CONNECTION_ERRORS, MANAGED_BY, MANAGED_BY_LABEL, OP_DONE, RESERVED_TAGS, ROLE_LABEL, RPC_CODES, SCOPES, SIZE_LABEL,
    SYSTEM_POOL, ZONE_TYPE_LABEL, accelerators, check_logging, check_tags, gke_taints, is_transient,
    logging_config, normalize_cluster, normalize_pool)


def _container_v1():
    from google.cloud import container_v1
    return container_v1


class GkeProvider(CloudProvider):
    name = "gke"
    service = "GKE"
    zone_updatable = ("kubernetes_version", "tags", "logging")
    node_pool_updatable = ("autoscaling", "labels", "taints")
    ready_statuses = ("RUNNING",)
    failed_statuses = ("ERROR",)
    #: Workload Identity: the Kubernetes ServiceAccount impersonates an IAM service account
    workload_identity_form = {"pattern": r"^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$",
                              "what": "an IAM service account email (<name>@<project>.iam.gserviceaccount.com)",
                              "annotation": "iam.gke.io/gcp-service-account"}

    def __init__(self, params):
        super(GkeProvider, self).__init__(params)
        self._client = None
        self._credentials_cache = None

    # plumbing ----------------------------------------------------------
    @property
    def project(self):
        return self.required("gcp_project", "GOOGLE_CLOUD_PROJECT")

    @property
    def location(self):
        region = self.params.get("region")
        if not region:
            raise ValidationError("region", "required for provider gke (a region such as us-central1, or a zone)")
        return region

    def _parent(self):
        return "projects/%s/locations/%s" % (self.project, self.location)

    def _cluster_path(self, name):
        return "%s/clusters/%s" % (self._parent(), name)

    def _pool_path(self, zone_name, pool_name):
        return "%s/nodePools/%s" % (self._cluster_path(zone_name), pool_name)

    def _credentials(self):
        if self._credentials_cache is not None:
            return self._credentials_cache
        token = self.param("gcp_access_token", "GOOGLE_OAUTH_ACCESS_TOKEN")
        if token:
            from google.oauth2 import credentials
            creds = credentials.Credentials(token=token)
        elif self.params.get("gcp_credentials_file"):
            from google.oauth2 import service_account
            creds = service_account.Credentials.from_service_account_file(
                self.params["gcp_credentials_file"], scopes=SCOPES)
        else:
            import google.auth
            creds = google.auth.default(scopes=SCOPES)[0]
        self._credentials_cache = creds
        return creds

    def client(self):
        with self.client_lock:
            if self._client is None:
                container_v1 = import_sdk("gke", "google-cloud-container", _container_v1)
                options = {}
                if self.params.get("endpoint_url"):
                    options["api_endpoint"] = self.params["endpoint_url"]
                self._client = container_v1.ClusterManagerClient(
                    credentials=self._credentials(), transport="rest", client_options=options)
            return self._client

    def is_transient(self, exc):
        return is_transient(exc)

    def translate_error(self, what, exc):
        code = getattr(exc, "code", None)
        if code is None and type(exc).__name__ not in CONNECTION_ERRORS:
            return None
        status = getattr(exc, "grpc_status_code", None)
        status_name = getattr(status, "name", None) or getattr(exc, "reason", None) or type(exc).__name__
        return ApiError("GKE %s failed: %s: %s" % (what, status_name, getattr(exc, "message", exc)),
                        status=code if isinstance(code, int) else None, code=status_name)

    def _send(self, method, request):
        """One API call (the SDK's own retry is off) -> the response as wire JSON."""
        message = getattr(self.client(), method)(request=request, retry=None, timeout=60)
        return type(message).to_dict(message, use_integers_for_enums=True, preserving_proto_field_name=False)

    def rpc(self, what, method, request):
        """call(what, ...) of one API method."""
        return self.call(what, lambda: self._send(method, request))

    def _get(self, what, method, request):
        return self.read(what, lambda: self._send(method, request))

    def _cluster(self, name):
        return self._get("get cluster %s" % name, "get_cluster", {"name": self._cluster_path(name)})

    def _pool(self, zone_name, pool_name):
        return self._get("get node pool %s/%s" % (zone_name, pool_name), "get_node_pool",
                         {"name": self._pool_path(zone_name, pool_name)})

    # operations ---------------------------------------------------------
    def _operation(self, key, what, method, request):
        """Start an operation (one API call returning a GKE Operation) on key."""
        return self.start(key, what, lambda: self._send(method, request))

    def _step(self, what, method, build):
        """A step of run_steps: the request is built when the step starts (after the previous one)."""
        return what, lambda: self._send(method, build())

    def operation_state(self, handle, what):
        name = handle["name"]
        op = self.rpc("get operation %s" % name, "get_operation",
                      {"name": "%s/operations/%s" % (self._parent(), name)})
        if op.get("status") != OP_DONE:
            return False, "operation %s (%s): %s" % (
                name, what, {1: "PENDING", 2: "RUNNING", 4: "ABORTING"}.get(op.get("status"), op.get("status")))
        error = op.get("error") or {}
        if error.get("code") or error.get("message"):
            code = RPC_CODES.get(error.get("code"), str(error.get("code")))
            raise ApiError("GKE %s failed: operation %s ended with %s: %s"
                           % (what, name, code, error.get("message") or op.get("statusMessage")),
                           code=code, operation=name)
        return True, "operation %s (%s): DONE" % (name, what)

    def failed(self, what, raw, status):
        return ApiError("GKE %s is in status %s: %s" % (what, status, raw.get("statusMessage") or "no message"),
                        code=status)

    # defaults and validation (called before any write, also in check mode) ------
    def zone_defaults(self, desired):
        check_tags("tags", desired.get("tags"))
        check_logging("logging", desired.get("logging"))
        net = desired.get("networking") or {}
        if net.get("security_groups"):
            raise ValidationError("networking.security_groups", "GKE clusters take no security groups "
                                  "(firewall rules belong to the VPC); allowed value on gke: []")
        if len(net.get("subnets") or []) > 1:
            raise ValidationError("networking.subnets", "GKE takes one subnetwork; got %d" % len(net["subnets"]))
        out = {}
        if not desired.get("kubernetes_version"):
            config = self._get("get server config", "get_server_config", {"name": self._parent()})
            out["kubernetes_version"] = minor_version((config or {}).get("defaultClusterVersion"))
        return out

    def node_pool_defaults(self, zone_name, desired):
        if desired["name"] == SYSTEM_POOL["name"]:
            raise ValidationError("name", "%r is the zone's own system pool on gke; choose another name"
                                  % desired["name"])
        accelerators(desired.get("gpu"))
        return {}

    # zones -------------------------------------------------------------
    def get_zone(self, name):
        cl = self._cluster(name)
        return normalize_cluster(cl) if cl else None

    def list_zones(self):
        found = self._get("list clusters of %s" % self._parent(), "list_clusters", {"parent": self._parent()}) or {}
        return [normalize_cluster(cl) for cl in found.get("clusters") or []
                if (cl.get("resourceLabels") or {}).get(MANAGED_BY_LABEL) == MANAGED_BY]

    def create_zone(self, desired):
        labels = dict(desired.get("tags") or {})
        labels[MANAGED_BY_LABEL] = MANAGED_BY
        if desired.get("zone_type"):
            labels[ZONE_TYPE_LABEL] = desired["zone_type"]
        system = {"name": SYSTEM_POOL["name"], "initial_node_count": SYSTEM_POOL["count"],
                  "config": {"machine_type": SYSTEM_POOL["machine_type"], "disk_size_gb": SYSTEM_POOL["disk_size_gb"],
                             "labels": {POOL_LABEL: SYSTEM_POOL["name"]},
                             "resource_labels": {ROLE_LABEL: "system", MANAGED_BY_LABEL: MANAGED_BY}}}
        cluster = {"name": desired["name"], "resource_labels": labels, "node_pools": [system],
                   "logging_config": logging_config(desired.get("logging"))}
        if desired.get("kubernetes_version"):
            cluster["initial_cluster_version"] = desired["kubernetes_version"]
        net = desired.get("networking") or {}
        if net.get("subnets"):
            cluster["subnetwork"] = net["subnets"][0]
        if net.get("endpoint_private_access"):
            cluster["private_cluster_config"] = {
                "enable_private_nodes": True,
                "enable_private_endpoint": not net.get("endpoint_public_access", True)}
        name = desired["name"]
        self._operation(("zone", name), "create cluster %s" % name, "create_cluster",
                        {"parent": self._parent(), "cluster": cluster})

    def update_zone(self, current, desired, changed_fields):
        name = current["name"]
        path = self._cluster_path(name)
        steps = []
        if "tags" in changed_fields:
            check_tags("tags", desired.get("tags"))
            steps.append(self._step("set labels of cluster %s" % name, "set_labels",
                                    lambda: self._labels_request(name, desired)))
        if "logging" in changed_fields:
            check_logging("logging", desired.get("logging"))
            logging = logging_config(desired.get("logging"))
            steps.append(self._step("update logging of cluster %s" % name, "update_cluster",
                                    lambda: {"name": path, "update": {"desired_logging_config": logging}}))
        if "kubernetes_version" in changed_fields:
            version = desired["kubernetes_version"]
            steps.append(self._step("upgrade control plane of cluster %s to %s" % (name, version), "update_cluster",
                                    lambda: {"name": path, "update": {"desired_master_version": version}}))
        self.run_steps(("zone", name), steps)

    def _labels_request(self, name, desired):
        cl = self._cluster(name)
        if cl is None:
            raise ApiError("GKE cluster %s not found" % name, status=404, code="NOT_FOUND")
        labels = dict(desired.get("tags") or {})
        labels.update(dict((k, v) for k, v in (cl.get("resourceLabels") or {}).items() if k in RESERVED_TAGS))
        return {"name": self._cluster_path(name), "resource_labels": labels,
                "label_fingerprint": cl.get("labelFingerprint")}

    def delete_zone(self, current):
        name = current["name"]
        # deleting the cluster deletes its node pools with it
        self._operation(("zone", name), "delete cluster %s" % name, "delete_cluster", {"name": self._cluster_path(name)})

    def zone_ready(self, name):
        return self.ready(("zone", name), "cluster %s" % name, lambda: self._cluster(name), normalize_cluster)

    def zone_kubeconfig(self, zone):
        cl = self._cluster(zone["name"])
        if cl is None:
            raise ApiError("GKE cluster %s not found" % zone["name"], status=404, code="NOT_FOUND")
        creds = self._credentials()
        if not getattr(creds, "token", None) or not getattr(creds, "valid", True):
            from google.auth.transport.requests import Request
            creds.refresh(Request())
        context = "gke_%s_%s_%s" % (self.project, self.location, zone["name"])
        ca = (cl.get("masterAuth") or {}).get("clusterCaCertificate")
        cluster = {"server": "https://%s" % cl["endpoint"]}
        if ca:
            cluster["certificate-authority-data"] = ca
        return {"apiVersion": "v1", "kind": "Config", "current-context": context, "preferences": {},
                "clusters": [{"name": context, "cluster": cluster}],
                "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
                "users": [{"name": context, "user": {"token": creds.token}}]}

    # node pools -------------------------------------------------------
    def list_node_pools(self, zone_name):
        result = self._get("list node pools of %s" % zone_name, "list_node_pools",
                           {"parent": self._cluster_path(zone_name)}) or {}
        return dict((np["name"], normalize_pool(np)) for np in result.get("nodePools") or []
                    if ((np.get("config") or {}).get("resourceLabels") or {}).get(ROLE_LABEL) != "system")

    def create_node_pool(self, zone_name, desired):
        scaling = desired["autoscaling"]
        config = {"machine_type": desired["instance_type"], "labels": pool_labels(desired),
                  "taints": gke_taints(desired.get("taints")),
                  "resource_labels": {MANAGED_BY_LABEL: MANAGED_BY, SIZE_LABEL: str(int(scaling["desired"]))},
                  "spot": desired.get("capacity_type") == "spot"}
        if desired.get("disk_size_gb"):
            config["disk_size_gb"] = int(desired["disk_size_gb"])
        acc = accelerators(desired.get("gpu"))
        if acc:
            config["accelerators"] = acc
        pool = {"name": desired["name"], "initial_node_count": int(scaling["desired"]), "config": config}
        if scaling.get("enabled"):
            pool["autoscaling"] = {"enabled": True, "min_node_count": int(scaling["min"]),
                                   "max_node_count": int(scaling["max"])}
        if desired.get("kubernetes_version"):
            pool["version"] = desired["kubernetes_version"]
        name = desired["name"]
        self._operation(("pool", zone_name, name), "create node pool %s/%s" % (zone_name, name), "create_node_pool",
                        {"parent": self._cluster_path(zone_name), "node_pool": pool})

    def _scaling_steps(self, where, path, want, have):
        steps = []
        if (want.get("enabled"), want.get("min"), want.get("max")) != \
                (have.get("enabled"), have.get("min"), have.get("max")):
            auto = {"enabled": bool(want.get("enabled"))}
            if auto["enabled"]:
                auto.update(min_node_count=int(want["min"]), max_node_count=int(want["max"]))
            steps.append(self._step("set autoscaling of node pool %s" % where, "set_node_pool_autoscaling",
                                    lambda: {"name": path, "autoscaling": auto}))
        if want.get("desired") != have.get("desired"):
            steps.append(self._step("resize node pool %s to %d" % (where, want["desired"]), "set_node_pool_size",
                                    lambda: {"name": path, "node_count": int(want["desired"])}))
        return steps

    def _pool_update(self, zone_name, current, desired, changed_fields):
        """The update_node_pool request body for labels, taints and the recorded size (empty: none)."""
        update = {}
        if "labels" in changed_fields:
            update["labels"] = {"labels": pool_labels(dict(desired, type=desired.get("type") or current.get("type")))}
        if "taints" in changed_fields:
            update["taints"] = {"taints": gke_taints(desired.get("taints"))}
        want, have = desired.get("autoscaling") or {}, current.get("autoscaling") or {}
        if "autoscaling" in changed_fields and want.get("desired") != have.get("desired"):
            np = self._pool(zone_name, current["name"]) or {}
            labels = dict((np.get("config") or {}).get("resourceLabels") or {})
            labels[SIZE_LABEL] = str(int(want["desired"]))
            update["resource_labels"] = {"labels": labels}
        return update

    def update_node_pool(self, zone_name, current, desired, changed_fields):
        name = current["name"]
        path = self._pool_path(zone_name, name)
        where = "%s/%s" % (zone_name, name)
        steps = []
        if "autoscaling" in changed_fields:
            steps += self._scaling_steps(where, path, desired.get("autoscaling") or {},
                                         current.get("autoscaling") or {})
        update = self._pool_update(zone_name, current, desired, changed_fields)
        if update:
            what = "update node pool %s (%s)" % (where, ", ".join(sorted(update)))
            update["name"] = path
            steps.append(self._step(what, "update_node_pool", lambda: update))
        self.run_steps(("pool", zone_name, name), steps)

    def delete_node_pool(self, zone_name, current):
        name = current["name"]
        self._operation(("pool", zone_name, name), "delete node pool %s/%s" % (zone_name, name), "delete_node_pool",
                        {"name": self._pool_path(zone_name, name)})

    def node_pool_ready(self, zone_name, pool_name):
        return self.ready(("pool", zone_name, pool_name), "node pool %s/%s" % (zone_name, pool_name),
                          lambda: self._pool(zone_name, pool_name), normalize_pool)


PROVIDER = GkeProvider
