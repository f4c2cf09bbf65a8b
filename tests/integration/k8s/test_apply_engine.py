"""The batch server-side-apply engine against the live control plane."""
import json
import uuid

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects, delete_objects
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect, connect_with_kubernetes
from ansible_collections.aizone.platform.plugins.module_utils.k8s.rest import Rest

WRITES = ("POST", "PUT", "PATCH", "DELETE", "APPLY", "CREATE", "UPDATE", "DELETECOLLECTION")
RESOURCES = ("namespaces", "resourcequotas", "limitranges", "networkpolicies")


def our_writes(cp, before):
    """Applies/patches on the resources of these tests. DELETE and PUT are left out because the
    namespace controller issues them while earlier tests' namespaces go; the engine's own
    deletes are counted client side (result.requests)."""
    delta = cp.delta(before, cp.request_counts(), writes_only=True)
    return dict((k, v) for k, v in delta.items() if k[1] in RESOURCES and k[0] in ("APPLY", "PATCH"))


def manifests(ns, gpus="4", label="a"):
    # Namespace last on purpose: the engine must order it first.
    return [
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": ns},
         "spec": {"hard": {"requests.nvidia.com/gpu": gpus, "requests.memory": "1024Mi"}}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "lr", "namespace": ns, "labels": {"x": label}},
         "spec": {"limits": [{"type": "Container", "default": {"memory": "512Mi"}}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np", "namespace": ns},
         "spec": {"podSelector": {}, "policyTypes": ["Ingress"],
                  "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 80}]}]}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {"t4-engine": "yes"}}},
    ]


def actions(result):
    return [(o["kind"], o["name"], o["action"]) for o in result.objects]


@pytest.fixture
def api(controlplane):
    return connect({"kubeconfig": controlplane.kubeconfig})


@pytest.fixture
def ns(api):
    name = "t4-eng-" + uuid.uuid4().hex[:6]
    yield name
    delete_objects(api, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}])


