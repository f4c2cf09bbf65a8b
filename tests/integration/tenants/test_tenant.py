"""aizone.platform.tenant and tenant_info against the live control plane."""
import uuid

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects, delete_objects

TENANT_RESOURCES = ("namespaces", "resourcequotas", "limitranges", "rolebindings", "networkpolicies",
                    "priorityclasses")


def task(name, kubeconfig, module="aizone.platform.tenant", check=False, diff=False, **args):
    args["kubeconfig"] = kubeconfig
    out = {"name": name, module: args, "ignore_errors": True}
    if check:
        out["check_mode"] = True
    if diff:
        out["diff"] = True
    return out


def info(name, kubeconfig, names):
    return task(name, kubeconfig, "aizone.platform.tenant_info", names=names)


def play(*tasks):
    """One playbook for several steps: each ansible-playbook run costs seconds on a busy machine."""
    return [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}]


def ok(result, name):
    res = result.task(name)
    assert not res.get("failed"), (name, res.get("msg"), result.output[-2000:])
    return res


def tenant_writes(cp, before):
    """Applies and patches on tenant resources. The control plane is shared: other sessions'
    POSTs, and the namespace controller's DELETEs and PUTs while earlier tests' namespaces go,
    are not ours; a delete by the module would show as a `deleted` object in its result."""
    delta = cp.delta(before, cp.request_counts(), writes_only=True)
    return dict((k, v) for k, v in delta.items() if k[1] in TENANT_RESOURCES and k[0] in ("APPLY", "PATCH"))


@pytest.fixture
def run_id(controlplane):
    rid = uuid.uuid4().hex[:6]
    yield rid
    api = rest = controlplane.rest()
    names = [n["metadata"]["name"] for n in rest.list_all("/api/v1/namespaces", "t4-run=" + rid)]
    delete_objects(api, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in names])
    for name in names:   # unmanaged leftovers the module must not delete
        try:
            rest.request("DELETE", "/api/v1/namespaces/" + name)
        except ApiError:
            pass


def gpu_pod(name, gpus=1):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "cuda:12",
                                     "resources": {"limits": {"nvidia.com/gpu": str(gpus)}}}]}}


@pytest.mark.controlplane
def test_gpu_quota_is_enforced_and_second_run_writes_nothing(controlplane, run_playbook, run_id):
    kc = controlplane.kubeconfig
    name = "t4-gpu-" + run_id
    tenants = [{"name": name, "labels": {"t4-run": run_id}, "pod_security": "privileged",
                "quota": {"requests.nvidia.com/gpu": 4, "pods": 10},
                "limit_range": {"default": {"memory": "256Mi"}},
                "access": [{"role": "edit", "groups": ["ml-team"]}]}]
    first = ok(run_playbook(play(task("create", kc, tenants=tenants))), "create")
    assert first["changed"] and first["tenants"] == [{"name": name, "action": "created"}]
    assert sorted(o["kind"] for o in first["objects"]) == ["LimitRange", "Namespace", "NetworkPolicy",
                                                           "ResourceQuota", "RoleBinding"]

    rest = controlplane.rest()
    for i in range(4):
        rest.request("POST", "/api/v1/namespaces/%s/pods" % name, body=gpu_pod("gpu-%d" % i))
    with pytest.raises(ApiError) as err:
        rest.request("POST", "/api/v1/namespaces/%s/pods" % name, body=gpu_pod("gpu-4"))
    assert err.value.status == 403
    assert "exceeded quota: tenant-quota" in err.value.msg
    assert "requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=4, limited: requests.nvidia.com/gpu=4" \
        in err.value.msg

    before = controlplane.request_counts()
    result = run_playbook(play(task("again", kc, tenants=tenants), info("info", kc, [name])))
    assert tenant_writes(controlplane, before) == {}
    again = ok(result, "again")
    assert again["changed"] is False
    assert again["objects"] == [] and again["object_counts"]["unchanged"] == 5
    view = ok(result, "info")["tenants"]
    assert [t["name"] for t in view] == [name]
    assert view[0]["quotas"][0]["hard"]["requests.nvidia.com/gpu"] == "4"
    assert view[0]["pod_security"] == "privileged" and view[0]["network_isolation"] is True
    assert view[0]["access"][0]["role"] == "edit"


