"""GKE-specific behaviour against the loopback container.googleapis.com test double
(tests/doubles/gke_server.py).

Provider-level tests drive GkeProvider through the reconciler in this
process (a fresh provider per "run"); a module-level test runs the zone and
node_pool modules through ansible-playbook. What was sent is read from the
double's call log.
"""

import os
import stat

import pytest

from doubles.gke_server import GkeServer
from harness import cloud_doubles
from harness.cloud_doubles import provider_params, zone

from ansible_collections.aizone.platform.plugins.module_utils.zones import pools, reconcile as zones
from ansible_collections.aizone.platform.plugins.module_utils.zones.spec import node_pool_desired
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.providers.gke import GkeProvider

TOKEN = "gke-test-token-must-not-leak"
PROJECT = "aizone-test"
PREFIX = "/v1/projects/%s/locations/us-central1/clusters/z1" % PROJECT


@pytest.fixture(scope="module")
def server():
    srv = GkeServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def params(server):
    server.reset()
    return provider_params(provider="gke", region="us-central1", endpoint_url=server.endpoint, gcp_project=PROJECT,
                           gcp_access_token=TOKEN)


def sent(server, since=0):
    return [(c["method"], c["path"][len(PREFIX):] if c["path"].startswith(PREFIX) else c["path"], c["body"])
            for c in server.write_calls()[since:]]


def pool(name="gpu", **over):
    return cloud_doubles.pool("gke", "g2-standard-4", name, **over)


def make_zone(params, server, pools=()):
    return cloud_doubles.make_zone(GkeProvider, params, server, pools)


def test_create_sends_the_right_bodies_and_second_run_writes_nothing(params, server):
    res = zones.reconcile_zone(GkeProvider(params), zone(params, logging=["api"]), wait_timeout=30)
    assert res["changed"] and res["zone"]["status"] == "RUNNING" and res["zone"]["logging"] == ["api"]
    res = pools.reconcile_node_pool(GkeProvider(params), "z1", pool(), wait_timeout=30)
    assert res["changed"] and res["node_pool"]["gpu"]["model"] == "L4"
    (m1, p1, cluster), (m2, p2, body) = sent(server)
    assert (m1, m2) == ("POST", "POST") and p2 == "/nodePools"
    cl = cluster["cluster"]
    assert cl["resourceLabels"] == {"team": "ml", "aizone-managed-by": "aizone-platform", "aizone-zone-type": "shared"}
    assert cl["loggingConfig"] == {"componentConfig": {"enableComponents": [1, 2, 3]}}
    assert cl["initialClusterVersion"] == "1.34" and [p["name"] for p in cl["nodePools"]] == ["system"]
    np = body["nodePool"]
    assert np["autoscaling"] == {"enabled": True, "minNodeCount": 1, "maxNodeCount": 3}
    assert np["initialNodeCount"] == 1
    cfg = np["config"]
    assert cfg["machineType"] == "g2-standard-4" and cfg["spot"] is True and cfg["diskSizeGb"] == 100
    assert cfg["accelerators"] == [{"acceleratorType": "nvidia-l4", "acceleratorCount": "1"}]
    assert cfg["labels"] == {"team": "ml", "aizone.io/node-pool": "gpu", "aizone.io/node-pool-type": "gpu-optimized",
                             "aizone.io/gpu-model": "L4"}
    assert list(GkeProvider(params).list_node_pools("z1")) == ["gpu"]

    n = len(server.write_calls())
    assert not zones.reconcile_zone(GkeProvider(params), zone(params, logging=["api"]), wait_timeout=30)["changed"]
    assert not pools.reconcile_node_pool(GkeProvider(params), "z1", pool(), wait_timeout=30)["changed"]
    assert sent(server, n) == []


