# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait for Deployment/StatefulSet rollouts and Job completion, and explain a stuck one.

`wait_rollouts(rest, targets, timeout)` polls every target (one GET each, and
one LIST of its pods while it is not done) through waiter.wait_for, all
targets under one overall timeout. A failed Job fails at once with its
condition message. When the time is up, the error names each workload still
not done, how many of its pods are Pending and why: the scheduler's own
reason, from the pods' PodScheduled condition or, when that has no message,
from their FailedScheduling events, e.g.
"0/5 nodes are available: 5 Insufficient nvidia.com/gpu".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, WaitTimeout
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.names import WORKLOAD_LABEL
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for

API_VERSIONS = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "Job": "batch/v1"}


class RolloutError(AizoneError):
    """A rollout that failed or did not finish in time; details say which pods wait on what."""


def _condition(obj, ctype):
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == ctype:
            return cond
    return None


def rollout_status(obj):
    """(done, failure message or None, state text) of a Deployment, StatefulSet or Job."""
    kind = obj.get("kind")
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    meta = obj.get("metadata") or {}
    if kind == "Job":
        failed = _condition(obj, "Failed")
        if failed and failed.get("status") == "True":
            return False, "Job failed: %s" % (failed.get("message") or failed.get("reason")), "failed"
        complete = _condition(obj, "Complete")
        if complete and complete.get("status") == "True":
            return True, None, "complete"
        return False, None, "%d/%d completions, %d active" % (
            status.get("succeeded") or 0, spec.get("completions") or 1, status.get("active") or 0)
    want = spec.get("replicas")
    want = 1 if want is None else want
    if (status.get("observedGeneration") or 0) < (meta.get("generation") or 0):
        return False, None, "spec change not yet observed by the controller"
    updated = status.get("updatedReplicas") or 0
    ready = status.get("readyReplicas") or 0
    available = status.get("availableReplicas") or 0
    total = status.get("replicas") or 0
    text = "%d/%d ready, %d updated" % (ready, want, updated)
    if kind == "StatefulSet":
        on_delete = ((spec.get("updateStrategy") or {}).get("type") == "OnDelete")
        done = ready == want and available >= want and (on_delete or updated == want)
        return done, None, text
    done = updated == want and available == want and ready == want and total == want
    return done, None, text


def pending_pods(pods):
    """[{name, reason, message}] of the Pending pods, with the PodScheduled condition's reason."""
    out = []
    for pod in pods:
        status = pod.get("status") or {}
        if status.get("phase") != "Pending" or (pod.get("metadata") or {}).get("deletionTimestamp"):
            continue
        cond = _condition(pod, "PodScheduled") or {}
        out.append({"name": pod["metadata"]["name"], "reason": cond.get("reason") or "Pending",
                    "message": cond.get("message") or ""})
    return out


def scheduler_events(rest, namespace, pending):
    """Fill missing messages from the pods' newest FailedScheduling event (one LIST)."""
    missing = [p for p in pending if not p["message"]]
    if not missing:
        return pending
    path = _events_path(namespace)
    events = rest.list_all(path) if len(missing) > 1 else \
        rest.get(path, {"fieldSelector": "involvedObject.name=%s" % missing[0]["name"]}).get("items") or []
    newest = {}
    for event in events:
        if event.get("reason") != "FailedScheduling":
            continue
        pod = (event.get("involvedObject") or {}).get("name")
        stamp = event.get("lastTimestamp") or event.get("eventTime") or ""
        if pod and (pod not in newest or stamp >= newest[pod][0]):
            newest[pod] = (stamp, event.get("message") or "")
    for item in missing:
        if item["name"] in newest:
            item["reason"] = "FailedScheduling"
            item["message"] = newest[item["name"]][1]
    return pending


# FailedCreate messages that no retry of the controller can fix: the pod
# template is rejected by validation (e.g. requests above a LimitRange
# default limit) or by Pod Security admission.
PERMANENT_CREATE_FAILURES = ("is invalid", "violates PodSecurity")


def create_failures(rest, namespace, name):
    """[(time, message)] of the newest FailedCreate event per controller of workload `name`.

    One LIST of events. The time (RFC 3339 UTC) lets callers ignore failures
    older than their wait: a controller that failed before may succeed now.

    Pods that could not even be created leave no Pending pod to explain the
    wait; their controller (the Deployment's ReplicaSets, the StatefulSet,
    the Job) records why in FailedCreate events.
    """
    newest = {}
    for event in rest.list_all(_events_path(namespace)):
        obj = event.get("involvedObject") or {}
        owner = obj.get("name") or ""
        if event.get("reason") != "FailedCreate" or obj.get("kind") not in ("ReplicaSet", "StatefulSet", "Job"):
            continue
        if owner != name and not owner.startswith(name + "-"):
            continue
        stamp = _event_time(event)
        if owner not in newest or stamp >= newest[owner][0]:
            newest[owner] = (stamp, event.get("message") or "")
    return sorted(v for v in newest.values() if v[1])


