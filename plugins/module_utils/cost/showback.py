# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Showback from what is really placed: each node's price split over the pods on it, the rest idle.

Per node (its instance type and region from its labels, its price from
catalog/prices): the price is split into CPU, memory and GPU parts
(prices.split). A pod pays, of each part, the share of the node's allocatable
it requests: CPU and memory by request / allocatable; GPUs in GPU fractions:
- `nvidia.com/gpu` on a node sharing GPUs by time-slicing with R replicas
  (label nvidia.com/gpu.replicas) is 1/R of a GPU per unit, and so is
  `nvidia.com/gpu.shared` (time-slicing with renamed resources); without
  sharing, 1;
- a MIG slice `nvidia.com/mig-<profile>` is its compute slices over the GPU's
  (3g.40gb on an A100: 3/7). Compute, not memory, because compute slices are
  what a slice's work runs on and what sets its throughput (4g.40gb and
  3g.40gb hold the same memory, 4g has a third more compute), and because
  under memory slices a layout such as all-3g.40gb (2 x 4 of 8 memory slots)
  would bill the whole GPU to its slices and hide the seventh compute slice no
  profile can use. By compute slices that slice shows as the pool's idle cost.
What no pod requests is the pool's idle cost. Amounts are exact: per node the
hourly price (to the millionth) and the monthly price (to the cent) are each
apportioned over its pods and its idle part by largest remainder, so pods plus
idle add up to the node's price exactly, and tenants plus idle to the zone's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.catalog import mig
from ansible_collections.aizone.platform.plugins.module_utils.catalog.price_data import HOURS_PER_MONTH
from ansible_collections.aizone.platform.plugins.module_utils.catalog.prices import node_price, split
from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import parse_quantity
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    GPU_REPLICAS_LABEL as REPLICAS_LABEL, GPU_RESOURCE, POOL_LABEL, SHARED_GPU_RESOURCE)
from ansible_collections.aizone.platform.plugins.module_utils.money import (
    MICRO, ZERO, apportion, cents, dec, figure, micros, monthly)

TYPE_LABEL = "node.kubernetes.io/instance-type"
REGION_LABEL = "topology.kubernetes.io/region"
#: node labels that mark a spot node: Karpenter (AWS, Azure, the local zone), EKS, AKS, GKE
SPOT_LABELS = ("karpenter.sh/capacity-type", "eks.amazonaws.com/capacityType",
               "kubernetes.azure.com/scalesetpriority", "cloud.google.com/gke-spot")
GPU_RULE = ("a time-sliced nvidia.com/gpu is 1/replicas of a GPU; a MIG slice is its compute slices over the "
            "GPU's (3g on an A100 or H100: 3/7); what no pod requests is idle")
SPLIT_RULE = ("a GPU node's CPU and memory are priced at the cloud's unit prices (per vCPU-hour and GiB-hour, "
              "from two catalog types of one family) and its GPUs take the rest; a CPU node is split between CPU "
              "and memory in those prices' proportion")


def _qty(value):
    exact = parse_quantity(str(value))
    return dec(exact.numerator) / dec(exact.denominator)


def pod_requests(pod):
    """{resource: Decimal} a pod holds on its node: max(sum of containers, largest init container), plus overhead."""
    spec = pod.get("spec") or {}
    total = {}
    for container in spec.get("containers") or []:
        for name, value in ((container.get("resources") or {}).get("requests") or {}).items():
            total[name] = total.get(name, ZERO) + _qty(value)
    for container in spec.get("initContainers") or []:
        for name, value in ((container.get("resources") or {}).get("requests") or {}).items():
            total[name] = max(total.get(name, ZERO), _qty(value))
    for name, value in (spec.get("overhead") or {}).items():
        total[name] = total.get(name, ZERO) + _qty(value)
    return total


def gpu_fraction(resource, labels, gpu_model):
    """GPUs one unit of an extended resource is worth on a node (None when it is not a GPU resource)."""
    if resource in (GPU_RESOURCE, SHARED_GPU_RESOURCE):
        return 1 / dec(labels.get(REPLICAS_LABEL) or 1)
    geometry = mig.MIG_MODELS.get(gpu_model) or {"profiles": {}}
    for name, profile in geometry["profiles"].items():
        if mig.resource_name(name) == resource:
            return dec(profile["compute"]) / geometry["compute"]
    return None


def _holding(pod):
    phase = (pod.get("status") or {}).get("phase")
    return (pod.get("spec") or {}).get("nodeName") and phase not in ("Succeeded", "Failed")


def owner(pod):
    """(kind, name) of the workload a pod belongs to: a ReplicaSet's Deployment, a Job's CronJob name, else its
    controller, else the pod itself."""
    refs = [r for r in (pod.get("metadata") or {}).get("ownerReferences") or [] if r.get("controller")]
    if not refs:
        return "Pod", pod["metadata"]["name"]
    kind, name = refs[0]["kind"], refs[0]["name"]
    template_hash = ((pod["metadata"].get("labels") or {}).get("pod-template-hash"))
    if kind == "ReplicaSet" and template_hash and name.endswith("-" + template_hash):
        return "Deployment", name[:-len(template_hash) - 1]
    if kind == "Job" and re.search(r"-[0-9]{8,}$", name):
        return "CronJob", name.rsplit("-", 1)[0]
    return kind, name