def test_updates_are_applied_with_only_the_changed_fields(params, server):
    n = make_zone(params, server, [pool()])
    # labels only: one update_node_pool whose body holds labels and nothing else
    res = pools.reconcile_node_pool(GkeProvider(params), "z1", pool(labels={"team": "ml-2"}), wait_timeout=30)
    assert res["changed_fields"] == ["labels"] and res["node_pool"]["labels"] == {"team": "ml-2"}
    calls = sent(server, n)
    assert [c[:2] for c in calls] == [("PUT", "/nodePools/gpu")]
    assert list(calls[0][2]) == ["labels"] and calls[0][2]["labels"]["labels"]["team"] == "ml-2"

    # first taint: one update_node_pool carrying taints only
    n = len(server.write_calls())
    taint = [{"key": "dedicated", "value": "x", "effect": "NoSchedule"}]
    res = pools.reconcile_node_pool(GkeProvider(params), "z1", pool(labels={"team": "ml-2"}, taints=taint),
                                    wait_timeout=30)
    assert res["node_pool"]["taints"] == taint
    assert sent(server, n) == [("PUT", "/nodePools/gpu", {"taints": {"taints": [
        {"key": "dedicated", "value": "x", "effect": 1}]}})]

    # autoscaling bounds only: set_node_pool_autoscaling, nothing else
    n = len(server.write_calls())
    scaling = {"enabled": True, "min": 1, "max": 5, "desired": 1}
    res = pools.reconcile_node_pool(GkeProvider(params), "z1", pool(labels={"team": "ml-2"}, taints=taint,
                                                                    autoscaling=scaling), wait_timeout=30)
    assert res["node_pool"]["autoscaling"] == scaling
    assert sent(server, n) == [("POST", "/nodePools/gpu:setAutoscaling",
                                {"autoscaling": {"enabled": True, "minNodeCount": 1, "maxNodeCount": 5}})]

    # size: set_node_pool_size, then the size record (NodePool has no size field)
    n = len(server.write_calls())
    scaling = dict(scaling, desired=4)
    res = pools.reconcile_node_pool(GkeProvider(params), "z1", pool(labels={"team": "ml-2"}, taints=taint,
                                                                    autoscaling=scaling), wait_timeout=30)
    assert res["node_pool"]["autoscaling"]["desired"] == 4
    calls = sent(server, n)
    assert [c[:2] for c in calls] == [("POST", "/nodePools/gpu:setSize"), ("PUT", "/nodePools/gpu")]
    assert calls[0][2] == {"nodeCount": 4} and list(calls[1][2]) == ["resourceLabels"]

    # zone labels: set_labels with the current fingerprint, nothing else
    n = len(server.write_calls())
    fingerprint = server.clusters[(PROJECT, "us-central1", "z1")]["labelFingerprint"]
    res = zones.reconcile_zone(GkeProvider(params), zone(params, tags={"team": "research"}), wait_timeout=30)
    assert res["changed_fields"] == ["tags"] and res["zone"]["tags"] == {"team": "research"}
    calls = sent(server, n)
    assert [c[:2] for c in calls] == [("POST", ":setResourceLabels")]
    assert calls[0][2]["labelFingerprint"] == fingerprint

    # version and logging: two update_cluster operations (GKE takes one update per call), in turn
    n = len(server.write_calls())
    res = zones.reconcile_zone(GkeProvider(params), zone(params, tags={"team": "research"}, kubernetes_version="1.35",
                                                         logging=["api", "scheduler"]), wait_timeout=30)
    assert res["zone"]["kubernetes_version"] == "1.35" and res["zone"]["logging"] == ["api", "scheduler"]
    assert [c[2] for c in sent(server, n)] == [
        {"update": {"desiredLoggingConfig": {"componentConfig": {"enableComponents": [1, 2, 3, 4]}}}},
        {"update": {"desiredMasterVersion": "1.35"}}]
    n = len(server.write_calls())
    zones.reconcile_zone(GkeProvider(params), zone(params, tags={"team": "research"}, kubernetes_version="1.35",
                                                   logging=["api", "scheduler"]), wait_timeout=30)
    assert sent(server, n) == []


