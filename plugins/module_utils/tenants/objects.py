# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tenants: the Kubernetes objects a validated tenant list stands for, and the engine's inputs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    LABEL_COMPONENT, LABEL_MANAGED_BY, MANAGED_BY, TENANT_LABEL, check_choice, check_labels)
from ansible_collections.aizone.platform.plugins.module_utils.tenants.spec import (
    LIMITS_NAME, NETPOL_NAME, PRIORITY_CLASS_COMPONENT, QUOTA_NAME, ROLES, STATES, TENANT_KINDS,
    validate_priority_classes, validate_tenants)


def _meta(name, tenant, namespace=None, labels=None, annotations=None):
    meta = {"name": name, "labels": dict(labels or {}, **{LABEL_MANAGED_BY: MANAGED_BY, TENANT_LABEL: tenant})}
    if namespace:
        meta["namespace"] = namespace
    if annotations:
        meta["annotations"] = annotations
    return meta


def tenant_objects(spec):
    """The manifests of one validated tenant, namespace first."""
    name = spec["name"]
    ns_labels = dict(spec["labels"])
    for mode in ("enforce", "audit", "warn"):
        ns_labels["pod-security.kubernetes.io/%s" % mode] = spec["pod_security"]
    objects = [{"apiVersion": "v1", "kind": "Namespace",
                "metadata": _meta(name, name, labels=ns_labels, annotations=spec["annotations"])}]
    if spec["quota"]:
        objects.append({"apiVersion": "v1", "kind": "ResourceQuota",
                        "metadata": _meta(QUOTA_NAME, name, name), "spec": {"hard": spec["quota"]}})
    for pc, hard in sorted(spec["priority_class_quotas"].items()):
        objects.append({"apiVersion": "v1", "kind": "ResourceQuota",
                        "metadata": _meta("%s-%s" % (QUOTA_NAME, pc), name, name),
                        "spec": {"hard": hard, "scopeSelector": {"matchExpressions": [
                            {"scopeName": "PriorityClass", "operator": "In", "values": [pc]}]}}})
    if spec["limit_range"]:
        objects.append({"apiVersion": "v1", "kind": "LimitRange", "metadata": _meta(LIMITS_NAME, name, name),
                        "spec": {"limits": [spec["limit_range"]]}})
    for role in ROLES:
        subjects = spec["access"].get(role)
        if subjects:
            for subject in subjects:
                if subject["kind"] == "ServiceAccount" and not subject.get("namespace"):
                    subject["namespace"] = name
            objects.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                            "metadata": _meta("tenant-%s" % role, name, name),
                            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                            "subjects": subjects})
    if spec["network_isolation"]:
        ingress = [{"from": [{"podSelector": {}}]}]
        if spec["allow_from_namespaces"]:
            ingress.append({"from": [{"namespaceSelector": {"matchExpressions": [
                {"key": "kubernetes.io/metadata.name", "operator": "In",
                 "values": spec["allow_from_namespaces"]}]}}]})
        objects.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                        "metadata": _meta(NETPOL_NAME, name, name),
                        "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": ingress}})
    return objects + [claim_object(name, c) for c in spec["volume_claims"] if c["state"] == "present"]


def claim_object(tenant, claim):
    """A tenant's PersistentVolumeClaim; without a storage class, the zone's default class provides it."""
    spec = {"accessModes": [claim["access_mode"]], "resources": {"requests": {"storage": claim["size"]}}}
    if claim["storage_class"]:
        spec["storageClassName"] = claim["storage_class"]
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": _meta(claim["name"], tenant, tenant),
            "spec": spec}


def priority_class_objects(classes):
    out = []
    for pc in classes:
        obj = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
               "metadata": {"name": pc["name"], "labels": {LABEL_MANAGED_BY: MANAGED_BY,
                                                           LABEL_COMPONENT: PRIORITY_CLASS_COMPONENT}},
               "value": pc["value"], "globalDefault": pc["global_default"],
               "preemptionPolicy": pc["preemption_policy"]}
        if pc["description"]:
            obj["description"] = pc["description"]
        out.append(obj)
    return out


def plan(tenants, state="present", prune=False, prune_selector=None, priority_classes=None,
         platform_namespaces=()):
    """Validate everything and return the engine's inputs: (desired, absent, prune specs).

    - present: every tenant's objects are desired; objects labelled with a
      listed tenant that are no longer desired (a dropped RoleBinding) are
      pruned; with prune, whole tenants (namespaces labelled aizone.io/tenant
      and matching prune_selector) that are not listed are deleted.
    - absent: the listed tenants' namespaces are deleted (their contents go
      with them).
    - priority_classes (when given) are desired whatever state is; with
      prune, managed priority classes not listed are deleted.
    """
    check_choice("state", state, STATES)
    specs = validate_tenants(tenants, platform_namespaces)
    selector = check_labels("prune_selector", prune_selector or {})
    classes = validate_priority_classes(priority_classes) if priority_classes is not None else None
    if prune and state == "absent":
        raise ValidationError("prune", "only applies with state=present")
    desired, absent, prune_specs = [], [], []
    if classes is not None:
        desired.extend(priority_class_objects(classes))
        if prune:
            prune_specs.append(dict(kinds=[("scheduling.k8s.io/v1", "PriorityClass")],
                                    labels={LABEL_COMPONENT: PRIORITY_CLASS_COMPONENT}))
    if state == "present":
        for spec in specs:
            desired.extend(tenant_objects(spec))
        if specs:
            prune_specs.append(dict(kinds=list(TENANT_KINDS[1:]),
                                    labels={TENANT_LABEL: [s["name"] for s in specs]}))
        if prune:
            prune_specs.append(dict(kinds=[TENANT_KINDS[0]], labels=dict(selector, **{TENANT_LABEL: None})))
        # claims hold data: only one marked absent is deleted, never one merely left out of the list
        absent = [claim_object(s["name"], c) for s in specs for c in s["volume_claims"] if c["state"] == "absent"]
    else:
        absent = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": s["name"]}} for s in specs]
    return desired, absent, prune_specs


def summarize(objects):
    """Per-tenant action from the engine's object list: created, updated, deleted or unchanged."""
    tenants = {}
    order = []
    for obj in objects:
        if obj["kind"] == "PriorityClass":
            continue
        name = obj["namespace"] or obj["name"]
        if name not in tenants:
            tenants[name] = "unchanged"
            order.append(name)
        if obj["kind"] == "Namespace" and obj["action"] in ("created", "deleted"):
            tenants[name] = obj["action"]
        elif obj["action"] != "unchanged" and tenants[name] == "unchanged":
            tenants[name] = "updated"
    return [dict(name=n, action=tenants[n]) for n in order]
