# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The MLflow tracking server's objects, rendered from its spec (pure, no I/O).

- Secrets reach the processes only as environment from secretKeyRef: the
  backend URI whole, basic auth's database URI, the admin password. Basic auth
  reads its database URI only from an ini file (MLflow 3.x), so the server's
  command writes that file into an in-memory emptyDir, mode 0600, escaping `%`
  for configparser, and then execs `mlflow server`.
- The migration Job runs `mlflow db upgrade` and basic auth's own `db upgrade`;
  its name carries a hash of what it migrates with, so a version bump makes a
  new Job, which the converge runs to completion before the Deployment changes.
- The Host allowlist is the Service's names (short, namespaced, .svc, FQDN),
  each with and without the port, plus the ingress host; probes send the FQDN.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json

from ansible_collections.aizone.platform.plugins.module_utils.catalog.mlops import MLFLOW
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    LABEL_COMPONENT, LABEL_MANAGED_BY, LABEL_NAME, MANAGED_BY, POOL_LABEL, TENANT_LABEL, WORKLOAD_LABEL)

RUN_DIR = "/run/mlflow"
PACKAGES_DIR = "/opt/aizone/python"
AUTH_INI = RUN_DIR + "/basic_auth.ini"
METRICS_DIR = RUN_DIR + "/metrics"
#: where the server keeps artifacts given artifacts.volume (a claim) instead of an object store
ARTIFACTS_DIR = "/var/lib/mlflow/artifacts"
IDENTITY_ANNOTATIONS = {"eks": ("eks.amazonaws.com/role-arn", "role_arn"),
                        "aks": ("azure.workload.identity/client-id", "client_id"),
                        "gke": ("iam.gke.io/gcp-service-account", "service_account")}

SERVER_SCRIPT = """umask 077
mkdir -p "$(dirname "$MLFLOW_AUTH_CONFIG_PATH")"
auth_uri=$(printf '%s' "$MLFLOW_AUTH_DATABASE_URI" | sed 's/%/%%/g')
printf '[mlflow]\\ndefault_permission = %s\\ndatabase_uri = %s\\nadmin_username = %s\\nauthorization_function = %s\\n' \\
  "$MLFLOW_AUTH_DEFAULT_PERMISSION" "$auth_uri" "$MLFLOW_AUTH_ADMIN_USERNAME" \\
  mlflow.server.auth:authenticate_request_basic_auth > "$MLFLOW_AUTH_CONFIG_PATH"
unset auth_uri MLFLOW_AUTH_DATABASE_URI
exec mlflow server "$@"
"""
MIGRATE_SCRIPT = """mlflow db upgrade "$MLFLOW_BACKEND_STORE_URI"
if [ -n "${MLFLOW_AUTH_DATABASE_URI:-}" ]; then
  python -m mlflow.server.auth db upgrade --url "$MLFLOW_AUTH_DATABASE_URI"
fi
"""
# gc's --backend-store-uri has no environment twin: the script passes it, so the manifest never holds it
GC_SCRIPT = 'exec mlflow gc --backend-store-uri "$MLFLOW_BACKEND_STORE_URI" "$@"'
INSTALL_SCRIPT = 'target=$1; shift; exec python -m pip install --no-cache-dir --disable-pip-version-check --target "$target" "$@"'


def labels(spec, component):
    return {LABEL_NAME: "mlflow", "app.kubernetes.io/instance": spec["name"], LABEL_MANAGED_BY: MANAGED_BY,
            LABEL_COMPONENT: component, "app.kubernetes.io/version": spec["version"]}


def selector(spec):
    return {LABEL_NAME: "mlflow", "app.kubernetes.io/instance": spec["name"], LABEL_COMPONENT: "tracking-server"}


def allowed_hosts(spec):
    names = [spec["name"], "%s.%s" % (spec["name"], spec["namespace"]), "%s.%s.svc" % (spec["name"], spec["namespace"]),
             service_fqdn(spec)]
    hosts = []
    for name in names:
        hosts += [name, "%s:%d" % (name, spec["port"])]
    if spec.get("ingress_host"):
        hosts += [spec["ingress_host"], spec["ingress_host"] + ":443"]
    return hosts


