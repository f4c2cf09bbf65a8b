"""The local zone's process supervisor, with real processes (a small HTTP server per test)."""

import json
import os
import sys
import urllib.request

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.providers.local_processes import ProcessSupervisor

# Answers /healthz, and /env with its environment and working directory; exits at once when asked to crash.
SERVER = r'''
import http.server, json, os, sys
if sys.argv[2] == "crash":
    print("cannot start: crash asked"); sys.exit(3)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"env": dict(os.environ), "cwd": os.getcwd()}).encode()
        self.send_response(200 if self.path in ("/healthz", "/env") else 404)
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
print("serving", flush=True)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
'''


@pytest.fixture
def supervisor(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-for-operators")
    sup = ProcessSupervisor(str(tmp_path), str(tmp_path / "kubeconfig"))
    yield sup
    for name in sup.names():
        sup.remove(name)


def argv(mode="serve"):
    return [sys.executable, "-c", SERVER, "{port}", mode]


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read())


def test_ensure_starts_once_checks_health_and_keeps_the_environment_small(supervisor, tmp_path):
    assert supervisor.ensure("op", argv(), {"EXTRA": "1"}, "http://127.0.0.1:{port}/healthz", 20) is True
    state = supervisor.status("op")
    assert state["running"] and state["healthy"] and state["command"] == argv()
    assert "{port}" not in " ".join(state["argv"])
    seen = _get(state["health"].replace("/healthz", "/env"))
    assert seen["env"]["KUBECONFIG"] == str(tmp_path / "kubeconfig") and seen["env"]["EXTRA"] == "1"
    assert "AWS_SECRET_ACCESS_KEY" not in seen["env"]
    assert seen["cwd"] == supervisor.dir
    assert supervisor.ensure("op", argv(), {"EXTRA": "1"}, "http://127.0.0.1:{port}/healthz", 20) is False
    assert supervisor.status("op")["pid"] == state["pid"]
    assert "serving" in supervisor.log_tail("op")


def test_stop_then_start_all_brings_it_back_on_a_new_port(supervisor):
    supervisor.ensure("op", argv(), {}, "http://127.0.0.1:{port}/healthz", 20)
    first = supervisor.status("op")
    assert supervisor.stop_all() == ["op"]
    assert not os.path.exists("/proc/%d/cmdline" % first["pid"]) or not supervisor.status("op")["running"]
    assert supervisor.status("op")["running"] is False
    assert supervisor.start_all() == ["op"]
    again = supervisor.status("op")
    assert again["healthy"] and again["pid"] != first["pid"]
    assert supervisor.remove("op") is True and supervisor.status("op") is None and supervisor.names() == []


def test_a_process_that_dies_at_start_fails_with_its_log(supervisor):
    with pytest.raises(AizoneError) as err:
        supervisor.ensure("bad", argv("crash"), {}, "http://127.0.0.1:{port}/healthz", 20)
    assert "crash asked" in str(err.value)
