"""site.yml on a zone of its own, as an operator runs it: foundation, then the whole site in check mode, for real,
and again; the Ray and Dask pods the real operators make; MLflow on its claim; the operators' and PostgreSQL's life
with the zone; teardown.

The zone is its own, not the test zone: this test runs in the half of make test without a control plane, which
was the shorter half by about 190 s."""

import json
import os
from decimal import Decimal
import subprocess
import sys

import pytest

from harness.ansible import ROOT, run_playbook
from harness.site import Site

pytestmark = pytest.mark.slow

ZONE = "aizone-site"


@pytest.fixture
def site(tmp_path):
    """An inventory like inventories/local for the zone aizone-site, its kubeconfig under tmp_path."""
    zone = Site(tmp_path, ZONE)
    yield zone.run, zone.kubeconfig
    zone.delete()


def _layer(result, role="distributed_compute"):
    """{task name: result} of the tasks of a role."""
    return dict((t["task"], t["result"]) for t in result.tasks if t["task"].startswith("aizone.platform.%s :" % role)
                or t["task"] in ("Converge the add-ons (operators and their CRDs)",))


def _assert_foundation_predicted(predicted, done):
    """Every foundation task's changed as predicted, and the pools' node counts (the nodes did not exist)."""
    for name, res in done.items():
        if not res.get("skipped") and not name.endswith("Validating arguments against arg spec 'main'"):
            assert predicted[name]["changed"] == res["changed"], name
    pools = [n for n in done if "Converge the node pools" in n][0]

    def counts(res):
        return sorted((p["name"], p["node_pool"]["node_count"], p["node_pool"]["ready_node_count"])
                      for p in res["node_pools"])
    assert counts(predicted[pools]) == counts(done[pools]) and counts(done[pools])[0][1] > 0


def _objects(res):
    """(kind, namespace, name, action) of a module result, loops included."""
    items = res.get("results", [res])
    return sorted((o["kind"], o["namespace"] or "", o["name"], o["action"]) for r in items for o in r.get("objects", []))


_SHOWBACK = {}


def _dec(value):
    return Decimal(str(value))


def _assert_showback(kubeconfig):
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "showback", "aizone.platform.cost_info": {"provider": "local", "zone": ZONE, "kubeconfig": kubeconfig,
                                                           "dest": os.path.join(os.path.dirname(kubeconfig), "s.csv"),
                                                           "format": "csv"}}]}]
    res = run_playbook(plays, os.path.dirname(kubeconfig))
    assert res.rc == 0, res.output[-3000:]
    found = res.task("showback")
    nodes = [_dec(n["monthly"]) for n in found["nodes"]]
    assert sum(_dec(t["monthly"]) for t in found["tenants"]) + sum(_dec(p["idle_monthly"]) for p in found["pools"]) \
        == sum(nodes) == _dec(found["total"]["monthly"])
    pools = dict((p["name"], p) for p in found["pools"])
    assert {"a100-shared", "a100-mig", "h100", "cpu"} <= set(pools)
    # p4d, 3 time-slicing replicas, 6 agent pods of 1 GPU (2 CPU, 8Gi): 6/24 of the GPU part (21.958 - 96 x 0.037 -
    # 1152 x 0.00275 = 15.238) plus 12/96 of the CPU part and 48/1152 of the memory part
    agentic = dict((t["name"], t) for t in found["tenants"])["agentic"]
    # (to the micro-dollar each pod is rounded to: the node's price is apportioned exactly over its pods)
    assert abs(_dec(agentic["hourly"]) - (Decimal("15.238") * 6 / 24 + Decimal("3.552") * 12 / 96 +
                                          Decimal("3.168") * 48 / 1152)) <= Decimal("0.00001")
    # inference: llm-serving, one pod (no KEDA operator scales it locally) of one 3g.40gb slice (4 CPU, 32Gi) on the
    # p4de, all-3g.40gb: 3/7 of a GPU by compute slices; and vision-triton, 2 pods of one time-sliced A100 (2 CPU, 8Gi)
    # on the p4d: 1/24 of its GPU part each, like the agents
    inference = dict((t["name"], t) for t in found["tenants"])["inference"]
    gpu = (Decimal("27.447") - Decimal("3.552") - Decimal("3.168")) / 8
    expected = gpu * 3 / 7 + Decimal("3.552") * 4 / 96 + Decimal("3.168") * 32 / 1152
    expected += Decimal("15.238") * 2 / 24 + Decimal("3.552") * 4 / 96 + Decimal("3.168") * 16 / 1152
    assert abs(_dec(inference["hourly"]) - expected) <= Decimal("0.00001")
    assert open(os.path.join(os.path.dirname(kubeconfig), "s.csv")).readline().startswith("level,name,namespace")
    _SHOWBACK["nodes"] = [str(n) for n in nodes]


