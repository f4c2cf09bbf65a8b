"""KWOK nodes of a test node pool, made the way the local provider makes pool nodes.

Each node carries aizone.io/node-pool=<pool>, GPU capacity and the given
taints plus one taint unique to the pool, so pods of other tests never land
on these nodes and only pods that derived their tolerations from the pool do.
"""

import uuid


def make_pool(core, prefix, count=2, gpus=2, taints=(), gpu_model="A100-80GB", resources=None, labels=None):
    """Create count nodes of a new pool; returns (pool name, node names, unique taint key).

    resources: the GPU resources each node publishes (default {nvidia.com/gpu: gpus}); labels: more labels."""
    from kubernetes import client
    pool = "%s-%s" % (prefix, uuid.uuid4().hex[:5])
    unique = "aizone.io/test-pool-%s" % pool
    names = []
    for i in range(count):
        name = "%s-%d" % (pool, i)
        capacity = dict({"cpu": "32", "memory": "256Gi", "pods": "110"},
                        **(resources if resources is not None else {"nvidia.com/gpu": str(gpus)}))
        node_taints = [client.V1Taint(key=t["key"], value=t.get("value"), effect=t["effect"]) for t in taints]
        node_taints.append(client.V1Taint(key=unique, effect="NoSchedule"))
        core.create_node(client.V1Node(
            metadata=client.V1ObjectMeta(
                name=name, annotations={"kwok.x-k8s.io/node": "fake"},
                labels=dict({"aizone.io/node-pool": pool, "aizone.io/node-pool-type": "gpu-optimized",
                             "aizone.io/gpu-model": gpu_model, "nvidia.com/gpu.count": str(gpus)}, **(labels or {}))),
            spec=client.V1NodeSpec(taints=node_taints),
            status=client.V1NodeStatus(capacity=capacity, allocatable=dict(capacity))))
        names.append(name)
    return pool, names, unique


def delete_nodes(core, names):
    from kubernetes.client.exceptions import ApiException
    for name in names:
        try:
            core.delete_node(name)
        except ApiException as exc:
            if exc.status != 404:
                raise
