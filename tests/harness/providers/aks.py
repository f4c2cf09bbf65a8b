"""AKS harness for the provider contract suite: the loopback ARM test double.

The double (tests/doubles/aks_server.py) runs in the pytest process and
serves https with a self-signed certificate made at start, so the SDK's real
bearer-token policy stays on. The modules (separate processes started by
ansible-playbook) trust it through ``ca_bundle``. Write calls are counted
from the double's own call log (PUT/PATCH/DELETE/POST, credential listing
excluded).
"""

from doubles.aks_server import AksServer
from harness.providers._double import DoubleHarness, contract_pool, contract_zone

NAME = "aks"
SUBSCRIPTION = "00000000-0000-4000-8000-00000000c0de"
RESOURCE_GROUP = "aizone-contract"
SUBNET = ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/virtualNetworks/zone/subnets/nodes"
          % (SUBSCRIPTION, RESOURCE_GROUP))


def make_harness(request):
    server = AksServer(lro_seconds=0.3).start()
    params = {
        "provider": NAME,
        "region": "eastus",
        "endpoint_url": server.endpoint,
        "azure_subscription_id": SUBSCRIPTION,
        "azure_resource_group": RESOURCE_GROUP,
        # passed as an option so its no_log is exercised
        "azure_access_token": "aks-contract-token-do-not-log",
        "ca_bundle": server.ca_path,
    }
    # tags only: AKS sends them as one PATCH (update_tags)
    return DoubleHarness(server, params, contract_zone("contract-aks", [SUBNET], []), {"tags": {"team": "research"}},
                         contract_pool("gput4", "Standard_NC4as_T4_v3"))
