# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The apply engine's records and its plan: what to read, then what to write. No request here.

k8s/apply.py drives it: `make_request` checks and prepares the input,
`Request.reads()` says which LISTs to send (k8s/apply_exec.py sends them),
and `make_plan` compares the live objects with the request and returns the
applies and deletes to execute.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import re
from collections import namedtuple

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.diff import is_converged
from ansible_collections.aizone.platform.plugins.module_utils.names import LABEL_MANAGED_BY, MANAGED_BY

#: One object: (apiVersion, kind, namespace or None, name); a tuple, so it keys dicts as before.
Ref = namedtuple("Ref", "api_version kind namespace name")
#: A prepared manifest (or, for deletes, a reference) with where its kind lives.
Item = namedtuple("Item", "ref info obj")
#: A write: `live` is None when absent or terminating; `predicted` in check mode when no dry run
#: is possible (its namespace or CRD is created by the same call): reported created as desired.
ApplyJob = namedtuple("ApplyJob", "ref info obj live terminating predicted")
DeleteJob = namedtuple("DeleteJob", "ref info live")
PruneSpec = namedtuple("PruneSpec", "infos labels")
#: One LIST: `info` of the kind, `namespace` (None: all namespaces), `namespaces` the call
#: is about (a forbidden cluster-wide LIST falls back to them), label `selector`.
ListJob = namedtuple("ListJob", "info namespace namespaces selector")

HASH_ANNOTATION_PREFIX = "aizone.io/applied-hash"
_DEFAULT_MANAGER = "aizone.platform"
_LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")
SELECTOR_BUDGET = 4000   # characters of one selector term; longer ones are left out of the URL


def object_ref(obj):
    """Ref (apiVersion, kind, namespace or None, name) of a manifest."""
    meta = obj.get("metadata") or {}
    return Ref(obj.get("apiVersion"), obj.get("kind"), meta.get("namespace") or None, meta.get("name"))


def header(ref):
    """'Kind namespace/name' (or 'Kind name' when cluster-scoped), for diffs and messages."""
    return "%s %s" % (ref[1], "%s/%s" % (ref[2], ref[3]) if ref[2] else ref[3])


def result_entry(ref, action):
    """One item of ApplyResult.objects: the object's apiVersion, kind, namespace, name and action."""
    return dict(apiVersion=ref[0], kind=ref[1], namespace=ref[2], name=ref[3], action=action)


def hash_annotation(field_manager):
    """The annotation holding the last applied manifest's hash for field_manager."""
    suffix = re.sub(r"[^A-Za-z0-9_.-]", "-", field_manager)[:48]
    return "%s.%s" % (HASH_ANNOTATION_PREFIX, suffix) if field_manager != _DEFAULT_MANAGER else HASH_ANNOTATION_PREFIX


