"""k8s/transport.py: the stdlib HttpTransport and the JSON kubeconfig path, against a loopback HTTP server."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ApiError, TransportError
from ansible_collections.aizone.platform.plugins.module_utils.k8s import transport
from ansible_collections.aizone.platform.plugins.module_utils.k8s.rest import Rest


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive

    def log_message(self, *args):
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server = self.server
        with server.lock:
            server.seen.append(dict(method=self.command, path=self.path, body=body.decode(),
                                    auth=self.headers.get("Authorization"),
                                    ctype=self.headers.get("Content-Type"), conn=self.client_address[1]))
        if self.path.endswith("/missing"):
            status, payload = 404, {"kind": "Status", "message": "nope", "reason": "NotFound"}
        else:
            status, payload = 200, {"path": self.path}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if server.close_after:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        if server.close_after or server.drop_idle:
            self.close_connection = True      # drop_idle: closed without telling, like an idle timeout

    do_GET = do_PATCH = do_DELETE = _answer


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.seen, srv.lock, srv.close_after, srv.drop_idle = [], threading.Lock(), False, False
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_requests_keep_one_connection_alive_and_keep_the_server_path_prefix(server):
    client = transport.HttpTransport("http://127.0.0.1:%d/k8s/clusters/c1/" % server.server_port, token="t0k")
    rest = Rest(client)
    assert rest.get("/api/v1/namespaces", {"labelSelector": "a=b"}) == {"path": "/k8s/clusters/c1/api/v1/namespaces?labelSelector=a%3Db"}
    status, body = rest.request("PATCH", "/apis/x/v1/things/a", {"fieldManager": "m"}, {"spec": {"n": 1}},
                                "application/apply-patch+yaml")
    assert status == 200
    first, second = server.seen
    assert first["auth"] == second["auth"] == "Bearer t0k"
    assert second["ctype"] == "application/apply-patch+yaml" and json.loads(second["body"]) == {"spec": {"n": 1}}
    assert first["conn"] == second["conn"]          # the same keep-alive connection
    assert rest.counts == {"GET": 1, "PATCH": 1}


def test_api_errors_carry_status_and_reason(server):
    rest = Rest(transport.HttpTransport("http://127.0.0.1:%d" % server.server_port))
    with pytest.raises(ApiError) as err:
        rest.get("/api/v1/missing")
    assert err.value.status == 404 and "nope" in err.value.msg


def test_a_connection_the_server_closed_is_replaced(server):
    client = transport.HttpTransport("http://127.0.0.1:%d" % server.server_port)
    server.close_after = True              # the server ends every connection after its answer
    for _i in range(3):
        assert client.request("GET", "/x", None, {}, None, (5, 5))[0] == 200
    assert len(set(s["conn"] for s in server.seen)) == 3 and client._idle == []
    server.close_after, server.drop_idle = False, True
    for path in ("/y", "/z"):              # each pooled connection is dead by the next request
        assert client.request("GET", path, None, {}, None, (5, 5))[0] == 200
    assert [s["path"] for s in server.seen][-2:] == ["/y", "/z"] and len(server.seen) == 5


def test_an_unreachable_server_is_a_transport_error():
    client = transport.HttpTransport("http://127.0.0.1:9")
    rest = Rest(client, retries=1, sleep=lambda s: None)
    with pytest.raises(TransportError, match="GET /api"):
        rest.get("/api")


def test_non_http_servers_are_refused():
    with pytest.raises(AizoneError, match="not an http"):
        transport.HttpTransport("unix:///var/run/k8s.sock")


def test_a_json_kubeconfig_is_read_without_pyyaml(tmp_path):
    config = {"apiVersion": "v1", "kind": "Config", "current-context": "a",
              "contexts": [{"name": "a", "context": {"cluster": "c", "user": "u"}}],
              "clusters": [{"name": "c", "cluster": {"server": "http://127.0.0.1:1"}}],
              "users": [{"name": "u", "user": {"token": "s3cret"}}]}
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(config))
    code = ("import sys; from ansible_collections.aizone.platform.plugins.module_utils.k8s import transport; "
            "c = transport.http_transport(sys.argv[1]); print(c.server, 'yaml' in sys.modules, "
            "'urllib3' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    assert out == ["http://127.0.0.1:1", "False", "False"]
    yaml_text = ("apiVersion: v1\nkind: Config\ncurrent-context: a\n"
                 "contexts:\n- name: a\n  context: {cluster: c, user: u}\n"
                 "clusters:\n- name: c\n  cluster: {server: 'http://127.0.0.1:2'}\n"
                 "users:\n- name: u\n  user: {token: s3cret}\n")
    path.write_text(yaml_text)
    assert transport.http_transport(str(path)).server == "http://127.0.0.1:2"
    path.write_text("- just\n- a list\n")
    with pytest.raises(AizoneError, match="not a mapping"):
        transport.http_transport(str(path))