@pytest.mark.controlplane
def test_check_mode_predicts_exactly_and_diff_shows_the_change(controlplane, run_playbook, run_id):
    kc = controlplane.kubeconfig
    names = ["t4-chk-%s-%d" % (run_id, i) for i in range(2)]
    classes = [{"name": "t4-training", "value": 500, "description": "training tier"}]

    def tenants(gpus=(2, 2), roles=True):
        return [{"name": n, "labels": {"t4-run": run_id}, "quota": {"requests.nvidia.com/gpu": g, "requests.cpu": "8"},
                 "priority_class_quotas": {"t4-training": {"requests.nvidia.com/gpu": 1}},
                 "access": [{"role": "view", "users": ["ann"]}] if roles or i else []}
                for i, (n, g) in enumerate(zip(names, gpus))]

    result = run_playbook(play(
        task("check create", kc, check=True, diff=True, tenants=tenants(), priority_classes=classes),
        info("info after check", kc, names),
        task("create", kc, diff=True, tenants=tenants(), priority_classes=classes),
        task("check update", kc, check=True, diff=True, tenants=tenants((2, 6)), priority_classes=classes),
        info("info after check update", kc, names),
        task("update", kc, diff=True, tenants=tenants((2, 6)), priority_classes=classes),
        info("info after update", kc, names),
        task("drop a role", kc, tenants=tenants((2, 6), roles=False), priority_classes=classes),
    ))
    predicted, actual = ok(result, "check create"), ok(result, "create")
    assert ok(result, "info after check")["tenants"] == []           # check mode wrote nothing
    assert predicted["objects"] == actual["objects"]
    assert predicted["tenants"] == actual["tenants"] == [{"name": n, "action": "created"} for n in names]
    assert len([o for o in actual["objects"] if o["action"] == "created"]) >= 10
    # the class is cluster-wide: an earlier run may have left it (then it is unchanged, and not listed)
    assert len([o for o in actual["objects"] if o["kind"] == "PriorityClass"]) in (0, 1)

    checked, applied = ok(result, "check update"), ok(result, "update")
    assert checked["tenants"] == [{"name": names[0], "action": "unchanged"}, {"name": names[1], "action": "updated"}]
    [quota_diff] = checked["diff"]
    assert quota_diff["before_header"] == "ResourceQuota %s/tenant-quota" % names[1]
    assert quota_diff["before"]["spec"]["hard"]["requests.nvidia.com/gpu"] == "2"
    assert quota_diff["after"]["spec"]["hard"]["requests.nvidia.com/gpu"] == "6"
    assert applied["objects"] == checked["objects"] and applied["diff"] == checked["diff"]

    def gpus(step):
        return [t["quotas"][0]["hard"]["requests.nvidia.com/gpu"] for t in ok(result, step)["tenants"]
                if t["quotas"][0]["name"] == "tenant-quota"]
    assert gpus("info after check update") == ["2", "2"]
    assert gpus("info after update") == ["2", "6"]

    # a role dropped from the spec: its RoleBinding goes, nothing else changes
    dropped = ok(result, "drop a role")
    assert [(o["kind"], o["namespace"], o["action"]) for o in dropped["objects"]] == \
        [("RoleBinding", names[0], "deleted")]


@pytest.mark.controlplane
def test_prune_removes_only_managed_tenants(controlplane, run_playbook, run_id):
    kc = controlplane.kubeconfig
    api = rest = controlplane.rest()
    keep, drop = "t4-keep-" + run_id, "t4-drop-" + run_id
    labels = {"t4-run": run_id}
    tenants = [{"name": keep, "labels": labels}, {"name": drop, "labels": labels}]
    ok(run_playbook(play(task("create", kc, tenants=tenants))), "create")
    # look-alikes that must survive: a tenant-labelled namespace nobody manages, and a namespace
    # the collection manages that is not a tenant
    unmanaged, system = "t4-unmanaged-" + run_id, "t4-system-" + run_id
    rest.request("POST", "/api/v1/namespaces", body={"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": unmanaged, "labels": dict(labels, **{"aizone.io/tenant": "x"})}})
    apply_objects(api, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": system, "labels": labels}}])

    args = dict(tenants=[tenants[0]], prune=True, prune_selector=labels)
    result = run_playbook(play(
        task("check prune", kc, check=True, **args),
        task("prune", kc, **args),
        info("info after prune", kc, [keep, drop]),
        task("prune again", kc, **args),
        task("remove", kc, tenants=[tenants[0]], state="absent"),
    ))
    checked, pruned = ok(result, "check prune"), ok(result, "prune")
    assert checked["tenants"] == [{"name": keep, "action": "unchanged"}, {"name": drop, "action": "deleted"}]
    assert pruned["objects"] == checked["objects"]
    assert [t["name"] for t in ok(result, "info after prune")["tenants"]] == [keep]
    assert ok(result, "prune again")["changed"] is False
    assert ok(result, "remove")["tenants"] == [{"name": keep, "action": "deleted"}]
    left = sorted(n["metadata"]["name"] for n in rest.list_all("/api/v1/namespaces", "t4-run=" + run_id))
    assert left == sorted([system, unmanaged])


def test_bad_input_fails_before_any_api_call(run_playbook, tmp_path):
    missing = str(tmp_path / "no-kubeconfig")     # any API call would fail on this first
    result = run_playbook(play(
        task("gpu limits", missing, tenants=[{"name": "t", "quota": {"limits.nvidia.com/gpu": 4}}]),
        task("bad memory", missing, tenants=[{"name": "t", "quota": {"requests.memory": "16GB"}}]),
        task("no kubeconfig", missing, tenants=[{"name": "t"}]),
    ))
    res = result.task("gpu limits")
    assert res["failed"] and res["field"] == "tenants[0].quota.limits.nvidia.com/gpu"
    assert "never enforced by Kubernetes" in res["msg"] and "requests.nvidia.com/gpu" in res["msg"]
    res = result.task("bad memory")
    assert res["failed"] and res["field"] == "tenants[0].quota.requests.memory"
    res = result.task("no kubeconfig")
    assert res["failed"] and res["field"] == "kubeconfig"
