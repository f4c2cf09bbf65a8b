"""Pure translation logic of the EKS provider (no server)."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.providers import eks_shapes as eks
from ansible_collections.aizone.platform.plugins.module_utils.providers.eks import EksProvider


class FakeClientError(Exception):
    def __init__(self, code, status, message=""):
        super(FakeClientError, self).__init__(message)
        self.response = {"Error": {"Code": code, "Message": message},
                         "ResponseMetadata": {"HTTPStatusCode": status}}


class EndpointConnectionError(Exception):
    """Same class name as botocore's: the classifier goes by name (botocore is imported lazily)."""


@pytest.mark.parametrize("exc, transient", [
    (FakeClientError("ThrottlingException", 400), True),
    (FakeClientError("TooManyRequestsException", 429), True),
    (FakeClientError("ServerException", 500), True),
    (FakeClientError("ServiceUnavailableException", 503), True),
    (FakeClientError("InternalError", 502), True),
    (FakeClientError("ResourceInUseException", 409, "An update is currently in progress"), True),
    (FakeClientError("ResourceInUseException", 409, "Nodegroup is currently being deleted"), True),
    (FakeClientError("ResourceInUseException", 409, "Cluster has nodegroups attached"), False),
    (FakeClientError("ResourceInUseException", 409, "Cluster already exists with name: z"), False),
    (FakeClientError("InvalidParameterException", 400, "bad"), False),
    (FakeClientError("ResourceNotFoundException", 404, "No cluster found"), False),
    (FakeClientError("404", 404, "<html>"), False),
    (EndpointConnectionError("down"), True),
    (ValueError("x"), False),
])
def test_retry_classifier(exc, transient):
    assert eks.is_transient(exc) is transient


@pytest.mark.parametrize("itype, gpu, ami", [
    ("g5.xlarge", True, "AL2023_x86_64_NVIDIA"),
    ("p5.48xlarge", True, "AL2023_x86_64_NVIDIA"),
    ("g4dn.xlarge", True, "AL2023_x86_64_NVIDIA"),
    ("p5en.48xlarge", True, "AL2023_x86_64_NVIDIA"),
    ("g5g.xlarge", True, "AL2023_ARM_64_NVIDIA"),
    ("c5.4xlarge", False, "AL2023_x86_64_STANDARD"),
    ("r6gd.2xlarge", False, "AL2023_ARM_64_STANDARD"),
    ("c7gn.large", False, "AL2023_ARM_64_STANDARD"),
])
def test_ami_type(itype, gpu, ami):
    assert eks.ami_type(itype, {"model": "X"} if gpu else None) == ami


def test_taint_update_first_add_change_remove():
    t = {"key": "nvidia.com/gpu", "value": "", "effect": "NoSchedule"}
    assert eks.taint_update([], [t]) == {"addOrUpdateTaints": [{"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"}]}
    assert eks.taint_update([t], [t]) is None
    assert eks.taint_update([t], [dict(t, value="v")]) == {
        "addOrUpdateTaints": [{"key": "nvidia.com/gpu", "value": "v", "effect": "NO_SCHEDULE"}]}
    assert eks.taint_update([t], []) == {"removeTaints": [{"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"}]}
    # same key, other effect: a different taint
    moved = dict(t, effect="NoExecute")
    assert eks.taint_update([t], [moved]) == {
        "addOrUpdateTaints": [{"key": "nvidia.com/gpu", "effect": "NO_EXECUTE"}],
        "removeTaints": [{"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"}]}
    # a None value and an empty value are the same taint
    assert eks.taint_update([dict(t, value=None)], [t]) is None


def test_label_update_detects_value_change_and_removal():
    assert eks.label_update({"a": "1", "b": "2"}, {"a": "9", "c": "3"}) == {
        "addOrUpdateLabels": {"a": "9", "c": "3"}, "removeLabels": ["b"]}
    assert eks.label_update({"a": "1"}, {"a": "1"}) is None


