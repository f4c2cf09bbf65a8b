"""The local control plane is the real thing: API server, controllers, scheduler, KWOK nodes."""

import json
import os
import signal
import time
import uuid

import pytest

from harness.ansible import ROOT

pytestmark = pytest.mark.controlplane

VERSIONS = os.path.join(ROOT, "hack", "controlplane", "versions.env")


def pinned(name):
    with open(VERSIONS) as f:
        for line in f:
            if line.startswith(name + "="):
                return line.strip().split("=", 1)[1]
    raise KeyError(name)


def test_apiserver_reports_pinned_version(controlplane):
    from kubernetes import client
    info = client.VersionApi(controlplane.api_client()).get_code()
    assert info.git_version == pinned("KUBE_VERSION")
    assert controlplane.cp.version() == pinned("KUBE_VERSION")


def test_deployment_pods_are_scheduled_on_a_kwok_node_and_run(controlplane):
    from kubernetes import client
    api = controlplane.api_client()
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    suffix = uuid.uuid4().hex[:6]
    node = "cp-test-node-" + suffix
    ns = "cp-test-" + suffix
    core.create_node(client.V1Node(
        metadata=client.V1ObjectMeta(name=node, annotations={"kwok.x-k8s.io/node": "fake"},
                                     labels={"type": "kwok", "cp-test": suffix}),
        spec=client.V1NodeSpec(taints=[client.V1Taint(key="kwok.x-k8s.io/node", value="fake", effect="NoSchedule")]),
        status=client.V1NodeStatus(capacity={"cpu": "8", "memory": "32Gi", "pods": "110"},
                                   allocatable={"cpu": "8", "memory": "32Gi", "pods": "110"})))
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    try:
        labels = {"app": "cp-test"}
        apps.create_namespaced_deployment(ns, client.V1Deployment(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1DeploymentSpec(
                replicas=3, selector=client.V1LabelSelector(match_labels=labels),
                template=client.V1PodTemplateSpec(
                    metadata=client.V1ObjectMeta(labels=labels),
                    spec=client.V1PodSpec(
                        node_selector={"cp-test": suffix},
                        tolerations=[client.V1Toleration(key="kwok.x-k8s.io/node", operator="Exists",
                                                         effect="NoSchedule")],
                        containers=[client.V1Container(name="web", image="nginx")])))))
        deadline = time.monotonic() + 60
        pods = []
        while time.monotonic() < deadline:
            pods = core.list_namespaced_pod(ns, label_selector="app=cp-test").items
            if len(pods) == 3 and all(p.status.phase == "Running" for p in pods):
                break
            time.sleep(0.5)
        assert len(pods) == 3, "the ReplicaSet controller did not create 3 pods"
        assert {p.spec.node_name for p in pods} == {node}, "the scheduler did not bind the pods to the KWOK node"
        assert all(p.status.phase == "Running" for p in pods), [p.status.phase for p in pods]
        rs = apps.list_namespaced_replica_set(ns).items
        assert len(rs) == 1 and rs[0].metadata.owner_references[0].name == "web"
    finally:
        core.delete_namespace(ns)
        core.delete_node(node)


def test_start_reuses_a_running_control_plane(controlplane):
    assert controlplane.cp.running()
    assert controlplane.cp.start() is False


def test_written_kubeconfig_is_private_and_self_contained(controlplane, tmp_path):
    dest = tmp_path / "sub" / "kubeconfig"
    assert controlplane.cp.write_kubeconfig(str(dest)) is True
    assert (os.stat(dest).st_mode & 0o777) == 0o600
    config = json.loads(dest.read_text())      # JSON: the modules read it without PyYAML
    assert config["users"][0]["user"]["client-key-data"]
    assert config["clusters"][0]["cluster"]["server"] == controlplane.server
    assert controlplane.cp.write_kubeconfig(str(dest)) is False
    os.chmod(dest, 0o644)
    assert controlplane.cp.write_kubeconfig(str(dest)) is True
    assert (os.stat(dest).st_mode & 0o777) == 0o600


def _mode(path):
    return oct(os.stat(str(path)).st_mode & 0o777)


def _kill_component_then_repair(cp):
    """A zone whose KWOK controller died is degraded (not running, not stopped), says which component and why,
    within seconds; start() repairs it."""
    with open(os.path.join(cp.cluster_dir, "pids", "kwok-controller.pid")) as handle:
        os.kill(int(handle.read()), signal.SIGKILL)
    time.sleep(0.5)
    started = time.monotonic()
    state, detail = cp.health()
    assert state == "degraded" and detail.startswith("kwok-controller: not running"), detail
    assert time.monotonic() - started < 5 and not cp.running()
    assert cp.start() is True and cp.health() == ("running", None)


def test_lifecycle_create_stop_start_delete(controlplane, tmp_path, monkeypatch):
    """...with the zone's keys and kubeconfig private, and the user's ~/.kube/config never written (kwokctl's
    default adds the zone there and makes it the current context)."""
    from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    cp = LocalControlPlane("aizone-lifecycle", bin_dir=controlplane.bin_dir, workdir=str(tmp_path / "kwok"))
    try:
        assert not cp.exists()
        assert cp.start() is True and cp.running()
        keys = sorted((tmp_path / "kwok" / "clusters" / "aizone-lifecycle" / "pki").glob("*.key"))
        assert [k.name for k in keys] == ["admin.key", "ca.key"] and set(_mode(k) for k in keys) == {"0o600"}
        assert _mode(cp.kubeconfig_path) == "0o600"
        assert _mode(cp.cluster_dir) == _mode(tmp_path / "kwok") == "0o700"
        assert cp.stop() is True and not cp.running()
        assert cp.stop() is False
        assert cp.start() is True and cp.running(), "a stopped control plane starts again"
        assert cp.start() is False
        _kill_component_then_repair(cp)
    finally:
        assert cp.delete() is True
    assert not cp.exists() and cp.delete() is False
    assert not (tmp_path / "home" / ".kube" / "config").exists()


def test_two_zones_created_at_once_both_start(controlplane, tmp_path, monkeypatch):
    """kwokctl picks free ports when it creates a zone: two creates at the same moment picked the same ones (one
    then hung 240 s). Starts take turns machine-wide, so both zones come up healthy."""
    import threading
    from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    planes = [LocalControlPlane("aizone-twin", bin_dir=controlplane.bin_dir, workdir=str(tmp_path / w))
              for w in ("a", "b")]
    errors = []

    def start(plane):
        try:
            plane.start()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    try:
        threads = [threading.Thread(target=start, args=(p,)) for p in planes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [] and [p.health() for p in planes] == [("running", None)] * 2
        assert planes[0].server() != planes[1].server()
    finally:
        for plane in planes:
            plane.delete()
