# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Workloads: the Deployment, StatefulSet or Job of a validated spec, its Service and HPA."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.names import LABEL_NAME, POOL_LABEL, WORKLOAD_LABEL
from ansible_collections.aizone.platform.plugins.module_utils.workloads.spec import HPA_API, KINDS


def _meta(spec, extra_labels=None):
    labels = dict(spec.get("labels") or {})
    labels.update({LABEL_NAME: spec["name"], WORKLOAD_LABEL: spec["name"]})
    if spec.get("pool"):
        labels[POOL_LABEL] = spec["pool"]
    labels.update(extra_labels or {})
    meta = {"name": spec["name"], "namespace": spec["namespace"], "labels": labels}
    if spec.get("annotations"):
        meta["annotations"] = dict(spec["annotations"])
    return meta


# Tenants enforce the restricted Pod Security Standard by default, so pods
# carry the settings it requires (the image must run as a non-root user).
RESTRICTED_POD = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED_CONTAINER = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def container(spec):
    """The workload's one container."""
    res = spec["resources"]
    out = {"name": spec["name"], "image": spec["image"], "imagePullPolicy": spec["image_pull_policy"],
           "securityContext": dict(RESTRICTED_CONTAINER)}
    if spec.get("command") is not None:
        out["command"] = spec["command"]
    if spec.get("args") is not None:
        out["args"] = spec["args"]
    if spec.get("env"):
        out["env"] = spec["env"]
    if spec.get("ports"):
        out["ports"] = [{"name": p["name"], "containerPort": p["port"], "protocol": p["protocol"]}
                        for p in spec["ports"]]
    resources = {}
    if res["requests"]:
        resources["requests"] = dict(res["requests"])
    if res["limits"]:
        resources["limits"] = dict(res["limits"])
    if resources:
        out["resources"] = resources
    if spec.get("volumes"):
        mounts = []
        for vol in spec["volumes"]:
            mount = {"name": _volume_name(vol["claim"]), "mountPath": vol["mount_path"]}
            if vol["read_only"]:
                mount["readOnly"] = True
            if vol.get("sub_path"):
                mount["subPath"] = vol["sub_path"]
            mounts.append(mount)
        out["volumeMounts"] = mounts
    return out


def _volume_name(claim):
    name = re.sub(r"[^a-z0-9-]", "-", claim)[:63].strip("-")
    return name or "claim"


def pod_spec(spec, placement=None, restart_policy=None):
    """Pod spec of a workload; placement is (nodeSelector, tolerations) from placement.py."""
    out = {"containers": [container(spec)], "securityContext": dict(RESTRICTED_POD)}
    if placement:
        selector, tolerations = placement
        out["nodeSelector"] = dict(selector)
        if tolerations:
            out["tolerations"] = [dict(t) for t in tolerations]
    if spec.get("priority_class"):
        out["priorityClassName"] = spec["priority_class"]
    if spec.get("service_account"):
        out["serviceAccountName"] = spec["service_account"]
    if restart_policy:
        out["restartPolicy"] = restart_policy
    if spec.get("volumes"):
        seen, volumes = set(), []
        for vol in spec["volumes"]:
            name = _volume_name(vol["claim"])
            if name not in seen:
                seen.add(name)
                volumes.append({"name": name, "persistentVolumeClaim": {"claimName": vol["claim"]}})
        out["volumes"] = volumes
    return out


def _template(spec, placement, restart_policy=None):
    labels = dict(spec.get("labels") or {})
    labels.update({LABEL_NAME: spec["name"], WORKLOAD_LABEL: spec["name"]})
    if spec.get("pool"):
        labels[POOL_LABEL] = spec["pool"]
    return {"metadata": {"labels": labels}, "spec": pod_spec(spec, placement, restart_policy)}


def workload_object(spec, placement=None):
    """The Deployment, StatefulSet or Job."""
    kind = spec["kind"]
    obj = {"apiVersion": KINDS[kind], "kind": kind, "metadata": _meta(spec)}
    if kind == "Job":
        obj["spec"] = {"completions": spec["completions"], "parallelism": spec["parallelism"],
                       "backoffLimit": spec["backoff_limit"],
                       "template": _template(spec, placement, spec["restart_policy"])}
        return obj
    body = {"selector": {"matchLabels": {WORKLOAD_LABEL: spec["name"]}},
            "template": _template(spec, placement)}
    if not spec.get("autoscaling"):
        body["replicas"] = spec["replicas"]
    if kind == "StatefulSet":
        body["serviceName"] = spec["name"]
    obj["spec"] = body
    return obj


def service_object(spec):
    svc = spec["service"]
    body = {"selector": {WORKLOAD_LABEL: spec["name"]},
            "ports": [{"name": p["name"], "port": p["port"], "targetPort": p["port"], "protocol": p["protocol"]}
                      for p in spec["ports"]]}
    if svc["type"] == "Headless":
        body["type"] = "ClusterIP"
        body["clusterIP"] = "None"
    else:
        body["type"] = svc["type"]
    meta = _meta(spec)
    meta.pop("annotations", None)
    if svc.get("annotations"):
        meta["annotations"] = dict((str(k), str(v)) for k, v in svc["annotations"].items())
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": body}


def hpa_object(spec):
    auto = spec["autoscaling"]
    meta = _meta(spec)
    meta.pop("annotations", None)
    return {"apiVersion": HPA_API, "kind": "HorizontalPodAutoscaler", "metadata": meta, "spec": {
        "scaleTargetRef": {"apiVersion": KINDS[spec["kind"]], "kind": spec["kind"], "name": spec["name"]},
        "minReplicas": auto["min"], "maxReplicas": auto["max"],
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": auto["target_cpu_utilization"]}}}],
    }}


def _ref(api_version, kind, spec):
    return {"apiVersion": api_version, "kind": kind,
            "metadata": {"name": spec["name"], "namespace": spec["namespace"]}}


def workload_objects(spec, placement=None):
    """(desired, absent): the objects of a workload, and the companions it no longer wants.

    A Service or HPA the spec dropped, and the workload's object of another
    kind (the kind was changed), are deleted; only objects carrying the
    collection's managed-by label are, the engine never deletes anything else.
    """
    desired = [workload_object(spec, placement)]
    absent = [_ref(KINDS[kind], kind, spec) for kind in sorted(KINDS) if kind != spec["kind"]]
    if spec.get("service"):
        desired.append(service_object(spec))
    else:
        absent.append(_ref("v1", "Service", spec))
    if spec.get("autoscaling"):
        desired.append(hpa_object(spec))
    else:
        absent.append(_ref(HPA_API, "HorizontalPodAutoscaler", spec))
    return desired, absent


def absent_refs(spec):
    """Everything a workload may own, for state=absent."""
    return [_ref(KINDS[spec["kind"]], spec["kind"], spec), _ref("v1", "Service", spec),
            _ref(HPA_API, "HorizontalPodAutoscaler", spec)]


def pools_wanted(specs, field="workloads"):
    """{pool: option path of its first use} for placement.placements."""
    wanted = {}
    for i, spec in enumerate(specs):
        if spec.get("pool") and spec["pool"] not in wanted:
            wanted[spec["pool"]] = "%s[%d].pool" % (field, i)
    return wanted
