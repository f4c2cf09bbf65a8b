# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Batch server-side-apply engine: converge a list of Kubernetes objects in one call.

Public API (every Kubernetes-side module uses only this)::

    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import (
        apply_objects, delete_objects, FIELD_MANAGER, LABEL_MANAGED_BY, MANAGED_BY)

    result = apply_objects(api_client, desired_objects, check_mode=False, prune=None,
                           absent=None, field_manager=FIELD_MANAGER, force=True,
                           workers=16, wait_deleted=False, wait_timeout=300)
    result = delete_objects(api_client, refs, check_mode=False, wait=False,
                            wait_timeout=300, field_manager=FIELD_MANAGER, workers=16)

`api_client` comes from k8s.client.build_client(module.params) (a light
standard-library HTTPS client when the kubeconfig allows, else a kubernetes ApiClient);
a kubernetes.client.ApiClient from build_api_client() works as well.

`desired_objects`: full manifests (dicts with apiVersion, kind, metadata.name,
metadata.namespace for namespaced kinds). None values are dropped. The engine
adds the label app.kubernetes.io/managed-by=aizone.platform to each one: only
objects carrying it are read, pruned or deleted; an unlabeled object of the
same name is taken over by the apply (reported "updated").

`absent`: objects (or refs: apiVersion, kind, metadata.name/namespace) to
delete if they exist and carry the managed-by label.

`prune`: None, a dict(kinds=[(apiVersion, kind), ...], labels={key: value})
or a list of such dicts; a label value is a string (equal), a list (one of)
or None (key present). Live objects of those kinds carrying the managed-by
label and matching every label of one spec, and not in desired_objects,
are deleted. Objects inside a
namespace deleted in the same call are left to the namespace's cascade (and
reported deleted) rather than deleted one by one.

Returns ApplyResult:
  .changed   True when any object was (or, in check mode, would be) written.
  .objects   [{apiVersion, kind, namespace, name, action}] with action one of
             created | updated | unchanged | deleted; applies in input order,
             then deletes. namespace is None for cluster-scoped kinds.
  .diff      [{before_header, after_header, before, after}] for every object
             whose action is not unchanged (before {} on create, after {} on
             delete); objects without status and server bookkeeping.
  .live      {(apiVersion, kind, namespace, name): object} as stored after the
             call (the server's dry-run answer in check mode).
  .requests  {HTTP method: count} the engine sent.
  .as_dict(diff=False) -> dict(changed, objects[, diff]) for exit_json.

How it works and what it costs:
- Reads are batched: one LIST per kind with labelSelector managed-by (all
  namespaces when the objects span several, the one namespace otherwise),
  never a GET per object. The selector is narrowed by a label that every
  desired object of the kind carries and every prune spec constrains (e.g.
  `aizone.io/tenant in (a,b)`, see narrow_selector), so a call reads the
  objects it manages, not every object the collection manages in the
  cluster. Kinds the collection writes are in a static table
  (k8s/discovery.py); an unknown kind costs one discovery GET per apiVersion.
- A live object is converged when the fields our field manager owns (its
  managedFields Apply entry) are exactly the desired fields with the desired
  values (k8s/diff.py). Converged objects cost no request at all, so a no-op
  run is only the LISTs. This is exact for SSA semantics and free, where a
  dry-run apply per object would cost one PATCH per object on every run.
  Ownership cannot see a key removed inside a value the server owns whole
  (an atomic list such as a LimitRange's limits, where the server also
  defaults keys), so every applied object carries the annotation
  aizone.io/applied-hash (one per field manager): the hash of the manifest
  last applied. A changed manifest changes the hash and is applied.
- Writes are server-side apply (PATCH application/apply-patch+yaml, one field
  manager, force=True by default: the collection owns what it declares).
  Check mode sends the same requests with dryRun=All, so the prediction is
  the server's own (admission and validation included). In check mode an
  object whose namespace would be created by the same call cannot be
  dry-run (the namespace does not exist yet): it is reported created with
  `after` equal to the desired manifest.
- Order: by tier (CRDs, Namespaces, cluster policy, namespaced policy,
  workloads, custom resources); deletes in reverse. Objects of one tier are
  sent concurrently by `workers` threads. A CRD in the batch tells the engine
  its kinds (no discovery), and is waited for until Established before its
  custom resources are applied; in check mode those custom resources are
  reported created without a dry run, like objects of a namespace the call
  creates. A desired object found terminating is waited for (wait_timeout)
  and then created again.
- Every request is rate limited (client qps/burst) and retried with backoff
  on 429, 5xx, optimistic-lock conflicts and transport errors (retry.py).
  A failure raises ApiError after the failing tier's other requests end;
  its details carry `written_before_failure` (objects of earlier tiers).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.diff import clean_for_diff, is_converged
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import CUSTOM_TIER, KindResolver
from ansible_collections.aizone.platform.plugins.module_utils.k8s.rest import Rest
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for

FIELD_MANAGER = "aizone.platform"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
# Hash of the manifest last applied, per field manager. Field ownership alone
# cannot tell that a key was removed inside an atomic list or map (a
# LimitRange's limits, a toleration): the server owns such values whole and
# may default keys inside them. The hash makes the converged check exact for
# what we asked, and the ownership check still catches others' changes.
HASH_ANNOTATION_PREFIX = "aizone.io/applied-hash"
MANAGED_BY = "aizone.platform"
APPLY_CONTENT_TYPE = "application/apply-patch+yaml"


class ApplyResult(object):
    """Outcome of apply_objects / delete_objects (see the module docstring)."""

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


def object_ref(obj):
    """(apiVersion, kind, namespace or None, name) of a manifest."""
    meta = obj.get("metadata") or {}
    return (obj.get("apiVersion"), obj.get("kind"), meta.get("namespace") or None, meta.get("name"))


def _strip_none(value):
    """A copy of value without None entries (dicts and lists copied, scalars shared)."""
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value if v is not None]
    return value


