"""k8s/diff.is_converged: the check that lets a no-op run skip every write."""
import copy

from ansible_collections.aizone.platform.plugins.module_utils.k8s.diff import clean_for_diff, is_converged

M = "aizone.platform"


def live_of(obj, fields, manager=M, extra_managers=()):
    live = copy.deepcopy(obj)
    entries = [dict(manager=manager, operation="Apply", apiVersion=obj["apiVersion"], fieldsType="FieldsV1",
                    fieldsV1=fields)]
    entries += [dict(manager=m, operation="Update", fieldsV1={"f:status": {}}) for m in extra_managers]
    live["metadata"].update(managedFields=entries, resourceVersion="12", uid="u-1")
    return live


QUOTA = {"apiVersion": "v1", "kind": "ResourceQuota",
         "metadata": {"name": "q", "namespace": "t", "labels": {"app.kubernetes.io/managed-by": M}},
         "spec": {"hard": {"requests.nvidia.com/gpu": "4", "requests.memory": "1024Mi", "requests.cpu": "1000m"}}}
QUOTA_FIELDS = {"f:metadata": {"f:labels": {"f:app.kubernetes.io/managed-by": {}}},
                "f:spec": {"f:hard": {"f:requests.nvidia.com/gpu": {}, "f:requests.memory": {},
                                      "f:requests.cpu": {}}}}


def test_quota_stored_in_canonical_form_is_converged():
    live = live_of(QUOTA, QUOTA_FIELDS, extra_managers=["kube-controller-manager"])
    live["spec"]["hard"].update({"requests.memory": "1Gi", "requests.cpu": "1"})
    live["status"] = {"hard": live["spec"]["hard"], "used": {"requests.nvidia.com/gpu": "3"}}
    assert is_converged(QUOTA, live, M)


def test_changed_value_or_dropped_field_or_other_manager_is_not_converged():
    live = live_of(QUOTA, QUOTA_FIELDS)
    want = copy.deepcopy(QUOTA)
    want["spec"]["hard"]["requests.nvidia.com/gpu"] = "8"
    assert not is_converged(want, live, M)
    smaller = copy.deepcopy(QUOTA)
    del smaller["spec"]["hard"]["requests.cpu"]   # applying this releases (removes) requests.cpu
    assert not is_converged(smaller, live, M)
    bigger = copy.deepcopy(QUOTA)
    bigger["spec"]["hard"]["pods"] = "10"
    assert not is_converged(bigger, live, M)
    assert not is_converged(QUOTA, live_of(QUOTA, QUOTA_FIELDS, manager="kubectl"), M)
    edited = live_of(QUOTA, QUOTA_FIELDS)
    edited["spec"]["hard"]["requests.nvidia.com/gpu"] = "5"      # drift by someone else
    assert not is_converged(QUOTA, edited, M)


NETPOL = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
          "metadata": {"name": "n", "namespace": "t", "labels": {"app.kubernetes.io/managed-by": M}},
          "spec": {"podSelector": {}, "policyTypes": ["Ingress"],
                   "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 80}]}]}}
NETPOL_FIELDS = {"f:metadata": {"f:labels": {"f:app.kubernetes.io/managed-by": {}}},
                 "f:spec": {"f:ingress": {}, "f:podSelector": {}, "f:policyTypes": {}}}


def test_atomic_list_with_server_defaults_is_converged_but_a_changed_item_is_not():
    live = live_of(NETPOL, NETPOL_FIELDS)
    live["spec"]["ingress"][0]["ports"][0]["protocol"] = "TCP"   # defaulted by the server
    assert is_converged(NETPOL, live, M)
    want = copy.deepcopy(NETPOL)
    want["spec"]["ingress"][0]["ports"][0]["port"] = 443
    assert not is_converged(want, live, M)
    want = copy.deepcopy(NETPOL)
    want["spec"]["ingress"].append({"from": [{"namespaceSelector": {}}]})
    assert not is_converged(want, live, M)


DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment",
          "metadata": {"name": "d", "namespace": "t", "labels": {"app.kubernetes.io/managed-by": M}},
          "spec": {"replicas": 1, "template": {"spec": {"containers": [
              {"name": "c", "image": "x:1", "ports": [{"containerPort": 80}]}]}}}}
DEPLOY_FIELDS = {"f:metadata": {"f:labels": {"f:app.kubernetes.io/managed-by": {}}},
                 "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
                     'k:{"name":"c"}': {".": {}, "f:image": {}, "f:name": {}, "f:ports": {
                         'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}}}}}}}}


def test_keyed_lists_match_items_by_key_including_defaulted_key_fields():
    live = live_of(DEPLOY, DEPLOY_FIELDS)
    live["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] = "TCP"
    live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "IfNotPresent"
    assert is_converged(DEPLOY, live, M)
    want = copy.deepcopy(DEPLOY)
    want["spec"]["template"]["spec"]["containers"][0]["image"] = "x:2"
    assert not is_converged(want, live, M)
    want = copy.deepcopy(DEPLOY)
    want["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "y"})
    assert not is_converged(want, live, M)
    want = copy.deepcopy(DEPLOY)
    want["spec"]["template"]["spec"]["containers"][0]["name"] = "other"
    assert not is_converged(want, live, M)


def test_object_never_applied_by_us_is_not_converged():
    live = copy.deepcopy(QUOTA)
    assert not is_converged(QUOTA, live, M)


def test_clean_for_diff_drops_bookkeeping_and_status():
    live = live_of(QUOTA, QUOTA_FIELDS)
    live["status"] = {"used": {}}
    cleaned = clean_for_diff(live)
    assert "status" not in cleaned
    assert set(cleaned["metadata"]) == {"name", "namespace", "labels"}
    assert clean_for_diff(None) == {}
