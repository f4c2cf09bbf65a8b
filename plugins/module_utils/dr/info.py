# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the backup_info module does: a zone's Velero backups with phase, age and items; per schedule the RPO
achieved now (the age of its newest Completed backup); with verify, each chosen backup checked offline from its
store (dr/verify). Read only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.aizone.platform.plugins.module_utils.dr.backups import BACKUP, SCHEDULE_LABEL, backup_report
from ansible_collections.aizone.platform.plugins.module_utils.dr.store import Store
from ansible_collections.aizone.platform.plugins.module_utils.dr.verify import verify
from ansible_collections.aizone.platform.plugins.module_utils.dr.velero import velero_namespace
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import KindResolver
from ansible_collections.aizone.platform.plugins.module_utils.names import check_dns_label
from ansible_collections.aizone.platform.plugins.module_utils.zones.access import running_zone, zone_rest


def latest_completed(backups, schedule=None):
    """The newest Completed Backup (of a schedule), or None."""
    done = [b for b in backups if (b.get("status") or {}).get("phase") == "Completed" and
            (schedule is None or (b["metadata"].get("labels") or {}).get(SCHEDULE_LABEL) == schedule)]
    return max(done, key=lambda b: b["status"].get("startTimestamp") or "") if done else None


def _schedules(backups, now):
    out = {}
    for name in sorted(set((b["metadata"].get("labels") or {}).get(SCHEDULE_LABEL) for b in backups) - {None}):
        latest = latest_completed(backups, name)
        out[name] = {"latest_completed": latest["metadata"]["name"] if latest else None,
                     "achieved_rpo_seconds": backup_report(latest, now).get("age_seconds") if latest else None}
    return out


def describe(params):
    """The backup_info module; returns the result dict."""
    namespace = velero_namespace(params)
    names = params.get("names") or []
    schedule = check_dns_label("schedule", params["schedule"]) if params.get("schedule") else None
    selector = "%s=%s" % (SCHEDULE_LABEL, schedule) if schedule else None
    provider, zone = running_zone(params)
    rest = zone_rest(params, provider, zone)
    backups = rest.list_all(BACKUP.collection_path(namespace), label_selector=selector)
    now = time.time()
    if names:
        known = set(b["metadata"]["name"] for b in backups)
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValidationError("names", "no backup %s in %s of zone %s (%d backups there)"
                                  % (", ".join(unknown), namespace, zone["name"], len(backups)))
        backups = [b for b in backups if b["metadata"]["name"] in names]
    backups.sort(key=lambda b: (b.get("status") or {}).get("startTimestamp") or "", reverse=True)
    out = {"changed": False, "backups": [backup_report(b, now) for b in backups],
           "schedules": _schedules(backups, now)}
    if params.get("verify"):
        chosen = backups if names else [b for b in [latest_completed(backups)] if b is not None]
        resolver, stores = KindResolver(rest.get), {}
        for backup, report in zip(backups, out["backups"]):
            if backup not in chosen:
                continue
            location = backup["spec"].get("storageLocation")
            if location not in stores:
                stores[location] = Store(rest, namespace, location)
            report["verification"] = verify(rest, resolver, stores[location], backup)
    out["api_requests"] = dict(rest.counts)
    return out
