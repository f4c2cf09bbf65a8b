# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Minimal CustomResourceDefinitions of our own for RayCluster and DaskCluster.

They let a zone without the upstream operators' CRDs (the local zone) store
and validate `ray.io/v1` RayCluster and `kubernetes.dask.org/v1` DaskCluster
objects. The schemas check what the collection relies on (required groups,
replica counts as non-negative integers, names) and keep pod templates
whole with x-kubernetes-preserve-unknown-fields, like the upstream CRDs'
embedded pod specs; they are not the upstream CRDs.

`ensure_crd` installs one only when absent: a CRD already there and not
written by this collection (the upstream operator's, from Helm) is left
alone. Ours is converged (one GET, no write when unchanged) and, once
created, waited for until Established.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.k8s.crd import (
    CRD_API, crd_path, is_established, wait_established)
from ansible_collections.aizone.platform.plugins.module_utils.names import LABEL_MANAGED_BY, MANAGED_BY

_PRESERVE = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
_STR_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_COUNT = {"type": "integer", "format": "int32", "minimum": 0}
_TEMPLATE = dict(_PRESERVE, description="Pod template (kept whole, validated by the API server when the operator makes pods).")
_META = {"type": "object"}


def _crd(group, kind, plural, short, spec_schema, columns):
    return {
        "apiVersion": CRD_API, "kind": "CustomResourceDefinition",
        "metadata": {"name": "%s.%s" % (plural, group),
                     "annotations": {"aizone.io/crd-origin": "minimal CRD of aizone.platform, not the upstream operator's"}},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"kind": kind, "listKind": kind + "List", "plural": plural, "singular": kind.lower(),
                      "shortNames": [short]},
            "versions": [{
                "name": "v1", "served": True, "storage": True,
                "subresources": {"status": {}},
                "additionalPrinterColumns": columns,
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "required": ["spec"],
                    "properties": {
                        "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": _META,
                        "spec": spec_schema,
                        "status": _PRESERVE,
                    },
                }},
            }],
        },
    }


def raycluster_crd():
    head = {"type": "object", "required": ["template"], "properties": {
        "serviceType": {"type": "string", "enum": ["ClusterIP", "NodePort", "LoadBalancer"]},
        "enableIngress": {"type": "boolean"},
        "rayStartParams": _STR_MAP,
        "headService": _PRESERVE,
        "template": _TEMPLATE,
    }}
    worker = {"type": "object", "required": ["groupName", "template"], "properties": {
        "groupName": {"type": "string", "minLength": 1, "maxLength": 63},
        "replicas": _COUNT, "minReplicas": _COUNT, "maxReplicas": _COUNT,
        "numOfHosts": dict(_COUNT, minimum=1),
        "suspend": {"type": "boolean"},
        "rayStartParams": _STR_MAP,
        "scaleStrategy": _PRESERVE,
        "template": _TEMPLATE,
    }, "x-kubernetes-validations": [
        {"rule": "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
         "message": "minReplicas must not exceed maxReplicas"}]}
    spec = {"type": "object", "required": ["headGroupSpec"], "properties": {
        "rayVersion": {"type": "string"},
        "enableInTreeAutoscaling": {"type": "boolean"},
        "autoscalerOptions": _PRESERVE,
        "headServiceAnnotations": _STR_MAP,
        "suspend": {"type": "boolean"},
        "headGroupSpec": head,
        "workerGroupSpecs": {"type": "array", "items": worker},
    }}
    columns = [
        {"name": "desired workers", "type": "integer", "jsonPath": ".status.desiredWorkerReplicas"},
        {"name": "available workers", "type": "integer", "jsonPath": ".status.availableWorkerReplicas"},
        {"name": "status", "type": "string", "jsonPath": ".status.state"},
        {"name": "age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
    ]
    return _crd("ray.io", "RayCluster", "rayclusters", "rc", spec, columns)


def daskcluster_crd():
    pod_spec = dict(_PRESERVE, description="Pod spec (kept whole).")
    spec = {"type": "object", "required": ["scheduler", "worker"], "properties": {
        "idleTimeout": {"type": "integer", "minimum": 0},
        "scheduler": {"type": "object", "required": ["spec", "service"], "properties": {
            "metadata": _PRESERVE, "spec": pod_spec, "service": _PRESERVE}},
        "worker": {"type": "object", "required": ["spec"], "properties": {
            "replicas": _COUNT, "metadata": _PRESERVE, "spec": pod_spec}},
    }}
    columns = [
        {"name": "workers", "type": "integer", "jsonPath": ".spec.worker.replicas"},
        {"name": "status", "type": "string", "jsonPath": ".status.phase"},
        {"name": "age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
    ]
    return _crd("kubernetes.dask.org", "DaskCluster", "daskclusters", "daskcluster", spec, columns)


def ensure_crd(rest, crd, check_mode=False, timeout=60):
    """Install crd when absent (or converge our own); return (action, served now, diff entries).

    action: created | updated | unchanged | foreign (a CRD we did not write is
    there and is left alone). `served` says whether its kind can be used now
    (False only in check mode when it would be created).
    """
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import FIELD_MANAGER, apply_objects
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.diff import is_converged

    name = crd["metadata"]["name"]
    live = rest.get_or_none(crd_path(name))
    if live is not None:
        labels = (live.get("metadata") or {}).get("labels") or {}
        if labels.get(LABEL_MANAGED_BY) != MANAGED_BY:
            return "foreign", is_established(live), []
        desired = dict(crd, metadata=dict(crd["metadata"], labels={LABEL_MANAGED_BY: MANAGED_BY}))
        if is_converged(desired, live, FIELD_MANAGER) and is_established(live):
            return "unchanged", True, []
    result = apply_objects(rest, [crd], check_mode=check_mode, wait_timeout=timeout)
    action = result.objects[0]["action"]
    if check_mode:
        return action, live is not None, result.diff
    # the engine waited for a CRD it wrote; one left unchanged may not be Established yet
    after = result.live.get((crd["apiVersion"], crd["kind"], None, name))
    wait_established(rest, name, timeout, crd=after)
    return action, True, result.diff
