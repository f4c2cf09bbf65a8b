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

import os
import re

from ansible_collections.aizone.platform.plugins.module_utils.errors import (
    AizoneError, ApiError, ValidationError)
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import (
    POOL_LABEL, POOL_TYPE_LABEL, Provider, pool_labels)
from ansible_collections.aizone.platform.plugins.module_utils.retry import (
    call_with_retry, status_is_transient)
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
ZONE_TYPE_LABEL = "aizone-zone-type"
MANAGED_BY_LABEL = "aizone-managed-by"
MANAGED_BY = "aizone-platform"
ROLE_LABEL = "aizone-role"
SIZE_LABEL = "aizone-node-count"
RESERVED_TAGS = (ZONE_TYPE_LABEL, MANAGED_BY_LABEL, ROLE_LABEL, SIZE_LABEL)
SYSTEM_POOL = {"name": "system", "machine_type": "e2-standard-4", "count": 1, "disk_size_gb": 100}
GCE_LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
GCE_LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")

# enums as the REST transport carries them (enum-encoding=int)
OP_DONE = 3
CLUSTER_STATUS = {0: "STATUS_UNSPECIFIED", 1: "PROVISIONING", 2: "RUNNING", 3: "RECONCILING",
                  4: "STOPPING", 5: "ERROR", 6: "DEGRADED"}
POOL_STATUS = {0: "STATUS_UNSPECIFIED", 1: "PROVISIONING", 2: "RUNNING", 3: "RUNNING_WITH_ERROR",
               4: "RECONCILING", 5: "STOPPING", 6: "ERROR"}
EFFECT_TO_GKE = {"NoSchedule": 1, "PreferNoSchedule": 2, "NoExecute": 3}
EFFECT_FROM_GKE = dict((v, k) for k, v in EFFECT_TO_GKE.items())
SHARING_TO_GKE = {"time-sharing": "TIME_SHARING", "time-slicing": "TIME_SHARING", "mps": "MPS"}
# normalized control-plane log types -> GKE logging components
LOG_COMPONENTS = {"api": 3, "scheduler": 4, "controllerManager": 5}
BASE_COMPONENTS = [1, 2]  # SYSTEM_COMPONENTS, WORKLOADS: always on (GKE needs them for the others)
RPC_CODES = {1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED", 5: "NOT_FOUND",
             6: "ALREADY_EXISTS", 7: "PERMISSION_DENIED", 8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION",
             10: "ABORTED", 11: "OUT_OF_RANGE", 12: "UNIMPLEMENTED", 13: "INTERNAL", 14: "UNAVAILABLE",
             15: "DATA_LOSS", 16: "UNAUTHENTICATED"}
# canonical GPU model (catalog keys) -> GKE accelerator type
ACCELERATOR_TYPES = {"A100-SXM4-40GB": "nvidia-tesla-a100", "A100-80GB": "nvidia-a100-80gb",
                     "H100-80GB": "nvidia-h100-80gb", "H200-141GB": "nvidia-h200-141gb",
                     "L4": "nvidia-l4", "T4": "nvidia-tesla-t4", "V100": "nvidia-tesla-v100"}
# another operation running on the cluster: worth waiting and retrying
BUSY = re.compile(r"Please wait and try again|is currently (operating|upgrading|creating|deleting|updating)",
                  re.IGNORECASE)
CONNECTION_ERRORS = ("ConnectionError", "ConnectTimeout", "ReadTimeout", "ChunkedEncodingError",
                     "RetryError", "ServiceUnavailable", "DeadlineExceeded")


def is_transient(exc):
    """Retry classifier: 408/409/429/5xx, connection errors, 'another operation is running'."""
    if type(exc).__name__ in CONNECTION_ERRORS:
        return True
    code = getattr(exc, "code", None)
    if isinstance(code, int) and status_is_transient(code):
        return True
    return code == 400 and bool(BUSY.search(getattr(exc, "message", "") or str(exc)))


def minor_version(version):
    if not version:
        return None
    return ".".join(str(version).split("-", 1)[0].split(".")[:2])


