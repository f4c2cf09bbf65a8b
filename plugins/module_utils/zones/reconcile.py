# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The zone reconciler, and what it shares with the node pools' (zones/pools.py): one behaviour for every provider.

Compares the normalized current state a Provider reads with the desired
state from zone_spec, refuses changes the provider cannot make in place
(naming the field), calls the provider's write methods, waits through
waiter.wait_for, predicts the result in check mode without any write call,
and returns before/after for --diff. Nothing here knows which provider runs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.files import (
    kubeconfig_text, read_kubeconfig, write_private_file)
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for
from ansible_collections.aizone.platform.plugins.module_utils.zones.spec import (
    ZONE_DEFAULTS, ZONE_SPEC_FIELDS, version_tuple)


# shared helpers --------------------------------------------------------------

def merge_spec(current, desired, fields):
    """current with every non-None desired field laid over it (one level into dicts)."""
    out = copy.deepcopy(current)
    for field in fields:
        want = desired.get(field)
        if want is None:
            continue
        if isinstance(want, dict) and isinstance(out.get(field), dict) and field in ("networking", "autoscaling"):
            merged = dict(out[field])
            merged.update(dict((k, v) for k, v in want.items() if v is not None))
            out[field] = merged
        else:
            out[field] = copy.deepcopy(want)
    return out


def changed_fields(current, after, fields):
    """Top-level fields that differ, or dotted sub-fields for networking."""
    changed = []
    for field in fields:
        before, now = current.get(field), after.get(field)
        if before == now:
            continue
        if field == "networking" and isinstance(before, dict) and isinstance(now, dict):
            changed.extend("networking.%s" % k for k in sorted(set(before) | set(now))
                           if before.get(k) != now.get(k))
        else:
            changed.append(field)
    return changed


def refuse_fixed(provider, kind, name, changed, updatable, current, after, prefix=""):
    """ValidationError for the first changed field the provider cannot update in place (prefix: the option path
    of the object, e.g. "node_pools[2].")."""
    for field in changed:
        top = field.split(".")[0]
        if field in updatable or top in updatable:
            continue
        before, now = _get_path(current, field), _get_path(after, field)
        raise ValidationError(prefix + field, "%s %s: %s cannot be changed in place on provider %s (current %s, "
                              "requested %s); fields it can update: %s. Recreate the %s to change it."
                              % (kind, name, field, provider.name, json.dumps(before, sort_keys=True),
                                 json.dumps(now, sort_keys=True), ", ".join(updatable) or "none", kind),
                              current=before, requested=now)


def _get_path(obj, path):
    for part in path.split("."):
        obj = (obj or {}).get(part)
    return obj


def spec_of(obj, fields):
    """The comparable part of a normalized object (what --diff shows)."""
    if obj is None:
        return {}
    return dict((k, copy.deepcopy(obj.get(k))) for k in ("name",) + tuple(fields))


# zones -----------------------------------------------------------------------

def _complete_zone(provider, desired):
    zone = copy.deepcopy(ZONE_DEFAULTS)
    zone.update({"region": None, "kubernetes_version": None})
    zone.update(copy.deepcopy(provider.zone_defaults(desired) or {}))
    zone = merge_spec(zone, desired, ZONE_SPEC_FIELDS)
    zone["name"], zone["provider"] = desired["name"], provider.name
    if not zone.get("region"):
        raise ValidationError("region", "required for provider %s" % provider.name)
    zone["status"], zone["endpoint"] = None, None
    return zone


def _wait_zone(provider, name, timeout):
    return wait_for(lambda: provider.zone_ready(name), timeout,
                    "zone %s (%s): waiting until ready" % (name, provider.name))


def _wait_zone_gone(provider, name, timeout):
    def probe():
        zone = provider.get_zone(name)
        return zone is None, None, (zone or {}).get("status") or "gone"
    wait_for(probe, timeout, "zone %s (%s): waiting until deleted" % (name, provider.name))


def _delete_zone(provider, current, name, check_mode, wait, wait_timeout):
    result = {"changed": current is not None, "zone": None,
              "diff": {"before": spec_of(current, ZONE_SPEC_FIELDS), "after": {}}}
    if current is not None and not check_mode:
        provider.delete_zone(current)
        if wait:
            _wait_zone_gone(provider, name, wait_timeout)
    return result


