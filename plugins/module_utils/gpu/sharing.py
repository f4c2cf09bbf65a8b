# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPU sharing per node pool: the gpu_sharing and gpu_sharing_info modules' logic.

Flow of `converge(params, check_mode)`:
1. shape validation (gpu_sharing_spec.normalize_pools) and, for pools whose
   gpu_model is given, the full model check: no request sent yet;
2. one LIST of the pools' nodes (label aizone.io/node-pool); each pool's GPU
   model comes from its nodes' aizone.io/gpu-model label and the model check
   runs for the rest: still before any write;
3. writes through the batch apply engine (k8s/apply.py): the ClusterPolicy CRD
   when the operator is emulated and the CRD is missing, the operator
   namespace when missing, both ConfigMaps, the ClusterPolicy (see
   `_cluster_policy`);
4. node labels (metadata merge patch) and, for emulated nodes only
   (gpu_operator_local), the GPU extended resources (merge patch of /status).

Check mode sends the applies with dryRun=All and computes the node patches
without sending them (labels and capacity are a pure function of the input).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.gpu import local_operator as emu
from ansible_collections.aizone.platform.plugins.module_utils.gpu import render as render
from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ApiError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.gpu.spec import (
    normalize_pools, resolve_for_model)
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for

POOL_LABEL = "aizone.io/node-pool"
MODEL_LABEL = "aizone.io/gpu-model"
#: Field manager of the one-time defaults of a ClusterPolicy this collection creates,
#: so that later applies of the owned fields (manager aizone.platform) keep them.
DEFAULTS_MANAGER = "aizone.platform-defaults"
CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + emu.CRD_NAME
CP_PATH = "/apis/nvidia.com/v1/clusterpolicies/" + render.CLUSTER_POLICY
CRD_WAIT = 60


def _get_or_none(rest, path):
    try:
        return rest.get(path)
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise


def _clients(params):
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import build_client
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.rest import Rest
    api_client = build_client(params)
    return api_client, Rest(api_client)


def list_pool_nodes(rest, names):
    """{pool: [node, ...]} with one LIST (set-based label selector)."""
    selector = "%s in (%s)" % (POOL_LABEL, ",".join(sorted(names))) if names else POOL_LABEL
    found = dict((n, []) for n in names)
    for node in rest.list_all("/api/v1/nodes", selector):
        pool = node["metadata"]["labels"].get(POOL_LABEL)
        found.setdefault(pool, []).append(node)
    for nodes in found.values():
        nodes.sort(key=lambda n: n["metadata"]["name"])
    return found


def pool_model(pool, nodes):
    """The pool's canonical GPU model: the option, checked against the nodes' label."""
    models = {}
    for node in nodes:
        models.setdefault(node["metadata"].get("labels", {}).get(MODEL_LABEL), []).append(node["metadata"]["name"])
    if None in models:
        raise ValidationError(pool["field"], "node pool %s: node(s) %s carry no %s label, so this is not a GPU "
                              "pool (or not one this collection created); give gpu_model to override"
                              % (pool["name"], ", ".join(models[None][:3]), MODEL_LABEL))
    if len(models) > 1:
        raise ValidationError(pool["field"], "node pool %s mixes GPU models %s; one model per pool"
                              % (pool["name"], ", ".join(sorted(models))))
    seen = next(iter(models)) if models else None
    given = pool.get("gpu_model")
    if given and seen and given != seen:
        raise ValidationError(pool["field"] + ".gpu_model", "is %s but the nodes of node pool %s carry %s=%s"
                              % (given, pool["name"], MODEL_LABEL, seen))
    if not (given or seen):
        raise ValidationError(pool["field"], "node pool %s has no nodes labelled %s=%s, so its GPU model is "
                              "unknown; give gpu_model" % (pool["name"], POOL_LABEL, pool["name"]))
    return given or seen


def _validate_dcgm(dcgm):
    if dcgm is None:
        return None
    monitor = dcgm.get("service_monitor") or {}
    labels = monitor.get("additional_labels") or {}
    for key, value in labels.items():
        if not isinstance(value, str):
            raise ValidationError("dcgm_exporter.service_monitor.additional_labels.%s" % key,
                                  "label values must be strings, got %r" % (value,))
    return dcgm


