# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the backup_schedule module does: Velero Schedules of a zone (one per tenant, say), and backups now.

1. validate the list (no request on bad input): names, namespaces, the cron
   expression (dr/cron) or the RPO it is derived from, and that the schedule
   keeps the RPO when both are given; the TTL;
2. find the running zone; each schedule's location and namespaces must exist;
3. one apply of the Schedules (state absent: deleted; their backups stay);
4. with backup_now, one Backup per present schedule, as `velero backup create
   --from-schedule` makes it (the schedule's template and label), waited on
   until Velero finishes it; anything but Completed fails the task, naming the
   backup, its phase, errors and Velero's failure reason.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.aizone.platform.plugins.module_utils.dr import cron
from ansible_collections.aizone.platform.plugins.module_utils.dr.backups import (
    BACKUP, SCHEDULE_LABEL, backup_report, wait_backups)
from ansible_collections.aizone.platform.plugins.module_utils.dr.locations import BSL, DURATION
from ansible_collections.aizone.platform.plugins.module_utils.dr.velero import require_velero, velero_namespace
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    LABEL_MANAGED_BY, MANAGED_BY, TENANT_LABEL, check_choice, check_dns_label, check_dns_subdomain, check_int,
    check_keys, check_list, given)
from ansible_collections.aizone.platform.plugins.module_utils.waiter import task_timeout
from ansible_collections.aizone.platform.plugins.module_utils.zones.access import (
    require_namespace, running_zone, zone_rest)

SCHEDULE = kind_info("velero.io/v1", "Schedule")
KEYS = ("name", "namespaces", "cron", "rpo_minutes", "ttl", "location", "state", "paused")
STATES = ("present", "absent")
DEFAULT_TTL = "720h"


def _timing(field, raw):
    """(cron expression, rpo minutes or None, (shortest, longest) gap in minutes)."""
    rpo = raw.get("rpo_minutes")
    if rpo is not None:
        rpo = check_int(field + ".rpo_minutes", rpo, minimum=cron.MIN_INTERVAL_MINUTES)
    expression = raw.get("cron")
    if expression is None and rpo is None:
        raise ValidationError(field + ".cron", "give cron, or rpo_minutes to derive it from")
    expression = expression if expression is not None else cron.for_rpo(rpo)
    shortest, longest = cron.gaps_minutes(field + ".cron", expression)
    if shortest < cron.MIN_INTERVAL_MINUTES:
        raise ValidationError(field + ".cron", "%r backs up every %g minutes; Velero queues a backup behind a "
                              "running one of the same namespaces: at least %d minutes apart" % (expression, shortest, cron.MIN_INTERVAL_MINUTES))
    if rpo is not None and longest > rpo:
        raise ValidationError(field + ".rpo_minutes", "%d minutes cannot be kept by %r, which leaves up to %g "
                              "minutes between backups; give a cron at least that often, or leave cron unset"
                              % (rpo, expression, longest))
    return expression, rpo, (shortest, longest)


def validate_schedule(index, raw):
    field = "schedules[%d]" % index
    if not isinstance(raw, dict):
        raise ValidationError(field, "must be a mapping with at least a name and a cron or rpo_minutes")
    check_keys(field, raw, KEYS)
    name = check_dns_label(field + ".name", raw.get("name"))
    state = check_choice(field + ".state", given(raw.get("state"), "present"), STATES)
    namespaces = given(raw.get("namespaces"), [name])
    if not isinstance(namespaces, list) or not namespaces:
        raise ValidationError(field + ".namespaces", "give a list of at least one namespace")
    namespaces = [check_dns_label("%s.namespaces[%d]" % (field, i), n) for i, n in enumerate(namespaces)]
    ttl = given(raw.get("ttl"), DEFAULT_TTL)
    if not (isinstance(ttl, str) and re.match(DURATION, ttl)):
        raise ValidationError(field + ".ttl", "%r is not a duration like 720h or 168h30m" % (ttl,))
    spec = {"field": field, "name": name, "state": state, "namespaces": namespaces, "ttl": ttl,
            "location": check_dns_subdomain(field + ".location", raw.get("location")) if raw.get("location") else None,
            "paused": bool(raw.get("paused"))}
    if state == "present":
        spec["cron"], spec["rpo_minutes"], spec["gaps"] = _timing(field, raw)
    return spec


