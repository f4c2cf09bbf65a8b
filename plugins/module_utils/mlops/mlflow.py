# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the mlflow and mlflow_info modules do.

converge, state=present, reads everything before it writes:
1. the spec (mlflow_spec.normalize: bad input fails before any request);
2. the namespace, and each Secret the server reads, once: the backend store's
   and basic auth's URIs must be PostgreSQL (SQLite only with development);
   a missing admin password or Flask secret key Secret is generated when
   auth.create_missing_secrets is on (random, stored only in the Secret);
3. whether a migration is due: the live Deployment's pod template carries the
   hash of what it was last migrated with (mlflow_render.migration_hash).
   When it differs, the server's ServiceAccount (the Job's pods run as it)
   and the migration Job of the new hash are applied, and the Job runs to completion
   first - a Failed one of the same hash is replaced, a running one is waited
   for - and only then is the Deployment changed. A migration that fails or
   times out stops the task, the Deployment untouched, and says why;
4. one apply of the server's objects (apply engine), deleting the optional
   ones turned off (the ServiceMonitor, the gc CronJob); then, with wait, the
   Deployment's rollout.
Check mode predicts the same writes with the server's dry run, the migration
Job included. state=absent deletes the objects and the migration Jobs, and
keeps the Secrets and the artifacts claim: the databases and artifacts outlive
the server, and basic auth's admin keeps the password it was created with.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.zones.access import require_namespace
from ansible_collections.aizone.platform.plugins.module_utils.k8s.crd import crd_path, is_established
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.mlops import mlflow_render as render
from ansible_collections.aizone.platform.plugins.module_utils.mlops.mlflow_spec import normalize
from ansible_collections.aizone.platform.plugins.module_utils.k8s.secrets import (
    decoded, new_password, secret_object, secret_path)
from ansible_collections.aizone.platform.plugins.module_utils.names import LABEL_COMPONENT, LABEL_NAME
from ansible_collections.aizone.platform.plugins.module_utils.waiter import task_timeout

SERVICE_MONITOR_CRD = "servicemonitors.monitoring.coreos.com"
#: backend URI schemes the server's packages drive (SQLAlchemy 2.1: postgresql:// is psycopg 3)
POSTGRES_SCHEMES = ("postgresql", "postgresql+psycopg")
DEVELOPMENT_SCHEMES = ("sqlite",)
GENERATED_LENGTH = 32
#: Secret references the server reads: (option path, where in the spec, what the value must be)
SECRET_REFS = (("backend_store.uri_secret", ("backend_store", "uri_secret"), "uri"),
               ("auth.database_uri_secret", ("auth", "database_uri_secret"), "uri"),
               ("auth.admin_password_secret", ("auth", "admin_password_secret"), "generated"),
               ("auth.secret_key_secret", ("auth", "secret_key_secret"), "generated"))


def _job_path(namespace, name=None):
    info = kind_info("batch/v1", "Job")
    return info.object_path(name, namespace) if name else info.collection_path(namespace)


def _deployment_path(spec):
    return kind_info("apps/v1", "Deployment").object_path(spec["name"], spec["namespace"])


def _uri_scheme(uri):
    return uri.split("://", 1)[0].split(":", 1)[0].lower() if uri else ""


