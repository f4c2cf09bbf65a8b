# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operator emulation: what the GPU Operator would do to a node, for nodes nothing else drives.

KWOK nodes have no kubelet, device plugin, GPU feature discovery or MIG
manager, so after the configs are written nothing would ever change what they
advertise. For those nodes this module computes the labels and the extended
resources the operator's components would publish, and the caller writes
them (labels on the object, capacity/allocatable through the status
subresource).

Which nodes are emulated is decided per node from the node itself, never from
the provider: with `operator_emulation=auto` a node is emulated when it carries
the KWOK annotation `kwok.x-k8s.io/node: fake` (a fake node has no one else to
update it; a real node has the operator's device plugin, which must stay the
only writer of its capacity). `always` and `never` force the choice, e.g. for a
cluster whose fake nodes are driven by some other simulator. On a cloud zone
the nodes are real, so the same module simply writes the configs and leaves
the rest to the operator.

Pure logic; no API calls here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.catalog import mig as mig_data
from ansible_collections.aizone.platform.plugins.module_utils.catalog.instance_data import CATALOG
from ansible_collections.aizone.platform.plugins.module_utils.names import GPU_RESOURCE as GPU
from ansible_collections.aizone.platform.plugins.module_utils.names import SHARED_GPU_RESOURCE as GPU_SHARED
from ansible_collections.aizone.platform.plugins.module_utils.names import GPU_COUNT_LABEL, GPU_REPLICAS_LABEL

EMULATION_CHOICES = ("auto", "always", "never")
KWOK_ANNOTATION = "kwok.x-k8s.io/node"
KWOK_VALUE = "fake"
LABEL_COUNT = GPU_COUNT_LABEL
LABEL_PRODUCT = "nvidia.com/gpu.product"
LABEL_REPLICAS = GPU_REPLICAS_LABEL
LABEL_SHARING = "nvidia.com/gpu.sharing-strategy"
LABEL_MIG_STRATEGY = "nvidia.com/mig.strategy"
LABEL_MIG_STATE = "nvidia.com/mig.config.state"
_PRODUCT_SUFFIX = re.compile(r"(-SHARED|-MIG-.*)$")
CRD_NAME = "clusterpolicies.nvidia.com"


def is_emulated(node, emulation):
    """True when this node's GPU resources are published by this module."""
    if emulation == "always":
        return True
    if emulation == "never":
        return False
    annotations = (node.get("metadata") or {}).get("annotations") or {}
    return annotations.get(KWOK_ANNOTATION) == KWOK_VALUE


def gpu_resource(name):
    """True for the extended resources the device plugin publishes."""
    return name in (GPU, GPU_SHARED) or name.startswith("nvidia.com/mig-")


def base_product(labels, model):
    """The GFD product name without the -SHARED / -MIG-<profile> suffix sharing adds."""
    product = (labels or {}).get(LABEL_PRODUCT)
    if product:
        return _PRODUCT_SUFFIX.sub("", product)
    known = CATALOG["gpu_models"].get(model) or {}
    return known.get("product") or "NVIDIA-" + model


def physical_gpus(node):
    """Physical GPU count from the nvidia.com/gpu.count label (None when missing or bad)."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    try:
        count = int(labels.get(LABEL_COUNT, ""))
    except ValueError:
        return None
    return count if count >= 0 else None


def emulated_node_state(pool, node, mig_config=None):
    """(labels, resources) the operator would publish; values None mean remove.

    mig_config is the nvidia.com/mig.config value the node will carry (None:
    no label), which the MIG manager reports as applied. resources covers
    every GPU extended resource (capacity = allocatable).
    """
    meta = node.get("metadata") or {}
    labels_now = meta.get("labels") or {}
    gpus = physical_gpus(node) or 0
    product = base_product(labels_now, pool["gpu_model"])
    resources = {}
    labels = {LABEL_REPLICAS: "1", LABEL_SHARING: "none", LABEL_PRODUCT: product,
              LABEL_MIG_STRATEGY: None, LABEL_MIG_STATE: None}
    mode = pool["mode"]
    if mode == "none":
        resources[GPU] = str(gpus)
    elif mode == "time_slicing":
        ts = pool["time_slicing"]
        resources[GPU_SHARED if ts["rename"] else GPU] = str(gpus * ts["replicas"])
        labels.update({LABEL_REPLICAS: str(ts["replicas"]), LABEL_SHARING: "time-slicing"})
        if not ts["rename"]:
            labels[LABEL_PRODUCT] = product + "-SHARED"
    else:
        profiles = pool["mig_resolved"]["profiles"]
        strategy = pool["mig"]["strategy"]
        labels[LABEL_MIG_STRATEGY] = strategy
        if strategy == "single":
            (profile, count), = profiles.items()
            resources[GPU] = str(gpus * count)
            labels[LABEL_PRODUCT] = "%s-MIG-%s" % (product, profile)
        else:
            for profile, count in profiles.items():
                resources[mig_data.resource_name(profile)] = str(gpus * count)
    if mig_config:
        labels[LABEL_MIG_STATE] = "success"
    status = (node.get("status") or {})
    for section in ("capacity", "allocatable"):
        for name in (status.get(section) or {}):
            if gpu_resource(name) and name not in resources:
                resources[name] = None
    return labels, resources


def status_patch(node, resources):
    """Merge patch for /status making capacity and allocatable match resources, or None."""
    status = node.get("status") or {}
    patch = {}
    for section in ("capacity", "allocatable"):
        current = status.get(section) or {}
        diff = dict((k, v) for k, v in resources.items() if current.get(k) != v and not (v is None and k not in current))
        if diff:
            patch[section] = diff
    return {"status": patch} if patch else None


def gpu_view(node, labels_patch=None, status_patch=None):
    """Labels and capacity of a node that GPU sharing touches, after optional patches."""
    labels = dict((k, v) for k, v in (node["metadata"].get("labels") or {}).items() if k.startswith("nvidia.com/"))
    for k, v in (labels_patch or {}).items():
        if k.startswith("nvidia.com/"):
            if v is None:
                labels.pop(k, None)
            else:
                labels[k] = v
    capacity = dict((k, v) for k, v in ((node.get("status") or {}).get("capacity") or {}).items()
                    if gpu_resource(k))
    for k, v in (((status_patch or {}).get("status") or {}).get("capacity") or {}).items():
        if v is None:
            capacity.pop(k, None)
        else:
            capacity[k] = v
    return {"labels": labels, "capacity": capacity}
