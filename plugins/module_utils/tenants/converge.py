# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the tenant and tenant_info modules do: one engine call, or one LIST per tenant kind."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.names import (
    LABEL_MANAGED_BY, MANAGED_BY, TENANT_LABEL, check_dns_label)
from ansible_collections.aizone.platform.plugins.module_utils.tenants.objects import plan, summarize
from ansible_collections.aizone.platform.plugins.module_utils.tenants.spec import TENANT_KINDS
from ansible_collections.aizone.platform.plugins.module_utils.waiter import task_timeout


def converge(params, check_mode=False, want_diff=False):
    """What the tenant module does: validate, then one engine call. Returns the result dict."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect

    desired, absent, prune_specs = plan(params.get("tenants") or [], params.get("state") or "present",
                                        params.get("prune"), params.get("prune_selector"),
                                        params.get("priority_classes"), params.get("platform_namespaces") or ())
    if not desired and not absent and not prune_specs:
        return dict(changed=False, tenants=[], objects=[])
    result = apply_objects(connect(params), desired, check_mode=check_mode, prune=prune_specs, absent=absent,
                           wait_deleted=params.get("wait", True), wait_timeout=task_timeout(params))
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
                    if k not in (LABEL_MANAGED_BY, TENANT_LABEL, "kubernetes.io/metadata.name")
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
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info

    names = params.get("names") or []
    for index, name in enumerate(names):
        check_dns_label("names[%d]" % index, name)
    rest = connect(params)
    selector = "%s=%s,%s" % (LABEL_MANAGED_BY, MANAGED_BY, TENANT_LABEL)
    lists = {}
    for api_version, kind in TENANT_KINDS:
        lists[kind] = rest.list_all(kind_info(api_version, kind).collection_path(), selector)
    namespaces = [ns for ns in lists["Namespace"] if not names or ns["metadata"]["name"] in names]
    tenants = [_tenant_view(ns, lists["ResourceQuota"], lists["LimitRange"], lists["RoleBinding"],
                            lists["NetworkPolicy"]) for ns in sorted(namespaces, key=lambda n: n["metadata"]["name"])]
    return dict(changed=False, tenants=tenants)
