# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPU sharing per node pool: what the gpu_sharing module does.

Flow of `converge(params, check_mode)`:
1. shape validation (gpu/spec.normalize_pools) and, for pools whose
   gpu_model is given, the full model check: no request sent yet;
2. one LIST of the pools' nodes (zones/placement.read_pool_nodes); each
   pool's GPU model comes from its nodes' aizone.io/gpu-model label and the
   model check runs for the rest: still before any write;
3. writes through the batch apply engine (k8s/apply.py): the ClusterPolicy CRD
   when the operator is emulated and the CRD is missing, the operator
   namespace when missing, the ClusterPolicy (see `_cluster_policy`); then
   the device-plugin and mig-parted ConfigMaps, which every pool's task
   shares, merged with optimistic concurrency (k8s/shared.py);
4. node labels (metadata merge patch) and, for emulated nodes only
   (gpu/local_operator.py), the GPU extended resources (merge patch of /status):
   every node of every pool side by side (NODE_WORKERS at once), reported in
   the pools' and nodes' order.

Check mode sends the applies with dryRun=All and computes the node patches
without sending them (labels and capacity are a pure function of the input).
gpu/info.py is the read-only gpu_sharing_info.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.concurrency import all_or_raise
from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.gpu import local_operator as emu
from ansible_collections.aizone.platform.plugins.module_utils.gpu import render
from ansible_collections.aizone.platform.plugins.module_utils.gpu.spec import (
    DEFAULT_OPERATOR_NAMESPACE, normalize_pools, resolve_for_model)
from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import FIELD_MANAGER
from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply_exec import ApplyResult, object_ref
from ansible_collections.aizone.platform.plugins.module_utils.k8s.crd import crd_path, wait_established
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.k8s.shared import converge_shared
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    GPU_MODEL_LABEL, POOL_LABEL, check_dns_label, check_labels)
from ansible_collections.aizone.platform.plugins.module_utils.zones.placement import read_pool_nodes

#: Field manager of the one-time defaults of a ClusterPolicy this collection creates,
#: so that later applies of the owned fields (manager aizone.platform) keep them.
DEFAULTS_MANAGER = "aizone.platform-defaults"
CP_PATH = kind_info("nvidia.com/v1", "ClusterPolicy").object_path(render.CLUSTER_POLICY)
CRD_WAIT = 60
MERGE_PATCH = "application/merge-patch+json"
#: node patches sent at once (each node gets a label patch and, emulated, a status patch)
NODE_WORKERS = 16


def pool_model(pool, nodes):
    """The pool's canonical GPU model: the option, checked against the nodes' label."""
    models = {}
    for node in nodes:
        models.setdefault(node["metadata"].get("labels", {}).get(GPU_MODEL_LABEL), []).append(node["metadata"]["name"])
    if None in models:
        raise ValidationError(pool["field"], "node pool %s: node(s) %s carry no %s label, so this is not a GPU "
                              "pool (or not one this collection created); give gpu_model to override"
                              % (pool["name"], ", ".join(models[None][:3]), GPU_MODEL_LABEL))
    if len(models) > 1:
        raise ValidationError(pool["field"], "node pool %s mixes GPU models %s; one model per pool"
                              % (pool["name"], ", ".join(sorted(models))))
    seen = next(iter(models)) if models else None
    given = pool.get("gpu_model")
    if given and seen and given != seen:
        raise ValidationError(pool["field"] + ".gpu_model", "is %s but the nodes of node pool %s carry %s=%s"
                              % (given, pool["name"], GPU_MODEL_LABEL, seen))
    if not (given or seen):
        raise ValidationError(pool["field"], "node pool %s has no nodes labelled %s=%s, so its GPU model is "
                              "unknown; give gpu_model" % (pool["name"], POOL_LABEL, pool["name"]))
    return given or seen


#: a Prometheus duration, as the ClusterPolicy CRD's serviceMonitor.interval pattern accepts it
PROMETHEUS_DURATION = re.compile(r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?"
                                 r"(([0-9]+)ms)?)$")


