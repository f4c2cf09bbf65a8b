"""The collection as AWX runs it: ansible-runner on a private data dir laid out like AWX's, extra vars from the
answers to a survey generated from the role's argument specs, environment from a credential type's injectors.

One local zone of its own (aizone-awx), made by the foundation job; the test zone stands for the cluster an AWX
pod would reach on its own (ambient KUBECONFIG and in-cluster variables), which no module may touch.
"""

import os
import subprocess
import sys

import pytest
import yaml

from harness.ansible import COLLECTIONS, ROOT
from harness.awx import check_answers, injected_env, output, private_data_dir, run, stats_artifacts

from ansible_collections.aizone.platform.plugins.filter.survey_spec import survey_spec

pytestmark = pytest.mark.controlplane

ZONE = "aizone-awx"
FOUNDATION = "- ansible.builtin.import_playbook: aizone.platform.foundation\n"


def _survey(roles=("foundation",)):
    """The survey of a job template running these roles: their surveys' questions, one spec."""
    spec = []
    for role in roles:
        defaults = yaml.safe_load(open(os.path.join(ROOT, "roles", role, "defaults", "main.yml")))
        specs = yaml.safe_load(open(os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml")))
        spec += survey_spec(specs, "main", role, defaulted=list(defaults))["spec"]
    return {"name": "job", "description": "", "spec": spec}


def _answers(kubeconfig, tenants="- {name: awx-team, quota: {requests.cpu: '4', pods: '10'}}\n"):
    return {"foundation_zone_yaml": "name: %s\nprovider: local\n" % ZONE, "foundation_kubeconfig": kubeconfig,
            "foundation_node_pools_yaml": "- {name: cpu, type: cpu-optimized, instance_type: c5.xlarge,\n"
                                          "   autoscaling: {enabled: true, min: 1, max: 2, desired: 1}}\n",
            "foundation_tenants_yaml": tenants, "foundation_prune_tenants": "false"}


INVENTORY = {"all": {"hosts": {ZONE: {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                                      "aizone_zone": {"name": ZONE, "provider": "local"}}}}}
LAYERS = {"distributed_compute": "- ansible.builtin.import_playbook: aizone.platform.distributed_compute\n",
          "mlops": "- ansible.builtin.import_playbook: aizone.platform.mlops\n",
          "site": "- ansible.builtin.import_playbook: aizone.platform.site\n"}


def _layer_answers(kubeconfig):
    """The distributed compute and MLOps surveys' answers: no add-on, one workload on the cpu pool."""
    workload = "- {name: api, namespace: awx-team, image: 'ghcr.io/example/api:1', pool: cpu,\n" \
               "   resources: {cpu: 100m, memory: 128Mi}}\n"
    return {"distributed_compute_kubeconfig": kubeconfig, "distributed_compute_addons_yaml": "[]",
            "distributed_compute_workloads_yaml": workload, "mlops_kubeconfig": kubeconfig}


def _env(extra=None):
    env = {"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS, "AIZONE_CONTROLPLANE_BIN": os.environ["AIZONE_CONTROLPLANE_BIN"],
           "AIZONE_ADDONS_DIR": os.environ.get("AIZONE_ADDONS_DIR", ""), "ANSIBLE_NOCOLOR": "1",
           "PYTHONPYCACHEPREFIX": os.path.join(ROOT, ".build", "pycache"),
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    env.update(extra or {})
    return env


@pytest.fixture(scope="module")
def awx(tmp_path_factory):
    root = tmp_path_factory.mktemp("awx")
    yield root
    subprocess.run([sys.executable, os.path.join(ROOT, "hack", "localzone.py"), "delete", ZONE], check=False,
                   capture_output=True)


def _job(root, name, answers, playbook=FOUNDATION, env=None, check=False, roles=("foundation",)):
    survey = _survey(roles)
    assert check_answers(survey, answers) == []
    return run(private_data_dir(str(root / name), playbook, INVENTORY, answers, _env(env), check=check), name)


def _changed(runner):
    return sum((runner.stats or {}).get("changed", {}).values())


def test_a_survey_converges_a_zone_through_ansible_runner_then_changes_nothing(awx, controlplane):
    from kubernetes import client, config
    kubeconfig = str(awx / "aizone-awx.kubeconfig")
    first = _job(awx, "first", _answers(kubeconfig))
    assert first.status == "successful", output(first)[-4000:]
    assert _changed(first) > 0
    handed = stats_artifacts(first)["aizone_foundation"][ZONE]
    assert handed["zone"] == ZONE and handed["node_pools"] == ["cpu"] and handed["tenants"] == ["awx-team"]
    assert handed["kubeconfig"] == kubeconfig and oct(os.stat(kubeconfig).st_mode & 0o777) == "0o600"

    second = _job(awx, "second", _answers(kubeconfig))
    assert second.status == "successful" and _changed(second) == 0, output(second)[-3000:]

    more = "- {name: awx-team, quota: {requests.cpu: '4', pods: '10'}}\n- {name: awx-other}\n"
    check = _job(awx, "check", _answers(kubeconfig, tenants=more), check=True)
    assert check.status == "successful" and _changed(check) > 0, output(check)[-3000:]
    core = client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
    names = [n.metadata.name for n in core.list_namespace().items]
    assert "awx-team" in names and "awx-other" not in names      # the Check job wrote nothing

    bad = _job(awx, "bad", dict(_answers(kubeconfig), foundation_tenants_yaml="{name: not-a-list}\n"))
    assert bad.status == "failed"
    assert "Validation of arguments failed" in output(bad) and "foundation_tenants" in output(bad)

    # the other layers' playbooks, then site.yml with every survey's answers: converged, so nothing changes
    answers = _layer_answers(kubeconfig)
    compute = _job(awx, "compute", answers, LAYERS["distributed_compute"], roles=("distributed_compute", "mlops"))
    assert compute.status == "successful" and _changed(compute) > 0, output(compute)[-3000:]
    assert stats_artifacts(compute)["aizone_distributed_compute"][ZONE]["workloads"] == ["api"]
    mlops = _job(awx, "mlops", answers, LAYERS["mlops"], roles=("distributed_compute", "mlops"))
    assert mlops.status == "successful" and stats_artifacts(mlops)["aizone_mlops"][ZONE] == \
        {"mlflow": [], "inference_services": {}}, output(mlops)[-3000:]
    site = _job(awx, "site", dict(_answers(kubeconfig), **answers), LAYERS["site"],
                roles=("foundation", "distributed_compute", "mlops"))
    assert site.status == "successful" and _changed(site) == 0, output(site)[-3000:]
    assert set(stats_artifacts(site)) == {"aizone_foundation", "aizone_distributed_compute", "aizone_mlops"}


def test_injected_kubeconfig_wins_over_the_pods_own_cluster(awx, controlplane):
    """kubernetes.core#1098: with KUBECONFIG and the in-cluster variables pointing at another cluster (the test
    zone), modules given no kubeconfig option act on the zone of the credential, and on nothing else."""
    kubeconfig = str(awx / "aizone-awx.kubeconfig")
    if not os.path.exists(kubeconfig):
        pytest.skip("needs the zone of the survey test")
    kind = yaml.safe_load(open(os.path.join(ROOT, "awx", "credential_types", "zone_kubeconfig.yml")))
    injected = injected_env(kind, {"kubeconfig": open(kubeconfig).read()}, str(awx))
    host, port = controlplane.server.split("//")[1].rsplit(":", 1)
    ambient = {"KUBECONFIG": controlplane.kubeconfig, "KUBERNETES_SERVICE_HOST": host, "KUBERNETES_SERVICE_PORT": port}
    play = yaml.safe_dump([{"hosts": "all", "gather_facts": False, "tasks": [
        {"name": "tenant", "aizone.platform.tenant": {"tenants": [{"name": "awx-injected"}]}},
        {"name": "workload", "aizone.platform.workload": {"wait_timeout": 60, "workloads": [
            {"name": "api", "namespace": "awx-injected", "image": "ghcr.io/example/api:1", "pool": "cpu",
             "resources": {"cpu": "100m", "memory": "128Mi"}}]}},
        {"name": "tenants", "aizone.platform.tenant_info": {}},
        {"name": "workloads", "aizone.platform.workload_info": {}},
        {"name": "serving", "aizone.platform.inference_service_info": {}},
        {"name": "sharing", "aizone.platform.gpu_sharing_info": {}}]}])
    from kubernetes import client, config
    from conftest import ControlPlane
    from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane
    injected_zone = ControlPlane(LocalControlPlane(ZONE))
    test_zone = client.CoreV1Api(controlplane.api_client())
    before, before_injected = controlplane.request_counts(), injected_zone.request_counts()
    job = run(private_data_dir(str(awx / "injected"), play, INVENTORY, {}, _env(dict(ambient, **injected))),
              "injected")
    assert job.status == "successful", output(job)[-3000:]
    touched = controlplane.delta(before, controlplane.request_counts())
    reached = injected_zone.delta(before_injected, injected_zone.request_counts(), writes_only=True)
    assert reached.get(("APPLY", "namespaces")) and reached.get(("APPLY", "deployments")), reached
    mine = client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
    assert mine.read_namespace("awx-injected")
    assert "awx-injected" not in [n.metadata.name for n in test_zone.list_namespace().items]
    ours = dict((k, v) for k, v in touched.items() if k[1] in ("namespaces", "resourcequotas", "limitranges",
                                                               "rolebindings", "networkpolicies", "priorityclasses",
                                                               "deployments")
                and k[0] in ("APPLY", "PATCH", "POST"))   # writes: the controllers' own re-lists are noise
    assert ours == {}, "the test zone was reached: %s" % ours


def test_teardown_runs_through_ansible_runner_only_when_confirmed(awx):
    kubeconfig = str(awx / "aizone-awx.kubeconfig")
    if not os.path.exists(kubeconfig):
        pytest.skip("needs the zone of the survey test")
    teardown = "- ansible.builtin.import_playbook: aizone.platform.teardown\n"
    refused = run(private_data_dir(str(awx / "refused"), teardown, INVENTORY, {"aizone_kubeconfig": kubeconfig},
                                   _env()), "refused")
    assert refused.status == "failed" and "confirm_teardown=yes" in output(refused)
    from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane
    assert LocalControlPlane(ZONE).exists()
    gone = run(private_data_dir(str(awx / "teardown"), teardown, INVENTORY,
                                {"aizone_kubeconfig": kubeconfig, "confirm_teardown": "yes"}, _env()), "teardown")
    assert gone.status == "successful", output(gone)[-3000:]
    assert not LocalControlPlane(ZONE).exists()
