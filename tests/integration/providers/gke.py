"""GKE harness for the provider contract suite: the loopback container.googleapis.com test double.

The double (tests/doubles/gke_server.py) runs in the pytest process on plain
http (the SDK's REST transport takes an http api_endpoint). Write calls are
counted from the double's call log (every non-GET request), whoever sent them.
"""

import os

from doubles.gke_server import GkeServer

from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS

NAME = "gke"
TOKEN = "gke-contract-token-do-not-log"


class GkeHarness(object):
    def __init__(self):
        self.server = GkeServer(op_seconds=0.3).start()
        self._saved_env = os.environ.get("GOOGLE_OAUTH_ACCESS_TOKEN")
        self.module_params = {
            "provider": NAME,
            "region": "us-central1",
            "endpoint_url": self.server.endpoint,
            "gcp_project": "aizone-contract",
        }
        if "gcp_access_token" in PROVIDER_ARGS:
            self.module_params["gcp_access_token"] = TOKEN
        else:
            os.environ["GOOGLE_OAUTH_ACCESS_TOKEN"] = TOKEN
        self.zone_spec = {
            "name": "contract-gke",
            "kubernetes_version": "1.34",
            "zone_type": "dedicated",
            "networking": {"subnets": [], "security_groups": [],
                           "endpoint_public_access": True, "endpoint_private_access": False},
            "logging": ["api"],
            "tags": {"team": "ml", "env": "contract"},
            "wait_timeout": 60,
        }
        # two GKE operations, one after the other: set_labels, then update_cluster(logging)
        self.zone_update = {"tags": {"team": "research"}, "logging": ["api", "scheduler"]}
        self.node_pool_spec = {
            "name": "gpu-l4",
            "type": "gpu-optimized",
            "instance_type": "g2-standard-4",
            "autoscaling": {"enabled": True, "min": 1, "max": 3, "desired": 1},
            "labels": {"team": "ml"},
            "taints": [],
            "capacity_type": "spot",
            "disk_size_gb": 100,
        }
        self._mark = 0

    def write_calls(self):
        return len(self.server.write_calls()) - self._mark

    def reset_counts(self):
        self._mark = len(self.server.write_calls())

    def cleanup(self):
        self.server.stop()
        if "gcp_access_token" not in PROVIDER_ARGS:
            if self._saved_env is None:
                os.environ.pop("GOOGLE_OAUTH_ACCESS_TOKEN", None)
            else:
                os.environ["GOOGLE_OAUTH_ACCESS_TOKEN"] = self._saved_env


def make_harness(request):
    return GkeHarness()