def _events_path(namespace):
    return kind_info("v1", "Event").collection_path(namespace)


def _event_time(event):
    series = event.get("series") or {}
    return event.get("lastTimestamp") or series.get("lastObservedTime") or event.get("eventTime") or ""


def _summary(pending):
    if not pending:
        return ""
    reasons = sorted(set(p["message"].strip() for p in pending if p["message"]))
    text = "%d pod%s Pending" % (len(pending), "" if len(pending) == 1 else "s")
    if reasons:
        text += "; scheduler: %s" % " | ".join(reasons)
    return text


def _wanted(obj):
    """Pods the controller should have now: replicas, or a Job's parallelism."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Job":
        return 0 if _condition(obj, "Complete") else (spec.get("parallelism") or 1)
    return 1 if spec.get("replicas") is None else spec.get("replicas")


def _label(target):
    kind, namespace, name = target
    return "%s %s/%s" % (kind, namespace, name)


class _Watch(object):
    """The state of one wait over several targets (see wait_rollouts)."""

    def __init__(self, rest, targets, min_replicas):
        self.rest = rest
        self.remaining = list(targets)
        self.floors = min_replicas or {}
        self.states, self.progress, self.pods_seen, self.failures = {}, {}, {}, {}
        # Events at or after this time are this wait's own (a few seconds of clock skew allowed).
        self.since = (datetime.datetime.utcnow() - datetime.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def probe(self):
        for target in list(self.remaining):
            self._check(target)
        if not self.remaining:
            return True, self.states, "all done"
        return False, None, "; ".join("%s: %s" % (_label(t), self.states[t]) for t in self.remaining)

    def _check(self, target):
        kind, namespace, name = target
        obj = self.rest.get(kind_info(API_VERSIONS[kind], kind).object_path(name, namespace))
        obj["kind"] = kind
        done, failure, text = rollout_status(obj)
        floor = self.floors.get(target)
        if done and floor and ((obj.get("spec") or {}).get("replicas") or 0) < floor:
            done, text = False, "%s; autoscaler not yet at its minimum of %d" % (text, floor)
        if failure:
            raise RolloutError("%s: %s" % (_label(target), failure), workload=name, namespace=namespace)
        self.progress[target] = text
        if done:
            self.remaining.remove(target)
            self.states[target] = text
            return
        pods = self.rest.list_all(kind_info("v1", "Pod").collection_path(namespace), "%s=%s" % (WORKLOAD_LABEL, name))
        self.pods_seen[target] = pending_pods(pods)
        pending = _summary(self.pods_seen[target])
        self.states[target] = text + ("; " + pending if pending else "")
        if len(pods) < _wanted(obj):
            self._check_create_failures(target)

    def _check_create_failures(self, target):
        kind, namespace, name = target
        self.failures[target] = create_failures(self.rest, namespace, name)
        permanent = [m for stamp, m in self.failures[target]
                     if stamp >= self.since and any(p in m for p in PERMANENT_CREATE_FAILURES)]
        if permanent:
            raise RolloutError("%s: pods cannot be created: %s" % (_label(target), " | ".join(permanent)),
                               workload=name, namespace=namespace, create_failures=permanent)

    def timed_out(self, timeout):
        """The RolloutError for a wait that ran out of time: each target not done, and why."""
        lines, details = [], []
        for target in self.remaining:
            pending = scheduler_events(self.rest, target[1], self.pods_seen.get(target) or [])
            text = self.progress.get(target, "not observed")
            if pending:
                text += "; " + _summary(pending)
            if self.failures.get(target):
                text += "; pods not created: " + " | ".join(f[1] for f in self.failures[target])
            lines.append("%s: %s" % (_label(target), text))
            details.append({"kind": target[0], "namespace": target[1], "name": target[2],
                            "state": text, "pending_pods": pending})
        reasons = sorted(set(p["message"] for d in details for p in d["pending_pods"] if p["message"]))
        return RolloutError("rollout not complete after %d s: %s" % (timeout, "; ".join(lines)),
                            not_ready=details, scheduler_reasons=reasons)


def wait_rollouts(rest, targets, timeout, interval=1.0, sleep=None, min_replicas=None):
    """Wait until every (kind, namespace, name) target has rolled out / completed.

    min_replicas: {target: n} for autoscaled workloads: done only once the
    autoscaler has brought spec.replicas up to its minimum.

    Raises RolloutError for a failed Job (at once) and when timeout runs out
    (with the scheduler's reasons for Pending pods). Returns
    {target: state text} of the final states.
    """
    watch = _Watch(rest, targets, min_replicas)
    kwargs = dict(interval=interval, max_interval=5.0)
    if sleep is not None:
        kwargs["sleep"] = sleep
    what = "wait for %d workload rollout%s" % (len(targets), "" if len(targets) == 1 else "s")
    try:
        return wait_for(watch.probe, timeout, what, **kwargs)
    except WaitTimeout:
        pass
    raise watch.timed_out(timeout)
