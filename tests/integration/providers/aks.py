"""AKS harness for the provider contract suite: the loopback ARM test double.

The double (tests/doubles/aks_server.py) runs in the pytest process and
serves https with a self-signed certificate made at start, so the SDK's real
bearer-token policy stays on. The modules (separate processes started by
ansible-playbook) trust it through ``ca_bundle`` when the connection options
have it, else through REQUESTS_CA_BUNDLE pointing at the public CAs plus the
double's certificate. Write calls are counted from the double's own call log
(PUT/PATCH/DELETE/POST, credential listing excluded), whoever sent them.
"""

import os

from doubles.aks_server import AksServer

from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS

NAME = "aks"
SUBSCRIPTION = "00000000-0000-4000-8000-00000000c0de"
RESOURCE_GROUP = "aizone-contract"
SUBNET = ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/virtualNetworks/zone/subnets/nodes"
          % (SUBSCRIPTION, RESOURCE_GROUP))


class AksHarness(object):
    def __init__(self):
        self.server = AksServer(lro_seconds=0.3).start()
        self._saved_env = os.environ.get("REQUESTS_CA_BUNDLE")
        self.module_params = {
            "provider": NAME,
            "region": "eastus",
            "endpoint_url": self.server.endpoint,
            "azure_subscription_id": SUBSCRIPTION,
            "azure_resource_group": RESOURCE_GROUP,
            # passed as an option so its no_log is exercised
            "azure_access_token": "aks-contract-token-do-not-log",
        }
        if "ca_bundle" in PROVIDER_ARGS:
            self.module_params["ca_bundle"] = self.server.ca_path
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = self.server.ca_bundle_path
        self.zone_spec = {
            "name": "contract-aks",
            "kubernetes_version": "1.34",
            "zone_type": "dedicated",
            "networking": {"subnets": [SUBNET], "security_groups": [],
                           "endpoint_public_access": True, "endpoint_private_access": False},
            "logging": [],
            "tags": {"team": "ml", "env": "contract"},
            "wait_timeout": 60,
        }
        # tags only: AKS sends them as one PATCH (update_tags)
        self.zone_update = {"tags": {"team": "research"}}
        self.node_pool_spec = {
            "name": "gput4",
            "type": "gpu-optimized",
            "instance_type": "Standard_NC4as_T4_v3",
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
        if "ca_bundle" not in PROVIDER_ARGS:
            if self._saved_env is None:
                os.environ.pop("REQUESTS_CA_BUNDLE", None)
            else:
                os.environ["REQUESTS_CA_BUNDLE"] = self._saved_env


def make_harness(request):
    return AksHarness()
