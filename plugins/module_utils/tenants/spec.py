# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tenants: validate a tenant list and build the Kubernetes objects it stands for.

A tenant is a namespace of the same name with, all labelled
app.kubernetes.io/managed-by=aizone.platform and aizone.io/tenant=<name>:

- Namespace: user labels/annotations and Pod Security Standards labels;
- ResourceQuota `tenant-quota` (quota) and `tenant-quota-<class>` per
  PriorityClass (priority_class_quotas, scopeSelector on PriorityClass);
- LimitRange `tenant-limits` (container defaults, min, max);
- RoleBinding `tenant-<role>` per role (admin, edit, view) of `access`;
- NetworkPolicy `tenant-isolation`: ingress only from the namespace itself
  and from the platform namespaces.

Cluster-wide PriorityClasses come from a separate list. Everything is checked
here, before any API call; errors name the option path.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import LABEL_MANAGED_BY, MANAGED_BY
from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import (
    compare_quantities, validate_quantity)

LABEL_TENANT = "aizone.io/tenant"
LABEL_COMPONENT = "app.kubernetes.io/component"
PRIORITY_CLASS_COMPONENT = "priority-class"
POD_SECURITY_LEVELS = ("privileged", "baseline", "restricted")
ROLES = ("admin", "edit", "view")
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")
# The platform design's tiers; roles pass them as priority_classes by default.
DEFAULT_PRIORITY_CLASSES = (
    ("production-inference", 1000), ("critical-agents", 900), ("training", 500),
    ("research", 100), ("development", 50),
)

QUOTA_NAME = "tenant-quota"
LIMITS_NAME = "tenant-limits"
NETPOL_NAME = "tenant-isolation"

TENANT_KINDS = (("v1", "Namespace"), ("v1", "ResourceQuota"), ("v1", "LimitRange"),
                ("rbac.authorization.k8s.io/v1", "RoleBinding"), ("networking.k8s.io/v1", "NetworkPolicy"))

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_EXTENDED = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")

STANDARD_QUOTA_KEYS = frozenset([
    "cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory",
    "pods", "services", "services.loadbalancers", "services.nodeports", "secrets", "configmaps",
    "persistentvolumeclaims", "replicationcontrollers", "resourcequotas", "requests.storage",
    "ephemeral-storage", "requests.ephemeral-storage", "limits.ephemeral-storage",
])
QUOTA_KEY_HINT = ("one of %s; requests.<vendor>/<resource> (e.g. requests.nvidia.com/gpu, "
                  "requests.nvidia.com/mig-1g.10gb); <class>.storageclass.storage.k8s.io/requests.storage "
                  "or /persistentvolumeclaims; count/<resource>[.<group>]; hugepages-<size> or "
                  "requests.hugepages-<size>" % ", ".join(sorted(STANDARD_QUOTA_KEYS)))
LIMIT_RANGE_KEYS = (("default", "default"), ("default_request", "defaultRequest"), ("max", "max"),
                    ("min", "min"), ("max_limit_request_ratio", "maxLimitRequestRatio"))


def _dns_label(field, value):
    if not isinstance(value, str) or len(value) > 63 or not _DNS_LABEL.match(value):
        raise ValidationError(field, "%r is not a DNS-1123 label (lowercase letters, digits and '-', "
                                     "starting and ending alphanumeric, at most 63 characters)" % (value,))
    return value


def _label_key(field, key):
    prefix, _sep, name = key.rpartition("/")
    if (not name or len(name) > 63 or not _LABEL_NAME.match(name)
            or (prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)))):
        raise ValidationError(field, "%r is not a valid label key ([prefix/]name, name up to 63 "
                                     "characters of letters, digits, '-', '_', '.')" % (key,))


def _labels(field, labels, reserved=()):
    out = {}
    for key, value in (labels or {}).items():
        _label_key("%s.%s" % (field, key), key)
        if key in reserved:
            raise ValidationError("%s.%s" % (field, key), "is set by the module; remove it")
        value = "" if value is None else str(value) if not isinstance(value, bool) else str(value).lower()
        if len(value) > 63 or not _LABEL_VALUE.match(value):
            raise ValidationError("%s.%s" % (field, key), "%r is not a valid label value (up to 63 "
                                                          "letters, digits, '-', '_', '.')" % (value,))
        out[key] = value
    return out


