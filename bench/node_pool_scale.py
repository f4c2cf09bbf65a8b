#!/usr/bin/env python
"""Grow one local GPU node pool to 500 nodes; print the time and the API requests it took.

Runs the same code path as the node_pool module (zones/spec -> zones/reconcile.reconcile_node_pool
-> the local provider), in-process, on a zone of its own (created here and
deleted at the end, unless --keep). Figures printed:
- wall time of the grow (create the missing nodes, then wait until all are Ready),
- requests this process sent, by HTTP method,
- kube-apiserver's apiserver_request_total delta over the grow, all clients
  (the KWOK controller's node status and lease writes included), by verb/resource,
- the same for a second, no-change run (idempotence: reads only);
- then GPU sharing on that pool (gpu/sharing.converge, what the gpu_sharing module calls): time-slicing
  replicas changed on every node, once with the nodes patched one after another (1 worker) and once side
  by side (gpu/sharing.NODE_WORKERS), the same number of requests either way.

Usage: AIZONE_CONTROLPLANE_BIN=... .venv/bin/python bench/node_pool_scale.py [--nodes 500] [--keep]
"""

import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))

from ansible_collections.aizone.platform.plugins.module_utils.gpu import sharing  # noqa: E402
from ansible_collections.aizone.platform.plugins.module_utils.zones import pools, reconcile as zones, spec as zone_spec  # noqa: E402
from ansible_collections.aizone.platform.plugins.module_utils.providers import (  # noqa: E402
    PROVIDER_ARGS, get_provider)

ZONE = "bench-scale"
_METRIC = re.compile(r'^apiserver_request_total\{([^}]*)\} ([0-9.e+]+)$')
_LABEL = re.compile(r'(\w+)="([^"]*)"')


def apiserver_counts(plane, bin_dir):
    out = subprocess.run([os.path.join(bin_dir, "kubectl"), "--kubeconfig", plane.kubeconfig_path,
                          "get", "--raw", "/metrics"], capture_output=True, text=True, check=True).stdout
    counts = {}
    for line in out.splitlines():
        match = _METRIC.match(line)
        if match:
            labels = dict(_LABEL.findall(match.group(1)))
            key = (labels.get("verb"), labels.get("resource") + ("/" + labels["subresource"]
                                                                 if labels.get("subresource") else ""))
            counts[key] = counts.get(key, 0) + int(float(match.group(2)))
    return counts


def delta(before, after):
    out = dict((k, v - before.get(k, 0)) for k, v in after.items())
    out[("GET", "")] = out.get(("GET", ""), 0)
    return dict((k, v) for k, v in out.items() if v > 0 and k[1])


def show(title, seconds, ours, server):
    print("%s: %.1f s" % (title, seconds))
    print("  requests sent by the provider: %d %s" % (sum(ours.values()), dict(sorted(ours.items()))))
    print("  apiserver_request_total delta, all clients: %d" % sum(server.values()))
    for (verb, resource), n in sorted(server.items(), key=lambda kv: -kv[1])[:10]:
        print("    %-8s %-28s %d" % (verb, resource, n))


def gpu_sharing(plane, bin_dir):
    """Time-slicing replicas changed on every node of the pool, with 1 worker and then NODE_WORKERS."""
    side_by_side = sharing.NODE_WORKERS
    for workers, replicas in ((1, 4), (side_by_side, 2), (1, 4), (side_by_side, 2)):
        sharing.NODE_WORKERS = workers
        pool = {"name": "gpu", "mode": "time_slicing", "time_slicing": {"replicas": replicas}}
        before = apiserver_counts(plane, bin_dir)
        start = time.time()
        result = sharing.converge({"kubeconfig": plane.kubeconfig_path, "node_pools": [pool]})
        seconds = time.time() - start
        nodes = result["node_pools"][0].get("nodes") or []
        show("gpu_sharing: time-slicing x%d on %d nodes, %d worker(s) (changed=%s)" % (
            replicas, len(nodes), workers, result["changed"]), seconds, result["requests"],
            delta(before, apiserver_counts(plane, bin_dir)))
    sharing.NODE_WORKERS = side_by_side


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the zone afterwards")
    args = parser.parse_args()
    bin_dir = os.environ.get("AIZONE_CONTROLPLANE_BIN")
    if not bin_dir:
        sys.exit("set AIZONE_CONTROLPLANE_BIN to the directory hack/controlplane/build.sh prints")

    params = dict((k, None) for k in PROVIDER_ARGS)
    params.update(provider="local", binaries_dir=bin_dir)
    provider = get_provider("local", params)
    t0 = time.time()
    zones.reconcile_zone(provider, zone_spec.zone_desired(dict(params, name=ZONE)), wait_timeout=300)
    print("zone %s ready in %.1f s" % (ZONE, time.time() - t0))
    plane = provider._plane(ZONE)
    pool = dict(name="gpu", type="gpu-optimized", gpu={"model": "H100-80GB", "count": 8},
                taints=[{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}],
                labels={"team": "bench"}, autoscaling=None)
    try:
        pool["autoscaling"] = {"enabled": True, "min": 0, "max": args.nodes, "desired": 1}
        pools.reconcile_node_pool(get_provider("local", params), ZONE,
                                  zone_spec.node_pool_desired(pool, "local"), wait_timeout=300)
        pool["autoscaling"] = {"desired": args.nodes}
        for title in ("grow 1 -> %d nodes" % args.nodes, "second run (no change)"):
            run_provider = get_provider("local", params)
            before = apiserver_counts(plane, bin_dir)
            start = time.time()
            result = pools.reconcile_node_pool(run_provider, ZONE, zone_spec.node_pool_desired(pool, "local"),
                                               wait_timeout=900)
            seconds = time.time() - start
            after = apiserver_counts(plane, bin_dir)
            show("%s (changed=%s, nodes=%s ready=%s)" % (title, result["changed"], result["node_pool"].get(
                "node_count"), result["node_pool"].get("ready_node_count")), seconds,
                run_provider.request_counts().get(ZONE, {}), delta(before, after))
        gpu_sharing(plane, bin_dir)
    finally:
        if not args.keep:
            plane.delete()


if __name__ == "__main__":
    main()
