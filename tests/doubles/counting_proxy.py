"""A loopback HTTP proxy that records every AWS API call it forwards.

Modules run in their own ansible-playbook processes, so in-process hooks
(botocore events, moto internals) cannot see their calls. The proxy sits
between the modules' ``endpoint_url`` and the moto server and records, for
every request, the service (from the SigV4 credential scope), the method, the
path and the API operation name. Operation names come from botocore's own
service model: REST services (EKS) by matching method + requestUri, query
services (STS, EC2, IAM) by the ``Action`` parameter. So "no write calls"
means no operation outside Describe*/List*/Get* reached the API.

It can also answer the next N matching requests with an error (default: EKS's
429 TooManyRequestsException) without forwarding them, so tests can show that
modules retry throttling rather than fail. With a `timeline`
(eks_timeline.EksTimeline) EKS operations take time, as on AWS.

Test double only: never imported by plugins/.
"""

import collections
import http.client
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

Call = collections.namedtuple("Call", "service method path action status injected")

READ_PREFIXES = ("Describe", "List", "Get")
HOP_BY_HOP = frozenset(["connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "te", "trailers", "transfer-encoding", "upgrade", "content-length"])
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def is_write(call):
    """True for a call that may change state: an operation that is not Describe/List/Get."""
    if call.action:
        return not call.action.startswith(READ_PREFIXES)
    return call.method not in ("GET", "HEAD")


class _Routes(object):
    """(method, path) -> operation name, from botocore's service models."""

    def __init__(self):
        self._tables = {}
        self._lock = threading.Lock()

    def _table(self, service):
        with self._lock:
            if service not in self._tables:
                import botocore.session
                model = botocore.session.get_session().get_service_model(service)
                rows = []
                if model.protocol in ("rest-json", "rest-xml"):
                    for name in model.operation_names:
                        http = model.operation_model(name).http
                        uri = http["requestUri"].split("?")[0]
                        pattern = re.sub(r"\{[^}]+\+\}", ".+", uri)
                        pattern = re.sub(r"\{[^}]+\}", "[^/]+", pattern)
                        literal = len(re.sub(r"\{[^}]+\}", "", uri))
                        rows.append((literal, http["method"], re.compile("^%s/?$" % pattern), name))
                    rows.sort(key=lambda r: -r[0])
                self._tables[service] = rows
            return self._tables[service]

    def action(self, service, method, path, query, body):
        if not service:
            return None
        params = parse_qs(query)
        if "Action" not in params and body and b"Action=" in body:
            params = parse_qs(body.decode("utf-8", "replace"))
        if "Action" in params:
            return params["Action"][0]
        try:
            table = self._table(service)
        except Exception:  # noqa: BLE001 - unknown service name: leave it unnamed
            return None
        decoded = unquote(path)
        for _literal, verb, pattern, name in table:
            if verb == method and (pattern.match(path) or pattern.match(decoded)):
                return name
        return None


class CountingProxy(object):
    """start() -> self; .url is what modules use as endpoint_url."""

    def __init__(self, upstream, host="127.0.0.1"):
        self.upstream = urlsplit(upstream)
        self.host = host
        self.calls = []
        self._lock = threading.Lock()
        self._faults = []
        self._routes = _Routes()
        self._server = None
        self.url = None
        #: eks_timeline.EksTimeline: EKS operations that take time (None: moto's, at once)
        self.timeline = None

    # recording ------------------------------------------------------------
    def reset(self):
        with self._lock:
            del self.calls[:]

    def snapshot(self):
        with self._lock:
            return list(self.calls)

    def writes(self, service=None):
        return [c for c in self.snapshot() if is_write(c) and (service is None or c.service == service)]

    def write_calls(self, service=None):
        return len(self.writes(service))

    def actions(self, service=None):
        return [c.action for c in self.snapshot() if service is None or c.service == service]

    # fault injection --------------------------------------------------------
    def fail_next(self, count, status=429, code="TooManyRequestsException",
                  message="Rate exceeded", writes_only=True, action=None, body=None):
        """Answer the next `count` matching requests with an error instead of forwarding.

        action: only this operation; body: only requests whose body matches this regular expression."""
        with self._lock:
            self._faults.append({"left": count, "status": status, "code": code, "message": message,
                                 "writes_only": writes_only, "action": action, "body": body})

    def _take_fault(self, call, body=b""):
        with self._lock:
            for fault in self._faults:
                if fault["left"] <= 0:
                    continue
                if fault["writes_only"] and not is_write(call):
                    continue
                if fault["action"] and fault["action"] != call.action:
                    continue
                if fault.get("body") and not re.search(fault["body"].encode(), body or b""):
                    continue
                fault["left"] -= 1
                return fault
        return None

    # server -----------------------------------------------------------------
    def start(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy._forward(self, body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="counting-proxy", daemon=True).start()
        self.url = "http://%s:%d" % self._server.server_address[:2]
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _forward(self, handler, body):
        parts = urlsplit(handler.path)
        scope = _SCOPE.search(handler.headers.get("Authorization") or "")
        service = scope.group(1) if scope else None
        action = self._routes.action(service, handler.command, parts.path, parts.query, body)
        probe = Call(service, handler.command, parts.path, action, None, False)
        fault = None if parts.path.startswith("/moto-api") else self._take_fault(probe, body)
        timed = self.timeline if service == "eks" and self.timeline is not None else None
        answer = timed.before(action, parts.path) if timed is not None and fault is None else None
        if answer is not None:
            status, headers, data = answer
        elif fault is not None:
            status, headers = fault["status"], [("x-amzn-ErrorType", fault["code"]),
                                                ("Content-Type", "application/json")]
            data = json.dumps({"__type": fault["code"], "message": fault["message"]}).encode()
        else:
            conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=120)
            try:
                conn.request(handler.command, handler.path, body=body or None,
                             headers=dict((k, v) for k, v in handler.headers.items()
                                          if k.lower() not in HOP_BY_HOP))
                resp = conn.getresponse()
                status, headers, data = resp.status, resp.getheaders(), resp.read()
            finally:
                conn.close()
            if timed is not None:
                data = timed.after(action, parts.path, status, data)
        if not parts.path.startswith("/moto-api"):
            with self._lock:
                self.calls.append(probe._replace(status=status, injected=fault is not None))
        handler.send_response(status)
        for key, value in headers:
            if key.lower() not in HOP_BY_HOP and key.lower() not in ("server", "date"):
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(data)
