# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors shared by every module_utils piece, and the one place they become fail_json.

Modules call run_module(argument_spec, fn) once: an AizoneError raised anywhere below
becomes fail_json with its details; nothing else in module_utils talks to
AnsibleModule's exit or fail methods.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class AizoneError(Exception):
    """An error with a message fit for the user, and optional details."""

    def __init__(self, msg, **details):
        super(AizoneError, self).__init__(msg)
        self.msg = msg
        self.details = details


class ValidationError(AizoneError):
    """Bad input, found before any API call. `field` names the option path."""

    def __init__(self, field, msg, **details):
        full = "%s: %s" % (field, msg) if field else msg
        super(ValidationError, self).__init__(full, field=field, **details)
        self.field = field


class WaitTimeout(AizoneError):
    """A wait ran out of time; the message says who waited on what."""


class ApiError(AizoneError):
    """An API call failed for good (after retries, or not retryable)."""

    def __init__(self, msg, status=None, code=None, **details):
        super(ApiError, self).__init__(msg, status=status, code=code, **details)
        self.status = status
        self.code = code


class TransportError(ApiError):
    """A request got no HTTP answer (connection refused, reset, timed out): worth retrying."""


def run_module(argument_spec, fn):
    """A module's whole run: AnsibleModule(argument_spec) with check mode, then fn(module) -> result.

    exit_json on success (a `warnings` list in the result goes through module.warn), fail_json on
    AizoneError. Details attached to the
    error (field, status, code, last_state...) are returned beside msg so
    playbooks and tests can assert on them.
    """
    module = _module_class()(argument_spec=argument_spec, supports_check_mode=True)
    every = bool(module.params.get("list_unchanged")) or module._verbosity >= 2
    try:
        result = fn(module)
    except AizoneError as exc:
        details = dict((k, v) for k, v in exc.details.items() if v is not None)
        module.fail_json(msg=exc.msg, **trim_objects(details, every))
    for warning in result.pop("warnings", None) or []:
        module.warn(warning)
    module.exit_json(**trim_objects(result, every))


def _has_text(value):
    return isinstance(value, str) or (isinstance(value, list) and any(isinstance(v, str) for v in value))


def _raw_args():
    """The module's arguments as given (validation drops an element it cannot read), or {}."""
    try:
        from ansible.module_utils.basic import _load_params
        return _load_params() or {}
    except Exception:  # noqa: BLE001 - only to word an error message better
        return {}


def _module_class():
    """AnsibleModule, naming the option in the one argument check whose message names none: a list of mappings
    given as text ("dictionary requested, could not parse JSON or key=value")."""
    from ansible.module_utils.basic import AnsibleModule

    class Module(AnsibleModule):
        def fail_json(self, msg=None, **kwargs):
            if str(msg).startswith("dictionary requested"):
                raw = _raw_args()
                texts = sorted(k for k, spec in self.argument_spec.items() if spec.get("elements") == "dict"
                               and _has_text(raw.get(k)))
                if texts:
                    msg = "%s: give a list of mappings, not text (%s)" % (", ".join(texts), msg)
            super(Module, self).fail_json(msg=msg, **kwargs)
    return Module


def trim_objects(result, every=False):
    """A result's `objects` (one entry per object the task handled) as the user sees it: the objects that
    changed, and `object_counts` per action; every object with `every` (list_unchanged, or -vv). A no-op run
    over 1100 objects then returns counts, not 1100 entries."""
    objects = result.get("objects")
    if not isinstance(objects, list):
        return result
    counts = dict((action, 0) for action in ("created", "deleted", "unchanged", "updated"))
    for obj in objects:
        counts[obj.get("action")] = counts.get(obj.get("action"), 0) + 1
    out = dict(result, object_counts=counts)
    if not every:
        out["objects"] = [obj for obj in objects if obj.get("action") != "unchanged"]
    return out
