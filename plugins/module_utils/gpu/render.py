# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the NVIDIA GPU Operator reads, rendered from resolved pools. Pure logic.

- the device-plugin ConfigMap: one key per pool (key = pool name) holding a
  k8s-device-plugin config (time-slicing, or the MIG strategy flag);
- the mig-parted ConfigMap: key `config.yaml` with one mig-config per MIG
  pool (name = pool name) plus `all-disabled`, which pools leaving MIG get;
- the ClusterPolicy fields this collection owns (devicePlugin.config.name,
  mig.strategy, migManager.config.name, dcgmExporter + serviceMonitor), and
  the defaults used only when the ClusterPolicy does not exist yet;
- the node labels that select a pool's configs.

A resolved pool is a normalized pool (gpu_sharing_spec) plus "gpu_model" and
"mig_resolved" ({"profiles": {profile: n}, "preset": str|None, ...} or None).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.names import LABEL_MANAGED_BY, MANAGED_BY

MANAGED_LABELS = {LABEL_MANAGED_BY: MANAGED_BY}
DEVICE_PLUGIN_CM = "aizone-device-plugin-config"
MIG_PARTED_CM = "aizone-mig-parted-config"
MIG_PARTED_KEY = "config.yaml"
MIG_OFF = "all-disabled"
CLUSTER_POLICY = "cluster-policy"
LABEL_DP_CONFIG = "nvidia.com/device-plugin.config"
LABEL_MIG_CONFIG = "nvidia.com/mig.config"


def _dump(data):
    import yaml  # PyYAML ships with ansible-core; imported here so the import sanity test needs nothing
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=True)


def load_yaml(text):
    """Parsed YAML text, or None when it is not YAML."""
    import yaml
    try:
        return yaml.safe_load(text or "")
    except yaml.YAMLError:
        return None


def device_plugin_config(pool):
    """The k8s-device-plugin config (YAML text) for one pool, or None for mode none."""
    if pool["mode"] == "none":
        return None
    if pool["mode"] == "mig":
        return _dump({"version": "v1", "flags": {"migStrategy": pool["mig"]["strategy"]}})
    ts = pool["time_slicing"]
    return _dump({
        "version": "v1",
        "flags": {"migStrategy": "none"},
        "sharing": {"timeSlicing": {
            "renameByDefault": ts["rename"],
            "failRequestsGreaterThanOne": ts["fail_requests_greater_than_one"],
            "resources": [{"name": "nvidia.com/gpu", "replicas": ts["replicas"]}],
        }},
    })


def mig_parted_entry(pool):
    """The mig-parted config list for one MIG pool (every GPU the same layout)."""
    return [{"devices": "all", "mig-enabled": True,
             "mig-devices": dict(pool["mig_resolved"]["profiles"])}]


def mig_parted_config(entries):
    """config.yaml text from {config name: entry list}; always carries all-disabled."""
    configs = dict(entries)
    configs[MIG_OFF] = [{"devices": "all", "mig-enabled": False}]
    return _dump({"version": "v1", "mig-configs": configs})


def parse_mig_parted(text):
    """{config name: entry list} from a config.yaml text (all-disabled dropped)."""
    data = load_yaml(text) or {}
    configs = dict(data.get("mig-configs") or {}) if isinstance(data, dict) else {}
    configs.pop(MIG_OFF, None)
    return configs


def merge_device_plugin(current, pools):
    """New device-plugin ConfigMap data: the listed pools' keys replaced (dropped when not shared), others kept."""
    dp = dict(current or {})
    for pool in pools:
        text = device_plugin_config(pool)
        if text is None:
            dp.pop(pool["name"], None)
        else:
            dp[pool["name"]] = text
    return dp


def merge_mig_parted(current, pools):
    """New mig-parted ConfigMap data from its current config.yaml text (None when absent): the listed pools'
    MIG configs replaced (dropped when not MIG), others kept."""
    migs = parse_mig_parted(current)
    for pool in pools:
        if pool["mode"] == "mig":
            migs[pool["name"]] = mig_parted_entry(pool)
        else:
            migs.pop(pool["name"], None)
    return {MIG_PARTED_KEY: mig_parted_config(migs)}