@pytest.mark.controlplane
@pytest.mark.parametrize("build", [connect, connect_with_kubernetes], ids=["http-transport", "kubernetes-client"])
def test_check_mode_predicts_apply_then_noop_costs_no_write(controlplane, ns, build):
    api = build({"kubeconfig": controlplane.kubeconfig})   # the engine runs on either transport
    rest = connect({"kubeconfig": controlplane.kubeconfig})
    predicted = apply_objects(api, manifests(ns), check_mode=True)
    assert predicted.changed
    assert list(actions(predicted)) == [("ResourceQuota", "q", "created"), ("LimitRange", "lr", "created"),
                                        ("NetworkPolicy", "np", "created"), ("Namespace", ns, "created")]
    assert rest.list_all("/api/v1/namespaces", "t4-engine=yes") == [] or \
        ns not in [n["metadata"]["name"] for n in rest.list_all("/api/v1/namespaces", "t4-engine=yes")]

    done = apply_objects(api, manifests(ns))
    assert actions(done) == actions(predicted)
    quota = rest.get("/api/v1/namespaces/%s/resourcequotas/q" % ns)
    assert quota["spec"]["hard"]["requests.nvidia.com/gpu"] == "4"
    assert quota["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "aizone.platform"
    assert [m["manager"] for m in quota["metadata"]["managedFields"] if m["operation"] == "Apply"] == ["aizone.platform"]
    created_diff = [d for d in done.diff if d["after_header"] == "ResourceQuota %s/q" % ns][0]
    assert created_diff["before"] == {} and created_diff["after"]["spec"]["hard"]["requests.memory"] == "1Gi"

    before = controlplane.request_counts()
    again = apply_objects(api, manifests(ns))
    assert not again.changed
    assert set(o["action"] for o in again.objects) == {"unchanged"}
    assert again.diff == []
    # reads only: one LIST per kind (more pages only if the cluster holds over 500 managed namespaces)
    assert set(again.requests) == {"GET"} and again.requests["GET"] >= 4
    assert our_writes(controlplane, before) == {}
    checked = apply_objects(api, manifests(ns), check_mode=True)
    assert not checked.changed and checked.requests == again.requests


@pytest.mark.controlplane
def test_update_is_predicted_exactly_and_released_fields_go(controlplane, api, ns):
    apply_objects(api, manifests(ns))
    rest = api
    want = manifests(ns, gpus="8")
    del want[1]["metadata"]["labels"]
    predicted = apply_objects(api, want, check_mode=True)
    assert actions(predicted) == [("ResourceQuota", "q", "updated"), ("LimitRange", "lr", "updated"),
                                  ("NetworkPolicy", "np", "unchanged"), ("Namespace", ns, "unchanged")]
    assert rest.get("/api/v1/namespaces/%s/resourcequotas/q" % ns)["spec"]["hard"]["requests.nvidia.com/gpu"] == "4"
    quota_diff = predicted.diff[0]
    assert quota_diff["before"]["spec"]["hard"]["requests.nvidia.com/gpu"] == "4"
    assert quota_diff["after"]["spec"]["hard"]["requests.nvidia.com/gpu"] == "8"

    done = apply_objects(api, want)
    assert actions(done) == actions(predicted)
    assert [d["after"] for d in done.diff] == [d["after"] for d in predicted.diff]
    assert rest.get("/api/v1/namespaces/%s/resourcequotas/q" % ns)["spec"]["hard"]["requests.nvidia.com/gpu"] == "8"
    assert "x" not in rest.get("/api/v1/namespaces/%s/limitranges/lr" % ns)["metadata"]["labels"]
    assert not apply_objects(api, want).changed


@pytest.mark.controlplane
def test_prune_and_delete_touch_only_managed_objects(controlplane, api, ns):
    rest = api
    apply_objects(api, manifests(ns, label=ns))
    # an unmanaged LimitRange with the same labels: never pruned
    rest.request("POST", "/api/v1/namespaces/%s/limitranges" % ns, body={
        "apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "theirs", "labels": {"x": ns}},
        "spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}}]}})
    spec = dict(kinds=[("v1", "LimitRange")], labels={"x": ns})
    keep = [m for m in manifests(ns, label=ns) if m["kind"] != "LimitRange"]
    predicted = apply_objects(api, keep, prune=spec, check_mode=True)
    assert [a for a in actions(predicted) if a[2] != "unchanged"] == [("LimitRange", "lr", "deleted")]
    rest.get("/api/v1/namespaces/%s/limitranges/lr" % ns)       # still there after check mode
    done = apply_objects(api, keep, prune=spec)
    assert actions(done) == actions(predicted)
    names = [c["metadata"]["name"] for c in rest.list_all("/api/v1/namespaces/%s/limitranges" % ns, "x=" + ns)]
    assert names == ["theirs"]
    assert not apply_objects(api, keep, prune=spec).changed

    gone = delete_objects(api, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}], wait=True,
                          wait_timeout=300)
    assert actions(gone) == [("Namespace", ns, "deleted")]
    with pytest.raises(ApiError) as err:
        rest.get("/api/v1/namespaces/%s" % ns)
    assert err.value.status == 404
    assert not delete_objects(api, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}]).changed


@pytest.mark.controlplane
def test_server_rejection_fails_with_the_server_message(api, ns):
    bad = manifests(ns)
    bad[0]["spec"]["hard"]["requests.nvidia.com/gpu"] = "-1"
    with pytest.raises(ApiError) as err:
        apply_objects(api, bad)
    assert err.value.status == 422
    assert "requests.nvidia.com/gpu" in err.value.msg and "greater than or equal to 0" in err.value.msg
    assert "Namespace %s" % ns in err.value.details["written_before_failure"]


def widget_crd(uid):
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets%s.t4.aizone.io" % uid},
            "spec": {"group": "t4.aizone.io", "scope": "Namespaced",
                     "names": {"plural": "widgets" + uid, "singular": "widget" + uid, "kind": "Widget" + uid.upper()},
                     "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                         "type": "object", "properties": {"spec": {"type": "object", "properties": {
                             "size": {"type": "integer"}}}}}}}]}}