def validate_quota_key(field, key):
    """Raise ValidationError unless key is a ResourceQuota resource Kubernetes enforces."""
    if key in STANDARD_QUOTA_KEYS:
        return
    if key.startswith("limits.") and _EXTENDED.match(key[len("limits."):]):
        raise ValidationError(field, "%s is never enforced by Kubernetes: quota on extended resources "
                                     "only counts requests (an extended resource's limit always equals "
                                     "its request, so it cannot be overcommitted). Use requests.%s"
                              % (key, key[len("limits."):]))
    if key.startswith("requests.") and _EXTENDED.match(key[len("requests."):]):
        return
    if _EXTENDED.match(key) and not key.startswith("count/") and ".storageclass.storage.k8s.io/" not in key:
        raise ValidationError(field, "%s is not enforced as a quota key; extended resources are limited "
                                     "as requests.%s" % (key, key))
    if re.match(r"^[a-z0-9.-]+\.storageclass\.storage\.k8s\.io/(requests\.storage|persistentvolumeclaims)$", key):
        return
    if re.match(r"^count/[a-z0-9]+(\.[a-z0-9.-]+)?$", key):
        return
    if re.match(r"^(requests\.)?hugepages-[0-9]+(Ki|Mi|Gi)$", key):
        return
    raise ValidationError(field, "%r is not a ResourceQuota resource; use %s" % (key, QUOTA_KEY_HINT))


def _quota(field, quota):
    if not isinstance(quota, dict):
        raise ValidationError(field, "must be a mapping of resource name to quantity")
    hard = {}
    for key, value in quota.items():
        validate_quota_key("%s.%s" % (field, key), key)
        hard[key] = validate_quantity("%s.%s" % (field, key), value)
    return hard


def _resource_map(field, values):
    if not isinstance(values, dict):
        raise ValidationError(field, "must be a mapping of resource name (cpu, memory, ...) to quantity")
    out = {}
    for key, value in values.items():
        if key not in ("cpu", "memory", "ephemeral-storage") and not _EXTENDED.match(key):
            raise ValidationError("%s.%s" % (field, key), "%r is not a container resource; use cpu, "
                                                          "memory, ephemeral-storage or <vendor>/<name>" % (key,))
        out[key] = validate_quantity("%s.%s" % (field, key), value)
    return out


def _limit_range(field, spec):
    if not isinstance(spec, dict):
        raise ValidationError(field, "must be a mapping with keys %s" % ", ".join(dict(LIMIT_RANGE_KEYS)))
    known = dict(LIMIT_RANGE_KEYS)
    for key in spec:
        if key not in known:
            raise ValidationError("%s.%s" % (field, key), "unknown key; allowed: %s"
                                  % ", ".join(dict(LIMIT_RANGE_KEYS)))
    item = {"type": "Container"}
    parsed = {}
    for key, api_key in LIMIT_RANGE_KEYS:
        if spec.get(key):
            parsed[key] = _resource_map("%s.%s" % (field, key), spec[key])
            item[api_key] = parsed[key]
    # lower bound <= upper bound, as the API server will insist
    for low, high in (("min", "default_request"), ("default_request", "default"), ("min", "default"),
                      ("default", "max"), ("default_request", "max"), ("min", "max")):
        for res, low_value in parsed.get(low, {}).items():
            high_value = parsed.get(high, {}).get(res)
            if high_value is not None and compare_quantities(low_value, high_value) > 0:
                raise ValidationError("%s.%s.%s" % (field, low, res), "%s is above %s.%s (%s)"
                                      % (low_value, high, res, high_value))
    return item if len(item) > 1 else None


def _access(field, entries):
    by_role = {}
    for index, entry in enumerate(entries or []):
        where = "%s[%d]" % (field, index)
        role = entry.get("role")
        if role not in ROLES:
            raise ValidationError(where + ".role", "%r is not one of %s" % (role, ", ".join(ROLES)))
        subjects = by_role.setdefault(role, [])
        for name in entry.get("groups") or []:
            subjects.append({"kind": "Group", "name": str(name), "apiGroup": "rbac.authorization.k8s.io"})
        for name in entry.get("users") or []:
            subjects.append({"kind": "User", "name": str(name), "apiGroup": "rbac.authorization.k8s.io"})
        for name in entry.get("service_accounts") or []:
            ns, _sep, sa = str(name).rpartition("/")
            subjects.append({"kind": "ServiceAccount", "name": sa, "namespace": ns or None})
        if not subjects:
            raise ValidationError(where, "needs at least one of groups, users, service_accounts")
    return by_role


