# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon EKS: zones are clusters, node pools are managed node groups.

Translation only: comparing, check mode, diffs and wait policy live in the
reconciler (zones.py). What this file knows about EKS:

- Collection-level facts EKS has no field for are kept on the cluster and
  node group themselves, under the reserved ``aizone.io/`` prefix: the zone
  type is a cluster tag, the pool name/type/GPU model are node group labels
  (so they also land on every node, as the shared label names require).
  Reserved keys are stripped from the user-facing ``tags`` / ``labels``.
- Updates go through the API EKS offers for each field: tag_resource /
  untag_resource, update_cluster_config (logging, endpoint access; one kind
  per call, waiting for ACTIVE between calls as EKS refuses concurrent
  updates), update_cluster_version, update_nodegroup_config (labels
  addOrUpdate/remove, taints addOrUpdate/remove keyed by key+effect,
  scalingConfig).
- Every call goes through call_with_retry; botocore's own retries are
  switched off so there is one retry policy.
- IAM roles come from the connection params ``eks_cluster_role_arn`` and
  ``eks_node_role_arn``; the node role given at zone creation is recorded on
  the cluster (tag ``aizone.io/node-role-arn``) as the default for pools.
- Two hooks beyond base.py: normalize_node_pool() (EKS has no autoscaling
  switch: enabled means min < max) and reuse_kubeconfig() (a token differs
  by its signing time on every run; a still-valid one is kept).

Test-double notes (moto 5.2.5, used by the test suite): UpdateClusterVersion
is not implemented there and answers HTTP 404; the error is surfaced as an
ApiError, never turned into success. moto replaces the whole
resourcesVpcConfig on update_cluster_config, so the endpoint-access update
resends the unchanged subnets and security groups (harmless for real EKS,
which keeps them) rather than letting the double drop them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.aizone.platform.plugins.module_utils.errors import (
    ApiError, AizoneError, ValidationError)
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import (
    POOL_LABEL, POOL_TYPE_LABEL, Provider, pool_labels)
from ansible_collections.aizone.platform.plugins.module_utils.retry import (
    call_with_retry, status_is_transient)
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for

RESERVED_PREFIX = "aizone.io/"
ZONE_TYPE_TAG = "aizone.io/zone-type"
NODE_ROLE_TAG = "aizone.io/node-role-arn"
MANAGED_BY_TAG = "app.kubernetes.io/managed-by"
MANAGED_BY = "aizone.platform"
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")

EFFECT_TO_EKS = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE",
                 "NoExecute": "NO_EXECUTE"}
EFFECT_FROM_EKS = dict((v, k) for k, v in EFFECT_TO_EKS.items())
CAPACITY_TO_EKS = {"on-demand": "ON_DEMAND", "spot": "SPOT"}
CAPACITY_FROM_EKS = dict((v, k) for k, v in CAPACITY_TO_EKS.items())

THROTTLE_CODES = frozenset([
    "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
    "ServiceUnavailable", "ServiceUnavailableException", "ServerException", "InternalFailure",
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
])
# ResourceInUseException is transient only when another operation is still running
# (an update in progress, a node group still being created or deleted).
IN_PROGRESS = re.compile(r"in progress|currently|being (created|updated|deleted)|"
                         r"not in ACTIVE|is (CREATING|UPDATING|DELETING)", re.IGNORECASE)
CONNECTION_ERRORS = frozenset([
    "EndpointConnectionError", "ConnectionClosedError", "ReadTimeoutError",
    "ConnectTimeoutError", "ConnectionError",
])
# Instance families with an ARM (Graviton) processor carry a "g" in their
# suffix: c7g, m7gd, r6gn, g5g. "g5"/"g6" (the GPU families) have none.
_FAMILY = re.compile(r"^([a-z]+)(\d+)([a-z-]*)\.")


def is_transient(exc):
    """The retry classifier: throttling, 5xx, connection errors, update-in-progress."""
    if type(exc).__name__ in CONNECTION_ERRORS:
        return True
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    error = response.get("Error") or {}
    code = error.get("Code", "")
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    if code in THROTTLE_CODES or (status_is_transient(status) and status != 409):
        return True
    if code == "ResourceInUseException":
        return bool(IN_PROGRESS.search(error.get("Message", "")))
    return False


