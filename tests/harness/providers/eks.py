"""EKS harness for the provider contract suite: moto in server mode behind a counting proxy.

The modules get ``endpoint_url`` = the proxy, which forwards to the session's
moto server (the ``moto_endpoint`` fixture) and records every request with
its EKS operation name (see tests/doubles/counting_proxy.py). A write call is
any operation that is not Describe*/List*/Get*, whichever process sent it.

moto keeps its state per process and per region, shared by every server in
the process, so the harness does not reset moto (that would wipe what other
tests hold): it works in its own region and cleanup() deletes what it made.
"""

from doubles.counting_proxy import CountingProxy

NAME = "eks"
REGION = "eu-west-1"
ACCOUNT = "123456789012"
CLUSTER_ROLE = "arn:aws:iam::%s:role/aizone-contract-cluster" % ACCOUNT
NODE_ROLE = "arn:aws:iam::%s:role/aizone-contract-node" % ACCOUNT


class EksHarness(object):
    def __init__(self, moto_endpoint):
        self.moto_endpoint = moto_endpoint
        self.proxy = CountingProxy(moto_endpoint).start()
        self.module_params = {
            "provider": NAME,
            "region": REGION,
            "endpoint_url": self.proxy.url,
            # passed as options (not only env) so no_log of the secret is exercised
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing-secret-do-not-log",
            "eks_cluster_role_arn": CLUSTER_ROLE,
            "eks_node_role_arn": NODE_ROLE,
        }
        networking = {"subnets": ["subnet-0a1b2c3d", "subnet-1a2b3c4d"],
                      "security_groups": ["sg-0123456789abcdef0"],
                      "endpoint_public_access": True, "endpoint_private_access": False}
        self.zone_spec = {
            "name": "contract-eks",
            "kubernetes_version": "1.31",
            "zone_type": "dedicated",
            "networking": networking,
            "logging": ["api", "audit"],
            "tags": {"team": "ml", "env": "contract"},
            "wait_timeout": 60,
        }
        self.zone_update = {
            # a changed value and a removed key (TagResource + UntagResource), and an
            # endpoint access change (UpdateClusterConfig) that keeps the subnets
            "tags": {"team": "research"},
            "networking": dict(networking, endpoint_private_access=True),
        }
        self.node_pool_spec = {
            "name": "gpu-a10g",
            "type": "gpu-optimized",
            "instance_type": "g5.xlarge",
            "autoscaling": {"enabled": True, "min": 1, "max": 3, "desired": 1},
            "labels": {"team": "ml"},
            "taints": [],
            "capacity_type": "spot",
            "disk_size_gb": 100,
        }

    def write_calls(self):
        return self.proxy.write_calls()

    def reset_counts(self):
        self.proxy.reset()

    def cleanup(self):
        delete_region_clusters(self.moto_endpoint, REGION, prefix="contract-")
        self.proxy.stop()


def delete_region_clusters(endpoint, region, prefix=""):
    """Delete (node groups first) every cluster named prefix* in region, straight on moto."""
    import boto3
    eks = boto3.client("eks", region_name=region, endpoint_url=endpoint,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    for name in eks.list_clusters().get("clusters", []):
        if not name.startswith(prefix):
            continue
        for ng in eks.list_nodegroups(clusterName=name).get("nodegroups", []):
            eks.delete_nodegroup(clusterName=name, nodegroupName=ng)
        eks.delete_cluster(name=name)


def make_harness(request):
    return EksHarness(request.getfixturevalue("moto_endpoint"))
