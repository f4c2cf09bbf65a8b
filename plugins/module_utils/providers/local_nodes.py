# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The KWOK node of a local pool: the labels, capacity and body a cloud node of the pool's instance type would
have (catalog cloud "aws"), and what the local provider reads back of a node. Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    CONDITION_TAINT_PREFIXES, GPU_MODEL_LABEL, GPU_RESOURCE, LABEL_MANAGED_BY, MANAGED_BY, POOL_LABEL,
    POOL_TYPE_LABEL)


def topology_zone(region, index):
    letter = "abc"[index % 3]
    return "%s%s" % (region, letter) if region[-1:].isdigit() else "%s-%s" % (region, letter)


def node_labels(pool, region, index, node_name):
    """Every label a node of the pool carries: the user's plus what a cloud node carries."""
    entry = catalog.get("local", pool["instance_type"])
    spot = pool["capacity_type"] == "spot"
    labels = dict(pool.get("labels") or {})
    labels.update({
        LABEL_MANAGED_BY: MANAGED_BY,
        POOL_LABEL: pool["name"],
        POOL_TYPE_LABEL: pool["type"],
        "node.kubernetes.io/instance-type": entry["type"],
        "topology.kubernetes.io/region": region,
        "topology.kubernetes.io/zone": topology_zone(region, index),
        "kubernetes.io/hostname": node_name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "karpenter.sh/capacity-type": "spot" if spot else "on-demand",
        "eks.amazonaws.com/capacityType": "SPOT" if spot else "ON_DEMAND",
        "eks.amazonaws.com/nodegroup": pool["name"],
    })
    if entry["gpu_model"]:
        model = catalog.gpu_model(entry["gpu_model"])
        labels.update({
            GPU_MODEL_LABEL: entry["gpu_model"],
            "nvidia.com/gpu.present": "true",
            "nvidia.com/gpu.product": model["product"],
            "nvidia.com/gpu.count": str(entry["gpu_count"]),
            "nvidia.com/gpu.memory": str(model["memory_mib"]),
        })
    return labels


def node_capacity(pool):
    entry = catalog.get("local", pool["instance_type"])
    capacity = {
        "cpu": str(entry["vcpu"]),
        "memory": "%dGi" % entry["memory_gib"],
        "pods": str(entry["max_pods"]),
        "ephemeral-storage": "%dGi" % pool["disk_size_gb"],
    }
    if entry["gpu_model"]:
        capacity[GPU_RESOURCE] = str(entry["gpu_count"])
    return capacity


def node_body(pool, region, index, kubelet_version):
    name = "%s-%d" % (pool["name"], index)
    capacity = node_capacity(pool)
    body = {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {
            "name": name,
            "labels": node_labels(pool, region, index, name),
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": {"taints": [dict(t) for t in pool.get("taints") or []]},
        "status": {
            "capacity": capacity, "allocatable": dict(capacity),
            "nodeInfo": {"kubeletVersion": kubelet_version, "kubeProxyVersion": kubelet_version,
                         "architecture": "amd64", "operatingSystem": "linux",
                         "containerRuntimeVersion": "kwok"},
            "phase": "Running",
        },
    }
    return body


def node_index(pool_name, node_name):
    suffix = node_name[len(pool_name) + 1:]
    return int(suffix) if node_name.startswith(pool_name + "-") and suffix.isdigit() else None


def is_ready(node):
    for cond in (node.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


def user_taints(node):
    taints = (node.get("spec") or {}).get("taints") or []
    return sorted(({"key": t["key"], "value": t.get("value") or "", "effect": t["effect"]}
                   for t in taints if not t["key"].startswith(CONDITION_TAINT_PREFIXES)),
                  key=lambda t: (t["key"], t["effect"]))


def observed(spec, nodes):
    """What the pool's nodes show of its spec (the fields their nodes carry), for a pool whose record is `spec`.

    The record says what was asked; the nodes say what exists. A run stopped between writing the record
    and its nodes leaves them apart: the count, a user label or the taints then differ from the record, so
    the reconciler sees a change and the next run finishes the pool."""
    out = dict(spec)
    out["autoscaling"] = dict(spec.get("autoscaling") or {}, desired=len(nodes))
    if nodes:
        wanted = spec.get("labels") or {}
        out["labels"] = dict((k, v) for k, v in wanted.items()
                             if all((n["metadata"].get("labels") or {}).get(k) == v for n in nodes))
        want_taints = sorted(spec.get("taints") or [], key=lambda t: (t["key"], t["effect"]))
        out["taints"] = next((user_taints(n) for n in nodes if user_taints(n) != want_taints), spec.get("taints"))
    return out
