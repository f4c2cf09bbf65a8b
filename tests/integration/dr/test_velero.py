"""Velero on the test zone: the real server (built from its Go module) with the real AWS plugin, out of cluster,
against moto's S3 server; backup_location and backup_schedule converge it; a backup's objects are in the bucket."""

import gzip
import io
import json
import tarfile
import uuid

import pytest

from harness.addons import play

pytestmark = pytest.mark.controlplane


def _location_task(zone, location, name="location", **kw):
    args = dict(zone=zone, provider="local", locations=[location], wait_timeout=60)
    args.update(kw)
    return {"name": name, "aizone.platform.backup_location": args}


def test_velero_runs_out_of_cluster_with_its_plugin(velero):
    assert velero["action"] in ("created", "updated", "unchanged")
    assert velero["process"]["healthy"] is True and velero["process"]["health"].endswith("/metrics")
    assert "backups.velero.io" in velero["crds"] and "backupstoragelocations.velero.io" in velero["crds"]


def test_location_check_mode_real_run_and_again(controlplane, velero, store, run_playbook):
    _s3, _bucket, location = store
    res = run_playbook(play(dict(_location_task(controlplane.name, location, name="check"), check_mode=True),
                            _location_task(controlplane.name, location, name="real"),
                            _location_task(controlplane.name, location, name="again")), diff=True, args=("-vvv",))
    assert res.rc == 0, res.output[-4000:]
    assert location["credentials"]["secret_access_key"] not in res.output
    check, real, again = res.task("check"), res.task("real"), res.task("again")
    assert real["locations"][0]["phase"] == "Available", real["locations"]
    assert again["changed"] is False and set(again["api_requests"]) == {"GET"}, again["api_requests"]
    if real["changed"]:    # first run of the session: check mode predicted exactly what it did
        assert check["secrets"] == real["secrets"] and check["object_counts"] == real["object_counts"]


def _tenant_objects(controlplane, namespace):
    """A namespace with a ConfigMap, a Secret and a Service: what a backup of it must hold."""
    manifest = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": {"aizone.io/test": "dr"}}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": namespace},
         "data": {"mode": "primary"}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "token", "namespace": namespace},
         "stringData": {"token": "t0k3n"}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": namespace},
         "spec": {"ports": [{"port": 80}], "selector": {"app": "api"}}}]}
    controlplane.kubectl("apply", "-f", "-", input=json.dumps(manifest))


def _tarball_entries(s3, bucket, key):
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        return sorted(m.name for m in tar.getmembers() if m.isfile())


def test_schedule_from_rpo_and_a_backup_now_in_the_bucket(controlplane, velero, store, run_playbook):
    s3, bucket, location = store
    tenant = "dr-%s" % uuid.uuid4().hex[:6]
    _tenant_objects(controlplane, tenant)
    schedule = {"name": tenant, "rpo_minutes": 20, "location": "primary", "ttl": "24h"}
    task = {"name": "schedule", "aizone.platform.backup_schedule": {
        "zone": controlplane.name, "provider": "local", "schedules": [schedule], "wait_timeout": 120}}
    now = dict(task, name="now")
    now["aizone.platform.backup_schedule"] = dict(task["aizone.platform.backup_schedule"], backup_now=True)
    res = run_playbook(play(_location_task(controlplane.name, location),
                            dict(task, name="check", check_mode=True), task, dict(task, name="again"), now))
    assert res.rc == 0, res.output[-4000:]
    check, real, again = res.task("check"), res.task("schedule"), res.task("again")
    assert real["schedules"][0]["cron"] == "*/20 * * * *" and real["schedules"][0]["longest_gap_minutes"] == 20
    created = {"created": 1, "updated": 0, "deleted": 0, "unchanged": 0}
    assert check["object_counts"] == real["object_counts"] == created
    assert again["changed"] is False and set(again["api_requests"]) == {"GET"}
    backup = res.task("now")["backups"][0]
    assert backup["phase"] == "Completed" and backup["errors"] == 0, backup
    assert backup["schedule"] == tenant and backup["items_backed_up"] == backup["total_items"] >= 4, backup
    prefix = "%s/backups/%s/" % (controlplane.name, backup["name"])
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]]
    assert prefix + "velero-backup.json" in keys and prefix + backup["name"] + ".tar.gz" in keys, keys
    entries = _tarball_entries(s3, bucket, prefix + backup["name"] + ".tar.gz")
    for kind, name in (("configmaps", "settings"), ("secrets", "token"), ("services", "api")):
        assert "resources/%s/namespaces/%s/%s.json" % (kind, tenant, name) in entries, entries
    listed = json.loads(gzip.decompress(s3.get_object(
        Bucket=bucket, Key=prefix + backup["name"] + "-resource-list.json.gz")["Body"].read()))
    assert "%s/settings" % tenant in listed["v1/ConfigMap"], listed


