"""site.yml on an empty local zone through a proxy that fails a seeded share of the API server's requests (429 with
Retry-After, 500, 503, connections dropped before the server acts or after it acted): at 10% the faulted run
converges by itself, and the fault-free run after is changed=0 with every Deployment ready. bench/faults.py runs
the same over 10 seeds at 10% and 30% (where a failed run must be repaired by the next), and the kill tests.

The zone is its own, not the test zone: this test runs in the half of make test without a control plane (it
would make the other half longer than the whole)."""

import pytest

from harness.faultproxy import FaultProxy
from harness.site import Site

pytestmark = pytest.mark.slow

ZONE = "aizone-faults"


def _zone_dir(zone):
    from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane
    return LocalControlPlane(zone).cluster_dir


@pytest.fixture
def site(tmp_path):
    zone = Site(tmp_path, ZONE)
    zone.delete()
    yield zone
    zone.delete()


def _converged(site, proxy):
    """The fault-free run after: changed=0, and every workload's pods Running (nothing missing, nothing twice)."""
    proxy.enabled = False
    again = site.run(env={"AIZONE_ENDPOINT_URL": proxy.url})
    assert again.rc == 0 and again.changed == [], (again.changed, again.output[-3000:])
    from kubernetes import client, config
    apps = client.AppsV1Api(config.new_client_from_config(config_file=site.kubeconfig))
    deployments = [d for d in apps.list_deployment_for_all_namespaces().items
                   if d.metadata.namespace not in ("kube-system",)]
    assert deployments and all((d.status.ready_replicas or 0) == d.spec.replicas for d in deployments), [
        (d.metadata.namespace, d.metadata.name, d.status.ready_replicas, d.spec.replicas) for d in deployments]


def test_site_converges_in_the_faulted_run_at_10_percent(site):
    with FaultProxy.for_zone(_zone_dir(ZONE), rate=0.10, seed=1) as proxy:
        faulted = site.run(env={"AIZONE_ENDPOINT_URL": proxy.url})
        counts = dict(proxy.counts)
        assert faulted.rc == 0, (counts, faulted.output[-4000:])
        assert sum(counts.get(f, 0) for f in ("429", "500", "503", "drop-before", "drop-after")) >= 20, counts
        _converged(site, proxy)
