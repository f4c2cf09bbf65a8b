# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the workload and workload_info modules do against the cluster.

converge: validate every workload (no request on bad input), one LIST of the
nodes of every pool named, one batch server-side apply of all objects, then
(unless check mode) one wait for every rollout under one timeout.

describe: read-only; one LIST per workload kind, one of their pods and one of
the pool nodes, so each pod is reported with the pool it landed on.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    LABEL_MANAGED_BY, MANAGED_BY, POOL_LABEL, WORKLOAD_LABEL, check_choice, check_dns_label)
from ansible_collections.aizone.platform.plugins.module_utils.workloads.objects import (
    absent_refs, pools_wanted, workload_objects)
from ansible_collections.aizone.platform.plugins.module_utils.workloads.rollout import rollout_status
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import KINDS, STATES, validate_workloads
from ansible_collections.aizone.platform.plugins.module_utils.waiter import task_timeout
from ansible_collections.aizone.platform.plugins.module_utils.zones.placement import placements


def plan(specs, pool_placements):
    """(desired, absent) engine inputs of validated present specs."""
    desired, absent = [], []
    for spec in specs:
        objs, gone = workload_objects(spec, pool_placements.get(spec.get("pool")))
        desired.extend(objs)
        absent.extend(gone)
    return desired, absent


def _summarize(specs, objects, states):
    by_ref = dict(((o["kind"], o["namespace"], o["name"]), o["action"]) for o in objects)
    out = []
    for spec in specs:
        action = by_ref.get((spec["kind"], spec["namespace"], spec["name"]), "unchanged")
        if action == "unchanged" and any(by_ref.get((k, spec["namespace"], spec["name"]), "unchanged") != "unchanged"
                                         for k in ("Service", "HorizontalPodAutoscaler")):
            action = "updated"
        item = dict(name=spec["name"], namespace=spec["namespace"], kind=spec["kind"], action=action,
                    pool=spec.get("pool"))
        if states is not None:
            item["state"] = states.get((spec["kind"], spec["namespace"], spec["name"]))
        out.append(item)
    return out


def _delete(rest, specs, params, check_mode, want_diff, timeout):
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import delete_objects
    refs = [ref for spec in specs for ref in absent_refs(spec)]
    result = delete_objects(rest, refs, check_mode=check_mode, wait=params.get("wait", True), wait_timeout=timeout)
    out = result.as_dict(diff=want_diff)
    out["workloads"] = _summarize(specs, result.objects, None)
    for item in out["workloads"]:
        if item["action"] == "updated":
            item["action"] = "deleted"
    out["api_requests"] = dict(rest.counts)
    return out


def _wait(rest, specs, timeout):
    from ansible_collections.aizone.platform.plugins.module_utils.workloads.rollout import wait_rollouts
    targets = [(s["kind"], s["namespace"], s["name"]) for s in specs]
    floors = dict(((s["kind"], s["namespace"], s["name"]), s["autoscaling"]["min"])
                  for s in specs if s.get("autoscaling"))
    return wait_rollouts(rest, targets, timeout, min_replicas=floors)


def converge(params, check_mode=False, want_diff=False):
    """The workload module: returns the result dict."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect

    state = check_choice("state", params.get("state") or "present", STATES)
    timeout = task_timeout(params)
    specs = validate_workloads(params.get("workloads") or [], state)
    if not specs:
        return dict(changed=False, workloads=[], objects=[], api_requests={})
    rest = connect(params)
    if state == "absent":
        return _delete(rest, specs, params, check_mode, want_diff, timeout)
    demands = [(s["pool"], "workloads[%d].resources" % i, s["resources"]["requests"])
               for i, s in enumerate(specs) if s.get("pool")]
    warnings = [] if check_mode else None
    desired, absent = plan(specs, placements(rest, pools_wanted(specs), demands, warnings))
    result = apply_objects(rest, desired, check_mode=check_mode, absent=absent, wait_timeout=timeout)
    states = _wait(rest, specs, timeout) if params.get("wait", True) and not check_mode else None
    out = result.as_dict(diff=want_diff)
    if warnings:
        out["warnings"] = warnings
    out["workloads"] = _summarize(specs, result.objects, states)
    out["api_requests"] = dict(rest.counts)
    return out


def _pod_view(pod, node_pools):
    node = (pod.get("spec") or {}).get("nodeName")
    return dict(name=pod["metadata"]["name"], phase=(pod.get("status") or {}).get("phase"),
                node=node, node_pool=node_pools.get(node))


def _workload_view(obj, pods, node_pools):
    meta, spec = obj["metadata"], obj.get("spec") or {}
    done, _failure, text = rollout_status(obj)
    template = spec.get("template") or {}
    containers = (template.get("spec") or {}).get("containers") or [{}]
    resources = containers[0].get("resources") or {}
    status = obj.get("status") or {}
    view = dict(name=meta["name"], namespace=meta["namespace"], kind=obj["kind"],
                pool=(meta.get("labels") or {}).get(POOL_LABEL), image=containers[0].get("image"),
                requests=resources.get("requests") or {}, limits=resources.get("limits") or {},
                ready=done, state=text, pods=[_pod_view(p, node_pools) for p in pods])
    if obj["kind"] == "Job":
        view["succeeded"] = status.get("succeeded") or 0
    else:
        view["replicas"] = spec.get("replicas")
        view["ready_replicas"] = status.get("readyReplicas") or 0
    return view


def describe(params):
    """The workload_info module: every managed workload (optionally filtered), read only."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect

    namespace = check_dns_label("namespace", params["namespace"]) if params.get("namespace") else None
    names = [check_dns_label("names[%d]" % i, n) for i, n in enumerate(params.get("names") or [])]
    kinds = params.get("kinds") or list(KINDS)
    for i, kind in enumerate(kinds):
        check_choice("kinds[%d]" % i, kind, tuple(KINDS))
    rest = connect(params)
    selector = "%s=%s,%s" % (LABEL_MANAGED_BY, MANAGED_BY, WORKLOAD_LABEL)
    if names:
        selector = "%s=%s,%s in (%s)" % (LABEL_MANAGED_BY, MANAGED_BY, WORKLOAD_LABEL, ",".join(sorted(set(names))))
    found = []
    for kind in kinds:
        for obj in rest.list_all(kind_info(KINDS[kind], kind).collection_path(namespace), selector):
            obj["kind"] = kind
            found.append(obj)
    if not found:
        return dict(changed=False, workloads=[])
    pods = rest.list_all(kind_info("v1", "Pod").collection_path(namespace), WORKLOAD_LABEL)
    node_pools = dict((n["metadata"]["name"], (n["metadata"].get("labels") or {}).get(POOL_LABEL))
                      for n in rest.list_all("/api/v1/nodes", POOL_LABEL))
    by_owner = {}
    for pod in pods:
        key = (pod["metadata"]["namespace"], (pod["metadata"].get("labels") or {}).get(WORKLOAD_LABEL))
        by_owner.setdefault(key, []).append(pod)
    out = [_workload_view(obj, sorted(by_owner.get((obj["metadata"]["namespace"], obj["metadata"]["name"]), []),
                                      key=lambda p: p["metadata"]["name"]), node_pools)
           for obj in sorted(found, key=lambda o: (o["metadata"]["namespace"], o["metadata"]["name"], o["kind"]))]
    return dict(changed=False, workloads=out)
