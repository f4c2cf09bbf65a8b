"""aizone.platform.platform_databases against a real PostgreSQL 15 and the live control plane."""

import base64
import json
import uuid

import pytest

SERVICES = ("agent", "training", "tuning", "deployment", "data_integration", "pipeline", "mlflow", "mlflow_auth")


def task(name, kubeconfig, server, databases, check=False, **args):
    args.update(kubeconfig=kubeconfig, server=server, databases=databases)
    out = {"name": name, "aizone.platform.platform_databases": args, "ignore_errors": True, "diff": True}
    if check:
        out["check_mode"] = True
    return out


def play(*tasks):
    return [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}]


def secret_data(rest, namespace, name):
    secret = rest.get_or_none("/api/v1/namespaces/%s/secrets/%s" % (namespace, name))
    if secret is None:
        return None
    return dict((k, base64.b64decode(v).decode()) for k, v in secret["data"].items())


def login_error(postgres, user, password, dbname):
    """None when user/password opens dbname, else the server's message."""
    import psycopg2
    try:
        postgres.connect(user=user, password=password, dbname=dbname).close()
        return None
    except psycopg2.Error as exc:
        return str(exc)


@pytest.fixture
def setup(controlplane, postgres):
    rid = uuid.uuid4().hex[:5]
    rest = controlplane.rest()
    namespaces = ["db%s-mlops" % rid, "db%s-agentic" % rid]
    for ns in namespaces:
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
        rest.request("POST", "/api/v1/namespaces", body=body)
    names = ["%s_%s" % (s, rid) for s in SERVICES]
    dbs = [{"name": n, "namespace": namespaces[1] if n.startswith("agent") else namespaces[0]} for n in names]
    server = {"host": postgres.host, "port": postgres.port, "admin_password": postgres.password,
              "sslmode": "disable", "service_host": "platform-db.aizone-system.svc.cluster.local"}
    yield rest, namespaces, dbs, server
    for n in names:
        postgres.query('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % n)
        postgres.query('DROP ROLE IF EXISTS "%s"' % n)
    for ns in namespaces:
        rest.request("DELETE", "/api/v1/namespaces/%s" % ns)


def test_databases_created_isolated_idempotent_and_predicted(controlplane, postgres, run_playbook, setup):
    rest, namespaces, dbs, server = setup
    kc = controlplane.kubeconfig
    result = run_playbook(play(task("check", kc, server, dbs, check=True), task("run", kc, server, dbs),
                               task("again", kc, server, dbs)), diff=True)
    check, run, again = result.task("check"), result.task("run"), result.task("again")
    for res in (check, run, again):
        assert not res.get("failed"), (res.get("msg"), result.output[-3000:])

    # check mode predicted exactly what the run did, and wrote nothing
    assert check["changed"] and check["sql_statements"] == 0
    assert set(check["api_requests"]) == {"GET"}
    assert [d["changes"] for d in check["databases"]] == [d["changes"] for d in run["databases"]]
    assert all(d["action"] == "created" for d in run["databases"])
    # CREATE ROLE, ALTER ROLE ... PASSWORD (a SCRAM verifier), CREATE DATABASE, REVOKE ... FROM PUBLIC
    assert run["sql_statements"] == 4 * len(dbs)

    # each role reaches its own database with the Secret's URI, and no other database
    users = {}
    for db in dbs:
        data = secret_data(rest, db["namespace"], db["name"].replace("_", "-") + "-postgres")
        assert data["uri"] == "postgresql://%s:%s@platform-db.aizone-system.svc.cluster.local:%d/%s?sslmode=disable" % (
            db["name"], data["password"], postgres.port, db["name"])
        assert len(data["password"]) == 32 and data["username"] == db["name"]
        assert login_error(postgres, db["name"], data["password"], db["name"]) is None
        users[db["name"]] = data["password"]
    for user, password in users.items():
        for other in users:
            if other != user:
                assert "permission denied for database" in (login_error(postgres, user, password, other) or ""), \
                    (user, other)
    rows = postgres.query("SELECT rolname, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = ANY(%s)",
                          (list(users),))
    assert sorted(r[0] for r in rows) == sorted(users) and not any(any(r[1:]) for r in rows)

    # no password anywhere: results, diffs, the controller's output, the server's statement log
    text = json.dumps([check, run, again]) + result.output + postgres.server_log()
    for password in list(users.values()) + [postgres.password]:
        assert password not in text

    # the second run reads only
    assert not again["changed"] and again["sql_statements"] == 0 and set(again["api_requests"]) == {"GET"}
    assert all(d["action"] == "unchanged" for d in again["databases"])


def test_a_drifted_password_gets_the_secrets_back_and_absent_drops_everything(controlplane, postgres, run_playbook,
                                                                              setup):
    rest, namespaces, dbs, server = setup
    kc = controlplane.kubeconfig
    mine = dbs[:2]
    result = run_playbook(play(task("run", kc, server, mine)))
    assert not result.task("run").get("failed"), result.task("run").get("msg")
    name = mine[0]["name"]
    postgres.query('ALTER ROLE "%s" PASSWORD \'changed-elsewhere\'' % name)
    gone = [dict(mine[1], state="absent")]
    result = run_playbook(play(task("drift", kc, server, mine[:1]), task("absent", kc, server, gone),
                               task("absent again", kc, server, gone)))
    drift, absent, again = result.task("drift"), result.task("absent"), result.task("absent again")
    assert drift["databases"][0]["changes"] == ["set the password of role %s" % name], drift
    data = secret_data(rest, mine[0]["namespace"], name.replace("_", "-") + "-postgres")
    assert login_error(postgres, name, data["password"], name) is None
    dropped = mine[1]["name"]
    assert absent["databases"][0]["action"] == "deleted" and absent["changed"]
    assert postgres.query("SELECT count(*) FROM pg_database WHERE datname = %s", (dropped,))[0][0] == 0
    assert postgres.query("SELECT count(*) FROM pg_roles WHERE rolname = %s", (dropped,))[0][0] == 0
    assert secret_data(rest, mine[1]["namespace"], dropped.replace("_", "-") + "-postgres") is None
    assert not again["changed"] and again["sql_statements"] == 0


def test_bad_input_fails_before_any_write_naming_the_option(controlplane, postgres, run_playbook, setup):
    rest, namespaces, dbs, server = setup
    kc = controlplane.kubeconfig
    good = dbs[0]
    rest.request("POST", "/api/v1/namespaces/%s/secrets" % good["namespace"],
                 body={"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "someone-elses"},
                       "stringData": {"password": "x"}})
    cases = {
        "uppercase name": ([dict(good, name="MLflow")], {}, "databases[0].name"),
        "reserved name": ([dict(good, name="postgres")], {}, "databases[0].name"),
        "pg_ prefix": ([dict(good, name="pg_things")], {}, "databases[0].name"),
        "shared owner": ([good, dict(dbs[1], owner=good["name"])], {}, "databases[1].owner"),
        "admin as owner": ([dict(good, owner="postgres")], {}, "databases[0].owner"),
        "duplicate": ([good, dict(good)], {}, "databases[1].name"),
        "bad namespace": ([dict(good, namespace="Not_A_Namespace")], {}, "databases[0].namespace"),
        "missing namespace": ([dict(good, namespace="no-such-ns-%s" % good["name"][-5:])], {}, "databases[0].namespace"),
        "foreign secret": ([dict(good, secret="someone-elses")], {}, "databases[0].secret"),
        "bad secret name": ([dict(good, secret="Bad_Name")], {}, "databases[0].secret"),
        "two admin passwords": ([good], {"admin_password_secret": {"namespace": "x", "name": "y"}}, "server.admin_password"),
        "bad host": ([good], {"host": "not a host"}, "server.host"),
        "bad port": ([good], {"port": 70000}, "server.port"),
        "missing admin secret": ([good], {"admin_password": None, "admin_password_secret": {
            "namespace": namespaces[0], "name": "nope"}}, "server.admin_password_secret"),
        "bad sslmode": ([good], {"sslmode": "sometimes"}, "sslmode"),
    }
    roles_before = postgres.query("SELECT count(*) FROM pg_roles")[0][0]
    tasks = [task(label, kc, dict(server, **over), databases) for label, (databases, over, _f) in cases.items()]
    tasks.append(dict(task("short passwords", kc, server, [good], password_length=8)))
    result = run_playbook(play(*tasks))
    for label, (_d, _o, field) in cases.items():
        res = result.task(label)
        assert res.get("failed"), (label, res)
        assert field in res["msg"], (label, field, res["msg"])
    assert "password_length" in result.task("short passwords")["msg"]
    assert "verify-full" in result.task("bad sslmode")["msg"] and "server" in result.task("bad sslmode")["msg"]
    assert postgres.query("SELECT count(*) FROM pg_roles")[0][0] == roles_before
    assert postgres.query("SELECT count(*) FROM pg_database WHERE datname = %s", (good["name"],))[0][0] == 0
    assert secret_data(rest, good["namespace"], good["name"].replace("_", "-") + "-postgres") is None


def test_check_mode_before_the_server_exists_predicts_what_the_first_run_does(controlplane, postgres, run_playbook,
                                                                              setup):
    """The admin Secret not there yet (the task that makes the server writes it): check mode predicts an empty
    server, without connecting, and the prediction is what the run does once the Secret is there."""
    rest, namespaces, dbs, server = setup
    kc = controlplane.kubeconfig
    ref = {"namespace": namespaces[0], "name": "platform-db-admin"}
    by_secret = dict(server, admin_password=None, admin_password_secret=ref)
    check = run_playbook(play(task("check", kc, by_secret, dbs, check=True))).task("check")
    assert not check.get("failed"), check.get("msg")
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": ref,
            "data": {"password": base64.b64encode(postgres.password.encode()).decode()}}
    rest.request("POST", "/api/v1/namespaces/%s/secrets" % ref["namespace"], body=body)
    run = run_playbook(play(task("run", kc, by_secret, dbs))).task("run")
    assert not run.get("failed"), run.get("msg")
    assert [d["changes"] for d in check["databases"]] == [d["changes"] for d in run["databases"]]
    assert check["sql_statements"] == 0 and set(check["api_requests"]) == {"GET"}
