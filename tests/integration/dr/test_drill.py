"""The DR drill of `make drill` (hack/drill.py) in make test: two local zones, the primary converged with every
layer of the demo, backed up, deleted; failover.yml on the DR zone. Asserted: the objects per kind in the
tenants' namespaces are the primary's, every workload pod runs on the pool of the same name (failover.yml fails
otherwise), a tenant's quota is enforced, RPO and RTO are within the policy, and the DR zone stood by as the
pilot-light policy says (the primary's pools at 0 nodes) until the failover sized them as the primary's."""

import os
import sys
import uuid

import pytest

from harness.ansible import ROOT

sys.path.insert(0, os.path.join(ROOT, "hack"))

import drill  # noqa: E402


@pytest.fixture
def zones():
    names = ("aizone-drill-p-%s" % uuid.uuid4().hex[:4], "aizone-drill-d-%s" % uuid.uuid4().hex[:4])
    yield names
    for name in names:
        drill._delete_zone(name)


def test_failover_drill(zones, moto_endpoint, tmp_path):
    import boto3
    bucket = "aizone-drill-%s" % uuid.uuid4().hex[:8]
    boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    summary = drill.drill(str(tmp_path), zones[0], zones[1], moto_endpoint, bucket)
    assert summary["failover_rc"] == 0, summary.get("failover_output")
    print("\n" + drill.table(summary))
    print("failover: %s; steps %s" % (summary["failover_report"], summary["steps"]))
    assert drill.compared(summary["before"]) == drill.compared(summary["after"]), drill.table(summary)
    assert summary["after"].get("Pod (finished: Velero skips it)", 0) == 0
    assert summary["before"]["Deployment"] >= 5 and summary["before"]["RayCluster"] >= 1, summary["before"]
    assert summary["before"]["namespaces"] == len(summary["tenants"])
    assert "exceeded quota" in summary["quota"], summary["quota"]
    # pilot-light: the DR zone held every pool of the primary at 0 nodes, and the failover sized them as the primary
    standby, primary, after = summary["pools_standby"], summary["pools_primary"], summary["pools_after"]
    assert set(standby) == set(primary) and not any(standby.values()), (standby, primary)
    assert after == primary and any(primary.values()), (after, primary)
    # the platform databases' data came along: the rows the drill wrote into mlflow, owned by its role
    assert summary["databases_after"] == summary["databases_before"], (summary["databases_before"],
                                                                       summary["databases_after"])
    assert summary["databases_before"]["mlflow"] == {"drill_runs (mlflow)": 25}, summary["databases_before"]