def validate_tenant(index, tenant, platform_namespaces=()):
    """Return the normalized spec of one tenant (raises ValidationError)."""
    field = "tenants[%d]" % index
    if not isinstance(tenant, dict):
        raise ValidationError(field, "must be a mapping with at least a name")
    name = _dns_label(field + ".name", tenant.get("name"))
    level = tenant.get("pod_security") or "restricted"
    if level not in POD_SECURITY_LEVELS:
        raise ValidationError(field + ".pod_security", "%r is not one of %s"
                              % (level, ", ".join(POD_SECURITY_LEVELS)))
    pcq = {}
    for pc, quota in (tenant.get("priority_class_quotas") or {}).items():
        _dns_label("%s.priority_class_quotas.%s" % (field, pc), pc)
        pcq[pc] = _quota("%s.priority_class_quotas.%s" % (field, pc), quota)
    allow = []
    for i, ns in enumerate(list(platform_namespaces or []) + list(tenant.get("allow_from_namespaces") or [])):
        _dns_label("%s.allow_from_namespaces[%d]" % (field, i), ns)
        if ns not in allow:
            allow.append(ns)
    reserved = (LABEL_MANAGED_BY, LABEL_TENANT) + tuple(
        "pod-security.kubernetes.io/%s" % m for m in ("enforce", "audit", "warn"))
    return dict(
        name=name,
        labels=_labels(field + ".labels", tenant.get("labels"), reserved),
        annotations=dict((str(k), str(v)) for k, v in (tenant.get("annotations") or {}).items()),
        pod_security=level,
        quota=_quota(field + ".quota", tenant.get("quota")) if tenant.get("quota") else None,
        priority_class_quotas=pcq,
        limit_range=_limit_range(field + ".limit_range", tenant["limit_range"]) if tenant.get("limit_range") else None,
        access=_access(field + ".access", tenant.get("access")),
        network_isolation=tenant.get("network_isolation", True) is not False,
        allow_from_namespaces=allow,
    )


def validate_tenants(tenants, platform_namespaces=()):
    specs, seen = [], set()
    for index, tenant in enumerate(tenants or []):
        spec = validate_tenant(index, tenant, platform_namespaces)
        if spec["name"] in seen:
            raise ValidationError("tenants[%d].name" % index, "%s is listed twice" % spec["name"])
        seen.add(spec["name"])
        specs.append(spec)
    return specs


def validate_priority_classes(classes):
    out, seen = [], set()
    for index, pc in enumerate(classes or []):
        field = "priority_classes[%d]" % index
        name = pc.get("name")
        if not isinstance(name, str) or not _DNS_SUBDOMAIN.match(name) or len(name) > 253:
            raise ValidationError(field + ".name", "%r is not a DNS-1123 subdomain" % (name,))
        if name.startswith("system-"):
            raise ValidationError(field + ".name", "the system- prefix is reserved by Kubernetes")
        if name in seen:
            raise ValidationError(field + ".name", "%s is listed twice" % name)
        seen.add(name)
        value = pc.get("value")
        if isinstance(value, bool) or not isinstance(value, int) or not -2147483648 <= value <= 1000000000:
            raise ValidationError(field + ".value", "%r must be an integer up to 1000000000 "
                                                    "(higher values are reserved for system classes)" % (value,))
        policy = pc.get("preemption_policy") or "PreemptLowerPriority"
        if policy not in PREEMPTION_POLICIES:
            raise ValidationError(field + ".preemption_policy", "%r is not one of %s"
                                  % (policy, ", ".join(PREEMPTION_POLICIES)))
        out.append(dict(name=name, value=value, description=pc.get("description"),
                        global_default=bool(pc.get("global_default")), preemption_policy=policy))
    if sum(1 for pc in out if pc["global_default"]) > 1:
        raise ValidationError("priority_classes", "at most one class may set global_default")
    return out


