"""converge_shared over a scripted server: a write refused because another writer came first is not resent; the
object is read and merged again."""

from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.k8s.shared import converge_shared


class _Server(object):
    """GETs answer the current version; a PUT at a stale resourceVersion is refused as Kubernetes refuses it."""

    def __init__(self, live, concurrent=None):
        self.live, self.concurrent, self.calls = live, concurrent, []

    def get_or_none(self, path):
        self.calls.append("GET")
        return self.live

    def request(self, method, path, query=None, body=None, content_type=None):
        from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError
        self.calls.append(method)
        if self.concurrent:     # another host writes its key between this one's read and write
            self.live = self.concurrent(self.live)
            self.concurrent = None
        if body["metadata"]["resourceVersion"] != self.live["metadata"]["resourceVersion"]:
            raise ApiError("409", status=409, code="Conflict", api_message="the object has been modified")
        version = str(int(body["metadata"]["resourceVersion"]) + 1)
        self.live = dict(body, metadata=dict(body["metadata"], resourceVersion=version))
        return 200, self.live


def _cm(data, version="1"):
    meta = {"name": "c", "namespace": "n", "resourceVersion": version}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def _mine(live):
    data = dict((live or {}).get("data") or {}, mine="1")
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}, "data": data}


def test_a_conflict_reads_and_merges_again_and_keeps_the_other_writer_key():
    server = _Server(_cm({"old": "x"}), concurrent=lambda live: _cm(dict(live["data"], theirs="2"), "2"))
    action, before, after = converge_shared(server, kind_info("v1", "ConfigMap"), _mine, sleep=lambda s: None)
    assert action == "updated" and after["data"] == {"old": "x", "theirs": "2", "mine": "1"}
    assert server.calls == ["GET", "PUT", "GET", "PUT"]


def test_nothing_is_written_when_the_merge_changes_nothing_or_in_check_mode():
    server = _Server(_cm({"mine": "1"}))
    assert converge_shared(server, kind_info("v1", "ConfigMap"), _mine)[0] == "unchanged"
    server = _Server(_cm({}))
    assert converge_shared(server, kind_info("v1", "ConfigMap"), _mine, check_mode=True)[0] == "updated"
    assert server.calls == ["GET"]
