# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The apply engine's requests: the LISTs of a Request, then the writes of a Plan, tier by tier.

Objects of one tier are sent concurrently by `workers` threads; tiers run in
order (deletes in reverse). A failure raises after the failing tier's other
requests end, with `written_before_failure` (objects of earlier tiers).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.aizone.platform.plugins.module_utils.concurrency import all_or_raise
from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply_plan import (
    ListJob, header, object_ref, result_entry)
from ansible_collections.aizone.platform.plugins.module_utils.k8s.crd import wait_established
from ansible_collections.aizone.platform.plugins.module_utils.k8s.diff import clean_for_diff
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import CUSTOM_TIER
from ansible_collections.aizone.platform.plugins.module_utils.names import LABEL_MANAGED_BY, MANAGED_BY
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for

APPLY_CONTENT_TYPE = "application/apply-patch+yaml"


class ApplyResult(object):
    """Outcome of apply_objects / delete_objects (see k8s/apply.py)."""

    def __init__(self):
        self.objects = []
        self.diff = []
        self.live = {}
        self.requests = {}

    @property
    def changed(self):
        return any(o["action"] != "unchanged" for o in self.objects)

    def as_dict(self, diff=False):
        out = dict(changed=self.changed, objects=self.objects)
        if diff:
            out["diff"] = self.diff
        return out

    def record(self, ref, action, before, after):
        """One object's outcome; before/after are live objects (server bookkeeping left out of the diff)."""
        if after:
            self.live[ref] = after
        self.note(ref, action, clean_for_diff(before), clean_for_diff(after))

    def note(self, ref, action, before=None, after=None):
        """One object's outcome; before/after are shown in the diff as given."""
        self.objects.append(result_entry(ref, action))
        if action != "unchanged":
            self.diff.append(dict(before_header=header(ref), after_header=header(ref),
                                  before=before or {}, after=after or {}))

    def add(self, other):
        """Take in another call's outcome (objects, diff, live), after this one's."""
        self.objects.extend(other.objects)
        self.diff.extend(other.diff)
        self.live.update(other.live)

    def report_created(self, kind):
        """Report the objects of kind as created: an earlier write of this task created them."""
        for entry in self.objects:
            if entry["kind"] == kind:
                entry["action"] = "created"
        for item in self.diff:
            if item["before_header"].startswith(kind + " "):
                item["before"] = {}


