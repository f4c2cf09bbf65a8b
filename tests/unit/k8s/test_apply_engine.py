"""The apply engine and Rest over scripted transports: retries, request shapes, order. No server."""

import json
import os

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ApiError, TransportError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s import transport
from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect, connect_with_kubernetes
from ansible_collections.aizone.platform.plugins.module_utils.k8s.rest import RateLimiter, Rest


class _FakeTransport(object):
    """Answers from a script of (status, body), recording each call."""

    def __init__(self, script):
        self.script = list(script)
        self.calls = []

    def request(self, method, path, query, headers, body, timeout):
        self.calls.append((method, path))
        entry = self.script.pop(0)
        return entry[0], json.dumps(entry[1]).encode(), entry[2] if len(entry) > 2 else {}

    def close(self):
        pass


def test_transient_errors_are_retried_and_field_conflicts_are_not():
    slept = []
    fake = _FakeTransport([(429, {"reason": "TooManyRequests"}), (503, {}), (409, {"reason": "Conflict"}),
                           (200, {"kind": "Namespace"})])
    assert Rest(fake, sleep=slept.append).request("GET", "/api/v1/namespaces/x") == (200, {"kind": "Namespace"})
    assert len(fake.calls) == 4 and len(slept) == 3
    conflict = {"reason": "Conflict", "message": "Apply failed with 1 conflict",
                "details": {"causes": [{"type": "FieldManagerConflict", "field": ".spec.hard"}]}}
    fake = _FakeTransport([(409, conflict), (200, {})])
    with pytest.raises(ApiError) as err:
        Rest(fake).request("PATCH", "/api/v1/namespaces/x", body={})
    assert err.value.status == 409 and len(fake.calls) == 1
    fake = _FakeTransport([(500, {"message": "failed to convert new object: quantities must match"}), (200, {})])
    with pytest.raises(ApiError, match="failed to convert"):
        Rest(fake).request("PATCH", "/api/v1/namespaces/x", body={})
    assert len(fake.calls) == 1
    fake = _FakeTransport([(403, {"message": "forbidden"}), (200, {})])
    with pytest.raises(ApiError, match="forbidden"):
        Rest(fake).request("GET", "/api/v1/namespaces/x")
    assert len(fake.calls) == 1


def test_retry_after_and_what_resending_cannot_fix():
    slept = []
    fake = _FakeTransport([(429, {"reason": "TooManyRequests"}, {"retry-after": "2"}), (200, {})])
    Rest(fake, sleep=slept.append).request("GET", "/api/v1/namespaces/x")
    assert slept and slept[0] >= 2.0
    stale = {"reason": "Conflict", "message": 'Operation cannot be fulfilled on configmaps "c": the object has '
             'been modified; please apply your changes to the latest version and try again'}
    for answer in ({"reason": "AlreadyExists", "message": "exists"}, stale):
        fake = _FakeTransport([(409, answer), (200, {})])
        with pytest.raises(ApiError):
            Rest(fake).request("PUT", "/api/v1/namespaces/x", body={})
        assert len(fake.calls) == 1


def test_create_reads_what_exists_after_a_lost_answer():
    """The POST's answer was lost (a reset after the server acted), the retry is refused as AlreadyExists:
    create reads the object instead of failing."""
    class LostAnswer(_FakeTransport):
        def request(self, method, path, query, headers, body, timeout):
            if not self.calls:
                self.calls.append((method, path))
                raise TransportError("POST %s: ConnectionResetError" % path)
            return _FakeTransport.request(self, method, path, query, headers, body, timeout)
    fake = LostAnswer([(409, {"reason": "AlreadyExists"}), (200, {"metadata": {"name": "c", "uid": "1"}})])
    created, live = Rest(fake, sleep=lambda s: None).create("/api/v1/namespaces/ns/configmaps",
                                                            {"metadata": {"name": "c"}})
    assert (created, live["metadata"]["uid"]) == (False, "1")
    assert fake.calls == [("POST", "/api/v1/namespaces/ns/configmaps")] * 2 + [
        ("GET", "/api/v1/namespaces/ns/configmaps/c")]
    fake = _FakeTransport([(201, {"metadata": {"name": "c"}})])
    assert Rest(fake).create("/api/v1/namespaces/ns/configmaps", {"metadata": {"name": "c"}})[0] is True


def test_get_or_none_is_none_on_404_only():
    fake = _FakeTransport([(404, {"reason": "NotFound"}), (403, {"message": "forbidden"})])
    assert Rest(fake).get_or_none("/api/v1/namespaces/x") is None
    with pytest.raises(ApiError, match="forbidden"):
        Rest(fake).get_or_none("/api/v1/namespaces/x")


@pytest.mark.parametrize("build", [connect, connect_with_kubernetes])
def test_missing_kubeconfig_fails_naming_the_option(tmp_path, build):
    with pytest.raises(ValidationError) as err:
        build({"kubeconfig": str(tmp_path / "nope")})
    assert err.value.field == "kubeconfig" and "does not exist" in err.value.msg
    assert os.path.basename(str(tmp_path / "nope")) in err.value.msg


