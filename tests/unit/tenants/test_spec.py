import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.tenants.objects import (
    plan, summarize, tenant_objects)
from ansible_collections.aizone.platform.plugins.module_utils.tenants.spec import (
    DEFAULT_PRIORITY_CLASSES, validate_quota_key, validate_tenant, validate_priority_classes)

MANAGED = {"app.kubernetes.io/managed-by": "aizone.platform"}


def full_tenant():
    return dict(
        name="team-a", labels={"cost-center": "cv-42"}, annotations={"owner": "a@example.com"},
        pod_security="baseline",
        quota={"requests.nvidia.com/gpu": 4, "cpu": "64", "memory": "256Gi", "pods": 200,
               "persistentvolumeclaims": 10, "requests.storage": "1Ti",
               "requests.nvidia.com/mig-1g.10gb": 7, "fast.storageclass.storage.k8s.io/requests.storage": "100Gi",
               "count/deployments.apps": 5},
        priority_class_quotas={"training": {"requests.nvidia.com/gpu": 2}},
        limit_range={"default": {"cpu": "1", "memory": "2Gi"}, "default_request": {"cpu": "500m"},
                     "max": {"nvidia.com/gpu": 8}},
        access=[{"role": "admin", "groups": ["leads"]}, {"role": "edit", "groups": ["devs"], "users": ["ann"],
                                                         "service_accounts": ["ci", "tools/deployer"]}],
        allow_from_namespaces=["monitoring"],
    )


def by_kind(objects):
    out = {}
    for obj in objects:
        out.setdefault(obj["kind"], []).append(obj)
    return out


def test_a_full_tenant_builds_namespace_quotas_limits_bindings_and_isolation():
    objs = by_kind(tenant_objects(validate_tenant(0, full_tenant(), ["ingress-nginx"])))
    ns = objs["Namespace"][0]
    assert ns["metadata"]["name"] == "team-a"
    labels = ns["metadata"]["labels"]
    assert labels["cost-center"] == "cv-42" and labels["aizone.io/tenant"] == "team-a"
    assert labels["app.kubernetes.io/managed-by"] == "aizone.platform"
    assert [labels["pod-security.kubernetes.io/%s" % m] for m in ("enforce", "audit", "warn")] == ["baseline"] * 3
    quota, pc_quota = objs["ResourceQuota"]
    assert quota["metadata"]["namespace"] == "team-a"
    assert quota["spec"]["hard"]["requests.nvidia.com/gpu"] == "4" and quota["spec"]["hard"]["pods"] == "200"
    assert pc_quota["metadata"]["name"] == "tenant-quota-training"
    assert pc_quota["spec"]["scopeSelector"]["matchExpressions"] == [
        {"scopeName": "PriorityClass", "operator": "In", "values": ["training"]}]
    limits = objs["LimitRange"][0]["spec"]["limits"][0]
    assert limits == {"type": "Container", "default": {"cpu": "1", "memory": "2Gi"},
                      "defaultRequest": {"cpu": "500m"}, "max": {"nvidia.com/gpu": "8"}}
    bindings = dict((b["roleRef"]["name"], b) for b in objs["RoleBinding"])
    assert sorted(bindings) == ["admin", "edit"]
    assert bindings["edit"]["metadata"]["name"] == "tenant-edit"
    assert {"kind": "ServiceAccount", "name": "ci", "namespace": "team-a"} in bindings["edit"]["subjects"]
    assert {"kind": "ServiceAccount", "name": "deployer", "namespace": "tools"} in bindings["edit"]["subjects"]
    assert {"kind": "User", "name": "ann", "apiGroup": "rbac.authorization.k8s.io"} in bindings["edit"]["subjects"]
    netpol = objs["NetworkPolicy"][0]["spec"]
    assert netpol["podSelector"] == {} and netpol["policyTypes"] == ["Ingress"]
    assert netpol["ingress"][0] == {"from": [{"podSelector": {}}]}
    allowed = netpol["ingress"][1]["from"][0]["namespaceSelector"]["matchExpressions"][0]["values"]
    assert allowed == ["ingress-nginx", "monitoring"]
    for obj in tenant_objects(validate_tenant(0, full_tenant())):
        assert obj["metadata"]["labels"]["aizone.io/tenant"] == "team-a"


def test_minimal_tenant_is_restricted_and_isolated_without_quota_objects():
    kinds = [o["kind"] for o in tenant_objects(validate_tenant(0, {"name": "t"}))]
    assert kinds == ["Namespace", "NetworkPolicy"]
    ns = tenant_objects(validate_tenant(0, {"name": "t"}))[0]
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    kinds = [o["kind"] for o in tenant_objects(validate_tenant(0, {"name": "t", "network_isolation": False}))]
    assert kinds == ["Namespace"]


def test_limits_on_gpus_are_rejected_with_the_reason():
    tenant = {"name": "t", "quota": {"limits.nvidia.com/gpu": 4}}
    with pytest.raises(ValidationError) as err:
        validate_tenant(3, tenant)
    assert err.value.field == "tenants[3].quota.limits.nvidia.com/gpu"
    assert "never enforced by Kubernetes" in err.value.msg
    assert "requests.nvidia.com/gpu" in err.value.msg


@pytest.mark.parametrize("key, fragment", [
    ("nvidia.com/gpu", "requests.nvidia.com/gpu"),
    ("gpus", "not a ResourceQuota resource"),
    ("limits.nvidia.com/mig-1g.10gb", "never enforced"),
    ("requests.gpu", "not a ResourceQuota resource"),
])
def test_bad_quota_keys_name_the_fix(key, fragment):
    with pytest.raises(ValidationError, match=fragment.replace(".", r"\.")):
        validate_quota_key("quota." + key, key)


