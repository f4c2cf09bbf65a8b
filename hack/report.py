#!/usr/bin/env python
"""Print what a zone holds: pools, GPU capacity, tenants, add-ons, Ray and Dask pods, workloads, MLOps, serving, cost.

usage: report.py --kubeconfig PATH [--zone NAME] [--provider NAME]
Reads only; one LIST per kind. With --zone (a local zone), also the state of
the add-on operator processes next to its control plane.
"""
import argparse
import collections
import os
import sys

POOL = "aizone.io/node-pool"
MANAGED = "app.kubernetes.io/managed-by=aizone.platform"
TENANT = "aizone.io/tenant"
ADDON = "aizone.io/addon"
#: pod label of a compute cluster's name, and the labels telling the pod's role and group
CLUSTER_PODS = (("Ray", "ray.io/cluster", "ray.io/node-type", "ray.io/group"),
                ("Dask", "dask.org/cluster-name", "dask.org/component", "dask.org/workergroup-name"))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))   # the collection's own readers (module_utils)


def table(title, header, rows):
    print("\n%s" % title)
    if not rows:
        print("  (none)")
        return
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    for r in [header] + rows:
        print("  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())


def processes(zone):
    """{process: state} of a local zone's processes (add-on operators, its PostgreSQL)."""
    from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane
    supervisor = LocalControlPlane(zone).processes
    return dict((name, supervisor.status(name)) for name in supervisor.names())


def addons(api, zone):
    from kubernetes import client
    crds = client.ApiextensionsV1Api(api).list_custom_resource_definition(label_selector=ADDON).items
    found = collections.OrderedDict()
    for crd in sorted(crds, key=lambda c: c.metadata.name):
        labels = crd.metadata.labels
        entry = found.setdefault(labels[ADDON], {"versions": set(), "crds": []})
        entry["versions"].add(labels.get(ADDON + "-version", "?"))
        entry["crds"].append(crd.spec.names.kind)
    procs = processes(zone) if zone else {}
    rows = []
    for name, entry in found.items():
        proc = procs.get(name)
        where = "-" if not zone else "not running" if proc else "none in this zone (CRDs only)"
        if proc and proc.get("running"):
            where = "process pid %s, %s" % (proc["pid"], "healthy" if proc.get("healthy") else "NOT healthy")
        rows.append([name, ", ".join(sorted(entry["versions"])), ", ".join(entry["crds"]), where])
    table("Add-ons", ["add-on", "version", "kinds", "operator"], rows)


def cluster_pods(pods, node_pool):
    """Rows of the Ray and Dask pods, and the names of those pods."""
    rows, seen = [], set()
    for pod in pods:
        labels = pod.metadata.labels or {}
        for kind, cluster, role, group in CLUSTER_PODS:
            if cluster in labels:
                seen.add((pod.metadata.namespace, pod.metadata.name))
                rows.append([pod.metadata.namespace, "%s %s" % (kind, labels[cluster]), labels.get(role, "-"),
                             labels.get(group, "-"), pod.metadata.name, pod.status.phase,
                             node_pool.get(pod.spec.node_name or "", pod.spec.node_name or "-")])
    table("Ray and Dask pods (made by the operators)", ["tenant", "cluster", "role", "group", "pod", "phase", "pool"],
          sorted(rows))
    return seen


def mlops(api, core, pods, node_pool, zone):
    """Storage classes with their volumes, the platform databases' Secrets, and the MLflow servers."""
    from kubernetes import client
    classes = client.StorageV1Api(api).list_storage_class(label_selector=MANAGED).items
    volumes = collections.defaultdict(collections.Counter)
    for pv in core.list_persistent_volume().items:
        volumes[pv.spec.storage_class_name][pv.status.phase] += 1
    table("Storage classes", ["class", "provisioner", "default", "static volumes"],
          [[c.metadata.name, c.provisioner,
            "yes" if (c.metadata.annotations or {}).get("storageclass.kubernetes.io/is-default-class") else "",
            ", ".join("%d %s" % (n, phase) for phase, n in sorted(volumes[c.metadata.name].items())) or "-"]
           for c in classes])
    secrets = core.list_secret_for_all_namespaces(label_selector="aizone.io/database").items
    server = (processes(zone) if zone else {}).get("postgresql")
    where = "a managed server" if not server else "PostgreSQL process pid %s next to the zone, %s" % (
        server["pid"], "healthy" if server.get("healthy") else "NOT healthy")
    table("Platform databases (one role and Secret each; %s)" % where, ["database", "namespace", "Secret"],
          sorted([s.metadata.labels["aizone.io/database"], s.metadata.namespace, s.metadata.name] for s in secrets))
    servers = client.AppsV1Api(api).list_deployment_for_all_namespaces(
        label_selector="app.kubernetes.io/name=mlflow,app.kubernetes.io/component=tracking-server").items
    claims = dict(((c.metadata.namespace, c.metadata.name), c) for c in
                  core.list_persistent_volume_claim_for_all_namespaces(label_selector=MANAGED).items)
    rows = []
    for d in servers:
        ns, name = d.metadata.namespace, d.metadata.name
        mine = [p for p in pods if p.metadata.namespace == ns and (p.metadata.labels or {}).get(
            "app.kubernetes.io/instance") == name and (p.metadata.labels or {}).get(
            "app.kubernetes.io/component") == "tracking-server"]
        claim = claims.get((ns, name + "-artifacts"))
        rows.append(["%s/%s" % (ns, name), d.metadata.labels.get("app.kubernetes.io/version", "?"),
                     "%d/%d ready" % (d.status.ready_replicas or 0, d.spec.replicas or 0),
                     ", ".join("%s on %s" % (p.status.phase, node_pool.get(p.spec.node_name or "", "-")) for p in mine),
                     "%s %s" % (claim.metadata.name, claim.status.phase) if claim else "object store",
                     "http://%s.%s.svc.cluster.local:%s" % (name, ns, d.spec.template.spec.containers[0].ports[0].container_port)])
    table("MLflow tracking servers", ["server", "version", "replicas", "pods", "artifacts", "url"], rows)


def serving(kubeconfig):
    """The inference services (inference_service_info's view): runtime, model, pool, pods and autoscaling target."""
    from ansible_collections.aizone.platform.plugins.module_utils.mlops.serving import info
    rows = []
    for svc in info({"kubeconfig": kubeconfig})["services"]:
        scale = "; ".join("%s %s-%s on %s > %s" % (
            a["kind"], a["min"], a["max"], a.get("query") or "CPU", a.get("threshold") or "target")
            for a in svc["autoscaling"])
        pods = collections.Counter("%s" % p["phase"] for p in svc["pods"])
        rows.append(["%s/%s" % (svc["namespace"], svc["name"]), svc["image"], svc["model"], svc["pool"],
                     ", ".join("%s=%s" % kv for kv in sorted(svc["resources"].items()) if "nvidia" in kv[0]),
                     ", ".join("%d %s" % (n, phase) for phase, n in sorted(pods.items())) or "-",
                     scale or "%s replicas" % svc["replicas"]])
    table("Inference services", ["service", "image", "model", "pool", "GPU", "pods", "autoscaling"], rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--zone", help="a local zone: also show its operator processes")
    parser.add_argument("--provider", default="local", help="the zone's provider, for its prices (default local)")
    args = parser.parse_args()
    from kubernetes import client, config
    api = config.new_client_from_config(config_file=args.kubeconfig)
    core = client.CoreV1Api(api)

    nodes = core.list_node().items
    pools = collections.OrderedDict()
    node_pool = {}
    for n in sorted(nodes, key=lambda n: n.metadata.name):
        pool = (n.metadata.labels or {}).get(POOL)
        if not pool:
            continue
        node_pool[n.metadata.name] = pool
        p = pools.setdefault(pool, {"nodes": 0, "type": (n.metadata.labels or {}).get("node.kubernetes.io/instance-type", "?"),
                                    "gpu": collections.Counter()})
        p["nodes"] += 1
        for res, qty in (n.status.allocatable or {}).items():
            if res.startswith("nvidia.com/"):
                p["gpu"][res] += int(qty)
    table("Node pools", ["pool", "nodes", "instance type", "GPU capacity (allocatable)"],
          [[name, p["nodes"], p["type"], ", ".join("%s=%d" % kv for kv in sorted(p["gpu"].items())) or "-"]
           for name, p in pools.items()])

    totals = collections.Counter()
    for p in pools.values():
        totals.update(p["gpu"])
    table("GPU capacity by resource name", ["resource", "allocatable"], sorted(totals.items()))

    namespaces = [ns.metadata.name for ns in core.list_namespace(label_selector=MANAGED + "," + TENANT).items]
    quotas = {}
    for q in core.list_resource_quota_for_all_namespaces(label_selector=MANAGED).items:
        if q.metadata.namespace in namespaces:
            hard, used = q.status.hard or {}, q.status.used or {}
            quotas.setdefault(q.metadata.namespace, []).extend(
                "%s %s/%s" % (k, used.get(k, "0"), v) for k, v in sorted(hard.items())
                if "nvidia.com/" in k or k in ("requests.cpu", "requests.memory", "pods"))
    table("Tenants (quota used/hard)", ["tenant", "quota"],
          [[ns, "; ".join(quotas.get(ns, [])) or "-"] for ns in sorted(namespaces)])

    addons(api, args.zone)
    pods = [p for p in core.list_pod_for_all_namespaces().items if p.metadata.namespace in namespaces]
    in_clusters = cluster_pods(pods, node_pool)
    rows = []
    for pod in pods:
        if (pod.metadata.namespace, pod.metadata.name) in in_clusters:
            continue
        owner = pod.metadata.owner_references[0].name if pod.metadata.owner_references else pod.metadata.name
        rows.append([pod.metadata.namespace, owner, pod.metadata.name, pod.status.phase,
                     node_pool.get(pod.spec.node_name or "", pod.spec.node_name or "-")])
    table("Workload pods", ["tenant", "owner", "pod", "phase", "pool"], sorted(rows))
    mlops(api, core, pods, node_pool, args.zone)
    serving(args.kubeconfig)
    cost(api, nodes, core.list_pod_for_all_namespaces().items, args.provider)


def cost(api, nodes, pods, provider):
    """The zone's monthly cost from what is placed (cost_info's showback), per tenant and pool, and the cheapest
    equivalent of each GPU pool across clouds (cost_compare)."""
    from ansible_collections.aizone.platform.plugins.module_utils.cost.compare import compare
    from ansible_collections.aizone.platform.plugins.module_utils.cost.showback import showback
    found = showback(provider, [api.sanitize_for_serialization(n) for n in nodes],
                     [api.sanitize_for_serialization(p) for p in pods])
    print("\nCost: %s USD a month (%s USD an hour) for the nodes; %s USD of it idle"
          % ("{:,.2f}".format(found["total"]["monthly"]), found["total"]["hourly"],
             "{:,.2f}".format(found["idle"]["monthly"])))
    table("Cost per tenant (USD a month, from the pods' requests)", ["tenant", "pods", "monthly"],
          [[t["name"], t["pods"], "{:,.2f}".format(t["monthly"])] for t in found["tenants"]])
    rows = []
    for pool in found["pools"]:
        row = [pool["name"], pool["instance_type"], "{:,.2f}".format(pool["monthly"]),
               "{:,.2f}".format(pool["idle_monthly"]), "-", "-"]
        best = compare({"current": {"provider": provider, "instance_type": pool["instance_type"]}})
        cheapest = best["cheapest"]
        if best["equivalent"].get("gpu_model") and cheapest:
            row[4:] = ["%s %s %s %s" % (cheapest["provider"], cheapest["instance_type"], cheapest["region"],
                                        cheapest["capacity_type"]), "{:,.2f}".format(cheapest["monthly"] * pool["nodes"])]
        rows.append(row)
    table("Cost per pool (USD a month) and the cheapest equivalent of each GPU pool",
          ["pool", "type", "monthly", "idle", "cheapest equivalent", "its monthly"], rows)


if __name__ == "__main__":
    main()
