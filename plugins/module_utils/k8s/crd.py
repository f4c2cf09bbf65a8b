# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CustomResourceDefinitions: where one lives, and the one wait until its kind can be used."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for

CRD_API = "apiextensions.k8s.io/v1"


def crd_path(name):
    """API path of the CustomResourceDefinition called name (plural.group)."""
    return kind_info(CRD_API, "CustomResourceDefinition").object_path(name)


def is_established(crd):
    """True when the CRD's Established condition is True."""
    return any(c.get("type") == "Established" and c.get("status") == "True"
               for c in ((crd or {}).get("status") or {}).get("conditions") or [])


def _conditions(crd):
    return [(c.get("type"), c.get("status")) for c in ((crd or {}).get("status") or {}).get("conditions") or []]


def wait_established(rest, name, timeout, crd=None, served_kind=None):
    """Wait until CRD `name` is Established (and, with served_kind, its group-version's
    discovery lists that kind); returns the CRD as last read. `crd`: the object a
    write just returned, which may already be Established (no request then)."""
    if crd is not None and is_established(crd) and served_kind is None:
        return crd

    def probe():
        obj = rest.get_or_none(crd_path(name))
        if not is_established(obj):
            return False, obj, "conditions %s" % (_conditions(obj) if obj else "none: not found")
        if served_kind is None:
            return True, obj, "Established"
        spec = obj.get("spec") or {}
        versions = [v.get("name") for v in spec.get("versions") or [] if v.get("served")]
        served = rest.get_or_none("/apis/%s/%s" % (spec.get("group"), versions[0])) if versions else None
        kinds = [r.get("kind") for r in (served or {}).get("resources") or []]
        return served_kind in kinds, obj, "Established, discovery lists %s" % (kinds or "nothing")

    return wait_for(probe, timeout, "CustomResourceDefinition %s: wait for Established" % name,
                    interval=0.2, max_interval=2.0)