def _resource_list(s3, bucket, prefix, name):
    listed = json.loads(gzip.decompress(s3.get_object(Bucket=bucket, Key=prefix + name + "-resource-list.json.gz")
                                        ["Body"].read()))
    return sorted(item for items in listed.values() for item in items)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_backup_through_s3_faults_completes_whole_or_fails(controlplane, velero, store, run_playbook, seed):
    """S3 answers 500 or 503 to 30% of requests: each backup either completes with everything in the store, or
    the task fails naming Velero's phase. Never Completed while incomplete."""
    from harness.faultproxy import FaultProxy
    s3, bucket, location = store
    tenant = "dr-faults-%d-%s" % (seed, uuid.uuid4().hex[:4])
    _tenant_objects(controlplane, tenant)
    with FaultProxy.for_url(location["s3_url"], rate=0.3, seed=seed, faults=("500", "503")) as proxy:
        faulty = dict(location, name="faulty-%d" % seed, s3_url=proxy.url, default=False,
                      prefix="%s-faults" % controlplane.name)
        schedule = {"name": tenant, "cron": "@daily", "location": faulty["name"]}
        res = run_playbook(play(_location_task(controlplane.name, faulty, wait_timeout=120), {
            "name": "now", "ignore_errors": True, "aizone.platform.backup_schedule": {
                "zone": controlplane.name, "provider": "local", "schedules": [schedule], "backup_now": True,
                "wait_timeout": 180}}))
        faults = proxy.counts["requests"] - proxy.counts["forwarded"]
    assert res.rc == 0 and res.task("location")["locations"][0]["phase"] == "Available", res.output[-3000:]
    now = res.task("now")
    print("\nseed %d: %s faults of %s; backup task failed=%s: %s" % (
        seed, faults, dict(proxy.counts), now.get("failed", False), (now.get("msg") or now["backups"])))
    if now.get("failed"):
        assert "Velero did not complete" in now["msg"] and ("Failed" in now["msg"]), now["msg"]
        return
    backup = now["backups"][0]
    assert backup["phase"] == "Completed"
    prefix = "%s-faults/backups/%s/" % (controlplane.name, backup["name"])
    entries = _tarball_entries(s3, bucket, prefix + backup["name"] + ".tar.gz")
    resources = [e for e in entries if e.startswith("resources/") and "/v1-preferredversion/" not in e]
    listed = _resource_list(s3, bucket, prefix, backup["name"])
    assert len(listed) == backup["items_backed_up"] == backup["total_items"], (listed, backup)
    assert "resources/configmaps/namespaces/%s/settings.json" % tenant in resources


def _tampered(raw, how):
    """A backup tarball flipped in one byte, or re-packed without its ConfigMap (a valid archive)."""
    if how == "flipped":
        middle = len(raw) // 2
        return raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1:]
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as source, tarfile.open(fileobj=out, mode="w:gz") as tar:
        for member in source.getmembers():
            if "/configmaps/" not in member.name:
                tar.addfile(member, source.extractfile(member) if member.isfile() else None)
    return out.getvalue()


def test_info_reports_rpo_and_verify_catches_a_tampered_tarball(controlplane, velero, store, run_playbook):
    s3, bucket, location = store
    tenant = "dr-verify-%s" % uuid.uuid4().hex[:4]
    _tenant_objects(controlplane, tenant)
    res = run_playbook(play(_location_task(controlplane.name, location), {
        "name": "now", "aizone.platform.backup_schedule": {
            "zone": controlplane.name, "provider": "local", "backup_now": True,
            "schedules": [{"name": tenant, "cron": "@hourly", "location": "primary"}]}}))
    assert res.rc == 0, res.output[-3000:]
    name = res.task("now")["backups"][0]["name"]
    info = {"zone": controlplane.name, "provider": "local", "schedule": tenant, "verify": True}
    key = "%s/backups/%s/%s.tar.gz" % (controlplane.name, name, name)
    original = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    outcomes = {}
    try:
        for how in ("intact", "flipped", "repacked"):
            if how != "intact":
                s3.put_object(Bucket=bucket, Key=key, Body=_tampered(original, how))
            res = run_playbook(play({"name": "info", "aizone.platform.backup_info": info}))
            assert res.rc == 0, res.output[-3000:]
            outcomes[how] = res.task("info")
    finally:
        s3.put_object(Bucket=bucket, Key=key, Body=original)
    intact = outcomes["intact"]
    assert intact["schedules"][tenant]["latest_completed"] == name
    assert 0 <= intact["schedules"][tenant]["achieved_rpo_seconds"] < 120
    check = intact["backups"][0]["verification"]
    assert check["ok"] is True and check["problems"] == [] and check["objects"] == intact["backups"][0]["items_backed_up"]
    assert check["missing_in_zone"] == 0 and check["in_zone"] == check["objects"], check
    flipped = outcomes["flipped"]["backups"][0]["verification"]
    assert flipped["ok"] is False and "cannot be read" in flipped["problems"][0], flipped
    repacked = outcomes["repacked"]["backups"][0]["verification"]
    assert repacked["ok"] is False, repacked
    assert any("listed but not in the archive" in p and "%s/settings" % tenant in p for p in repacked["problems"])
    assert any("Velero backed up" in p for p in repacked["problems"]), repacked


