#!/usr/bin/env python
"""Print what a zone holds: pools, GPU capacity, tenants and their quotas, workloads.

usage: report.py --kubeconfig PATH
Reads only; one LIST per kind.
"""
import argparse
import collections

POOL = "aizone.io/node-pool"
MANAGED = "app.kubernetes.io/managed-by=aizone.platform"
TENANT = "aizone.io/tenant"


def table(title, header, rows):
    print("\n%s" % title)
    if not rows:
        print("  (none)")
        return
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    for r in [header] + rows:
        print("  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", required=True)
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

    rows = []
    for pod in core.list_pod_for_all_namespaces().items:
        if pod.metadata.namespace not in namespaces:
            continue
        owner = pod.metadata.owner_references[0].name if pod.metadata.owner_references else pod.metadata.name
        rows.append([pod.metadata.namespace, owner, pod.metadata.name, pod.status.phase,
                     node_pool.get(pod.spec.node_name or "", pod.spec.node_name or "-")])
    table("Workload pods", ["tenant", "owner", "pod", "phase", "pool"], sorted(rows))


if __name__ == "__main__":
    main()
