# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Raw JSON requests to the API server: paths and dicts, retried, rate limited and counted.

The engine speaks plain paths and dicts: no model (de)serialization and no
discovery, which is where most of the generated client's and DynamicClient's
cost per request goes. `Rest` depends only on the two-method Transport
interface (k8s/transport.py); k8s/client.connect(params) builds both.

Every request honours the rate limiter and goes through call_with_retry
(429, 5xx, timeouts and dropped connections are retried, after at least the
server's Retry-After; server-side-apply field conflicts, AlreadyExists and
stale resourceVersions are not, resending cannot resolve them). While a wait
runs, a request's read timeout and its retries end with the wait
(retry.task_bound). `create` is the one idempotent POST: a create whose
answer was lost, retried and refused as AlreadyExists, reads what is there.
`counts` holds the requests sent, by HTTP method: one Rest per
module run, so a module reports every request it made from one place.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
import time
from collections import Counter

from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError, TransportError
from ansible_collections.aizone.platform.plugins.module_utils.retry import (
    call_with_retry, parse_retry_after, status_is_transient, time_left)

REQUEST_TIMEOUT = (10, 60)
DEFAULT_QPS = 200.0
DEFAULT_BURST = 400


def is_transient(exc):
    """Classifier for call_with_retry."""
    if isinstance(exc, TransportError):
        return True
    if isinstance(exc, ApiError):
        stale = "has been modified" in (exc.details.get("api_message") or "")
        if exc.status == 409 and (exc.details.get("field_conflict") or exc.code == "AlreadyExists" or stale):
            return False    # a field owned by another manager, an existing object, a stale resourceVersion
        if exc.status == 500 and "failed to convert" in (exc.details.get("api_message") or ""):
            return False  # the server could not decode what we sent: resending will not help
        return status_is_transient(exc.status)
    return False


def _error_from(status, raw, method, path, headers=None):
    try:
        body = json.loads(raw)
    except (TypeError, ValueError):
        body = {}
    message = body.get("message") if isinstance(body, dict) else None
    reason = body.get("reason") if isinstance(body, dict) else None
    causes = ((body.get("details") or {}).get("causes") or []) if isinstance(body, dict) else []
    field_conflict = any(c.get("type") == "FieldManagerConflict" for c in causes)
    text = message or (raw[:300].decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw))
    return ApiError("%s %s: %s %s" % (method, path, status, text), status=status, code=reason,
                    reason=reason, api_message=message, field_conflict=field_conflict or None,
                    retry_after=parse_retry_after((headers or {}).get("retry-after")))


class RateLimiter(object):
    """Token bucket shared by threads: `qps` tokens a second, at most `burst` saved."""

    def __init__(self, qps=DEFAULT_QPS, burst=DEFAULT_BURST, clock=time.monotonic, sleep=time.sleep):
        if qps <= 0 or burst < 1:
            raise ValueError("qps must be > 0 and burst >= 1")
        self.qps = float(qps)
        self.burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self):
        """Take one token, sleeping until one is available; return the time slept."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.qps)
            self._last = now
            self._tokens -= 1.0
            wait = -self._tokens / self.qps if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


def add_counts(*counters):
    """{HTTP method: count} summed over request counters (dicts or Counters)."""
    total = {}
    for counts in counters:
        for method, n in dict(counts or {}).items():
            total[method] = total.get(method, 0) + n
    return total


class Rest(object):
    """Minimal JSON client: `request(method, path, query, body, content_type)` -> (status, dict)."""

    def __init__(self, transport, retries=6, deadline=120.0, timeout=REQUEST_TIMEOUT, sleep=None, limiter=None):
        self.transport = transport
        self.server = getattr(transport, "server", None)
        self.retries = retries
        self.deadline = deadline
        self.timeout = timeout
        self.limiter = limiter
        self.sleep = sleep or time.sleep
        self.counts = Counter()
        self._count_lock = threading.Lock()

    def _once(self, method, path, query, body, content_type):
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
        if self.limiter is not None:
            self.limiter.acquire()
        with self._count_lock:
            self.counts[method] += 1
        status, raw, answer_headers = self.transport.request(method, path, query, headers, body, self._timeout())
        if not 200 <= status < 300:
            raise _error_from(status, raw, method, path, answer_headers)
        return status, (json.loads(raw) if raw else {})

    def _timeout(self):
        """(connect, read) seconds: the client's, capped by the running wait's end (at least 1 s)."""
        left = time_left()
        if left is None:
            return self.timeout
        return tuple(max(1.0, min(t, left + 1.0)) for t in self.timeout)

    def request(self, method, path, query=None, body=None, content_type=None):
        return call_with_retry(lambda: self._once(method, path, query, body, content_type),
                               is_transient, retries=self.retries, deadline=self.deadline, sleep=self.sleep)

    def create(self, path, body, query=None):
        """POST body to the collection at path: (True, created) or, when it exists already, (False, live).

        A create whose answer was lost is resent by the retry and refused as
        AlreadyExists: the caller then converges from what exists."""
        try:
            return True, self.request("POST", path, query, body)[1]
        except ApiError as exc:
            if exc.code != "AlreadyExists":
                raise
        meta = body["metadata"]
        return False, self.get(path.rstrip("/") + "/" + meta["name"], query=None)

    def get(self, path, query=None):
        return self.request("GET", path, query)[1]

    def get_or_none(self, path, query=None):
        """The object at path, or None when the server answers 404."""
        try:
            return self.get(path, query)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def list_all(self, path, label_selector=None, page=500):
        """Every item of a collection, following continue tokens."""
        items = []
        query = {"limit": page}
        if label_selector:
            query["labelSelector"] = label_selector
        while True:
            body = self.get(path, query)
            items.extend(body.get("items") or [])
            token = (body.get("metadata") or {}).get("continue")
            if not token:
                return items
            query = dict(query, **{"continue": token})

    def snapshot(self):
        """The request counts so far, to compare with `since` later."""
        with self._count_lock:
            return dict(self.counts)

    def since(self, snapshot):
        """{method: requests sent after snapshot}."""
        with self._count_lock:
            return dict((m, n - snapshot.get(m, 0)) for m, n in self.counts.items() if n - snapshot.get(m, 0))
