"""The cloud providers under faults: between the modules and each cloud's double, a proxy fails 10% of the requests
(tests/harness/faultproxy.py: 429 with Retry-After, 500, 503, the connection dropped before the double acted or
after it did - a lost answer), and the first two writes (the cluster's and the node group's creates) always lose
their answer. Zone and pool creates converge in the faulted run itself, the cloud holds one cluster and one node
group, and a fault-free run after is changed=0. Seeded; three seeds a cloud."""

import types

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.providers import get_provider, options_with_env
from harness.contract import PARAMS, pool_task, run, start_harness, zone_task
from harness.faultproxy import FAULTS, FaultProxy

CLOUDS = [p for p in PARAMS if p.id in ("eks", "aks", "gke")]


@pytest.fixture(scope="module", params=CLOUDS)
def harness(request):
    return start_harness(request)


def _through(h, proxy):
    """The harness as the modules see it through the proxy."""
    return types.SimpleNamespace(module_params=dict(h.module_params, endpoint_url=proxy.url), zone_spec=h.zone_spec,
                                 reset_counts=h.reset_counts, write_calls=h.write_calls)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_creates_converge_under_faults_without_duplicates(harness, run_playbook, seed):
    h = harness
    server = getattr(h, "server", None)
    proxy = FaultProxy.for_url(h.module_params["endpoint_url"], rate=0.10, seed=seed,
                               cert=getattr(server, "ca_path", None), key=getattr(server, "key_path", None))
    proxy.lose_writes = 2
    proxy.start()
    try:
        faulted = _through(h, proxy)
        create = [zone_task(faulted, h.zone_spec), pool_task(faulted, h.node_pool_spec)]
        try:
            res, _writes = run(run_playbook, faulted, create)
        except AssertionError:
            print("requests through the proxy: %s" % [entry[1:] for entry in proxy.log])
            raise
        injected = dict((f, proxy.counts.get(f, 0)) for f in FAULTS)
        print("seed %d: %d requests, injected %s" % (seed, proxy.counts["requests"], injected))
        assert res.task("zone")["changed"] and res.task("pool")["changed"]
        proxy.enabled = False
        again, writes = run(run_playbook, faulted, create)
        assert not again.task("zone")["changed"] and not again.task("pool")["changed"] and writes == 0
    finally:
        proxy.stop()
    provider = get_provider(h.module_params["provider"], options_with_env(h.module_params))
    assert [z["name"] for z in provider.list_zones()].count(h.zone_spec["name"]) == 1
    assert list(provider.list_node_pools(h.zone_spec["name"])) == [h.node_pool_spec["name"]]
    gone = [pool_task(h, h.node_pool_spec, state="absent"), zone_task(h, h.zone_spec, state="absent")]
    run(run_playbook, h, gone)
