# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Raw JSON requests to the API server over a kubernetes ApiClient.

The engine speaks plain paths and dicts: no model (de)serialization and no
discovery, which is where most of the generated client's and DynamicClient's
cost per request goes. Every request honours the client's rate limiter and
goes through call_with_retry (429, 5xx, optimistic-lock conflicts, timeouts
and dropped connections are retried; server-side-apply field conflicts are
not, they will not resolve themselves).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
import time
from collections import Counter

from urllib.parse import urlencode

from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError
from ansible_collections.aizone.platform.plugins.module_utils.retry import call_with_retry, status_is_transient

REQUEST_TIMEOUT = (10, 60)


class TransportError(ApiError):
    """The request never got an HTTP answer (connection refused, reset, timed out)."""


def is_transient(exc):
    """Classifier for call_with_retry."""
    if isinstance(exc, TransportError):
        return True
    if isinstance(exc, ApiError):
        if exc.status == 409 and exc.details.get("field_conflict"):
            return False
        if exc.status == 500 and "failed to convert" in (exc.details.get("api_message") or ""):
            return False  # the server could not decode what we sent: resending will not help
        return status_is_transient(exc.status)
    return False


def _error_from(status, raw, method, path):
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
                    reason=reason, api_message=message, field_conflict=field_conflict or None)


class Rest(object):
    """Minimal JSON client: `request(method, path, query, body, content_type)` -> (status, dict)."""

    def __init__(self, api_client, retries=6, deadline=120.0, timeout=REQUEST_TIMEOUT, sleep=None):
        self.api_client = api_client
        self.host = api_client.configuration.host.rstrip("/")
        self.retries = retries
        self.deadline = deadline
        self.timeout = timeout
        self.limiter = getattr(api_client, "rate_limiter", None)
        self.sleep = sleep or time.sleep
        self.counts = Counter()
        self._count_lock = threading.Lock()

    def _once(self, method, path, query, body, content_type):
        headers = dict(self.api_client.default_headers)
        headers["Accept"] = "application/json"
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
        self.api_client.update_params_for_auth(headers, [], ["BearerToken"], path, method, body)
        url = self.host + path
        if query:
            url += "?" + urlencode(query)
        if self.limiter is not None:
            self.limiter.acquire()
        with self._count_lock:
            self.counts[method] += 1
        try:
            resp = self.api_client.call_api(method, url, header_params=headers, body=body,
                                            _request_timeout=self.timeout)
            raw = resp.read()
        except Exception as exc:  # noqa: BLE001 - transports raise many types for one cause
            if type(exc).__name__ == "ApiException":   # kubernetes' own; status 0 is a TLS failure
                raise ApiError("%s %s: %s" % (method, path, getattr(exc, "reason", exc)),
                               status=getattr(exc, "status", None) or None)
            if "SSL" in type(exc).__name__ or "SSL" in str(exc)[:200]:
                raise ApiError("%s %s: TLS failure: %s" % (method, path, exc))
            raise TransportError("%s %s: %s: %s" % (method, path, type(exc).__name__, exc))
        if not 200 <= resp.status < 300:
            raise _error_from(resp.status, raw, method, path)
        return resp.status, (json.loads(raw) if raw else {})

    def request(self, method, path, query=None, body=None, content_type=None):
        return call_with_retry(lambda: self._once(method, path, query, body, content_type),
                               is_transient, retries=self.retries, deadline=self.deadline, sleep=self.sleep)

    def get(self, path, query=None):
        return self.request("GET", path, query)[1]

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
