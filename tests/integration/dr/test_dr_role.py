"""The dr role through playbooks/dr.yml on the test zone, seen from two inventory hosts: `primary` (a DR policy)
and `standby` (the zone the policy names, here the same zone under another host name): Velero, the primary's
ReadWrite location under its zone's prefix, one schedule per tenant derived from the RPO, the standby's ReadOnly
location on that prefix; a second run changes nothing; a policy naming a zone the inventory lacks fails first."""

import json
import os
import uuid

import pytest
import yaml

from harness.ansible import ROOT

pytestmark = pytest.mark.controlplane


def _inventory(tmp_path, controlplane, store, policy, tenants):
    zone = {"name": controlplane.name, "provider": "local"}
    common = {"ansible_connection": "local", "aizone_kubeconfig": controlplane.kubeconfig, "aizone_zone": zone,
              "aizone_dr_store": store, "aizone_tenants": [{"name": t} for t in tenants],
              "aizone_dr_sync_period": "10s"}
    inventory = {"all": {"vars": common, "hosts": {"primary": {"aizone_dr_policy": policy}, "standby": {}}}}
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory))
    return str(path)


def test_dr_layer_from_the_inventory_policy(controlplane, moto_endpoint, tmp_path, run_playbook):
    import boto3
    bucket = "aizone-role-%s" % uuid.uuid4().hex[:8]
    boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    store = {"bucket": bucket, "s3_url": moto_endpoint,
             "credentials": {"access_key_id": "AKIAROLETEST", "secret_access_key": "role-secret-value"}}
    tenants = ["dr-role-%s" % uuid.uuid4().hex[:4]]
    controlplane.kubectl("create", "namespace", tenants[0])
    policy = {"approach": "pilot-light", "rpo_minutes": 30, "rto_minutes": 60, "dr_zone": "standby"}
    playbook = os.path.join(ROOT, "playbooks", "dr.yml")
    try:
        inventory = _inventory(tmp_path, controlplane, store, policy, tenants)
        first = run_playbook(playbook, inventory=inventory, extravars={"aizone_serial": 1})
        again = run_playbook(playbook, inventory=inventory, extravars={"aizone_serial": 1})
        bad = run_playbook(playbook, inventory=_inventory(tmp_path, controlplane, store, dict(policy, dr_zone="nowhere"),
                                                          tenants), args=("--limit", "primary"))
        locations = json.loads(controlplane.kubectl("get", "backupstoragelocations.velero.io", "-n", "velero",
                                                    "-o", "json").stdout)["items"]
        schedule = json.loads(controlplane.kubectl("get", "schedules.velero.io", tenants[0], "-n", "velero",
                                                   "-o", "json").stdout)
    finally:
        controlplane.kubectl("delete", "namespace", tenants[0], "--wait=false", check=False)
        controlplane.kubectl("delete", "-n", "velero", "schedules.velero.io/" + tenants[0],
                             "backupstoragelocations.velero.io/aizone",
                             "backupstoragelocations.velero.io/from-" + controlplane.name, check=False)
    assert first.rc == 0, first.output[-4000:]
    assert again.rc == 0 and not again.changed, (again.changed, again.output[-3000:])
    by_name = dict((loc["metadata"]["name"], loc["spec"]) for loc in locations)
    assert by_name["aizone"]["accessMode"] == "ReadWrite" and by_name["aizone"]["objectStorage"]["prefix"] == controlplane.name
    standby = by_name["from-" + controlplane.name]
    assert standby["accessMode"] == "ReadOnly" and standby["objectStorage"]["prefix"] == controlplane.name
    assert standby["backupSyncPeriod"] == "10s"
    assert schedule["spec"]["schedule"] == "*/30 * * * *" and schedule["spec"]["template"]["storageLocation"] == "aizone"
    assert bad.rc != 0 and "dr_policy.dr_zone: nowhere is not one of" in bad.output
    assert "role-secret-value" not in first.output + again.output