class _Reads(object):
    """Everything the converge reads before it writes (step 2 and 3 of the module docstring)."""

    def __init__(self, rest, spec, check_mode):
        self.rest, self.spec, self.check_mode = rest, spec, check_mode
        self.warnings, self.generate = [], []
        self.namespace = require_namespace(rest, "namespace", spec["namespace"], check_mode, self.warnings,
                                           "everything is")
        self._secrets = {}
        for field, (part, key), what in SECRET_REFS:
            ref = (spec.get(part) or {}).get(key)
            if ref and (part != "auth" or spec["auth"].get("enabled")) and (self.namespace or what == "generated"):
                self._check(field, ref, what)
        if not self.namespace:
            return
        credentials = spec["artifacts"].get("credentials_secret")
        if credentials and self._secret(credentials) is None:
            self._missing("artifacts.credentials_secret",
                          "Secret %s/%s does not exist" % (spec["namespace"], credentials))

    def _secret(self, name):
        if not self.namespace:
            return None
        if name not in self._secrets:
            self._secrets[name] = self.rest.get_or_none(secret_path(self.spec["namespace"], name))
        return self._secrets[name]

    def _missing(self, field, msg):
        """A Secret that is not there: an error, or in check mode a warning (an earlier task may create it)."""
        if not self.check_mode:
            raise ValidationError(field, msg)
        self.warnings.append("%s: %s; a real run fails unless an earlier task creates it" % (field, msg))

    def _check(self, field, ref, what):
        secret = self._secret(ref["name"])
        where = "Secret %s/%s" % (self.spec["namespace"], ref["name"])
        if secret is None:
            if what == "generated" and self.spec["auth"].get("create_missing_secrets", True):
                if ref["name"] not in [g["name"] for g in self.generate]:
                    self.generate.append({"name": ref["name"], "keys": []})
                entry = [g for g in self.generate if g["name"] == ref["name"]][0]
                entry["keys"].append(ref["key"])
                return
            self._missing(field, "%s does not exist" % where)
            return
        value = decoded(secret).get(ref["key"])
        if not value:
            raise ValidationError(field, "%s has no key %r (its keys: %s)" % (
                where, ref["key"], ", ".join(sorted((secret.get("data") or {}))) or "none"))
        if what == "uri":
            scheme = _uri_scheme(value)
            allowed = POSTGRES_SCHEMES + (DEVELOPMENT_SCHEMES if self.spec.get("development") else ())
            if scheme not in allowed:
                raise ValidationError(field, "%s key %r holds a %s URI; allowed schemes: %s%s" % (
                    where, ref["key"], scheme or "scheme-less", ", ".join(allowed),
                    "" if self.spec.get("development") else " (sqlite only with development: true)"))

    def generated_secrets(self):
        """The Secret manifests to create (random values), labeled as this server's."""
        labels = render.labels(self.spec, "auth")
        return [secret_object(self.spec["namespace"], g["name"], labels,
                              dict((k, new_password(GENERATED_LENGTH)) for k in g["keys"])) for g in self.generate]


def _place(rest, spec, reads, check_mode):
    """The pods' node selector and tolerations, from the node pool's nodes (zones/placement.py); in check mode a
    pool without nodes yet (an earlier task creates them) is a warning and a bare node selector."""
    from ansible_collections.aizone.platform.plugins.module_utils.zones.placement import placements
    if not spec.get("node_pool"):
        return
    try:
        spec["placement"] = placements(rest, {spec["node_pool"]: "node_pool"})[spec["node_pool"]]
    except ValidationError as exc:
        if not check_mode:
            raise
        reads.warnings.append("%s; predicted with a node selector only" % exc.msg)


def _job_state(job):
    """complete, failed or running, as workloads/rollout.py reads a Job's conditions."""
    from ansible_collections.aizone.platform.plugins.module_utils.workloads.rollout import rollout_status
    done, failure, _text = rollout_status(dict(job, kind="Job"))
    return "complete" if done else "failed" if failure else "running"


def migration_due(rest, spec):
    """True unless the live Deployment was rolled out after a migration of this hash."""
    live = rest.get_or_none(_deployment_path(spec))
    annotations = ((((live or {}).get("spec") or {}).get("template") or {}).get("metadata") or {}).get(
        "annotations") or {}
    return annotations.get("aizone.io/migration") != render.migration_hash(spec)


def _migrate(rest, spec, check_mode):
    """Converge and (real run) finish the migration Job; (ApplyResult, migration result)."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import (
        ApplyResult, apply_objects, delete_objects, object_ref)
    job = render.migration_job(spec)
    name = job["metadata"]["name"]
    live = rest.get_or_none(_job_path(spec["namespace"], name))
    state = _job_state(live) if live is not None else None
    result = ApplyResult()
    if state == "complete":
        return result, {"job": name, "action": "completed earlier"}
    if state == "failed":
        gone = delete_objects(rest, [job], check_mode=check_mode, wait=True,
                              wait_timeout=spec["migration_timeout"])
        made = None if check_mode else apply_objects(rest, [job])
        result.note(object_ref(job), "replaced", gone.diff[0]["before"] if gone.diff else None,
                    made.diff[0]["after"] if made is not None and made.diff else job)
        action = "rerun"
    elif live is None:
        result.add(apply_objects(rest, [job], check_mode=check_mode))
        action = "run"
    else:
        action = "joined"
    if check_mode:
        return result, {"job": name, "action": action}
    _wait_migration(rest, spec, name)
    return result, {"job": name, "action": action}


def _wait_migration(rest, spec, name):
    """Wait for the migration Job: its own deadline (activeDeadlineSeconds) plus a grace, so its reason is ours."""
    from ansible_collections.aizone.platform.plugins.module_utils.workloads.rollout import RolloutError, wait_rollouts
    try:
        wait_rollouts(rest, [("Job", spec["namespace"], name)], spec["migration_timeout"] + 30, interval=0.5)
    except RolloutError as exc:
        raise AizoneError("MLflow %s/%s: the schema migration to %s did not finish, so the server was not changed: "
                          "%s%s" % (spec["namespace"], spec["name"], spec["version"], exc.msg, _pod_failure(rest, spec, name)),
                          migration_job=name, **exc.details)


def _pod_failure(rest, spec, job):
    """The last failed migration container's exit code and message, when a pod reported one."""
    pods = rest.list_all(kind_info("v1", "Pod").collection_path(spec["namespace"]), "job-name=%s" % job)
    for pod in sorted(pods, key=lambda p: p["metadata"].get("creationTimestamp") or "", reverse=True):
        for status in (pod.get("status") or {}).get("containerStatuses") or []:
            ended = (status.get("state") or {}).get("terminated") or {}
            if ended.get("exitCode"):
                said = ": " + ended["message"].strip()[-500:] if ended.get("message") else ""
                return "; container %s of pod %s exited %d%s" % (
                    status["name"], pod["metadata"]["name"], ended["exitCode"], said)
    return ""


