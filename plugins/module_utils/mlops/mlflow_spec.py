# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""mlflow input: the tracking server's options, checked before any call (no I/O).

Refused unless `development: true`: no backend store Secret (MLflow would fall
back to a local SQLite file), no artifact destination (artifacts on the pod's
disk), and auth off. Never refused, never defaulted: the admin password comes
from a Secret or the server does not start.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.catalog.mlops import MLFLOW
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import validate_resources
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    check_choice, check_dns_label, check_dns_subdomain, check_int)

PERMISSIONS = ("READ", "EDIT", "MANAGE", "NO_PERMISSIONS")
SCHEMES = ("s3", "wasbs", "gs")
IDENTITY_PROVIDERS = ("eks", "aks", "gke")
#: what each identity provider needs, and its check
IDENTITY_FIELDS = {
    "eks": ("role_arn", re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$"),
            "an IAM role ARN (arn:aws:iam::123456789012:role/name)"),
    "aks": ("client_id", re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"),
            "a managed identity's client ID (a GUID)"),
    "gke": ("service_account", re.compile(r"^[a-z][-a-z0-9]{4,28}[a-z0-9]@[-a-z0-9]+\.iam\.gserviceaccount\.com$"),
            "a Google service account e-mail (name@project.iam.gserviceaccount.com)"),
}
_S3 = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/[^\s]*)?$")
_GS = re.compile(r"^gs://([a-z0-9][a-z0-9._-]{1,61}[a-z0-9])(/[^\s]*)?$")
_WASBS = re.compile(r"^wasbs://([a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9])@([a-z0-9]{3,24})\.blob\.core\.windows\.net(/[^\s]*)?$")
_DESTINATIONS = {"s3": (_S3, "s3://bucket[/prefix] with a bucket name of 3-63 lowercase letters, digits, '.' and '-'"),
                 "gs": (_GS, "gs://bucket[/prefix]"),
                 "wasbs": (_WASBS, "wasbs://container@account.blob.core.windows.net[/prefix]")}
_DURATION = re.compile(r"^[1-9][0-9]*[dhms]$")
_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")


def _secret_ref(key):
    return dict(type="dict", no_log=False, options=dict(
        name=dict(type="str", required=True), key=dict(type="str", default=key, no_log=False)))


def argument_spec():
    """The mlflow options besides the Kubernetes connection options."""
    return dict(
        name=dict(type="str", default="mlflow"),
        namespace=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        version=dict(type="str", default=MLFLOW["version"]),
        image=dict(type="str"),
        python_packages=dict(type="list", elements="str"),
        package_index_url=dict(type="str"),
        replicas=dict(type="int", default=1),
        workers=dict(type="int", default=2),
        port=dict(type="int", default=MLFLOW["port"]),
        backend_store=dict(type="dict", options=dict(uri_secret=_secret_ref("uri"))),
        auth=dict(type="dict", default={}, options=dict(
            enabled=dict(type="bool", default=True),
            database_uri_secret=_secret_ref("uri"),
            admin_username=dict(type="str", default="admin"),
            admin_password_secret=_secret_ref("password"),
            secret_key_secret=_secret_ref("secret-key"),
            create_missing_secrets=dict(type="bool", default=True),
            default_permission=dict(type="str", default="READ", choices=list(PERMISSIONS)))),
        artifacts=dict(type="dict", default={}, options=dict(
            destination=dict(type="str"),
            volume=dict(type="dict", options=dict(
                size=dict(type="str", required=True), storage_class=dict(type="str"),
                access_mode=dict(type="str", default="ReadWriteOnce", choices=["ReadWriteOnce", "ReadWriteMany"]))),
            s3_endpoint_url=dict(type="str"),
            credentials_secret=dict(type="str", no_log=False),
            workload_identity=dict(type="dict", options=dict(
                provider=dict(type="str", required=True, choices=list(IDENTITY_PROVIDERS)),
                role_arn=dict(type="str"), client_id=dict(type="str"), service_account=dict(type="str"))))),
        ingress_host=dict(type="str"),
        node_pool=dict(type="str"),
        resources=dict(type="dict", default={}, options=dict(
            cpu=dict(type="str", default="500m"), memory=dict(type="str", default="1Gi"),
            cpu_limit=dict(type="str"), memory_limit=dict(type="str", default="2Gi"))),
        metrics=dict(type="dict", default={}, options=dict(
            enabled=dict(type="bool", default=False), service_monitor=dict(type="bool", default=False))),
        gc=dict(type="dict", default={}, options=dict(
            enabled=dict(type="bool", default=True), schedule=dict(type="str", default="17 3 * * *"),
            older_than=dict(type="str", default="30d"))),
        migration_timeout=dict(type="int", default=600),
        development=dict(type="bool", default=False),
    )


def _check_secret_ref(field, ref):
    if ref:
        check_dns_subdomain(field + ".name", ref.get("name"), "a Secret name")
    return ref


