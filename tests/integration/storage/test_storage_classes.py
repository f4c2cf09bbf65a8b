"""storage_classes and tenant volume claims on the live local zone: the real PV controller and scheduler bind a
claim to one of the provider's static volumes when its first pod is placed, on a KWOK node."""

import uuid

import pytest

from harness.kwok_pool import delete_nodes, make_pool

pytestmark = pytest.mark.controlplane

ZONE = "aizone-test"


def classes_task(name, classes, check=False, **kw):
    args = dict(zone=ZONE, provider="local", classes=classes)
    args.update(kw)
    out = {"name": name, "aizone.platform.storage_classes": args, "ignore_errors": True}
    if check:
        out["check_mode"] = True
    return out


def made(result):
    return sorted((o["kind"], o["name"], o["action"]) for o in result["objects"])


def play(*tasks):
    return [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}]


@pytest.fixture
def names(controlplane):
    rid = uuid.uuid4().hex[:5]
    block, shared, tenant = "blk-%s" % rid, "shr-%s" % rid, "vol-%s" % rid
    yield block, shared, tenant
    rest = controlplane.rest()
    if rest.get_or_none("/api/v1/namespaces/%s" % tenant):
        rest.request("DELETE", "/api/v1/namespaces/%s" % tenant)
    for sc in (block, shared):
        if rest.get_or_none("/apis/storage.k8s.io/v1/storageclasses/%s" % sc):
            rest.request("DELETE", "/apis/storage.k8s.io/v1/storageclasses/%s" % sc)
    for pv in rest.list_all("/api/v1/persistentvolumes", "aizone.io/storage-class in (%s,%s)" % (block, shared)):
        rest.request("DELETE", "/api/v1/persistentvolumes/%s" % pv["metadata"]["name"])


def test_classes_volumes_and_a_claim_that_binds(controlplane, names, run_playbook):
    from kubernetes import client
    block, shared, tenant = names
    rest = controlplane.rest()
    classes = [{"name": block, "kind": "block", "volumes": {"count": 2, "size": "5Gi"}},
               {"name": shared, "kind": "shared", "volumes": {"count": 1, "size": "10Gi"}}]
    tenant_task = {"name": "tenant", "ignore_errors": True, "aizone.platform.tenant": {
        "kubeconfig": controlplane.kubeconfig,
        "tenants": [{"name": tenant, "volume_claims": [{"name": "data", "size": "2Gi", "storage_class": block},
                                                       {"name": "too-big", "size": "50Gi", "storage_class": block}]}]}}
    retained = [dict(classes[0], reclaim_policy="Retain"), dict(classes[1], volumes={"count": 0})]
    result = run_playbook(play(classes_task("check", classes, check=True), classes_task("run", classes),
                               classes_task("again", classes), tenant_task,
                               classes_task("check change", retained, check=True),
                               classes_task("change", retained)), diff=True)
    check, run, again = result.task("check"), result.task("run"), result.task("again")
    check_change, change = result.task("check change"), result.task("change")
    for res in (check, run, again, result.task("tenant"), check_change, change):
        assert not res.get("failed"), (res.get("msg"), result.output[-2000:])

    assert made(check) == made(run)
    assert made(run) == sorted([("StorageClass", block, "created"), ("StorageClass", shared, "created")] +
                               [("PersistentVolume", "%s-%s-%d" % (ZONE, block, i), "created") for i in (0, 1)] +
                               [("PersistentVolume", "%s-%s-0" % (ZONE, shared), "created")])
    assert not again["changed"] and set(again["api_requests"]) == {"GET"}
    sc = rest.get("/apis/storage.k8s.io/v1/storageclasses/%s" % block)
    assert sc["provisioner"] == "kubernetes.io/no-provisioner" and sc["volumeBindingMode"] == "WaitForFirstConsumer"
    pv = rest.get("/api/v1/persistentvolumes/%s-%s-0" % (ZONE, block))
    assert pv["spec"]["accessModes"] == ["ReadWriteOnce"] and pv["spec"]["capacity"]["storage"] == "5Gi"
    shared_pv = [d["after"] for d in run["diff"] if d["after_header"].endswith("%s-%s-0" % (ZONE, shared))][0]
    assert shared_pv["spec"]["accessModes"] == ["ReadWriteMany", "ReadWriteOnce"]

    # the claim waits for its first consumer, then the PV controller binds it to a 5Gi volume of its class
    core = client.CoreV1Api(controlplane.api_client())
    pool, nodes, unique = make_pool(core, "vol", count=1, gpus=0)
    try:
        assert rest.get("/api/v1/namespaces/%s/persistentvolumeclaims/data" % tenant)["status"]["phase"] == "Pending"
        for claim in ("data", "too-big"):
            pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "use-" + claim, "namespace": tenant},
                   "spec": {"nodeSelector": {"aizone.io/node-pool": pool},
                            "tolerations": [{"key": unique, "operator": "Exists", "effect": "NoSchedule"}],
                            "securityContext": {"runAsNonRoot": True, "runAsUser": 1000,
                                                "seccompProfile": {"type": "RuntimeDefault"}},
                            "containers": [{"name": "c", "image": "busybox", "volumeMounts": [
                                {"name": "d", "mountPath": "/data"}], "securityContext": {
                                    "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}],
                            "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": claim}}]}}
            rest.request("POST", "/api/v1/namespaces/%s/pods" % tenant, body=pod)
        from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for

        def bound():
            claim = rest.get("/api/v1/namespaces/%s/persistentvolumeclaims/data" % tenant)
            return claim["status"].get("phase") == "Bound", claim, claim["status"].get("phase")
        claim = wait_for(bound, 60, "claim data: wait for Bound", interval=0.5)
        assert claim["spec"]["volumeName"].startswith("%s-%s-" % (ZONE, block))
        assert claim["status"]["capacity"]["storage"] == "5Gi"

        def running():
            pod = rest.get("/api/v1/namespaces/%s/pods/use-data" % tenant)
            return pod["status"].get("phase") == "Running", pod, pod["status"].get("phase")
        running = wait_for(running, 60, "pod use-data: wait for Running")
        assert running["spec"]["nodeName"] == nodes[0]
        # no volume of the class is that large: the claim stays Pending, its pod unscheduled
        big = rest.get("/api/v1/namespaces/%s/persistentvolumeclaims/too-big" % tenant)
        assert big["status"]["phase"] == "Pending"
    finally:
        delete_nodes(core, nodes)

    # a reclaim policy cannot change in place: replaced; fewer volumes delete the unbound ones
    assert made(check_change) == made(change)
    assert ("StorageClass", block, "replaced") in made(change)
    assert ("PersistentVolume", "%s-%s-0" % (ZONE, shared), "deleted") in made(change)
    assert rest.get("/apis/storage.k8s.io/v1/storageclasses/%s" % block)["reclaimPolicy"] == "Retain"
