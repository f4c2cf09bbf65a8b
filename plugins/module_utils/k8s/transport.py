# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small HTTPS client for the apply engine, built straight from a kubeconfig.

Importing the kubernetes package costs 1.5 to 2 s of CPU per module run
(thousands of generated model classes and every auth plugin), and even
urllib3 costs about 0.15 s. The engine only needs JSON over HTTPS, so for
kubeconfigs using the common credential kinds (client certificate, bearer
token or token file, basic auth, in-cluster service account) this client
does it with the standard library: http.client connections kept alive in a
small pool shared by the engine's threads. It duck-types the four things the
engine uses of kubernetes.client.ApiClient: `configuration.host`,
`default_headers`, `update_params_for_auth()` and `call_api()`.

`load(path, context)` returns None when the kubeconfig needs what only the
kubernetes package does (exec credential plugins, auth-provider, proxy-url,
tls-server-name); the caller then builds a regular ApiClient. A kubeconfig
written as JSON (valid YAML, and what the collection writes) is read without
importing PyYAML.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import http.client
import json
import os
import ssl
import tempfile
import threading

from urllib.parse import urlsplit

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.files import read_kubeconfig

SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


class _Configuration(object):
    def __init__(self, host):
        self.host = host


class _Response(object):
    def __init__(self, status, data):
        self.status = status
        self._data = data

    def read(self):
        return self._data


class FastClient(object):
    """Keep-alive connection pool + credentials; see the module docstring."""

    def __init__(self, host, ssl_context=None, token=None, basic=None, pool_size=16):
        self.configuration = _Configuration(host.rstrip("/"))
        self.default_headers = {"User-Agent": "aizone.platform"}
        self._auth = None
        if token:
            self._auth = "Bearer " + token
        elif basic:
            self._auth = "Basic " + base64.b64encode(("%s:%s" % basic).encode()).decode()
        parts = urlsplit(self.configuration.host)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AizoneError("kubeconfig server %r is not an http(s) URL" % self.configuration.host)
        self._https = parts.scheme == "https"
        self._address = (parts.hostname, parts.port or (443 if self._https else 80))
        self._ssl_context = ssl_context
        self._idle = []
        self._max_idle = max(1, pool_size)
        self._lock = threading.Lock()
        self.rate_limiter = None

    def update_params_for_auth(self, headers, *args, **kwargs):
        if self._auth:
            headers["Authorization"] = self._auth

    def _connect(self, connect_timeout):
        if self._https:
            return http.client.HTTPSConnection(self._address[0], self._address[1], timeout=connect_timeout,
                                               context=self._ssl_context or ssl.create_default_context())
        return http.client.HTTPConnection(self._address[0], self._address[1], timeout=connect_timeout)

    def _checkout(self, connect_timeout):
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return self._connect(connect_timeout), False

    def _checkin(self, conn):
        with self._lock:
            if len(self._idle) < self._max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def call_api(self, method, url, header_params=None, body=None, _request_timeout=None):
        """One request; returns an object with .status and .read(). Transport errors raise."""
        if isinstance(_request_timeout, tuple):
            connect_timeout, read_timeout = _request_timeout
        else:
            connect_timeout = read_timeout = _request_timeout or None
        parts = urlsplit(url)
        target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        data = json.dumps(body) if body is not None and not isinstance(body, (str, bytes)) else body
        if isinstance(data, str):
            data = data.encode("utf-8")
        headers = dict(header_params or {})
        while True:
            conn, reused = self._checkout(connect_timeout)
            try:
                if conn.sock is None:
                    conn.connect()
                conn.sock.settimeout(read_timeout)
                conn.request(method, target, body=data, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                conn.close()
                if reused:
                    continue    # the server closed an idle keep-alive connection: a fresh one
                raise
            except BaseException:
                conn.close()
                raise
            if resp.will_close:
                conn.close()
            else:
                self._checkin(conn)
            return _Response(resp.status, payload)

    def close(self):
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _b64(text):
    return base64.b64decode(text)


def _path(base, value):
    return value if os.path.isabs(value) else os.path.join(base, value)


def _ssl_context(cluster, user, base):
    if cluster.get("insecure-skip-tls-verify"):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif cluster.get("certificate-authority-data"):
        ctx = ssl.create_default_context(cadata=_b64(cluster["certificate-authority-data"]).decode())
    elif cluster.get("certificate-authority"):
        ctx = ssl.create_default_context(cafile=_path(base, cluster["certificate-authority"]))
    else:
        ctx = ssl.create_default_context()
    cert, key = user.get("client-certificate"), user.get("client-key")
    cert_data, key_data = user.get("client-certificate-data"), user.get("client-key-data")
    if cert_data and key_data:
        # load_cert_chain wants files: write them 0600 in a private dir, load, remove
        tmp = tempfile.mkdtemp(prefix="aizone-kube-")
        try:
            cert_path, key_path = os.path.join(tmp, "c"), os.path.join(tmp, "k")
            for path, data in ((cert_path, cert_data), (key_path, key_data)):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(_b64(data))
            ctx.load_cert_chain(cert_path, key_path)
        finally:
            for name in ("c", "k"):
                if os.path.exists(os.path.join(tmp, name)):
                    os.unlink(os.path.join(tmp, name))
            os.rmdir(tmp)
    elif cert and key:
        ctx.load_cert_chain(_path(base, cert), _path(base, key))
    return ctx


def load(path, context=None, pool_size=16):
    """FastClient for a kubeconfig file, or None when it needs the kubernetes package."""
    config = read_kubeconfig(path)
    name = context or config.get("current-context")
    ctx = dict((c.get("name"), c.get("context") or {}) for c in config.get("contexts") or []).get(name)
    if ctx is None:
        raise AizoneError("kubeconfig %s has no context %r (contexts: %s)"
                          % (path, name, ", ".join(c.get("name", "") for c in config.get("contexts") or [])))
    cluster = dict((c.get("name"), c.get("cluster") or {}) for c in config.get("clusters") or []).get(ctx.get("cluster"))
    user = dict((u.get("name"), u.get("user") or {}) for u in config.get("users") or []).get(ctx.get("user"), {})
    if not cluster or not cluster.get("server"):
        raise AizoneError("kubeconfig %s: context %s names no cluster with a server" % (path, name))
    if user.get("exec") or user.get("auth-provider") or cluster.get("proxy-url") or cluster.get("tls-server-name"):
        return None
    base = os.path.dirname(os.path.abspath(path))
    token = user.get("token")
    if not token and user.get("tokenFile"):
        with open(_path(base, user["tokenFile"])) as handle:
            token = handle.read().strip()
    basic = (user["username"], user.get("password", "")) if user.get("username") else None
    server = cluster["server"]
    tls = _ssl_context(cluster, user, base) if server.startswith("https://") else None
    client = FastClient(server, tls, token=token, basic=basic, pool_size=pool_size)
    if ctx.get("namespace"):
        client.default_namespace = ctx["namespace"]
    return client


def load_incluster(pool_size=16):
    """FastClient for the pod's service account."""
    host, port = os.environ["KUBERNETES_SERVICE_HOST"], os.environ.get("KUBERNETES_SERVICE_PORT", "443")
    if ":" in host:
        host = "[%s]" % host
    with open(os.path.join(SA_DIR, "token")) as handle:
        token = handle.read().strip()
    ctx = ssl.create_default_context(cafile=os.path.join(SA_DIR, "ca.crt"))
    return FastClient("https://%s:%s" % (host, port), ctx, token=token, pool_size=pool_size)
