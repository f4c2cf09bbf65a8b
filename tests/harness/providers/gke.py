"""GKE harness for the provider contract suite: the loopback container.googleapis.com test double.

The double (tests/doubles/gke_server.py) runs in the pytest process on plain
http (the SDK's REST transport takes an http api_endpoint). Write calls are
counted from the double's call log (every non-GET request).
"""

from doubles.gke_server import GkeServer
from harness.providers._double import DoubleHarness, contract_pool, contract_zone

NAME = "gke"


def make_harness(request):
    server = GkeServer(op_seconds=0.3).start()
    params = {
        "provider": NAME,
        "region": "us-central1",
        "endpoint_url": server.endpoint,
        "gcp_project": "aizone-contract",
        "gcp_access_token": "gke-contract-token-do-not-log",
    }
    # two GKE operations, one after the other: set_labels, then update_cluster(logging)
    return DoubleHarness(server, params, contract_zone("contract-gke", [], ["api"]),
                         {"tags": {"team": "research"}, "logging": ["api", "scheduler"]},
                         contract_pool("gpu-l4", "g2-standard-4"))
