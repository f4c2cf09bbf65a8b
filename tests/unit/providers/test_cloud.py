"""providers/cloud.py: the mechanics the three clouds share, over a scripted fake provider (no SDK)."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ApiError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.providers import aks_shapes, gke_shapes
from ansible_collections.aizone.platform.plugins.module_utils.providers.cloud import (
    CloudProvider, check_tags, import_sdk)


class SdkError(Exception):
    def __init__(self, status):
        super(SdkError, self).__init__("HTTP %d" % status)
        self.status = status


class Fake(CloudProvider):
    """Operations are lists of states; the last one is final ('failed' raises)."""

    name = "fake"
    service = "FAKE"
    ready_statuses = ("READY",)
    failed_statuses = ("BROKEN",)

    def __init__(self, params=None):
        super(Fake, self).__init__(dict(params or {}, wait_timeout=5))
        self.operation_timeout = 5

    def is_transient(self, exc):
        return isinstance(exc, SdkError) and exc.status >= 500

    def translate_error(self, what, exc):
        if not isinstance(exc, SdkError):
            return None
        return ApiError("FAKE %s failed: %d" % (what, exc.status), status=exc.status)

    def operation_state(self, handle, what):
        state = handle.pop(0) if len(handle) > 1 else handle[0]
        if state == "failed":
            raise ApiError("FAKE %s failed" % what, code="OpFailed")
        return state == "done", "%s: %s" % (what, state)

    # the abstract interface, unused here
    get_zone = list_zones = create_zone = update_zone = delete_zone = zone_ready = zone_kubeconfig = None
    list_node_pools = create_node_pool = update_node_pool = delete_node_pool = node_pool_ready = None


def _raising(*errors):
    calls = []

    def fn():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "ok"
    return fn, calls


def test_call_retries_transient_errors_and_translates_the_final_one(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    fn, calls = _raising(SdkError(503), SdkError(500))
    assert Fake().call("get thing", fn) == "ok" and len(calls) == 3
    fn, calls = _raising(SdkError(400))
    with pytest.raises(ApiError, match="FAKE get thing failed: 400") as err:
        Fake().call("get thing", fn)
    assert err.value.status == 400 and len(calls) == 1
    fn, _calls = _raising(KeyError("not an SDK error"))
    with pytest.raises(KeyError):
        Fake().call("get thing", fn)


def test_read_is_none_on_not_found_only():
    assert Fake().read("get thing", _raising(SdkError(404))[0]) is None
    with pytest.raises(ApiError):
        Fake().read("get thing", _raising(SdkError(403))[0])


def test_ready_follows_the_operation_then_the_status():
    provider = Fake()
    provider.start(("pool", "z", "p"), "create pool", lambda: ["running", "done"])
    state = {"status": "CREATING"}

    def probe():
        return provider.ready(("pool", "z", "p"), "pool z/p", lambda: state, dict)

    assert probe() == (False, None, "create pool: running")
    assert probe() == (False, {"status": "CREATING"}, "status CREATING")   # operation done: the status decides
    state["status"] = "READY"
    assert probe() == (True, {"status": "READY"}, "status READY")
    state["status"] = "BROKEN"
    with pytest.raises(ApiError, match="FAKE pool z/p is in status BROKEN"):
        probe()
    assert provider.ready(("pool", "z", "q"), "pool z/q", lambda: None, dict) == (False, None, "not found")


def test_run_steps_waits_for_all_but_the_last_and_a_failed_one_stops_them():
    provider = Fake()
    started = []
    steps = [("step %d" % i, lambda i=i: started.append(i) or ["running", "done"]) for i in range(3)]
    provider.run_steps(("zone", "z"), steps)
    assert started == [0, 1, 2] and provider.poll(("zone", "z")) == (False, "step 2: running")
    started[:] = []
    failing = [("bad", lambda: started.append("bad") or ["failed"]), ("after", lambda: started.append("after"))]
    with pytest.raises(ApiError, match="FAKE bad failed"):
        provider.run_steps(("zone", "z"), failing)
    assert started == ["bad"]


def test_options_fall_back_to_the_environment_and_name_what_is_missing(monkeypatch):
    monkeypatch.setenv("FAKE_PROJECT", "p1")
    assert Fake({"project": None}).param("project", "FAKE_PROJECT") == "p1"
    monkeypatch.delenv("FAKE_PROJECT")
    with pytest.raises(ValidationError, match="required for provider fake .or set FAKE_PROJECT.") as err:
        Fake({"project": None}).required("project", "FAKE_PROJECT")
    assert err.value.field == "project"


def test_a_missing_sdk_names_the_package_to_install():
    def load():
        raise ImportError("no module named nothing")
    with pytest.raises(AizoneError, match="requires the Python library fake-sdk .pip install fake-sdk."):
        import_sdk("fake", "fake-sdk", load)


@pytest.mark.parametrize("checker, tags, field, text", [
    (aks_shapes.check_tags, {"a/b": "x"}, "tags.a/b", "Azure tag names cannot contain"),
    (aks_shapes.check_tags, {"aizone-zone-type": "x"}, "tags.aizone-zone-type", "reserved by aizone.platform"),
    (gke_shapes.check_tags, {"Team": "x"}, "tags.Team", "need keys of 1-63 lowercase"),
    (gke_shapes.check_tags, {"team": "ML"}, "tags.team", "values are at most 63 lowercase"),
    (gke_shapes.check_tags, {"aizone-node-count": "1"}, "tags.aizone-node-count", "reserved by aizone.platform"),
])
def test_cloud_tag_rules_fail_before_any_call(checker, tags, field, text):
    with pytest.raises(ValidationError) as err:
        checker("tags", tags)
    assert err.value.field == field and text in err.value.msg
    checker("tags", {"team": "ml"})


def test_check_tags_applies_every_rule_then_the_reserved_keys():
    rules = (("key", lambda k: k.islower(), "bad key %r"), ("value", lambda v: len(v) < 4, "long value %r"))
    check_tags("tags", {"ok": "abc"}, ("kept",), rules)
    for tags, text in (({"Up": "a"}, "bad key 'Up'"), ({"ok": "abcd"}, "long value 'abcd'"),
                       ({"kept": "a"}, "reserved")):
        with pytest.raises(ValidationError, match=text):
            check_tags("tags", tags, ("kept",), rules)
