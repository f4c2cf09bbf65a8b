# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPU sharing as it is in the cluster: what the gpu_sharing_info module returns. Read only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.gpu import local_operator as emu
from ansible_collections.aizone.platform.plugins.module_utils.gpu import render
from ansible_collections.aizone.platform.plugins.module_utils.gpu.sharing import CP_PATH, operator_namespace
from ansible_collections.aizone.platform.plugins.module_utils.k8s.crd import crd_path
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.names import GPU_MODEL_LABEL, check_dns_label
from ansible_collections.aizone.platform.plugins.module_utils.zones.placement import read_pool_nodes


def pool_config(name, dp_data, mig_configs):
    """A pool's sharing mode and settings, read back from the device-plugin and mig-parted configs."""
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
    """What gpu_sharing_info returns: each pool's sharing mode, nodes and resources, and the ClusterPolicy."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect
    namespace = operator_namespace(params)
    pools = [check_dns_label("node_pools[%d]" % i, name) for i, name in enumerate(params.get("node_pools") or [])]
    rest = connect(params)
    nodes = read_pool_nodes(rest, pools or None)
    configmaps = kind_info("v1", "ConfigMap")
    dp = rest.get_or_none(configmaps.object_path(render.DEVICE_PLUGIN_CM, namespace)) or {}
    mig = rest.get_or_none(configmaps.object_path(render.MIG_PARTED_CM, namespace)) or {}
    mig_configs = render.parse_mig_parted((mig.get("data") or {}).get(render.MIG_PARTED_KEY))
    crd = rest.get_or_none(crd_path(emu.CRD_NAME))
    cp = rest.get_or_none(CP_PATH) if crd else None
    pools = []
    for name in sorted(nodes):
        entry = {"name": name, "nodes": [], "resources": {}}
        entry.update(pool_config(name, dp.get("data") or {}, mig_configs))
        models = sorted(set(n["metadata"]["labels"].get(GPU_MODEL_LABEL) or "" for n in nodes[name]) - set([""]))
        entry["gpu_model"] = ",".join(models) or None
        for node in nodes[name]:
            view = emu.gpu_view(node)
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
