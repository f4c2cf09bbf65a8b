"""aizone.platform.mlflow / mlflow_info on the live local control plane.

The migration Job and the server's pods are played by KWOK (the Job's pod
completes, the Deployment's pods run); what MLflow itself does with the
rendered containers is proven in test_mlflow_server.py. Here: the order of
the writes (migration Job complete before the Deployment changes), check mode,
idempotency, the reads before writes, a failed migration, and absent.
"""

import base64
import uuid

import pytest

from harness.kwok_pool import delete_nodes, make_pool

pytestmark = pytest.mark.controlplane

BACKEND = "postgresql://mlflow:s3cr3t-backend@platform-db.aizone-system.svc:5432/mlflow?sslmode=disable"
AUTH_DB = "postgresql://mlflow_auth:s3cr3t-auth@platform-db.aizone-system.svc:5432/mlflow_auth?sslmode=disable"


def b64(text):
    return base64.b64encode(text.encode()).decode()


def secret(rest, ns, name, data):
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns},
            "data": dict((k, b64(v)) for k, v in data.items())}
    rest.request("POST", "/api/v1/namespaces/%s/secrets" % ns, body=body)


@pytest.fixture
def pool(controlplane):
    from kubernetes import client
    core = client.CoreV1Api(controlplane.api_client())
    name, nodes, _unique = make_pool(core, "mlf", count=1, gpus=0)
    yield name, nodes, core
    delete_nodes(core, nodes)