def _pool_labels_patch(node, desired):
    current = node["metadata"].get("labels") or {}
    patch = dict((k, v) for k, v in desired.items()
                 if current.get(k) != v and not (v is None and k not in current))
    return patch or None


def _gpu_view(node, labels_patch=None, status_patch=None):
    """Labels and capacity of a node that GPU sharing touches, after optional patches."""
    labels = dict((k, v) for k, v in (node["metadata"].get("labels") or {}).items() if k.startswith("nvidia.com/"))
    for k, v in (labels_patch or {}).items():
        if k.startswith("nvidia.com/"):
            if v is None:
                labels.pop(k, None)
            else:
                labels[k] = v
    capacity = dict((k, v) for k, v in ((node.get("status") or {}).get("capacity") or {}).items()
                    if emu.gpu_resource(k))
    for k, v in (((status_patch or {}).get("status") or {}).get("capacity") or {}).items():
        if v is None:
            capacity.pop(k, None)
        else:
            capacity[k] = v
    return {"labels": labels, "capacity": capacity}


def converge(params, check_mode=False):
    pools = normalize_pools(params.get("node_pools"))
    dcgm = _validate_dcgm(params.get("dcgm_exporter"))
    emulation = params.get("operator_emulation") or "auto"
    namespace = params.get("operator_namespace") or "gpu-operator"
    for pool in pools:
        if pool["gpu_model"]:
            pool["mig_resolved"] = resolve_for_model(pool, pool["gpu_model"])

    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    api_client, rest = _clients(params)
    nodes = list_pool_nodes(rest, [p["name"] for p in pools])
    for pool in pools:
        pool["gpu_model"] = pool_model(pool, nodes[pool["name"]])
        pool["mig_resolved"] = resolve_for_model(pool, pool["gpu_model"])

    emulated = set(n["metadata"]["name"] for p in pools for n in nodes[p["name"]] if emu.is_emulated(n, emulation))
    for pool in pools:
        for node in nodes[pool["name"]]:
            if node["metadata"]["name"] in emulated and emu.physical_gpus(node) is None:
                raise ValidationError(pool["field"], "node %s of node pool %s has no valid %s label, so the number "
                                      "of GPUs to share is unknown" % (node["metadata"]["name"], pool["name"],
                                                                       emu.LABEL_COUNT))
    objects, diffs, requests = [], [], {}
    crd_present = _get_or_none(rest, CRD_PATH) is not None
    if not crd_present:
        if not emulated and emulation != "always":
            raise AizoneError("the ClusterPolicy CRD %s is not installed: install the NVIDIA GPU Operator first "
                              "(none of the pools' nodes is emulated; operator_emulation=%s)"
                              % (emu.CRD_NAME, emulation))
        _collect(apply_objects(api_client, [emu.crd()], check_mode=check_mode), objects, diffs, requests)
        if not check_mode:
            _wait_crd(rest)

    desired = []
    if _get_or_none(rest, "/api/v1/namespaces/" + namespace) is None:
        desired.append({"apiVersion": "v1", "kind": "Namespace",
                        "metadata": {"name": namespace, "labels": dict(render.MANAGED_BY)}})
    dp_live = _get_or_none(rest, "/api/v1/namespaces/%s/configmaps/%s" % (namespace, render.DEVICE_PLUGIN_CM))
    mig_live = _get_or_none(rest, "/api/v1/namespaces/%s/configmaps/%s" % (namespace, render.MIG_PARTED_CM))
    dp_data, mig_data_ = render.merge_configmaps(
        (dp_live or {}).get("data") or {}, ((mig_live or {}).get("data") or {}).get(render.MIG_PARTED_KEY), pools)
    desired.append(render.configmap(render.DEVICE_PLUGIN_CM, namespace, dp_data))
    desired.append(render.configmap(render.MIG_PARTED_CM, namespace, mig_data_))

    cp_obj, cp_created, strategy = _cluster_policy(api_client, rest, pools, dcgm, crd_present, check_mode, requests)
    if crd_present or not check_mode:
        desired.append(cp_obj)
    result = apply_objects(api_client, desired, check_mode=check_mode)
    _collect(result, objects, diffs, requests, cp_created)
    if not crd_present and check_mode:
        # no CRD to dry-run against yet: the ClusterPolicy would be created as rendered
        objects.append(dict(apiVersion="nvidia.com/v1", kind="ClusterPolicy", namespace=None,
                            name=render.CLUSTER_POLICY, action="created"))
        diffs.append(dict(before_header="ClusterPolicy " + render.CLUSTER_POLICY,
                          after_header="ClusterPolicy " + render.CLUSTER_POLICY, before={}, after=cp_obj))

    report = []
    for pool in pools:
        report.append(_converge_nodes(rest, pool, nodes[pool["name"]], emulated, check_mode, objects, diffs))
    return {
        "changed": any(o["action"] != "unchanged" for o in objects),
        "objects": objects,
        "node_pools": report,
        "cluster_policy": {"name": render.CLUSTER_POLICY, "created": cp_created, "mig_strategy": strategy},
        "requests": _add_counts(requests, rest.counts),
        "diff": diffs,
    }


