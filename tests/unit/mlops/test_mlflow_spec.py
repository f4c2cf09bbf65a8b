"""mlflow input checks and what the render makes of them (pure: no I/O)."""

import json

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.mlops import mlflow_render
from ansible_collections.aizone.platform.plugins.module_utils.mlops.mlflow_spec import argument_spec, normalize


def params(**over):
    base = dict((k, v.get("default")) for k, v in argument_spec().items())
    base.update(namespace="mlops", backend_store={"uri_secret": {"name": "mlflow-postgres", "key": "uri"}},
                auth={"enabled": True, "database_uri_secret": {"name": "mlflow-auth-postgres", "key": "uri"},
                      "admin_username": "admin", "admin_password_secret": {"name": "mlflow-admin", "key": "password"},
                      "secret_key_secret": {"name": "mlflow-admin", "key": "secret-key"},
                      "default_permission": "READ"},
                artifacts={"destination": "s3://team-models/mlflow", "s3_endpoint_url": None,
                           "credentials_secret": "mlflow-s3", "workload_identity": None})
    base.update(over)
    return base


@pytest.mark.parametrize("over,field", [
    ({"backend_store": None}, "backend_store.uri_secret"),
    ({"artifacts": {"destination": None}}, "artifacts.destination"),
    ({"artifacts": {"destination": "file:///mlruns"}}, "artifacts.destination"),
    ({"artifacts": {"destination": "s3://UPPER/x", "credentials_secret": "s"}}, "artifacts.destination"),
    ({"artifacts": {"destination": "wasbs://models@Bad.blob.core.windows.net", "credentials_secret": "s"}},
     "artifacts.destination"),
    ({"artifacts": {"destination": "s3://b-1/x"}}, "artifacts.credentials_secret"),
    ({"artifacts": {"destination": "s3://b-1/x", "credentials_secret": "s",
                    "workload_identity": {"provider": "eks", "role_arn": "arn:aws:iam::123456789012:role/r"}}},
     "artifacts.credentials_secret"),
    ({"artifacts": {"destination": "s3://b-1/x", "workload_identity": {"provider": "eks", "role_arn": "role/r"}}},
     "artifacts.workload_identity.role_arn"),
    ({"artifacts": {"destination": "gs://b-1/x", "workload_identity": {"provider": "gke", "service_account": "me"}}},
     "artifacts.workload_identity.service_account"),
    ({"artifacts": {"destination": "s3://b-1/x", "workload_identity": {"provider": "openstack"}}},
     "artifacts.workload_identity.provider"),
    ({"auth": {"enabled": False}}, "auth.enabled"),
    ({"auth": {"enabled": True, "database_uri_secret": {"name": "a", "key": "uri"}}}, "auth.admin_password_secret"),
    ({"auth": {"enabled": True, "admin_password_secret": {"name": "a", "key": "p"}}}, "auth.database_uri_secret"),
    ({"version": "latest"}, "version"),
    ({"name": "MLflow"}, "name"),
    ({"workers": 0}, "workers"),
    ({"gc": {"enabled": True, "older_than": "a month"}}, "gc.older_than"),
    ({"ingress_host": "bad host"}, "ingress_host"),
    ({"node_pool": "GPU_pool"}, "node_pool"),
    ({"migration_timeout": 5}, "migration_timeout"),
    ({"artifacts": {"destination": "s3://b-1/x", "credentials_secret": "s", "volume": {"size": "10Gi"}}},
     "artifacts.volume"),
    ({"artifacts": {"volume": {"size": "ten gigs"}}}, "artifacts.volume.size"),
    ({"replicas": 2, "artifacts": {"volume": {"size": "10Gi"}}}, "replicas"),
])
def test_refusals_name_the_option(over, field):
    with pytest.raises(ValidationError) as err:
        normalize(params(**over))
    assert err.value.field == field, err.value.msg


def test_development_allows_what_production_refuses():
    spec = normalize(params(development=True, backend_store=None, auth={"enabled": False}, artifacts={}))
    assert mlflow_render.server_args(spec)[:2] == ["--host", "0.0.0.0"]