class Executor(object):
    """Sends one call's requests through a k8s.rest.Rest."""

    def __init__(self, rest, field_manager, force, workers, check_mode, wait_timeout):
        self.rest = rest
        self.field_manager = field_manager
        self.force = force
        self.workers = max(1, int(workers))
        self.check_mode = check_mode
        self.wait_timeout = wait_timeout

    # -- reads ----------------------------------------------------------------
    def read(self, list_jobs):
        """{Ref: live object} from the LISTs (apply_plan.ListJob)."""
        index = {}
        for items in self.parallel(self._list, list_jobs):
            for item in items:
                index[object_ref(item)] = item
        return index

    def _list(self, job):
        info = job.info
        try:
            items = self.rest.list_all(info.collection_path(job.namespace), job.selector)
        except ApiError as exc:
            if exc.status == 404 and info.tier == CUSTOM_TIER:
                return []   # its CRD is not there yet (it may be in this very batch)
            if not (exc.status == 403 and info.namespaced and job.namespace is None and job.namespaces):
                raise
            items = []
            for ns in sorted(job.namespaces):
                items.extend(self.rest.list_all(info.collection_path(ns), job.selector))
        for item in items:
            item["apiVersion"] = info.api_version
            item["kind"] = info.kind
        return items

    # -- writes ---------------------------------------------------------------
    def parallel(self, fn, jobs):
        return all_or_raise(fn, jobs, self.workers)

    def run_tiers(self, jobs, fn, reverse=False):
        """{ref: fn(job)} for every job, tier by tier."""
        done = {}
        for tier in sorted(set(job.info.tier for job in jobs), reverse=reverse):
            batch = [job for job in jobs if job.info.tier == tier]
            try:
                outcomes = self.parallel(fn, batch)
            except ApiError as exc:
                exc.details["written_before_failure"] = [
                    header(ref) for ref in sorted(done, key=lambda r: tuple(x or "" for x in r))]
                raise
            for job, outcome in zip(batch, outcomes):
                done[job.ref] = outcome
        return done

    def apply_one(self, job):
        """(action, object after) of one ApplyJob."""
        if job.predicted:
            return "created", job.obj
        if job.terminating and not self.check_mode:
            self._wait_gone(job)
        query = {"fieldManager": self.field_manager}
        if self.force:
            query["force"] = "true"
        if self.check_mode:
            query["dryRun"] = "All"
        status, after = self.rest.request("PATCH", job.info.object_path(job.ref[3], job.ref[2]), query,
                                          job.obj, APPLY_CONTENT_TYPE)
        if job.info.kind == "CustomResourceDefinition" and not self.check_mode:
            after = wait_established(self.rest, job.ref[3], self.wait_timeout, crd=after)
        if status == 201 or job.terminating:
            return "created", after
        if job.live is not None and clean_for_diff(job.live) == clean_for_diff(after):
            return "unchanged", after
        return "updated", after

    def delete_one(self, job):
        """True when the DeleteJob's object was deleted, False when it was already gone."""
        query = {"propagationPolicy": "Background"}
        if self.check_mode:
            query["dryRun"] = "All"
        try:
            self.rest.request("DELETE", job.info.object_path(job.ref[3], job.ref[2]), query)
        except ApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    # -- waits ----------------------------------------------------------------
    def _wait_gone(self, job):
        path = job.info.object_path(job.ref[3], job.ref[2])

        def probe():
            obj = self.rest.get_or_none(path)
            if obj is None:
                return True, None, "gone"
            return False, None, "terminating since %s" % obj["metadata"].get("deletionTimestamp")

        wait_for(probe, self.wait_timeout, "%s: wait for the terminating object to go" % header(job.ref),
                 interval=0.5, max_interval=3.0)

    def wait_deleted(self, deleted, list_jobs):
        """Poll the LISTs until no DeleteJob of `deleted` is found."""
        def probe():
            index = self.read(list_jobs)
            left = [job.ref for job in deleted if job.ref in index]
            return not left, None, "%d left, e.g. %s" % (len(left), header(left[0])) if left else "all gone"

        wait_for(probe, self.wait_timeout, "wait for %d deleted objects to go" % len(deleted),
                 interval=0.5, max_interval=3.0)

    # -- a whole plan ---------------------------------------------------------
    def execute(self, plan, request, index, wait_deleted):
        """ApplyResult of running the plan: applies in input order, then deletes by reverse tier."""
        result = ApplyResult()
        applied = self.run_tiers(plan.applies, self.apply_one)
        for item in request.desired:
            if item.ref in plan.unchanged:
                result.record(item.ref, "unchanged", index[item.ref], index[item.ref])
            else:
                action, after = applied[item.ref]
                result.record(item.ref, action, None if action == "created" else index.get(item.ref), after)
        removed = self.run_tiers(plan.direct, self.delete_one, reverse=True)
        for job in sorted(plan.deletes, key=lambda d: -d.info.tier):
            if removed.get(job.ref, True):
                result.record(job.ref, "deleted", job.live, None)
        if wait_deleted and not self.check_mode and plan.direct:
            gone = [job for job in plan.direct if removed.get(job.ref)]
            self.wait_deleted(gone, _lists_for(gone))
        return result


def _lists_for(deleted):
    """The LISTs that find the deleted objects: one per kind, all namespaces, every managed object."""
    by_kind = {}
    for job in deleted:
        by_kind.setdefault((job.info.api_version, job.info.kind), (job.info, set()))[1].add(job.ref[2])
    selector = "%s=%s" % (LABEL_MANAGED_BY, MANAGED_BY)
    return [ListJob(info, None, namespaces, selector) for info, namespaces in by_kind.values()]
