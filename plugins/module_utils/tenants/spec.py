# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tenants: validation of the tenant list and priority classes, before any API call.

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
here, before any API call; errors name the option path. tenants/objects.py
builds the objects, tenants/converge.py is what the modules call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import (
    compare_quantities, parse_quantity, validate_quantity)
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    GPU_OPERATOR_NAMESPACE, LABEL_MANAGED_BY, TENANT_LABEL, check_annotations, check_choice, check_dns_label, check_dns_subdomain,
    check_labels)

STATES = ("present", "absent")
PRIORITY_CLASS_COMPONENT = "priority-class"
POD_SECURITY_LEVELS = ("privileged", "baseline", "restricted")
DEFAULT_POD_SECURITY = "restricted"
ROLES = ("admin", "edit", "view")
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")
DEFAULT_PREEMPTION_POLICY = "PreemptLowerPriority"
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
        if "/" in key and not key.startswith("count/") and ".storageclass." not in key and \
                parse_quantity(value).denominator != 1:
            raise ValidationError("%s.%s" % (field, key), "%r: devices (%s) are whole units; give an integer"
                                  % (value, key.split(".", 1)[-1]))
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
        role = check_choice(where + ".role", entry.get("role"), ROLES)
        if role is None:
            raise ValidationError(where + ".role", "is required; allowed values: %s" % ", ".join(ROLES))
        subjects = by_role.setdefault(role, [])
        for name in entry.get("groups") or []:
            subjects.append({"kind": "Group", "name": str(name), "apiGroup": "rbac.authorization.k8s.io"})
        for name in entry.get("users") or []:
            subjects.append({"kind": "User", "name": str(name), "apiGroup": "rbac.authorization.k8s.io"})
        for i, name in enumerate(entry.get("service_accounts") or []):
            ns, _sep, sa = str(name).rpartition("/")
            where_sa = "%s.service_accounts[%d]" % (where, i)
            if ns:
                check_dns_label(where_sa, ns, max_length=63)
            check_dns_subdomain(where_sa, sa, "a service account name, or <namespace>/<name>")
            subjects.append({"kind": "ServiceAccount", "name": sa, "namespace": ns or None})
        if not subjects:
            raise ValidationError(where, "needs at least one of groups, users, service_accounts")
    return by_role


def reserved_namespaces():
    """{namespace: what owns it} of the namespaces no tenant may take: Kubernetes' own and the add-ons'."""
    from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDONS
    owners = dict((addon["namespace"], "the %s add-on" % key) for key, addon in ADDONS.items())
    owners.update({"default": "Kubernetes", GPU_OPERATOR_NAMESPACE: "the NVIDIA GPU Operator"})
    return owners


def check_not_reserved(field, name):
    """name, unless the cluster or an add-on owns that namespace (kube-*, default, the add-ons' namespaces)."""
    owners = reserved_namespaces()
    owner = "Kubernetes" if name.startswith("kube-") else owners.get(name)
    if owner:
        raise ValidationError(field, "%r is %s's namespace; a tenant needs one of its own (reserved: kube-*, %s)"
                              % (name, owner, ", ".join(sorted(owners))))
    return name


def validate_tenant(index, tenant, platform_namespaces=()):
    """Return the normalized spec of one tenant (raises ValidationError)."""
    field = "tenants[%d]" % index
    if not isinstance(tenant, dict):
        raise ValidationError(field, "must be a mapping with at least a name")
    name = check_not_reserved(field + ".name", check_dns_label(field + ".name", tenant.get("name")))
    level = check_choice(field + ".pod_security", tenant.get("pod_security") or DEFAULT_POD_SECURITY, POD_SECURITY_LEVELS)
    pcq = {}
    for pc, quota in (tenant.get("priority_class_quotas") or {}).items():
        check_dns_label("%s.priority_class_quotas.%s" % (field, pc), pc)
        pcq[pc] = _quota("%s.priority_class_quotas.%s" % (field, pc), quota)
    allow = []
    for i, ns in enumerate(list(platform_namespaces or []) + list(tenant.get("allow_from_namespaces") or [])):
        check_dns_label("%s.allow_from_namespaces[%d]" % (field, i), ns)
        if ns not in allow:
            allow.append(ns)
    reserved = (LABEL_MANAGED_BY, TENANT_LABEL) + tuple(
        "pod-security.kubernetes.io/%s" % m for m in ("enforce", "audit", "warn"))
    return dict(
        name=name,
        labels=check_labels(field + ".labels", tenant.get("labels") or {}, reserved),
        annotations=check_annotations(field + ".annotations", tenant.get("annotations") or {}),
        pod_security=level,
        quota=_quota(field + ".quota", tenant.get("quota")) if tenant.get("quota") else None,
        priority_class_quotas=pcq,
        limit_range=_limit_range(field + ".limit_range", tenant["limit_range"]) if tenant.get("limit_range") else None,
        access=_access(field + ".access", tenant.get("access")),
        network_isolation=tenant.get("network_isolation", True) is not False,
        allow_from_namespaces=allow,
        volume_claims=_volume_claims(field + ".volume_claims", tenant.get("volume_claims")),
    )


ACCESS_MODES = ("ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod")


def _volume_claims(field, claims):
    """[{name, size, storage_class, access_mode, state}] of a tenant's PersistentVolumeClaims."""
    out, seen = [], set()
    for index, claim in enumerate(claims or []):
        where = "%s[%d]" % (field, index)
        name = check_dns_subdomain(where + ".name", (claim or {}).get("name"), "a claim name")
        if name in seen:
            raise ValidationError(where + ".name", "%r is listed twice" % name)
        seen.add(name)
        storage_class = claim.get("storage_class")
        if storage_class:
            check_dns_subdomain(where + ".storage_class", storage_class, "a StorageClass name")
        out.append({"name": name, "storage_class": storage_class,
                    "size": validate_quantity(where + ".size", claim.get("size"), allow_zero=False),
                    "access_mode": check_choice(where + ".access_mode", claim.get("access_mode") or ACCESS_MODES[0],
                                                ACCESS_MODES),
                    "state": check_choice(where + ".state", claim.get("state") or "present", STATES)})
    return out


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
        name = check_dns_subdomain(field + ".name", pc.get("name"))
        if name.startswith("system-"):
            raise ValidationError(field + ".name", "the system- prefix is reserved by Kubernetes")
        if name in seen:
            raise ValidationError(field + ".name", "%s is listed twice" % name)
        seen.add(name)
        value = pc.get("value")
        if isinstance(value, bool) or not isinstance(value, int) or not -2147483648 <= value <= 1000000000:
            raise ValidationError(field + ".value", "%r must be an integer up to 1000000000 "
                                                    "(higher values are reserved for system classes)" % (value,))
        policy = check_choice(field + ".preemption_policy", pc.get("preemption_policy") or DEFAULT_PREEMPTION_POLICY,
                              PREEMPTION_POLICIES)
        out.append(dict(name=name, value=value, description=pc.get("description"),
                        global_default=bool(pc.get("global_default")), preemption_policy=policy))
    if sum(1 for pc in out if pc["global_default"]) > 1:
        raise ValidationError("priority_classes", "at most one class may set global_default")
    return out