def _volume(out, replicas):
    """Artifacts on a PersistentVolumeClaim the server mounts (a zone without an object store)."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import validate_quantity
    volume = dict(out["volume"])
    if out.get("destination"):
        raise ValidationError("artifacts.volume", "give artifacts.destination (an object store) or artifacts.volume "
                              "(a claim the server mounts), not both")
    volume["size"] = validate_quantity("artifacts.volume.size", volume.get("size"), allow_zero=False)
    if volume.get("storage_class"):
        check_dns_subdomain("artifacts.volume.storage_class", volume["storage_class"], "a StorageClass name")
    volume["access_mode"] = check_choice("artifacts.volume.access_mode", volume.get("access_mode") or "ReadWriteOnce",
                                         ("ReadWriteOnce", "ReadWriteMany"))
    if volume["access_mode"] == "ReadWriteOnce" and replicas > 1:
        raise ValidationError("replicas", "%d replicas cannot share a ReadWriteOnce artifacts.volume; use 1, or "
                              "access_mode ReadWriteMany (a shared class), or an object store" % replicas)
    out["volume"] = volume
    out["destination"] = None
    return out


def _artifacts(artifacts, development, replicas=1):
    out = dict(artifacts or {})
    if out.get("volume"):
        return _volume(out, replicas)
    destination = out.get("destination")
    if not destination:
        if not development:
            raise ValidationError("artifacts.destination", "is required: an object store URI (s3://, wasbs:// or gs://) "
                                  "or artifacts.volume (a claim), served through the server's proxy; artifacts on the "
                                  "pod's disk only with development: true")
        return out
    scheme = destination.split("://", 1)[0] if "://" in destination else None
    if scheme:
        check_choice("artifacts.destination", scheme, SCHEMES)
    pattern, what = _DESTINATIONS.get(scheme, (None, "s3://, wasbs:// or gs:// URI"))
    if pattern is None or not pattern.match(destination):
        raise ValidationError("artifacts.destination", "%r is not %s" % (destination, what))
    out["scheme"] = scheme
    if out.get("credentials_secret") and out.get("workload_identity"):
        raise ValidationError("artifacts.credentials_secret", "give artifacts.credentials_secret or "
                              "artifacts.workload_identity, not both")
    if out.get("credentials_secret"):
        check_dns_subdomain("artifacts.credentials_secret", out["credentials_secret"], "a Secret name")
    identity = out.get("workload_identity")
    if identity:
        provider = check_choice("artifacts.workload_identity.provider", identity.get("provider"), IDENTITY_PROVIDERS)
        key, pattern, what = IDENTITY_FIELDS[provider]
        if not pattern.match(identity.get(key) or ""):
            raise ValidationError("artifacts.workload_identity.%s" % key, "%r is not %s (required with provider %s)"
                                  % (identity.get(key), what, provider))
    elif not out.get("credentials_secret") and not development:
        raise ValidationError("artifacts.credentials_secret", "give artifacts.credentials_secret (a Secret of the "
                              "store's credential variables) or artifacts.workload_identity (provider: %s)"
                              % ", ".join(IDENTITY_PROVIDERS))
    return out


def _auth(auth, development):
    out = dict(auth or {})
    out.setdefault("enabled", True)
    if not out["enabled"]:
        if not development:
            raise ValidationError("auth.enabled", "false leaves every experiment and model writable by anyone who "
                                  "reaches the Service; allowed only with development: true")
        return out
    for key, what in (("database_uri_secret", "basic auth's own database URI"),
                      ("admin_password_secret", "the admin's password"),
                      ("secret_key_secret", "the Flask secret key for CSRF, the same for every replica")):
        if not out.get(key):
            raise ValidationError("auth.%s" % key, "is required with auth enabled (%s, from a Secret); there is no "
                                  "default" % what)
        _check_secret_ref("auth.%s" % key, out[key])
    check_dns_label("auth.admin_username", out.get("admin_username") or "admin")
    check_choice("auth.default_permission", out.get("default_permission") or "READ", PERMISSIONS)
    return out


def normalize(params):
    """The tracking server's spec from the module params, or ValidationError naming the option path."""
    development = bool(params.get("development"))
    spec = dict(params)
    spec["name"] = check_dns_label("name", params.get("name") or "mlflow", max_length=52, start_letter=True)
    spec["namespace"] = check_dns_label("namespace", params.get("namespace"))
    if not _VERSION.match(str(params.get("version") or "")):
        raise ValidationError("version", "%r is not a release number like %s" % (params.get("version"), MLFLOW["version"]))
    spec["image"] = params.get("image") or MLFLOW["image"].rsplit(":", 1)[0] + ":v" + params["version"]
    for field, low, high in (("replicas", 1, 20), ("workers", 1, 32), ("port", 1024, 65535),
                             ("migration_timeout", 10, 7200)):
        spec[field] = check_int(field, params.get(field), low, high)
    backend = params.get("backend_store") or {}
    if not backend.get("uri_secret") and not development:
        raise ValidationError("backend_store.uri_secret", "is required: the PostgreSQL URI, whole, from a Secret "
                              "(platform_databases writes one); a SQLite or in-memory backend only with development: true")
    spec["backend_store"] = {"uri_secret": _check_secret_ref("backend_store.uri_secret", backend.get("uri_secret"))}
    spec["auth"] = _auth(params.get("auth"), development)
    spec["artifacts"] = _artifacts(params.get("artifacts"), development, spec["replicas"])
    if params.get("node_pool"):
        check_dns_label("node_pool", params["node_pool"])
    validate_resources("resources", dict((k, v) for k, v in (params.get("resources") or {}).items() if v is not None))
    if params.get("ingress_host"):
        check_dns_subdomain("ingress_host", params["ingress_host"], "a host name")
    gc = dict(params.get("gc") or {})
    if gc.get("enabled", True) and not _DURATION.match(str(gc.get("older_than") or "30d")):
        raise ValidationError("gc.older_than", "%r is not a duration like 30d, 12h, 90m or 600s" % (gc.get("older_than"),))
    if gc.get("enabled", True) and len(str(gc.get("schedule") or "17 3 * * *").split()) != 5:
        raise ValidationError("gc.schedule", "%r is not a five-field cron schedule" % (gc.get("schedule"),))
    spec["gc"] = gc
    return spec
