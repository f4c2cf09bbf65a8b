"""What the AKS and GKE provider tests share: their options, desired shapes and set-up against a loopback double.

Provider-level tests drive a provider through the reconciler in the test
process, a fresh provider object per "run" (as each module run is a new
process); what was sent is read from the double's call log.
"""

from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.zones import pools as node_pools, reconcile as zones
from ansible_collections.aizone.platform.plugins.module_utils.zones.spec import node_pool_desired, zone_desired

ZONE = "z1"


def provider_params(**values):
    """Every provider-connection option (unset ones None), as a module passes them."""
    out = dict((key, None) for key in PROVIDER_ARGS)
    out.update(values)
    return out


def zone(params, name=ZONE, **over):
    """A validated desired zone: tagged team=ml, Kubernetes 1.34."""
    spec = dict(params, name=name, tags={"team": "ml"}, kubernetes_version="1.34")
    spec.update(over)
    return zone_desired(spec)


def pool(provider, default_type, name="gpu", **over):
    """A validated desired spot pool (of default_type unless over says), autoscaling 1..3, labelled team=ml."""
    spec = {"name": name, "instance_type": default_type, "labels": {"team": "ml"},
            "autoscaling": {"enabled": True, "min": 1, "max": 3, "desired": 1}, "capacity_type": "spot"}
    spec.update(over)
    return node_pool_desired(spec, provider)


def make_zone(provider_class, params, server, pools=()):
    """Create zone z1 with pools through the reconciler; the number of write calls the double has seen."""
    zones.reconcile_zone(provider_class(params), zone(params), wait_timeout=30)
    for desired in pools:
        node_pools.reconcile_node_pool(provider_class(params), ZONE, desired, wait_timeout=30)
    return len(server.write_calls())


class DoubleCase(object):
    """One cloud over its loopback double, for the tests both clouds share (test_cloud_doubles.py)."""

    def __init__(self, name, provider_class, server_class, instance_type, connection, failure, pool_path, busy_status,
                 waiting_text, ready_status):
        self.name = name
        self.provider_class = provider_class
        self.server_class = server_class
        self.instance_type = instance_type
        self.connection = connection          # server -> connection options
        self.failure = failure                # (error code the double fails with, a word of its message)
        self.pool_path = pool_path            # how the pool's PUT path ends
        self.busy_status = busy_status        # what the double answers a write while an operation runs
        self.waiting_text = waiting_text      # in a timed-out wait's message, while the operation runs
        self.ready_status = ready_status      # a ready pool's status

    def params(self, server):
        return provider_params(**self.connection(server))

    def pool(self, name="gpu", **over):
        return pool(self.name, self.instance_type, name, **over)


def cases():
    """The AKS and GKE cases (imported here: the SDKs load only when the tests run)."""
    from doubles.aks_server import AksServer
    from doubles.gke_server import GkeServer
    from ansible_collections.aizone.platform.plugins.module_utils.providers.aks import AksProvider
    from ansible_collections.aizone.platform.plugins.module_utils.providers.gke import GkeProvider
    return [
        DoubleCase("aks", AksProvider, AksServer, "Standard_NC4as_T4_v3",
                   lambda srv: dict(provider="aks", region="eastus", endpoint_url=srv.endpoint,
                                    azure_subscription_id="00000000-0000-4000-8000-0000000000a5",
                                    azure_resource_group="aizone-test", azure_access_token="aks-test-token",
                                    ca_bundle=srv.ca_path),
                   ("QuotaExceeded", "standardNDAMSv4Family"), "/agentPools/gpu", 409, "InProgress", "Succeeded"),
        DoubleCase("gke", GkeProvider, GkeServer, "g2-standard-4",
                   lambda srv: dict(provider="gke", region="us-central1", endpoint_url=srv.endpoint,
                                    gcp_project="aizone-test", gcp_access_token="gke-test-token"),
                   ("RESOURCE_EXHAUSTED", "NVIDIA_A100_80GB_GPUS"), "/nodePools/gpu", 400,
                   "(create node pool z1/gpu): RUNNING", "RUNNING"),
    ]