def ami_type(instance_type, gpu):
    """The EKS-optimized AL2023 AMI for the pool: NVIDIA for GPU pools, ARM for Graviton."""
    m = _FAMILY.match(instance_type or "")
    arm = bool(m and "g" in m.group(3))
    if gpu:
        return "AL2023_ARM_64_NVIDIA" if arm else "AL2023_x86_64_NVIDIA"
    return "AL2023_ARM_64_STANDARD" if arm else "AL2023_x86_64_STANDARD"


def _reserved(key):
    return key.startswith(RESERVED_PREFIX)


def _touches(changed_fields, name):
    return any(f == name or f.startswith(name + ".") for f in changed_fields)


def normalize_taints(taints):
    """Sorted by (key, effect); value always a string."""
    out = [{"key": t["key"], "value": t.get("value") or "", "effect": t["effect"]}
           for t in taints or []]
    return sorted(out, key=lambda t: (t["key"], t["effect"]))


def _eks_taint(taint):
    out = {"key": taint["key"], "effect": EFFECT_TO_EKS[taint["effect"]]}
    if taint.get("value"):
        out["value"] = taint["value"]
    return out


def normalize_cluster(cluster, region):
    """describe_cluster's cluster -> the normalized zone of base.py."""
    vpc = cluster.get("resourcesVpcConfig") or {}
    tags = cluster.get("tags") or {}
    enabled = set()
    for entry in (cluster.get("logging") or {}).get("clusterLogging") or []:
        if entry.get("enabled"):
            enabled.update(entry.get("types") or [])
    return {
        "name": cluster["name"],
        "provider": "eks",
        "region": region,
        "kubernetes_version": cluster.get("version"),
        "zone_type": tags.get(ZONE_TYPE_TAG),
        "networking": {
            "subnets": sorted(vpc.get("subnetIds") or []),
            "security_groups": sorted(vpc.get("securityGroupIds") or []),
            # EKS defaults: public endpoint on, private off (moto omits unset flags)
            "endpoint_public_access": bool(vpc.get("endpointPublicAccess", True)),
            "endpoint_private_access": bool(vpc.get("endpointPrivateAccess", False)),
        },
        "logging": sorted(enabled),
        "tags": dict((k, v) for k, v in tags.items() if not _reserved(k) and k != MANAGED_BY_TAG),
        "status": cluster.get("status"),
        "endpoint": cluster.get("endpoint"),
    }


def normalize_nodegroup(nodegroup, gpu_lookup):
    """describe_nodegroup's nodegroup -> the normalized node pool of base.py."""
    labels = nodegroup.get("labels") or {}
    scaling = nodegroup.get("scalingConfig") or {}
    low, high = int(scaling.get("minSize", 0)), int(scaling.get("maxSize", 0))
    instance_types = nodegroup.get("instanceTypes") or []
    instance_type = instance_types[0] if instance_types else None
    disk = nodegroup.get("diskSize")
    return {
        "name": nodegroup["nodegroupName"],
        "type": labels.get(POOL_TYPE_LABEL),
        "instance_type": instance_type,
        "gpu": gpu_lookup(instance_type) if instance_type else None,
        # managed node groups have no autoscaling switch: a fixed pool is min == max
        "autoscaling": {"enabled": low != high, "min": low, "max": high,
                        "desired": int(scaling.get("desiredSize", low))},
        "labels": dict((k, v) for k, v in labels.items() if not _reserved(k)),
        "taints": normalize_taints(
            [{"key": t["key"], "value": t.get("value"), "effect": EFFECT_FROM_EKS.get(t["effect"], t["effect"])}
             for t in nodegroup.get("taints") or []]),
        "capacity_type": CAPACITY_FROM_EKS.get(nodegroup.get("capacityType"), nodegroup.get("capacityType")),
        # moto returns its default disk size as the string "20"
        "disk_size_gb": int(disk) if disk is not None else None,
        "status": nodegroup.get("status"),
    }


def scaling_config(autoscaling):
    """A disabled autoscaler is a fixed pool: min = max = desired."""
    desired = int(autoscaling["desired"])
    if not autoscaling.get("enabled", True):
        return {"minSize": desired, "maxSize": desired, "desiredSize": desired}
    return {"minSize": int(autoscaling["min"]), "maxSize": int(autoscaling["max"]),
            "desiredSize": desired}


def label_update(current, desired):
    """update_nodegroup_config 'labels' argument, or None when nothing differs."""
    add = dict((k, v) for k, v in desired.items() if current.get(k) != v)
    remove = sorted(k for k in current if k not in desired)
    out = {}
    if add:
        out["addOrUpdateLabels"] = add
    if remove:
        out["removeLabels"] = remove
    return out or None


