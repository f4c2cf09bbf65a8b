"""The three clouds over their loopback doubles with operation latencies (doubles/latency.py).

What tests/integration/providers/test_node_pools_parallel.py and bench/node_pools.py share:
the doubles started with durations by kind, the connection options a module or provider gets,
and the platform design's four pools (CPU, A100 shared, A100 MIG, H100) for each cloud, the GPU
pools by model and count so each cloud resolves its own instance type.
"""

import os
import sys

from doubles.latency import Latencies

CLOUDS = ("eks", "aks", "gke")
CPU_TYPES = {"eks": "c5.4xlarge", "aks": "Standard_F16s_v2", "gke": "c2-standard-16", "local": "c5.4xlarge"}
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
EKS_ROLE = "arn:aws:iam::123456789012:role/aizone-bench"


def design_pools(cloud, desired=1):
    """The platform design's four pools as node_pool options (name, instance type or GPU, size, taints)."""
    scaling = {"enabled": True, "min": 0, "max": 4, "desired": desired}
    gpu = [("a100-shared", "A100-SXM4-40GB"), ("a100-mig", "A100-80GB"), ("h100", "H100-80GB")]
    pools = [{"name": "cpu", "instance_type": CPU_TYPES[cloud], "autoscaling": dict(scaling),
              "labels": {"workload-class": "general"}}]
    for name, model in gpu:
        pools.append({"name": name.replace("-", "") if cloud == "aks" else name, "gpu": {"model": model, "count": 8},
                      "autoscaling": dict(scaling), "taints": [dict(GPU_TAINT)], "labels": {"workload-class": "gpu"}})
    return pools


class TimedCloud(object):
    """One cloud double, started; params are the module's connection options."""

    def __init__(self, name, params, double, stop, describe=""):
        self.name, self.params, self.double, self._stop, self.describe = name, params, double, stop, describe

    def stop(self):
        self._stop()


def _eks(latencies, moto_endpoint, region):
    from doubles.counting_proxy import CountingProxy
    from doubles.eks_timeline import EksTimeline
    proxy = CountingProxy(moto_endpoint).start()
    proxy.timeline = EksTimeline(latencies)
    params = {"provider": "eks", "region": region, "endpoint_url": proxy.url, "aws_access_key_id": "testing",
              "aws_secret_access_key": "testing", "eks_cluster_role_arn": EKS_ROLE, "eks_node_role_arn": EKS_ROLE}
    return TimedCloud("eks", params, proxy, proxy.stop, describe="moto behind the EKS timeline")


def _aks(latencies):
    from doubles.aks_server import AksServer
    server = AksServer(latencies=latencies).start()
    params = {"provider": "aks", "region": "eastus", "endpoint_url": server.endpoint,
              "azure_subscription_id": "00000000-0000-4000-8000-00000000be0c", "azure_resource_group": "aizone-bench",
              "azure_access_token": "aks-bench-token", "ca_bundle": server.ca_path}
    return TimedCloud("aks", params, server, server.stop, describe="the ARM double")


def _gke(latencies):
    from doubles.gke_server import GkeServer
    server = GkeServer(latencies=latencies).start()
    params = {"provider": "gke", "region": "us-central1", "endpoint_url": server.endpoint,
              "gcp_project": "aizone-bench", "gcp_access_token": "gke-bench-token"}
    return TimedCloud("gke", params, server, server.stop, describe="the container.googleapis.com double")


def start(cloud, latencies=None, moto_endpoint=None, region="eu-north-1"):
    """A started TimedCloud; EKS needs a moto server's endpoint."""
    latencies = latencies or Latencies.realistic()
    if cloud == "eks":
        return _eks(latencies, moto_endpoint, region)
    return {"aks": _aks, "gke": _gke}[cloud](latencies)


def zone_spec(cloud, name):
    """zone options for a zone of this cloud (its networking as each double accepts it)."""
    spec = {"name": name, "kubernetes_version": "1.34" if cloud != "eks" else "1.31", "zone_type": "dedicated",
            "tags": {"team": "bench"}}
    if cloud == "eks":
        spec["networking"] = {"subnets": ["subnet-0a1b2c3d", "subnet-1a2b3c4d"], "security_groups": [],
                              "endpoint_public_access": True, "endpoint_private_access": False}
    return spec


def moto_server():
    """A moto server on loopback for a process with no pytest fixture (benchmarks); (endpoint, stop)."""
    import logging
    from moto.server import ThreadedMotoServer
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on the benchmark's output
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return "http://%s:%d" % (host, port), server.stop


def import_path():
    """Make tests/ importable (doubles, harness) for a script outside pytest."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if here not in sys.path:
        sys.path.insert(0, here)