def _labels_match(labels, wanted):
    for key, value in (wanted or {}).items():
        if value is None:
            if key not in labels:
                return False
        elif isinstance(value, (list, tuple, set, frozenset)):
            if labels.get(key) not in value:
                return False
        elif labels.get(key) != value:
            return False
    return True


def _header(ref):
    api_version, kind, namespace, name = ref
    return "%s %s" % (kind, "%s/%s" % (namespace, name) if namespace else name)


def result_entry(ref, action):
    """One item of ApplyResult.objects: the object's apiVersion, kind, namespace, name and action."""
    return dict(apiVersion=ref[0], kind=ref[1], namespace=ref[2], name=ref[3], action=action)


def hash_annotation(field_manager):
    """The annotation holding the last applied manifest's hash for field_manager."""
    suffix = re.sub(r"[^A-Za-z0-9_.-]", "-", field_manager)[:48]
    return "%s.%s" % (HASH_ANNOTATION_PREFIX, suffix) if field_manager != FIELD_MANAGER else HASH_ANNOTATION_PREFIX


def desired_hash(obj):
    """Stable short hash of a manifest (before the hash annotation is added)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


_LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")
SELECTOR_BUDGET = 4000   # characters of one selector term; longer ones are left out of the URL


def narrow_selector(label_sets, prune_labels):
    """A label selector term every object a call must read of one kind carries, or None.

    label_sets: the labels of each desired object of the kind; prune_labels:
    the label constraints of each prune spec covering it. A key qualifies when
    every desired object has it and every prune spec constrains it; the term
    is `key in (values)` over all those values (`key` when a prune spec only
    asks for the key to be present). The term with the most values wins: it
    comes closest to naming the objects themselves (a tenant label rather
    than an environment label). A live object without the label is simply
    not found: it gets applied, which its differing labels call for anyway.
    """
    keys = None
    for labels in list(label_sets) + list(prune_labels):
        keys = set(labels) if keys is None else keys & set(labels)
    if not keys:
        return None
    keys.discard(LABEL_MANAGED_BY)
    best = None
    for key in sorted(keys):
        if any(spec[key] is None for spec in prune_labels):
            term, count = key, 0
        else:
            values = set(labels[key] for labels in label_sets)
            for spec in prune_labels:
                value = spec[key]
                values.update(value if isinstance(value, (list, tuple, set, frozenset)) else [value])
            if not values or not all(isinstance(v, str) and _LABEL_VALUE.match(v) for v in values):
                continue
            term, count = "%s in (%s)" % (key, ",".join(sorted(values))), len(values)
        if len(term) <= SELECTOR_BUDGET and (best is None or count > best[1]):
            best = (term, count)
    return best[0] if best else None


class _Engine(object):
    def __init__(self, api_client, field_manager, force, workers, check_mode, wait_timeout):
        self.rest = Rest(api_client)
        self.kinds = KindResolver(self.rest.get)
        self.field_manager = field_manager
        self.hash_key = hash_annotation(field_manager)
        self.force = force
        self.workers = max(1, int(workers))
        self.check_mode = check_mode
        self.wait_timeout = wait_timeout
        self.result = ApplyResult()

    # -- input ---------------------------------------------------------------
    def prepare(self, objects, what, label=True):
        prepared = []
        seen = set()
        for index, obj in enumerate(objects or []):
            field = "%s[%d]" % (what, index)
            if not isinstance(obj, dict):
                raise ValidationError(field, "must be a Kubernetes object (a mapping), got %s"
                                      % type(obj).__name__)
            obj = _strip_none(obj)   # a copy: the caller's manifests are never modified
            for key in ("apiVersion", "kind"):
                if not isinstance(obj.get(key), str) or not obj.get(key):
                    raise ValidationError("%s.%s" % (field, key), "is required")
            meta = obj.setdefault("metadata", {})
            if not isinstance(meta.get("name"), str) or not meta.get("name"):
                raise ValidationError(field + ".metadata.name", "is required")
            info = self.kinds.resolve(obj["apiVersion"], obj["kind"], field)
            if info.namespaced and not meta.get("namespace"):
                raise ValidationError(field + ".metadata.namespace",
                                      "is required for the namespaced kind %s" % info.kind)
            if not info.namespaced and meta.get("namespace"):
                raise ValidationError(field + ".metadata.namespace",
                                      "must not be set: %s is cluster-scoped" % info.kind)
            if label:
                meta.setdefault("labels", {})[LABEL_MANAGED_BY] = MANAGED_BY
                meta.setdefault("annotations", {})[self.hash_key] = desired_hash(obj)
            ref = object_ref(obj)
            if ref in seen:
                raise ValidationError(field, "%s appears twice" % _header(ref))
            seen.add(ref)
            prepared.append((ref, info, obj))
        return prepared

    # -- reads ---------------------------------------------------------------
    def read(self, wanted, all_namespace_kinds, narrow=None):
        """wanted: {(apiVersion, kind): (info, set of namespaces)} -> index {ref: live}.

        narrow: {(apiVersion, kind): extra label selector term} (see narrow_selector)."""
        jobs = []
        for key, (info, namespaces) in wanted.items():
            selector = "%s=%s" % (LABEL_MANAGED_BY, MANAGED_BY)
            term = (narrow or {}).get(key)
            if term:
                selector += "," + term
            if not info.namespaced or key in all_namespace_kinds or len(namespaces) != 1:
                jobs.append((info, None, namespaces, selector))
            else:
                jobs.append((info, next(iter(namespaces)), namespaces, selector))
        index = {}
        for items in self._parallel(self._list_kind, jobs):
            for item in items:
                index[object_ref(item)] = item
        return index

    def _list_kind(self, job):
        info, namespace, namespaces, selector = job
        try:
            items = self.rest.list_all(info.collection_path(namespace), selector)
        except ApiError as exc:
            if exc.status == 404 and info.tier == CUSTOM_TIER:
                return []   # its CRD is not there yet (it may be in this very batch)
            if not (exc.status == 403 and info.namespaced and namespace is None and namespaces):
                raise
            items = []
            for ns in sorted(namespaces):
                items.extend(self.rest.list_all(info.collection_path(ns), selector))
        for item in items:
            item["apiVersion"] = info.api_version
            item["kind"] = info.kind
        return items

    # -- execution -------------------------------------------------------------
    def _parallel(self, fn, jobs):
        if len(jobs) <= 1 or self.workers == 1:
            return [fn(job) for job in jobs]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(jobs))) as pool:
            futures = [pool.submit(fn, job) for job in jobs]
            results, error = [], None
            for future in futures:
                try:
                    results.append(future.result())
                except Exception as exc:  # noqa: BLE001 - re-raised below, once all finished
                    error = error or exc
            if error is not None:
                raise error
            return results

    def record(self, ref, action, before, after):
        self.result.objects.append(result_entry(ref, action))
        if after:
            self.result.live[ref] = after
        if action != "unchanged":
            self.result.diff.append(dict(before_header=_header(ref), after_header=_header(ref),
                                         before=clean_for_diff(before), after=clean_for_diff(after)))

    def _fail(self, exc, done):
        if isinstance(exc, ApiError):
            exc.details["written_before_failure"] = [_header(ref) for ref in done]
        raise exc

    def run_tiers(self, jobs, fn, reverse=False):
        tiers = sorted(set(job[1].tier for job in jobs), reverse=reverse)
        done = {}
        for tier in tiers:
            batch = [job for job in jobs if job[1].tier == tier]
            try:
                outcomes = self._parallel(fn, batch)
            except Exception as exc:  # noqa: BLE001
                self._fail(exc, sorted(done, key=lambda r: tuple(x or "" for x in r)))
            for job, outcome in zip(batch, outcomes):
                done[job[0]] = outcome
        return done

    def _wait_gone(self, ref, info):
        path = info.object_path(ref[3], ref[2])

        def probe():
            try:
                obj = self.rest.get(path)
            except ApiError as exc:
                if exc.status == 404:
                    return True, None, "gone"
                raise
            return False, None, "terminating since %s" % obj["metadata"].get("deletionTimestamp")

        wait_for(probe, self.wait_timeout, "%s: wait for the terminating object to go" % _header(ref),
                 interval=0.5, max_interval=3.0)

    def _wait_established(self, ref, info, crd):
        """Custom resources of a CRD can be written once it is Established."""
        path = info.object_path(ref[3])

        def established(obj):
            return any(c.get("type") == "Established" and c.get("status") == "True"
                       for c in (obj.get("status") or {}).get("conditions") or [])

        if established(crd):
            return crd

        def probe():
            obj = self.rest.get(path)
            return established(obj), obj, "conditions %s" % [
                (c.get("type"), c.get("status")) for c in (obj.get("status") or {}).get("conditions") or []]

        return wait_for(probe, self.wait_timeout, "%s: wait for Established" % _header(ref),
                        interval=0.2, max_interval=2.0)

    def apply_one(self, job):
        ref, info, desired, live, terminating, skip_dry_run = job
        if skip_dry_run:
            return "created", desired
        if terminating and not self.check_mode:
            self._wait_gone(ref, info)
        query = {"fieldManager": self.field_manager}
        if self.force:
            query["force"] = "true"
        if self.check_mode:
            query["dryRun"] = "All"
        status, after = self.rest.request("PATCH", info.object_path(ref[3], ref[2]), query,
                                          desired, APPLY_CONTENT_TYPE)
        if info.kind == "CustomResourceDefinition" and not self.check_mode:
            after = self._wait_established(ref, info, after)
        if status == 201 or terminating:
            return "created", after
        if live is not None and clean_for_diff(live) == clean_for_diff(after):
            return "unchanged", after
        return "updated", after

    def delete_one(self, job):
        ref, info, live = job[0], job[1], job[2]
        query = {"propagationPolicy": "Background"}
        if self.check_mode:
            query["dryRun"] = "All"
        try:
            self.rest.request("DELETE", info.object_path(ref[3], ref[2]), query)
        except ApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def wait_deleted(self, deleted):
        """Poll one LIST per kind until every deleted object is gone."""
        by_kind = {}
        for ref, info in deleted:
            by_kind.setdefault((info.api_version, info.kind), (info, set()))[1].add(ref[2])

        def probe():
            index = self.read(by_kind, set(by_kind))
            left = [ref for ref, info in deleted if ref in index]
            return not left, None, "%d left, e.g. %s" % (len(left), _header(left[0])) if left else "all gone"

        wait_for(probe, self.wait_timeout, "wait for %d deleted objects to go" % len(deleted),
                 interval=0.5, max_interval=3.0)


def apply_objects(api_client, desired_objects, check_mode=False, prune=None, absent=None,
                  field_manager=FIELD_MANAGER, force=True, workers=16, wait_deleted=False,
                  wait_timeout=300):
    """Converge desired_objects (and delete absent/pruned ones); see the module docstring."""
    engine = _Engine(api_client, field_manager, force, workers, check_mode, wait_timeout)
    for obj in desired_objects or []:
        if isinstance(obj, dict) and obj.get("kind") == "CustomResourceDefinition":
            engine.kinds.add_crd(obj)
    desired = engine.prepare(desired_objects, "objects")
    gone = engine.prepare(absent, "absent", label=False)
    specs = [prune] if isinstance(prune, dict) else list(prune or [])
    prune_specs = []
    for n, spec in enumerate(specs):
        infos = [engine.kinds.resolve(av, kind, "prune[%d].kinds[%d]" % (n, i))
                 for i, (av, kind) in enumerate(spec.get("kinds") or [])]
        prune_specs.append((infos, spec.get("labels") or {}))
    prune_kinds = [info for infos, _labels in prune_specs for info in infos]

    wanted = {}
    for ref, info, _obj in desired + gone:
        wanted.setdefault((info.api_version, info.kind), (info, set()))[1].add(ref[2])
    for info in prune_kinds:
        wanted.setdefault((info.api_version, info.kind), (info, set()))
    all_ns = set((info.api_version, info.kind) for info in prune_kinds)
    labels_by_kind = dict((key, ([], [])) for key in wanted)
    for _ref, info, obj in desired:
        labels_by_kind[(info.api_version, info.kind)][0].append(obj["metadata"].get("labels") or {})
    for infos, labels in prune_specs:
        for key in set((i.api_version, i.kind) for i in infos):
            labels_by_kind[key][1].append(labels)
    for _ref, info, _obj in gone:   # refs to delete carry no labels to select by
        labels_by_kind.pop((info.api_version, info.kind), None)
    narrow = dict((key, narrow_selector(*sets)) for key, sets in labels_by_kind.items())
    index = engine.read(wanted, all_ns, narrow)

    # plan
    applies, unchanged = [], set()
    creating_ns = set()
    for ref, info, obj in desired:
        live = index.get(ref)
        terminating = bool(live and live["metadata"].get("deletionTimestamp"))
        if live is not None and not terminating and is_converged(obj, live, field_manager):
            unchanged.add(ref)
            continue
        if info.kind == "Namespace" and info.api_version == "v1" and (live is None or terminating):
            creating_ns.add(ref[3])
        applies.append([ref, info, obj, None if terminating else live, terminating, False])
    creating_crd = set(((o.get("spec") or {}).get("group"), ((o.get("spec") or {}).get("names") or {}).get("kind"))
                       for ref, info, o in desired
                       if info.kind == "CustomResourceDefinition" and index.get(ref) is None)
    for job in applies:
        group = job[0][0].rpartition("/")[0]
        job[5] = check_mode and (job[0][2] in creating_ns or (group, job[0][1]) in creating_crd)

    desired_refs = set(ref for ref, _info, _obj in desired)
    deletes, seen = [], set()
    for ref, info, _obj in gone:
        live = index.get(ref)
        if live is not None and not live["metadata"].get("deletionTimestamp"):
            deletes.append((ref, info, live))
            seen.add(ref)
    for ref, live in sorted(index.items(), key=lambda kv: tuple(x or "" for x in kv[0])):
        meta = live.get("metadata") or {}
        if ref in desired_refs or ref in seen or meta.get("deletionTimestamp"):
            continue
        for infos, labels in prune_specs:
            match = [i for i in infos if (i.api_version, i.kind) == (ref[0], ref[1])]
            if match and _labels_match(meta.get("labels") or {}, labels):
                deletes.append((ref, match[0], live))
                seen.add(ref)
                break
    deleted_ns = set(ref[3] for ref, info, _live in deletes
                     if info.kind == "Namespace" and info.api_version == "v1")
    direct = [d for d in deletes if not (d[1].namespaced and d[0][2] in deleted_ns)]

    # execute
    applied = engine.run_tiers([tuple(job) for job in applies], engine.apply_one)
    for ref, info, obj in desired:
        if ref in unchanged:
            engine.record(ref, "unchanged", index[ref], index[ref])
        else:
            action, after = applied[ref]
            live = index.get(ref)
            engine.record(ref, action, None if action == "created" else live, after)
    removed = engine.run_tiers(direct, engine.delete_one, reverse=True)
    for ref, info, live in sorted(deletes, key=lambda d: -d[1].tier):
        if removed.get(ref, True):
            engine.record(ref, "deleted", live, None)
    if wait_deleted and not check_mode and direct:
        engine.wait_deleted([(ref, info) for ref, info, _live in direct if removed.get(ref)])
    engine.result.requests = dict(engine.rest.counts)
    return engine.result


def delete_objects(api_client, refs, check_mode=False, wait=False, wait_timeout=300,
                   field_manager=FIELD_MANAGER, workers=16):
    """Delete the managed objects among refs (reverse tier order); see the module docstring."""
    return apply_objects(api_client, [], check_mode=check_mode, absent=refs, field_manager=field_manager,
                         workers=workers, wait_deleted=wait, wait_timeout=wait_timeout)
