"""The MLflow objects as rendered, run for real: the migration Job's and the Deployment's containers as local
processes (harness/mlflow.py) with the real mlflow from PyPI, against a real PostgreSQL 15 (databases and
Secrets from platform_databases) and moto's S3."""

import http.client
import json
import os
import subprocess
import time
import uuid

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.providers.local_processes import free_port
from ansible_collections.aizone.platform.plugins.module_utils.mlops import databases, mlflow_render, mlflow_spec

CLIENT = r'''
import json, os, socket, sys, tempfile
_resolve = socket.getaddrinfo
def _local(host, *args, **kw):  # the Service's cluster DNS name, as a pod would reach it, is this machine here
    return _resolve("127.0.0.1" if host.endswith(".svc.cluster.local") else host, *args, **kw)
socket.getaddrinfo = _local
import mlflow
from mlflow import MlflowClient
mlflow.set_tracking_uri(os.environ["TRACKING_URI"])
mlflow.set_experiment("aizone-check")
with mlflow.start_run() as run:
    mlflow.log_param("learning_rate", 0.01)
    mlflow.log_metric("loss", 0.25, step=1)
    path = os.path.join(tempfile.mkdtemp(), "weights.txt")
    with open(path, "w") as handle:
        handle.write("aizone")
    mlflow.log_artifact(path, artifact_path="model")
client = MlflowClient()
client.create_registered_model("aizone-model")
version = client.create_model_version("aizone-model", source=run.info.artifact_uri + "/model", run_id=run.info.run_id)
fetched = client.get_run(run.info.run_id)
print(json.dumps({"run_id": run.info.run_id, "artifact_uri": run.info.artifact_uri, "version": version.version,
                  "params": fetched.data.params, "metrics": fetched.data.metrics,
                  "artifacts": [a.path for a in client.list_artifacts(run.info.run_id, "model")]}))
'''


