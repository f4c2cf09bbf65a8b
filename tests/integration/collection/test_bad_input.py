"""A corpus of mistakes (data/bad_input.yml, 150+ cases across every module, written from the docs) run against the
test zone in one playbook, every request of the collection through a pass-through proxy that records them: each case
must be refused with a message naming the option, and no case may write. Prints the counts."""

import os
import re

import pytest
import yaml

from harness.ansible import run_playbook
from harness.faultproxy import FaultProxy

pytestmark = pytest.mark.controlplane

CORPUS = os.path.join(os.path.dirname(__file__), "data", "bad_input.yml")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
PROVIDER_MODULES = ("zone", "zone_info", "node_pool", "node_pools", "node_pool_info", "addon", "addon_info",
                    "storage_classes", "platform_database_server", "cost_info", "backup_location", "backup_schedule",
                    "backup_info", "restore")
NO_CONNECTION = ("cost_compare",)


@pytest.fixture
def pools(controlplane):
    """{cpu_pool, gpu_pool, mig_pool} of KWOK nodes, and an existing namespace {ns}."""
    from kubernetes import client
    from harness.kwok_pool import delete_nodes, make_pool
    core = client.CoreV1Api(controlplane.api_client())
    cpu = make_pool(core, "bi-cpu", count=1, resources={})
    for name in cpu[1]:     # CPU nodes: no GPU model, no GPU count
        core.patch_node(name, {"metadata": {"labels": {"aizone.io/gpu-model": None, "nvidia.com/gpu.count": None,
                                                       "aizone.io/node-pool-type": "cpu-optimized"}}})
    gpu = make_pool(core, "bi-gpu", count=1, gpus=2)
    mig = make_pool(core, "bi-mig", count=1, resources={"nvidia.com/mig-3g.40gb": "2", "nvidia.com/gpu": "0"},
                    labels={"nvidia.com/mig.strategy": "mixed"})
    ns = "bi-" + cpu[0].rsplit("-", 1)[1]
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    yield {"cpu_pool": cpu[0], "gpu_pool": gpu[0], "mig_pool": mig[0], "ns": ns, "zone": controlplane.name}
    core.delete_namespace(ns)
    delete_nodes(core, cpu[1] + gpu[1] + mig[1])
    # what a case wrongly accepted would have made (the test fails then): gone, so the next run starts clean
    for gone in (lambda: core.delete_namespace("bi-t1"), lambda: core.delete_namespaced_config_map(
            "aizone-node-pool-bi-p1", "kube-system"), lambda: core.delete_collection_node(
            label_selector="aizone.io/node-pool=bi-p1")):
        try:
            gone()
        except client.exceptions.ApiException:
            pass


def _cases(places):
    text = open(CORPUS).read()
    for key, value in places.items():
        text = text.replace("{%s}" % key, value)
    return [(module, case) for module, cases in yaml.safe_load(text).items() for case in cases]


def _task(index, module, case, kubeconfig, proxy_url, zone):
    args = dict(case["args"])
    if module in PROVIDER_MODULES:
        args.setdefault("provider", "local")
        if module not in ("zone", "zone_info"):
            args.setdefault("zone", zone)
        args.setdefault("endpoint_url", proxy_url)
    elif module not in NO_CONNECTION:
        args.setdefault("kubeconfig", kubeconfig)
    return {"name": "case %d %s: %s" % (index, module, case["field"]), "aizone.platform." + module: args,
            "ignore_errors": True}


def _classify(task, writes, field):
    result = task["result"]
    if writes:
        return "writes made"
    if not task["failed"]:
        return "accepted"
    return "refused clearly" if field in (result.get("msg") or "") else "refused unclearly"


def test_every_mistake_is_refused_naming_the_option_before_any_write(controlplane, pools, tmp_path):
    from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane, zone_names
    cases = _cases(pools)
    assert len(cases) >= 150
    zones_before = zone_names()
    with FaultProxy.for_zone(LocalControlPlane(controlplane.name).cluster_dir, rate=0.0, seed=0) as proxy:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(re.sub(r"server: \S+", "server: " + proxy.url, open(controlplane.kubeconfig).read()))
        tasks = [_task(i, module, case, str(kubeconfig), proxy.url, pools["zone"]) for i, (module, case) in enumerate(cases)]
        result = run_playbook([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}], tmp_path)
    assert result.rc == 0, result.output[-3000:]
    assert len(result.tasks) == len(cases), result.output[-3000:]
    outcome, counts = {}, {"refused clearly": 0, "refused unclearly": 0, "accepted": 0, "writes made": 0}
    for task, (module, case) in zip(result.tasks, cases):
        start, end = task["window"]
        writes = [r for r in proxy.log if start - 0.05 <= r[0] <= end + 0.05 and r[1] in WRITES]
        kind = _classify(task, writes, case["field"])
        counts[kind] += 1
        if kind != "refused clearly":
            outcome[task["task"]] = (kind, (task["result"].get("msg") or "")[:300], [r[1:3] for r in writes][:3])
    print("\nbad input: %d cases: %s" % (len(cases), ", ".join("%s %d" % kv for kv in counts.items())))
    slow = sorted(((t["duration"] or 0), t["task"]) for t in result.tasks)[-8:]
    print("slowest cases: %s" % slow)
    for name in sorted(outcome):
        print("  %s: %s" % (name, outcome[name]))
    named = set(str(c["args"].get(k)) for m, c in cases for k in ("name", "zone") if m in PROVIDER_MODULES)
    assert not (set(zone_names()) - set(zones_before)) & named, "a case created a zone"
    assert outcome == {}, outcome
