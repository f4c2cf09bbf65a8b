"""AKS-specific behaviour against the loopback ARM test double (tests/doubles/aks_server.py).

Provider-level tests drive AksProvider through the reconciler in this
process (a fresh provider per "run", as each module run is a new process);
module-level tests run the node_pool / zone modules through ansible-playbook.
Every assertion on what was sent reads the double's call log.
"""

import copy
import os
import stat

import pytest

from doubles.aks_server import AksServer
from harness import cloud_doubles
from harness.cloud_doubles import provider_params, zone

from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.zones import pools, reconcile as zones
from ansible_collections.aizone.platform.plugins.module_utils.zones.spec import node_pool_desired
from ansible_collections.aizone.platform.plugins.module_utils.errors import (
    ApiError, ValidationError)
from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.providers.aks import AksProvider

TOKEN = "aks-test-token-must-not-leak"
SUB = "00000000-0000-4000-8000-0000000000a5"
RG = "aizone-test"


@pytest.fixture(scope="module")
def server():
    srv = AksServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def params(server):
    server.reset()
    return provider_params(provider="aks", region="eastus", endpoint_url=server.endpoint, azure_subscription_id=SUB,
                           azure_resource_group=RG, azure_access_token=TOKEN, ca_bundle=server.ca_path)


def writes(server, since=0):
    return server.write_calls()[since:]


def pool(name="gpu", **over):
    return cloud_doubles.pool("aks", "Standard_NC4as_T4_v3", name, **over)


def make_zone(params, server, pools=()):
    return cloud_doubles.make_zone(AksProvider, params, server, pools)


def test_create_sends_the_right_bodies_and_second_run_writes_nothing(params, server):
    res = zones.reconcile_zone(AksProvider(params), zone(params), wait_timeout=30)
    assert res["changed"] and res["zone"]["status"] == "Succeeded"
    res = pools.reconcile_node_pool(AksProvider(params), "z1", pool(), wait_timeout=30)
    assert res["changed"] and res["node_pool"]["capacity_type"] == "spot"
    put_mc, put_pool = writes(server)
    assert put_mc["method"] == "PUT" and put_mc["path"].endswith("/managedClusters/z1")
    assert put_mc["query"]["api-version"] == "2026-08-01"
    body = put_mc["body"]
    assert body["tags"] == {"team": "ml", "aizone-managed-by": "aizone.platform", "aizone-zone-type": "shared"}
    system = body["properties"]["agentPoolProfiles"]
    assert [(p["name"], p["mode"]) for p in system] == [("system", "System")]
    props = put_pool["body"]["properties"]
    assert put_pool["path"].endswith("/managedClusters/z1/agentPools/gpu")
    assert props["vmSize"] == "Standard_NC4as_T4_v3" and props["mode"] == "User"
    assert (props["count"], props["enableAutoScaling"], props["minCount"], props["maxCount"]) == (1, True, 1, 3)
    assert (props["scaleSetPriority"], props["scaleSetEvictionPolicy"], props["spotMaxPrice"]) == ("Spot", "Delete", -1)
    assert props["osDiskSizeGB"] == 100
    assert props["nodeLabels"] == {"team": "ml", "aizone.io/node-pool": "gpu",
                                   "aizone.io/node-pool-type": "gpu-optimized", "aizone.io/gpu-model": "T4"}
    # AKS adds the spot label and taint; they are the provider's, not the user's
    stored = server.pools[(SUB.lower(), RG.lower(), "z1", "gpu")]["properties"]
    assert "kubernetes.azure.com/scalesetpriority=spot:NoSchedule" in stored["nodeTaints"]
    assert res["node_pool"]["taints"] == [] and res["node_pool"]["labels"] == {"team": "ml"}

    # the system pool is the zone's own, not a user pool
    assert list(AksProvider(params).list_node_pools("z1")) == ["gpu"]

    n = len(server.write_calls())
    assert not zones.reconcile_zone(AksProvider(params), zone(params), wait_timeout=30)["changed"]
    assert not pools.reconcile_node_pool(AksProvider(params), "z1", pool(), wait_timeout=30)["changed"]
    assert writes(server, n) == []


def test_tags_change_is_one_patch_and_nothing_else(params, server):
    n = make_zone(params, server)
    res = zones.reconcile_zone(AksProvider(params), zone(params, tags={"team": "research", "env": "x"}),
                               wait_timeout=30)
    assert res["changed_fields"] == ["tags"] and res["zone"]["tags"] == {"team": "research", "env": "x"}
    sent = writes(server, n)
    assert [(c["method"], c["path"].rsplit("/", 1)[-1]) for c in sent] == [("PATCH", "z1")]
    assert sent[0]["body"] == {"tags": {"team": "research", "env": "x", "aizone-managed-by": "aizone.platform",
                                        "aizone-zone-type": "shared"}}


