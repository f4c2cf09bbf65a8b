#!/usr/bin/env python
"""site.yml on an empty local zone under faults and kills; prints one row per run and the totals.

Faults: the API server behind tests/harness/faultproxy.py (429 with Retry-After, 500, 503, connection dropped
before or after the server acted), each request failed with probability RATE, seeded. Per seed: a fresh zone,
the faulted run; when it fails, a fault-free run (the repair); then a fault-free run that must be changed=0 with
every Deployment's replicas ready.

Kills: per point, a fresh zone, site.yml killed (SIGKILL to ansible-playbook and its module processes) at that
many seconds; then a run that must converge and one that must be changed=0. The points spread over a clean run's
duration, measured first.

Usage: .venv/bin/python bench/faults.py [--rates 0.1,0.3] [--seeds 10] [--kills 10] [--zone NAME]
(make test runs one seed at 10% and one at 30%: tests/integration/collection/test_faults.py)
"""

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))

from harness.faultproxy import FAULTS, FaultProxy  # noqa: E402
from harness.site import Site  # noqa: E402

ZONE = "aizone-bench-faults"   # --zone: another name, for two runs of this script side by side


def _ready(site):
    """(deployments, not ready) in the zone, kube-system aside."""
    from kubernetes import client, config
    apps = client.AppsV1Api(config.new_client_from_config(config_file=site.kubeconfig))
    deployments = [d for d in apps.list_deployment_for_all_namespaces().items if d.metadata.namespace != "kube-system"]
    return len(deployments), [d.metadata.name for d in deployments if (d.status.ready_replicas or 0) != d.spec.replicas]


def _failure(result):
    """The failed tasks of a run and their messages (or the run's last lines when none is recorded)."""
    failed = [(t["task"], (t["result"].get("msg") or "")[:600]) for t in result.tasks if t["failed"]]
    return "    failed: %s" % failed if failed else "    " + result.output[-1500:].replace("\n", "\n    ")


def _timed(site, **kw):
    started = time.monotonic()
    result = site.run(**kw)
    return result, time.monotonic() - started


def _settle(site, env):
    """The run after: (rc, changed tasks, deployments, not ready)."""
    again = site.run(env=env)
    count, unready = _ready(site) if again.rc == 0 else (0, ["(run failed)"])
    return again.rc, len(again.changed), count, unready


def faulted(rate, seed, workdir, zone):
    site = Site(workdir, zone)
    zone_dir = os.path.join(_cluster_dir(), zone)
    site.delete()
    try:
        with FaultProxy.for_zone(zone_dir, rate=rate, seed=seed) as proxy:
            env = {"AIZONE_ENDPOINT_URL": proxy.url}
            first, seconds = _timed(site, env=env)
            counts = dict(proxy.counts)
            proxy.enabled = False
            repair_rc = None
            if first.rc != 0:
                repair_rc = site.run(env=env).rc
            rc, changed, count, unready = _settle(site, env)
        failed = [t["task"] for t in first.tasks if t["failed"]][:1]
        ok = (first.rc == 0 or repair_rc == 0) and rc == 0 and changed == 0 and not unready
        print("%4.0f%% seed %2d  requests %5d  injected %4d (%s)  faulted run rc %d in %5.1f s%s  repair %s  "
              "after: changed %d, %d deployments, not ready %s  %s"
              % (rate * 100, seed, counts.get("requests", 0), sum(counts.get(f, 0) for f in FAULTS),
                 " ".join("%s:%d" % (f, counts.get(f, 0)) for f in FAULTS), first.rc, seconds,
                 " (failed at %s)" % failed[0] if failed else "", "-" if repair_rc is None else "rc %d" % repair_rc,
                 changed, count, unready or "none", "OK" if ok else "FAILED"), flush=True)
        return ok, first.rc == 0
    finally:
        site.delete()


def killed(at, workdir, zone):
    site = Site(workdir, zone)
    site.delete()
    try:
        site.run(kill_after=at)
        next_run, seconds = _timed(site)
        rc, changed, count, unready = _settle(site, None)
        ok = next_run.rc == 0 and rc == 0 and changed == 0 and not unready
        print("killed at %5.1f s  next run rc %d in %5.1f s  after: changed %d, %d deployments, not ready %s  %s"
              % (at, next_run.rc, seconds, changed, count, unready or "none", "OK" if ok else "FAILED"), flush=True)
        if next_run.rc != 0:
            print(_failure(next_run), flush=True)
        return ok
    finally:
        site.delete()


def _cluster_dir():
    from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import default_workdir
    return os.path.join(default_workdir(), "clusters")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="0.1,0.3")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--zone", default=ZONE)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="aizone-bench-faults-")
    summary = []
    for rate in [float(r) for r in args.rates.split(",") if r]:
        runs = [faulted(rate, seed, os.path.join(work, "f%g-%d" % (rate, seed)), args.zone)
                for seed in range(1, args.seeds + 1)]
        summary.append("%.0f%% faults: %d of %d seeds converged in the faulted run, %d of %d ended converged "
                       "(repaired if needed) and changed=0" % (rate * 100, sum(1 for _ok, first in runs if first),
                                                               len(runs), sum(1 for ok, _f in runs if ok), len(runs)))
    if args.kills:
        clean = Site(os.path.join(work, "clean"), args.zone)
        clean.delete()
        _result, duration = _timed(clean)
        clean.delete()
        points = [round(duration * (i + 0.5) / args.kills, 1) for i in range(args.kills)]
        print("a clean run of site.yml on an empty zone: %.1f s; kill points %s" % (duration, points), flush=True)
        oks = [killed(at, os.path.join(work, "k%d" % i), args.zone) for i, at in enumerate(points)]
        summary.append("kills: %d of %d converged on the next run and were changed=0 on the one after"
                       % (sum(oks), len(oks)))
    print("\n".join(summary))


if __name__ == "__main__":
    main()
