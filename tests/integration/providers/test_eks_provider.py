"""EKS-specific behaviour, against moto in server mode behind the counting proxy.

Provider-level tests call EksProvider in this process; module-level tests run
the zone / node_pool modules through ansible-playbook, and count their calls
at the proxy. Where moto lacks an operation (UpdateClusterVersion) the test
asserts the failure, never a faked success.
"""

import os
import stat

import boto3
import pytest
import yaml

from doubles.counting_proxy import CountingProxy

from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError
from ansible_collections.aizone.platform.plugins.module_utils.providers.eks import EksProvider

REGION = "us-west-2"
CLUSTER_ROLE = "arn:aws:iam::123456789012:role/aizone-test-cluster"
NODE_ROLE = "arn:aws:iam::123456789012:role/aizone-test-node"
SECRET = "eks-test-secret-must-not-leak"


@pytest.fixture(scope="module")
def proxy(moto_endpoint):
    p = CountingProxy(moto_endpoint).start()
    yield p
    p.stop()


@pytest.fixture
def moto_eks(moto_endpoint):
    """A direct client on moto (not through the proxy) to inspect raw state."""
    return boto3.client("eks", region_name=REGION, endpoint_url=moto_endpoint,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def provider(proxy, moto_endpoint):
    proxy.reset()
    yield EksProvider({"region": REGION, "endpoint_url": proxy.url,
                       "aws_access_key_id": "testing", "aws_secret_access_key": SECRET,
                       "eks_cluster_role_arn": CLUSTER_ROLE, "eks_node_role_arn": NODE_ROLE})
    from harness.providers.eks import delete_region_clusters
    delete_region_clusters(moto_endpoint, REGION)


def zone_spec(name, **over):
    spec = {"name": name, "provider": "eks", "region": REGION, "kubernetes_version": "1.31",
            "zone_type": "shared",
            "networking": {"subnets": ["subnet-b2", "subnet-a1"], "security_groups": ["sg-1"],
                           "endpoint_public_access": True, "endpoint_private_access": False},
            "logging": ["audit", "api"], "tags": {"team": "ml", "env": "test"}}
    spec.update(over)
    return spec


def pool_spec(name="gpu", **over):
    spec = {"name": name, "type": "gpu-optimized", "instance_type": "g5.xlarge",
            "gpu": {"model": "A10G", "count": 1, "memory_gib": 24},
            "autoscaling": {"enabled": True, "min": 1, "max": 4, "desired": 2},
            "labels": {"team": "ml", "tier": "gold"}, "taints": [],
            "capacity_type": "on-demand", "disk_size_gb": 200}
    spec.update(over)
    return spec


def comparable(obj):
    return dict((k, v) for k, v in obj.items() if k not in ("status", "endpoint"))


def expected_zone(spec):
    out = dict((k, spec[k]) for k in ("name", "provider", "region", "kubernetes_version",
                                      "zone_type", "tags"))
    net = dict(spec["networking"])
    net["subnets"] = sorted(net["subnets"])
    net["security_groups"] = sorted(net["security_groups"])
    out.update(networking=net, logging=sorted(spec["logging"]))
    return out


# provider level ---------------------------------------------------------------

def test_unchanged_zone_and_pool_read_back_equal(provider):
    spec = zone_spec("eq")
    provider.create_zone(spec)
    assert comparable(provider.get_zone("eq")) == expected_zone(spec)
    pool = pool_spec()
    provider.create_node_pool("eq", pool)
    assert comparable(provider.list_node_pools("eq")["gpu"]) == dict(pool, managed=True)


def test_gpu_pool_gets_nvidia_ami_and_pool_labels_cpu_pool_standard(provider, moto_eks):
    provider.create_zone(zone_spec("ami"))
    provider.create_node_pool("ami", pool_spec("gpu", capacity_type="spot"))
    provider.create_node_pool("ami", pool_spec("cpu", type="cpu-optimized", instance_type="c5.4xlarge",
                                               gpu=None))
    gpu = moto_eks.describe_nodegroup(clusterName="ami", nodegroupName="gpu")["nodegroup"]
    cpu = moto_eks.describe_nodegroup(clusterName="ami", nodegroupName="cpu")["nodegroup"]
    assert gpu["amiType"] == "AL2023_x86_64_NVIDIA"
    assert cpu["amiType"] == "AL2023_x86_64_STANDARD"
    assert gpu["capacityType"] == "SPOT"
    assert gpu["nodeRole"] == NODE_ROLE  # the zone's default node role
    assert gpu["subnets"] == ["subnet-b2", "subnet-a1"]
    assert gpu["labels"]["aizone.io/node-pool"] == "gpu"
    assert gpu["labels"]["aizone.io/node-pool-type"] == "gpu-optimized"
    assert gpu["labels"]["aizone.io/gpu-model"] == "A10G"
    assert "aizone.io/gpu-model" not in cpu["labels"]
    # provider-added labels are not user labels
    assert provider.list_node_pools("ami")["gpu"]["labels"] == {"team": "ml", "tier": "gold"}


def test_first_taint_added_then_changed_then_removed(provider, moto_eks, proxy):
    provider.create_zone(zone_spec("taint"))
    provider.create_node_pool("taint", pool_spec())
    current = provider.list_node_pools("taint")["gpu"]
    assert current["taints"] == []

    taint = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
    provider.update_node_pool("taint", current, pool_spec(taints=[taint]), ["taints"])
    raw = moto_eks.describe_nodegroup(clusterName="taint", nodegroupName="gpu")["nodegroup"]
    assert raw["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]
    current = provider.list_node_pools("taint")["gpu"]
    assert current["taints"] == [taint]

    changed = [dict(taint, value="shared"), {"key": "spot", "value": "", "effect": "PreferNoSchedule"}]
    provider.update_node_pool("taint", current, pool_spec(taints=changed), ["taints"])
    current = provider.list_node_pools("taint")["gpu"]
    assert current["taints"] == [dict(taint, value="shared"),
                                 {"key": "spot", "value": "", "effect": "PreferNoSchedule"}]

    proxy.reset()
    provider.update_node_pool("taint", current, pool_spec(taints=[]), ["taints"])
    assert provider.list_node_pools("taint")["gpu"]["taints"] == []
    assert proxy.actions().count("UpdateNodegroupConfig") == 1


def test_label_value_change_and_removal(provider, proxy):
    provider.create_zone(zone_spec("labels"))
    provider.create_node_pool("labels", pool_spec())
    current = provider.list_node_pools("labels")["gpu"]
    desired = pool_spec(labels={"team": "research"})  # value changed, tier removed
    assert current["labels"] != desired["labels"]
    provider.update_node_pool("labels", current, desired, ["labels"])
    after = provider.list_node_pools("labels")["gpu"]
    assert after["labels"] == {"team": "research"}
    assert after["type"] == "gpu-optimized"  # reserved labels survive a user-label update


def test_scaling_update_and_fixed_pool(provider):
    provider.create_zone(zone_spec("scale"))
    provider.create_node_pool("scale", pool_spec())
    current = provider.list_node_pools("scale")["gpu"]
    provider.update_node_pool("scale", current, pool_spec(autoscaling={"enabled": True, "min": 2, "max": 8,
                                                                       "desired": 5}), ["autoscaling"])
    assert provider.list_node_pools("scale")["gpu"]["autoscaling"] == {"enabled": True, "min": 2, "max": 8,
                                                                       "desired": 5}
    fixed = {"enabled": False, "min": 3, "max": 3, "desired": 3}
    provider.update_node_pool("scale", current, pool_spec(autoscaling=fixed), ["autoscaling.enabled"])
    assert provider.list_node_pools("scale")["gpu"]["autoscaling"] == fixed


def test_zone_updates_tags_logging_endpoint_access_keep_subnets(provider, proxy):
    spec = zone_spec("upd")
    provider.create_zone(spec)
    current = provider.get_zone("upd")
    desired = zone_spec("upd", tags={"team": "research"}, logging=["api", "scheduler"],
                        networking=dict(spec["networking"], endpoint_private_access=True))
    proxy.reset()
    provider.update_zone(current, desired, ["tags", "logging", "networking.endpoint_private_access"])
    writes = [c.action for c in proxy.writes()]
    assert writes == ["TagResource", "UntagResource", "UpdateClusterConfig", "UpdateClusterConfig"]
    assert comparable(provider.get_zone("upd")) == expected_zone(desired)


def test_update_cluster_version_is_not_implemented_by_moto(provider, proxy):
    # moto 5.2.5 has no UpdateClusterVersion: the real error must surface, once, unretried
    provider.create_zone(zone_spec("ver"))
    current = provider.get_zone("ver")
    proxy.reset()
    with pytest.raises(ApiError) as err:
        provider.update_zone(current, zone_spec("ver", kubernetes_version="1.32"), ["kubernetes_version"])
    assert err.value.status == 404
    assert "UpdateClusterVersion" in err.value.msg and "does not implement" in err.value.msg
    assert proxy.actions() == ["UpdateClusterVersion"]
    assert provider.get_zone("ver")["kubernetes_version"] == "1.31"


def test_delete_removes_node_groups_before_cluster(provider, proxy, moto_eks):
    provider.create_zone(zone_spec("del"))
    provider.create_node_pool("del", pool_spec("a"))
    provider.create_node_pool("del", pool_spec("b"))
    proxy.reset()
    provider.delete_zone(provider.get_zone("del"))
    writes = [c.action for c in proxy.writes()]
    assert writes == ["DeleteNodegroup", "DeleteNodegroup", "DeleteCluster"]
    assert "del" not in moto_eks.list_clusters()["clusters"]


def test_throttling_is_retried_then_succeeds(provider, proxy):
    proxy.fail_next(2)  # two 429 TooManyRequestsException answers to the next writes
    provider.create_zone(zone_spec("thr"))
    creates = [c for c in proxy.snapshot() if c.action == "CreateCluster"]
    assert [(c.status, c.injected) for c in creates] == [(429, True), (429, True), (200, False)]
    assert provider.get_zone("thr")["status"] == "ACTIVE"


def test_non_transient_error_is_not_retried(provider, proxy):
    provider.create_zone(zone_spec("dup"))
    proxy.reset()
    with pytest.raises(ApiError) as err:
        provider.create_zone(zone_spec("dup"))
    assert err.value.code == "ResourceInUseException"
    assert proxy.actions() == ["CreateCluster"]


def test_kubeconfig_has_token_user_for_the_cluster(provider, moto_eks):
    provider.create_zone(zone_spec("kc"))
    cfg = provider.zone_kubeconfig(provider.get_zone("kc"))
    raw = moto_eks.describe_cluster(name="kc")["cluster"]
    assert cfg["clusters"][0]["cluster"] == {"server": raw["endpoint"],
                                             "certificate-authority-data": raw["certificateAuthority"]["data"]}
    assert cfg["users"][0]["user"]["token"].startswith("k8s-aws-v1.")
    assert SECRET not in yaml.safe_dump(cfg)


def test_zone_ready_and_node_pool_ready(provider):
    assert provider.zone_ready("nothing") == (False, None, "not found")
    provider.create_zone(zone_spec("rdy"))
    done, zone, state = provider.zone_ready("rdy")
    assert (done, zone["name"], state) == (True, "rdy", "ACTIVE")
    provider.create_node_pool("rdy", pool_spec())
    done, pool, state = provider.node_pool_ready("rdy", "gpu")
    assert (done, pool["name"], state) == (True, "gpu", "ACTIVE")
    assert provider.node_pool_ready("rdy", "nope") == (False, None, "not found")


def test_counting_proxy_names_operations_and_counts_only_writes(proxy):
    """The write counter every 'no write calls' assertion relies on."""
    proxy.reset()
    kwargs = dict(region_name=REGION, endpoint_url=proxy.url, aws_access_key_id="testing",
                  aws_secret_access_key="testing")
    eks_client = boto3.client("eks", **kwargs)
    eks_client.list_clusters()
    eks_client.create_cluster(name="px", roleArn=CLUSTER_ROLE, resourcesVpcConfig={"subnetIds": ["s-1"]})
    eks_client.describe_cluster(name="px")
    eks_client.delete_cluster(name="px")
    boto3.client("sts", **kwargs).get_caller_identity()  # query protocol: named by Action
    assert proxy.actions() == ["ListClusters", "CreateCluster", "DescribeCluster", "DeleteCluster",
                               "GetCallerIdentity"]
    assert [c.action for c in proxy.writes()] == ["CreateCluster", "DeleteCluster"]
    assert proxy.write_calls("sts") == 0


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# module level (ansible-playbook processes; calls counted at the proxy) -----------

MOD_REGION = "ap-southeast-2"  # its own moto region, apart from the provider-level tests


@pytest.fixture
def eks_params(proxy, moto_endpoint):
    proxy.reset()
    yield {"provider": "eks", "region": MOD_REGION, "endpoint_url": proxy.url,
           "aws_access_key_id": "testing", "aws_secret_access_key": SECRET,
           "eks_cluster_role_arn": CLUSTER_ROLE, "eks_node_role_arn": NODE_ROLE}
    from harness.providers.eks import delete_region_clusters
    delete_region_clusters(moto_endpoint, MOD_REGION)


def zone_task(params, name, **opts):
    args = dict(params, name=name, networking={"subnets": ["subnet-a1", "subnet-b2"]}, wait_timeout=30)
    args.update(opts)
    return {"name": "zone", "aizone.platform.zone": args}


def pool_task(params, zone, name="gpu", **opts):
    args = dict(params, zone=zone, name=name, instance_type="g5.xlarge", labels={"team": "ml"},
                autoscaling={"enabled": True, "min": 1, "max": 3, "desired": 1}, wait_timeout=30)
    args.update(opts)
    return {"name": "pool", "aizone.platform.node_pool": args}


def play(*tasks):
    return [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}]


def test_module_lifecycle(run_playbook, eks_params, proxy, tmp_path):
    """One zone through create, check-mode edits, real edits, a no-op rerun,
    refused changes and deletion.

    Module runs cost seconds each, so one scenario covers: kubeconfig (token
    user, mode 0600); no secret in any output (-vvv prints module args); check
    mode reporting label/taint/tag edits without a write; the same edits
    applied; a rerun with no write; a subnet change refused naming the field
    before any write; the version upgrade failing with moto's missing
    UpdateClusterVersion (no faked success); node groups deleted before the
    cluster.
    """
    dest = tmp_path / "eks.kubeconfig"
    create = run_playbook(play(zone_task(eks_params, "life", tags={"team": "ml"}, kubernetes_version="1.31",
                                         kubeconfig_dest=str(dest)),
                               pool_task(eks_params, "life"),
                               pool_task(eks_params, "life", name="cpu", instance_type="c5.4xlarge")),
                          diff=True, args=("-vvv",))
    assert create.rc == 0, create.output
    assert create.changed == ["zone", "pool", "pool"]
    assert _mode(str(dest)) == 0o600
    cfg = yaml.safe_load(dest.read_text())
    user = [u for u in cfg["users"] if u["name"] == cfg["contexts"][0]["context"]["user"]][0]
    assert user["user"]["token"].startswith("k8s-aws-v1.")
    assert SECRET not in create.output
    assert "k8s-aws-v1." not in create.output  # the token stays in the file

    edited = play(zone_task(eks_params, "life", tags={"team": "research"}),
                  pool_task(eks_params, "life", labels={"team": "research"},
                            taints=[{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]))
    proxy.reset()
    check = run_playbook(edited, check=True, diff=True)
    assert check.rc == 0, check.output
    assert check.changed == ["zone", "pool"]
    assert proxy.writes() == []
    predicted = check.task("pool")["node_pool"]
    assert predicted["labels"] == {"team": "research"}
    assert predicted["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    assert check.task("zone")["diff"]["after"]["tags"] == {"team": "research"}

    real = run_playbook(edited)
    assert real.rc == 0 and real.changed == ["zone", "pool"], real.output
    assert sorted(c.action for c in proxy.writes()) == ["TagResource", "UpdateNodegroupConfig"]
    assert real.task("pool")["node_pool"] == predicted  # check mode predicted exactly

    proxy.reset()
    again = run_playbook(edited)
    assert again.rc == 0 and again.changed == [], again.output
    assert proxy.writes() == []

    subnets = dict(zone_task(eks_params, "life", networking={"subnets": ["subnet-a1", "subnet-c3"]}),
                   name="subnets", ignore_errors=True)
    version = dict(zone_task(eks_params, "life", kubernetes_version="1.32"), name="version",
                   ignore_errors=True)
    refusals = run_playbook(play(subnets, version))
    refused = refusals.task("subnets")
    assert refused.get("failed") and refused.get("field") == "networking.subnets", refused
    assert "subnet-c3" in refused["msg"]
    upgrade = refusals.task("version")
    assert upgrade.get("failed"), upgrade
    assert "UpdateClusterVersion" in upgrade["msg"] and "does not implement" in upgrade["msg"]
    assert [c.action for c in proxy.writes()] == ["UpdateClusterVersion"]

    proxy.reset()
    gone = run_playbook(play(zone_task(eks_params, "life", state="absent")))
    assert gone.rc == 0 and gone.changed == ["zone"], gone.output
    assert [c.action for c in proxy.writes()] == ["DeleteNodegroup", "DeleteNodegroup", "DeleteCluster"]
