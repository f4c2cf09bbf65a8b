"""The addon and addon_info modules on the test zone: upstream CRDs, real operators as processes, cloud rendering."""

import os
import subprocess
import sys
import uuid

import pytest

from harness.addons import addon_task, play, served_as_shipped, upstream_crds
from harness.kwok_pool import delete_nodes, make_pool

from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDONS, GPU_OPERATOR

pytestmark = pytest.mark.controlplane


def _crds(controlplane):
    from kubernetes import client
    api = controlplane.api_client()
    items = client.ApiextensionsV1Api(api).list_custom_resource_definition(label_selector="aizone.io/addon").items
    return dict((c.metadata.name, api.sanitize_for_serialization(c)) for c in items)


def test_crds_in_the_zone_are_the_pinned_packages_own(controlplane, zone_addons):
    live = _crds(controlplane)
    for name in ("kuberay", "dask"):
        shipped = upstream_crds(name)
        assert sorted(shipped) == sorted(k[2] for k in ADDONS[name]["kinds"])
        for crd_name, doc in shipped.items():
            assert served_as_shipped(live[crd_name], doc) == "", crd_name
            labels = live[crd_name]["metadata"]["labels"]
            assert labels["aizone.io/addon"] == name and labels["aizone.io/addon-version"] == ADDONS[name]["version"]
    report = dict((a["name"], a) for a in zone_addons["addons"])
    assert report["kuberay"]["controllers"] == "local" and report["kuberay"]["process"]["healthy"] is True


def _same_files(copied, source):
    names = sorted(os.listdir(copied))
    assert names, copied
    for name in names:
        with open(os.path.join(copied, name), "rb") as a, open(os.path.join(source, name), "rb") as b:
            assert a.read() == b.read(), (name, source)


def test_the_files_are_those_of_the_pinned_packages(zone_addons):
    from harness.addons import files_root
    root = files_root()

    def module_dir(path, version):
        out = subprocess.run(["go", "mod", "download", "-json", "%s@%s" % (path, version)], check=True,
                             capture_output=True, text=True).stdout
        return __import__("json").loads(out)["Dir"]
    kuberay = os.path.join(root, ADDONS["kuberay"]["files"], "crds")
    _same_files(kuberay, os.path.join(module_dir("github.com/ray-project/kuberay/ray-operator",
                                                 ADDONS["kuberay"]["version"]), "config", "crd", "bases"))
    gpu = os.path.join(root, GPU_OPERATOR["files"], "crds")
    _same_files(gpu, os.path.join(module_dir("github.com/NVIDIA/gpu-operator", GPU_OPERATOR["version"]),
                                  "config", "crd", "bases"))
    import dask_kubernetes
    chart = os.path.join(os.path.dirname(dask_kubernetes.__file__), "operator", "deployment", "helm",
                         "dask-kubernetes-operator", "crds")
    _same_files(os.path.join(root, ADDONS["dask"]["files"], "crds"), chart)


def test_second_converge_and_check_mode_write_nothing_and_keep_the_processes(controlplane, zone_addons, run_playbook):
    before = dict((a["name"], a["process"]["pid"]) for a in zone_addons["addons"])
    addons = [{"name": "kuberay"}, {"name": "dask"}]
    res = run_playbook(play(dict(addon_task(controlplane.name, addons, name="check"), check_mode=True),
                            addon_task(controlplane.name, addons, name="again"),
                            {"name": "info",
                             "aizone.platform.addon_info": {"zone": controlplane.name, "provider": "local"}}))
    assert res.rc == 0, res.output[-3000:]
    for task in ("check", "again"):
        out = res.task(task)
        assert out["changed"] is False, out["addons"]
        assert set(out["api_requests"]) == {"GET"}, out["api_requests"]
    info = dict((a["name"], a) for a in res.task("info")["addons"])
    for name, pid in before.items():
        assert info[name]["process"]["pid"] == pid and info[name]["process"]["healthy"] is True
        assert info[name]["installed_version"] == [ADDONS[name]["version"]] == [info[name]["pinned_version"]]
        assert os.path.isfile(info[name]["process"]["log"])