def configmap(name, namespace, data):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(MANAGED_LABELS)},
            "data": data}


def cluster_policy_strategy(pools, current=None):
    """mig.strategy for the ClusterPolicy: the MIG pools' common strategy, mixed if they differ.

    Without MIG pools in this task the current value is kept (None = leave it
    out of the apply unless the object is created, then "single").
    """
    strategies = sorted(set(p["mig"]["strategy"] for p in pools if p["mode"] == "mig"))
    if not strategies:
        return current
    return strategies[0] if len(strategies) == 1 else "mixed"


def dcgm_fields(dcgm):
    """dcgmExporter spec from the module's dcgm_exporter option (None = not managed)."""
    if dcgm is None:
        return None
    out = {"enabled": bool(dcgm.get("enabled", True))}
    sm = dcgm.get("service_monitor")
    if sm is not None:
        monitor = {"enabled": bool(sm.get("enabled", True))}
        if sm.get("interval"):
            monitor["interval"] = sm["interval"]
        if sm.get("honor_labels") is not None:
            monitor["honorLabels"] = bool(sm["honor_labels"])
        if sm.get("additional_labels"):
            monitor["additionalLabels"] = dict(sm["additional_labels"])
        out["serviceMonitor"] = monitor
    return out


def cluster_policy_owned(strategy, dcgm):
    """The ClusterPolicy spec fields this collection owns (applied on every run)."""
    spec = {
        "devicePlugin": {"config": {"name": DEVICE_PLUGIN_CM}},
        "migManager": {"config": {"name": MIG_PARTED_CM}},
    }
    if strategy:
        spec["mig"] = {"strategy": strategy}
    dcgm_spec = dcgm_fields(dcgm)
    if dcgm_spec is not None:
        spec["dcgmExporter"] = dcgm_spec
    return spec


def cluster_policy_defaults():
    """Spec of a new ClusterPolicy (the GPU Operator chart's defaults, in short)."""
    on = {"enabled": True}
    return {
        "operator": {"defaultRuntime": "containerd"},
        "daemonsets": {"updateStrategy": "RollingUpdate"},
        "driver": dict(on), "toolkit": dict(on), "devicePlugin": dict(on),
        "dcgm": dict(on), "dcgmExporter": dict(on), "gfd": dict(on),
        "nodeStatusExporter": {"enabled": False}, "validator": {},
        "mig": {"strategy": "single"}, "migManager": dict(on),
    }


def _deep_merge(base, over):
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def cluster_policy(owned_spec, create=False):
    """The ClusterPolicy object to apply: owned fields only, or defaults + owned on create."""
    spec = _deep_merge(cluster_policy_defaults(), owned_spec) if create else owned_spec
    return {"apiVersion": "nvidia.com/v1", "kind": "ClusterPolicy",
            "metadata": {"name": CLUSTER_POLICY, "labels": dict(MANAGED_LABELS)},
            "spec": spec}


def pool_node_labels(pool, current_labels):
    """{label: value or None (remove)} for one node of the pool.

    MIG pools select their own mig-parted config; pools leaving MIG (a node
    that still carries a mig.config label) get `all-disabled`, so the MIG
    manager really turns MIG off; pools that never had MIG get no label.
    """
    labels = {LABEL_DP_CONFIG: pool["name"] if pool["mode"] != "none" else None}
    if pool["mode"] == "mig":
        labels[LABEL_MIG_CONFIG] = pool["name"]
    elif (current_labels or {}).get(LABEL_MIG_CONFIG):
        labels[LABEL_MIG_CONFIG] = MIG_OFF
    else:
        labels[LABEL_MIG_CONFIG] = None
    return labels


def node_pool_labels(pool):
    """Labels a cloud node pool should carry so that new nodes get the configs."""
    labels = {}
    if pool["mode"] != "none":
        labels[LABEL_DP_CONFIG] = pool["name"]
    if pool["mode"] == "mig":
        labels[LABEL_MIG_CONFIG] = pool["name"]
    return labels