def test_gpu_sharing_and_partitions_reach_the_api_and_bad_ones_fail_first(params, server):
    n = make_zone(params, server)
    provider = GkeProvider(params)
    desired = pools.plan_pool(provider, "z1", node_pool_desired(
        {"name": "mig", "gpu": {"model": "A100-80GB", "count": 8}}, "gke"), None)["after"]
    assert desired["instance_type"] == "a2-ultragpu-8g"
    desired["gpu"] = dict(desired["gpu"], partition_size="1g.10gb",
                          sharing={"strategy": "time-sharing", "max_shared_clients_per_gpu": 4})
    provider.create_node_pool("z1", desired)
    acc = sent(server, n)[0][2]["nodePool"]["config"]["accelerators"]
    assert acc == [{"acceleratorType": "nvidia-a100-80gb", "acceleratorCount": "8", "gpuPartitionSize": "1g.10gb",
                    "gpuSharingConfig": {"maxSharedClientsPerGpu": "4", "gpuSharingStrategy": 1}}]
    n = len(server.write_calls())
    for gpu, field in ((dict(desired["gpu"], partition_size="4g.40gb"), "gpu.partition_size"),
                       (dict(desired["gpu"], sharing={"strategy": "vgpu"}), "gpu.sharing.strategy")):
        with pytest.raises(ValidationError) as err:
            GkeProvider(params).node_pool_defaults("z1", dict(desired, name="mig2", gpu=gpu))
        assert err.value.field == field
    with pytest.raises(ValidationError) as err:
        node_pool_desired({"name": "a10g", "gpu": {"model": "A10G", "count": 1}}, "gke")
    assert err.value.field == "gpu.model"
    assert sent(server, n) == []


def test_bad_input_and_refused_changes_write_nothing(params, server):
    n = make_zone(params, server, [pool()])
    with pytest.raises(ValidationError) as err:
        zones.reconcile_zone(GkeProvider(params), zone(params, name="z2", tags={"Team": "ML"}), wait_timeout=30)
    assert err.value.field == "tags.Team"
    with pytest.raises(ValidationError) as err:
        zones.reconcile_zone(GkeProvider(params), zone(params, name="z2", logging=["audit"]), wait_timeout=30)
    assert err.value.field == "logging[0]"
    with pytest.raises(ValidationError) as err:
        pools.reconcile_node_pool(GkeProvider(params), "z1", pool(capacity_type="on-demand"), wait_timeout=30)
    assert err.value.field == "capacity_type"
    assert sent(server, n) == []


def test_busy_cluster_and_transient_errors_are_retried(params, server):
    make_zone(params, server)
    server.inject_error(503, "The service is currently unavailable.", method="GET", times=1)
    n = len(server.calls)
    assert GkeProvider(params).get_zone("z1")["status"] == "RUNNING"
    assert [c["status"] for c in server.calls[n:]] == [503, 200]


def test_8x_a100_80gb_is_a2_ultragpu_8g(params):
    want = {"eks": "p4de.24xlarge", "aks": "Standard_ND96amsr_A100_v4", "gke": "a2-ultragpu-8g"}
    got = dict((p, node_pool_desired({"name": "a100", "gpu": {"model": "A100-80GB", "count": 8}}, p)["instance_type"])
               for p in want)
    assert got == want


def test_modules_fail_naming_the_code_and_keep_the_token_out_of_results(params, server, run_playbook, tmp_path):
    conn = dict((k, v) for k, v in params.items() if v is not None and k in PROVIDER_ARGS)
    env = {}
    if "gcp_access_token" not in PROVIDER_ARGS:
        env["GOOGLE_OAUTH_ACCESS_TOKEN"] = TOKEN
    server.fail_next_operation(status="RESOURCE_EXHAUSTED", path="nodePools/a100")
    dest = str(tmp_path / "kubeconfig")
    tasks = [
        {"name": "zone", "aizone.platform.zone": dict(conn, name="z1", kubeconfig_dest=dest, wait_timeout=30)},
        {"name": "pool", "ignore_errors": True, "aizone.platform.node_pool": dict(
            conn, zone="z1", name="a100", gpu={"model": "A100-80GB", "count": 8}, wait_timeout=30)},
    ]
    res = run_playbook([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}], env=env)
    assert res.task("zone")["changed"], res.output[-3000:]
    out = res.task("pool")
    assert out["failed"] and out["code"] == "RESOURCE_EXHAUSTED" and "RESOURCE_EXHAUSTED" in out["msg"]
    assert TOKEN not in res.output
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    with open(dest) as f:
        assert TOKEN in f.read()