def _node_cost(provider, node, notes):
    """(node record, Decimal hourly) of a node, or (record, None) when it has no known price."""
    meta, status = node["metadata"], node.get("status") or {}
    labels = meta.get("labels") or {}
    record = {"name": meta["name"], "pool": labels.get(POOL_LABEL) or "-", "instance_type": labels.get(TYPE_LABEL),
              "allocatable": dict((k, _qty(v)) for k, v in (status.get("allocatable") or {}).items())}
    entry = catalog.instance_types(provider).get(record["instance_type"])
    if entry is None:
        notes.add("node %s: instance type %r is not in the catalog; its cost is not counted"
                  % (meta["name"], record["instance_type"]))
        return record, None
    spot = any(labels.get(k, "").lower() in ("spot", "true") for k in SPOT_LABELS)
    price = node_price(provider, entry["type"], labels.get(REGION_LABEL), "spot" if spot else "on-demand")
    notes.update(price["notes"])
    record.update(entry=entry, labels=labels, region=price["region"], source=price["source"], date=price["date"])
    return record, price["hourly"]


def _pod_weight(pod_req, node, parts):
    """A pod's exact hourly cost on its node: its share of each part of the node's price."""
    alloc, entry = node["allocatable"], node["entry"]
    cost = ZERO
    for resource, part in (("cpu", parts["cpu"]), ("memory", parts["memory"])):
        if alloc.get(resource):
            cost += part * min(pod_req.get(resource, ZERO), alloc[resource]) / alloc[resource]
    per_gpu = parts["gpu"] / entry["gpu_count"] if entry["gpu_count"] else ZERO
    for resource, amount in pod_req.items():
        fraction = gpu_fraction(resource, node["labels"], entry["gpu_model"])
        if fraction is not None:
            cost += per_gpu * amount * fraction
    return cost


def allocate(provider, nodes, pods):
    """Per node: [(pod or None for idle, hourly, monthly)] exact; the node records; the notes."""
    notes = set()
    by_node = {}
    for pod in pods:
        if _holding(pod):
            by_node.setdefault(pod["spec"]["nodeName"], []).append(pod)
    out = []
    for node in sorted(nodes, key=lambda n: n["metadata"]["name"]):
        record, hourly = _node_cost(provider, node, notes)
        if hourly is None:
            continue
        placed = sorted(by_node.get(record["name"], []),
                        key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
        parts = split(record["entry"]["cloud"], record["entry"], hourly)
        weights = [_pod_weight(pod_requests(p), record, parts) for p in placed]
        weights.append(max(hourly - sum(weights, ZERO), ZERO))
        record.update(hourly=micros(hourly), monthly=cents(monthly(hourly)))
        hourly_split = apportion(record["hourly"], weights, MICRO)
        monthly_split = apportion(record["monthly"], weights)
        out.append((record, list(zip(placed + [None], hourly_split, monthly_split))))
    return out, notes


def _add(table, key, hourly, monthly_amount, **fields):
    row = table.setdefault(key, dict(fields, hourly=ZERO, monthly=ZERO, pods=0))
    row["hourly"] += hourly
    row["monthly"] += monthly_amount
    return row


def _shown(rows):
    return [dict(r, hourly=figure(r["hourly"], MICRO), monthly=figure(r["monthly"])) for r in rows]


def showback(provider, nodes, pods):
    """The cost_info result of nodes and pods (Kubernetes objects as dicts) on provider."""
    allocated, notes = allocate(provider, nodes, pods)
    pools, tenants, workloads, node_rows = {}, {}, {}, []
    for record, shares in allocated:
        pool = _add(pools, record["pool"], record["hourly"], record["monthly"], name=record["pool"],
                    instance_type=record["instance_type"], nodes=0, idle_hourly=ZERO, idle_monthly=ZERO)
        pool["nodes"] += 1
        node_rows.append({"name": record["name"], "pool": record["pool"], "instance_type": record["instance_type"],
                          "price_region": record["region"], "source": record["source"], "date": record["date"],
                          "hourly": record["hourly"], "monthly": record["monthly"]})
        for pod, hourly, monthly_amount in shares:
            if pod is None:
                pool["idle_hourly"] += hourly
                pool["idle_monthly"] += monthly_amount
                node_rows[-1].update(idle_hourly=figure(hourly, MICRO), idle_monthly=figure(monthly_amount))
                continue
            namespace = pod["metadata"]["namespace"]
            pool["pods"] += 1
            _add(tenants, namespace, hourly, monthly_amount, name=namespace)["pods"] += 1
            kind, name = owner(pod)
            row = _add(workloads, (namespace, kind, name), hourly, monthly_amount, namespace=namespace, kind=kind,
                       name=name, pools=[])
            row["pods"] += 1
            if record["pool"] not in row["pools"]:
                row["pools"].append(record["pool"])
    total_hourly = sum((r["hourly"] for r in node_rows), ZERO)
    total_monthly = sum((r["monthly"] for r in node_rows), ZERO)
    pool_rows = [dict(p, idle_hourly=figure(p["idle_hourly"], MICRO), idle_monthly=figure(p["idle_monthly"]))
                 for p in _shown(sorted(pools.values(), key=lambda p: p["name"]))]
    return {"currency": "USD", "hours_per_month": HOURS_PER_MONTH, "gpu_rule": GPU_RULE, "split_rule": SPLIT_RULE,
            "total": {"hourly": figure(total_hourly, MICRO), "monthly": figure(total_monthly)},
            "idle": {"hourly": figure(sum((p["idle_hourly"] for p in pools.values()), ZERO), MICRO),
                     "monthly": figure(sum((p["idle_monthly"] for p in pools.values()), ZERO))},
            "pools": pool_rows, "tenants": _shown(sorted(tenants.values(), key=lambda t: t["name"])),
            "workloads": _shown(sorted(workloads.values(), key=lambda w: (w["namespace"], w["name"]))),
            "nodes": _shown(node_rows), "notes": sorted(notes)}