def test_scaling_config_fixed_pool_pins_min_max_to_desired():
    assert eks.scaling_config({"enabled": False, "min": 1, "max": 9, "desired": 4}) == {
        "minSize": 4, "maxSize": 4, "desiredSize": 4}
    assert eks.scaling_config({"enabled": True, "min": 1, "max": 9, "desired": 4}) == {
        "minSize": 1, "maxSize": 9, "desiredSize": 4}


def test_logging_config_lists_every_type():
    assert eks.logging_config(["audit", "api"]) == {"clusterLogging": [
        {"types": ["api", "audit"], "enabled": True},
        {"types": ["authenticator", "controllerManager", "scheduler"], "enabled": False}]}
    assert eks.logging_config([]) == {"clusterLogging": [
        {"types": list(eks.LOG_TYPES), "enabled": False}]}


def test_normalize_cluster_fills_moto_omissions_and_strips_reserved_tags():
    raw = {"name": "z", "version": "1.31", "status": "ACTIVE", "endpoint": "https://e",
           "resourcesVpcConfig": {"subnetIds": ["s-2", "s-1"]},
           "logging": {"clusterLogging": [{"types": ["api", "audit"], "enabled": False}]},
           "tags": {"team": "ml", "aizone.io/zone-type": "shared",
                    "app.kubernetes.io/managed-by": "aizone.platform"}}
    zone = eks.normalize_cluster(raw, "eu-west-1")
    assert zone == {"name": "z", "provider": "eks", "region": "eu-west-1", "kubernetes_version": "1.31",
                    "zone_type": "shared",
                    "networking": {"subnets": ["s-1", "s-2"], "security_groups": [],
                                   "endpoint_public_access": True, "endpoint_private_access": False},
                    "logging": [], "tags": {"team": "ml"}, "status": "ACTIVE", "endpoint": "https://e"}


def test_normalize_nodegroup_maps_enums_and_string_disk_size():
    raw = {"nodegroupName": "p", "instanceTypes": ["c5.4xlarge"], "diskSize": "20", "status": "ACTIVE",
           "scalingConfig": {"minSize": 2, "maxSize": 2, "desiredSize": 2}, "capacityType": "SPOT",
           "labels": {"aizone.io/node-pool": "p", "aizone.io/node-pool-type": "cpu-optimized", "x": "y"},
           "taints": [{"key": "b", "effect": "NO_EXECUTE"}, {"key": "a", "value": "1", "effect": "NO_SCHEDULE"}]}
    pool = eks.normalize_nodegroup(raw, lambda t: None)
    assert pool == {"name": "p", "type": "cpu-optimized", "instance_type": "c5.4xlarge", "gpu": None,
                    "autoscaling": {"enabled": False, "min": 2, "max": 2, "desired": 2},
                    "labels": {"x": "y"},
                    "taints": [{"key": "a", "value": "1", "effect": "NoSchedule"},
                               {"key": "b", "value": "", "effect": "NoExecute"}],
                    "capacity_type": "spot", "disk_size_gb": 20, "status": "ACTIVE", "managed": True}


def test_gpu_comes_from_the_catalog():
    assert EksProvider._gpu("p4d.24xlarge") == {"model": "A100-SXM4-40GB", "count": 8, "memory_gib": 40}
    assert EksProvider._gpu("c5.4xlarge") is None
    assert EksProvider._gpu("not-a-type.large") is None


ROLE = "arn:aws:iam::123456789012:role/r"


def make(**params):
    base = {"region": "eu-west-1", "eks_cluster_role_arn": ROLE, "eks_node_role_arn": ROLE}
    base.update(params)
    return EksProvider(base)


def zone(subnets=("s-1", "s-2")):
    return {"name": "z", "networking": {"subnets": list(subnets)}}


def test_zone_defaults_validate_roles_and_subnets_before_any_call():
    assert make().zone_defaults(zone()) == {"region": "eu-west-1"}
    with pytest.raises(ValidationError) as err:
        make(eks_cluster_role_arn=None).zone_defaults(zone())
    assert err.value.field == "eks_cluster_role_arn"
    with pytest.raises(ValidationError) as err:
        make(eks_node_role_arn="role/nope").zone_defaults(zone())
    assert err.value.field == "eks_node_role_arn" and "arn:aws:iam::" in err.value.msg
    with pytest.raises(ValidationError) as err:
        make().zone_defaults(zone(["s-1"]))
    assert err.value.field == "networking.subnets"