@pytest.mark.parametrize("key", ["cpu", "limits.cpu", "requests.nvidia.com/gpu", "requests.nvidia.com/gpu.shared",
                                 "requests.nvidia.com/mig-3g.40gb", "count/jobs.batch", "hugepages-2Mi",
                                 "gold.storageclass.storage.k8s.io/persistentvolumeclaims", "services.nodeports"])
def test_quota_keys_kubernetes_enforces_are_accepted(key):
    validate_quota_key("quota." + key, key)


@pytest.mark.parametrize("tenant, field, fragment", [
    ({"name": "Team_A"}, "tenants[0].name", "DNS-1123"),
    ({"name": "x" * 64}, "tenants[0].name", "DNS-1123"),
    ({"name": "t", "quota": {"memory": "16GB"}}, "tenants[0].quota.memory", "quantity"),
    ({"name": "t", "quota": {"cpu": "-1"}}, "tenants[0].quota.cpu", "negative"),
    ({"name": "t", "pod_security": "strict"}, "tenants[0].pod_security", "restricted"),
    ({"name": "t", "priority_class_quotas": {"training": {"requests.nvidia.com/gpu": "x"}}},
     "tenants[0].priority_class_quotas.training.requests.nvidia.com/gpu", "quantity"),
    ({"name": "t", "limit_range": {"defaults": {"cpu": 1}}}, "tenants[0].limit_range.defaults", "allowed"),
    ({"name": "t", "limit_range": {"default": {"cpu": "500m"}, "default_request": {"cpu": "1"}}},
     "tenants[0].limit_range.default_request.cpu", "above default.cpu"),
    ({"name": "t", "limit_range": {"default": {"gpu": 1}}}, "tenants[0].limit_range.default.gpu", "container resource"),
    ({"name": "t", "access": [{"role": "owner", "groups": ["g"]}]}, "tenants[0].access[0].role", "admin, edit, view"),
    ({"name": "t", "access": [{"role": "view"}]}, "tenants[0].access[0]", "at least one"),
    ({"name": "t", "labels": {"aizone.io/tenant": "x"}}, "tenants[0].labels.aizone.io/tenant", "set by the module"),
    ({"name": "t", "labels": {"ok": "not ok!"}}, "tenants[0].labels.ok", "label value"),
    ({"name": "t", "allow_from_namespaces": ["Bad"]}, "tenants[0].allow_from_namespaces[0]", "DNS-1123"),
])
def test_bad_input_names_the_field(tenant, field, fragment):
    with pytest.raises(ValidationError) as err:
        validate_tenant(0, tenant)
    assert err.value.field == field
    assert fragment in err.value.msg


def test_priority_classes_take_the_platform_tiers_and_reject_bad_values():
    classes = validate_priority_classes([dict(name=n, value=v) for n, v in DEFAULT_PRIORITY_CLASSES])
    assert [(c["name"], c["value"]) for c in classes] == [
        ("production-inference", 1000), ("critical-agents", 900), ("training", 500), ("research", 100),
        ("development", 50)]
    with pytest.raises(ValidationError, match="priority_classes\\[0\\].value"):
        validate_priority_classes([dict(name="x", value=2000000000)])
    with pytest.raises(ValidationError, match="reserved"):
        validate_priority_classes([dict(name="system-x", value=1)])
    with pytest.raises(ValidationError, match="at most one"):
        validate_priority_classes([dict(name="a", value=1, global_default=True),
                                   dict(name="b", value=2, global_default=True)])


def test_plan_prunes_only_managed_tenants_and_stale_objects_of_listed_ones():
    desired, absent, prune = plan([{"name": "a"}, {"name": "b"}], prune=True, prune_selector={"zone": "z1"},
                                  priority_classes=[{"name": "training", "value": 500}])
    assert absent == []
    assert desired[0]["kind"] == "PriorityClass"
    kinds = dict((tuple(p["kinds"][0]), p["labels"]) for p in prune)
    assert kinds[("scheduling.k8s.io/v1", "PriorityClass")] == {"app.kubernetes.io/component": "priority-class"}
    assert kinds[("v1", "ResourceQuota")] == {"aizone.io/tenant": ["a", "b"]}
    assert kinds[("v1", "Namespace")] == {"zone": "z1", "aizone.io/tenant": None}
    desired, absent, prune = plan([{"name": "a"}], state="absent")
    assert desired == [] and prune == []
    assert absent == [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}]
    _d, _a, prune = plan([{"name": "a"}])
    assert [p["kinds"][0] for p in prune] == [("v1", "ResourceQuota")]
    with pytest.raises(ValidationError, match="tenants\\[1\\].name: a is listed twice"):
        plan([{"name": "a"}, {"name": "a"}])
    with pytest.raises(ValidationError, match="prune"):
        plan([{"name": "a"}], state="absent", prune=True)


def test_summary_gives_one_action_per_tenant():
    objects = [
        dict(kind="PriorityClass", namespace=None, name="training", action="created"),
        dict(kind="Namespace", namespace=None, name="a", action="unchanged"),
        dict(kind="ResourceQuota", namespace="a", name="tenant-quota", action="updated"),
        dict(kind="Namespace", namespace=None, name="b", action="created"),
        dict(kind="ResourceQuota", namespace="b", name="tenant-quota", action="created"),
        dict(kind="Namespace", namespace=None, name="c", action="unchanged"),
        dict(kind="RoleBinding", namespace="d", name="tenant-view", action="deleted"),
        dict(kind="Namespace", namespace=None, name="d", action="deleted"),
    ]
    assert summarize(objects) == [dict(name="a", action="updated"), dict(name="b", action="created"),
                                  dict(name="c", action="unchanged"), dict(name="d", action="deleted")]
