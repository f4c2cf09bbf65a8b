"""The aizone.platform.zones inventory plugin through ansible-inventory, as AWX runs an inventory source: zones
made on moto (EKS), the AKS and GKE doubles and the local test zone, credentials from the environment as the
collection's AWX credential types inject them, keyed groups, and a cached second run that makes no API call."""

import json
import os
import subprocess

import pytest
import yaml

from doubles.latency import Latencies
from harness.ansible import BIN, ROOT, ansible_env
from harness.awx import injected_env
from harness.cloud_doubles import provider_params
from harness.timed_clouds import CLOUDS, start, zone_spec

from ansible_collections.aizone.platform.plugins.module_utils.providers import get_provider
from ansible_collections.aizone.platform.plugins.module_utils.zones import pools, reconcile
from ansible_collections.aizone.platform.plugins.module_utils.zones.spec import node_pools_desired, zone_desired

pytestmark = pytest.mark.controlplane

REGION = "ap-southeast-2"
CREDENTIALS = {   # credential type file: the inputs an AWX user would enter for the doubles
    "eks": ("eks.yml", {"access_key_id": "testing", "secret_access_key": "testing", "region": REGION}),
    "aks": ("aks.yml", {"subscription_id": "00000000-0000-4000-8000-00000000be0c", "resource_group": "aizone-bench",
                        "access_token": "aks-bench-token"}),
    "gke": ("gke.yml", {"project": "aizone-bench", "access_token": "gke-bench-token", "region": "us-central1"}),
}
POOLS = {"eks": "c5.4xlarge", "aks": "Standard_F16s_v2", "gke": "c2-standard-16"}


@pytest.fixture(scope="module")
def clouds(request):
    moto = request.getfixturevalue("moto_endpoint")
    started = dict((c, start(c, Latencies.flat(0), moto if c == "eks" else None, region=REGION)) for c in CLOUDS)
    yield started
    for cloud in started.values():
        cloud.stop()
    from harness.providers.eks import delete_region_clusters
    delete_region_clusters(moto, REGION, prefix="inv-")


def _zone(cloud, tags):
    provider = get_provider(cloud.name, provider_params(**cloud.params))
    name = "inv-" + cloud.name
    spec = dict(zone_spec(cloud.name, name), tags=tags)
    reconcile.reconcile_zone(provider, zone_desired(dict(provider_params(**cloud.params), **spec)), wait_timeout=60)
    desired = [{"name": "cpu", "instance_type": POOLS[cloud.name],
                "autoscaling": {"enabled": True, "min": 1, "max": 3, "desired": 2}},
               {"name": "h100", "gpu": {"model": "H100-80GB", "count": 8},
                "autoscaling": {"enabled": True, "min": 0, "max": 2, "desired": 1}}]
    pools.reconcile_node_pools(provider, name, node_pools_desired(desired, cloud.name), wait_timeout=60)
    return name


