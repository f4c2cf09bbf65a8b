# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the three cloud providers (eks, aks, gke) share: one home for their mechanics.

A cloud provider keeps only its own mapping (SDK client, error shapes,
normalized shapes). Everything else is here, written once:

- options with environment fallbacks (`param`, `required`);
- SDK calls through one retry policy (retry.call_with_retry with the
  provider's `is_transient`) and one translation of a final SDK error into
  ApiError (`translate_error`): `call`; reads where "not found" means absent:
  `read`;
- long-running operations this run started, keyed by what they act on
  (("zone", name) or ("pool", zone, pool)): `start` keeps the handle, `poll`
  asks the provider's `operation_state` about it;
- sequential operations (a cloud runs one at a time on a resource):
  `run_steps` starts each and waits for all but the last, which the
  reconciler's own wait covers;
- the ready probes of the reconciler's waits (`ready`): the operation first,
  then the resource's status, a failed status raising ApiError;
- tag checks before any call (`check_tags`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import abc
import os
import threading

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ApiError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import Provider
from ansible_collections.aizone.platform.plugins.module_utils.retry import call_with_retry
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for


def import_sdk(provider, package, load):
    """load() (an import of the provider's SDK), or AizoneError naming the package to install."""
    try:
        return load()
    except ImportError:
        raise AizoneError("the %s provider requires the Python library %s (pip install %s) on the host running "
                          "the module" % (provider, package, package))


def check_tags(field, tags, reserved, rules=()):
    """Tags (cloud labels) checked before any call: no reserved key, and every rule kept.

    rules: (part, predicate, message) with part "key" or "value"; message is
    formatted with the offending key or value."""
    for key, value in (tags or {}).items():
        where = "%s.%s" % (field, key)
        for part, predicate, message in rules:
            checked = key if part == "key" else value
            if not predicate(checked):
                raise ValidationError(where, message % (checked,))
        if key in reserved:
            raise ValidationError(where, "tag %s is reserved by aizone.platform" % key)


class CloudProvider(Provider):
    """Base of the eks, aks and gke providers (see the module docstring)."""

    #: "EKS", "AKS", "GKE": how messages name the service
    service = None
    #: default timeout of the operations awaited inside one update, unless the module's wait_timeout is given
    operation_timeout = 1800
    #: the word a ready probe's state text puts before the resource's status
    status_word = "status"
    #: resource statuses: ready, and failed for good
    ready_statuses = ()
    failed_statuses = ()

    def __init__(self, params):
        super(CloudProvider, self).__init__(params)
        self._operations = {}
        #: held while an SDK client is made: node_pools calls a provider from several threads, and SDK
        #: sessions (boto3's) are not safe to share while they build clients
        self.client_lock = threading.RLock()

    # options -------------------------------------------------------------
    def param(self, key, env=None):
        """The option, else the environment variable env."""
        value = self.params.get(key)
        if value is None and env:
            value = os.environ.get(env)
        return value

    def required(self, key, env):
        value = self.param(key, env)
        if not value:
            raise ValidationError(key, "required for provider %s (or set %s)" % (self.name, env))
        return value

    # calls ---------------------------------------------------------------
    @abc.abstractmethod
    def is_transient(self, exc):
        """Retry classifier of the provider's SDK errors."""

    @abc.abstractmethod
    def translate_error(self, what, exc):
        """The ApiError for a final SDK error, or None when exc is not one (it is re-raised)."""

    def call(self, what, fn):
        """fn() through call_with_retry; a final SDK error becomes ApiError naming what.

        A create whose answer was lost (no answer, a 5xx after the cloud acted) is sent again and refused as
        existing: that is this call's own resource, so the call returns None (no operation handle; the ready
        probes read the resource itself) instead of failing."""
        retried = []
        try:
            return call_with_retry(fn, self.is_transient, on_retry=lambda exc, delay: retried.append(exc))
        except AizoneError:
            raise
        except Exception as exc:  # noqa: BLE001 - SDK errors, imported lazily; translate_error decides
            error = self.translate_error(what, exc)
            if error is None:
                raise
            if retried and what.startswith("create") and self.is_already_exists(error):
                return None
            raise error

    def is_already_exists(self, error):
        """True when an ApiError refuses a create because the resource exists (409, ALREADY_EXISTS...)."""
        text = "%s %s" % (error.code or "", error.msg)
        return "ALREADY_EXISTS" in text or "already exists" in text.lower() or (
            error.status == 409 and "exist" in text.lower())

    def is_not_found(self, error):
        """True when an ApiError says the resource does not exist."""
        return error.status == 404

    def read(self, what, fn):
        """call(what, fn), or None when the resource does not exist."""
        try:
            return self.call(what, fn)
        except ApiError as exc:
            if self.is_not_found(exc):
                return None
            raise

    # long-running operations ----------------------------------------------
    @abc.abstractmethod
    def operation_state(self, handle, what):
        """(done, state text) of an operation's handle; raises ApiError when it failed."""

    def start(self, key, what, fn):
        """Start an operation on key (the first request through call) and keep its handle."""
        handle = self.call(what, fn)
        if handle is not None:
            self._operations[key] = (handle, what)
        return handle

    def poll(self, key):
        """None when this run started no operation on key; else (done, state text)."""
        entry = self._operations.get(key)
        if entry is None:
            return None
        done, text = self.operation_state(*entry)
        if done:
            del self._operations[key]
        return done, text

    def wait_operation(self, key, what):
        """Wait for the operation on key to end (for operations that must run one after another)."""
        timeout = int(self.params.get("wait_timeout") or self.operation_timeout)

        def probe():
            state = self.poll(key)
            return (True, None, "done") if state is None else (state[0], None, state[1])

        wait_for(probe, timeout, "%s %s: waiting for the operation" % (self.name, what))

    def run_steps(self, key, steps):
        """steps: [(what, fn)], each starting an operation on key; all but the last are awaited."""
        for index, (what, fn) in enumerate(steps):
            self.start(key, what, fn)
            if index < len(steps) - 1:
                self.wait_operation(key, what)

    # ready probes ---------------------------------------------------------
    def failed(self, what, raw, status):
        """The ApiError for a resource in a failed status."""
        return ApiError("%s %s is in %s %s; running the task again retries it"
                        % (self.service, what, self.status_word, status), code=status)

    def ready(self, key, what, read, normalize, ok=None):
        """(done, normalized or None, state text) for zone_ready / node_pool_ready.

        key: the operation key; what: the resource in messages; read(): the raw
        resource or None; normalize(raw): the normalized shape; ok: the statuses
        that count as ready (default ready_statuses)."""
        op = self.poll(key)
        if op is not None and not op[0]:
            return False, None, op[1]
        raw = read()
        if raw is None:
            return False, None, "not found"
        obj = normalize(raw)
        status = obj["status"]
        if status in self.failed_statuses:
            raise self.failed(what, raw, status)
        return status in (ok or self.ready_statuses), obj, ("%s %s" % (self.status_word, status)).strip()
