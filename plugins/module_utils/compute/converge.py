# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ray_cluster and dask_cluster modules do.

1. validate everything (no request on bad input);
2. check that the zone serves the kind: its upstream CRD comes with the
   kuberay or dask add-on (aizone.platform.addon), which this module never
   installs. In check mode a missing CRD is predicted as the add-on task
   before it would install it: the cluster is reported created as rendered;
3. one LIST of the nodes of every pool named (head, worker groups, scheduler,
   workers): placement is derived as for workloads (zones/placement.py);
4. one server-side apply of the RayCluster or DaskCluster. Neither operator
   changes existing pods when the pod specs change (only replica counts), so
   a cluster whose pod specs changed - its aizone.io/pods-hash annotation
   differs, or it has none - is replaced: deleted, its pods waited for until
   gone, created again (action `replaced`; check mode predicts it);
5. unless check mode or wait is off, wait until the operator has made every
   pod the object describes and they run (compute/wait.py), or fail saying why.
   state=absent deletes the object and waits until the operator's pods are gone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.compute.objects import (
    PODS_HASH, dask_cluster_object, ray_cluster_object)
from ansible_collections.aizone.platform.plugins.module_utils.compute.spec import (
    DEFAULTS, pools_wanted, served_kind, validate_dask, validate_ray)
from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.crd import crd_path, is_established
from ansible_collections.aizone.platform.plugins.module_utils.waiter import task_timeout
from ansible_collections.aizone.platform.plugins.module_utils.zones.access import require_namespace

KINDS = {
    "ray": {"validate": validate_ray, "build": ray_cluster_object},
    "dask": {"validate": validate_dask, "build": dask_cluster_object},
}


def _ref(kind, spec):
    api_version, kind_name, _crd = served_kind(kind)
    return {"apiVersion": api_version, "kind": kind_name,
            "metadata": {"name": spec["name"], "namespace": spec["namespace"]}}


def _cluster_result(spec, action):
    return dict(name=spec["name"], namespace=spec["namespace"], action=action)


def _crd_served(rest, kind, check_mode):
    """True when the cluster kind's CRD is installed and Established; False only in check mode."""
    _api, kind_name, crd_name = served_kind(kind)
    crd = rest.get_or_none(crd_path(crd_name))
    if crd is not None and is_established(crd):
        return True
    if check_mode:
        return False
    raise AizoneError("the %s CRD %s is not installed in this zone: converge the %s add-on first "
                      "(aizone.platform.addon, name: %s)" % (kind_name, crd_name, DEFAULTS[kind]["addon"],
                                                             DEFAULTS[kind]["addon"]), field="name")


def _delete(rest, kind, spec, params, check_mode, want_diff, timeout):
    """state=absent: delete the cluster object (nothing to do when its CRD is not installed)."""
    from ansible_collections.aizone.platform.plugins.module_utils.compute.wait import wait_pods_gone
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import delete_objects
    if rest.get_or_none(crd_path(served_kind(kind)[2])) is None:
        return dict(changed=False, objects=[], api_requests=dict(rest.counts),
                    cluster=_cluster_result(spec, "unchanged"))
    wait = params.get("wait", True)
    result = delete_objects(rest, [_ref(kind, spec)], check_mode=check_mode, wait=wait, wait_timeout=timeout)
    if result.changed and wait and not check_mode:
        wait_pods_gone(rest, kind, spec, timeout)
    out = result.as_dict(diff=want_diff)
    out["cluster"] = _cluster_result(spec, "deleted" if result.changed else "unchanged")
    out["api_requests"] = dict(rest.counts)
    return out


def _predicted(kind, spec, cluster):
    """Check mode without the CRD: the cluster cannot be dry-run; it would be created as rendered."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply_exec import ApplyResult
    result = ApplyResult()
    api_version, kind_name, _crd = served_kind(kind)
    result.note((api_version, kind_name, spec["namespace"], spec["name"]), "created", None, cluster)
    return result


def _needs_replace(rest, cluster):
    """True when the live cluster's pod specs differ from the desired ones (see step 4)."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
    meta = cluster["metadata"]
    path = kind_info(cluster["apiVersion"], cluster["kind"]).object_path(meta["name"], meta["namespace"])
    live = rest.get_or_none(path)
    if live is None or (live.get("metadata") or {}).get("deletionTimestamp"):
        return False
    return ((live.get("metadata") or {}).get("annotations") or {}).get(PODS_HASH) != meta["annotations"][PODS_HASH]


def _replace(rest, kind, spec, cluster, check_mode, timeout):
    """Delete the cluster, wait until its pods are gone, create it again; one `replaced` entry."""
    from ansible_collections.aizone.platform.plugins.module_utils.compute.wait import wait_pods_gone
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import (
        ApplyResult, apply_objects, delete_objects, object_ref)
    gone = delete_objects(rest, [_ref(kind, spec)], check_mode=check_mode, wait=True, wait_timeout=timeout)
    if check_mode:
        made = _predicted(kind, spec, cluster)
    else:
        wait_pods_gone(rest, kind, spec, timeout)
        made = apply_objects(rest, [cluster], wait_timeout=timeout)
    result = ApplyResult()
    result.note(object_ref(cluster), "replaced", gone.diff[0]["before"] if gone.diff else None,
                made.diff[0]["after"] if made.diff else cluster)
    return result


def converge(kind, params, check_mode=False, want_diff=False):
    """What ray_cluster (kind "ray") and dask_cluster (kind "dask") do; returns the result dict."""
    from ansible_collections.aizone.platform.plugins.module_utils.compute.wait import wait_cluster
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect
    from ansible_collections.aizone.platform.plugins.module_utils.zones.placement import placements as read_placements

    spec = KINDS[kind]["validate"](params)
    timeout = task_timeout(params)
    rest = connect(params)
    if spec["state"] == "absent":
        return _delete(rest, kind, spec, params, check_mode, want_diff, timeout)
    warnings = []
    exists = require_namespace(rest, "namespace", spec["namespace"], check_mode, warnings, "the cluster is")
    served = _crd_served(rest, kind, check_mode) and exists
    cluster = KINDS[kind]["build"](spec, read_placements(rest, pools_wanted(spec),
                                                         warnings=warnings if check_mode else None))
    if served and _needs_replace(rest, cluster):
        result = _replace(rest, kind, spec, cluster, check_mode, timeout)
    elif served:
        result = apply_objects(rest, [cluster], check_mode=check_mode, wait_timeout=timeout)
    else:
        result = _predicted(kind, spec, cluster)
    pods = None
    if params.get("wait", True) and not check_mode:
        pods = wait_cluster(rest, kind, spec, timeout)
    out = result.as_dict(diff=want_diff)
    out["cluster"] = _cluster_result(spec, result.objects[0]["action"])
    if pods is not None:
        out["cluster"]["running_pods"] = pods
    out["api_requests"] = dict(rest.counts)
    if warnings:
        out["warnings"] = warnings
    return out
