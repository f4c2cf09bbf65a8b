# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retry with jittered exponential backoff and an overall deadline.

Every provider and the Kubernetes engine call their SDK through
`call_with_retry`, giving a classifier that says whether an exception is
transient (429, 5xx, conflict, timeout). Nothing else in the collection
sleeps-and-retries on its own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import time

TRANSIENT_STATUS = frozenset([408, 409, 429, 500, 502, 503, 504])


def backoff_delays(retries, base=0.5, cap=8.0, rng=random.random):
    """Yield `retries` delays: full-jitter exponential backoff."""
    for attempt in range(retries):
        yield rng() * min(cap, base * (2 ** attempt))


def call_with_retry(fn, is_transient, retries=6, base=0.5, cap=8.0, deadline=120.0,
                    sleep=time.sleep, clock=time.monotonic, on_retry=None):
    """Call fn() until it succeeds, a non-transient error, or retries/deadline run out.

    is_transient(exc) -> bool decides whether exc is worth another try. The last
    exception is re-raised unchanged so callers keep the SDK's own error type.
    """
    end = clock() + deadline
    delays = backoff_delays(retries, base, cap)
    while True:
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - the classifier decides
            if not is_transient(exc):
                raise
            delay = next(delays, None)
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
