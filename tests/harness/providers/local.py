"""Local harness for the provider contract suite: a zone of its own on a fresh local control plane.

The suite creates and deletes the zone itself, so it gets a control plane
that no other test writes to, and write calls are counted from that
kube-apiserver's apiserver_request_total: writes (POST/PUT/PATCH/DELETE/APPLY)
to nodes and configmaps, except the status subresource (the KWOK controller
writes node status). Zone writes on the local provider are the control
plane itself (created, started, stopped, deleted) and its settings file; a
change of either counts as one write.
"""

import os
import re
import subprocess
import time

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane

NAME = "local"
MARKS = [pytest.mark.controlplane]
ZONE = "contract-local"
WRITE_VERBS = ("POST", "PUT", "PATCH", "DELETE", "APPLY", "DELETECOLLECTION")
_METRIC = re.compile(r'^apiserver_request_total\{([^}]*)\} ([0-9.e+]+)$')
_LABEL = re.compile(r'(\w+)="([^"]*)"')


class LocalHarness(object):
    def __init__(self, controlplane):
        self.bin_dir = controlplane.bin_dir
        self.plane = LocalControlPlane(ZONE, bin_dir=self.bin_dir)
        self.module_params = {"provider": NAME, "binaries_dir": self.bin_dir}
        self.zone_spec = {
            "name": ZONE,
            "region": "local-1",
            "zone_type": "dedicated",
            "logging": ["api", "audit"],
            "tags": {"team": "ml", "env": "contract"},
            "wait_timeout": 180,
        }
        self.zone_update = {"tags": {"team": "research"}, "logging": ["audit"]}
        self.node_pool_spec = {
            "name": "gpu-a100",
            "type": "gpu-optimized",
            "gpu": {"model": "A100-80GB", "count": 8},
            "autoscaling": {"enabled": True, "min": 0, "max": 4, "desired": 2},
            "labels": {"team": "ml"},
            "taints": [],
            "capacity_type": "spot",
            "disk_size_gb": 200,
        }
        self._base = None
        self.plane.delete()  # a leftover from an interrupted run
        self.reset_counts()

    # counting ----------------------------------------------------------
    def _writes(self):
        if not self.plane.exists() or not self.plane.running():
            return 0
        proc = subprocess.run([os.path.join(self.bin_dir, "kubectl"), "--kubeconfig", self.plane.kubeconfig_path,
                               "get", "--raw", "/metrics"], capture_output=True, text=True, check=True)
        total = 0
        for line in proc.stdout.splitlines():
            match = _METRIC.match(line)
            if not match:
                continue
            labels = dict(_LABEL.findall(match.group(1)))
            if (labels.get("verb") in WRITE_VERBS and labels.get("resource") in ("nodes", "configmaps")
                    and not labels.get("subresource")):
                total += int(float(match.group(2)))
        return total

    def _zone_state(self):
        meta = os.path.join(self.plane.cluster_dir, "aizone-zone.json")
        try:
            with open(meta) as handle:
                text = handle.read()
            stamp = os.stat(meta).st_mtime_ns
        except OSError:
            text, stamp = None, None
        return (self.plane.exists(), self.plane.server() if self.plane.exists() else None, text, stamp)

    def reset_counts(self):
        # Controllers still reacting to the previous run (kube-root-ca.crt config maps,
        # node taints) write to the same resources: take the baseline once they are quiet.
        writes, deadline = self._writes(), time.time() + 20
        while time.time() < deadline:
            time.sleep(1.0)
            now = self._writes()
            if now == writes:
                break
            writes = now
        self._base = (self._zone_state(), writes)

    def write_calls(self):
        zone_before, api_before = self._base
        zone_now = self._zone_state()
        api_now = self._writes()
        if zone_now[:2] != zone_before[:2]:
            # a new control plane: its counters started from zero
            return 1 + api_now
        return (zone_now != zone_before) + (api_now - api_before)

    def cleanup(self):
        self.plane.delete()


def make_harness(request):
    return LocalHarness(request.getfixturevalue("controlplane"))