@pytest.mark.controlplane
def test_crd_and_its_custom_resources_in_one_batch(api, ns):
    uid = ns[-6:]
    crd = widget_crd(uid)
    widget = {"apiVersion": "t4.aizone.io/v1", "kind": "Widget" + uid.upper(),
              "metadata": {"name": "w", "namespace": ns}, "spec": {"size": 3}}
    batch = [widget, crd, manifests(ns)[-1]]
    try:
        predicted = apply_objects(api, batch, check_mode=True)
        assert actions(predicted) == [("Widget" + uid.upper(), "w", "created"),
                                      ("CustomResourceDefinition", crd["metadata"]["name"], "created"),
                                      ("Namespace", ns, "created")]
        done = apply_objects(api, batch)
        assert actions(done) == actions(predicted)
        rest = api
        assert rest.get("/apis/t4.aizone.io/v1/namespaces/%s/widgets%s/w" % (ns, uid))["spec"]["size"] == 3
        again = apply_objects(api, batch)
        assert not again.changed and set(again.requests) == {"GET"}
    finally:
        delete_objects(api, [crd])


@pytest.mark.controlplane
def test_key_removed_inside_an_atomic_list_is_applied(controlplane):
    """LimitRange limits are an atomic list: removing `default` from it must not pass for converged."""
    ns = "atomic-" + uuid.uuid4().hex[:6]
    api = connect_with_kubernetes({"kubeconfig": controlplane.kubeconfig})
    limits = {"type": "Container", "default": {"cpu": "1"}, "defaultRequest": {"cpu": "500m"}}
    objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
            {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "lr", "namespace": ns},
             "spec": {"limits": [limits]}}]
    try:
        assert apply_objects(api, objs).changed
        assert not apply_objects(api, objs).changed
        del limits["default"]
        first = apply_objects(api, objs)
        assert [o["action"] for o in first.objects] == ["unchanged", "updated"]
        live = first.live[("v1", "LimitRange", ns, "lr")]
        assert "default" not in live["spec"]["limits"][0]
        assert not apply_objects(api, objs).changed
    finally:
        apply_objects(api, [], absent=[objs[0]])


class _RecordingTransport(object):
    """Wraps a real transport and records, for each GET, its label selector and how many items came back."""

    def __init__(self, inner):
        self.inner = inner
        self.lists = []

    def request(self, method, path, query, headers, body, timeout):
        status, raw, answer_headers = self.inner.request(method, path, query, headers, body, timeout)
        if method == "GET":
            self.lists.append(((query or {}).get("labelSelector"), len(json.loads(raw).get("items") or [])))
        return status, raw, answer_headers

    def close(self):
        self.inner.close()


@pytest.mark.controlplane
def test_reads_are_narrowed_to_the_objects_of_the_call(controlplane, api):
    """Two groups of managed namespaces: a no-op run on one group LISTs only that group, and
    pruning within a group (prune labels name the group) never sees the other one."""
    rid = uuid.uuid4().hex[:6]
    group = dict((g, ["t4-nar-%s-%s%d" % (rid, g, i) for i in range(3)]) for g in "ab")

    def objects(names):
        out = []
        for name in names:
            labels = {"t4-narrow": rid, "t4-member": name}
            out += [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}},
                    {"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": "cm", "namespace": name, "labels": labels}, "data": {"k": name}}]
        return out

    prune = dict(kinds=[("v1", "ConfigMap")], labels={"t4-member": group["a"]})
    try:
        assert apply_objects(api, objects(group["a"] + group["b"])).changed
        recorder = _RecordingTransport(api.transport)
        again = apply_objects(Rest(recorder), objects(group["a"]), prune=prune)
        assert not again.changed and set(again.requests) == {"GET"}
        assert sorted(recorder.lists) == [
            ("app.kubernetes.io/managed-by=aizone.platform,t4-member in (%s)" % ",".join(group["a"]), 3)] * 2
        # dropping a group member's config map from the desired list prunes it, and only it
        gone = apply_objects(api, [o for o in objects(group["a"]) if o["metadata"].get("namespace") != group["a"][0]
                                   or o["kind"] != "ConfigMap"], prune=prune)
        assert [(o["kind"], o["namespace"], o["action"]) for o in gone.objects if o["action"] != "unchanged"] == [
            ("ConfigMap", group["a"][0], "deleted")]
    finally:
        delete_objects(api, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}}
                             for n in group["a"] + group["b"]])