def _validate_dcgm(dcgm):
    if dcgm is None:
        return None
    monitor = dcgm.get("service_monitor") or {}
    check_labels("dcgm_exporter.service_monitor.additional_labels", monitor.get("additional_labels") or {})
    interval = monitor.get("interval")
    if interval is not None and not (interval and PROMETHEUS_DURATION.match(str(interval))):
        raise ValidationError("dcgm_exporter.service_monitor.interval", "%r is not a Prometheus duration such as "
                              "15s, 1m or 1m30s" % (interval,))
    return dcgm


def operator_namespace(params):
    """The operator_namespace option, checked (a DNS label), or the default."""
    return check_dns_label("operator_namespace", params.get("operator_namespace") or DEFAULT_OPERATOR_NAMESPACE)


def _pool_labels_patch(node, desired):
    current = node["metadata"].get("labels") or {}
    patch = dict((k, v) for k, v in desired.items()
                 if current.get(k) != v and not (v is None and k not in current))
    return patch or None


def _resolve(pools, nodes):
    """Each pool's GPU model (option or nodes) and MIG layout; ValidationError before any write."""
    for pool in pools:
        pool["gpu_model"] = pool_model(pool, nodes[pool["name"]])
        pool["mig_resolved"] = resolve_for_model(pool, pool["gpu_model"])


def _emulated_nodes(pools, nodes, emulation):
    """Names of the nodes whose GPU resources this module publishes (gpu/local_operator.py)."""
    emulated = set()
    for pool in pools:
        for node in nodes[pool["name"]]:
            if not emu.is_emulated(node, emulation):
                continue
            if emu.physical_gpus(node) is None:
                raise ValidationError(pool["field"], "node %s of node pool %s has no valid %s label, so the number "
                                      "of GPUs to share is unknown" % (node["metadata"]["name"], pool["name"],
                                                                       emu.LABEL_COUNT))
            emulated.add(node["metadata"]["name"])
    return emulated


def _upstream_crd(params):
    """The GPU Operator's ClusterPolicy CRD from its pinned package (hack/addons/build.sh), labelled like add-on CRDs."""
    from ansible_collections.aizone.platform.plugins.module_utils.addons.files import package_crds
    from ansible_collections.aizone.platform.plugins.module_utils.addons.objects import crd_objects
    from ansible_collections.aizone.platform.plugins.module_utils.addons.spec import files_dir
    from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import GPU_OPERATOR
    return crd_objects(GPU_OPERATOR["name"], GPU_OPERATOR["version"], package_crds(files_dir(params), GPU_OPERATOR))


def _ensure_crd(rest, params, emulated, emulation, check_mode, outcome, predicted=False):
    """True when the ClusterPolicy CRD was there. For emulated zones it installs the upstream one, and upgrades one
    this collection installed at another version (or its former minimal CRD); a CRD of the GPU Operator's own
    installation is left alone. predicted: check mode on pools without nodes yet, taken as emulated."""
    from ansible_collections.aizone.platform.plugins.module_utils.addons.objects import ADDON_LABEL
    from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import GPU_OPERATOR
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    from ansible_collections.aizone.platform.plugins.module_utils.names import LABEL_MANAGED_BY, MANAGED_BY
    live = rest.get_or_none(crd_path(emu.CRD_NAME))
    if live is not None:
        labels = (live.get("metadata") or {}).get("labels") or {}
        if labels.get(LABEL_MANAGED_BY) == MANAGED_BY and labels.get(ADDON_LABEL + "-version") != GPU_OPERATOR["version"]:
            outcome.add(apply_objects(rest, _upstream_crd(params), check_mode=check_mode))
        return True
    if not emulated and emulation != "always" and not predicted:
        raise AizoneError("the ClusterPolicy CRD %s is not installed: install the NVIDIA GPU Operator first "
                          "(none of the pools' nodes is emulated; operator_emulation=%s)" % (emu.CRD_NAME, emulation))
    outcome.add(apply_objects(rest, _upstream_crd(params), check_mode=check_mode))
    if not check_mode:
        wait_established(rest, emu.CRD_NAME, CRD_WAIT, served_kind="ClusterPolicy")
    return False


def _namespace(rest, namespace):
    """The operator namespace, when it is missing: [] or [its manifest]."""
    if rest.get_or_none(kind_info("v1", "Namespace").object_path(namespace)) is not None:
        return []
    return [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace,
                                                                   "labels": dict(render.MANAGED_LABELS)}}]