def test_region_falls_back_to_the_aws_environment(monkeypatch):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    assert make(region=None).zone_defaults(zone()) == {"region": "ap-south-1"}


@pytest.mark.parametrize("given, normalized", [
    ({"enabled": True, "min": 1, "max": 5, "desired": 2}, {"enabled": True, "min": 1, "max": 5, "desired": 2}),
    ({"enabled": True, "min": 2, "max": 2, "desired": 2}, {"enabled": False, "min": 2, "max": 2, "desired": 2}),
    ({"enabled": False, "min": 1, "max": 5, "desired": 3}, {"enabled": False, "min": 3, "max": 3, "desired": 3}),
])
def test_normalize_node_pool_matches_what_eks_reads_back(given, normalized):
    pool = {"name": "p", "autoscaling": given}
    assert EksProvider.normalize_node_pool(pool)["autoscaling"] == normalized
    raw = {"nodegroupName": "p", "scalingConfig": dict(
        (k, v) for k, v in eks.scaling_config(given).items())}
    assert eks.normalize_nodegroup(raw, lambda t: None)["autoscaling"] == normalized


def test_reuse_kubeconfig_only_for_a_still_valid_token():
    from ansible_collections.aizone.platform.plugins.module_utils.providers import eks_token
    creds = {"aws_access_key_id": "AKID", "aws_secret_access_key": "s"}
    old = eks_token.kubeconfig("z", "https://e", "Q0E=", eks_token.get_token("z", "eu-west-1", creds), "eu-west-1")
    fresh = eks_token.kubeconfig("z", "https://e", "Q0E=", eks_token.get_token("z", "eu-west-1", creds),
                                 "eu-west-1")
    assert EksProvider.reuse_kubeconfig(old, fresh)
    stale = eks_token.kubeconfig("z", "https://e", "Q0E=", "k8s-aws-v1.bm9wZQ", "eu-west-1")
    assert not EksProvider.reuse_kubeconfig(stale, fresh)


def test_botocore_errors_without_response_become_api_errors(monkeypatch):
    from botocore.exceptions import NoCredentialsError
    provider = make()

    class Client(object):
        def describe_cluster(self, **kwargs):
            raise NoCredentialsError()

    monkeypatch.setattr(provider, "client", lambda service="eks": Client())
    with pytest.raises(ApiError) as err:
        provider.get_zone("z")
    assert err.value.msg == "EKS DescribeCluster failed: NoCredentialsError: Unable to locate credentials"


def test_version_upgrade_is_one_minor_step_checked_before_any_call(monkeypatch):
    provider = make()
    monkeypatch.setattr(provider, "call", lambda *a, **k: pytest.fail("no call expected"))
    current = {"name": "z", "kubernetes_version": "1.30", "tags": {}}
    with pytest.raises(ValidationError) as err:
        provider.update_zone(current, dict(current, kubernetes_version="1.32", tags={"a": "b"}),
                             ["kubernetes_version", "tags"])
    assert err.value.field == "kubernetes_version" and "1.31" in err.value.msg
    eks.check_one_minor_step("1.30", "1.31")  # one step: allowed


def test_node_pool_defaults_need_a_node_role_from_option_or_zone(monkeypatch):
    provider = make(eks_node_role_arn=None)
    monkeypatch.setattr(provider, "_cluster", lambda name: {"name": name, "tags": {}})
    with pytest.raises(ValidationError) as err:
        provider.node_pool_defaults("z", {"name": "p"})
    assert err.value.field == "eks_node_role_arn"
    monkeypatch.setattr(provider, "_cluster", lambda name: {"name": name, "tags": {eks.NODE_ROLE_TAG: ROLE}})
    assert provider.node_pool_defaults("z", {"name": "p"}) == {}
