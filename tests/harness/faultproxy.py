"""A loopback HTTP(S) proxy that fails a seeded share of the requests it forwards: in front of a local zone's API
server (`FaultProxy.for_zone`) or a cloud double (`FaultProxy.for_url`).

Faults, each drawn with probability `rate` per request (then one of `faults`
uniformly, from one seeded generator):
- "429": answered 429 with `Retry-After: 1`, a Kubernetes Status body; not forwarded;
- "500", "503": answered with that status; not forwarded;
- "drop-before": the connection is closed without an answer; not forwarded;
- "drop-after": forwarded (the server acts), then the connection is closed
  without the answer: a lost response, the case that makes creates non-idempotent.

In front of a zone, the proxy terminates TLS with the zone's own serving
certificate (the API server's, valid for 127.0.0.1) and reaches the server
with the zone's admin client certificate, so a kubeconfig that only swaps the
server URL for the proxy's works unchanged. The zone may not exist yet when
the proxy starts (site.yml creates it): its certificates and address are read
per connection. In front of a double, it speaks what the double speaks (TLS
with the double's own certificate when given one).
`counts` records what happened, by fault; `log` every request as (time.time(), method, path, fault).
"""

import http.client
import json
import os
import random
import re
import socket
import ssl
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

FAULTS = ("429", "500", "503", "drop-before", "drop-after")
HOP_HEADERS = ("connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection")


class _BadRequest(Exception):
    pass


def _read_request(stream):
    """(method, target, headers list, body bytes) of one HTTP/1.1 request, or None at end of stream."""
    line = stream.readline(65537)
    if not line or not line.strip():
        return None
    parts = line.decode("latin-1").split()
    if len(parts) != 3:
        raise _BadRequest(line)
    headers = []
    while True:
        raw = stream.readline(65537)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _sep, value = raw.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    length = int(dict((k.lower(), v) for k, v in headers).get("content-length") or 0)
    body = stream.read(length) if length else b""
    return parts[0], parts[1], headers, body


class FaultProxy(object):
    """proxy = FaultProxy.for_zone(zone_dir, rate=0.1, seed=1).start(); proxy.url; ...; proxy.stop().

    upstream(): a new http.client connection to the server; server_context(): the SSLContext to serve with, or
    None for plain HTTP."""

    def __init__(self, upstream, rate, seed, faults=FAULTS, server_context=None, host="127.0.0.1", port=0):
        #: writes (POST, PUT, PATCH, DELETE) still to answer with "drop-after" before any random fault: set it to
        #: make sure creates lose their answer
        self.lose_writes = 0
        self._new_upstream = upstream
        self._server_context = server_context
        self.rate = rate
        self.faults = tuple(faults)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.counts = Counter()
        self.log = []
        self.enabled = True
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self._sock.listen(128)
        self.url = "%s://%s:%d" % ("https" if server_context else "http", host, self._sock.getsockname()[1])
        self._thread = None
        self._stopping = False

    @classmethod
    def for_zone(cls, zone_dir, rate, seed, faults=FAULTS):
        """In front of the API server of the local zone whose directory is zone_dir."""
        def pki(name):
            return os.path.join(zone_dir, "pki", name)

        def upstream():
            with open(os.path.join(zone_dir, "kubeconfig.yaml")) as handle:
                port = int(re.search(r"server: https://127\.0\.0\.1:(\d+)", handle.read()).group(1))
            ctx = ssl.create_default_context()
            ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
            ctx.load_cert_chain(pki("admin.crt"), pki("admin.key"))
            return http.client.HTTPSConnection("127.0.0.1", port, timeout=120, context=ctx)

        def server_context():
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(pki("admin.crt"), pki("admin.key"))
            return ctx
        return cls(upstream, rate, seed, faults, server_context)

    @classmethod
    def for_url(cls, url, rate, seed, faults=FAULTS, cert=None, key=None):
        """In front of the server at url (http, or https served here with cert and key)."""
        parts = urlsplit(url)

        def upstream():
            if parts.scheme == "https":
                ctx = ssl.create_default_context()
                ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
                return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=120, context=ctx)
            return http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)

        def server_context():
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            return ctx
        return cls(upstream, rate, seed, faults, server_context if parts.scheme == "https" else None)

    # lifecycle -------------------------------------------------------------------------------------------
    def start(self):
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping = True
        try:
            self._sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # serving ---------------------------------------------------------------------------------------------------
    def _accept(self):
        while not self._stopping:
            try:
                conn, _addr = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _draw(self, method):
        with self._lock:
            if not self.enabled:
                return None
            if self.lose_writes and method in ("POST", "PUT", "PATCH", "DELETE"):
                self.lose_writes -= 1
                return "drop-after"
            if self._rng.random() >= self.rate:
                return None
            return self._rng.choice(self.faults)

    def _serve(self, conn):
        try:
            tls = self._server_context().wrap_socket(conn, server_side=True) if self._server_context else conn
        except (OSError, ssl.SSLError):
            conn.close()
            return
        stream = tls.makefile("rb")
        upstream = None
        try:
            while True:
                request = _read_request(stream)
                if request is None:
                    return
                if upstream is None:
                    upstream = self._new_upstream()
                if not self._answer(tls, upstream, request):
                    return
        except (OSError, ssl.SSLError, _BadRequest, http.client.HTTPException):
            return
        finally:
            if upstream is not None:
                upstream.close()
            try:
                tls.close()
            except OSError:
                pass

    def _answer(self, tls, upstream, request):
        """Serve one request; False when the connection is to be closed."""
        method, target, headers, body = request
        fault = self._draw(method)
        with self._lock:
            self.counts[fault or "forwarded"] += 1
            self.counts["requests"] += 1
            self.log.append((time.time(), method, target.split("?", 1)[0], fault))
        if fault == "drop-before":
            return False
        if fault in ("429", "500", "503"):
            status = int(fault)
            payload = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": status,
                                  "reason": {429: "TooManyRequests", 500: "InternalError",
                                             503: "ServiceUnavailable"}[status],
                                  "message": "injected by the fault proxy"}).encode()
            extra = [("Retry-After", "1")] if status == 429 else []
            tls.sendall(_response(status, "Injected", [("Content-Type", "application/json")] + extra, payload))
            return True
        upstream.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            if name.lower() not in HOP_HEADERS:
                upstream.putheader(name, value)
        upstream.putheader("Content-Length", str(len(body)))
        upstream.endheaders(body)
        resp = upstream.getresponse()
        payload = resp.read()
        if fault == "drop-after":
            return False
        kept = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_HEADERS]
        tls.sendall(_response(resp.status, resp.reason, kept, payload))
        return True


def _response(status, reason, headers, payload):
    lines = ["HTTP/1.1 %d %s" % (status, reason)] + ["%s: %s" % kv for kv in headers]
    lines.append("Content-Length: %d" % len(payload))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload
