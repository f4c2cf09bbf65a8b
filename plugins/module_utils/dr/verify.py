# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checking a backup offline, from its objects in the store, without Velero: does the archive open, does it hold
exactly what its resource list and its Backup say, and which of its objects the zone has now.

What is checked: the tarball is a whole gzip'd tar (a flipped byte fails its CRC, a cut one ends early), every
entry under resources/ is a Kubernetes object, the objects are those of `<name>-resource-list.json.gz` one for one,
and their count is Velero's `itemsBackedUp`. What cannot be: an object edited inside a re-packed, well-formed
archive whose list was edited to match (Velero stores no digest of its files).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.dr.store import resource_list, tarball_objects
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError

SAMPLE = 20


def _sample(items):
    items = sorted(items)
    return items[:SAMPLE] + (["... %d more" % (len(items) - SAMPLE)] if len(items) > SAMPLE else [])


def archive_problems(store, backup):
    """([problem], {kind: {key: object}}) of the backup's files in the store."""
    name = backup["metadata"]["name"]
    raw_tar, raw_list = store.read(name, name + ".tar.gz"), store.read(name, name + "-resource-list.json.gz")
    problems, objects = [], {}
    if raw_tar is None:
        problems.append("the store has no %s" % store.key(name, name + ".tar.gz"))
    else:
        try:
            objects = tarball_objects(raw_tar)
        except ValueError as exc:
            problems.append("%s: %s" % (store.key(name, name + ".tar.gz"), exc))
    listed = {}
    if raw_list is None:
        problems.append("the store has no %s" % store.key(name, name + "-resource-list.json.gz"))
    else:
        try:
            listed = resource_list(raw_list)
        except (ValueError, OSError, EOFError) as exc:
            problems.append("%s: cannot be read: %s" % (store.key(name, name + "-resource-list.json.gz"), exc))
    if objects and listed:
        in_tar = set((k, i) for k, items in objects.items() for i in items)
        in_list = set((k, i) for k, items in listed.items() for i in items)
        if in_list - in_tar:
            problems.append("listed but not in the archive: %s" % ", ".join(_sample("%s %s" % p for p in in_list - in_tar)))
        if in_tar - in_list:
            problems.append("in the archive but not listed: %s" % ", ".join(_sample("%s %s" % p for p in in_tar - in_list)))
    count = sum(len(v) for v in objects.values())
    backed_up = ((backup.get("status") or {}).get("progress") or {}).get("itemsBackedUp")
    if objects and backed_up is not None and count != backed_up:
        problems.append("the archive holds %d objects; Velero backed up %d" % (count, backed_up))
    return problems, objects


def zone_presence(rest, resolver, objects, namespace_mapping=None):
    """{"present": [(kind, key, target key, live or None)]} of the backup's objects in a zone: one list request per
    kind and namespace. A kind the zone does not serve counts as absent (`unserved` names it)."""
    mapping = namespace_mapping or {}
    out, unserved = [], []
    for kind in sorted(objects):
        api_version, kind_name = kind.rsplit("/", 1)
        try:
            info = resolver.resolve(api_version, kind_name)
        except ValidationError:
            unserved.append(kind)
            out += [(kind, key, key, None) for key in sorted(objects[kind])]
            continue
        by_namespace = {}
        for key in objects[kind]:
            namespace = key.split("/", 1)[0] if info.namespaced else None
            by_namespace.setdefault(namespace, []).append(key)
        for namespace, keys in sorted(by_namespace.items(), key=lambda kv: kv[0] or ""):
            target = mapping.get(namespace, namespace)
            live = dict((o["metadata"]["name"], o) for o in rest.list_all(info.collection_path(target)))
            for key in sorted(keys):
                name = key.split("/", 1)[1] if info.namespaced else key
                out.append((kind, key, "%s/%s" % (target, name) if info.namespaced else name, live.get(name)))
    return out, unserved


def verify(rest, resolver, store, backup):
    """The verification report of one backup (see the module docstring)."""
    problems, objects = archive_problems(store, backup)
    report = {"ok": not problems, "problems": problems, "objects": sum(len(v) for v in objects.values())}
    if objects:
        presence, unserved = zone_presence(rest, resolver, objects)
        missing = ["%s %s" % (kind, target) for kind, _key, target, live in presence if live is None]
        report.update(in_zone=len(presence) - len(missing), missing_in_zone=len(missing),
                      missing_sample=_sample(missing), kinds_not_served=unserved)
    return report