def _meta(name, tenant, namespace=None, labels=None, annotations=None):
    meta = {"name": name, "labels": dict(labels or {}, **{LABEL_MANAGED_BY: MANAGED_BY, LABEL_TENANT: tenant})}
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
    return objects


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
    if state not in ("present", "absent"):
        raise ValidationError("state", "%r is not one of present, absent" % (state,))
    specs = validate_tenants(tenants, platform_namespaces)
    selector = _labels("prune_selector", prune_selector)
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
                                    labels={LABEL_TENANT: [s["name"] for s in specs]}))
        if prune:
            prune_specs.append(dict(kinds=[TENANT_KINDS[0]], labels=dict(selector, **{LABEL_TENANT: None})))
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


def converge(params, check_mode=False, want_diff=False):
    """What the tenant module does: validate, then one engine call. Returns the result dict."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import build_client

    desired, absent, prune_specs = plan(params.get("tenants") or [], params.get("state") or "present",
                                        params.get("prune"), params.get("prune_selector"),
                                        params.get("priority_classes"), params.get("platform_namespaces") or ())
    if not desired and not absent and not prune_specs:
        return dict(changed=False, tenants=[], objects=[])
    api_client = build_client(params)
    result = apply_objects(api_client, desired, check_mode=check_mode, prune=prune_specs, absent=absent,
                           wait_deleted=params.get("wait", True), wait_timeout=params.get("wait_timeout") or 300)
    out = result.as_dict(diff=want_diff)
    out["tenants"] = summarize(result.objects)
    return out


def _tenant_view(ns, quotas, limit_ranges, bindings, policies):
    labels = (ns.get("metadata") or {}).get("labels") or {}
    name = ns["metadata"]["name"]
    return dict(
        name=name,
        phase=(ns.get("status") or {}).get("phase"),
        labels=dict((k, v) for k, v in labels.items()
                    if k not in (LABEL_MANAGED_BY, LABEL_TENANT, "kubernetes.io/metadata.name")
                    and not k.startswith("pod-security.kubernetes.io/")),
        annotations=(ns.get("metadata") or {}).get("annotations") or {},
        pod_security=labels.get("pod-security.kubernetes.io/enforce"),
        quotas=[dict(name=q["metadata"]["name"], hard=(q.get("status") or {}).get("hard") or q["spec"].get("hard", {}),
                     used=(q.get("status") or {}).get("used") or {},
                     priority_classes=[v for e in ((q["spec"].get("scopeSelector") or {}).get("matchExpressions") or [])
                                       if e.get("scopeName") == "PriorityClass" for v in e.get("values") or []])
                for q in quotas if q["metadata"]["namespace"] == name],
        limit_range=next(((lr.get("spec") or {}).get("limits") or [None] for lr in limit_ranges
                          if lr["metadata"]["namespace"] == name), [None])[0],
        access=[dict(role=b["roleRef"]["name"], subjects=b.get("subjects") or [])
                for b in bindings if b["metadata"]["namespace"] == name],
        network_isolation=any(p["metadata"]["namespace"] == name for p in policies),
    )


def describe(params):
    """What tenant_info does: one LIST per tenant kind, read only."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import build_client
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import KindInfo, STATIC_KINDS
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.rest import Rest

    names = params.get("names") or []
    for index, name in enumerate(names):
        _dns_label("names[%d]" % index, name)
    rest = Rest(build_client(params))
    selector = "%s=%s,%s" % (LABEL_MANAGED_BY, MANAGED_BY, LABEL_TENANT)
    lists = {}
    for api_version, kind in TENANT_KINDS:
        info = KindInfo(api_version, kind, *STATIC_KINDS[(api_version, kind)])
        lists[kind] = rest.list_all(info.collection_path(), selector)
    namespaces = [ns for ns in lists["Namespace"] if not names or ns["metadata"]["name"] in names]
    tenants = [_tenant_view(ns, lists["ResourceQuota"], lists["LimitRange"], lists["RoleBinding"],
                            lists["NetworkPolicy"]) for ns in sorted(namespaces, key=lambda n: n["metadata"]["name"])]
    return dict(changed=False, tenants=tenants)