@pytest.fixture
def tenant(controlplane):
    rest = controlplane.rest()
    ns = "mlf-" + uuid.uuid4().hex[:6]
    rest.request("POST", "/api/v1/namespaces", body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    secret(rest, ns, "mlflow-postgres", {"uri": BACKEND})
    secret(rest, ns, "mlflow-auth-postgres", {"uri": AUTH_DB})
    secret(rest, ns, "mlflow-s3", {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s3cr3t-s3-key"})
    yield ns, rest
    rest.request("DELETE", "/api/v1/namespaces/%s" % ns)


def server_args(kubeconfig, ns, pool, **over):
    args = {"kubeconfig": kubeconfig, "namespace": ns, "node_pool": pool, "wait_timeout": 60,
            "backend_store": {"uri_secret": {"name": "mlflow-postgres"}},
            "auth": {"database_uri_secret": {"name": "mlflow-auth-postgres"},
                     "admin_password_secret": {"name": "mlflow-admin"},
                     "secret_key_secret": {"name": "mlflow-admin", "key": "secret-key"}},
            "artifacts": {"destination": "s3://team-models/mlflow", "credentials_secret": "mlflow-s3"}}
    args.update(over)
    return args


def task(name, args, check=False, module="mlflow"):
    out = {"name": name, "aizone.platform." + module: args, "ignore_errors": True}
    if check:
        out["check_mode"] = True
    return out


def play(*tasks):
    return [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}]


def changed(result):
    return [(o["kind"], o["name"], o["action"]) for o in result["objects"]]


def created_at(obj, manager="aizone.platform"):
    """When our field manager last wrote obj (managedFields time)."""
    return max(f["time"] for f in obj["metadata"]["managedFields"] if f["manager"] == manager)


def test_migrates_before_rollout_predicts_and_is_idempotent(controlplane, tenant, pool, run_playbook):
    ns, rest = tenant
    kc = controlplane.kubeconfig
    args = server_args(kc, ns, pool[0])
    bumped = dict(args, version="3.17.1")
    tasks = [task("check", args, check=True), task("check, no namespace yet", dict(args, namespace=ns + "-new"),
                                                   check=True),
             task("run", args), task("again", args), task("check bump", bumped, check=True), task("bump", bumped),
             task("info", {"kubeconfig": kc, "namespace": ns}, module="mlflow_info")]
    result = run_playbook(play(*tasks), diff=True)
    check, run, again = result.task("check"), result.task("run"), result.task("again")
    check_bump, bump, info = result.task("check bump"), result.task("bump"), result.task("info")
    for res in (check, run, again, check_bump, bump, info):
        assert not res.get("failed"), (res.get("msg"), result.output[-3000:])

    # check mode predicted exactly the objects the run wrote, sending no write
    assert changed(check) == changed(run)
    # a namespace an earlier task creates: predicted the same, unchecked, in the order a run writes
    assert changed(result.task("check, no namespace yet")) == changed(run)
    assert set(check["api_requests"]) <= {"GET", "POST", "PATCH"} and check["mlflow"]["migration"]["action"] == "run"
    job = run["mlflow"]["migration"]["job"]
    first = [("Secret", "mlflow-admin", "created"), ("ServiceAccount", "mlflow", "created"), ("Job", job, "created")]
    assert changed(run)[:3] == first
    kinds = {"Deployment", "Service", "ServiceAccount", "NetworkPolicy", "PodDisruptionBudget", "CronJob"}
    assert {k for k, _n, _a in changed(run)} >= kinds
    assert run["mlflow"]["rollout"].startswith("1/1 ready")
    # the Secret's values are generated, stored, and never in the result
    generated = rest.get("/api/v1/namespaces/%s/secrets/mlflow-admin" % ns)["data"]
    assert set(generated) == {"password", "secret-key"}
    for value in generated.values():
        plain = base64.b64decode(value).decode()
        assert len(plain) == 32 and plain not in result.output
    for needle in ("s3cr3t-backend", "s3cr3t-auth", "s3cr3t-s3-key"):
        assert needle not in result.output

    # the Job completed before the Deployment was written
    live_job = rest.get("/apis/batch/v1/namespaces/%s/jobs/%s" % (ns, job))
    deployment = rest.get("/apis/apps/v1/namespaces/%s/deployments/mlflow" % ns)
    assert live_job["status"]["completionTime"] <= created_at(deployment)
    pod_spec = deployment["spec"]["template"]["spec"]
    assert pod_spec["nodeSelector"] == {"aizone.io/node-pool": pool[0]}
    assert {"key": "aizone.io/test-pool-%s" % pool[0], "operator": "Exists", "effect": "NoSchedule"} \
        in pod_spec["tolerations"]

    # a second run writes nothing and runs no migration
    assert not again["changed"] and set(again["api_requests"]) == {"GET"}
    assert again["mlflow"]["migration"] == {"job": None, "action": "not needed"}

    # a version bump: a new migration Job first, then the Deployment
    assert changed(check_bump) == changed(bump)
    new_job = bump["mlflow"]["migration"]["job"]
    assert new_job != job
    kinds = [k for k, _n, _a in changed(bump)]
    assert ("Job", new_job, "created") in changed(bump) and ("Deployment", "mlflow", "updated") in changed(bump)
    assert kinds.index("Job") < kinds.index("Deployment")
    live_new = rest.get("/apis/batch/v1/namespaces/%s/jobs/%s" % (ns, new_job))
    deployment = rest.get("/apis/apps/v1/namespaces/%s/deployments/mlflow" % ns)
    assert live_new["status"]["completionTime"] <= created_at(deployment)

    [server] = info["servers"]
    assert server["version"] == "3.17.1" and server["auth"] and server["backend_store_secret"] == "mlflow-postgres"
    assert server["ready_replicas"] == 1 and server["migration"]["hash"] in new_job
    assert sorted(j["state"] for j in server["migration"]["jobs"]) == ["complete", "complete"]


def test_reads_refuse_before_any_write_and_a_failed_migration_stops_the_rollout(
        controlplane, tenant, pool, run_playbook):
    ns, rest = tenant
    kc = controlplane.kubeconfig
    secret(rest, ns, "sqlite-uri", {"uri": "sqlite:////mlruns/mlflow.db"})
    name, nodes, core = pool
    core.patch_node(nodes[0], {"spec": {"unschedulable": True}})
    before = controlplane.request_counts()
    result = run_playbook(play(
        task("sqlite", server_args(kc, ns, name, backend_store={"uri_secret": {"name": "sqlite-uri"}})),
        task("no key", server_args(kc, ns, name, backend_store={"uri_secret": {"name": "mlflow-s3", "key": "uri"}})),
        task("no secret", server_args(kc, ns, name, auth={
            "database_uri_secret": {"name": "missing"}, "admin_password_secret": {"name": "mlflow-admin"},
            "secret_key_secret": {"name": "mlflow-admin"}})),
        task("no pool", server_args(kc, ns, "no-such-pool")),
        task("no generation", server_args(kc, ns, name, auth={
            "database_uri_secret": {"name": "mlflow-auth-postgres"}, "create_missing_secrets": False,
            "admin_password_secret": {"name": "mlflow-admin"}, "secret_key_secret": {"name": "mlflow-admin"}}))))
    writes = controlplane.delta(before, controlplane.request_counts(), writes_only=True)
    failures = dict((t, result.task(t)) for t in ("sqlite", "no key", "no secret", "no pool", "no generation"))
    fields = dict((t, r.get("field")) for t, r in failures.items())
    assert fields == {"sqlite": "backend_store.uri_secret", "no key": "backend_store.uri_secret",
                      "no secret": "auth.database_uri_secret", "no pool": "node_pool",
                      "no generation": "auth.admin_password_secret"}, [r.get("msg") for r in failures.values()]
    assert "sqlite URI; allowed schemes: postgresql, postgresql+psycopg" in failures["sqlite"]["msg"]
    assert "has no key 'uri'" in failures["no key"]["msg"] and "AWS_SECRET_ACCESS_KEY" in failures["no key"]["msg"]
    # (controllers PUT status and delete in other tests' namespaces meanwhile: only creates and applies count)
    assert not [k for k in writes if k[0] in ("POST", "PATCH", "APPLY")
                and k[1] in ("jobs", "deployments", "secrets", "services", "serviceaccounts")], writes

    # the migration cannot run (its node is cordoned): the Job's deadline fails it, the Deployment is never made
    result = run_playbook(play(task("stuck", server_args(kc, ns, name, migration_timeout=10))))
    stuck = result.task("stuck")
    assert stuck.get("failed") and stuck["migration_job"].startswith("mlflow-migrate-")
    assert "schema migration to 3.17.2 did not finish, so the server was not changed" in stuck["msg"]
    assert "DeadlineExceeded" in stuck["msg"] or "active longer than specified deadline" in stuck["msg"], stuck["msg"]
    assert rest.get_or_none("/apis/apps/v1/namespaces/%s/deployments/mlflow" % ns) is None

    # uncordoned, the next run replaces the failed Job, then rolls out; absent removes all but the Secrets
    core.patch_node(nodes[0], {"spec": {"unschedulable": False}})
    args = server_args(kc, ns, name, migration_timeout=10)
    result = run_playbook(play(task("retry", args), task("absent", dict(args, state="absent")),
                               task("absent again", dict(args, state="absent"))))
    retry, absent, again = result.task("retry"), result.task("absent"), result.task("absent again")
    assert not retry.get("failed"), retry.get("msg")
    assert retry["mlflow"]["migration"]["action"] == "rerun"
    assert ("Job", "replaced") in [(o["kind"], o["action"]) for o in retry["objects"]]
    assert absent["changed"] and {o["kind"] for o in absent["objects"]} >= {"Deployment", "Job", "Service"}
    assert not again["changed"]
    assert rest.list_all("/apis/batch/v1/namespaces/%s/jobs" % ns) == []
    assert rest.get_or_none("/api/v1/namespaces/%s/secrets/mlflow-admin" % ns) is not None