def _optional(rest, spec):
    """(objects to apply, refs to delete) of the optional kinds, by what is asked and what the zone serves."""
    wanted, gone, warnings = render.objects(spec), [], []
    monitor = (spec.get("metrics") or {}).get("service_monitor")
    crd = rest.get_or_none(crd_path(SERVICE_MONITOR_CRD))
    served = crd is not None and is_established(crd)
    if monitor and not served:
        wanted = [o for o in wanted if o["kind"] != "ServiceMonitor"]
        warnings.append("metrics.service_monitor: the zone does not serve %s (no Prometheus Operator); no "
                        "ServiceMonitor was made" % SERVICE_MONITOR_CRD)
    if served and not monitor:
        gone.append(render.service_monitor(spec))
    if not (spec.get("gc") or {}).get("enabled", True):
        gone.append(render.gc_cronjob(spec))
    return wanted, gone, warnings


def _summary(spec, migration=None):
    out = {"name": spec["name"], "namespace": spec["namespace"], "version": spec["version"],
           "url": "http://%s:%d" % (render.service_fqdn(spec), spec["port"]),
           "allowed_hosts": render.allowed_hosts(spec), "auth": bool(spec["auth"].get("enabled"))}
    if migration is not None:
        out["migration"] = migration
    return out


def _absent(rest, spec, check_mode, want_diff, timeout):
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import delete_objects
    refs = [o for o in render.objects(dict(spec, gc={"enabled": True})) if o["kind"] != "PersistentVolumeClaim"]
    crd = rest.get_or_none(crd_path(SERVICE_MONITOR_CRD))
    if crd is not None:
        refs.append(render.service_monitor(spec))
    selector = "%s=mlflow,app.kubernetes.io/instance=%s,%s=migration" % (LABEL_NAME, spec["name"], LABEL_COMPONENT)
    if rest.get_or_none("/api/v1/namespaces/%s" % spec["namespace"]) is not None:
        refs += [{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": j["metadata"]["name"],
                                                                        "namespace": spec["namespace"]}}
                 for j in rest.list_all(_job_path(spec["namespace"]), selector)]
    result = delete_objects(rest, refs, check_mode=check_mode, wait=True, wait_timeout=timeout)
    out = result.as_dict(diff=want_diff)
    out["mlflow"] = dict(_summary(spec), action="deleted" if result.changed else "unchanged")
    out["api_requests"] = dict(rest.counts)
    return out


def _redacted(secret):
    """A generated Secret as results and diffs show it: its keys, no value."""
    return dict(secret, data=dict((k, "<generated>") for k in secret["data"]))


def _created_secrets(rest, reads, check_mode):
    """Create the generated Secrets (POST; check mode: dry run); the ApplyResult entries show keys, not values."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import ApplyResult, object_ref
    result = ApplyResult()
    for secret in reads.generated_secrets():
        created, _live = rest.create(secret_path(secret["metadata"]["namespace"]), secret,
                                     query={"dryRun": "All"} if check_mode else None)
        # not created: its first try's answer was lost, or another run made it meanwhile; either is kept
        result.note(object_ref(secret), "created" if created else "unchanged", None, _redacted(secret))
    return result


def _predicted(objects):
    """Check mode in a namespace that does not exist yet: nothing can be dry-run; all would be created as rendered."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import ApplyResult, object_ref
    result = ApplyResult()
    for obj in objects:
        result.note(object_ref(obj), "created", None, obj)
    return result


