# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transports: how one HTTP exchange with an API server is made. Rest (k8s/rest.py) is built on one.

The interface Rest depends on has two methods (see `Transport`): `request`
and `close`. Two implementations:

- `HttpTransport`: the standard library (http.client keep-alive connections
  in a small pool shared by the engine's threads), for kubeconfigs using the
  common credential kinds: client certificate, bearer token or token file,
  basic auth, the in-cluster service account. Importing the kubernetes
  package costs 1.5 to 2 s of CPU per module run and urllib3 about 0.15 s,
  so this is what nearly every run uses. A kubeconfig written as JSON (valid
  YAML, and what the collection writes) is read without importing PyYAML.
- `ApiClientTransport`: an adapter over kubernetes.client.ApiClient's public
  request API (param_serialize, then call_api), for what only the kubernetes
  package handles: exec credential plugins, auth-provider, proxy-url,
  tls-server-name. Credentials that refresh (exec plugins) are refreshed by
  the ApiClient's configuration on every request.

Callers never pick one: k8s/client.connect(params) does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import abc
import base64
import http.client
import json
import os
import ssl
import tempfile
import threading

from urllib.parse import urlencode, urlsplit

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ApiError, TransportError
from ansible_collections.aizone.platform.plugins.module_utils.files import read_kubeconfig

SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
USER_AGENT = "aizone.platform"


class Transport(object, metaclass=abc.ABCMeta):
    """The two methods Rest needs of a connection to one API server.

    `server` names the server (its URL) in messages.
    """

    server = None

    @abc.abstractmethod
    def request(self, method, path, query, headers, body, timeout):
        """One HTTP exchange; returns (status, raw response bytes, headers), whatever the status.

        path: absolute API path (/api/v1/nodes); query: a dict or None; headers:
        Accept / Content-Type (credentials are the transport's own); body: a
        JSON-serializable object or None; timeout: (connect, read) seconds.
        Raises TransportError when no HTTP answer came (refused, reset, timed
        out) and ApiError for a TLS failure (retrying will not fix it).
        headers: the response's, names in lower case (Rest reads Retry-After).
        """

    @abc.abstractmethod
    def close(self):
        """Release pooled connections."""


def _no_answer(method, path, exc):
    """The error for a request that got no HTTP answer (TLS failures and malformed requests are not retried)."""
    if isinstance(exc, ssl.SSLError) or "SSL" in type(exc).__name__ or "SSL" in str(exc)[:200]:
        return ApiError("%s %s: TLS failure: %s" % (method, path, exc))
    if isinstance(exc, (http.client.InvalidURL, ValueError)) or type(exc).__name__ == "LocationValueError":
        return ApiError("%s %s: not a valid request: %s" % (method, path, exc))
    return TransportError("%s %s: %s: %s" % (method, path, type(exc).__name__, exc))


def _lower(headers):
    return dict((k.lower(), v) for k, v in dict(headers or {}).items())


class HttpTransport(Transport):
    """Keep-alive connection pool plus credentials; see the module docstring."""

    def __init__(self, host, ssl_context=None, token=None, basic=None, pool_size=16):
        self.server = host.rstrip("/")
        self._auth = None
        if token:
            self._auth = "Bearer " + token
        elif basic:
            self._auth = "Basic " + base64.b64encode(("%s:%s" % basic).encode()).decode()
        parts = urlsplit(self.server)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AizoneError("kubeconfig server %r is not an http(s) URL" % self.server)
        self._https = parts.scheme == "https"
        self._address = (parts.hostname, parts.port or (443 if self._https else 80))
        self._prefix = parts.path.rstrip("/")
        self._ssl_context = ssl_context
        self._idle = []
        self._max_idle = max(1, pool_size)
        self._lock = threading.Lock()

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

    def request(self, method, path, query, headers, body, timeout):
        connect_timeout, read_timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        target = self._prefix + path + ("?" + urlencode(query) if query else "")
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = dict(headers or {}, **{"User-Agent": USER_AGENT})
        if self._auth:
            headers["Authorization"] = self._auth
        try:
            return self._exchange(method, target, data, headers, connect_timeout, read_timeout)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise _no_answer(method, path, exc)

    def _exchange(self, method, target, data, headers, connect_timeout, read_timeout):
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
            return resp.status, payload, dict((k.lower(), v) for k, v in resp.getheaders())

    def close(self):
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class ApiClientTransport(Transport):
    """An adapter over kubernetes.client.ApiClient's public request API."""

    def __init__(self, api_client):
        self._client = api_client
        self.server = api_client.configuration.host.rstrip("/")

    def request(self, method, path, query, headers, body, timeout):
        headers = dict(headers or {}, **{"User-Agent": USER_AGENT})
        try:
            serialized = self._client.param_serialize(method=method, resource_path=path,
                                                      query_params=sorted((query or {}).items()),
                                                      header_params=headers, body=body,
                                                      auth_settings=["BearerToken"])
            response = self._client.call_api(*serialized, _request_timeout=timeout)
            return response.status, response.read(), _lower(response.getheaders())
        except Exception as exc:  # noqa: BLE001 - urllib3 and kubernetes raise many types for one cause
            if type(exc).__name__ == "ApiException":
                # kubernetes' own: status 0 is its way of reporting a TLS failure
                if not getattr(exc, "status", None):
                    raise ApiError("%s %s: TLS failure: %s" % (method, path, getattr(exc, "reason", exc)))
                return exc.status, exc.body, _lower(getattr(exc, "headers", None))
            raise _no_answer(method, path, exc)

    def close(self):
        self._client.close()

    @classmethod
    def from_kubeconfig(cls, path, context, pool_size):
        """The adapter for a kubeconfig file (None: in-cluster service account); AizoneError on failure."""
        try:
            from kubernetes import client as k8s_client, config as k8s_config
            from kubernetes.config.config_exception import ConfigException
        except ImportError:
            raise AizoneError("this kubeconfig needs the Python package 'kubernetes' on the controller "
                              "(exec credential plugins, auth providers, proxies): pip install kubernetes")
        configuration = k8s_client.Configuration()
        try:
            if path is None:
                k8s_config.load_incluster_config(client_configuration=configuration)
            else:
                k8s_config.load_kube_config(config_file=path, context=context,
                                            client_configuration=configuration, persist_config=False)
        except ConfigException as exc:
            raise AizoneError("cannot load %s: %s" % (
                "in-cluster configuration" if path is None else
                "kubeconfig %s (context %s)" % (path, context or "current-context"), exc))
        configuration.connection_pool_maxsize = max(pool_size, 1)
        return cls(k8s_client.ApiClient(configuration))


# -- kubeconfig -> HttpTransport ----------------------------------------------------------------

def _b64(text):
    return base64.b64decode(text)


def _path(base, value):
    return value if os.path.isabs(value) else os.path.join(base, value)


def _load_inline_cert(ctx, cert_data, key_data):
    """load_cert_chain wants files: write them 0600 in a private dir, load, remove."""
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
        _load_inline_cert(ctx, cert_data, key_data)
    elif cert and key:
        ctx.load_cert_chain(_path(base, cert), _path(base, key))
    return ctx


def _context_entries(config, path, context):
    """(name, cluster, user) of the kubeconfig context to use."""
    name = context or config.get("current-context")
    ctx = dict((c.get("name"), c.get("context") or {}) for c in config.get("contexts") or []).get(name)
    if ctx is None:
        raise AizoneError("kubeconfig %s has no context %r (contexts: %s)"
                          % (path, name, ", ".join(c.get("name", "") for c in config.get("contexts") or [])))
    cluster = dict((c.get("name"), c.get("cluster") or {}) for c in config.get("clusters") or []).get(ctx.get("cluster"))
    user = dict((u.get("name"), u.get("user") or {}) for u in config.get("users") or []).get(ctx.get("user"), {})
    if not cluster or not cluster.get("server"):
        raise AizoneError("kubeconfig %s: context %s names no cluster with a server" % (path, name))
    return name, cluster, user


def http_transport(path, context=None, pool_size=16):
    """HttpTransport for a kubeconfig file, or None when it needs the kubernetes package."""
    config = read_kubeconfig(path)
    _name, cluster, user = _context_entries(config, path, context)
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
    return HttpTransport(server, tls, token=token, basic=basic, pool_size=pool_size)


def incluster_http_transport(pool_size=16):
    """HttpTransport for the pod's service account."""
    host, port = os.environ["KUBERNETES_SERVICE_HOST"], os.environ.get("KUBERNETES_SERVICE_PORT", "443")
    if ":" in host:
        host = "[%s]" % host
    with open(os.path.join(SA_DIR, "token")) as handle:
        token = handle.read().strip()
    ctx = ssl.create_default_context(cafile=os.path.join(SA_DIR, "ca.crt"))
    return HttpTransport("https://%s:%s" % (host, port), ctx, token=token, pool_size=pool_size)