def taint_update(current, desired):
    """update_nodegroup_config 'taints' argument (taints keyed by key+effect), or None."""
    cur = dict(((t["key"], t["effect"]), t) for t in normalize_taints(current))
    want = dict(((t["key"], t["effect"]), t) for t in normalize_taints(desired))
    add = [_eks_taint(t) for k, t in sorted(want.items()) if cur.get(k) != t]
    remove = [_eks_taint(t) for k, t in sorted(cur.items()) if k not in want]
    out = {}
    if add:
        out["addOrUpdateTaints"] = add
    if remove:
        out["removeTaints"] = remove
    return out or None


def check_one_minor_step(current, wanted):
    """EKS upgrades a cluster one minor version per update; refuse bigger jumps up front."""
    try:
        cur = [int(p) for p in str(current).split(".")[:2]]
        new = [int(p) for p in str(wanted).split(".")[:2]]
    except ValueError:
        return
    if new[0] != cur[0] or new[1] - cur[1] > 1:
        raise ValidationError("kubernetes_version", "EKS upgrades one minor version at a time: zone runs %s, "
                              "so the next version is %d.%d (run again for each step to %s)"
                              % (current, cur[0], cur[1] + 1, wanted))


def logging_config(enabled):
    """Every log type listed, enabled or not, so a replace and a merge agree."""
    on = sorted(set(enabled or []))
    off = [t for t in LOG_TYPES if t not in on]
    entries = []
    if on:
        entries.append({"types": on, "enabled": True})
    if off:
        entries.append({"types": off, "enabled": False})
    return {"clusterLogging": entries}


