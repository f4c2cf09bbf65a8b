#!/usr/bin/env python
"""A fleet rollout: site.yml's foundation layer over 3 environments x N zones on the cloud doubles, with
realistic operation times scaled, for several forks; wall time, and the controller's CPU and memory.

Environments map to clouds (dev: EKS through moto and the EKS timeline, staging: the AKS double, prod: the
GKE double); each zone is a host with the platform design's four pools and its own connection options
(aizone_provider_connection, given to the provider modules through module_defaults). The doubles have no
Kubernetes API, so the zones have no GPU sharing, priority classes or tenants: the layer is the zone and
its node pools (one node_pools task). Between runs the doubles are emptied directly.

Printed per run: wall time; CPU seconds of ansible-playbook and its children (the controller), of
ansible-playbook's own process alone, and of this process (the doubles); the peak resident memory of the controller's process tree, sampled every 0.5 s.
The reference is one zone of each cloud, alone.

Usage: .venv/bin/python bench/fleet.py [--zones 2,10,30] [--forks 5,10,30] [--scale 0.0167]
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))

from doubles.eks_timeline import EksTimeline  # noqa: E402
from doubles.latency import Latencies  # noqa: E402
from harness.ansible import ansible_env  # noqa: E402
from harness.timed_clouds import design_pools, moto_server, start, zone_spec  # noqa: E402

ENVIRONMENTS = (("dev", "eks"), ("staging", "aks"), ("prod", "gke"))


def inventory(path, clouds, zones_per_env, only=None):
    """An inventory of len(ENVIRONMENTS) groups x zones_per_env hosts (or one zone of cloud `only`)."""
    groups = {}
    for env, cloud in ENVIRONMENTS:
        if only and cloud != only:
            continue
        hosts = {}
        for index in range(zones_per_env):
            name = "%s-%s-%02d" % (env, cloud, index)
            connection = dict((k, v) for k, v in clouds[cloud].params.items() if k != "provider")
            zone = dict(zone_spec(cloud, name), provider=cloud, region=connection.pop("region"))
            hosts[name] = {"aizone_zone": zone, "aizone_node_pools": design_pools(cloud),
                           "aizone_provider_connection": connection,
                           "aizone_kubeconfig": os.path.join(os.path.dirname(path), "kube", name + ".yaml")}
        groups[env] = {"hosts": hosts}
    data = {"all": {"vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                             "aizone_priority_classes": [], "aizone_tenants": [], "aizone_gpu_sharing": [],
                             "aizone_wait_timeout": 900},
                    "children": groups}}
    with open(path, "w") as handle:
        yaml.safe_dump(data, handle, sort_keys=False)


class TreeMemory(object):
    """Peak resident memory of a process and its children, sampled."""

    def __init__(self, pid):
        import psutil
        self.proc, self.peak, self.main_cpu, self._stop = psutil.Process(pid), 0, 0.0, threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        import psutil
        while not self._stop.is_set():
            try:
                times = self.proc.cpu_times()
                self.main_cpu = times.user + times.system
                procs = [self.proc] + self.proc.children(recursive=True)
                total = 0
                for proc in procs:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            self._stop.wait(0.5)

    def stop(self):
        self._stop.set()
        return self.peak, self.main_cpu


def rollout(inv, forks, workdir):
    """(wall s, controller CPU s, its main process's share, doubles CPU s, peak MiB, rc) of site.yml --tags foundation."""
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inv,
           os.path.join(ROOT, "playbooks", "site.yml"), "--tags", "foundation", "-f", str(forks)]
    env = ansible_env({"ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default"})
    children, own = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    began = time.monotonic()
    with open(os.path.join(workdir, "run.log"), "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        memory = TreeMemory(proc.pid)
        rc = proc.wait()
    wall = time.monotonic() - began
    peak, main_cpu = memory.stop()
    after_children, after_own = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    controller = (after_children.ru_utime + after_children.ru_stime) - (children.ru_utime + children.ru_stime)
    doubles = (after_own.ru_utime + after_own.ru_stime) - (own.ru_utime + own.ru_stime)
    if rc != 0:
        with open(os.path.join(workdir, "run.log")) as log:
            sys.stdout.write(log.read()[-3000:])
    return wall, controller, main_cpu, doubles, peak / 2.0 ** 20, rc


def empty(clouds, moto_endpoint, latencies):
    """Forget every zone the doubles hold (directly, without waiting for scaled deletes)."""
    import boto3
    for cloud in ("aks", "gke"):
        clouds[cloud].double.reset()
        clouds[cloud].double.latencies = latencies
    eks = boto3.client("eks", region_name=clouds["eks"].params["region"], endpoint_url=moto_endpoint,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    for name in eks.list_clusters().get("clusters", []):
        for group in eks.list_nodegroups(clusterName=name).get("nodegroups", []):
            eks.delete_nodegroup(clusterName=name, nodegroupName=group)
        eks.delete_cluster(name=name)
    clouds["eks"].double.timeline = EksTimeline(latencies)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", default="2,10,30", help="zones per environment")
    parser.add_argument("--forks", default="5,10,30")
    parser.add_argument("--scale", type=float, default=1.0 / 60)
    args = parser.parse_args()
    latencies = Latencies.realistic(args.scale)
    print("operation times: %s; machine: %d CPUs" % (latencies.describe(), os.cpu_count()))
    moto_endpoint, stop_moto = moto_server()
    clouds = dict((cloud, start(cloud, latencies, moto_endpoint, region="sa-east-1")) for _env, cloud in ENVIRONMENTS)
    rows = []
    workdir = tempfile.mkdtemp(prefix="aizone-fleet-")
    try:
        inv = os.path.join(workdir, "inventory.yml")
        for _env, cloud in ENVIRONMENTS:
            empty(clouds, moto_endpoint, latencies)
            inventory(inv, clouds, 1, only=cloud)
            rows.append(("1 zone (%s)" % cloud, 1) + rollout(inv, 1, workdir))
            print(rows[-1], flush=True)
        for zones in [int(z) for z in args.zones.split(",")]:
            for forks in [int(f) for f in args.forks.split(",")]:
                empty(clouds, moto_endpoint, latencies)
                inventory(inv, clouds, zones)
                rows.append(("%d x %d zones" % (len(ENVIRONMENTS), zones), forks) + rollout(inv, forks, workdir))
                print(rows[-1], flush=True)
    finally:
        for cloud in clouds.values():
            cloud.stop()
        stop_moto()
        shutil.rmtree(workdir, ignore_errors=True)
    one = max(r[2] for r in rows if r[0].startswith("1 zone"))
    cpus = os.cpu_count()
    header = ("fleet", "forks", "wall s", "x 1 zone", "controller CPU", "per zone", "main proc", "doubles CPU",
              "CPU busy", "peak MiB", "rc")
    print("\n%-14s %5s %8s %9s %14s %9s %9s %12s %9s %9s %3s" % header)
    for name, forks, wall, controller, main_cpu, doubles, peak, rc in rows:
        zones = len(ENVIRONMENTS) * int(name.split()[2]) if name.startswith("%d x" % len(ENVIRONMENTS)) else 1
        busy = "%d%%" % round(100.0 * (controller + doubles) / (wall * cpus))
        print("%-14s %5d %8.1f %9.2f %14.1f %9.2f %9.1f %12.1f %9s %9.0f %3d" % (
            name, forks, wall, wall / one, controller, controller / zones, main_cpu, doubles, busy, peak, rc))
    print("\nCPU busy: controller and doubles CPU seconds over wall seconds x %d CPUs; main proc: the CPU seconds "
          "of ansible-playbook's own process (its strategy loop), part of the controller's" % cpus)


if __name__ == "__main__":
    main()
