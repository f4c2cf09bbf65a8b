# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Google GKE: its wire shapes and rules, mapped to and from the normalized shapes of providers/base.py. No I/O."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import POOL_TYPE_LABEL
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import minor_version, networking_shape, pool_shape, scaling_shape, zone_shape
from ansible_collections.aizone.platform.plugins.module_utils.providers.cloud import check_tags as check_cloud_tags
from ansible_collections.aizone.platform.plugins.module_utils.retry import status_is_transient

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
    text = getattr(exc, "message", "") or str(exc)
    if code == 409 and ("ALREADY_EXISTS" in text or "already exists" in text.lower()):
        return False    # a create refused because its resource exists: sending it again cannot change that
    if isinstance(code, int) and status_is_transient(code):
        return True
    return code == 400 and bool(BUSY.search(text))


def _user_label(key):
    return not key.startswith("aizone.io/")


TAG_RULES = (
    ("key", lambda key: bool(GCE_LABEL_KEY.match(key)), "GKE cluster labels (tags) need keys of 1-63 lowercase "
     "letters, digits, '_' and '-', starting with a letter; got %r"),
    ("value", lambda value: bool(GCE_LABEL_VALUE.match(value or "")), "GKE label values are at most 63 lowercase "
     "letters, digits, '_' and '-'; got %r"))


def check_tags(field, tags):
    """GCE resource label rules, checked before any call."""
    check_cloud_tags(field, tags, RESERVED_TAGS, TAG_RULES)


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
    networking = networking_shape([cl["subnetwork"]] if cl.get("subnetwork") else [], [],
                                  not private.get("enablePrivateEndpoint", False),
                                  private.get("enablePrivateNodes", False))
    return zone_shape("gke", cl["name"], cl.get("location"), minor_version(cl.get("currentMasterVersion")),
                      labels.get(ZONE_TYPE_LABEL), networking,
                      sorted(by_component[c] for c in components if c in by_component),
                      dict((k, v) for k, v in labels.items() if k not in RESERVED_TAGS),
                      CLUSTER_STATUS.get(cl.get("status"), cl.get("status")),
                      ("https://%s" % cl["endpoint"]) if cl.get("endpoint") else None)


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
    scaling = scaling_shape(auto.get("enabled"), int(auto.get("minNodeCount") or 0),
                            int(auto.get("maxNodeCount") or 0), pool_size(np))
    taints = [{"key": t["key"], "value": t.get("value") or "",
               "effect": EFFECT_FROM_GKE.get(t.get("effect"), t.get("effect"))} for t in cfg.get("taints") or []]
    return pool_shape(np["name"], labels.get(POOL_TYPE_LABEL), cfg.get("machineType"), scaling,
                      dict((k, v) for k, v in labels.items() if _user_label(k)), taints,
                      "spot" if cfg.get("spot") or cfg.get("preemptible") else "on-demand",
                      cfg.get("diskSizeGb"), POOL_STATUS.get(np.get("status"), np.get("status")), node_labels=labels)


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
    accelerator_types = catalog.gke_accelerators()
    acc_type = accelerator_types.get(gpu.get("model"))
    if acc_type is None:
        raise ValidationError(field + ".model", "GKE has no accelerator for GPU model %r; GPU models on gke: %s"
                              % (gpu.get("model"), ", ".join(sorted(accelerator_types))))
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
