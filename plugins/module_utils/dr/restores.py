# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the restore module does: a Velero Restore of a named backup, or of a schedule's newest Completed one,
into a zone, waited on; and in check mode, what it would do, read from the backup's own files without writing.

1. validate (no request on bad input): names, the namespace mapping, the policy;
2. find the backup in the zone (Velero syncs a ReadOnly location's backups in): it must exist and be Completed,
   else the task fails before any write, naming the backups there;
3. check mode: read the backup's archive from its store (dr/store) and look each object up in the zone, after the
   namespace mapping (dr/verify.zone_presence). Velero never restores some kinds (NOT_RESTORED), skips finished
   pods and jobs; an object absent is `created`; one present is `existing` - skipped when the same, warned about
   (policy none) or updated (policy update) when not. A new namespace's kube-root-ca.crt and default
   ServiceAccount are `defaulted`: the zone's own controllers make them the moment the namespace exists, and
   Velero, restoring them right after it, either finds them or gets there first (a CI run saw Velero create the
   ServiceAccount): which one wins is a race, and the prediction says so rather than guess;
4. a real run creates the Restore (named after the backup unless `name` says otherwise: a second run finds it and
   changes nothing), waits until Velero finishes it, and reports Velero's own per-object outcome (the restore's
   resource list in the store). Anything but Completed fails the task with Velero's counts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gzip
import json
import re

from ansible_collections.aizone.platform.plugins.module_utils.dr.backups import BACKUP, timestamp
from ansible_collections.aizone.platform.plugins.module_utils.dr.info import latest_completed
from ansible_collections.aizone.platform.plugins.module_utils.dr.store import Store
from ansible_collections.aizone.platform.plugins.module_utils.dr.verify import archive_problems, zone_presence
from ansible_collections.aizone.platform.plugins.module_utils.dr.velero import require_velero, velero_namespace
from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import KindResolver, kind_info
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    LABEL_MANAGED_BY, MANAGED_BY, check_choice, check_dns_label, check_dns_subdomain, given)
from ansible_collections.aizone.platform.plugins.module_utils.waiter import task_timeout, wait_for
from ansible_collections.aizone.platform.plugins.module_utils.zones.access import running_zone, zone_rest

RESTORE = kind_info("velero.io/v1", "Restore")
POLICIES = ("none", "update")
TERMINAL = ("Completed", "PartiallyFailed", "Failed", "FailedValidation")
#: what Velero never restores (restore_controller.go nonRestorableResources), as apiVersion/Kind prefixes
NOT_RESTORED = ("v1/Node", "v1/Event", "events.k8s.io/", "velero.io/v1/Backup", "velero.io/v1/Restore",
                "velero.io/v1/ResticRepository", "velero.io/v1/BackupRepository", "storage.k8s.io/v1/CSINode",
                "storage.k8s.io/v1/VolumeAttachment")
#: made in every namespace by the zone's controllers as soon as the namespace exists
NAMESPACE_DEFAULTS = (("v1/ConfigMap", "kube-root-ca.crt"), ("v1/ServiceAccount", "default"))


def validate(params):
    backup, schedule = params.get("backup"), params.get("schedule")
    if bool(backup) == bool(schedule):
        raise ValidationError("backup", "give backup (a backup's name) or schedule (its newest Completed backup), "
                              "one of them")
    mapping = given(params.get("namespace_mapping"), {})
    if not isinstance(mapping, dict):
        raise ValidationError("namespace_mapping", "must be a mapping of source namespace: target namespace")
    for source, target in mapping.items():
        check_dns_label("namespace_mapping", source)
        check_dns_label("namespace_mapping.%s" % source, target)
    return {"backup": check_dns_subdomain("backup", backup) if backup else None,
            "schedule": check_dns_label("schedule", schedule) if schedule else None,
            "name": check_dns_subdomain("name", params["name"]) if params.get("name") else None,
            "namespaces": [check_dns_label("namespaces[%d]" % i, n) for i, n in enumerate(params.get("namespaces") or [])],
            "mapping": dict(mapping),
            "policy": check_choice("existing_resource_policy", given(params.get("existing_resource_policy"), "none"),
                                   POLICIES)}