def _user_label(key):
    return not key.startswith("aizone.io/")


def check_tags(field, tags):
    """GCE resource label rules, checked before any call."""
    for key, value in (tags or {}).items():
        if not GCE_LABEL_KEY.match(key):
            raise ValidationError("%s.%s" % (field, key), "GKE cluster labels (tags) need keys of 1-63 "
                                  "lowercase letters, digits, '_' and '-', starting with a letter; got %r" % key)
        if not GCE_LABEL_VALUE.match(value or ""):
            raise ValidationError("%s.%s" % (field, key), "GKE label values are at most 63 lowercase "
                                  "letters, digits, '_' and '-'; got %r" % value)
        if key in RESERVED_TAGS:
            raise ValidationError("%s.%s" % (field, key), "label %s is reserved by aizone.platform" % key)


def check_logging(field, logging):
    for i, log_type in enumerate(logging or []):
        if log_type not in LOG_COMPONENTS:
            raise ValidationError("%s[%d]" % (field, i), "%r has no GKE logging component (GKE audit logs are "
                                  "Cloud Audit Logs, always on); allowed values on gke: %s"
                                  % (log_type, ", ".join(sorted(LOG_COMPONENTS))))


def logging_config(logging):
    components = BASE_COMPONENTS + sorted(LOG_COMPONENTS[t] for t in logging or [])
    return {"component_config": {"enable_components": components}}


def normalize_cluster(cl):
    """A GKE cluster (wire JSON) -> the normalized zone of base.py."""
    labels = cl.get("resourceLabels") or {}
    private = cl.get("privateClusterConfig") or {}
    components = ((cl.get("loggingConfig") or {}).get("componentConfig") or {}).get("enableComponents") or []
    by_component = dict((v, k) for k, v in LOG_COMPONENTS.items())
    return {
        "name": cl["name"],
        "provider": "gke",
        "region": cl.get("location"),
        "kubernetes_version": minor_version(cl.get("currentMasterVersion")),
        "zone_type": labels.get(ZONE_TYPE_LABEL),
        "networking": {"subnets": [cl["subnetwork"]] if cl.get("subnetwork") else [], "security_groups": [],
                       "endpoint_public_access": not private.get("enablePrivateEndpoint", False),
                       "endpoint_private_access": bool(private.get("enablePrivateNodes", False))},
        "logging": sorted(by_component[c] for c in components if c in by_component),
        "tags": dict((k, v) for k, v in labels.items() if k not in RESERVED_TAGS),
        "status": CLUSTER_STATUS.get(cl.get("status"), cl.get("status")),
        "endpoint": ("https://%s" % cl["endpoint"]) if cl.get("endpoint") else None,
    }


def pool_size(np):
    labels = (np.get("config") or {}).get("resourceLabels") or {}
    if SIZE_LABEL in labels:
        return int(labels[SIZE_LABEL])
    return int(np.get("initialNodeCount") or 0)


def normalize_pool(np):
    """A GKE node pool (wire JSON) -> the normalized node pool of base.py (gpu left to the reconciler)."""
    cfg = np.get("config") or {}
    labels = cfg.get("labels") or {}
    auto = np.get("autoscaling") or {}
    size = pool_size(np)
    if auto.get("enabled"):
        scaling = {"enabled": True, "min": int(auto.get("minNodeCount") or 0),
                   "max": int(auto.get("maxNodeCount") or 0), "desired": size}
    else:
        scaling = {"enabled": False, "min": size, "max": size, "desired": size}
    taints = [{"key": t["key"], "value": t.get("value") or "",
               "effect": EFFECT_FROM_GKE.get(t.get("effect"), t.get("effect"))} for t in cfg.get("taints") or []]
    return {
        "name": np["name"],
        "type": labels.get(POOL_TYPE_LABEL),
        "instance_type": cfg.get("machineType"),
        "gpu": None,
        "autoscaling": scaling,
        "labels": dict((k, v) for k, v in labels.items() if _user_label(k)),
        "taints": sorted(taints, key=lambda t: (t["key"], t["effect"])),
        "capacity_type": "spot" if cfg.get("spot") or cfg.get("preemptible") else "on-demand",
        "disk_size_gb": cfg.get("diskSizeGb"),
        "status": POOL_STATUS.get(np.get("status"), np.get("status")),
    }


