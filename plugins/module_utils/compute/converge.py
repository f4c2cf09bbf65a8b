# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ray_cluster and dask_cluster modules do.

1. validate everything (no request on bad input);
2. one LIST of the nodes of every pool named (head, worker groups, operator):
   placement is derived as for workloads (zones/placement.py);
3. install the CRD when absent (compute/crds.py; an upstream CRD is left alone);
4. one batch server-side apply of the operator (its Namespace when absent,
   ServiceAccount, ClusterRole, ClusterRoleBinding and a Deployment built by
   the workload code) and the cluster object. An existing operator
   namespace is never applied again: every module shares one field manager,
   so re-applying a namespace another module (tenant) manages would drop
   that module's labels from it;
5. optionally wait for the operator's rollout.

The operator Deployment is the upstream operator image. Where pods really
run, it reconciles the cluster object into head/scheduler and worker pods.
In the local zone (KWOK nodes, no container runtime) its pod is reported
Running but executes nothing, so the cluster object is stored and validated
by the API server and no Ray or Dask pod is made from it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.compute import crds
from ansible_collections.aizone.platform.plugins.module_utils.compute.objects import (
    dask_cluster_object, operator_objects, ray_cluster_object)
from ansible_collections.aizone.platform.plugins.module_utils.compute.spec import (
    DASK_API, DEFAULTS, RAY_API, pools_wanted, validate_dask, validate_ray)
from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply_plan import header, result_entry
from ansible_collections.aizone.platform.plugins.module_utils.k8s.crd import crd_path
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.waiter import DEFAULT_WAIT_TIMEOUT

KINDS = {
    "ray": {"validate": validate_ray, "build": ray_cluster_object, "api": RAY_API, "kind": "RayCluster",
            "crd": crds.raycluster_crd},
    "dask": {"validate": validate_dask, "build": dask_cluster_object, "api": DASK_API, "kind": "DaskCluster",
             "crd": crds.daskcluster_crd},
}


def _cluster_ref(info, spec):
    return {"apiVersion": info["api"], "kind": info["kind"],
            "metadata": {"name": spec["name"], "namespace": spec["namespace"]}}


def _cluster_result(spec, action):
    return dict(name=spec["name"], namespace=spec["namespace"], action=action)


def _delete(rest, info, spec, crd_name, params, check_mode, want_diff, timeout):
    """state=absent: delete the cluster object (nothing to do when its CRD is not installed)."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import delete_objects
    if rest.get_or_none(crd_path(crd_name)) is None:
        return dict(changed=False, objects=[], api_requests=dict(rest.counts),
                    cluster=_cluster_result(spec, "unchanged"))
    result = delete_objects(rest, [_cluster_ref(info, spec)], check_mode=check_mode,
                            wait=params.get("wait", True), wait_timeout=timeout)
    out = result.as_dict(diff=want_diff)
    out["cluster"] = _cluster_result(spec, "deleted" if result.changed else "unchanged")
    out["api_requests"] = dict(rest.counts)
    return out


def _desired(kind, rest, spec, placements, cluster, served):
    """The operator's objects (unless deploy is off) and, when its kind is served, the cluster."""
    desired = []
    if spec["operator"]["deploy"]:
        namespace = spec["operator"]["namespace"]
        exists = rest.get_or_none(kind_info("v1", "Namespace").object_path(namespace)) is not None
        desired = operator_objects(kind, spec["operator"], placements, with_namespace=not exists)
    if served:
        desired.append(cluster)
    return desired


def _predicted_cluster(info, spec, cluster, objects, diff):
    """Check mode without the CRD: the cluster cannot be dry-run; it would be created as rendered."""
    ref = (info["api"], info["kind"], spec["namespace"], spec["name"])
    objects.append(result_entry(ref, "created"))
    diff.append(dict(before_header=header(ref), after_header=header(ref), before={}, after=cluster))
    return "created"


def converge(kind, params, check_mode=False, want_diff=False):
    """What ray_cluster (kind "ray") and dask_cluster (kind "dask") do; returns the result dict."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect
    from ansible_collections.aizone.platform.plugins.module_utils.workloads.rollout import wait_rollouts
    from ansible_collections.aizone.platform.plugins.module_utils.zones.placement import placements as read_placements

    info = KINDS[kind]
    spec = info["validate"](params)
    timeout = params.get("wait_timeout") or DEFAULT_WAIT_TIMEOUT
    rest = connect(params)
    crd = info["crd"]()
    crd_name = crd["metadata"]["name"]
    if spec["state"] == "absent":
        return _delete(rest, info, spec, crd_name, params, check_mode, want_diff, timeout)
    placements = read_placements(rest, pools_wanted(spec))
    cluster = info["build"](spec, placements)
    crd_action, served, crd_diff = crds.ensure_crd(rest, crd, check_mode=check_mode, timeout=min(timeout, 120))
    result = apply_objects(rest, _desired(kind, rest, spec, placements, cluster, served),
                           check_mode=check_mode, wait_timeout=timeout)
    objects = [result_entry((crd["apiVersion"], crd["kind"], None, crd_name), crd_action)] + result.objects
    diff = list(crd_diff) + list(result.diff)
    actions = [o["action"] for o in result.objects if o["kind"] == info["kind"]]
    cluster_action = actions[-1] if actions else None
    if not served:
        cluster_action = _predicted_cluster(info, spec, cluster, objects, diff)
    if spec["operator"]["deploy"] and params.get("wait", True) and not check_mode:
        wait_rollouts(rest, [("Deployment", spec["operator"]["namespace"], DEFAULTS[kind]["operator_name"])],
                      timeout)
    out = dict(changed=any(o["action"] not in ("unchanged", "foreign") for o in objects), objects=objects,
               crd=dict(name=crd_name, action=crd_action), cluster=_cluster_result(spec, cluster_action),
               api_requests=dict(rest.counts))
    if want_diff:
        out["diff"] = diff
    return out