class EksProvider(Provider):
    name = "eks"
    zone_updatable = ("kubernetes_version", "logging", "tags",
                      "networking.endpoint_public_access", "networking.endpoint_private_access")
    node_pool_updatable = ("autoscaling", "labels", "taints")
    #: how long delete_zone waits for node groups to go before deleting the cluster
    nodegroup_delete_timeout = 1800
    #: how long update_zone waits for ACTIVE between two cluster updates
    update_wait_timeout = 3600

    def __init__(self, params):
        super(EksProvider, self).__init__(params)
        self.region = (params.get("region") or os.environ.get("AWS_REGION")
                       or os.environ.get("AWS_DEFAULT_REGION"))
        self._clients = {}

    # plumbing ----------------------------------------------------------
    def _credentials(self):
        """Explicit credentials from the options; None lets boto3 use its default chain."""
        key, secret = self.params.get("aws_access_key_id"), self.params.get("aws_secret_access_key")
        if key and secret:
            return {"aws_access_key_id": key, "aws_secret_access_key": secret,
                    "aws_session_token": self.params.get("aws_session_token")}
        return None

    def _session(self):
        try:
            import boto3
        except ImportError:
            raise AizoneError("the eks provider requires the Python library boto3 "
                              "(pip install boto3) on the host running the module")
        kwargs = self._credentials() or {}
        if not kwargs and self.params.get("aws_profile"):
            kwargs["profile_name"] = self.params["aws_profile"]
        return boto3.session.Session(region_name=self.region, **kwargs)

    def client(self, service="eks"):
        if service not in self._clients:
            from botocore.config import Config
            config = Config(retries={"total_max_attempts": 1}, connect_timeout=10,
                            read_timeout=60, user_agent_extra="aizone.platform")
            self._clients[service] = self._session().client(
                service, endpoint_url=self.params.get("endpoint_url") or None, config=config)
        return self._clients[service]

    def call(self, operation, **kwargs):
        """One EKS call through call_with_retry; a final ClientError becomes ApiError."""
        method = getattr(self.client(), operation)
        try:
            return call_with_retry(lambda: method(**kwargs), is_transient)
        except Exception as exc:  # noqa: BLE001 - botocore errors, imported lazily
            response = getattr(exc, "response", None)
            if not isinstance(response, dict) and not type(exc).__module__.startswith("botocore"):
                raise
            error = (response or {}).get("Error") or {}
            status = ((response or {}).get("ResponseMetadata") or {}).get("HTTPStatusCode")
            code = error.get("Code") or type(exc).__name__
            api = "".join(part.title() for part in operation.split("_"))
            if status and code == str(status):
                # no AWS error in the body: the endpoint does not serve this operation
                # (moto 5.2.5 answers UpdateClusterVersion this way)
                msg = ("EKS %s failed: the endpoint answered HTTP %s without an AWS error; "
                       "it does not implement %s" % (api, status, api))
            else:
                msg = "EKS %s failed: %s: %s" % (api, code, error.get("Message") or exc)
            raise ApiError(msg, status=status, code=code, operation=api)

    def _describe(self, operation, key, **kwargs):
        try:
            return self.call(operation, **kwargs)[key]
        except ApiError as exc:
            if exc.code == "ResourceNotFoundException":
                return None
            raise

    def _cluster(self, name):
        return self._describe("describe_cluster", "cluster", name=name)

    def _nodegroup(self, zone_name, pool_name):
        return self._describe("describe_nodegroup", "nodegroup",
                              clusterName=zone_name, nodegroupName=pool_name)

    @staticmethod
    def _gpu(instance_type):
        """The pool's GPU from the catalog; None for CPU types and types it does not know."""
        from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
        try:
            return catalog.gpu_of(catalog.get("eks", instance_type))
        except ValidationError:
            return None

    @staticmethod
    def _role(value, field):
        if not value:
            raise ValidationError(field, "required for provider eks: an IAM role ARN "
                                         "(arn:aws:iam::<account>:role/<name>)")
        if not ROLE_ARN.match(value):
            raise ValidationError(field, "%r is not an IAM role ARN; expected "
                                         "arn:aws:iam::<12-digit account>:role/<name>" % value)
        return value

    def _node_role(self, cluster):
        """The node group role: the option, else the zone's default recorded at creation."""
        return self._role(self.params.get("eks_node_role_arn")
                          or (cluster.get("tags") or {}).get(NODE_ROLE_TAG), "eks_node_role_arn")

    def zone_defaults(self, desired):
        """Region from the AWS environment; checks what EKS needs before any write."""
        self._role(self.params.get("eks_cluster_role_arn"), "eks_cluster_role_arn")
        if self.params.get("eks_node_role_arn"):
            self._role(self.params["eks_node_role_arn"], "eks_node_role_arn")
        subnets = (desired.get("networking") or {}).get("subnets") or []
        if len(subnets) < 2:
            raise ValidationError("networking.subnets", "provider eks needs at least two subnets, in "
                                  "different availability zones; got %d" % len(subnets))
        return {"region": self.region}

    def node_pool_defaults(self, zone_name, desired):
        """Fails before any write (and in check mode) when no node role is known."""
        cluster = self._cluster(zone_name)
        if cluster is not None:
            self._node_role(cluster)
        elif self.params.get("eks_node_role_arn"):
            self._role(self.params["eks_node_role_arn"], "eks_node_role_arn")
        return {}

    @staticmethod
    def normalize_node_pool(pool):
        """EKS has no autoscaling switch: the cluster autoscaler can scale a managed
        node group only between min and max, so enabled means min < max and a
        disabled pool is pinned at min = max = desired. The reconciler applies
        this to the desired pool so both sides compare in the same terms."""
        scaling = (pool or {}).get("autoscaling")
        if not scaling or None in (scaling.get("min"), scaling.get("max"), scaling.get("desired")):
            return pool
        fixed = scaling_config(scaling)
        out = dict(pool)
        out["autoscaling"] = {"enabled": fixed["minSize"] < fixed["maxSize"], "min": fixed["minSize"],
                              "max": fixed["maxSize"], "desired": fixed["desiredSize"]}
        return out

    # zones -------------------------------------------------------------
    def get_zone(self, name):
        cluster = self._cluster(name)
        return normalize_cluster(cluster, self.region) if cluster else None

    def create_zone(self, desired):
        net = desired.get("networking") or {}
        vpc = {"subnetIds": list(net.get("subnets") or []),
               "securityGroupIds": list(net.get("security_groups") or []),
               "endpointPublicAccess": bool(net.get("endpoint_public_access", True)),
               "endpointPrivateAccess": bool(net.get("endpoint_private_access", False))}
        tags = dict(desired.get("tags") or {})
        tags[MANAGED_BY_TAG] = MANAGED_BY
        if desired.get("zone_type"):
            tags[ZONE_TYPE_TAG] = desired["zone_type"]
        if self.params.get("eks_node_role_arn"):
            # the zone's default node role, for node_pool runs that do not name one
            tags[NODE_ROLE_TAG] = self.params["eks_node_role_arn"]
        kwargs = {"name": desired["name"],
                  "roleArn": self._role(self.params.get("eks_cluster_role_arn"), "eks_cluster_role_arn"),
                  "resourcesVpcConfig": vpc, "logging": logging_config(desired.get("logging")),
                  "tags": tags}
        if desired.get("kubernetes_version"):
            kwargs["version"] = desired["kubernetes_version"]
        self.call("create_cluster", **kwargs)

    def update_zone(self, current, desired, changed_fields):
        name = current["name"]
        if _touches(changed_fields, "kubernetes_version"):
            check_one_minor_step(current.get("kubernetes_version"), desired["kubernetes_version"])
        if _touches(changed_fields, "tags"):
            # tag_resource/untag_resource apply at once and start no cluster update
            self._update_tags(name, current.get("tags") or {}, desired.get("tags") or {})
        updates = []
        if _touches(changed_fields, "logging"):
            updates.append(lambda: self.call("update_cluster_config", name=name,
                                             logging=logging_config(desired.get("logging"))))
        if (_touches(changed_fields, "networking.endpoint_public_access")
                or _touches(changed_fields, "networking.endpoint_private_access")):
            updates.append(lambda: self._update_endpoint_access(current, desired))
        if _touches(changed_fields, "kubernetes_version"):
            # Real EKS upgrades one minor version per call. moto 5.2.5 does not
            # implement UpdateClusterVersion (HTTP 404): that ApiError is surfaced.
            updates.append(lambda: self.call("update_cluster_version", name=name,
                                             version=desired["kubernetes_version"]))
        for index, update in enumerate(updates):
            if index:
                # EKS refuses a second cluster update while one is in progress
                self._wait_active(name, self.update_wait_timeout)
            update()

    def _update_tags(self, name, current, desired):
        arn = self._cluster(name)["arn"]
        add = dict((k, v) for k, v in desired.items() if current.get(k) != v)
        remove = sorted(k for k in current if k not in desired)
        if add:
            self.call("tag_resource", resourceArn=arn, tags=add)
        if remove:
            self.call("untag_resource", resourceArn=arn, tagKeys=remove)

    def _update_endpoint_access(self, current, desired):
        net_cur = current.get("networking") or {}
        net = desired.get("networking") or {}
        vpc = {"endpointPublicAccess": bool(net.get("endpoint_public_access", True)),
               "endpointPrivateAccess": bool(net.get("endpoint_private_access", False)),
               # unchanged; resent because moto replaces the whole resourcesVpcConfig
               "subnetIds": list(net_cur.get("subnets") or []),
               "securityGroupIds": list(net_cur.get("security_groups") or [])}
        self.call("update_cluster_config", name=current["name"], resourcesVpcConfig=vpc)

    def _wait_active(self, name, timeout):
        return wait_for(lambda: self.zone_ready(name), timeout,
                        "eks zone %s: waiting for ACTIVE" % name)

    def delete_zone(self, current):
        name = current["name"]
        pools = self._nodegroup_names(name)
        for pool in pools:
            ng = self._nodegroup(name, pool)
            if ng and ng.get("status") != "DELETING":
                self.call("delete_nodegroup", clusterName=name, nodegroupName=pool)
        if pools:
            wait_for(lambda: self._nodegroups_gone(name), self.nodegroup_delete_timeout,
                     "eks zone %s: waiting for node groups to be deleted" % name)
        self.call("delete_cluster", name=name)

    def _nodegroups_gone(self, name):
        left = self._nodegroup_names(name)
        return (not left, None, "node groups left: %s" % ", ".join(left) if left else "none left")

    def zone_ready(self, name):
        cluster = self._cluster(name)
        if cluster is None:
            return (False, None, "not found")
        status = cluster.get("status")
        if status == "FAILED":
            raise ApiError("EKS cluster %s is FAILED" % name, code="FAILED")
        return (status == "ACTIVE", normalize_cluster(cluster, self.region), status)

    def zone_kubeconfig(self, zone):
        """Kubeconfig whose user authenticates with an EKS token (see eks_token.py)."""
        from ansible_collections.aizone.platform.plugins.module_utils.providers import eks_token
        cluster = self._cluster(zone["name"])
        if cluster is None:
            raise ApiError("EKS cluster %s not found" % zone["name"], code="ResourceNotFoundException")
        token = eks_token.get_token(cluster["name"], self.region, credentials=self._credentials(),
                                    session=self._session())
        return eks_token.kubeconfig(cluster["name"], cluster["endpoint"],
                                    (cluster.get("certificateAuthority") or {}).get("data"),
                                    token, self.region)

    @staticmethod
    def reuse_kubeconfig(existing, fresh):
        """True when the kubeconfig already written can stay: it differs from `fresh`
        only by a token that is still valid for a while (tokens differ by signing time
        on every run, so comparing text alone would rewrite the file every run)."""
        from ansible_collections.aizone.platform.plugins.module_utils.providers import eks_token
        return eks_token.reusable(existing, fresh)

    # node pools -------------------------------------------------------
    def _nodegroup_names(self, zone_name):
        names, token = [], None
        while True:
            kwargs = {"clusterName": zone_name}
            if token:
                kwargs["nextToken"] = token
            page = self.call("list_nodegroups", **kwargs)
            names.extend(page.get("nodegroups") or [])
            token = page.get("nextToken")
            if not token:
                return names

    def list_node_pools(self, zone_name):
        pools = {}
        for name in self._nodegroup_names(zone_name):
            ng = self._nodegroup(zone_name, name)
            if ng is not None:
                pools[name] = normalize_nodegroup(ng, self._gpu)
        return pools

    def create_node_pool(self, zone_name, desired):
        cluster = self._cluster(zone_name)
        if cluster is None:
            raise ApiError("EKS cluster %s not found: create the zone first" % zone_name,
                           code="ResourceNotFoundException")
        subnets = (cluster.get("resourcesVpcConfig") or {}).get("subnetIds") or []
        tags = dict(desired.get("tags") or {})
        tags.update({MANAGED_BY_TAG: MANAGED_BY, POOL_LABEL: desired["name"]})
        kwargs = {
            "clusterName": zone_name, "nodegroupName": desired["name"],
            "nodeRole": self._node_role(cluster),
            "subnets": list(subnets),
            "instanceTypes": [desired["instance_type"]],
            "amiType": ami_type(desired["instance_type"], desired.get("gpu")),
            "scalingConfig": scaling_config(desired["autoscaling"]),
            "capacityType": CAPACITY_TO_EKS[desired.get("capacity_type") or "on-demand"],
            "labels": pool_labels(desired),
            "tags": tags,
        }
        if desired.get("taints"):
            kwargs["taints"] = [_eks_taint(t) for t in normalize_taints(desired["taints"])]
        if desired.get("disk_size_gb"):
            kwargs["diskSize"] = int(desired["disk_size_gb"])
        self.call("create_nodegroup", **kwargs)

    def update_node_pool(self, zone_name, current, desired, changed_fields):
        ng = self._nodegroup(zone_name, current["name"])
        if ng is None:
            raise ApiError("EKS node group %s/%s not found" % (zone_name, current["name"]),
                           code="ResourceNotFoundException")
        kwargs = {}
        if _touches(changed_fields, "labels"):
            labels = label_update(ng.get("labels") or {}, pool_labels(desired))
            if labels:
                kwargs["labels"] = labels
        if _touches(changed_fields, "taints"):
            taints = taint_update(current.get("taints"), desired.get("taints"))
            if taints:
                kwargs["taints"] = taints
        if _touches(changed_fields, "autoscaling"):
            scaling = scaling_config(desired["autoscaling"])
            if scaling != dict((k, int(v)) for k, v in (ng.get("scalingConfig") or {}).items()):
                kwargs["scalingConfig"] = scaling
        if kwargs:
            self.call("update_nodegroup_config", clusterName=zone_name,
                      nodegroupName=current["name"], **kwargs)

    def delete_node_pool(self, zone_name, current):
        self.call("delete_nodegroup", clusterName=zone_name, nodegroupName=current["name"])

    def node_pool_ready(self, zone_name, pool_name):
        ng = self._nodegroup(zone_name, pool_name)
        if ng is None:
            return (False, None, "not found")
        status = ng.get("status")
        if status in ("CREATE_FAILED", "DEGRADED", "DELETE_FAILED"):
            issues = "; ".join("%s: %s" % (i.get("code"), i.get("message"))
                               for i in (ng.get("health") or {}).get("issues") or [])
            raise ApiError("EKS node group %s/%s is %s%s" % (zone_name, pool_name, status,
                                                             (": " + issues) if issues else ""),
                           code=status)
        return (status == "ACTIVE", normalize_nodegroup(ng, self._gpu), status)


PROVIDER = EksProvider
