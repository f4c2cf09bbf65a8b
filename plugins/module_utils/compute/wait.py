# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait until an operator has made the pods a Ray or Dask cluster describes, or say why it has not.

Each probe is one GET of the cluster object and one LIST of its pods (by the
labels the operators set). Done when every expected pod exists and is
Running. While waiting, a pod that can never be admitted (it asks for more
than the quota's hard limit, or breaks the namespace's Pod Security level)
fails the wait at once with the admission message. When the time is up the error names the reason: the operator never
reconciled the object (no status: is its add-on running?), the pods that
could not be created (the admission message from the operator's or the
ReplicaSets' events), or the Pending pods and the scheduler's message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.compute.spec import DEFAULTS, served_kind
from ansible_collections.aizone.platform.plugins.module_utils.errors import WaitTimeout
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for
from ansible_collections.aizone.platform.plugins.module_utils.workloads.rollout import (
    RolloutError, pending_pods, scheduler_events)

#: per kind: the label the operator puts on the cluster's pods, the label telling a pod's group, who the operator is
LABELS = {
    "ray": {"cluster_label": "ray.io/cluster", "group_label": "ray.io/group", "operator": "the KubeRay operator"},
    "dask": {"cluster_label": "dask.org/cluster-name", "group_label": "dask.org/component",
             "operator": "the Dask operator"},
}
_POD_NAME = re.compile(r'pods "[^"]+"')
_COMBINED = re.compile(r"^\(combined from similar events\): ")
_POD_SECURITY = "violates PodSecurity"
_QUOTA = re.compile(r"exceeded quota: [^,]+, requested: (?P<requested>[^,]+), used: [^,]+, limited: (?P<limited>.+)$")


def expected_pods(kind, spec):
    """{group: pod count} the operator should make: Ray's head group and worker groups, Dask's scheduler and workers."""
    if kind == "ray":
        out = {"headgroup": 1}
        for group in spec["worker_groups"]:
            out[group["name"]] = group["replicas"]
        return out
    return {"scheduler": 1, "worker": spec["worker"]["replicas"]}


def _counts(pods, group_label):
    running, total = {}, {}
    for pod in pods:
        if (pod.get("metadata") or {}).get("deletionTimestamp"):
            continue
        group = ((pod.get("metadata") or {}).get("labels") or {}).get(group_label)
        total[group] = total.get(group, 0) + 1
        if (pod.get("status") or {}).get("phase") == "Running":
            running[group] = running.get(group, 0) + 1
    return running, total


def _never_admitted(message):
    """True when a refusal can never turn into an admission: Pod Security, or a quota rejection asking for more
    than the quota's hard limit."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import compare_quantities
    if _POD_SECURITY in (message or ""):
        return True
    match = _QUOTA.search(message or "")
    if not match:
        return False
    requested = dict(p.split("=", 1) for p in match.group("requested").split(",") if "=" in p)
    limited = dict(p.split("=", 1) for p in match.group("limited").split(",") if "=" in p)
    for resource, amount in requested.items():
        try:
            if resource in limited and compare_quantities(amount.strip(), limited[resource].strip()) > 0:
                return True
        except Exception:  # noqa: BLE001 - a message we cannot parse: leave it to the timeout
            continue
    return False


def _creators(rest, namespace, cluster_label, obj):
    """uids of what creates the cluster's pods: the cluster object (KubeRay creates pods itself) and the ReplicaSets
    of the Deployments the operator made (Dask); events of earlier objects of the same name are not ours."""
    if not obj:
        return set()
    uids = set([obj["metadata"]["uid"]])
    selector = "%s=%s" % (cluster_label, obj["metadata"]["name"])
    for rs in rest.list_all(kind_info("apps/v1", "ReplicaSet").collection_path(namespace), selector):
        uids.add(rs["metadata"]["uid"])
    return uids


def create_failures(rest, namespace, name, uids):
    """[(reason, event count)]: the distinct reasons pod creations failed, most frequent first, from the events of
    the objects with these uids (_creators). Pod names are left out, so the refusal of many pods is one reason."""
    counts = {}
    for event in rest.list_all(kind_info("v1", "Event").collection_path(namespace)):
        obj, reason = event.get("involvedObject") or {}, event.get("reason") or ""
        if obj.get("uid") in uids and reason.startswith(("FailedToCreate", "FailedCreate")) and event.get("message"):
            message = _POD_NAME.sub('pods "%s-..."' % name, _COMBINED.sub("", event["message"]))
            counts[message] = counts.get(message, 0) + (event.get("count") or 1)
    return sorted(counts.items(), key=lambda kv: -kv[1])


def _say(failures):
    """The (message, count) pairs of create_failures as text."""
    return ["%s (%d events)" % (m, n) if n > 1 else m for m, n in failures]


class _ClusterWatch(object):
    def __init__(self, rest, kind, spec):
        self.rest, self.kind, self.spec = rest, kind, spec
        api, kind_name, _crd = served_kind(kind)
        self.info = dict(LABELS[kind], api=api, kind=kind_name, addon=DEFAULTS[kind]["addon"])
        self.expected = expected_pods(kind, spec)
        self.last = {"object": None, "pods": [], "running": {}, "total": {}}

    def probe(self):
        ns, name, info = self.spec["namespace"], self.spec["name"], self.info
        obj = self.rest.get_or_none(kind_info(info["api"], info["kind"]).object_path(name, ns))
        pods = self.rest.list_all(kind_info("v1", "Pod").collection_path(ns), "%s=%s" % (info["cluster_label"], name))
        running, total = _counts(pods, info["group_label"])
        self.last = {"object": obj, "pods": pods, "running": running, "total": total}
        done = all(running.get(group, 0) >= count for group, count in self.expected.items())
        if not done and sum(total.values()) < sum(self.expected.values()):
            failures = create_failures(self.rest, ns, name, _creators(self.rest, ns, info["cluster_label"], obj))
            hopeless = _say([f for f in failures if _never_admitted(f[0])])
            if hopeless:
                raise RolloutError("%s %s/%s: pods cannot be created: %s" % (info["kind"], ns, name,
                                                                             " | ".join(hopeless)),
                                   create_failures=hopeless)
        return done, running, self.state()

    def state(self):
        parts = ["%s %d/%d Running" % (group, self.last["running"].get(group, 0), count)
                 for group, count in sorted(self.expected.items())]
        return ", ".join(parts)

    def explain(self, timeout):
        """The RolloutError for a wait that ran out of time."""
        ns, name, info = self.spec["namespace"], self.spec["name"], self.info
        status = (self.last["object"] or {}).get("status") or {}
        reasons = []
        if not status and not self.last["pods"]:
            reasons.append("%s has not reconciled it (no status, no pod): is the %s add-on running? "
                           "(aizone.platform.addon_info)" % (info["operator"], info["addon"]))
        uids = _creators(self.rest, ns, info["cluster_label"], self.last["object"])
        failures = _say(create_failures(self.rest, ns, name, uids))
        if failures:
            reasons.append("pods not created: " + " | ".join(failures))
        pending = scheduler_events(self.rest, ns, pending_pods(self.last["pods"]))
        messages = sorted(set(p["message"] for p in pending if p["message"]))
        if pending:
            reasons.append("%d pod%s Pending%s" % (len(pending), "" if len(pending) == 1 else "s",
                                                   "; scheduler: " + " | ".join(messages) if messages else ""))
        return RolloutError("%s %s/%s: not ready after %d s (%s)%s" % (
            info["kind"], ns, name, timeout, self.state(), ": " + "; ".join(reasons) if reasons else ""),
            scheduler_reasons=messages, create_failures=failures or None)


def wait_pods_gone(rest, kind, spec, timeout):
    """Wait until no pod of the (deleted) cluster is left: the garbage collector deletes what the operator made."""
    labels = LABELS[kind]
    path = kind_info("v1", "Pod").collection_path(spec["namespace"])
    selector = "%s=%s" % (labels["cluster_label"], spec["name"])

    def probe():
        left = len(rest.list_all(path, selector))
        return left == 0, left, "%d pod%s left" % (left, "" if left == 1 else "s")
    what = "%s %s/%s: wait for its pods to go" % (served_kind(kind)[1], spec["namespace"], spec["name"])
    return wait_for(probe, timeout, what, interval=0.5, max_interval=2.0)


def wait_cluster(rest, kind, spec, timeout):
    """Wait until the operator has made every pod of the cluster and they run; {group: running pods}."""
    watch = _ClusterWatch(rest, kind, spec)
    try:
        return wait_for(watch.probe, timeout, "%s %s/%s: wait for its pods" % (watch.info["kind"], spec["namespace"],
                                                                               spec["name"]),
                        interval=1.0, max_interval=3.0)
    except WaitTimeout:
        raise watch.explain(timeout)