def _cluster_policy(api_client, rest, pools, dcgm, crd_present, check_mode, requests):
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
    live = _get_or_none(rest, CP_PATH) if crd_present else None
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
        _add_counts(requests, apply_objects(api_client, [render.cluster_policy(render.cluster_policy_defaults())],
                                            field_manager=DEFAULTS_MANAGER).requests)
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


def _add_counts(total, counts):
    for method, count in (counts or {}).items():
        total[method] = total.get(method, 0) + count
    return total


def _collect(result, objects, diffs, requests, cp_created=False):
    """Add an engine result to objects/diffs/requests; a ClusterPolicy created by this task reports created."""
    _add_counts(requests, result.requests)
    objects.extend(result.objects)
    diffs.extend(result.diff)
    if not cp_created:
        return
    for entry in objects:
        if entry["kind"] == "ClusterPolicy":
            entry["action"] = "created"
    for item in diffs:
        if item["before_header"] == "ClusterPolicy " + render.CLUSTER_POLICY:
            item["before"] = {}


def _wait_crd(rest):
    def probe():
        crd = _get_or_none(rest, CRD_PATH)
        conditions = ((crd or {}).get("status") or {}).get("conditions") or []
        established = any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)
        if not established:
            return False, None, "CRD not established"
        served = _get_or_none(rest, "/apis/nvidia.com/v1")
        kinds = [r.get("kind") for r in (served or {}).get("resources") or []]
        return "ClusterPolicy" in kinds, None, "established, discovery lists %s" % (kinds or "nothing")

    wait_for(probe, CRD_WAIT, "gpu_sharing: wait for CRD %s" % emu.CRD_NAME, interval=0.2, max_interval=1.0)


def _converge_nodes(rest, pool, nodes, emulated, check_mode, objects, diffs):
    summary = {"name": pool["name"], "mode": pool["mode"], "gpu_model": pool["gpu_model"],
               "device_plugin_config": pool["name"] if pool["mode"] != "none" else None,
               "mig_config": pool["name"] if pool["mode"] == "mig" else None,
               "node_pool_labels": render.node_pool_labels(pool), "nodes": [], "resources": {}}
    if pool["mode"] == "time_slicing":
        summary["time_slicing"] = dict(pool["time_slicing"])
    if pool["mode"] == "mig":
        resolved = pool["mig_resolved"]
        summary["mig"] = {"strategy": pool["mig"]["strategy"], "preset": resolved["preset"],
                          "profiles": resolved["profiles"], "placement": resolved["placement"]}
    for node in nodes:
        name = node["metadata"]["name"]
        labels = render.pool_node_labels(pool, node["metadata"].get("labels"))
        status = None
        is_emulated = name in emulated
        if is_emulated:
            extra, resources = emu.emulated_node_state(pool, node, labels.get(render.LABEL_MIG_CONFIG))
            labels.update(extra)
            status = emu.status_patch(node, resources)
        label_patch = _pool_labels_patch(node, labels)
        if label_patch and not check_mode:
            rest.request("PATCH", "/api/v1/nodes/" + name, {"fieldManager": "aizone.platform"},
                         {"metadata": {"labels": label_patch}}, "application/merge-patch+json")
        if status and not check_mode:
            rest.request("PATCH", "/api/v1/nodes/%s/status" % name, {"fieldManager": "aizone.platform"},
                         status, "application/merge-patch+json")
        after = _gpu_view(node, label_patch, status)
        action = "updated" if (label_patch or status) else "unchanged"
        objects.append(dict(apiVersion="v1", kind="Node", namespace=None, name=name, action=action))
        if action == "updated":
            diffs.append(dict(before_header="Node %s" % name, after_header="Node %s" % name,
                              before=_gpu_view(node), after=after))
        summary["nodes"].append(dict(name=name, emulated=is_emulated, **after))
        for res, value in after["capacity"].items():
            summary["resources"][res] = summary["resources"].get(res, 0) + int(value)
    return summary


