# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Is a live object already what we would apply? And what to show in a diff.

`is_converged(desired, live, manager)` answers without a request. Server-side
apply makes the applied configuration of one field manager exactly the set
of fields that manager owns (metadata.managedFields, operation Apply). So an
apply of `desired` would be a no-op when:

1. the fields our manager owns are exactly the fields `desired` sets (no
   field would be added to, or released from, our ownership), and
2. the live value of each of those fields equals the desired value.

Lists follow their field-set encoding: `k:{...}` entries (map lists keyed by
e.g. name) are matched item by item, `v:` entries (sets) by value, and a
list with no entries is atomic (owned whole) and compared as a whole; the
server may default fields inside atomic list items (a NetworkPolicy port's
protocol), so for those the desired item must be contained in the live one.
Quantities under resource maps (hard, requests, limits, default...) compare
by value ("1024Mi" == "1Gi"), because the server stores the canonical form.

Anything the comparison does not understand answers "not converged", which
costs one apply that the server turns into a no-op: the check can produce a
needless write, never a skipped one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import quantities_equal

QUANTITY_MAPS = frozenset(["hard", "requests", "limits", "default", "defaultRequest", "max", "min",
                           "maxLimitRequestRatio", "capacity", "allocatable", "used"])
VOLATILE_METADATA = ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation",
                     "selfLink")


def owned_fields(live, manager):
    """The fieldsV1 tree our manager applied, or None."""
    for entry in (live.get("metadata") or {}).get("managedFields") or []:
        if (entry.get("manager") == manager and entry.get("operation") == "Apply"
                and not entry.get("subresource")):
            return entry.get("fieldsV1") or {}
    return None


def _identity_stripped(obj):
    """Desired/owned comparison ignores apiVersion, kind, metadata.name/namespace."""
    out = dict((k, v) for k, v in obj.items() if k not in ("apiVersion", "kind"))
    meta = dict((k, v) for k, v in (out.get("metadata") or {}).items() if k not in ("name", "namespace"))
    if meta:
        out["metadata"] = meta
    else:
        out.pop("metadata", None)
    return out


def _fields_stripped(fields):
    out = dict((k, v) for k, v in fields.items() if k not in ("f:apiVersion", "f:kind"))
    meta = out.get("f:metadata")
    if meta is not None:
        meta = dict((k, v) for k, v in meta.items() if k not in ("f:name", "f:namespace", "."))
        if meta:
            out["f:metadata"] = meta
        else:
            out.pop("f:metadata")
    return out


def is_converged(desired, live, manager):
    """True when applying desired (as manager) would change nothing on live."""
    fields = owned_fields(live, manager)
    if fields is None:
        return False
    return _map_ok(_identity_stripped(desired), live, _fields_stripped(fields))


def _children(fields):
    return [k for k in fields if k != "."]


def _child_count(fields):
    return len(fields) - ("." in fields)


def _owned_fields_for(desired, fields):
    """The fieldsV1 subtree of each key of desired, or None unless our manager owns exactly those keys."""
    if _child_count(fields) != len(desired):
        return None
    subtrees = []
    for key in desired:
        sub = fields.get("f:" + key)
        if sub is None:
            return None
        subtrees.append(sub)
    return subtrees


def _map_ok(desired, live, fields):
    if not isinstance(live, dict):
        return False
    subtrees = _owned_fields_for(desired, fields)
    if subtrees is None:
        return False
    for (key, value), sub in zip(desired.items(), subtrees):
        if not _value_ok(value, live.get(key), sub, key in QUANTITY_MAPS):
            return False
    return True


def _value_ok(desired, live, fields, quantity_ctx):
    if isinstance(desired, dict):
        if not _child_count(fields):
            if not desired:
                return live in (None, {})
            return _contained(desired, live, quantity_ctx)
        if quantity_ctx:
            return _quantity_map_ok(desired, live, fields)
        return _map_ok(desired, live, fields)
    if isinstance(desired, list):
        return _list_ok(desired, live, fields)
    if _child_count(fields):
        return False
    return _scalar_eq(desired, live, quantity_ctx)


def _quantity_map_ok(desired, live, fields):
    if not isinstance(live, dict) or _owned_fields_for(desired, fields) is None:
        return False
    return all(_scalar_eq(v, live.get(k), True) for k, v in desired.items())


def _scalar_eq(desired, live, quantity_ctx):
    if desired == live and type(desired) is type(live):
        return True
    if isinstance(desired, str) and isinstance(live, str) and desired == live:
        return True
    if quantity_ctx and not isinstance(desired, bool):
        return quantities_equal(desired, live)
    return False


def _list_ok(desired, live, fields):
    entries = _children(fields)
    if not entries:
        if not desired:
            return live in (None, [])
        return _contained(desired, live)
    if not isinstance(live, list) or len(entries) != len(desired):
        return False
    if all(e.startswith("v:") for e in entries):
        try:
            owned = set(json.dumps(json.loads(e[2:]), sort_keys=True) for e in entries)
        except ValueError:
            return False
        wanted = set(json.dumps(v, sort_keys=True) for v in desired)
        have = set(json.dumps(v, sort_keys=True) for v in live)
        return owned == wanted and wanted <= have
    if all(e.startswith("k:") for e in entries):
        for entry in entries:
            try:
                key = json.loads(entry[2:])
            except ValueError:
                return False
            want = [d for d in desired if isinstance(d, dict) and _key_matches(d, key, partial=True)]
            have = [item for item in live if isinstance(item, dict) and _key_matches(item, key)]
            if len(want) != 1 or len(have) != 1:
                return False
            if not _map_ok(want[0], have[0], fields[entry]):
                return False
        return True
    return False


def _key_matches(item, key, partial=False):
    """item has the key fields' values; partial allows fields the server defaults
    (a container port's protocol) to be missing from a desired item."""
    present = [k for k in key if k in item]
    if not present or (not partial and len(present) != len(key)):
        return False
    return all(str(item[k]) == str(key[k]) for k in present)


def _contained(desired, live, quantity_ctx=False):
    """desired is live, or a part of it (dict keys a subset, lists item by item)."""
    if isinstance(desired, dict):
        if not isinstance(live, dict):
            return False
        for key, value in desired.items():
            if key not in live:
                if value in ({}, []):
                    continue
                return False
            if not _contained(value, live[key], key in QUANTITY_MAPS):
                return False
        return True
    if isinstance(desired, list):
        if not isinstance(live, list) or len(live) != len(desired):
            return False
        return all(_contained(d, lv) for d, lv in zip(desired, live))
    return _scalar_eq(desired, live, quantity_ctx)


def clean_for_diff(obj):
    """The object without server bookkeeping and status, for before/after diffs."""
    if obj is None:
        return {}
    out = dict((k, v) for k, v in obj.items() if k != "status")
    meta = dict((k, v) for k, v in (out.get("metadata") or {}).items() if k not in VOLATILE_METADATA)
    out["metadata"] = meta
    return out
