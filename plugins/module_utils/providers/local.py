# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local provider: a zone is a local control plane, a node pool a set of KWOK nodes.

Zone: a LocalControlPlane (localzone.py). Its settings (region, zone type,
logging, tags) live in aizone-zone.json inside the control plane's own
directory, next to kwokctl's kwok.yaml, so they are readable while it is
stopped and go away with it.

Node pool: its record lives in the ConfigMap kube-system/aizone-node-pool-<name>
(labelled app.kubernetes.io/managed-by=aizone.platform and
aizone.io/node-pool=<name>), so a pool scaled to zero keeps it. A pool is
read from its nodes where they carry the field (count, user labels,
taints: local_nodes.observed), the rest from the record: a run stopped
after the record and before the nodes is finished by the next. Its nodes are
KWOK nodes <pool>-<index> carrying what a cloud node carries: the pool
labels, instance type, topology, GPU feature discovery labels, the pool's
taints, and capacity/allocatable from the instance catalog. The local
provider simulates AWS instance types (catalog cloud "aws"), so a node
carries the labels an EKS managed node group's node does.

Spot: nodes of a spot pool carry karpenter.sh/capacity-type=spot (the
label Karpenter sets on AWS and Azure) and eks.amazonaws.com/capacityType=SPOT
(what EKS managed node groups set), on-demand ones the on-demand values.
Like EKS, no taint is added on its own: a spot taint is one of the pool's
`taints` when the user asks for it.

Reads are two list calls (pool ConfigMaps, then every pool node by label
selector); writes go out concurrently, only for nodes that differ.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile

from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.concurrency import all_or_raise
from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply_exec import APPLY_CONTENT_TYPE
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    CONDITION_TAINT_PREFIXES, LABEL_MANAGED_BY, MANAGED_BY, POOL_LABEL, STORAGE_CLASS_LABEL)
from ansible_collections.aizone.platform.plugins.module_utils.providers.base import Provider
from ansible_collections.aizone.platform.plugins.module_utils.providers.local_nodes import (
    is_ready, node_body, node_index, observed, user_taints)

POOL_NAMESPACE = "kube-system"
POOL_CM_PREFIX = "aizone-node-pool-"
ZONE_FILE = "aizone-zone.json"
DEFAULT_REGION = "local"
LOCAL_NETWORKING = {"subnets": [], "security_groups": [],
                    "endpoint_public_access": False, "endpoint_private_access": True}
WORKERS = 8
#: labels GPU Feature Discovery owns on a node: a pool update leaves them to gpu_sharing
GFD_LABEL_PREFIX = "nvidia.com/"
POOL_SPEC_KEYS = ("type", "instance_type", "autoscaling", "labels", "taints", "capacity_type", "disk_size_gb")


def _short_version(version):
    parts = version.lstrip("v").split(".")
    return "%s.%s" % (parts[0], parts[1])