# -- info ----------------------------------------------------------------------

def _pool_config(name, dp_data, mig_configs):
    text = dp_data.get(name)
    if text is None:
        return {"mode": "none"}
    cfg = render.load_yaml(text)
    if not isinstance(cfg, dict):
        return {"mode": "unknown", "raw": text}
    ts = ((cfg.get("sharing") or {}).get("timeSlicing") or {})
    if ts:
        res = (ts.get("resources") or [{}])[0]
        return {"mode": "time_slicing", "time_slicing": {
            "replicas": res.get("replicas"), "rename": bool(ts.get("renameByDefault")),
            "fail_requests_greater_than_one": bool(ts.get("failRequestsGreaterThanOne"))}}
    strategy = (cfg.get("flags") or {}).get("migStrategy")
    if strategy in ("single", "mixed"):
        entry = (mig_configs.get(name) or [{}])[0]
        return {"mode": "mig", "mig": {"strategy": strategy, "profiles": dict(entry.get("mig-devices") or {})}}
    return {"mode": "none"}


def info(params):
    namespace = params.get("operator_namespace") or "gpu-operator"
    names = params.get("node_pools") or []
    _api_client, rest = _clients(params)
    nodes = list_pool_nodes(rest, names)
    dp = _get_or_none(rest, "/api/v1/namespaces/%s/configmaps/%s" % (namespace, render.DEVICE_PLUGIN_CM)) or {}
    mig = _get_or_none(rest, "/api/v1/namespaces/%s/configmaps/%s" % (namespace, render.MIG_PARTED_CM)) or {}
    mig_configs = render.parse_mig_parted((mig.get("data") or {}).get(render.MIG_PARTED_KEY))
    crd = _get_or_none(rest, CRD_PATH)
    cp = _get_or_none(rest, CP_PATH) if crd else None
    pools = []
    for name in sorted(nodes):
        entry = {"name": name, "nodes": [], "resources": {}}
        entry.update(_pool_config(name, dp.get("data") or {}, mig_configs))
        models = sorted(set(n["metadata"]["labels"].get(MODEL_LABEL) or "" for n in nodes[name]) - set([""]))
        entry["gpu_model"] = ",".join(models) or None
        for node in nodes[name]:
            view = _gpu_view(node)
            entry["nodes"].append(dict(name=node["metadata"]["name"],
                                       emulated=emu.is_emulated(node, "auto"), **view))
            for res, value in view["capacity"].items():
                entry["resources"][res] = entry["resources"].get(res, 0) + int(value)
        pools.append(entry)
    spec = (cp or {}).get("spec") or {}
    return {
        "changed": False,
        "node_pools": pools,
        "cluster_policy": {
            "exists": cp is not None,
            "crd_installed": crd is not None,
            "device_plugin_config": (spec.get("devicePlugin") or {}).get("config"),
            "mig_strategy": (spec.get("mig") or {}).get("strategy"),
            "mig_manager_config": (spec.get("migManager") or {}).get("config"),
            "dcgm_exporter": spec.get("dcgmExporter"),
        },
    }