def test_pool_change_is_one_put_of_that_pool_with_only_changed_fields(params, server):
    n = make_zone(params, server, [pool("gpu"), pool("other")])
    key = (SUB.lower(), RG.lower(), "z1", "gpu")
    before = copy.deepcopy(server.pools[key]["properties"])
    other_before = copy.deepcopy(server.pools[key[:3] + ("other",)])
    desired = pool("gpu", labels={"team": "ml-2"}, taints=[{"key": "dedicated", "value": "x", "effect": "NoSchedule"}])
    res = pools.reconcile_node_pool(AksProvider(params), "z1", desired, wait_timeout=30)
    assert sorted(res["changed_fields"]) == ["labels", "taints"]
    sent = writes(server, n)
    assert [(c["method"], c["path"].rsplit("/", 1)[-1]) for c in sent] == [("PUT", "gpu")]
    assert sent[0]["if_match"] == before["eTag"]
    props = sent[0]["body"]["properties"]
    read_only = ("provisioningState", "powerState", "currentOrchestratorVersion", "nodeImageVersion", "eTag")
    unchanged = dict((k, v) for k, v in before.items() if k not in read_only + ("nodeLabels", "nodeTaints"))
    assert dict((k, v) for k, v in props.items() if k not in ("nodeLabels", "nodeTaints")) == unchanged
    assert props["nodeLabels"]["team"] == "ml-2"
    assert props["nodeTaints"] == ["dedicated=x:NoSchedule", "kubernetes.azure.com/scalesetpriority=spot:NoSchedule"]
    assert server.pools[key[:3] + ("other",)] == other_before
    assert res["node_pool"]["taints"] == [{"key": "dedicated", "value": "x", "effect": "NoSchedule"}]

    # scaling only: the same single PUT, count/min/max changed
    n = len(server.write_calls())
    pools.reconcile_node_pool(AksProvider(params), "z1", dict(desired, autoscaling={"enabled": True, "min": 1,
                                                                                    "max": 5, "desired": 2}),
                              wait_timeout=30)
    sent = writes(server, n)
    assert len(sent) == 1 and (sent[0]["body"]["properties"]["maxCount"], sent[0]["body"]["properties"]["count"]) == (5, 2)


def test_version_upgrade_is_read_modify_write_of_the_cluster(params, server):
    n = make_zone(params, server, [pool()])
    res = zones.reconcile_zone(AksProvider(params), zone(params, kubernetes_version="1.35"), wait_timeout=30)
    assert res["changed_fields"] == ["kubernetes_version"] and res["zone"]["kubernetes_version"] == "1.35"
    sent = writes(server, n)
    assert [(c["method"], c["path"].rsplit("/", 1)[-1]) for c in sent] == [("PUT", "z1")]
    props = sent[0]["body"]["properties"]
    assert props["kubernetesVersion"] == "1.35" and "agentPoolProfiles" not in props
    assert sent[0]["if_match"] is not None and sent[0]["body"]["location"] == "eastus"
    # skipping a minor version is refused by the service; the error carries its code
    zones.reconcile_zone(AksProvider(params), zone(params, name="z2", kubernetes_version="1.33"), wait_timeout=30)
    with pytest.raises(ApiError) as err:
        zones.reconcile_zone(AksProvider(params), zone(params, name="z2", kubernetes_version="1.35"), wait_timeout=30)
    assert err.value.code == "UpgradeNotAllowed" and err.value.status == 400


def test_refused_changes_and_bad_input_write_nothing(params, server):
    n = make_zone(params, server, [pool()])
    cases = [
        (lambda: pools.reconcile_node_pool(AksProvider(params), "z1", pool(instance_type="Standard_NC8as_T4_v3"),
                                           wait_timeout=30), "instance_type"),
        (lambda: pools.reconcile_node_pool(AksProvider(params), "z1", pool("gpu-t4"), wait_timeout=30), "name"),
        (lambda: zones.reconcile_zone(AksProvider(params), zone(params, name="z2", logging=["api"]),
                                      wait_timeout=30), "logging"),
        (lambda: zones.reconcile_zone(AksProvider(params), zone(params, name="z2", tags={"a/b": "c"}),
                                      wait_timeout=30), "tags.a/b"),
        (lambda: zones.reconcile_zone(AksProvider(params), zone(params, name="z2", networking={
            "endpoint_public_access": True, "endpoint_private_access": True}), wait_timeout=30),
         "networking.endpoint_private_access"),
    ]
    for call, field in cases:
        with pytest.raises(ValidationError) as err:
            call()
        assert err.value.field == field, err.value.msg
    assert writes(server, n) == []