def _create_zone(provider, desired, check_mode, wait, wait_timeout):
    after = _complete_zone(provider, desired)
    if not check_mode:
        provider.create_zone(after)
        name = desired["name"]
        after = _wait_zone(provider, name, wait_timeout) if wait else (provider.get_zone(name) or after)
    return {"changed": True}, after


def _update_zone(provider, current, desired, state, check_mode, wait, wait_timeout):
    """(result, zone after) for an existing zone: in-place changes, and stop or start."""
    name = current["name"]
    after = merge_spec(current, desired, ZONE_SPEC_FIELDS)
    changed = changed_fields(current, after, ZONE_SPEC_FIELDS)
    if "kubernetes_version" in changed and current.get("kubernetes_version") and \
            version_tuple(after["kubernetes_version"]) < version_tuple(current["kubernetes_version"]):
        raise ValidationError("kubernetes_version", "zone %s runs %s; downgrading to %s is not possible"
                              % (name, current["kubernetes_version"], after["kubernetes_version"]))
    refuse_fixed(provider, "zone", name, changed, provider.zone_updatable, current, after)
    stopped = current.get("status") in provider.start_statuses
    result = {"changed_fields": changed}
    if state == "stopped":
        result["changed"] = bool(changed) or not stopped
        if not check_mode and changed:
            provider.update_zone(current, after, changed)
        if not check_mode and not stopped:
            provider.stop_zone(current)
        return result, (provider.get_zone(name) if not check_mode else dict(after, status="STOPPED"))
    result["changed"] = bool(changed) or stopped
    if not check_mode and stopped:
        provider.start_zone(current)
    if not check_mode and changed:
        provider.update_zone(current, after, changed)
    if not check_mode and result["changed"]:
        after = _wait_zone(provider, name, wait_timeout) if wait else provider.get_zone(name)
    return result, after


def _converge_kubeconfig(provider, zone, created, check_mode, kubeconfig_dest):
    """True when the kubeconfig file at kubeconfig_dest was (or would be) written."""
    if check_mode and created:
        return True
    fresh = provider.zone_kubeconfig(zone)
    existing = _read_kubeconfig(kubeconfig_dest)
    if existing is not None and provider.reuse_kubeconfig(existing, fresh):
        fresh = existing
    return write_private_file(kubeconfig_dest, kubeconfig_text(fresh), check_mode)


_UNREAD = object()


def reconcile_zone(provider, desired, state="present", check_mode=False, wait=True, wait_timeout=1800,
                   kubeconfig_dest=None, current=_UNREAD):
    """Make the zone match desired; returns the module result (changed, zone, diff, ...).

    current: the zone as provider.get_zone read it just before, when the caller has read it (else it is read)."""
    name = desired["name"]
    if current is _UNREAD:
        current = provider.get_zone(name)
    if state == "absent":
        return _delete_zone(provider, current, name, check_mode, wait, wait_timeout)
    if state == "stopped" and current is None:
        raise ValidationError("state", "zone %s does not exist; state=stopped only stops an existing zone" % name)
    if current is None:
        result, after = _create_zone(provider, desired, check_mode, wait, wait_timeout)
    else:
        result, after = _update_zone(provider, current, desired, state, check_mode, wait, wait_timeout)
    result["zone"] = after
    result["diff"] = {"before": spec_of(current, ZONE_SPEC_FIELDS), "after": spec_of(after, ZONE_SPEC_FIELDS)}
    if kubeconfig_dest and state == "present":
        result["kubeconfig_changed"] = _converge_kubeconfig(provider, after, current is None, check_mode,
                                                            kubeconfig_dest)
        result["kubeconfig_dest"] = os.path.abspath(os.path.expanduser(kubeconfig_dest))
        result["changed"] = result["changed"] or result["kubeconfig_changed"]
    return result


def _read_kubeconfig(dest):
    """The kubeconfig already at dest as a dict, or None (missing or unreadable)."""
    try:
        return read_kubeconfig(dest)
    except AizoneError:
        return None