def service_fqdn(spec):
    return "%s.%s.svc.cluster.local" % (spec["name"], spec["namespace"])


def python_packages(spec):
    """What the init container installs: the pinned packages for PostgreSQL, auth and the store's scheme."""
    if spec.get("python_packages") is not None:
        return list(spec["python_packages"])
    wanted = ["postgresql"] + (["auth"] if spec["auth"].get("enabled") else [])
    wanted += [spec["artifacts"]["scheme"]] if spec["artifacts"].get("scheme") else []
    return [p for key in wanted for p in MLFLOW["packages"][key]]


def _secret_env(name, ref):
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": ref["name"], "key": ref["key"]}}}


def env(spec, server=True):
    """The containers' environment: Secrets by reference, everything else by value."""
    out = []
    if spec["backend_store"].get("uri_secret"):
        out.append(_secret_env("MLFLOW_BACKEND_STORE_URI", spec["backend_store"]["uri_secret"]))
    auth, artifacts = spec["auth"], spec["artifacts"]
    if auth.get("enabled"):
        out.append(_secret_env("MLFLOW_AUTH_DATABASE_URI", auth["database_uri_secret"]))
        if server:
            out += [_secret_env("MLFLOW_AUTH_ADMIN_PASSWORD", auth["admin_password_secret"]),
                    _secret_env("MLFLOW_FLASK_SERVER_SECRET_KEY", auth["secret_key_secret"]),
                    {"name": "MLFLOW_AUTH_ADMIN_USERNAME", "value": auth.get("admin_username") or "admin"},
                    {"name": "MLFLOW_AUTH_DEFAULT_PERMISSION", "value": auth.get("default_permission") or "READ"},
                    {"name": "MLFLOW_AUTH_CONFIG_PATH", "value": AUTH_INI}]
    if artifacts.get("destination") or artifacts.get("volume"):
        out.append({"name": "MLFLOW_ARTIFACTS_DESTINATION",
                    "value": artifacts.get("destination") or "file://" + ARTIFACTS_DIR})
    if artifacts.get("s3_endpoint_url"):
        out.append({"name": "MLFLOW_S3_ENDPOINT_URL", "value": artifacts["s3_endpoint_url"]})
    if server:
        out.append({"name": "MLFLOW_SERVER_ALLOWED_HOSTS", "value": ",".join(allowed_hosts(spec))})
    if python_packages(spec):
        out.append({"name": "PYTHONPATH", "value": PACKAGES_DIR})
    return out + [{"name": "HOME", "value": "/tmp"}]


def server_args(spec):
    """`mlflow server` arguments. The backend URI and the artifact destination come from their environment
    twins (MLFLOW_BACKEND_STORE_URI, MLFLOW_ARTIFACTS_DESTINATION): no Secret value is ever an argument."""
    args = ["--serve-artifacts"] if spec["artifacts"].get("destination") or spec["artifacts"].get("volume") else []
    args += ["--host", "0.0.0.0", "--port", str(spec["port"]), "--workers", str(spec["workers"])]
    if spec["auth"].get("enabled"):
        args += ["--app-name", "basic-auth"]
    if (spec.get("metrics") or {}).get("enabled"):
        args += ["--expose-prometheus", METRICS_DIR]
    return args


def _envfrom(spec):
    secret = spec["artifacts"].get("credentials_secret")
    return [{"secretRef": {"name": secret}}] if secret else []


def _security():
    return {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True,
            "runAsUser": 1000, "runAsGroup": 1000, "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"}}


def _mounts(spec):
    mounts = [{"name": "run", "mountPath": RUN_DIR}, {"name": "tmp", "mountPath": "/tmp"}]
    return mounts + ([{"name": "python-packages", "mountPath": PACKAGES_DIR}] if python_packages(spec) else [])


def _volumes(spec):
    volumes = [{"name": "run", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}},
               {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}}]
    return volumes + ([{"name": "python-packages", "emptyDir": {"sizeLimit": "1Gi"}}] if python_packages(spec) else [])