def gke_taints(taints):
    return [{"key": t["key"], "value": t.get("value") or "", "effect": EFFECT_TO_GKE[t["effect"]]}
            for t in taints or []]


def check_partition(field, model, size):
    """A MIG partition size GKE can create for model (GKE offers no 4g or +me profiles)."""
    from ansible_collections.aizone.platform.plugins.module_utils.catalog import mig as mig_data
    if model not in mig_data.mig_capable_models():
        raise ValidationError(field, "GPU model %s has no MIG partitions; MIG-capable models: %s"
                              % (model, ", ".join(mig_data.mig_capable_models())))
    allowed = [p for p in mig_data.profiles_for(model) if "+" not in p and not p.startswith("4g")]
    if size not in allowed:
        raise ValidationError(field, "%r is not a GKE partition size for %s; allowed values: %s"
                              % (size, model, ", ".join(allowed)))
    return size


def accelerators(gpu, field="gpu"):
    """The node config accelerators for a normalized gpu (with optional sharing / MIG partition)."""
    if not gpu:
        return []
    acc_type = ACCELERATOR_TYPES.get(gpu.get("model"))
    if acc_type is None:
        raise ValidationError(field + ".model", "GKE has no accelerator for GPU model %r; GPU models on gke: %s"
                              % (gpu.get("model"), ", ".join(sorted(ACCELERATOR_TYPES))))
    acc = {"accelerator_type": acc_type, "accelerator_count": int(gpu["count"])}
    if gpu.get("partition_size"):
        acc["gpu_partition_size"] = check_partition(field + ".partition_size", gpu["model"], gpu["partition_size"])
    sharing = gpu.get("sharing") or {}
    if sharing.get("strategy"):
        strategy = SHARING_TO_GKE.get(sharing["strategy"])
        if strategy is None:
            raise ValidationError(field + ".sharing.strategy", "%r is not allowed; allowed values: %s"
                                  % (sharing["strategy"], ", ".join(sorted(SHARING_TO_GKE))))
        acc["gpu_sharing_config"] = {"gpu_sharing_strategy": strategy,
                                     "max_shared_clients_per_gpu": int(sharing.get("max_shared_clients_per_gpu")
                                                                       or 2)}
    return [acc]