def _outcomes(items, mine=None):
    """{(kind, key): outcome}, only the objects of the namespaces in mine (and those namespaces)."""
    out = {}
    for kind, entries in (items or {}).items():
        for key, outcome in entries.items():
            if mine is None or key.split("/", 1)[0] in mine:
                out[(kind, key)] = outcome
    return out


def test_restore_check_mode_predicts_what_velero_creates(controlplane, velero, store, run_playbook):
    """A tenant with a Deployment, backed up, restored under another namespace: check mode's `created` objects are
    exactly those Velero then reports created, its `existing` ones those Velero skips, its `defaulted` ones the new
    namespace's defaults (made by the zone or by Velero, whichever is first); a second run changes nothing;
    an unknown backup is refused before any write."""
    _s3, _bucket, location = store
    tenant = "dr-restore-%s" % uuid.uuid4().hex[:4]
    target = tenant + "-copy"
    _tenant_objects(controlplane, tenant)
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": tenant},
                  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "api"}},
                           "template": {"metadata": {"labels": {"app": "api"}},
                                        "spec": {"containers": [{"name": "api", "image": "nginx"}]}}}}
    controlplane.kubectl("apply", "-f", "-", input=json.dumps(deployment))
    zone = {"zone": controlplane.name, "provider": "local"}
    res = run_playbook(play(_location_task(controlplane.name, location), {
        "name": "now", "aizone.platform.backup_schedule": dict(zone, backup_now=True, schedules=[
            {"name": tenant, "cron": "@daily", "location": "primary"}])}))
    assert res.rc == 0, res.output[-3000:]
    restore = dict(zone, schedule=tenant, namespace_mapping={tenant: target}, wait_timeout=120)
    before = controlplane.request_counts()
    res = run_playbook(play(
        {"name": "unknown", "ignore_errors": True, "aizone.platform.restore": dict(zone, backup="no-such-backup")},
        {"name": "check", "check_mode": True, "aizone.platform.restore": restore}))
    writes = controlplane.delta(before, controlplane.request_counts(), writes_only=True)
    assert not [k for k in writes if k[1] in ("restores", "configmaps", "namespaces", "deployments")], writes
    assert res.task("unknown")["failed"] and "no backup 'no-such-backup'" in res.task("unknown")["msg"]
    check = res.task("check")["restore"]
    res = run_playbook(play({"name": "real", "aizone.platform.restore": restore},
                            {"name": "again", "aizone.platform.restore": restore}))
    assert res.rc == 0, res.output[-3000:]
    real, again = res.task("real"), res.task("again")
    assert real["changed"] is True and again["changed"] is False and again["restore"]["name"] == real["restore"]["name"]
    predicted, actual = _outcomes(check["items"], {target}), _outcomes(real["restore"]["items"], {target})
    print("\npredicted %s\nvelero    %s" % (check["predicted"], real["restore"]["actions"]))
    raced = set(k for k, v in predicted.items() if v == "defaulted")
    assert raced == {("v1/ConfigMap", target + "/kube-root-ca.crt"), ("v1/ServiceAccount", target + "/default")}, raced
    assert raced <= set(actual), (raced, actual)
    assert sorted(k for k, v in predicted.items() if v == "created") == sorted(
        k for k, v in actual.items() if v == "created" and k not in raced), (predicted, actual)
    assert sorted(k for k, v in predicted.items() if v == "existing") == sorted(
        k for k, v in actual.items() if v != "created" and k not in raced), (predicted, actual)
    assert ("v1/ConfigMap", target + "/settings") in predicted and ("apps/v1/Deployment", target + "/api") in predicted
    live = json.loads(controlplane.kubectl("get", "configmap", "settings", "-n", target, "-o", "json").stdout)
    assert live["data"] == {"mode": "primary"}
