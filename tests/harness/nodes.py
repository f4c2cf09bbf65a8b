"""Node objects as the API server returns them, for tests of placement without a server."""

#: A node of pool "gpu" with the pool's taint and a condition taint the lifecycle controller set.
GPU_NODE = {"metadata": {"name": "gpu-0", "labels": {"aizone.io/node-pool": "gpu"}},
            "spec": {"taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},
                                {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]}}
#: Another node of pool "gpu", with a second taint of the pool's own.
GPU_NODE_2 = {"metadata": {"name": "gpu-1", "labels": {"aizone.io/node-pool": "gpu"}},
              "spec": {"taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},
                                  {"key": "aizone.io/dedicated", "effect": "NoExecute"}]}}
