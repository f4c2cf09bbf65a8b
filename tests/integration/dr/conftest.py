"""Fixtures of the DR tests: a bucket in moto's S3 server, and Velero on the test zone."""

import uuid

import pytest

from harness.addons import addon_task, play

KEY_ID, SECRET_KEY = "AKIAAIZONETEST", "aizone-velero-secret-%s" % uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def store(moto_endpoint):
    """A bucket in moto's S3 server, and the location that points at it."""
    import boto3
    bucket = "aizone-dr-%s" % uuid.uuid4().hex[:8]
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    location = {"name": "primary", "bucket": bucket, "s3_url": moto_endpoint, "default": True,
                "credentials": {"access_key_id": KEY_ID, "secret_access_key": SECRET_KEY}}
    return s3, bucket, location


@pytest.fixture(scope="module")
def velero(controlplane, tmp_path_factory):
    """The velero add-on on the test zone; afterwards, what the tests made is gone (the bucket is this session's)."""
    from harness.ansible import run_playbook
    res = run_playbook(play(addon_task(controlplane.name, [{"name": "velero"}], wait_timeout=120)),
                       workdir=tmp_path_factory.mktemp("velero"))
    assert res.rc == 0, res.output[-4000:]
    yield res.task("addons")["addons"][0]
    controlplane.kubectl("delete", "-n", "velero", "--wait=false", "schedules.velero.io,backups.velero.io,"
                         "restores.velero.io,backupstoragelocations.velero.io", "--all", check=False)
    controlplane.kubectl("delete", "namespace", "--wait=false", "-l", "aizone.io/test=dr", check=False)
