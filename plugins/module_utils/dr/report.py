# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a failover or failback achieved, from the restore module's results and workload_info's workloads. Pure.

RPO: how old the restored state was when the run started - the run's start minus the oldest restored backup's
start (Velero reads the objects from then on); 0 when the backups were made during the run (a failback's).
RTO: the run's wall time until every restored workload ran.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.dr.backups import timestamp


def measure(restores, workloads, tenants, started, now, policy):
    """{restores, workloads, pods, pods_off_pool, rpo_seconds, rto_seconds, rpo_ok, rto_ok}."""
    mine = [w for w in workloads if w.get("namespace") in tenants]
    pods = [p for w in mine for p in w.get("pods") or []]
    off_pool = ["%s/%s on %s (wants %s)" % (w["namespace"], p["name"], p.get("node_pool"), w.get("pool"))
                for w in mine if w.get("pool") for p in w.get("pods") or [] if p.get("node_pool") != w["pool"]]
    backups = [timestamp(r["backup"]["started"]) for r in restores if r.get("backup", {}).get("started")]
    rpo = max(0, int(started - min(backups))) if backups else None   # 0: backed up during the run (failback)
    rto = int(now - started)
    return {"restores": [dict((k, r["restore"].get(k)) for k in ("name", "backup", "phase", "actions", "items_restored"))
                         for r in restores],
            "workloads": len(mine), "pods": len(pods),
            "pods_running": sum(1 for p in pods if p.get("phase") == "Running"), "pods_off_pool": off_pool,
            "rpo_seconds": rpo, "rto_seconds": rto,
            "rpo_ok": rpo is not None and rpo <= int(policy["rpo_minutes"]) * 60,
            "rto_ok": rto <= int(policy["rto_minutes"]) * 60}