def desired_hash(obj):
    """Stable short hash of a manifest (before the hash annotation is added)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _strip_none(value):
    """A copy of value without None entries (dicts and lists copied, scalars shared)."""
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value if v is not None]
    return value


def labels_match(labels, wanted):
    """labels satisfy wanted: {key: value (equal) | list (one of) | None (present)}."""
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
        term, count = _selector_term(key, label_sets, prune_labels)
        if term and len(term) <= SELECTOR_BUDGET and (best is None or count > best[1]):
            best = (term, count)
    return best[0] if best else None


def _selector_term(key, label_sets, prune_labels):
    if any(spec[key] is None for spec in prune_labels):
        return key, 0
    values = set(labels[key] for labels in label_sets)
    for spec in prune_labels:
        value = spec[key]
        values.update(value if isinstance(value, (list, tuple, set, frozenset)) else [value])
    if not values or not all(isinstance(v, str) and _LABEL_VALUE.match(v) for v in values):
        return None, 0
    return "%s in (%s)" % (key, ",".join(sorted(values))), len(values)


def _check_manifest(obj, field):
    if not isinstance(obj, dict):
        raise ValidationError(field, "must be a Kubernetes object (a mapping), got %s" % type(obj).__name__)
    for key in ("apiVersion", "kind"):
        if not isinstance(obj.get(key), str) or not obj.get(key):
            raise ValidationError("%s.%s" % (field, key), "is required")
    meta = obj.get("metadata") or {}
    if not isinstance(meta.get("name"), str) or not meta.get("name"):
        raise ValidationError(field + ".metadata.name", "is required")


def prepare(kinds, objects, what, hash_key=None):
    """[Item] of the manifests, checked, copied without None values, and (with hash_key)
    labelled managed-by and annotated with their hash. ValidationError names `what[i]`."""
    prepared, seen = [], set()
    for index, obj in enumerate(objects or []):
        field = "%s[%d]" % (what, index)
        _check_manifest(obj, field)
        obj = _strip_none(obj)   # a copy: the caller's manifests are never modified
        meta = obj.setdefault("metadata", {})
        info = kinds.resolve(obj["apiVersion"], obj["kind"], field)
        if info.namespaced and not meta.get("namespace"):
            raise ValidationError(field + ".metadata.namespace", "is required for the namespaced kind %s" % info.kind)
        if not info.namespaced and meta.get("namespace"):
            raise ValidationError(field + ".metadata.namespace", "must not be set: %s is cluster-scoped" % info.kind)
        if hash_key:
            meta.setdefault("labels", {})[LABEL_MANAGED_BY] = MANAGED_BY
            meta.setdefault("annotations", {})[hash_key] = desired_hash(obj)
        ref = object_ref(obj)
        if ref in seen:
            raise ValidationError(field, "%s appears twice" % header(ref))
        seen.add(ref)
        prepared.append(Item(ref, info, obj))
    return prepared


class Request(object):
    """What one apply_objects call asks: desired items, items to delete, prune specs."""

    def __init__(self, desired, gone, prune):
        self.desired = desired
        self.gone = gone
        self.prune = prune

    def reads(self):
        """[ListJob]: one LIST per kind, in one namespace when the call is about one."""
        wanted = {}
        for item in self.desired + self.gone:
            wanted.setdefault(_kind_key(item.info), (item.info, set()))[1].add(item.ref[2])
        prune_kinds = set()
        for spec in self.prune:
            for info in spec.infos:
                wanted.setdefault(_kind_key(info), (info, set()))
                prune_kinds.add(_kind_key(info))
        narrow = self._narrow(wanted)
        jobs = []
        for key, (info, namespaces) in wanted.items():
            selector = "%s=%s" % (LABEL_MANAGED_BY, MANAGED_BY)
            if narrow.get(key):
                selector += "," + narrow[key]
            one = info.namespaced and key not in prune_kinds and len(namespaces) == 1
            jobs.append(ListJob(info, next(iter(namespaces)) if one else None, namespaces, selector))
        return jobs

    def _narrow(self, wanted):
        """{kind key: selector term} (see narrow_selector); none for kinds deleted by name."""
        sets = dict((key, ([], [])) for key in wanted)
        for item in self.desired:
            sets[_kind_key(item.info)][0].append(item.obj["metadata"].get("labels") or {})
        for spec in self.prune:
            for key in set(_kind_key(i) for i in spec.infos):
                sets[key][1].append(spec.labels)
        for item in self.gone:   # refs to delete carry no labels to select by
            sets.pop(_kind_key(item.info), None)
        return dict((key, narrow_selector(*pair)) for key, pair in sets.items())


def _kind_key(info):
    return (info.api_version, info.kind)


def make_request(kinds, desired_objects, absent, prune, field_manager):
    """Request for apply_objects' arguments; ValidationError before any write."""
    for obj in desired_objects or []:
        if isinstance(obj, dict) and obj.get("kind") == "CustomResourceDefinition":
            kinds.add_crd(obj)
    desired = prepare(kinds, desired_objects, "objects", hash_annotation(field_manager))
    gone = prepare(kinds, absent, "absent")
    specs = [prune] if isinstance(prune, dict) else list(prune or [])
    prune_specs = []
    for n, spec in enumerate(specs):
        infos = [kinds.resolve(av, kind, "prune[%d].kinds[%d]" % (n, i))
                 for i, (av, kind) in enumerate(spec.get("kinds") or [])]
        prune_specs.append(PruneSpec(infos, spec.get("labels") or {}))
    return Request(desired, gone, prune_specs)