def test_render_keeps_secrets_out_of_the_manifest_and_bumps_the_migration_with_the_version():
    spec = normalize(params(ingress_host="mlflow.example.com"))
    deployment, job = mlflow_render.deployment(spec), mlflow_render.migration_job(spec)
    server = deployment["spec"]["template"]["spec"]["containers"][0]
    refs = dict((e["name"], e["valueFrom"]["secretKeyRef"]["name"]) for e in server["env"] if "valueFrom" in e)
    assert refs == {"MLFLOW_BACKEND_STORE_URI": "mlflow-postgres", "MLFLOW_AUTH_DATABASE_URI": "mlflow-auth-postgres",
                    "MLFLOW_AUTH_ADMIN_PASSWORD": "mlflow-admin", "MLFLOW_FLASK_SERVER_SECRET_KEY": "mlflow-admin"}
    assert "postgresql" not in json.dumps(deployment) and "password1234" not in json.dumps(deployment)
    hosts = dict((e["name"], e.get("value")) for e in server["env"])["MLFLOW_SERVER_ALLOWED_HOSTS"].split(",")
    assert {"mlflow.mlops.svc.cluster.local:5000", "mlflow.mlops.svc.cluster.local", "mlflow", "mlflow:5000",
            "mlflow.example.com"} <= set(hosts)
    assert server["args"] == ["--serve-artifacts", "--host", "0.0.0.0", "--port", "5000", "--workers", "2",
                              "--app-name", "basic-auth"]
    init = deployment["spec"]["template"]["spec"]["initContainers"][0]
    assert init["args"][2:] == ["psycopg[binary]==3.3.9", "flask-wtf==1.3.0", "boto3==1.44.8"]
    bumped = normalize(params(version="3.18.0"))
    assert mlflow_render.migration_job(bumped)["metadata"]["name"] != job["metadata"]["name"]
    assert mlflow_render.deployment(bumped)["spec"]["template"]["spec"]["containers"][0]["image"] == \
        "ghcr.io/mlflow/mlflow:v3.18.0"


def test_workload_identity_annotates_the_service_account():
    spec = normalize(params(artifacts={"destination": "wasbs://models@teamstore.blob.core.windows.net/mlflow",
                                       "workload_identity": {"provider": "aks",
                                                             "client_id": "3f1c2a9e-8d4b-4c1e-9a7f-1b2c3d4e5f60"}}))
    account = mlflow_render.service_account(spec)
    assert account["metadata"]["annotations"] == {
        "azure.workload.identity/client-id": "3f1c2a9e-8d4b-4c1e-9a7f-1b2c3d4e5f60"}
    pod = mlflow_render.deployment(spec)["spec"]["template"]
    assert pod["metadata"]["labels"]["azure.workload.identity/use"] == "true"
    assert mlflow_render.python_packages(spec)[-2:] == ["azure-storage-blob==12.31.1", "azure-identity==1.27.0"]


def test_artifacts_on_a_claim_are_served_from_its_mount_and_the_pod_is_replaced_not_rolled():
    spec = normalize(params(artifacts={"volume": {"size": "10Gi", "storage_class": "standard"}}))
    objs = dict((o["kind"], o) for o in mlflow_render.objects(spec))
    claim, deployment = objs["PersistentVolumeClaim"], objs["Deployment"]
    assert claim["metadata"]["name"] == "mlflow-artifacts" and claim["spec"] == {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}, "storageClassName": "standard"}
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    pod = deployment["spec"]["template"]["spec"]
    assert {"name": "artifacts", "persistentVolumeClaim": {"claimName": "mlflow-artifacts"}} in pod["volumes"]
    server = pod["containers"][0]
    assert {"name": "artifacts", "mountPath": mlflow_render.ARTIFACTS_DIR} in server["volumeMounts"]
    env = dict((e["name"], e.get("value")) for e in server["env"])
    assert env["MLFLOW_ARTIFACTS_DESTINATION"] == "file://" + mlflow_render.ARTIFACTS_DIR
    assert "--serve-artifacts" in server["args"]