def init_containers(spec):
    packages = python_packages(spec)
    if not packages:
        return []
    args = ["--", PACKAGES_DIR] + packages
    if spec.get("package_index_url"):
        args = ["--", PACKAGES_DIR, "--index-url", spec["package_index_url"]] + packages
    return [{"name": "python-packages", "image": spec["image"], "command": ["/bin/sh", "-ec", INSTALL_SCRIPT],
             "args": args, "env": [{"name": "HOME", "value": "/tmp"}], "volumeMounts": _mounts(spec),
             "securityContext": _security(), "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}}}]


def _probe(spec, **kw):
    probe = {"httpGet": {"path": "/health", "port": "http", "httpHeaders": [{"name": "Host", "value": service_fqdn(spec)}]},
             "periodSeconds": 10, "timeoutSeconds": 5}
    probe.update(kw)
    return probe


def server_container(spec):
    resources = spec.get("resources") or {}
    requests = {"cpu": resources.get("cpu") or "500m", "memory": resources.get("memory") or "1Gi"}
    limits = dict((k, resources[f]) for k, f in (("cpu", "cpu_limit"), ("memory", "memory_limit")) if resources.get(f))
    return {"name": "server", "image": spec["image"], "command": ["/bin/sh", "-ec", SERVER_SCRIPT, "mlflow-server"],
            "args": server_args(spec), "env": env(spec), "envFrom": _envfrom(spec),
            "ports": [{"name": "http", "containerPort": spec["port"], "protocol": "TCP"}],
            "startupProbe": _probe(spec, periodSeconds=5, failureThreshold=60),
            "readinessProbe": _probe(spec, failureThreshold=3),
            "livenessProbe": _probe(spec, failureThreshold=6),
            "volumeMounts": _mounts(spec) + ([{"name": "artifacts", "mountPath": ARTIFACTS_DIR}]
                                             if spec["artifacts"].get("volume") else []),
            "securityContext": _security(),
            "resources": dict({"requests": requests}, **({"limits": limits} if limits else {}))}


def _pod(spec, containers, component, restart="Always", workload=None):
    pod = {"serviceAccountName": spec["name"], "automountServiceAccountToken": False,
           "securityContext": {"runAsNonRoot": True, "fsGroup": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
           "initContainers": init_containers(spec), "containers": containers, "volumes": _volumes(spec),
           "restartPolicy": restart}
    if component == "tracking-server" and spec["artifacts"].get("volume"):
        pod["volumes"].append({"name": "artifacts", "persistentVolumeClaim": {"claimName": artifacts_claim_name(spec)}})
    if spec.get("placement"):
        pod["nodeSelector"] = dict(spec["placement"][0])
        if spec["placement"][1]:
            pod["tolerations"] = [dict(t) for t in spec["placement"][1]]
    elif spec.get("node_pool"):
        pod["nodeSelector"] = {POOL_LABEL: spec["node_pool"]}
    identity = spec["artifacts"].get("workload_identity") or {}
    labels_ = labels(spec, component)
    if identity.get("provider") == "aks":
        labels_["azure.workload.identity/use"] = "true"
    if component == "tracking-server":
        labels_.update(selector(spec))
    if workload:
        labels_[WORKLOAD_LABEL] = workload
    return {"metadata": {"labels": labels_}, "spec": pod}


def _meta(spec, name, component, **extra):
    meta = {"name": name, "namespace": spec["namespace"], "labels": labels(spec, component)}
    meta.update(extra)
    return meta


def migration_hash(spec):
    """What a migration depends on: the image and the databases it migrates."""
    basis = [spec["image"], spec["version"], spec["backend_store"].get("uri_secret"),
             spec["auth"].get("database_uri_secret") if spec["auth"].get("enabled") else None]
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode("utf-8")).hexdigest()[:8]


def migration_job(spec):
    container = {"name": "migrate", "image": spec["image"], "command": ["/bin/sh", "-ec", MIGRATE_SCRIPT],
                 "env": env(spec, server=False), "volumeMounts": _mounts(spec), "securityContext": _security(),
                 "resources": {"requests": {"cpu": "200m", "memory": "512Mi"}}}
    name = "%s-migrate-%s" % (spec["name"], migration_hash(spec))
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": _meta(spec, name, "migration"),
            "spec": {"backoffLimit": 2, "activeDeadlineSeconds": spec["migration_timeout"],
                     "ttlSecondsAfterFinished": 7 * 86400,
                     "template": _pod(spec, [container], "migration", restart="Never", workload=name)}}


def deployment(spec):
    template = _pod(spec, [server_container(spec)], "tracking-server", workload=spec["name"])
    template["metadata"]["annotations"] = {"aizone.io/migration": migration_hash(spec)}
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    if (spec["artifacts"].get("volume") or {}).get("access_mode") == "ReadWriteOnce":
        strategy = {"type": "Recreate"}   # a ReadWriteOnce claim cannot be mounted by the old and the new pod at once
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta(spec, spec["name"], "tracking-server"),
            "spec": {"replicas": spec["replicas"], "selector": {"matchLabels": selector(spec)},
                     "strategy": strategy, "template": template}}