class Plan(object):
    """The writes of one call: applies (and the converged refs left alone), then deletes.

    `direct` are the deletes to send: objects inside a namespace deleted by the
    same call are left to its cascade (and still reported deleted)."""

    def __init__(self, applies, unchanged, deletes):
        self.applies = applies
        self.unchanged = unchanged
        self.deletes = deletes
        deleted_ns = set(d.ref[3] for d in deletes if d.info.kind == "Namespace" and d.info.api_version == "v1")
        self.direct = [d for d in deletes if not (d.info.namespaced and d.ref[2] in deleted_ns)]


def _is_terminating(live):
    return bool(live and live["metadata"].get("deletionTimestamp"))


def _applies(request, index, field_manager, check_mode, missing_ns=()):
    """(apply jobs, refs already converged)."""
    pending, unchanged, creating_ns = [], set(), set(missing_ns)
    for item in request.desired:
        live = index.get(item.ref)
        terminating = _is_terminating(live)
        if live is not None and not terminating and is_converged(item.obj, live, field_manager):
            unchanged.add(item.ref)
            continue
        if item.info.kind == "Namespace" and item.info.api_version == "v1" and (live is None or terminating):
            creating_ns.add(item.ref[3])
        pending.append((item, None if terminating else live, terminating))
    creating_crd = set()
    for item in request.desired:
        if item.info.kind == "CustomResourceDefinition" and index.get(item.ref) is None:
            spec = item.obj.get("spec") or {}
            creating_crd.add((spec.get("group"), (spec.get("names") or {}).get("kind")))
    jobs = []
    for item, live, terminating in pending:
        group = item.ref[0].rpartition("/")[0]
        predicted = check_mode and (item.ref[2] in creating_ns or (group, item.ref[1]) in creating_crd)
        jobs.append(ApplyJob(item.ref, item.info, item.obj, live, terminating, predicted))
    return jobs, unchanged


def _deletes(request, index):
    """Delete jobs: the absent items that exist, then live objects a prune spec matches."""
    desired_refs = set(item.ref for item in request.desired)
    deletes, seen = [], set()
    for item in request.gone:
        live = index.get(item.ref)
        if live is not None and not _is_terminating(live):
            deletes.append(DeleteJob(item.ref, item.info, live))
            seen.add(item.ref)
    for ref, live in sorted(index.items(), key=lambda kv: tuple(x or "" for x in kv[0])):
        meta = live.get("metadata") or {}
        if ref in desired_refs or ref in seen or meta.get("deletionTimestamp"):
            continue
        for spec in request.prune:
            match = [i for i in spec.infos if (i.api_version, i.kind) == (ref[0], ref[1])]
            if match and labels_match(meta.get("labels") or {}, spec.labels):
                deletes.append(DeleteJob(ref, match[0], live))
                seen.add(ref)
                break
    return deletes


def namespaces_to_check(request, index):
    """Namespaces the request's namespaced objects go to that neither the request creates nor the reads showed
    objects in: check mode asks the server whether they exist (an earlier task of the play may create them)."""
    created = set(i.ref[3] for i in request.desired if i.info.kind == "Namespace" and i.info.api_version == "v1")
    seen = set(ref[2] for ref in index)
    return sorted(set(i.ref[2] for i in request.desired if i.ref[2]) - created - seen)


def make_plan(request, index, field_manager, check_mode, missing_ns=()):
    """Plan from the request and the live objects read ({Ref: object}); missing_ns: namespaces that do not exist,
    whose objects check mode reports as created, as rendered (no dry run is possible there)."""
    applies, unchanged = _applies(request, index, field_manager, check_mode, missing_ns)
    return Plan(applies, unchanged, _deletes(request, index))