def find_backup(rest, namespace, spec, zone_name):
    """The Completed Backup the restore is of; fails naming what the zone has."""
    require_velero(rest, zone_name, "Backup")
    backups = rest.list_all(BACKUP.collection_path(namespace))
    if spec["schedule"]:
        found = latest_completed(backups, spec["schedule"])
        if found is None:
            raise ValidationError("schedule", "zone %s has no Completed backup of schedule %r (%d backups there; a "
                                  "ReadOnly location syncs its store's backups in every sync period)"
                                  % (zone_name, spec["schedule"], len(backups)))
        return found
    found = [b for b in backups if b["metadata"]["name"] == spec["backup"]]
    if not found:
        names = sorted(b["metadata"]["name"] for b in backups)
        raise ValidationError("backup", "zone %s has no backup %r; it has: %s" % (
            zone_name, spec["backup"], ", ".join(names[-10:]) or "none"))
    phase = (found[0].get("status") or {}).get("phase")
    if phase != "Completed":
        raise ValidationError("backup", "backup %r is %s, not Completed: restore from another" % (spec["backup"], phase))
    return found[0]


def _finished(obj):
    status, kind = obj.get("status") or {}, obj.get("kind")
    return (kind == "Pod" and status.get("phase") in ("Succeeded", "Failed")) or \
        (kind == "Job" and bool(status.get("completionTime")))


def predict(rest, store, backup, spec):
    """{apiVersion/Kind: {target key: "created" | "existing" | "defaulted"}} of what Velero would do with the
    backup's objects."""
    problems, objects = archive_problems(store, backup)
    if problems:
        raise AizoneError("backup %s cannot be read from its store: %s" % (backup["metadata"]["name"], "; ".join(problems)))
    chosen = {}
    for kind, items in objects.items():
        if kind.startswith(NOT_RESTORED):
            continue
        for key, obj in items.items():
            ns = obj["metadata"].get("namespace")
            if ns and spec["namespaces"] and ns not in spec["namespaces"]:
                continue
            if kind == "v1/Namespace" and spec["namespaces"] and key not in spec["namespaces"]:
                continue
            if not _finished(obj):
                chosen.setdefault(kind, {})[key] = obj
    namespaces = chosen.pop("v1/Namespace", {})
    presence, _unserved = zone_presence(rest, KindResolver(rest.get), chosen, spec["mapping"])
    targets = set(spec["mapping"].get(k, k) for k in namespaces) | set(
        target.split("/", 1)[0] for _kind, _key, target, _live in presence if "/" in target)
    new_namespaces = set(t for t in targets if rest.get_or_none("/api/v1/namespaces/%s" % t) is None)
    out = {}
    for key in namespaces:
        target = spec["mapping"].get(key, key)
        out.setdefault("v1/Namespace", {})[target] = "created" if target in new_namespaces else "existing"
    for kind, _key, target, live in presence:
        defaulted = "/" in target and target.split("/", 1)[0] in new_namespaces and \
            (kind, target.split("/", 1)[1]) in NAMESPACE_DEFAULTS
        out.setdefault(kind, {})[target] = "existing" if live is not None else "defaulted" if defaulted else "created"
    return out


def restored_list(store, name):
    """{apiVersion/Kind: {key: action}} of Velero's own record of a restore, or None when it wrote none."""
    raw = store.read_key("restores/%s/restore-%s-resource-list.json.gz" % (name, name))
    if raw is None:
        return None
    out = {}
    for kind, entries in json.loads(gzip.decompress(raw).decode("utf-8")).items():
        for entry in entries:
            m = re.match(r"^(.*)\((created|updated|skipped|failed)\)$", entry)
            if m:
                out.setdefault(kind, {})[m.group(1)] = m.group(2)
    return out