def validate_schedules(schedules):
    return check_list("schedules", schedules, validate_schedule, "schedule")


def template(spec):
    """The BackupSpec of a schedule: its namespaces, resources only (no volume snapshots here), its TTL."""
    body = {"includedNamespaces": list(spec["namespaces"]), "ttl": spec["ttl"], "snapshotVolumes": False}
    if spec["location"]:
        body["storageLocation"] = spec["location"]
    return body


def schedule_object(spec, namespace):
    labels = {LABEL_MANAGED_BY: MANAGED_BY}
    if len(spec["namespaces"]) == 1:
        labels[TENANT_LABEL] = spec["namespaces"][0]
    return {"apiVersion": SCHEDULE.api_version, "kind": "Schedule",
            "metadata": {"name": spec["name"], "namespace": namespace, "labels": labels},
            "spec": {"schedule": spec["cron"], "template": template(spec), "paused": spec["paused"],
                     "useOwnerReferencesInBackup": False}}


def schedule_ref(spec, namespace):
    return {"apiVersion": SCHEDULE.api_version, "kind": "Schedule",
            "metadata": {"name": spec["name"], "namespace": namespace}}


def backup_from_schedule(spec, namespace, now):
    """The Backup `velero backup create --from-schedule` makes: <schedule>-<UTC timestamp>, the schedule's label."""
    name = "%s-%s" % (spec["name"], time.strftime("%Y%m%d%H%M%S", time.gmtime(now)))
    return {"apiVersion": BACKUP.api_version, "kind": "Backup",
            "metadata": {"name": name, "namespace": namespace,
                         "labels": {SCHEDULE_LABEL: spec["name"], LABEL_MANAGED_BY: MANAGED_BY}},
            "spec": template(spec)}


def _check_references(rest, specs, namespace, check_mode, warnings):
    """Every present schedule's location and namespaces exist (else fail before any write; check mode warns)."""
    for spec in (s for s in specs if s["state"] == "present"):
        if spec["location"] and rest.get_or_none(BSL.object_path(spec["location"], namespace)) is None:
            raise ValidationError(spec["field"] + ".location", "backup storage location %r does not exist in %s; "
                                  "create it first (aizone.platform.backup_location)" % (spec["location"], namespace))
        for index, ns in enumerate(spec["namespaces"]):
            require_namespace(rest, "%s.namespaces[%d]" % (spec["field"], index), ns, check_mode, warnings,
                              "its backups")


def converge(params, check_mode=False, want_diff=False):
    """The backup_schedule module; returns the result dict."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    timeout = task_timeout(params)
    namespace = velero_namespace(params)
    specs = validate_schedules(params.get("schedules"))
    backup_now = bool(params.get("backup_now"))
    provider, zone = running_zone(params)
    rest = zone_rest(params, provider, zone)
    warnings = []
    _check_references(rest, specs, namespace, check_mode, warnings)
    require_velero(rest, zone["name"], "Schedule")
    present = [s for s in specs if s["state"] == "present"]
    result = apply_objects(rest, [schedule_object(s, namespace) for s in present], check_mode=check_mode,
                           absent=[schedule_ref(s, namespace) for s in specs if s["state"] == "absent"],
                           wait_timeout=timeout)
    out = result.as_dict(diff=want_diff)
    out["schedules"] = [dict(name=s["name"], state=s["state"], namespaces=s["namespaces"], cron=s.get("cron"),
                             rpo_minutes=s.get("rpo_minutes"), longest_gap_minutes=(s.get("gaps") or (None, None))[1],
                             ttl=s["ttl"], location=s["location"]) for s in specs]
    out["backups"] = []
    if backup_now and present:
        out["changed"] = True
        backups = [backup_from_schedule(s, namespace, time.time()) for s in present]
        if check_mode:
            out["backups"] = [dict(name=b["metadata"]["name"], schedule=b["metadata"]["labels"][SCHEDULE_LABEL],
                                   phase=None, action="created") for b in backups]
        else:
            for body in backups:
                rest.create(BACKUP.collection_path(namespace), body)
            done = wait_backups(rest, namespace, [b["metadata"]["name"] for b in backups], timeout)
            out["backups"] = [dict(backup_report(b), action="created") for b in done]
    out["warnings"] = warnings
    out["api_requests"] = dict(rest.counts)
    return out