class GkeProvider(Provider):
    name = "gke"
    zone_updatable = ("kubernetes_version", "tags", "logging")
    node_pool_updatable = ("autoscaling", "labels", "taints")
    #: timeout for operations awaited inside one update (sequential GKE operations),
    #: unless the module's wait_timeout is given
    operation_timeout = 1800

    def __init__(self, params):
        super(GkeProvider, self).__init__(params)
        self._client = None
        self._ops = {}   # ("zone", name) / ("pool", zone, pool) -> (operation name, what)
        self._credentials_cache = None

    # plumbing ----------------------------------------------------------
    def _param(self, key, env=None):
        value = self.params.get(key)
        if value is None and env:
            value = os.environ.get(env)
        return value

    @property
    def project(self):
        project = self._param("gcp_project", "GOOGLE_CLOUD_PROJECT")
        if not project:
            raise ValidationError("gcp_project", "required for provider gke (or set GOOGLE_CLOUD_PROJECT)")
        return project

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
        token = self._param("gcp_access_token", "GOOGLE_OAUTH_ACCESS_TOKEN")
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
        if self._client is None:
            try:
                from google.cloud import container_v1
            except ImportError:
                raise AizoneError("the gke provider requires the Python library google-cloud-container "
                                  "(pip install google-cloud-container) on the host running the module")
            options = {}
            if self.params.get("endpoint_url"):
                options["api_endpoint"] = self.params["endpoint_url"]
            self._client = container_v1.ClusterManagerClient(
                credentials=self._credentials(), transport="rest", client_options=options)
        return self._client

    def call(self, what, method, request):
        """One API call through call_with_retry (the SDK's own retry is off); errors become ApiError."""
        fn = getattr(self.client(), method)
        try:
            return call_with_retry(lambda: fn(request=request, retry=None, timeout=60), is_transient)
        except AizoneError:
            raise
        except Exception as exc:  # noqa: BLE001 - google-api-core errors, imported lazily
            code = getattr(exc, "code", None)
            if code is None and type(exc).__name__ not in CONNECTION_ERRORS:
                raise
            status = getattr(exc, "grpc_status_code", None)
            status_name = getattr(status, "name", None) or getattr(exc, "reason", None) or type(exc).__name__
            raise ApiError("GKE %s failed: %s: %s" % (what, status_name, getattr(exc, "message", exc)),
                           status=code if isinstance(code, int) else None, code=status_name)

    @staticmethod
    def _json(message):
        return type(message).to_dict(message, use_integers_for_enums=True, preserving_proto_field_name=False)

    def _get(self, what, method, request):
        try:
            return self._json(self.call(what, method, request))
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def _cluster(self, name):
        return self._get("get cluster %s" % name, "get_cluster", {"name": self._cluster_path(name)})

    def _pool(self, zone_name, pool_name):
        return self._get("get node pool %s/%s" % (zone_name, pool_name), "get_node_pool",
                         {"name": self._pool_path(zone_name, pool_name)})

    # operations ---------------------------------------------------------
    def _start(self, key, what, method, request):
        op = self._json(self.call(what, method, request))
        self._ops[key] = (op["name"], what)
        return op

    def _op_state(self, key):
        """None when this run started no operation on key; else (done, text). Raises when it failed."""
        entry = self._ops.get(key)
        if entry is None:
            return None
        name, what = entry
        op = self._json(self.call("get operation %s" % name, "get_operation",
                                  {"name": "%s/operations/%s" % (self._parent(), name)}))
        if op.get("status") != OP_DONE:
            return (False, "operation %s (%s): %s" % (name, what,
                                                      {1: "PENDING", 2: "RUNNING", 4: "ABORTING"}.get(
                                                          op.get("status"), op.get("status"))))
        del self._ops[key]
        error = op.get("error") or {}
        if error.get("code") or error.get("message"):
            code = RPC_CODES.get(error.get("code"), str(error.get("code")))
            raise ApiError("GKE %s failed: operation %s ended with %s: %s"
                           % (what, name, code, error.get("message") or op.get("statusMessage")),
                           code=code, operation=name)
        return (True, "operation %s (%s): DONE" % (name, what))

    def _run(self, key, what, method, request):
        """Start an operation and wait for it to be DONE (for operations that must run one after another)."""
        self._start(key, what, method, request)
        timeout = int(self.params.get("wait_timeout") or self.operation_timeout)

        def probe():
            state = self._op_state(key)
            return (True, None, "DONE") if state is None else (state[0], None, state[1])
        wait_for(probe, timeout, "gke %s: waiting for the operation" % what)

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
        self._start(("zone", name), "create cluster %s" % name, "create_cluster",
                    {"parent": self._parent(), "cluster": cluster})

    def update_zone(self, current, desired, changed_fields):
        name = current["name"]
        key = ("zone", name)
        steps = []
        if "tags" in changed_fields:
            check_tags("tags", desired.get("tags"))
            steps.append(("set labels of cluster %s" % name, "set_labels", lambda: self._labels_request(name, desired)))
        if "logging" in changed_fields:
            check_logging("logging", desired.get("logging"))
            steps.append(("update logging of cluster %s" % name, "update_cluster",
                          lambda: {"name": self._cluster_path(name),
                                   "update": {"desired_logging_config": logging_config(desired.get("logging"))}}))
        if "kubernetes_version" in changed_fields:
            steps.append(("upgrade control plane of cluster %s to %s" % (name, desired["kubernetes_version"]),
                          "update_cluster", lambda: {"name": self._cluster_path(name),
                                                     "update": {"desired_master_version":
                                                                desired["kubernetes_version"]}}))
        for index, (what, method, request) in enumerate(steps):
            if index < len(steps) - 1:
                self._run(key, what, method, request())
            else:
                self._start(key, what, method, request())

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
        self._start(("zone", name), "delete cluster %s" % name, "delete_cluster", {"name": self._cluster_path(name)})

    def zone_ready(self, name):
        op = self._op_state(("zone", name))
        if op is not None and not op[0]:
            return (False, None, op[1])
        cl = self._cluster(name)
        if cl is None:
            return (False, None, "not found")
        zone = normalize_cluster(cl)
        if zone["status"] == "ERROR":
            raise ApiError("GKE cluster %s is in status ERROR: %s" % (name, cl.get("statusMessage") or "no message"),
                           code="ERROR")
        return (zone["status"] == "RUNNING", zone, "status %s" % zone["status"])

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
        self._start(("pool", zone_name, name), "create node pool %s/%s" % (zone_name, name), "create_node_pool",
                    {"parent": self._cluster_path(zone_name), "node_pool": pool})

    def update_node_pool(self, zone_name, current, desired, changed_fields):
        name = current["name"]
        key = ("pool", zone_name, name)
        path = self._pool_path(zone_name, name)
        where = "%s/%s" % (zone_name, name)
        steps = []
        want, have = desired.get("autoscaling") or {}, current.get("autoscaling") or {}
        if "autoscaling" in changed_fields:
            if (want.get("enabled"), want.get("min"), want.get("max")) != \
                    (have.get("enabled"), have.get("min"), have.get("max")):
                auto = {"enabled": bool(want.get("enabled"))}
                if auto["enabled"]:
                    auto.update(min_node_count=int(want["min"]), max_node_count=int(want["max"]))
                steps.append(("set autoscaling of node pool %s" % where, "set_node_pool_autoscaling",
                              {"name": path, "autoscaling": auto}))
            if want.get("desired") != have.get("desired"):
                steps.append(("resize node pool %s to %d" % (where, want["desired"]), "set_node_pool_size",
                              {"name": path, "node_count": int(want["desired"])}))
        update = {}
        if "labels" in changed_fields:
            update["labels"] = {"labels": pool_labels(dict(desired, type=desired.get("type") or current.get("type")))}
        if "taints" in changed_fields:
            update["taints"] = {"taints": gke_taints(desired.get("taints"))}
        if "autoscaling" in changed_fields and want.get("desired") != have.get("desired"):
            np = self._pool(zone_name, name) or {}
            labels = dict((np.get("config") or {}).get("resourceLabels") or {})
            labels[SIZE_LABEL] = str(int(want["desired"]))
            update["resource_labels"] = {"labels": labels}
        if update:
            update["name"] = path
            steps.append(("update node pool %s (%s)" % (where, ", ".join(sorted(k for k in update if k != "name"))),
                          "update_node_pool", update))
        for index, (what, method, request) in enumerate(steps):
            if index < len(steps) - 1:
                self._run(key, what, method, request)
            else:
                self._start(key, what, method, request)

    def delete_node_pool(self, zone_name, current):
        name = current["name"]
        self._start(("pool", zone_name, name), "delete node pool %s/%s" % (zone_name, name), "delete_node_pool",
                    {"name": self._pool_path(zone_name, name)})

    def node_pool_ready(self, zone_name, pool_name):
        op = self._op_state(("pool", zone_name, pool_name))
        if op is not None and not op[0]:
            return (False, None, op[1])
        np = self._pool(zone_name, pool_name)
        if np is None:
            return (False, None, "not found")
        pool = normalize_pool(np)
        if pool["status"] == "ERROR":
            raise ApiError("GKE node pool %s/%s is in status ERROR: %s"
                           % (zone_name, pool_name, np.get("statusMessage") or "no message"), code="ERROR")
        return (pool["status"] == "RUNNING", pool, "status %s" % pool["status"])


PROVIDER = GkeProvider
