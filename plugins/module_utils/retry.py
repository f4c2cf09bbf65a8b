# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retry with jittered exponential backoff, the server's Retry-After, and an overall deadline.

Every provider and the Kubernetes engine call their SDK through
`call_with_retry`, giving a classifier that says whether an exception is
transient (429, 5xx, conflict, timeout). Nothing else in the collection
sleeps-and-retries on its own.

Two bounds apply to every retry loop:
- the server's `Retry-After` (seconds or an HTTP date) is a floor on the next
  delay: an exception carries it as `details["retry_after"]` (ApiError), or
  in an SDK's response headers (botocore, azure-core, google);
- the task's own timeout: while a wait runs (`task_bound`, entered by
  waiter.wait_for), no retry loop and no request timeout reaches past its end,
  so a task with `wait_timeout: 10` fails about 10 s in even when the server
  hangs. `time_left()` is what a request timeout is capped by.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import threading
import time
from contextlib import contextmanager
from email.utils import parsedate_to_datetime

TRANSIENT_STATUS = frozenset([408, 409, 429, 500, 502, 503, 504])
#: the longest Retry-After honoured; a server asking for more gets the deadline's answer instead
MAX_RETRY_AFTER = 60.0

_BOUNDS = []
_BOUNDS_LOCK = threading.Lock()


@contextmanager
def task_bound(end):
    """Within the block, retry loops and request timeouts end by `end` (a clock() value).

    Bounds nest and may be entered by several threads: the latest end of those
    active applies, so no wait is cut short by another one's bound."""
    with _BOUNDS_LOCK:
        _BOUNDS.append(end)
    try:
        yield
    finally:
        with _BOUNDS_LOCK:
            _BOUNDS.remove(end)


def time_left(clock=time.monotonic):
    """Seconds until the active task bound ends (>= 0), or None when no wait is running."""
    with _BOUNDS_LOCK:
        end = max(_BOUNDS) if _BOUNDS else None
    return None if end is None else max(0.0, end - clock())


def _header(headers, name):
    if not headers:
        return None
    getter = getattr(headers, "get", None)
    if getter is None:
        return None
    value = getter(name)
    return value if value is not None else getter(name.title())


def parse_retry_after(value, now=None):
    """Seconds a Retry-After header value asks for (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def retry_after_of(exc):
    """The delay the server asked for with exc, in seconds, or None."""
    details = getattr(exc, "details", None)
    if isinstance(details, dict) and details.get("retry_after") is not None:
        return float(details["retry_after"])
    response = getattr(exc, "response", None)
    if isinstance(response, dict):     # botocore ClientError
        headers = (response.get("ResponseMetadata") or {}).get("HTTPHeaders")
    else:                              # azure-core HttpResponseError, google-api-core, requests
        headers = getattr(response, "headers", None)
    return parse_retry_after(_header(headers, "retry-after"))


def backoff_delays(retries, base=0.5, cap=8.0, rng=random.random):
    """Yield `retries` delays: full-jitter exponential backoff."""
    for attempt in range(retries):
        yield rng() * min(cap, base * (2 ** attempt))


def call_with_retry(fn, is_transient, retries=6, base=0.5, cap=8.0, deadline=120.0,
                    sleep=time.sleep, clock=time.monotonic, on_retry=None):
    """Call fn() until it succeeds, a non-transient error, or retries/deadline run out.

    is_transient(exc) -> bool decides whether exc is worth another try. The
    delay before the next try is the backoff's, or the server's Retry-After
    when longer. The deadline is capped by the running task bound. The last
    exception is re-raised unchanged so callers keep the SDK's own error type.
    """
    left = time_left(clock)
    end = clock() + (deadline if left is None else min(deadline, left))
    delays = backoff_delays(retries, base, cap)
    while True:
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - the classifier decides
            if not is_transient(exc):
                raise
            delay = next(delays, None)
            asked = retry_after_of(exc)
            if delay is not None and asked is not None:
                delay = max(delay, min(asked, MAX_RETRY_AFTER))
            if delay is None or clock() + delay > end:
                raise
            if on_retry is not None:
                on_retry(exc, delay)
            sleep(delay)


def status_is_transient(status):
    """True for HTTP statuses worth retrying."""
    try:
        return int(status) in TRANSIENT_STATUS
    except (TypeError, ValueError):
        return False