def test_http_transport_reads_inline_credentials_and_defers_exec_plugins(tmp_path):
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: a\n"
        "contexts:\n- name: a\n  context: {cluster: c, user: u}\n- name: b\n  context: {cluster: c, user: e}\n"
        "clusters:\n- name: c\n  cluster: {server: 'https://10.0.0.1:6443/', insecure-skip-tls-verify: true}\n"
        "users:\n- name: u\n  user: {token: s3cret}\n"
        "- name: e\n  user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1beta1}}\n")
    http = transport.http_transport(str(config))
    assert http._auth == "Bearer s3cret"
    assert http.server == "https://10.0.0.1:6443"
    assert transport.http_transport(str(config), "b") is None
    assert isinstance(connect({"kubeconfig": str(config), "context": "a"}).transport, transport.HttpTransport)
    # an exec credential plugin needs the kubernetes package: the adapter takes it
    assert isinstance(connect({"kubeconfig": str(config), "context": "b"}).transport, transport.ApiClientTransport)
    with pytest.raises(AizoneError, match="no context 'zz'"):
        transport.http_transport(str(config), "zz")


def test_rate_limiter_allows_a_burst_then_paces_to_qps():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(qps=10, burst=3, clock=lambda: now[0], sleep=sleep)
    assert [limiter.acquire() for _i in range(3)] == [0.0, 0.0, 0.0]
    waits = [limiter.acquire() for _i in range(5)]
    assert all(abs(w - 0.1) < 1e-9 for w in waits)      # 10 per second once the burst is spent
    now[0] += 10.0                                        # idle time refills at most `burst` tokens
    assert [limiter.acquire() for _i in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire() > 0


class _RoutingTransport(_FakeTransport):
    """Serves LISTs from a dict of path -> items and answers applies with the body."""

    def __init__(self, lists):
        _FakeTransport.__init__(self, [])
        self.lists = lists

    def request(self, method, path, query, headers, body, timeout):
        self.calls.append((method, path))
        if method == "GET":
            return 200, json.dumps({"items": self.lists.get(path, []), "metadata": {}}).encode(), {}
        return 201, json.dumps(body).encode(), {}


def test_reads_are_one_list_per_kind_and_writes_follow_the_tiers():
    namespaces = ["a", "b", "c"]
    objects = []
    for ns in namespaces:
        objects += [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                     "metadata": {"name": "rb", "namespace": ns}, "roleRef": {}, "subjects": []},
                    {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": ns},
                     "spec": {"hard": {"pods": "1"}}},
                    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}]
    fake = _RoutingTransport({})
    result = apply_objects(Rest(fake), objects, workers=1)
    reads = [c for c in fake.calls if c[0] == "GET"]
    assert sorted(reads) == [("GET", "/api/v1/namespaces"), ("GET", "/api/v1/resourcequotas"),
                             ("GET", "/apis/rbac.authorization.k8s.io/v1/rolebindings")]
    writes = [c[1] for c in fake.calls if c[0] == "PATCH"]
    assert [w.rsplit("/", 2)[-2] for w in writes] == ["namespaces"] * 3 + ["resourcequotas"] * 3 + \
        ["rolebindings"] * 3
    assert result.requests == {"GET": 3, "PATCH": 9}
    assert [o["action"] for o in result.objects] == ["created"] * 9
    # one namespace only: the LIST stays in it
    fake = _RoutingTransport({})
    apply_objects(Rest(fake), objects[:2], workers=1)
    assert sorted(c for c in fake.calls if c[0] == "GET") == [
        ("GET", "/api/v1/namespaces/a/resourcequotas"),
        ("GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/a/rolebindings")]


def test_deletes_run_in_reverse_order_and_leave_a_deleted_namespace_to_its_cascade():
    managed = {"app.kubernetes.io/managed-by": "aizone.platform", "team": "x"}
    lists = {"/api/v1/namespaces": [{"metadata": {"name": "a", "labels": managed}}],
             "/api/v1/resourcequotas": [{"metadata": {"name": "q", "namespace": "a", "labels": managed}},
                                        {"metadata": {"name": "q", "namespace": "z", "labels": managed}}]}
    fake = _RoutingTransport(lists)
    prune = dict(kinds=[("v1", "Namespace"), ("v1", "ResourceQuota")], labels={"team": "x"})
    result = apply_objects(Rest(fake), [], prune=prune, workers=1)
    deletes = [c[1] for c in fake.calls if c[0] == "DELETE"]
    assert deletes == ["/api/v1/namespaces/z/resourcequotas/q", "/api/v1/namespaces/a"]
    assert [(o["kind"], o["namespace"], o["name"], o["action"]) for o in result.objects] == [
        ("ResourceQuota", "a", "q", "deleted"), ("ResourceQuota", "z", "q", "deleted"),
        ("Namespace", None, "a", "deleted")]
