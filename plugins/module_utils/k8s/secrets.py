# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets modules read and write (MLOps credentials, DR store credentials): paths, decoded values, passwords.

Secret values never leave these helpers into a result or a diff: callers get
the decoded data to use, and report Secrets by namespace/name only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import secrets as _random
import string

PASSWORD_ALPHABET = string.ascii_letters + string.digits


def secret_path(namespace, name=None):
    return "/api/v1/namespaces/%s/secrets%s" % (namespace, "/" + name if name else "")


def decoded(secret):
    """{key: text} of a Secret's data ({} for None)."""
    return dict((k, base64.b64decode(v).decode("utf-8")) for k, v in ((secret or {}).get("data") or {}).items())


def encoded(data):
    return dict((k, base64.b64encode(v.encode("utf-8")).decode("ascii")) for k, v in data.items())


def new_password(length):
    """A random password of letters and digits (no character any URI, shell or ini file needs escaped)."""
    return "".join(_random.choice(PASSWORD_ALPHABET) for _i in range(length))


def secret_object(namespace, name, labels, data, live=None):
    """An Opaque Secret manifest of `data` (text values); with `live`, for a PUT over it."""
    meta = {"name": name, "namespace": namespace, "labels": dict(labels)}
    if live is not None:
        meta["resourceVersion"] = live["metadata"]["resourceVersion"]
    return {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque", "data": encoded(data)}


def write_secret(rest, body, live=None):
    """Create the Secret `body` (POST), or replace `live` with it (PUT); "created" or "updated"."""
    meta = body["metadata"]
    if live is None:
        created, live = rest.create(secret_path(meta["namespace"]), body)
        if created or live.get("data") == body["data"]:
            return "created"    # by this call, or by its first try whose answer was lost
        body = dict(body, metadata=dict(meta, resourceVersion=live["metadata"]["resourceVersion"]))
    rest.request("PUT", secret_path(meta["namespace"], meta["name"]), body=body)
    return "updated"