class LocalProvider(Provider):
    """Zones on a local control plane, node pools as KWOK nodes."""

    name = "local"
    zone_updatable = ("tags", "logging")
    #: a zone with a dead component is started again (its healthy components stopped first)
    start_statuses = ("STOPPED", "DEGRADED")
    node_pool_updatable = ("labels", "taints", "autoscaling")

    def __init__(self, params):
        super(LocalProvider, self).__init__(params)
        self._planes = {}
        self._rests = {}
        self._nodes = {}

    # plumbing ----------------------------------------------------------
    def _plane(self, name):
        if name not in self._planes:
            from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane
            self._planes[name] = LocalControlPlane(name, bin_dir=self.params.get("binaries_dir"),
                                                   workdir=self.params.get("workdir"))
        return self._planes[name]

    def _rest(self, zone_name):
        if zone_name not in self._rests:
            from ansible_collections.aizone.platform.plugins.module_utils.k8s import client
            self._rests[zone_name] = (client.connect_config(self._kubeconfig(zone_name)) if self.params.get("endpoint_url")
                                      else client.connect({"kubeconfig": self._plane(zone_name).kubeconfig_path}))
        return self._rests[zone_name]

    def _kubeconfig(self, zone_name):
        """The zone's kubeconfig; its server is endpoint_url when set (a proxy or balancer in front of the API
        server, which must serve the API server's certificate)."""
        config = self._plane(zone_name).kubeconfig()
        if self.params.get("endpoint_url"):
            for cluster in config.get("clusters") or []:
                cluster["cluster"]["server"] = self.params["endpoint_url"].rstrip("/")
        return config

    def request_counts(self):
        """{zone: Counter(method -> requests)} made by this provider instance."""
        return dict((zone, dict(rest.counts)) for zone, rest in self._rests.items())

    def _meta_path(self, name):
        return os.path.join(self._plane(name).cluster_dir, ZONE_FILE)

    def _read_meta(self, name):
        try:
            with open(self._meta_path(name)) as handle:
                return json.load(handle)
        except (IOError, OSError, ValueError):
            return {}

    def _write_meta(self, zone):
        meta = dict((k, zone.get(k)) for k in ("region", "zone_type", "logging", "tags", "networking"))
        path = self._meta_path(zone["name"])
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".aizone-zone-")
        with os.fdopen(fd, "w") as handle:
            json.dump(meta, handle, sort_keys=True, indent=2)
        os.rename(tmp, path)

    # zones -------------------------------------------------------------
    def zone_defaults(self, desired):
        version = _short_version(self._plane(desired["name"]).version())
        wanted = desired.get("kubernetes_version")
        if wanted is not None and wanted != version:
            raise ValidationError("kubernetes_version", "local zones run the control plane built by "
                                  "hack/controlplane/build.sh; allowed values: %s" % version)
        net = desired.get("networking") or {}
        odd = sorted(k for k, v in net.items() if v is not None and v != LOCAL_NETWORKING[k])
        if odd:
            raise ValidationError("networking.%s" % odd[0], "a local zone listens on loopback only; allowed "
                                  "value: %s" % json.dumps(LOCAL_NETWORKING[odd[0]]))
        return {"region": DEFAULT_REGION, "kubernetes_version": version, "networking": dict(LOCAL_NETWORKING)}

    def get_zone(self, name):
        plane = self._plane(name)
        if not plane.exists():
            return None
        meta = self._read_meta(name)
        state, detail = plane.health()
        return {
            "name": name, "provider": self.name,
            "region": meta.get("region") or DEFAULT_REGION,
            "kubernetes_version": _short_version(plane.version()),
            "zone_type": meta.get("zone_type") or "shared",
            "networking": meta.get("networking") or dict(LOCAL_NETWORKING),
            "logging": sorted(meta.get("logging") or []),
            "tags": meta.get("tags") or {},
            "status": state.upper(),
            "status_message": detail,
            "endpoint": (self.params.get("endpoint_url") or "").rstrip("/") or plane.server(),
        }

    def list_zones(self):
        from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import zone_names
        return [z for z in (self.get_zone(n) for n in zone_names(self.params.get("workdir"))) if z is not None]

    def create_zone(self, desired):
        self._plane(desired["name"]).start()
        self._write_meta(desired)

    def update_zone(self, current, desired, changed_fields):
        self._write_meta(desired)

    def delete_zone(self, current):
        self._plane(current["name"]).delete()
        self._rests.pop(current["name"], None)

    def stop_zone(self, current):
        self._plane(current["name"]).stop()

    def start_zone(self, current):
        self._plane(current["name"]).start()

    def zone_ready(self, name):
        zone = self.get_zone(name)
        status = (zone or {}).get("status") or "absent"
        return status == "RUNNING", zone, status

    def zone_kubeconfig(self, zone):
        return self._kubeconfig(zone["name"])

    # add-on operators: processes next to the control plane ----------------
    addon_controllers = ("local", "cluster")

    def storage_volumes(self, zone_name, storage_class, volumes):
        """`count` static hostPath volumes of `size` under the zone's directory (no CSI driver here); Retain."""
        root = os.path.join(self._plane(zone_name).cluster_dir, "volumes", storage_class["name"])
        names = ["%s-%s-%d" % (zone_name, storage_class["name"], i) for i in range(volumes["count"])]
        return [{"apiVersion": "v1", "kind": "PersistentVolume",
                 "metadata": {"name": name, "labels": {STORAGE_CLASS_LABEL: storage_class["name"]}},
                 "spec": {"capacity": {"storage": volumes["size"]}, "accessModes": list(storage_class["access_modes"]),
                          "persistentVolumeReclaimPolicy": "Retain", "storageClassName": storage_class["name"],
                          "hostPath": {"path": os.path.join(root, name), "type": "DirectoryOrCreate"}}}
                for name in names]

    def database_server(self, zone_name, check_mode=False):
        return self._plane(zone_name).postgres.ensure(check_mode)

    def run_addon_process(self, zone_name, name, argv, env, health, timeout):
        return self._plane(zone_name).processes.ensure(name, argv, env, health, timeout)

    def stop_addon_process(self, zone_name, name):
        return self._plane(zone_name).processes.remove(name)

    def addon_process(self, zone_name, name):
        return self._plane(zone_name).processes.status(name)

    # node pools --------------------------------------------------------
    def _list(self, zone_name):
        rest = self._rest(zone_name)
        cms = rest.list_all(kind_info("v1", "ConfigMap").collection_path(POOL_NAMESPACE),
                            label_selector="%s=%s,%s" % (LABEL_MANAGED_BY, MANAGED_BY, POOL_LABEL))
        nodes = rest.list_all(kind_info("v1", "Node").collection_path(), label_selector=POOL_LABEL)
        by_pool = {}
        for node in nodes:
            by_pool.setdefault(node["metadata"]["labels"][POOL_LABEL], []).append(node)
        self._nodes[zone_name] = by_pool
        return cms, by_pool

    def list_node_pools(self, zone_name):
        cms, by_pool = self._list(zone_name)
        pools = {}
        for cm in cms:
            spec = json.loads((cm.get("data") or {}).get("spec") or "{}")
            name = cm["metadata"]["labels"][POOL_LABEL]
            pools[name] = self._normalize(name, spec, by_pool.get(name, []))
        return pools

    @staticmethod
    def _normalize(name, spec, nodes):
        pool = dict((k, v) for k, v in observed(spec, nodes).items() if k in POOL_SPEC_KEYS)
        pool["name"] = name
        pool["gpu"] = None
        pool["managed"] = True   # a local pool is its spec ConfigMap, which only this collection writes
        want = (spec.get("autoscaling") or {}).get("desired", 0)
        ready = sum(1 for n in nodes if is_ready(n))
        pool["node_count"], pool["ready_node_count"] = len(nodes), ready
        pool["status"] = "ACTIVE" if len(nodes) == want == ready else "SCALING"
        return pool

    def _zone_region(self, zone_name):
        return self._read_meta(zone_name).get("region") or DEFAULT_REGION

    def _put_spec(self, zone_name, pool):
        """Write the pool's record: a server-side apply, so a retried or repeated write is the same write."""
        spec = dict((k, pool.get(k)) for k in POOL_SPEC_KEYS)
        body = {
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": POOL_CM_PREFIX + pool["name"], "namespace": POOL_NAMESPACE,
                         "labels": {LABEL_MANAGED_BY: MANAGED_BY, POOL_LABEL: pool["name"]}},
            "data": {"spec": json.dumps(spec, sort_keys=True)},
        }
        self._rest(zone_name).request(
            "PATCH", kind_info("v1", "ConfigMap").object_path(body["metadata"]["name"], POOL_NAMESPACE),
            query={"fieldManager": MANAGED_BY, "force": "true"}, body=body, content_type=APPLY_CONTENT_TYPE)

    @staticmethod
    def _run_all(calls):
        all_or_raise(lambda call: call(), calls, WORKERS)

    def _sync_nodes(self, zone_name, old_pool, pool, nodes):
        """Create, delete and patch the pool's nodes so they match pool; only what differs."""
        rest = self._rest(zone_name)
        region = self._zone_region(zone_name)
        version = self._plane(zone_name).version()
        want = pool["autoscaling"]["desired"]
        existing = {}
        calls = []
        for node in nodes:
            index = node_index(pool["name"], node["metadata"]["name"])
            if index is None or index >= want:
                calls.append(self._deleter(rest, node["metadata"]["name"]))
            else:
                existing[index] = node
        removed_labels = set((old_pool or {}).get("labels") or {}) - set(pool.get("labels") or {})
        for index in range(want):
            body = node_body(pool, region, index, version)
            node = existing.get(index)
            if node is None:
                calls.append(self._creator(rest, body))
                continue
            patch = self._node_patch(node, body, removed_labels)
            if patch:
                calls.append(self._patcher(rest, body["metadata"]["name"], patch))
        self._run_all(calls)

    @staticmethod
    def _node_patch(node, body, removed_labels):
        labels = node["metadata"].get("labels") or {}
        patch = {}
        # GPU feature discovery owns nvidia.com/ labels once a node exists (GPU
        # sharing rewrites the product, replicas and MIG labels): set them only
        # on create. The instance type, and so the GPU, never changes in place.
        label_patch = dict((k, v) for k, v in body["metadata"]["labels"].items()
                           if labels.get(k) != v and not k.startswith(GFD_LABEL_PREFIX))
        label_patch.update(dict((k, None) for k in removed_labels
                                if k in labels and k not in body["metadata"]["labels"]))
        if label_patch:
            patch["metadata"] = {"labels": label_patch}
        if user_taints(node) != body["spec"]["taints"]:
            system = [t for t in (node.get("spec") or {}).get("taints") or []
                      if t["key"].startswith(CONDITION_TAINT_PREFIXES)]
            patch["spec"] = {"taints": system + body["spec"]["taints"]}
        return patch

    @staticmethod
    def _creator(rest, body):
        return lambda: rest.create(kind_info("v1", "Node").collection_path(), body)

    @staticmethod
    def _deleter(rest, name):
        def call():
            try:
                rest.request("DELETE", kind_info("v1", "Node").object_path(name))
            except ApiError as exc:
                if exc.status != 404:
                    raise
        return call

    @staticmethod
    def _patcher(rest, name, patch):
        return lambda: rest.request("PATCH", kind_info("v1", "Node").object_path(name), body=patch,
                                    content_type="application/merge-patch+json")

    def _pool_nodes(self, zone_name, name):
        by_pool = self._nodes.get(zone_name)   # one read: other threads may drop the cache meanwhile
        if by_pool is None:
            by_pool = self._list(zone_name)[1]
        return by_pool.get(name, [])

    def create_node_pool(self, zone_name, desired):
        catalog.get("local", desired["instance_type"])
        self._put_spec(zone_name, desired)
        self._sync_nodes(zone_name, None, desired, self._pool_nodes(zone_name, desired["name"]))
        self._nodes.pop(zone_name, None)

    def update_node_pool(self, zone_name, current, desired, changed_fields):
        self._put_spec(zone_name, desired)
        self._sync_nodes(zone_name, current, desired, self._pool_nodes(zone_name, desired["name"]))
        self._nodes.pop(zone_name, None)

    def delete_node_pool(self, zone_name, current):
        rest = self._rest(zone_name)
        rest.request("DELETE", kind_info("v1", "Node").collection_path(),
                     query={"labelSelector": "%s=%s" % (POOL_LABEL, current["name"])})
        try:
            rest.request("DELETE", kind_info("v1", "ConfigMap").object_path(POOL_CM_PREFIX + current["name"],
                                                                            POOL_NAMESPACE))
        except ApiError as exc:
            if exc.status != 404:
                raise
        self._nodes.pop(zone_name, None)

    def predicted_node_pool(self, pool):
        wanted = pool["autoscaling"]["desired"]
        return dict(pool, node_count=wanted, ready_node_count=wanted, status="ACTIVE")

    def node_pool_ready(self, zone_name, pool_name):
        pool = self.list_node_pools(zone_name).get(pool_name)
        if pool is None:
            return False, None, "absent"
        state = "%s: %d nodes, %d ready" % (pool["status"], pool["node_count"], pool["ready_node_count"])
        return pool["status"] == "ACTIVE", pool, state


PROVIDER = LocalProvider
