"""A failover's RPO and RTO, and pods off their pool, from the restore results and the workloads."""

import calendar
import time

from ansible_collections.aizone.platform.plugins.module_utils.dr.report import measure

POLICY = {"rpo_minutes": 60, "rto_minutes": 30}


def _at(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def _restore(started):
    return {"backup": {"name": "b", "started": started}, "restore": {"name": "r", "phase": "Completed"}}


def test_rpo_is_the_oldest_restored_backups_age_when_the_run_started():
    started = _at("2026-12-01T04:00:00Z")
    report = measure([_restore("2026-12-01T03:50:00Z"), _restore("2026-12-01T03:20:00Z")], [], ["a"],
                     started, started + 100, POLICY)
    assert report["rpo_seconds"] == 40 * 60 and report["rpo_ok"] is True
    assert report["rto_seconds"] == 100 and report["rto_ok"] is True
    late = measure([_restore("2026-12-01T02:59:00Z")], [], ["a"], started, started + 1801, POLICY)
    assert late["rpo_ok"] is False and late["rto_ok"] is False


def test_backups_made_during_the_run_lose_nothing():
    started = _at("2026-12-01T04:00:00Z")
    assert measure([_restore("2026-12-01T04:00:05Z")], [], ["a"], started, started + 1, POLICY)["rpo_seconds"] == 0


def test_pods_off_their_pool_are_named():
    workloads = [{"name": "api", "namespace": "a", "pool": "cpu", "pods": [
        {"name": "api-1", "phase": "Running", "node_pool": "cpu"},
        {"name": "api-2", "phase": "Running", "node_pool": "h100"}]},
        {"name": "other", "namespace": "elsewhere", "pool": "cpu", "pods": [{"name": "o", "node_pool": "x"}]}]
    report = measure([], workloads, ["a"], 0, 1, POLICY)
    assert report["workloads"] == 1 and report["pods"] == 2 and report["pods_running"] == 2
    assert report["pods_off_pool"] == ["a/api-2 on h100 (wants cpu)"]
    assert report["rpo_seconds"] is None and report["rpo_ok"] is False