def test_site_check_mode_predicts_the_run_which_then_converges_and_the_operators_make_pods(site):
    from kubernetes import client, config
    run, kubeconfig = site
    # an empty zone: its control plane and nothing in it; check mode predicts the whole site on it
    empty = run_playbook([{"hosts": "localhost", "gather_facts": False, "tasks": [{"aizone.platform.zone": {
        "provider": "local", "name": ZONE, "kubeconfig_dest": kubeconfig}}]}], os.path.dirname(kubeconfig))
    assert empty.rc == 0, empty.output[-4000:]

    check = run("site.yml", check=True, diff=True)
    assert check.rc == 0, check.output[-4000:]
    real = run("site.yml")
    assert real.rc == 0, real.output[-4000:]
    _assert_foundation_predicted(_layer(check, "foundation"), _layer(real, "foundation"))
    predicted, done = _layer(check), _layer(real)
    predicted.update(_layer(check, "mlops"))
    done.update(_layer(real, "mlops"))
    names = [n for n in done if not n.endswith("Validating arguments against arg spec 'main'")]
    for name in names:
        if done[name].get("skipped"):
            assert predicted[name].get("skipped"), name
            continue
        assert _objects(predicted[name]) == _objects(done[name]), name
        assert predicted[name]["changed"] == done[name]["changed"], name
    addons = [t for n, t in done.items() if n.endswith("Converge the add-ons (operators and their CRDs)")][0]
    assert [(a["name"], a["action"], a["process"]["healthy"]) for a in addons["addons"]] == [
        ("kuberay", "created", True), ("dask", "created", True)]
    predicted_addons = [t for n, t in predicted.items() if n.endswith("Converge the add-ons (operators and their CRDs)")]
    assert [a["action"] for a in predicted_addons[0]["addons"]] == ["created", "created"]

    again = run("site.yml")
    assert again.rc == 0 and again.changed == [], (again.changed, again.output[-3000:])

    api = config.new_client_from_config(config_file=kubeconfig)
    core = client.CoreV1Api(api)
    pool = dict((n.metadata.name, n.metadata.labels["aizone.io/node-pool"]) for n in core.list_node().items)

    def placed(ns, selector):
        return sorted((pool[p.spec.node_name], p.status.phase)
                      for p in core.list_namespaced_pod(ns, label_selector=selector).items)
    assert placed("training", "ray.io/cluster=training-ray,ray.io/node-type=head") == [("cpu", "Running")]
    assert placed("training", "ray.io/cluster=training-ray,ray.io/node-type=worker") == [("h100", "Running")] * 2
    assert core.read_namespaced_service("training-ray-head-svc", "training")
    assert placed("mlops", "dask.org/cluster-name=data-processing,dask.org/component=scheduler") == [("cpu", "Running")]
    assert placed("mlops", "dask.org/cluster-name=data-processing,dask.org/component=worker") == [("cpu", "Running")] * 3
    assert client.AppsV1Api(api).read_namespaced_deployment("data-processing-scheduler", "mlops")
    assert core.read_namespaced_service("data-processing-scheduler", "mlops")

    # the MLOps layer: MLflow migrated and Running on the cpu pool, its artifacts claim Bound to a static volume,
    # the databases' Secrets written from the zone's own PostgreSQL
    mlflow = core.list_namespaced_pod("mlops", label_selector="app.kubernetes.io/name=mlflow").items
    assert sorted((p.metadata.labels["app.kubernetes.io/component"], p.status.phase, pool[p.spec.node_name])
                  for p in mlflow) == [("migration", "Succeeded", "cpu"), ("tracking-server", "Running", "cpu")]
    claim = core.read_namespaced_persistent_volume_claim("mlflow-artifacts", "mlops")
    assert claim.status.phase == "Bound" and claim.spec.volume_name.startswith(ZONE + "-standard-")
    assert sorted(s.metadata.name for s in core.list_namespaced_secret("mlops", label_selector="aizone.io/database")
                  .items) == ["data-integration-postgres", "mlflow-auth-postgres", "mlflow-postgres", "pipeline-postgres"]

    # serving: vLLM on a 3g.40gb slice of the MIG pool, scaled by KEDA on its own queue; Triton on the time-sliced pool
    assert placed("inference", "aizone.io/workload=llm-serving") == [("a100-mig", "Running")]
    assert placed("inference", "aizone.io/workload=vision-triton") == [("a100-shared", "Running")] * 2
    scaled = client.CustomObjectsApi(api).get_namespaced_custom_object("keda.sh", "v1alpha1", "inference",
                                                                       "scaledobjects", "llm-serving")
    assert scaled["spec"]["triggers"][0]["metadata"]["query"] == \
        'sum(vllm:num_requests_waiting{model_name="llama-3.1-8b-instruct",namespace="inference"})'

    # cost: the showback of what is placed reconciles with the node prices to the cent, the time-sliced and MIG
    # pools included, and matches the hand-computed shares; the run wrote the Infracost-shaped estimate
    _assert_showback(kubeconfig)
    report = json.loads(open(os.path.join(os.path.dirname(kubeconfig), "cost.json")).read())
    assert Decimal(report["totalMonthlyCost"]) == sum(Decimal(s) for s in _SHOWBACK["nodes"])

    # the operators and the PostgreSQL stop and start with the zone, and go with it
    from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane
    plane = LocalControlPlane(ZONE)
    pids = [plane.processes.status(n)["pid"] for n in ("kuberay", "dask", "postgresql")]
    localzone = [sys.executable, os.path.join(ROOT, "hack", "localzone.py")]
    subprocess.run(localzone + ["down", ZONE], check=True, capture_output=True)
    assert [plane.processes.status(n)["running"] for n in ("kuberay", "dask", "postgresql")] == [False] * 3
    subprocess.run(localzone + ["up", ZONE], check=True, capture_output=True)
    assert [plane.processes.status(n)["healthy"] for n in ("kuberay", "dask", "postgresql")] == [True] * 3
    data = plane.postgres.root
    gone = run("teardown.yml", extravars={"confirm_teardown": "yes"})
    assert gone.rc == 0, gone.output[-4000:]
    for pid in pids + [plane.processes.status(n)["pid"] for n in ("kuberay", "dask") if plane.processes.status(n)]:
        assert not os.path.exists("/proc/%d" % pid) or open("/proc/%d/stat" % pid).read().split()[2] == "Z"
    assert not plane.exists() and not os.path.exists(data)