def _plain(value):
    """ansible-inventory --list as data: ansible-core 2.19 writes strings an inventory plugin set (never templated:
    they come from an API) as {"__ansible_unsafe": text}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((k, _plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _calls(clouds, controlplane):
    local = sum(v for (verb, res), v in controlplane.request_counts().items()
                if verb in ("LIST", "GET") and res in ("configmaps", "nodes"))
    return {"eks": len(clouds["eks"].double.calls), "aks": len(clouds["aks"].double.calls),
            "gke": len(clouds["gke"].double.calls), "local": local}


def _inventory(tmp_path, clouds, env):
    entries = [{"provider": "eks", "region": REGION, "endpoint_url": clouds["eks"].params["endpoint_url"]},
               {"provider": "aks", "endpoint_url": clouds["aks"].params["endpoint_url"],
                "ca_bundle": clouds["aks"].params["ca_bundle"]},
               {"provider": "gke", "region": "us-central1", "endpoint_url": clouds["gke"].params["endpoint_url"]},
               {"provider": "local"}]
    path = tmp_path / "zones.aizone_zones.yml"
    path.write_text(yaml.safe_dump({
        "plugin": "aizone.platform.zones", "providers": entries,
        "keyed_groups": [{"key": "aizone_provider", "prefix": "provider"},
                         {"key": "aizone_tags.environment | default('untagged')", "prefix": "env"}],
        "groups": {"gpu": "aizone_gpus > 0"}, "compose": {"zone_name": "aizone_zone.name"},
        "cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"),
        "cache_timeout": 3600}))

    def run(*args):
        done = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(path)] + list(args),
                              capture_output=True, text=True, env=env, check=False, timeout=300)
        assert done.returncode == 0 and "Failed to parse" not in done.stderr, done.stderr[-3000:]
        return done.stdout
    return run


def test_zones_of_every_provider_are_hosts_with_keyed_groups_and_a_cached_run_calls_nothing(
        clouds, controlplane, tmp_path):
    names = dict((c, _zone(clouds[c], {"environment": "prod" if c == "eks" else "dev"})) for c in CLOUDS)
    env = ansible_env()
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AZURE_ACCESS_TOKEN"):
        env.pop(key, None)                # only what the credential types inject
    for cloud, (kind_file, inputs) in CREDENTIALS.items():
        kind = yaml.safe_load(open(os.path.join(ROOT, "awx", "credential_types", kind_file)))
        env.update(injected_env(kind, inputs, str(tmp_path)))
    env.pop("AIZONE_ENDPOINT_URL", None)  # one per provider entry: the three doubles differ
    run = _inventory(tmp_path, clouds, env)

    before = _calls(clouds, controlplane)
    graph = run("--graph")
    first = _calls(clouds, controlplane)
    listing = _plain(json.loads(run("--list")))
    cached = _calls(clouds, controlplane)
    run("--graph")
    again = _calls(clouds, controlplane)

    for cloud, name in names.items():
        assert name in listing["provider_%s" % cloud]["hosts"], graph
    assert controlplane.name in listing["provider_local"]["hosts"]
    assert listing["env_prod"]["hosts"] == [names["eks"]]
    assert set(listing["env_dev"]["hosts"]) == {names["aks"], names["gke"]}
    assert set(names.values()) <= set(listing["gpu"]["hosts"])
    eks = listing["_meta"]["hostvars"][names["eks"]]
    assert eks["aizone_zone"] == {"name": names["eks"], "provider": "eks", "region": REGION}
    assert eks["zone_name"] == names["eks"] and eks["ansible_connection"] == "local"
    assert [(p["name"], p["desired"], p["gpu_model"]) for p in eks["aizone_node_pools"]] == \
        [("cpu", 2, None), ("h100", 1, "H100-80GB")]
    assert eks["aizone_gpus"] == 8 and eks["aizone_kubernetes_version"] == "1.31"
    assert all(first[k] > before[k] for k in ("eks", "aks", "gke", "local")), (before, first)
    # the local zone's API server also counts its own controllers' re-lists: of two cached runs, one shows none
    local = min(cached["local"] - first["local"], again["local"] - cached["local"])
    assert dict(cached, local=local) == dict(first, local=0) and again["eks"] == first["eks"], (first, cached, again)


@pytest.mark.parametrize("cloud", CLOUDS)
def test_a_module_given_only_a_credential_types_variables_reaches_its_cloud(clouds, cloud, tmp_path, run_playbook):
    """zone_info with nothing but provider and name: region, endpoint and credentials all come from what the
    credential type injects (the endpoint input stands for the double; on a real cloud it stays empty)."""
    kind_file, inputs = CREDENTIALS[cloud]
    kind = yaml.safe_load(open(os.path.join(ROOT, "awx", "credential_types", kind_file)))
    params = clouds[cloud].params
    inputs = dict(inputs, endpoint_url=params["endpoint_url"])
    env = dict.fromkeys(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION"), "")
    env.update(injected_env(kind, inputs, str(tmp_path)))    # and nothing of the test's own environment
    if cloud == "aks":
        env["AIZONE_CA_BUNDLE"] = params["ca_bundle"]   # the double's own CA: a real ARM endpoint needs none
    name = "inv-" + cloud
    before = len(clouds[cloud].double.calls)
    res = run_playbook([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "info", "aizone.platform.zone_info": {"provider": cloud, "name": name}}]}], env=env)
    assert res.rc == 0, res.output[-3000:]
    assert res.task("info")["exists"] is True and res.task("info")["zone"]["name"] == name
    assert len(clouds[cloud].double.calls) > before