def test_bad_input_fails_before_any_request(controlplane, run_playbook):
    # a zone that does not exist: any request (to the provider or the API server) would fail saying so
    res = run_playbook(play(addon_task("no-such-zone", [{"name": "kuberay", "remove_crds": True}], name="bad")))
    out = res.task("bad")
    assert out["failed"] and "addons[0].remove_crds" in out["msg"] and "state=absent" in out["msg"], out
    assert "does not exist" not in out["msg"]
    res = run_playbook(play(addon_task("no-such-zone", [{"name": "vault"}], name="unknown")))
    msg = res.task("unknown")["msg"]
    assert "addons" in msg and "dask, keda, kuberay, velero" in msg, msg


def test_cloud_rendering_runs_upstreams_deployment_and_rbac_and_removes_them(controlplane, zone_addons, run_playbook):
    """controllers=cluster is what EKS, AKS and GKE zones get; on KWOK its pod is Running but runs nothing."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException
    api = controlplane.api_client()
    core, apps, rbac = client.CoreV1Api(api), client.AppsV1Api(api), client.RbacAuthorizationV1Api(api)
    pool, nodes, _taint = make_pool(core, "ad-cpu", count=1, gpus=0)
    ns = "kr-cloud-" + uuid.uuid4().hex[:5]
    addon = [{"name": "kuberay", "namespace": ns, "pool": pool}]
    try:
        res = run_playbook(play(addon_task(controlplane.name, addon, name="cloud", controllers="cluster"),
                                addon_task(controlplane.name, addon, name="cloud again", controllers="cluster")))
        assert res.rc == 0, res.output[-3000:]
        kinds = sorted((o["kind"], o["action"]) for o in res.task("cloud")["objects"] if o["action"] != "unchanged")
        assert kinds == [("ClusterRole", "created"), ("ClusterRoleBinding", "created"), ("Deployment", "created"),
                         ("Namespace", "created"), ("Role", "created"), ("RoleBinding", "created"),
                         ("ServiceAccount", "created")]
        assert res.task("cloud again")["changed"] is False
        deploy = apps.read_namespaced_deployment("kuberay-operator", ns)
        assert deploy.status.ready_replicas == 1
        assert deploy.spec.template.spec.containers[0].image == ADDONS["kuberay"]["cluster"]["image"]
        assert deploy.spec.template.spec.node_selector == {"aizone.io/node-pool": pool}
        role = rbac.read_cluster_role("kuberay-operator")
        assert any("rayclusters" in (r.resources or []) for r in role.rules)

        gone = run_playbook(play(addon_task(controlplane.name, [dict(addon[0], state="absent")], name="remove",
                                            controllers="cluster")))
        assert gone.rc == 0, gone.output[-3000:]
        assert {o["kind"] for o in gone.task("remove")["objects"] if o["action"] == "deleted"} >= {
            "Deployment", "ClusterRole", "ClusterRoleBinding"}
        with pytest.raises(ApiException):
            rbac.read_cluster_role("kuberay-operator")
        assert "rayclusters.ray.io" in _crds(controlplane)   # CRDs stay without remove_crds
        # the local zone's own operator process is not touched by the cluster rendering
        info = run_playbook(play({"name": "info", "aizone.platform.addon_info": {
            "zone": controlplane.name, "provider": "local", "names": ["kuberay"]}}))
        assert info.task("info")["addons"][0]["process"]["healthy"] is True
    finally:
        try:
            core.delete_namespace(ns)
        except ApiException:
            pass
        delete_nodes(core, nodes)


def test_check_mode_predicts_the_process_start_of_a_stopped_operator(controlplane, zone_addons, run_playbook):
    controlplane.cp.processes.stop("kuberay")
    try:
        res = run_playbook(play(dict(addon_task(controlplane.name, [{"name": "kuberay"}], name="check"),
                                     check_mode=True)))
        out = res.task("check")
        assert out["changed"] is True and out["addons"][0]["action"] == "updated", out
        assert not controlplane.cp.processes.status("kuberay")["running"]
    finally:
        res = run_playbook(play(addon_task(controlplane.name, [{"name": "kuberay"}], name="start")))
    assert res.task("start")["changed"] is True and controlplane.cp.processes.status("kuberay")["healthy"]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