def request(port, method, path, host, body=None, auth=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": host, "Content-Type": "application/json"}
    if auth:
        import base64
        headers["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    resp = conn.getresponse()
    return resp.status, resp.read().decode(errors="replace")


@pytest.fixture
def mlops_namespace(controlplane, postgres, moto_endpoint):
    import boto3
    rid = uuid.uuid4().hex[:5]
    rest = controlplane.rest()
    ns = "mlf%s" % rid
    rest.request("POST", "/api/v1/namespaces", body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    server = {"host": postgres.host, "port": postgres.port, "admin_user": "postgres", "admin_password": postgres.password,
              "admin_password_secret": None, "maintenance_db": "postgres", "sslmode": "disable", "connect_timeout": 10,
              "service_host": None, "service_port": None}
    dbs = [{"name": "mlflow_%s" % rid, "namespace": ns}, {"name": "mlflow_auth_%s" % rid, "namespace": ns}]
    databases.converge({"kubeconfig": controlplane.kubeconfig, "server": server, "databases": dbs, "password_length": 32})
    admin_password = uuid.uuid4().hex
    for name, data in (("mlflow-admin", {"password": admin_password, "secret-key": uuid.uuid4().hex}),
                       ("mlflow-s3", {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                      "AWS_DEFAULT_REGION": "us-east-1"})):
        rest.request("POST", "/api/v1/namespaces/%s/secrets" % ns,
                     body={"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "stringData": data})
    bucket = "aizone-mlflow-%s" % rid
    boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    yield rest, ns, rid, bucket, admin_password
    for db in dbs:
        postgres.query('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db["name"])
        postgres.query('DROP ROLE IF EXISTS "%s"' % db["name"])
    rest.request("DELETE", "/api/v1/namespaces/%s" % ns)


def schema_versions(postgres, rid):
    """The alembic revision of the tracking and the auth database."""
    return [postgres.query("SELECT version_num FROM %s" % table, dbname=db)
            for db, table in (("mlflow_%s" % rid, "alembic_version"), ("mlflow_auth_%s" % rid, "alembic_version_auth"))]


def test_rendered_server_migrates_serves_authenticates_and_proxies_artifacts(mlops_namespace, moto_endpoint, postgres):
    from harness.mlflow import LocalContainer, environment
    import boto3
    rest, ns, rid, bucket, admin_password = mlops_namespace
    port = free_port()
    spec = mlflow_spec.normalize(dict(
        (k, v["default"]) for k, v in mlflow_spec.argument_spec().items() if "default" in v) | {
        "namespace": ns, "port": port, "python_packages": None, "package_index_url": None, "image": None,
        "ingress_host": None, "node_pool": "cpu",
        "backend_store": {"uri_secret": {"name": "mlflow-%s-postgres" % rid, "key": "uri"}},
        "auth": {"enabled": True, "database_uri_secret": {"name": "mlflow-auth-%s-postgres" % rid, "key": "uri"},
                 "admin_username": "admin", "admin_password_secret": {"name": "mlflow-admin", "key": "password"},
                 "secret_key_secret": {"name": "mlflow-admin", "key": "secret-key"},
                 "default_permission": "READ"},
        "artifacts": {"destination": "s3://%s/artifacts" % bucket, "s3_endpoint_url": moto_endpoint,
                      "credentials_secret": "mlflow-s3", "workload_identity": None}})
    job, deployment = mlflow_render.migration_job(spec), mlflow_render.deployment(spec)
    bin_dir = environment()

    # the migration Job's container: applies both schemas, then again as a no-op
    migrate = job["spec"]["template"]["spec"]["containers"][0]
    first_rc, first = LocalContainer(rest, ns, migrate, bin_dir).run()
    assert first_rc == 0, first[-3000:]
    migrated = schema_versions(postgres, rid)
    assert all(len(rows) == 1 for rows in migrated), migrated
    again_rc, again = LocalContainer(rest, ns, migrate, bin_dir).run()
    assert again_rc == 0 and schema_versions(postgres, rid) == migrated, again[-3000:]
    assert "Running upgrade" not in again and "Creating initial" not in again, again[-3000:]

    # the Deployment's server container
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert all("postgresql://" not in a for a in container["command"] + container["args"])
    server = LocalContainer(rest, ns, container, bin_dir).start()
    fqdn = "mlflow.%s.svc.cluster.local:%d" % (ns, port)
    try:
        deadline = time.monotonic() + 180
        status = None
        while time.monotonic() < deadline:
            try:
                status = request(port, "GET", "/health", fqdn)[0]
                if status == 200:
                    break
            except OSError:
                pass
            assert server.proc.poll() is None, server.output()[-3000:]
            time.sleep(1)
        assert status == 200, server.output()[-3000:]

        # host allowlist: the Service FQDN with its port is accepted, another host refused (/health is exempt)
        search = "/api/2.0/mlflow/experiments/search?max_results=1"
        assert request(port, "GET", search, "evil.example.com", auth=("admin", admin_password))[0] == 403
        assert request(port, "GET", search, fqdn, auth=("admin", admin_password))[0] == 200
        # anonymous writes are refused, the admin's accepted
        create = {"name": "anonymous-%s" % rid}
        assert request(port, "POST", "/api/2.0/mlflow/experiments/create", fqdn, create)[0] == 401
        status, body = request(port, "POST", "/api/2.0/mlflow/experiments/create", fqdn, {"name": "admin-%s" % rid},
                               auth=("admin", admin_password))
        assert status == 200, body
        assert request(port, "POST", "/api/2.0/mlflow/experiments/create", fqdn, create,
                       auth=("admin", "wrong-password"))[0] == 401

        # a client logs a run with an artifact through the proxy and registers a model version
        client_env = dict(os.environ, TRACKING_URI="http://" + fqdn, MLFLOW_TRACKING_USERNAME="admin",
                          MLFLOW_TRACKING_PASSWORD=admin_password)
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MLFLOW_S3_ENDPOINT_URL"):
            client_env.pop(key, None)  # the client has no store credentials: the server proxies
        done = subprocess.run([os.path.join(bin_dir, "python"), "-c", CLIENT], env=client_env, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result["params"] == {"learning_rate": "0.01"} and result["metrics"] == {"loss": 0.25}
        assert result["artifact_uri"].startswith("mlflow-artifacts:") and result["version"] == "1"
        assert result["artifacts"] == ["model/weights.txt"]
        s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        assert any(k.startswith("artifacts/") and k.endswith("model/weights.txt") for k in keys), keys
        assert s3.get_object(Bucket=bucket, Key=[k for k in keys if k.endswith("weights.txt")][0])["Body"].read() == b"aizone"
    finally:
        server.stop()
    assert admin_password not in server.output()