def test_transient_errors_are_retried(params, server):
    make_zone(params, server)
    server.inject_error(429, "TooManyRequests", "Too many requests, retry later.", method="GET",
                        path="managedClusters/z1$", times=2)
    n = len(server.calls)
    assert AksProvider(params).get_zone("z1")["status"] == "Succeeded"
    assert [c["status"] for c in server.calls[n:]] == [429, 429, 200]


def test_kubeconfig_from_the_credentials_api(params, server, tmp_path):
    make_zone(params, server)
    dest = str(tmp_path / "kc")
    res = zones.reconcile_zone(AksProvider(params), zone(params), wait_timeout=30, kubeconfig_dest=dest)
    assert res["kubeconfig_changed"] and stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    with open(dest) as f:
        text = f.read()
    assert "clusterUser_%s_z1" % RG in text and "aks-double-user-token" in text
    assert "aks-double-user-token" not in repr(res)
    assert any(c["path"].endswith("/listClusterUserCredential") for c in server.calls)


def test_8x_a100_80gb_resolves_on_every_cloud_and_creates_the_azure_size(params, server):
    want = {"eks": "p4de.24xlarge", "aks": "Standard_ND96amsr_A100_v4", "gke": "a2-ultragpu-8g"}
    for provider, instance_type in want.items():
        desired = node_pool_desired({"name": "a100", "gpu": {"model": "A100-80GB", "count": 8}}, provider)
        assert desired["instance_type"] == instance_type and desired["type"] == "gpu-optimized"
    with pytest.raises(ValidationError) as err:
        node_pool_desired({"name": "a10g", "gpu": {"model": "A10G", "count": 1}}, "aks")
    assert err.value.field == "gpu.model" and "no instance type with GPU model A10G" in err.value.msg
    n = make_zone(params, server)
    desired = node_pool_desired({"name": "a100", "gpu": {"model": "A100-80GB", "count": 8}}, "aks")
    res = pools.reconcile_node_pool(AksProvider(params), "z1", desired, wait_timeout=30)
    assert res["node_pool"]["gpu"] == catalog.gpu_of(catalog.get("aks", "Standard_ND96amsr_A100_v4"))
    assert writes(server, n)[0]["body"]["properties"]["vmSize"] == "Standard_ND96amsr_A100_v4"


def test_module_fails_naming_quota_exceeded_and_never_logs_the_token(params, server, run_playbook):
    make_zone(params, server)
    server.fail_next_lro(code="QuotaExceeded", path="agentPools/a100")
    conn = dict((k, v) for k, v in params.items() if v is not None and k in PROVIDER_ARGS)
    env = {}
    if "ca_bundle" not in PROVIDER_ARGS:
        env["REQUESTS_CA_BUNDLE"] = server.ca_bundle_path
    task = dict(conn, zone="z1", name="a100", gpu={"model": "A100-80GB", "count": 8}, wait_timeout=30)
    res = run_playbook([{"hosts": "localhost", "gather_facts": False,
                         "tasks": [{"name": "pool", "aizone.platform.node_pool": task, "ignore_errors": True}]}],
                       env=env)
    out = res.task("pool")
    assert out["failed"] and out["code"] == "QuotaExceeded", res.output[-3000:]
    assert "QuotaExceeded" in out["msg"]
    assert TOKEN not in res.output


def test_stop_keeps_the_zone_and_start_brings_it_back(params, server):
    make_zone(params, server, [pool()])
    n = len(server.write_calls())
    res = zones.reconcile_zone(AksProvider(params), zone(params), state="stopped", wait_timeout=30)
    assert res["changed"] and res["zone"]["status"] == "STOPPED"
    assert [(c["method"], c["path"].rsplit("/", 1)[-1]) for c in writes(server, n)] == [("POST", "stop")]
    n = len(server.write_calls())
    assert not zones.reconcile_zone(AksProvider(params), zone(params), state="stopped", wait_timeout=30)["changed"]
    assert writes(server, n) == []
    res = zones.reconcile_zone(AksProvider(params), zone(params), wait_timeout=30)
    assert res["changed"] and res["zone"]["status"] == "Succeeded"
    assert [(c["method"], c["path"].rsplit("/", 1)[-1]) for c in writes(server, n)] == [("POST", "start")]
