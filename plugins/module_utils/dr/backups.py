# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Velero Backups as the DR modules read them: one report shape, the wait for Velero to finish a set.

A backup is finished in a terminal phase: Completed, PartiallyFailed,
Failed or FailedValidation. Only Completed is a backup to restore from; the
others fail the task that waited, naming each backup, its phase, its error
count and Velero's reason.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import time

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for

BACKUP = kind_info("velero.io/v1", "Backup")
SCHEDULE_LABEL = "velero.io/schedule-name"
TERMINAL = ("Completed", "PartiallyFailed", "Failed", "FailedValidation")


def timestamp(text):
    """Seconds since the epoch of a Kubernetes timestamp (2026-12-01T03:20:00Z), or None."""
    if not text:
        return None
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def backup_report(backup, now=None):
    """What a result says of a Backup: phase, items, warnings, errors, times, age."""
    status = backup.get("status") or {}
    progress = status.get("progress") or {}
    started, completed = timestamp(status.get("startTimestamp")), timestamp(status.get("completionTimestamp"))
    report = {"name": backup["metadata"]["name"],
              "schedule": (backup["metadata"].get("labels") or {}).get(SCHEDULE_LABEL),
              "phase": status.get("phase"), "items_backed_up": progress.get("itemsBackedUp"),
              "total_items": progress.get("totalItems"), "warnings": status.get("warnings", 0),
              "errors": status.get("errors", 0), "started": status.get("startTimestamp"),
              "completed": status.get("completionTimestamp"),
              "duration_seconds": completed - started if started and completed else None,
              "location": (backup.get("spec") or {}).get("storageLocation"),
              "namespaces": (backup.get("spec") or {}).get("includedNamespaces")}
    if status.get("failureReason"):
        report["failure_reason"] = status["failureReason"]
    if status.get("validationErrors"):
        report["validation_errors"] = list(status["validationErrors"])
    if now is not None and started:
        report["age_seconds"] = int(now - started)
    return report


def wait_backups(rest, namespace, names, timeout):
    """The Backups names once all are in a terminal phase; fails unless every one is Completed."""
    def probe():
        found = [rest.get(BACKUP.object_path(name, namespace)) for name in names]
        pending = ["%s %s" % (b["metadata"]["name"], (b.get("status") or {}).get("phase") or "New") for b in found
                   if (b.get("status") or {}).get("phase") not in TERMINAL]
        return not pending, found, "; ".join(pending)
    done = wait_for(probe, timeout, "wait for Velero to finish the backups %s" % ", ".join(names))
    failed = [backup_report(b) for b in done if b["status"]["phase"] != "Completed"]
    if failed:
        raise AizoneError("Velero did not complete %s" % "; ".join(
            "%s: %s with %s errors%s" % (f["name"], f["phase"], f["errors"],
                                         " (%s)" % (f.get("failure_reason") or "; ".join(f.get("validation_errors", [])))
                                         if f.get("failure_reason") or f.get("validation_errors") else "")
            for f in failed))
    return done