def artifacts_claim_name(spec):
    return spec["name"] + "-artifacts"


def artifacts_claim(spec):
    """The claim artifacts.volume asks for; the zone's default class when no storage_class is given."""
    volume = spec["artifacts"]["volume"]
    claim = {"accessModes": [volume["access_mode"]], "resources": {"requests": {"storage": volume["size"]}}}
    if volume.get("storage_class"):
        claim["storageClassName"] = volume["storage_class"]
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": _meta(spec, artifacts_claim_name(spec), "artifacts"), "spec": claim}


def service_account(spec):
    identity = spec["artifacts"].get("workload_identity") or {}
    annotations = {}
    if identity:
        key, field = IDENTITY_ANNOTATIONS[identity["provider"]]
        annotations[key] = identity[field]
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": _meta(spec, spec["name"], "tracking-server", annotations=annotations)}


def service(spec):
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(spec, spec["name"], "tracking-server"),
            "spec": {"type": "ClusterIP", "selector": selector(spec),
                     "ports": [{"name": "http", "port": spec["port"], "targetPort": "http", "protocol": "TCP"}]}}


def disruption_budget(spec):
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": _meta(spec, spec["name"], "tracking-server"),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(spec)}}}


def network_policy(spec):
    """Ingress to the server's port from its own namespace and from tenant namespaces only."""
    peers = [{"podSelector": {}},
             {"namespaceSelector": {"matchExpressions": [{"key": TENANT_LABEL, "operator": "Exists"}]}}]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": _meta(spec, spec["name"], "tracking-server"),
            "spec": {"podSelector": {"matchLabels": selector(spec)}, "policyTypes": ["Ingress"],
                     "ingress": [{"from": peers, "ports": [{"port": spec["port"], "protocol": "TCP"}]}]}}


def service_monitor(spec):
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
            "metadata": _meta(spec, spec["name"], "tracking-server"),
            "spec": {"selector": {"matchLabels": labels(spec, "tracking-server")},
                     "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s"}]}}


def gc_cronjob(spec):
    gc = spec.get("gc") or {}
    container = {"name": "gc", "image": spec["image"], "command": ["/bin/sh", "-ec", GC_SCRIPT, "mlflow-gc"],
                 "args": ["--older-than", gc.get("older_than") or "30d"], "env": env(spec, server=False),
                 "envFrom": _envfrom(spec), "volumeMounts": _mounts(spec), "securityContext": _security(),
                 "resources": {"requests": {"cpu": "100m", "memory": "512Mi"}}}
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": _meta(spec, spec["name"] + "-gc", "gc"),
            "spec": {"schedule": gc.get("schedule") or "17 3 * * *", "concurrencyPolicy": "Forbid",
                     "successfulJobsHistoryLimit": 1, "failedJobsHistoryLimit": 3,
                     "jobTemplate": {"spec": {"backoffLimit": 1,
                                              "template": _pod(spec, [container], "gc", restart="Never")}}}}


def objects(spec):
    """Everything but the migration Job, in apply order."""
    out = [service_account(spec), service(spec)] + ([artifacts_claim(spec)] if spec["artifacts"].get("volume") else [])
    out += [deployment(spec), disruption_budget(spec), network_policy(spec)]
    if (spec.get("metrics") or {}).get("service_monitor"):
        out.append(service_monitor(spec))
    if (spec.get("gc") or {}).get("enabled", True):
        out.append(gc_cronjob(spec))
    return out
