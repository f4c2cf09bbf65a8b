#!/usr/bin/env python
"""node_pools (one task, pools side by side) against a loop of node_pool tasks, on the three cloud doubles
with realistic operation times, scaled.

For each cloud (EKS: moto behind the EKS timeline; AKS and GKE: their loopback doubles) a zone is created,
then the platform design's four pools (CPU, A100 shared, A100 MIG, H100) go through three phases - first
apply, an update of two pools, delete - three ways, each a real ansible-playbook task:
- loop:   one node_pool task looped over the pools (what the foundation role did);
- list:   one node_pools task;
- single: one node_pool task for one pool: the longest single pool operation, the reference.
Operation times default to doubles/latency.py's realistic ones at 1/60 (pool create 240 s -> 4 s, update
120 s -> 2 s, delete 180 s -> 3 s, cluster 600 s -> 10 s). Task times are the JSON callback's start/end.

Usage: .venv/bin/python bench/node_pools.py [--clouds eks,aks,gke] [--scale 0.0167]
"""

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))

from doubles.latency import Latencies  # noqa: E402
from harness.ansible import run_playbook  # noqa: E402
from harness.timed_clouds import CLOUDS, design_pools, moto_server, start, zone_spec  # noqa: E402

PHASES = ("first apply", "update 2 pools", "delete")


def play(tasks):
    return [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]


def task_seconds(workdir, tasks):
    """Run tasks in one playbook; {task name: seconds} (fails loudly)."""
    res = run_playbook(play(tasks), workdir)
    if res.rc != 0:
        raise SystemExit("playbook failed:\n" + res.output[-3000:])
    return dict((t["task"], t["duration"]) for t in res.tasks)


def zone_task(cloud, name, state="present"):
    args = dict(cloud.params, state=state, wait_timeout=600, **zone_spec(cloud.name, name))
    return {"name": "zone", "aizone.platform.zone": args}


def loop_task(cloud, zone, pools):
    args = dict(cloud.params, zone=zone, name="{{ item.name }}", **_item_args())
    return {"name": "loop", "aizone.platform.node_pool": args,
            "loop": pools, "loop_control": {"label": "{{ item.name }}"}}


def _item_args():
    args = {}
    for key in ("state", "instance_type", "gpu", "autoscaling", "labels", "taints"):
        args[key] = "{{ item.%s | default(omit) }}" % key
    return args


def list_task(cloud, zone, pools):
    return {"name": "list", "aizone.platform.node_pools": dict(cloud.params, zone=zone, node_pools=pools)}


def phases(pools):
    """The pool lists of the three phases: as designed, two relabelled, all absent."""
    updated = [dict(p, labels={"workload-class": "changed"}) if i < 2 else p for i, p in enumerate(pools)]
    return [pools, updated, [{"name": p["name"], "state": "absent"} for p in pools]]


def bench_cloud(cloud, workdir):
    zone = "bench-%s" % cloud.name
    rows = {}
    created = task_seconds(workdir, [zone_task(cloud, zone)])["zone"]
    pools = design_pools(cloud.name)
    for phase, listed in zip(PHASES, phases(pools)):
        rows.setdefault(phase, {})["loop"] = task_seconds(workdir, [loop_task(cloud, zone, listed)])["loop"]
    for phase, listed in zip(PHASES, phases(pools[-1:])):
        rows[phase]["single"] = task_seconds(workdir, [loop_task(cloud, zone, listed)])["loop"]
    for phase, listed in zip(PHASES, phases(pools)):
        rows[phase]["list"] = task_seconds(workdir, [list_task(cloud, zone, listed)])["list"]
    task_seconds(workdir, [zone_task(cloud, zone, state="absent")])
    return created, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clouds", default=",".join(CLOUDS))
    parser.add_argument("--scale", type=float, default=1.0 / 60)
    args = parser.parse_args()
    latencies = Latencies.realistic(args.scale)
    print("operation times: %s" % latencies.describe())
    moto_endpoint, stop_moto = moto_server()
    table = []
    try:
        for name in args.clouds.split(","):
            cloud = start(name, latencies, moto_endpoint, region="ap-south-1")
            try:
                with tempfile.TemporaryDirectory() as workdir:
                    began = time.monotonic()
                    created, rows = bench_cloud(cloud, workdir)
                    print("%s (%s): zone created in %.1f s; bench took %.0f s"
                          % (name, cloud.describe, created, time.monotonic() - began))
                    table += [(name, phase, rows[phase]) for phase in PHASES]
            finally:
                cloud.stop()
    finally:
        stop_moto()
    print("\n%-5s %-15s %8s %8s %8s %10s %12s" % ("cloud", "phase", "loop s", "list s", "single s", "loop/list",
                                                  "list/single"))
    for name, phase, row in table:
        figures = (row["loop"], row["list"], row["single"], row["loop"] / row["list"], row["list"] / row["single"])
        print("%-5s %-15s %8.1f %8.1f %8.1f %10.2f %12.2f" % ((name, phase) + figures))


if __name__ == "__main__":
    main()
