# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Objects several tasks write parts of at once: optimistic concurrency, read-merge-write with re-read on conflict.

A server-side apply by one field manager owns the whole of what it sends: two
hosts each applying "their" key of one ConfigMap data map as the same manager
drop each other's keys, and the mig-parted config is one YAML text that no
field manager can split. `converge_shared` reads the object, merges the task's
part into what is there (`merge(live) -> desired`), and writes it with the
read resourceVersion as a precondition (PUT), or creates it (POST). A write
refused because another writer came first (409: stale resourceVersion, or
AlreadyExists) is not resent: the object is read again and merged again, up
to `attempts` times. Nothing is written when the merge changes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import random
import time

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ApiError

ATTEMPTS = 10


def _written(live, desired):
    """The body to PUT: the live object with the desired labels and top-level content, at live's version."""
    body = copy.deepcopy(live)
    body.pop("status", None)
    meta = body["metadata"]
    meta.pop("managedFields", None)
    meta["labels"] = dict(meta.get("labels") or {}, **((desired.get("metadata") or {}).get("labels") or {}))
    for key, value in desired.items():
        if key not in ("apiVersion", "kind", "metadata"):
            body[key] = value
    return body


def _same(body, live):
    keys = set(body) | set(live)
    return all(body.get(k) == live.get(k) for k in keys if k not in ("metadata", "status")) and \
        (body["metadata"].get("labels") or {}) == ((live.get("metadata") or {}).get("labels") or {})


def converge_shared(rest, info, desired_of, check_mode=False, attempts=ATTEMPTS, sleep=time.sleep):
    """(action, live before, object after) for one shared object; desired_of(live or None) -> full manifest.

    info: the kind's KindInfo (k8s/kinds.py). Check mode reads and merges, and writes nothing."""
    meta = desired_of(None)["metadata"]
    name, namespace = meta["name"], meta.get("namespace")
    path = info.object_path(name, namespace)
    for attempt in range(attempts):
        live = rest.get_or_none(path)
        desired = desired_of(live)
        if live is None:
            if check_mode:
                return "created", None, desired
            created, _obj = rest.create(info.collection_path(namespace), desired)
            if created:
                return "created", None, _obj
        else:
            body = _written(live, desired)
            if _same(body, live):
                return "unchanged", live, live
            if check_mode:
                return "updated", live, body
            try:
                return "updated", live, rest.request("PUT", path, body=body)[1]
            except ApiError as exc:
                if exc.status != 409:
                    raise
        sleep(random.random() * 0.1 * (attempt + 1))    # another writer came first: read again
    raise AizoneError("%s %s: other writers changed it %d times in a row while this task merged its part; "
                      "run the task again" % (info.kind, name, attempts))