def converge(params, check_mode=False, want_diff=False):
    """What the mlflow module does; returns the result dict (no Secret value in it)."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import ApplyResult, apply_objects
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect
    from ansible_collections.aizone.platform.plugins.module_utils.workloads.rollout import wait_rollouts
    spec = normalize(params)
    timeout = task_timeout(params)
    rest = connect(params)
    if spec["state"] == "absent":
        return _absent(rest, spec, check_mode, want_diff, timeout)
    reads = _Reads(rest, spec, check_mode)
    _place(rest, spec, reads, check_mode)
    due = migration_due(rest, spec)
    wanted, gone, warnings = _optional(rest, spec)
    result = ApplyResult()
    migration = {"job": None, "action": "not needed"}
    if not reads.namespace:
        # as a real run would write them once the namespace exists: Secrets, ServiceAccount, Job, the rest
        job = render.migration_job(spec)
        result.add(_predicted([_redacted(o) for o in reads.generated_secrets()] + [o for o in wanted if o["kind"] == "ServiceAccount"] + [job] +
                              [o for o in wanted if o["kind"] != "ServiceAccount"]))
        migration = {"job": job["metadata"]["name"], "action": "run"}
    else:
        result.add(_created_secrets(rest, reads, check_mode))
        if due:
            # the migration pods run as the server's ServiceAccount: it goes first
            account = render.service_account(spec)
            result.add(apply_objects(rest, [account], check_mode=check_mode, wait_timeout=timeout))
            wanted = [o for o in wanted if o["kind"] != "ServiceAccount"]
            applied, migration = _migrate(rest, spec, check_mode)
            result.add(applied)
        result.add(apply_objects(rest, wanted, absent=gone, check_mode=check_mode, wait_timeout=timeout))
    rollout = None
    if params.get("wait", True) and not check_mode:
        rollout = wait_rollouts(rest, [("Deployment", spec["namespace"], spec["name"])], timeout)
    out = result.as_dict(diff=want_diff)
    out["mlflow"] = _summary(spec, migration)
    if rollout:
        out["mlflow"]["rollout"] = list(rollout.values())[0]
    out["warnings"] = reads.warnings + warnings
    out["api_requests"] = dict(rest.counts)
    return out


def info(params):
    """What mlflow_info returns: every tracking server in the namespace (or the one named), as it runs."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect
    from ansible_collections.aizone.platform.plugins.module_utils.names import check_dns_label
    namespace = check_dns_label("namespace", params.get("namespace"))
    if params.get("name"):
        check_dns_label("name", params["name"])
    rest = connect(params)
    selector = "%s=mlflow,%s=tracking-server" % (LABEL_NAME, LABEL_COMPONENT)
    if params.get("name"):
        selector += ",app.kubernetes.io/instance=%s" % params["name"]
    deployments = rest.list_all(kind_info("apps/v1", "Deployment").collection_path(namespace), selector)
    jobs = rest.list_all(_job_path(namespace), "%s=mlflow,%s=migration" % (LABEL_NAME, LABEL_COMPONENT)) \
        if deployments else []
    return {"changed": False, "servers": [_server_view(d, jobs) for d in deployments],
            "api_requests": dict(rest.counts)}


def _server_view(deployment, jobs):
    meta, spec, status = deployment["metadata"], deployment.get("spec") or {}, deployment.get("status") or {}
    template = spec.get("template") or {}
    container = ((template.get("spec") or {}).get("containers") or [{}])[0]
    env = dict((e["name"], e) for e in container.get("env") or [])
    ports = container.get("ports") or [{}]
    name, namespace = meta["name"], meta["namespace"]
    migrated = ((template.get("metadata") or {}).get("annotations") or {}).get("aizone.io/migration")
    own = [j for j in jobs if ((j["metadata"].get("labels") or {}).get("app.kubernetes.io/instance") == name)]
    return {"name": name, "namespace": namespace,
            "version": (meta.get("labels") or {}).get("app.kubernetes.io/version"),
            "image": container.get("image"),
            "url": "http://%s.%s.svc.cluster.local:%s" % (name, namespace, ports[0].get("containerPort")),
            "replicas": spec.get("replicas"), "ready_replicas": status.get("readyReplicas") or 0,
            "auth": "MLFLOW_AUTH_CONFIG_PATH" in env,
            "backend_store_secret": ((env.get("MLFLOW_BACKEND_STORE_URI") or {}).get("valueFrom") or {}).get(
                "secretKeyRef", {}).get("name"),
            "artifacts_destination": (env.get("MLFLOW_ARTIFACTS_DESTINATION") or {}).get("value"),
            "migration": {"hash": migrated, "jobs": [_job_view(j) for j in own]}}


def _job_view(job):
    return {"name": job["metadata"]["name"], "state": _job_state(job),
            "completed": (job.get("status") or {}).get("completionTime")}
