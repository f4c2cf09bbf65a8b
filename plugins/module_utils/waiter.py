# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Polling waits with a timeout and a message that says who waited on what."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from contextlib import nullcontext

from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError, TransportError, ValidationError, WaitTimeout
from ansible_collections.aizone.platform.plugins.module_utils.retry import status_is_transient, task_bound

#: wait_timeout of the Kubernetes-side modules (the aizone.platform.wait doc fragment documents it)
DEFAULT_WAIT_TIMEOUT = 300


def task_timeout(params, default=DEFAULT_WAIT_TIMEOUT):
    """The module's wait_timeout (seconds, at least 1; unset: default)."""
    value = params.get("wait_timeout")
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError("wait_timeout", "must be a whole number of seconds >= 1, got %r" % (value,))
    return value


def wait_args(timeout=DEFAULT_WAIT_TIMEOUT):
    """The `wait` and `wait_timeout` options of a module that waits, as an argument spec."""
    return dict(wait=dict(type="bool", default=True), wait_timeout=dict(type="int", default=timeout))


def unreadable(exc):
    """True when exc says a state could not be read for now (no answer, 429, 5xx, timeout): a wait goes on."""
    return isinstance(exc, TransportError) or (isinstance(exc, ApiError) and status_is_transient(exc.status))


def wait_for(probe, timeout, what, interval=1.0, max_interval=10.0,
             sleep=time.sleep, clock=time.monotonic):
    """Poll probe() until it returns (True, value); return value.

    probe() -> (done, value, state_text). state_text describes the last state
    seen, so a timeout says e.g. "node pool gpu-a: waited 600 s for ACTIVE,
    last status CREATING". `what` names the waiter and the awaited state.
    A probe that cannot read the state for now (unreadable(exc), after its own
    retries) is "unknown", never "done" or "failed": the wait goes on. Every
    request and retry inside the probe ends by the wait's own end (task_bound).
    """
    end = clock() + timeout
    last = "not observed yet"
    with task_bound(end) if clock is time.monotonic else nullcontext():
        while True:
            try:
                done, value, state = probe()
            except ApiError as exc:
                if not unreadable(exc):
                    raise
                done, value, state = False, None, "unknown (%s)" % exc.msg
            if state:
                last = state
            if done:
                return value
            now = clock()
            if now >= end:
                raise WaitTimeout("%s: timed out after %d s; last state: %s" % (what, timeout, last),
                                  last_state=last)
            sleep(min(interval, max(0.0, end - now)))
            interval = min(max_interval, interval * 1.5)