def _shared_configmaps(rest, namespace, pools, check_mode, outcome):
    """The device-plugin and mig-parted ConfigMaps: this task's pools merged into what other tasks' pools
    wrote, read and written with optimistic concurrency (k8s/shared.py), so concurrent hosts lose nothing."""
    configmaps = kind_info("v1", "ConfigMap")

    def device_plugin(live):
        data = render.merge_device_plugin((live or {}).get("data"), pools)
        return render.configmap(render.DEVICE_PLUGIN_CM, namespace, data)

    def mig_parted(live):
        text = ((live or {}).get("data") or {}).get(render.MIG_PARTED_KEY)
        return render.configmap(render.MIG_PARTED_CM, namespace, render.merge_mig_parted(text, pools))
    for desired_of in (device_plugin, mig_parted):
        action, before, after = converge_shared(rest, configmaps, desired_of, check_mode)
        outcome.record(object_ref(desired_of(None)), action, before, after)


def converge(params, check_mode=False, want_diff=False):
    """What the gpu_sharing module does (see the module docstring); returns the result dict."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect
    pools = normalize_pools(params.get("node_pools"))
    dcgm = _validate_dcgm(params.get("dcgm_exporter"))
    namespace = operator_namespace(params)
    emulation = params.get("operator_emulation") or "auto"
    for pool in pools:
        if pool["gpu_model"]:
            pool["mig_resolved"] = resolve_for_model(pool, pool["gpu_model"])
    rest = connect(params)
    nodes = read_pool_nodes(rest, [p["name"] for p in pools])
    _resolve(pools, nodes)
    emulated = _emulated_nodes(pools, nodes, emulation)
    outcome = ApplyResult()
    bare = sorted(p["name"] for p in pools if not nodes[p["name"]]) if check_mode and emulation == "auto" else []
    crd_present = _ensure_crd(rest, params, emulated, emulation, check_mode, outcome, predicted=bool(bare))
    missing = _namespace(rest, namespace)
    if missing:
        outcome.add(apply_objects(rest, missing, check_mode=check_mode))
    _shared_configmaps(rest, namespace, pools, check_mode, outcome)
    cp_obj, cp_created, strategy = _cluster_policy(rest, pools, dcgm, crd_present, check_mode)
    if crd_present or not check_mode:
        outcome.add(apply_objects(rest, [cp_obj], check_mode=check_mode))
    if cp_created:
        outcome.report_created("ClusterPolicy")
    if not crd_present and check_mode:
        # no CRD to dry-run against yet: the ClusterPolicy would be created as rendered
        outcome.note(("nvidia.com/v1", "ClusterPolicy", None, render.CLUSTER_POLICY), "created", None, cp_obj)
    report = _converge_nodes(rest, pools, nodes, emulated, check_mode, outcome)
    out = outcome.as_dict(diff=want_diff)
    if bare and not emulated:
        out["warnings"] = ["node pools %s have no nodes yet (an earlier task creates them): predicted as on a local "
                           "zone, whose GPUs this module emulates; a cloud zone needs the NVIDIA GPU Operator"
                           % ", ".join(bare)]
    out.update(node_pools=report, requests=dict(rest.counts),
               cluster_policy={"name": render.CLUSTER_POLICY, "created": cp_created, "mig_strategy": strategy})
    return out


def _cluster_policy(rest, pools, dcgm, crd_present, check_mode):
    """(object to apply, created, mig strategy) for the ClusterPolicy.

    Fields owned: devicePlugin.config.name, migManager.config.name, mig.strategy
    (the task's MIG pools' strategy, else the current value is kept) and
    dcgmExporter (the option, else what this manager applied before is kept:
    leaving a field out of an apply would release, and so delete, it).
    A missing ClusterPolicy first gets the operator defaults under
    DEFAULTS_MANAGER, so later applies of the owned fields never drop them; in
    check mode it is dry-run as created with defaults and owned fields at once.
    """
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    live = rest.get_or_none(CP_PATH) if crd_present else None
    # Without MIG pools in the task, mig.strategy is kept by re-applying it only
    # when this manager already owns it: taking it over from the defaults
    # manager would change the manifest between the first and second run.
    current_strategy = (((live or {}).get("spec") or {}).get("mig") or {}).get("strategy")
    owns_strategy = "f:strategy" in (((_owned_tree(live) if live else {}).get("f:spec") or {}).get("f:mig") or {})
    strategy = render.cluster_policy_strategy(pools, current_strategy if owns_strategy else None)
    owned = render.cluster_policy_owned(strategy, dcgm)
    if dcgm is None and live is not None:
        kept = _owned_part(((live.get("spec") or {}).get("dcgmExporter")),
                           ((_owned_tree(live).get("f:spec") or {}).get("f:dcgmExporter")))
        if kept:
            owned["dcgmExporter"] = kept
    created = live is None
    if created and not check_mode:
        apply_objects(rest, [render.cluster_policy(render.cluster_policy_defaults())], field_manager=DEFAULTS_MANAGER)
    return render.cluster_policy(owned, create=created and check_mode), created, strategy or (
        "single" if created else None)


def _owned_tree(live):
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import FIELD_MANAGER
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.diff import owned_fields
    return owned_fields(live, FIELD_MANAGER) or {}


def _owned_part(value, fields):
    """The part of a live map our field manager owns (fieldsV1 tree `fields`), or None."""
    if not fields or not isinstance(value, dict):
        return None
    out = {}
    for key, sub in fields.items():
        if not key.startswith("f:") or key[2:] not in value:
            continue
        child = value[key[2:]]
        if isinstance(child, dict) and [k for k in sub if k != "."]:
            part = _owned_part(child, sub)
            if part:
                out[key[2:]] = part
        else:
            out[key[2:]] = child
    return out or None


def _converge_node(rest, pool, node, is_emulated, check_mode):
    """Label (and, emulated, publish the GPU resources of) one node: (its GPU view after, (ref, action, before,
    after) for the result)."""
    name = node["metadata"]["name"]
    labels = render.pool_node_labels(pool, node["metadata"].get("labels"))
    status = None
    if is_emulated:
        extra, resources = emu.emulated_node_state(pool, node, labels.get(render.LABEL_MIG_CONFIG))
        labels.update(extra)
        status = emu.status_patch(node, resources)
    label_patch = _pool_labels_patch(node, labels)
    path = kind_info("v1", "Node").object_path(name)
    if label_patch and not check_mode:
        rest.request("PATCH", path, {"fieldManager": FIELD_MANAGER}, {"metadata": {"labels": label_patch}},
                     MERGE_PATCH)
    if status and not check_mode:
        rest.request("PATCH", path + "/status", {"fieldManager": FIELD_MANAGER}, status, MERGE_PATCH)
    after = emu.gpu_view(node, label_patch, status)
    note = (("v1", "Node", None, name), "updated" if label_patch or status else "unchanged", emu.gpu_view(node), after)
    return dict(name=name, emulated=is_emulated, **after), note


def _pool_summary(pool, node_views):
    summary = {"name": pool["name"], "mode": pool["mode"], "gpu_model": pool["gpu_model"],
               "device_plugin_config": pool["name"] if pool["mode"] != "none" else None,
               "mig_config": pool["name"] if pool["mode"] == "mig" else None,
               "node_pool_labels": render.node_pool_labels(pool), "nodes": node_views, "resources": {}}
    if pool["mode"] == "time_slicing":
        summary["time_slicing"] = dict(pool["time_slicing"])
    if pool["mode"] == "mig":
        resolved = pool["mig_resolved"]
        summary["mig"] = {"strategy": pool["mig"]["strategy"], "preset": resolved["preset"],
                          "profiles": resolved["profiles"], "placement": resolved["placement"]}
    for after in node_views:
        for res, value in after["capacity"].items():
            summary["resources"][res] = summary["resources"].get(res, 0) + int(value)
    return summary


def _converge_nodes(rest, pools, nodes, emulated, check_mode, outcome):
    """Every node of every pool, side by side (NODE_WORKERS at once); the pools' summaries, nodes in order."""
    jobs = [(pool, node) for pool in pools for node in nodes[pool["name"]]]
    done = all_or_raise(lambda job: _converge_node(rest, job[0], job[1], job[1]["metadata"]["name"] in emulated,
                                                   check_mode), jobs, NODE_WORKERS)
    views = {}
    for (pool, _node), (view, note) in zip(jobs, done):
        outcome.note(*note)
        views.setdefault(pool["name"], []).append(view)
    return [_pool_summary(pool, views.get(pool["name"], [])) for pool in pools]
