"""site.yml on a zone of its own, as an operator runs it: foundation, then the whole site in check mode, for real,
and again; the Ray and Dask pods the real operators make; MLflow on its claim; the operators' and PostgreSQL's life
with the zone; teardown."""

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from harness.ansible import ROOT, run_playbook

pytestmark = [pytest.mark.controlplane, pytest.mark.slow]

ZONE = "aizone-site"


@pytest.fixture
def site(controlplane, tmp_path):
    """An inventory like inventories/local for the zone aizone-site, its kubeconfig under tmp_path."""
    inventory = tmp_path / "inventory"
    shutil.copytree(os.path.join(ROOT, "inventories", "local"), str(inventory))
    hosts = inventory / "hosts.yml"
    hosts.write_text(hosts.read_text().replace("aizone-local:", ZONE + ":"))
    host_vars = yaml.safe_load((inventory / "host_vars" / "aizone-local.yml").read_text())
    host_vars["aizone_zone"]["name"] = ZONE
    (inventory / "host_vars" / "aizone-local.yml").unlink()
    (inventory / "host_vars" / (ZONE + ".yml")).write_text(yaml.safe_dump(host_vars, sort_keys=False))
    env = {"AIZONE_DEMO_KUBECONFIG": str(tmp_path / "kubeconfig")}

    def run(playbook, **kw):
        return run_playbook(os.path.join(ROOT, "playbooks", playbook), tmp_path, inventory=str(inventory), env=env, **kw)
    yield run, str(tmp_path / "kubeconfig")
    subprocess.run([sys.executable, os.path.join(ROOT, "hack", "localzone.py"), "delete", ZONE], check=False,
                   capture_output=True)


def _layer(result, role="distributed_compute"):
    """{task name: result} of the tasks of a role."""
    return dict((t["task"], t["result"]) for t in result.tasks if t["task"].startswith("aizone.platform.%s :" % role)
                or t["task"] in ("Converge the add-ons (operators and their CRDs)",))


def _objects(res):
    """(kind, namespace, name, action) of a module result, loops included."""
    items = res.get("results", [res])
    return sorted((o["kind"], o["namespace"] or "", o["name"], o["action"]) for r in items for o in r.get("objects", []))


def test_site_check_mode_predicts_the_run_which_then_converges_and_the_operators_make_pods(site):
    from kubernetes import client, config
    run, kubeconfig = site
    found = run("site.yml", args=("--tags", "foundation"))
    assert found.rc == 0, found.output[-4000:]

    check = run("site.yml", check=True, diff=True)
    assert check.rc == 0, check.output[-4000:]
    real = run("site.yml")
    assert real.rc == 0, real.output[-4000:]
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
