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

from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.concurrency import all_or_raise
from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import MANAGED_BY, POOL_LABEL
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import pool_labels
from ansible_collections.aizone.platform.plugins.module_utils.providers.cloud import CloudProvider, import_sdk
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for
from ansible_collections.aizone.platform.plugins.module_utils.providers.eks_shapes import (
    CAPACITY_TO_EKS, MANAGED_BY_TAG, NODE_ROLE_TAG, ROLE_ARN, ZONE_TYPE_TAG, ami_type,
    check_one_minor_step, eks_taint, endpoint_access, is_transient, label_update, logging_config, normalize_cluster,
    normalize_nodegroup, normalize_taints, scaling_config, taint_update, touches)

#: clusters described at once when listing zones
WORKERS = 8


def _boto3():
    import boto3
    return boto3


class EksProvider(CloudProvider):
    name = "eks"
    service = "EKS"
    status_word = ""
    ready_statuses = ("ACTIVE",)
    failed_statuses = ("FAILED", "CREATE_FAILED", "DEGRADED", "DELETE_FAILED")
    zone_updatable = ("kubernetes_version", "logging", "tags",
                      "networking.endpoint_public_access", "networking.endpoint_private_access")
    node_pool_updatable = ("autoscaling", "labels", "taints")
    #: IAM roles for service accounts (IRSA): the pod identity webhook gives the pod the role's web identity token
    workload_identity_form = {"pattern": r"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$",
                              "what": "an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
                              "annotation": "eks.amazonaws.com/role-arn"}
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
        boto3 = import_sdk("eks", "boto3", _boto3)
        kwargs = self._credentials() or {}
        if not kwargs and self.params.get("aws_profile"):
            kwargs["profile_name"] = self.params["aws_profile"]
        return boto3.session.Session(region_name=self.region, **kwargs)

    def client(self, service="eks"):
        with self.client_lock:
            if service not in self._clients:
                from botocore.config import Config
                config = Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=60,
                                user_agent_extra="aizone.platform", max_pool_connections=32)
                self._clients[service] = self._session().client(
                    service, endpoint_url=self.params.get("endpoint_url") or None, config=config)
            return self._clients[service]

    def is_transient(self, exc):
        return is_transient(exc)

    def translate_error(self, what, exc):
        response = getattr(exc, "response", None)
        if not isinstance(response, dict) and not type(exc).__module__.startswith("botocore"):
            return None
        error = (response or {}).get("Error") or {}
        status = ((response or {}).get("ResponseMetadata") or {}).get("HTTPStatusCode")
        code = error.get("Code") or type(exc).__name__
        api = "".join(part.title() for part in what.split("_"))
        if status and code == str(status):
            # no AWS error in the body: the endpoint does not serve this operation
            # (moto 5.2.5 answers UpdateClusterVersion this way)
            msg = ("EKS %s failed: the endpoint answered HTTP %s without an AWS error; "
                   "it does not implement %s" % (api, status, api))
        else:
            msg = "EKS %s failed: %s: %s" % (api, code, error.get("Message") or exc)
        return ApiError(msg, status=status, code=code, operation=api)

    def is_not_found(self, error):
        return error.code == "ResourceNotFoundException"

    def api(self, operation, **kwargs):
        """One EKS API call (boto3 method name) through call."""
        return self.call(operation, lambda: getattr(self.client(), operation)(**kwargs))

    def operation_state(self, handle, what):
        """EKS reports an update's progress on the cluster or node group itself (its status): the
        ready probes read that, so an update this run started needs no polling of its own."""
        return True, "%s started" % what

    def wait_operation(self, key, what):
        """EKS refuses a second cluster update while one is in progress: wait for ACTIVE."""
        self._wait_active(key[1], self.update_wait_timeout)

    def failed(self, what, raw, status):
        issues = "; ".join("%s: %s" % (i.get("code"), i.get("message"))
                           for i in (raw.get("health") or {}).get("issues") or [])
        return ApiError("EKS %s is %s%s" % (what, status, (": " + issues) if issues else ""), code=status)

    def _describe(self, operation, key, **kwargs):
        found = self.read(operation, lambda: getattr(self.client(), operation)(**kwargs))
        return found[key] if found is not None else None

    def _cluster(self, name):
        return self._describe("describe_cluster", "cluster", name=name)

    def _nodegroup(self, zone_name, pool_name):
        return self._describe("describe_nodegroup", "nodegroup",
                              clusterName=zone_name, nodegroupName=pool_name)

    @staticmethod
    def _gpu(instance_type):
        """The pool's GPU from the catalog; None for CPU types and types it does not know."""
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
        self.api("create_cluster", **kwargs)

    def update_zone(self, current, desired, changed_fields):
        name = current["name"]
        if touches(changed_fields, "kubernetes_version"):
            check_one_minor_step(current.get("kubernetes_version"), desired["kubernetes_version"])
        if touches(changed_fields, "tags"):
            # tag_resource/untag_resource apply at once and start no cluster update
            self._update_tags(name, current.get("tags") or {}, desired.get("tags") or {})
        steps = []
        client = self.client
        if touches(changed_fields, "logging"):
            steps.append(("update_cluster_config", lambda: client().update_cluster_config(
                name=name, logging=logging_config(desired.get("logging")))))
        if (touches(changed_fields, "networking.endpoint_public_access")
                or touches(changed_fields, "networking.endpoint_private_access")):
            steps.append(("update_cluster_config", lambda: client().update_cluster_config(
                name=name, resourcesVpcConfig=endpoint_access(current, desired))))
        if touches(changed_fields, "kubernetes_version"):
            # Real EKS upgrades one minor version per call. moto 5.2.5 does not
            # implement UpdateClusterVersion (HTTP 404): that ApiError is surfaced.
            steps.append(("update_cluster_version", lambda: client().update_cluster_version(
                name=name, version=desired["kubernetes_version"])))
        self.run_steps(("zone", name), steps)

    def _update_tags(self, name, current, desired):
        arn = self._cluster(name)["arn"]
        add = dict((k, v) for k, v in desired.items() if current.get(k) != v)
        remove = sorted(k for k in current if k not in desired)
        if add:
            self.api("tag_resource", resourceArn=arn, tags=add)
        if remove:
            self.api("untag_resource", resourceArn=arn, tagKeys=remove)

    def _wait_active(self, name, timeout):
        return wait_for(lambda: self.zone_ready(name), timeout,
                        "eks zone %s: waiting for ACTIVE" % name)

    def delete_zone(self, current):
        name = current["name"]
        pools = self._nodegroup_names(name)
        for pool in pools:
            ng = self._nodegroup(name, pool)
            if ng and ng.get("status") != "DELETING":
                self.api("delete_nodegroup", clusterName=name, nodegroupName=pool)
        if pools:
            wait_for(lambda: self._nodegroups_gone(name), self.nodegroup_delete_timeout,
                     "eks zone %s: waiting for node groups to be deleted" % name)
        self.api("delete_cluster", name=name)

    def _nodegroups_gone(self, name):
        left = self._nodegroup_names(name)
        return (not left, None, "node groups left: %s" % ", ".join(left) if left else "none left")

    def zone_ready(self, name):
        return self.ready(("zone", name), "cluster %s" % name, lambda: self._cluster(name),
                          lambda cluster: normalize_cluster(cluster, self.region))

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
    def list_zones(self):
        names, token = [], None
        while True:
            page = self.api("list_clusters", **({"nextToken": token} if token else {}))
            names.extend(page.get("clusters") or [])
            token = page.get("nextToken")
            if not token:
                break
        clusters = all_or_raise(self._cluster, names, WORKERS)
        return [normalize_cluster(c, self.region) for c in clusters
                if c is not None and (c.get("tags") or {}).get(MANAGED_BY_TAG) == MANAGED_BY]

    def _nodegroup_names(self, zone_name):
        names, token = [], None
        while True:
            kwargs = {"clusterName": zone_name}
            if token:
                kwargs["nextToken"] = token
            page = self.api("list_nodegroups", **kwargs)
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
            kwargs["taints"] = [eks_taint(t) for t in normalize_taints(desired["taints"])]
        if desired.get("disk_size_gb"):
            kwargs["diskSize"] = int(desired["disk_size_gb"])
        self.api("create_nodegroup", **kwargs)

    def update_node_pool(self, zone_name, current, desired, changed_fields):
        ng = self._nodegroup(zone_name, current["name"])
        if ng is None:
            raise ApiError("EKS node group %s/%s not found" % (zone_name, current["name"]),
                           code="ResourceNotFoundException")
        kwargs = {}
        if touches(changed_fields, "labels"):
            labels = label_update(ng.get("labels") or {}, pool_labels(desired))
            if labels:
                kwargs["labels"] = labels
        if touches(changed_fields, "taints"):
            taints = taint_update(current.get("taints"), desired.get("taints"))
            if taints:
                kwargs["taints"] = taints
        if touches(changed_fields, "autoscaling"):
            scaling = scaling_config(desired["autoscaling"])
            if scaling != dict((k, int(v)) for k, v in (ng.get("scalingConfig") or {}).items()):
                kwargs["scalingConfig"] = scaling
        if kwargs:
            self.api("update_nodegroup_config", clusterName=zone_name,
                     nodegroupName=current["name"], **kwargs)

    def delete_node_pool(self, zone_name, current):
        self.api("delete_nodegroup", clusterName=zone_name, nodegroupName=current["name"])

    def node_pool_ready(self, zone_name, pool_name):
        return self.ready(("pool", zone_name, pool_name), "node group %s/%s" % (zone_name, pool_name),
                          lambda: self._nodegroup(zone_name, pool_name),
                          lambda ng: normalize_nodegroup(ng, self._gpu))


PROVIDER = EksProvider
