"""What the harnesses over a loopback cloud double (aks, gke) share.

Writes are counted from the double's own call log, whoever sent them, so
"the second run made no write call" is checked where the calls arrive.
"""

import os


class DoubleHarness(object):
    """A contract-suite harness over a started double; env: variables set for the run, restored at cleanup."""

    def __init__(self, server, module_params, zone_spec, zone_update, node_pool_spec, env=None):
        self.server = server
        self.module_params = module_params
        self.zone_spec = zone_spec
        self.zone_update = zone_update
        self.node_pool_spec = node_pool_spec
        self._saved_env = dict((k, os.environ.get(k)) for k in env or {})
        os.environ.update(env or {})
        self._mark = 0

    def write_calls(self):
        return len(self.server.write_calls()) - self._mark

    def reset_counts(self):
        self._mark = len(self.server.write_calls())

    def cleanup(self):
        self.server.stop()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def contract_zone(name, subnets, logging, **extra):
    """The zone_spec of a double's contract run."""
    spec = {"name": name, "kubernetes_version": "1.34", "zone_type": "dedicated",
            "networking": {"subnets": subnets, "security_groups": [],
                           "endpoint_public_access": True, "endpoint_private_access": False},
            "logging": logging, "tags": {"team": "ml", "env": "contract"}, "wait_timeout": 60}
    spec.update(extra)
    return spec


def contract_pool(name, instance_type):
    """The node_pool_spec of a double's contract run: a spot GPU pool."""
    return {"name": name, "type": "gpu-optimized", "instance_type": instance_type,
            "autoscaling": {"enabled": True, "min": 1, "max": 3, "desired": 1},
            "labels": {"team": "ml"}, "taints": [], "capacity_type": "spot", "disk_size_gb": 100}
