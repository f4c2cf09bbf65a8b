"""Add-on input validation and the objects of an add-on, without a server."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.addons import objects
from ansible_collections.aizone.platform.plugins.module_utils.addons.spec import bind_identities, choose_controllers, validate_addons
from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDONS
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError


@pytest.mark.parametrize("addons, field, says", [
    ([{"name": "vault"}], "addons[0].name", "dask, keda, kuberay, velero"),
    ([{"name": "kuberay", "state": "gone"}], "addons[0].state", "present, absent"),
    ([{"name": "kuberay", "remove_crds": True}], "addons[0].remove_crds", "state=absent"),
    ([{"name": "kuberay"}, {"name": "kuberay"}], "addons[1].name", "addons[0]"),
    ([{"name": "dask", "namespace": "Not_A_Label"}], "addons[0].namespace", ""),
    ("kuberay", "addons", "list"),
])
def test_bad_input_names_the_option_path_and_allowed_values(addons, field, says):
    with pytest.raises(ValidationError) as err:
        validate_addons(addons)
    assert err.value.field == field and says in str(err.value)


def test_defaults_come_from_the_catalog():
    spec, = validate_addons([{"name": "kuberay"}])
    assert (spec["namespace"], spec["version"], spec["state"]) == ("kuberay-system", ADDONS["kuberay"]["version"],
                                                                   "present")


class _Provider(object):
    def __init__(self, name, controllers):
        self.name, self.addon_controllers = name, controllers


def test_controllers_auto_is_the_providers_first_choice_and_others_are_refused():
    local, cloud = _Provider("local", ("local", "cluster")), _Provider("eks", ("cluster",))
    assert choose_controllers("auto", local) == "local" and choose_controllers("cluster", local) == "cluster"
    assert choose_controllers(None, cloud) == "cluster"
    with pytest.raises(ValidationError) as err:
        choose_controllers("local", cloud)
    assert err.value.field == "controllers" and "auto, cluster" in str(err.value)


CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": "rayclusters.ray.io", "annotations": {"controller-gen.kubebuilder.io/version": "v0.16"}},
       "spec": {"group": "ray.io"}}
ROLE = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "kuberay-operator"},
        "rules": [{"apiGroups": ["ray.io"], "resources": ["rayclusters"], "verbs": ["get"]}]}
LEASE = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": {"name": "kuberay-operator-leader-election"}, "rules": []}
DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "kuberay-operator", "namespace": "system"},
          "spec": {"template": {"spec": {"containers": [{"name": "kuberay-operator", "image": "kuberay/operator"}]}}}}


def test_crds_keep_upstream_content_and_only_gain_labels():
    crd, = objects.crd_objects("kuberay", "v1.5.0", [CRD])
    assert crd["spec"] == CRD["spec"] and crd["metadata"]["annotations"] == CRD["metadata"]["annotations"]
    assert crd["metadata"]["labels"] == {"aizone.io/addon": "kuberay", "aizone.io/addon-version": "v1.5.0"}
    assert "labels" not in CRD["metadata"]   # the upstream document is not changed


def test_cloud_operator_is_upstreams_deployment_with_the_pinned_image_and_placement():
    spec, = validate_addons([{"name": "kuberay", "namespace": "ray-ops"}])
    placement = ({"aizone.io/node-pool": "cpu"}, [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}])
    made = objects.cluster_objects(ADDONS["kuberay"], spec, {"clusterrole": ROLE, "leader_election_role": LEASE,
                                                             "deployment": DEPLOY}, placement, True)
    kinds = [(o["kind"], o["metadata"]["name"], o["metadata"].get("namespace")) for o in made]
    assert kinds == [("Namespace", "ray-ops", None), ("ServiceAccount", "kuberay-operator", "ray-ops"),
                     ("ClusterRole", "kuberay-operator", None), ("ClusterRoleBinding", "kuberay-operator", None),
                     ("Role", "kuberay-operator-leader-election", "ray-ops"),
                     ("RoleBinding", "kuberay-operator-leader-election", "ray-ops"),
                     ("Deployment", "kuberay-operator", "ray-ops")]
    deploy = made[-1]
    pod = deploy["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == ADDONS["kuberay"]["cluster"]["image"]
    assert pod["nodeSelector"] == {"aizone.io/node-pool": "cpu"} and pod["tolerations"] == placement[1]
    assert made[3]["subjects"] == [{"kind": "ServiceAccount", "name": "kuberay-operator", "namespace": "ray-ops"}]
    refs = objects.cluster_refs(ADDONS["kuberay"], spec, {"clusterrole": ROLE, "leader_election_role": LEASE})
    assert sorted(r["kind"] for r in refs) == sorted(k[0] for k in kinds[1:])


def test_dask_operator_deployment_follows_its_chart():
    spec, = validate_addons([{"name": "dask"}])
    made = objects.cluster_objects(ADDONS["dask"], spec, {"clusterrole": dict(ROLE, metadata={"name": "dko"})},
                                   None, False)
    assert [o["kind"] for o in made] == ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment"]
    container = made[-1]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == ADDONS["dask"]["cluster"]["image"] and "--all-namespaces" in container["args"]


def test_velero_in_the_zone_is_what_velero_install_renders():
    spec, = validate_addons([{"name": "velero", "pool": "cpu"}])
    made = objects.cluster_objects(ADDONS["velero"], spec, {}, ({"aizone.io/node-pool": "cpu"}, []), True)
    assert [o["kind"] for o in made] == ["Namespace", "ServiceAccount", "ClusterRoleBinding", "Deployment"]
    binding = made[2]
    assert binding["roleRef"]["name"] == "cluster-admin"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "velero", "namespace": "velero"}]
    pod = made[-1]["spec"]["template"]["spec"]
    server = pod["containers"][0]
    assert server["image"] == "velero/velero:v1.18.3" and server["command"] == ["/velero"]
    assert server["args"][0] == "server" and {"name": "LD_LIBRARY_PATH", "value": "/plugins"} in server["env"]
    assert pod["initContainers"] == [{"name": "velero-plugin-for-aws", "image": "velero/velero-plugin-for-aws:v1.14.3",
                                      "imagePullPolicy": "IfNotPresent",
                                      "volumeMounts": [{"name": "plugins", "mountPath": "/target"}]}]
    assert sorted(v["name"] for v in pod["volumes"]) == ["plugins", "scratch"]
    assert pod["nodeSelector"] == {"aizone.io/node-pool": "cpu"}
    refs = objects.cluster_refs(ADDONS["velero"], spec, {})
    assert [(r["kind"], r["metadata"]["name"]) for r in refs] == [
        ("ServiceAccount", "velero"), ("Deployment", "velero"), ("ClusterRoleBinding", "velero")]


def test_velero_on_the_local_zone_records_its_deployment_at_zero_replicas():
    spec, = validate_addons([{"name": "velero"}])
    record = objects.local_record(ADDONS["velero"], spec)
    assert record["spec"]["replicas"] == 0 and record["metadata"]["name"] == "velero"
    assert record["spec"]["template"]["spec"]["containers"][0]["image"] == "velero/velero:v1.18.3"


IDENTITIES = {"eks": "arn:aws:iam::111122223333:role/aizone-prod-velero",
              "aks": "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
              "gke": "velero-sa@aizone-prod-1.iam.gserviceaccount.com"}


def _provider(name):
    from ansible_collections.aizone.platform.plugins.module_utils.providers import get_provider
    return get_provider(name, {"region": "us-east-1"})


@pytest.mark.parametrize("provider, annotation, pod_labels", [
    ("eks", "eks.amazonaws.com/role-arn", {}),
    ("aks", "azure.workload.identity/client-id", {"azure.workload.identity/use": "true"}),
    ("gke", "iam.gke.io/gcp-service-account", {}),
])
def test_an_identity_annotates_the_service_account_and_labels_the_pod(provider, annotation, pod_labels):
    specs = bind_identities(validate_addons([{"name": "velero", "identity": IDENTITIES[provider]}]), _provider(provider))
    made = objects.cluster_objects(ADDONS["velero"], specs[0], {}, None, False)
    account, deploy = made[0], made[-1]
    assert account["kind"] == "ServiceAccount" and account["metadata"]["annotations"] == {annotation: IDENTITIES[provider]}
    labels = deploy["spec"]["template"]["metadata"]["labels"]
    assert dict(labels, **pod_labels) == labels and set(deploy["spec"]["selector"]["matchLabels"].items()) <= set(labels.items())
    plain = objects.cluster_objects(ADDONS["velero"], validate_addons([{"name": "velero"}])[0], {}, None, False)
    assert "annotations" not in plain[0]["metadata"]


@pytest.mark.parametrize("provider, identity, says", [
    ("eks", IDENTITIES["aks"], "IAM role ARN"),
    ("eks", "arn:aws:iam::1234:role/short-account", "IAM role ARN"),
    ("aks", IDENTITIES["eks"], "client ID"),
    ("gke", "velero@gmail.com", "service account email"),
    ("local", IDENTITIES["eks"], "no workload identity"),
])
def test_an_identity_not_of_the_providers_form_is_refused_before_any_request(provider, identity, says):
    with pytest.raises(ValidationError) as err:
        bind_identities(validate_addons([{"name": "kuberay"}, {"name": "velero", "identity": identity}]),
                        _provider(provider))
    assert err.value.field == "addons[1].identity" and says in str(err.value), str(err.value)