def counts(actions):
    out = {}
    for items in actions.values():
        for action in items.values():
            out[action] = out.get(action, 0) + 1
    return out


def restore_object(spec, backup, namespace, name):
    body = {"backupName": backup["metadata"]["name"], "existingResourcePolicy": spec["policy"], "restorePVs": False}
    if spec["namespaces"]:
        body["includedNamespaces"] = list(spec["namespaces"])
    if spec["mapping"]:
        body["namespaceMapping"] = dict(spec["mapping"])
    return {"apiVersion": RESTORE.api_version, "kind": "Restore",
            "metadata": {"name": name, "namespace": namespace, "labels": {LABEL_MANAGED_BY: MANAGED_BY}},
            "spec": body}


def _wait(rest, namespace, name, timeout):
    def probe():
        obj = rest.get(RESTORE.object_path(name, namespace))
        phase = (obj.get("status") or {}).get("phase")
        return phase in TERMINAL, obj, "%s %s" % (name, phase or "New")
    return wait_for(probe, timeout, "restore: wait for Velero to finish restore %s" % name)


def report(obj, store):
    status = obj.get("status") or {}
    progress = status.get("progress") or {}
    started, completed = timestamp(status.get("startTimestamp")), timestamp(status.get("completionTimestamp"))
    actions = restored_list(store, obj["metadata"]["name"]) if status.get("phase") in TERMINAL else None
    return {"name": obj["metadata"]["name"], "backup": obj["spec"]["backupName"], "phase": status.get("phase"),
            "items_restored": progress.get("itemsRestored"), "total_items": progress.get("totalItems"),
            "warnings": status.get("warnings", 0), "errors": status.get("errors", 0),
            "failure_reason": status.get("failureReason"),
            "duration_seconds": completed - started if started and completed else None,
            "actions": counts(actions) if actions is not None else None, "items": actions}


def converge(params, check_mode=False):
    """The restore module; returns the result dict."""
    timeout = task_timeout(params)
    namespace = velero_namespace(params)
    spec = validate(params)
    provider, zone = running_zone(params)
    rest = zone_rest(params, provider, zone)
    backup = find_backup(rest, namespace, spec, zone["name"])
    name = spec["name"] or "%s-restore" % backup["metadata"]["name"]
    store = Store(rest, namespace, backup["spec"].get("storageLocation"))
    live = rest.get_or_none(RESTORE.object_path(name, namespace))
    out = {"backup": {"name": backup["metadata"]["name"], "started": backup["status"].get("startTimestamp")}}
    if live is not None:
        if live["spec"]["backupName"] != backup["metadata"]["name"]:
            raise ValidationError("name", "restore %r exists, of backup %r: give another name"
                                  % (name, live["spec"]["backupName"]))
        out.update(changed=False, restore=report(_wait(rest, namespace, name, timeout) if params.get("wait", True)
                                                 else live, store))
    elif check_mode:
        predicted = predict(rest, store, backup, spec)
        out.update(changed=True, restore={"name": name, "backup": backup["metadata"]["name"], "phase": None,
                                          "predicted": counts(predicted), "items": predicted})
    else:
        rest.create(RESTORE.collection_path(namespace), restore_object(spec, backup, namespace, name))
        obj = _wait(rest, namespace, name, timeout) if params.get("wait", True) else \
            rest.get(RESTORE.object_path(name, namespace))
        out.update(changed=True, restore=report(obj, store))
    phase = out["restore"].get("phase")
    if phase in TERMINAL and phase != "Completed":
        r = out["restore"]
        raise AizoneError("restore %s of %s: Velero finished it %s with %s errors and %s warnings%s" % (
            name, r["backup"], phase, r["errors"], r["warnings"], " (%s)" % r["failure_reason"] if r["failure_reason"]
            else ""))
    out["api_requests"] = dict(rest.counts)
    return out
