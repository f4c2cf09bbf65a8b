# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stateful loopback test double of the GKE control-plane API (container.googleapis.com v1).

This is a test double, not Google Cloud. It speaks the REST wire protocol that
google-cloud-container's ``transport="rest"`` uses (query
``$alt=json;enum-encoding=int``, enums as integers; see
../../../shared/reference/cloud-sdk-testing.md):

- POST/GET/DELETE ``/v1/projects/{p}/locations/{l}/clusters[/{c}]``,
  PUT ``clusters/{c}`` (``{"update": ClusterUpdate}``, one update at a time as
  GKE requires), POST ``clusters/{c}:setResourceLabels`` (label fingerprint
  checked);
- POST/GET/DELETE ``clusters/{c}/nodePools[/{np}]``, PUT ``nodePools/{np}``
  (UpdateNodePoolRequest), POST ``nodePools/{np}:setAutoscaling`` and
  ``:setSize``;
- GET ``/v1/projects/{p}/locations/{l}/operations/{op}``: every mutation
  returns an Operation going PENDING -> RUNNING -> DONE, with ``error`` set
  when it failed.

Request bodies are parsed against the API's own message definitions (the
protos shipped with google-cloud-container), so an unknown field or a bad
enum value is rejected with 400 INVALID_ARGUMENT as the real API does.
Errors have the real shape ``{"error": {"code", "message", "status"}}``:
404 NOT_FOUND, 409 ALREADY_EXISTS, 400 FAILED_PRECONDITION while another
operation runs on the cluster.

Test hooks: ``calls``, ``write_calls()``, ``inject_error()``,
``fail_next_operation()`` (an operation that ends DONE with an error, e.g.
RESOURCE_EXHAUSTED quota), ``op_seconds`` (how long operations run),
``latency``, ``reset()``. Never imported by plugins/.
"""

from __future__ import absolute_import, division, print_function

import base64
import datetime
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from google.cloud import container_v1
from google.protobuf import json_format

from doubles.latency import Latencies, TimedDouble

# enum values (the wire carries integers)
OP_PENDING, OP_RUNNING, OP_DONE = 1, 2, 3
CL_PROVISIONING, CL_RUNNING, CL_RECONCILING, CL_STOPPING, CL_ERROR = 1, 2, 3, 4, 5
NP_PROVISIONING, NP_RUNNING, NP_RECONCILING, NP_STOPPING, NP_ERROR = 1, 2, 4, 5, 6
OT = container_v1.Operation.Type
#: the latency kind (doubles/latency.py) of an operation type; others are updates of their cluster or pool
OP_KINDS = {OT.CREATE_CLUSTER: "cluster_create", OT.DELETE_CLUSTER: "cluster_delete",
            OT.CREATE_NODE_POOL: "pool_create", OT.DELETE_NODE_POOL: "pool_delete"}
RPC_STATUS = {400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 409: "ALREADY_EXISTS",
              429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE",
              403: "PERMISSION_DENIED", 401: "UNAUTHENTICATED"}
RPC_CODE = {"INVALID_ARGUMENT": 3, "NOT_FOUND": 5, "ALREADY_EXISTS": 6, "PERMISSION_DENIED": 7,
            "RESOURCE_EXHAUSTED": 8, "FAILED_PRECONDITION": 9, "ABORTED": 10, "INTERNAL": 13,
            "UNAVAILABLE": 14, "UNAUTHENTICATED": 16}
NAME_RE = re.compile(r"^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$")
PARTITIONS = {
    "nvidia-tesla-a100": ("1g.5gb", "2g.10gb", "3g.20gb", "7g.40gb"),
    "nvidia-a100-80gb": ("1g.10gb", "2g.20gb", "3g.40gb", "7g.80gb"),
    "nvidia-h100-80gb": ("1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "7g.80gb"),
}
# minor -> the patch GKE gives for it; DEFAULT_MINOR when none is asked for
VERSIONS = {"1.33": "1.33.5-gke.1100", "1.34": "1.34.1-gke.1000", "1.35": "1.35.0-gke.1200"}
DEFAULT_MINOR = "1.34"
DEFAULT_VERSION = VERSIONS[DEFAULT_MINOR]
_BASE = r"^/v1/projects/(?P<p>[^/]+)/locations/(?P<l>[^/]+)"
ROUTES = [
    ("GET", _BASE + r"/operations/(?P<op>[^/:]+)$", "get_operation"),
    ("GET", _BASE + r"/serverConfig$", "server_config"),
    ("POST", _BASE + r"/clusters$", "create_cluster"),
    ("GET", _BASE + r"/clusters$", "list_clusters"),
    ("GET", _BASE + r"/clusters/(?P<c>[^/:]+)$", "get_cluster"),
    ("PUT", _BASE + r"/clusters/(?P<c>[^/:]+)$", "update_cluster"),
    ("DELETE", _BASE + r"/clusters/(?P<c>[^/:]+)$", "delete_cluster"),
    ("POST", _BASE + r"/clusters/(?P<c>[^/:]+):setResourceLabels$", "set_labels"),
    ("POST", _BASE + r"/clusters/(?P<c>[^/:]+)/nodePools$", "create_node_pool"),
    ("GET", _BASE + r"/clusters/(?P<c>[^/:]+)/nodePools$", "list_node_pools"),
    ("GET", _BASE + r"/clusters/(?P<c>[^/:]+)/nodePools/(?P<np>[^/:]+)$", "get_node_pool"),
    ("PUT", _BASE + r"/clusters/(?P<c>[^/:]+)/nodePools/(?P<np>[^/:]+)$", "update_node_pool"),
    ("DELETE", _BASE + r"/clusters/(?P<c>[^/:]+)/nodePools/(?P<np>[^/:]+)$", "delete_node_pool"),
    ("POST", _BASE + r"/clusters/(?P<c>[^/:]+)/nodePools/(?P<np>[^/:]+):setAutoscaling$", "set_autoscaling"),
    ("POST", _BASE + r"/clusters/(?P<c>[^/:]+)/nodePools/(?P<np>[^/:]+):setSize$", "set_size"),
]
ROUTES = [(m, re.compile(p), h) for m, p, h in ROUTES]
REQUEST_TYPES = {
    "create_cluster": container_v1.CreateClusterRequest,
    "update_cluster": container_v1.UpdateClusterRequest,
    "set_labels": container_v1.SetLabelsRequest,
    "create_node_pool": container_v1.CreateNodePoolRequest,
    "update_node_pool": container_v1.UpdateNodePoolRequest,
    "set_autoscaling": container_v1.SetNodePoolAutoscalingRequest,
    "set_size": container_v1.SetNodePoolSizeRequest,
}


class GkeError(Exception):
    def __init__(self, code, message, status=None):
        super(GkeError, self).__init__(message)
        self.code, self.message = code, message
        self.status = status or RPC_STATUS.get(code, "UNKNOWN")


def _ts(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(handler, body):
    """Parse a body the way the API does; return it as canonical camelCase JSON (enums as ints)."""
    msg = REQUEST_TYPES[handler].pb()()
    try:
        json_format.ParseDict(body or {}, msg)
    except json_format.ParseError as exc:
        raise GkeError(400, "Invalid JSON payload received. %s" % exc)
    return json_format.MessageToDict(msg, use_integers_for_enums=True)


class GkeServer(TimedDouble):
    """Start with ``GkeServer().start()``; ``endpoint`` is the SDK's api_endpoint."""

    def __init__(self, op_seconds=0.0, latency=0.0, kube_endpoint="127.0.0.1", kube_ca_pem=None, latencies=None):
        # how long operations take, by kind (doubles/latency.py); op_seconds sets them all alike
        self.latencies = latencies or Latencies.flat(op_seconds)
        self.latency = latency
        self.kube_endpoint = kube_endpoint
        self.kube_ca_pem = kube_ca_pem or b"-----BEGIN CERTIFICATE-----\nZ2tlLWRvdWJsZQ==\n-----END CERTIFICATE-----\n"
        self.lock = threading.RLock()
        self.clusters = {}     # (project, location, name) -> cluster dict
        self.operations = {}   # name -> operation dict (+ private keys starting with _)
        self.calls = []
        self._errors = []
        self._op_failures = []
        self._httpd = None
        self.endpoint = None

    # lifecycle ---------------------------------------------------------
    def start(self):
        handler = type("GkeHandler", (_Handler,), {"double": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self.endpoint = "http://127.0.0.1:%d" % self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def reset(self):
        with self.lock:
            self.clusters.clear()
            self.operations.clear()
            del self.calls[:]
            del self._errors[:]
            del self._op_failures[:]
            self.latencies = Latencies.flat(0.0)
            self.latency = 0.0

    # test hooks --------------------------------------------------------
    def inject_error(self, code, message, method=None, path=r".", times=1, status=None):
        """Answer the next `times` matching requests with an error body."""
        with self.lock:
            self._errors.append(dict(code=code, message=message, status=status, method=method,
                                     path=re.compile(path), left=times))

    def fail_next_operation(self, status="RESOURCE_EXHAUSTED", message=None, path=r".", method=None):
        """Make the next matching operation end DONE with an error."""
        message = message or ("Insufficient regional quota to satisfy request: resource "
                              "\"NVIDIA_A100_80GB_GPUS\": request requires '8.0' and is short '8.0'. "
                              "project has a quota of '0.0' with '0.0' available.")
        with self.lock:
            self._op_failures.append(dict(status=status, message=message, method=method,
                                          path=re.compile(path)))

    def write_calls(self):
        return [c for c in self.calls if c["method"] != "GET"]

    def control_calls(self):
        return [c for c in self.calls if "/operations/" not in c["path"]]

    # request handling ---------------------------------------------------
    def handle(self, method, raw_path, body_bytes):
        url = urlsplit(raw_path)
        query = dict((k, v[-1]) for k, v in parse_qs(url.query).items())
        entry = {"method": method, "path": url.path, "query": query, "body": None, "status": 200}
        with self.lock:
            self.calls.append(entry)
        try:
            body = None
            if body_bytes:
                try:
                    body = json.loads(body_bytes.decode("utf-8"))
                except ValueError as exc:
                    raise GkeError(400, "Invalid JSON payload received. %s" % exc)
                entry["body"] = body
            with self.lock:
                for inj in self._errors:
                    if inj["left"] > 0 and inj["method"] in (None, method) and inj["path"].search(url.path):
                        inj["left"] -= 1
                        raise GkeError(inj["code"], inj["message"], inj["status"])
                payload = self._route(method, url.path, body)
            status = 200
        except GkeError as err:
            status = err.code
            payload = {"error": {"code": err.code, "message": err.message, "status": err.status}}
        entry["status"] = status
        if self.latency:
            time.sleep(self.latency)
        return status, payload

    def _route(self, method, path, body):
        for verb, regex, handler in ROUTES:
            m = regex.match(path)
            if m and verb == method:
                args = m.groupdict()
                if handler in REQUEST_TYPES:
                    body = _parse(handler, body)
                return getattr(self, "_" + handler)(args, body)
        raise GkeError(404, "Requested entity was not found: %s %s" % (method, path))

    # helpers -------------------------------------------------------------
    def _cluster(self, a):
        cl = self.clusters.get((a["p"], a["l"], a["c"]))
        if cl is None:
            raise GkeError(404, "Not found: projects/%s/locations/%s/clusters/%s." % (a["p"], a["l"], a["c"]))
        return cl

    def _pool(self, a):
        cl = self._cluster(a)
        for np in cl.get("nodePools", []):
            if np["name"] == a["np"]:
                return cl, np
        raise GkeError(404, "Not found: projects/%s/locations/%s/clusters/%s/nodePools/%s."
                       % (a["p"], a["l"], a["c"], a["np"]))

    def _idle(self, a, pool=None):
        """GKE runs one cluster-level operation at a time, or one per node pool (its concurrent-operations page):
        a cluster operation waits for every other; a node pool operation for cluster ones and its own pool's."""
        for op in self.operations.values():
            if op["_cluster"] != (a["p"], a["l"], a["c"]):
                continue
            if pool is not None and op["_pool"] is not None and op["_pool"] != pool:
                continue
            if self._advance(op)["status"] != OP_DONE:
                raise GkeError(400, "Operation %s (%s) is currently operating on cluster %s. Please wait and "
                               "try again once it is done." % (op["name"], OT(op["operationType"]).name, a["c"]),
                               "FAILED_PRECONDITION")

    def _op(self, a, op_type, target, on_done, on_fail=None):
        path = target
        failure = None
        for fail in self._op_failures:
            if fail["method"] in (None, op_type.name) and fail["path"].search(path):
                failure = fail
                self._op_failures.remove(fail)
                break
        now = time.time()
        pool = target.split("/nodePools/", 1)[1] if "/nodePools/" in target else None
        name = "operation-%d-%s" % (int(now * 1000), uuid.uuid4().hex[:8])
        op = {"name": name, "zone": a["l"], "location": a["l"], "operationType": int(op_type),
              "status": OP_PENDING, "selfLink": "https://container.googleapis.com/v1/projects/%s/locations/%s/"
              "operations/%s" % (a["p"], a["l"], name), "targetLink": "https://container.googleapis.com/v1/"
              + target, "startTime": _ts(now),
              "_cluster": (a["p"], a["l"], a["c"]), "_pool": pool,
              "_done_at": now + self.latencies.of(
                  OP_KINDS.get(op_type) or ("pool_update" if pool else "cluster_update")),
              "_polled": False,
              "_on_done": on_done, "_on_fail": on_fail, "_failure": failure}
        self.operations[name] = op
        return self._public(op)

    def _advance(self, op):
        if op["status"] == OP_DONE:
            return op
        if time.time() < op["_done_at"]:
            op["status"] = OP_RUNNING
            return op
        op["status"] = OP_DONE
        op["endTime"] = _ts(time.time())
        if op["_failure"]:
            st = op["_failure"]["status"]
            op["error"] = {"code": RPC_CODE.get(st, 2), "message": op["_failure"]["message"]}
            op["statusMessage"] = op["_failure"]["message"]
            if op["_on_fail"]:
                op["_on_fail"](op["_failure"]["message"])
        else:
            op["_on_done"]()
        return op

    @staticmethod
    def _public(op):
        return dict((k, v) for k, v in op.items() if not k.startswith("_"))

    def tick(self):
        with self.lock:
            for op in list(self.operations.values()):
                self._advance(op)

    # operations ----------------------------------------------------------
    def _get_operation(self, a, body):
        op = self.operations.get(a["op"])
        if op is None:
            raise GkeError(404, "Not found: operation %s." % a["op"])
        return self._public(self._advance(op))

    def _server_config(self, a, body):
        patches = sorted(VERSIONS.values(), key=_vt, reverse=True)
        return {"defaultClusterVersion": DEFAULT_VERSION, "validMasterVersions": patches,
                "validNodeVersions": patches, "defaultImageType": "COS_CONTAINERD",
                "validImageTypes": ["COS_CONTAINERD", "UBUNTU_CONTAINERD"]}

    # clusters --------------------------------------------------------------
    def _list_clusters(self, a, body):
        return {"clusters": [c for k, c in sorted(self.clusters.items()) if k[:2] == (a["p"], a["l"])]}

    def _get_cluster(self, a, body):
        return self._cluster(a)

    def _create_cluster(self, a, body):
        spec = body.get("cluster") or {}
        name = spec.get("name", "")
        if not NAME_RE.match(name):
            raise GkeError(400, "Invalid value for field 'cluster.name': %r. Must be a match of regex "
                           "'(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)' (only alphanumerics and '-' allowed, "
                           "must start with a letter and end with an alphanumeric, and must be no longer "
                           "than 40 characters)." % name)
        a = dict(a, c=name)
        if (a["p"], a["l"], name) in self.clusters:
            raise GkeError(409, "Already exists: projects/%s/locations/%s/clusters/%s." % (a["p"], a["l"], name))
        pools = spec.pop("nodePools", None)
        if not pools and "initialNodeCount" not in spec:
            raise GkeError(400, "Cluster.initial_node_count must be greater than zero, or at least one "
                           "node pool must be specified.")
        if not pools:
            pools = [{"name": "default-pool", "initialNodeCount": spec.pop("initialNodeCount"),
                      "config": spec.pop("nodeConfig", {})}]
        version = _resolve(spec.get("initialClusterVersion") or "-", "cluster.initial_cluster_version")
        cl = dict(spec)
        cl.update({
            "name": name, "location": a["l"], "zone": a["l"], "status": CL_PROVISIONING,
            "endpoint": self.kube_endpoint, "currentMasterVersion": version, "currentNodeVersion": version,
            "initialClusterVersion": version, "createTime": _ts(time.time()),
            "selfLink": "https://container.googleapis.com/v1/projects/%s/locations/%s/clusters/%s"
            % (a["p"], a["l"], name),
            "masterAuth": {"clusterCaCertificate": base64.b64encode(self.kube_ca_pem).decode("ascii")},
            "labelFingerprint": uuid.uuid4().hex[:16], "nodePools": [],
        })
        for np in pools:
            cl["nodePools"].append(self._new_pool(a, np, version))
        self.clusters[(a["p"], a["l"], name)] = cl

        def done():
            cl["status"] = CL_RUNNING
            for np in cl["nodePools"]:
                np["status"] = NP_RUNNING

        def failed(msg):
            cl["status"] = CL_ERROR
            cl["statusMessage"] = msg

        return self._op(a, OT.CREATE_CLUSTER, "projects/%s/locations/%s/clusters/%s" % (a["p"], a["l"], name),
                        done, failed)

    def _update_cluster(self, a, body):
        cl = self._cluster(a)
        upd = dict(body.get("update") or {})
        upd.pop("etag", None)
        if len(upd) != 1:
            raise GkeError(400, "At most one update can be specified." if upd else
                           "Must specify a field to update.")
        self._idle(a)
        field, value = list(upd.items())[0]
        changes = {}
        if field == "desiredMasterVersion":
            target = _resolve(value, "update.desired_master_version")
            if _vt(target) < _vt(cl["currentMasterVersion"]):
                raise GkeError(400, "Master cannot be downgraded from %s to %s."
                               % (cl["currentMasterVersion"], value))
            if _vt(target)[1] > _vt(cl["currentMasterVersion"])[1] + 1:
                raise GkeError(400, "Master cannot be upgraded from %s to %s: upgrade one minor version "
                               "at a time." % (cl["currentMasterVersion"], value))
            changes["currentMasterVersion"] = target
            op_type = OT.UPGRADE_MASTER
        elif field == "desiredLoggingConfig":
            changes["loggingConfig"] = value
            op_type = OT.UPDATE_CLUSTER
        elif field == "desiredMasterAuthorizedNetworksConfig":
            changes["masterAuthorizedNetworksConfig"] = value
            op_type = OT.UPDATE_CLUSTER
        else:
            raise GkeError(400, "Update of %s is not supported by this test double." % field)
        cl["status"] = CL_RECONCILING

        def done():
            cl.update(changes)
            cl["status"] = CL_RUNNING

        def failed(msg):
            cl["status"] = CL_RUNNING
        return self._op(a, op_type, "projects/%s/locations/%s/clusters/%s" % (a["p"], a["l"], a["c"]),
                        done, failed)

    def _set_labels(self, a, body):
        cl = self._cluster(a)
        fp = body.get("labelFingerprint")
        if not fp:
            raise GkeError(400, "Label fingerprint must be specified.")
        if fp != cl["labelFingerprint"]:
            raise GkeError(400, "Labels could not be set due to fingerprint mismatch.", "FAILED_PRECONDITION")
        labels = body.get("resourceLabels") or {}
        for k, v in labels.items():
            if not re.match(r"^[a-z][a-z0-9_-]{0,62}$", k) or not re.match(r"^[a-z0-9_-]{0,63}$", v):
                raise GkeError(400, "Invalid value for field 'resource.labels': %s=%s. Label keys and values "
                               "may contain only lowercase letters, numbers, '-' and '_'." % (k, v))
        self._idle(a)

        def done():
            cl["resourceLabels"] = dict(labels)
            cl["labelFingerprint"] = uuid.uuid4().hex[:16]
        return self._op(a, OT.SET_LABELS, "projects/%s/locations/%s/clusters/%s" % (a["p"], a["l"], a["c"]),
                        done)

    def _delete_cluster(self, a, body):
        cl = self._cluster(a)
        self._idle(a)
        cl["status"] = CL_STOPPING
        key = (a["p"], a["l"], a["c"])

        def done():
            self.clusters.pop(key, None)

        def failed(msg):
            cl["status"] = CL_ERROR
        return self._op(a, OT.DELETE_CLUSTER, "projects/%s/locations/%s/clusters/%s" % key, done, failed)

    # node pools --------------------------------------------------------------
    def _new_pool(self, a, np, version):
        name = np.get("name", "")
        if not NAME_RE.match(name):
            raise GkeError(400, "Invalid value for field 'node_pool.name': %r." % name)
        count = np.get("initialNodeCount", 0)
        auto = np.get("autoscaling") or {}
        if auto.get("enabled") and auto.get("minNodeCount", 0) > auto.get("maxNodeCount", 0):
            raise GkeError(400, "Invalid value for field 'node_pool.autoscaling.min_node_count': min_node_count "
                           "(%s) must be less than or equal to max_node_count (%s)."
                           % (auto.get("minNodeCount", 0), auto.get("maxNodeCount", 0)))
        if auto.get("enabled") and auto.get("maxNodeCount", 0) < 1:
            raise GkeError(400, "Invalid value for field 'node_pool.autoscaling.max_node_count': must be > 0.")
        if count < 0:
            raise GkeError(400, "Invalid value for field 'node_pool.initial_node_count': must be >= 0.")
        cfg = dict(np.get("config") or {})
        cfg.setdefault("machineType", "e2-medium")
        cfg.setdefault("diskSizeGb", 100)
        cfg.setdefault("imageType", "COS_CONTAINERD")
        self._check_config(cfg)
        pool = dict(np)
        pool.update({"config": cfg, "initialNodeCount": count,
                     "version": _resolve(np["version"], "node_pool.version") if np.get("version") else version,
                     "status": NP_PROVISIONING, "selfLink": "https://container.googleapis.com/v1/projects/%s/"
                     "locations/%s/clusters/%s/nodePools/%s" % (a["p"], a["l"], a["c"], name),
                     "instanceGroupUrls": ["https://www.googleapis.com/compute/v1/projects/%s/zones/%s-a/"
                                           "instanceGroupManagers/gke-%s-%s-grp" % (a["p"], a["l"], a["c"], name)],
                     "etag": uuid.uuid4().hex[:16]})
        return pool

    @staticmethod
    def _check_config(cfg):
        for taint in cfg.get("taints") or []:
            if not taint.get("key") or not taint.get("effect"):
                raise GkeError(400, "Invalid value for field 'node_pool.config.taints': key and effect are "
                               "required.")
        for key in cfg.get("labels") or {}:
            if key.startswith(("cloud.google.com/", "kubernetes.io/", "k8s.io/")):
                raise GkeError(400, "Invalid value for field 'node_pool.config.labels': %r uses a reserved "
                               "prefix." % key)
        for acc in cfg.get("accelerators") or []:
            if acc.get("acceleratorCount", "0") in ("0", 0) or not acc.get("acceleratorType"):
                raise GkeError(400, "Invalid value for field 'node_pool.config.accelerators': "
                               "accelerator_type and accelerator_count > 0 are required.")
            part = acc.get("gpuPartitionSize")
            if part and part not in PARTITIONS.get(acc["acceleratorType"], ()):
                raise GkeError(400, "Invalid value for field 'node_pool.config.accelerators.gpu_partition_size':"
                               " %r is not a valid partition size for %s (valid: %s)."
                               % (part, acc["acceleratorType"],
                                  ", ".join(PARTITIONS.get(acc["acceleratorType"], ())) or "none"))
            share = acc.get("gpuSharingConfig") or {}
            if share and not 2 <= int(share.get("maxSharedClientsPerGpu", "0")) <= 48:
                raise GkeError(400, "Invalid value for field 'node_pool.config.accelerators.gpu_sharing_config"
                               ".max_shared_clients_per_gpu': must be between 2 and 48.")
        if cfg.get("spot") and cfg.get("preemptible"):
            raise GkeError(400, "Only one of spot and preemptible may be set.")

    def _list_node_pools(self, a, body):
        return {"nodePools": list(self._cluster(a).get("nodePools", []))}

    def _get_node_pool(self, a, body):
        return self._pool(a)[1]

    def _create_node_pool(self, a, body):
        cl = self._cluster(a)
        spec = body.get("nodePool") or {}
        if any(np["name"] == spec.get("name") for np in cl["nodePools"]):
            raise GkeError(409, "Already exists: projects/%s/locations/%s/clusters/%s/nodePools/%s."
                           % (a["p"], a["l"], a["c"], spec.get("name")))
        self._idle(a, pool=spec.get("name"))
        pool = self._new_pool(a, spec, cl["currentMasterVersion"])
        cl["nodePools"].append(pool)

        def done():
            pool["status"] = NP_RUNNING

        def failed(msg):
            pool["status"] = NP_ERROR
            pool["statusMessage"] = msg
        return self._op(a, OT.CREATE_NODE_POOL, "projects/%s/locations/%s/clusters/%s/nodePools/%s"
                        % (a["p"], a["l"], a["c"], pool["name"]), done, failed)

    def _pool_op(self, a, op_type, apply):
        cl, pool = self._pool(a)
        self._idle(a, pool=a["np"])
        pool["status"] = NP_RECONCILING

        def done():
            apply(pool)
            pool["status"] = NP_RUNNING
            pool["etag"] = uuid.uuid4().hex[:16]

        def failed(msg):
            pool["status"] = NP_RUNNING
        return self._op(a, op_type, "projects/%s/locations/%s/clusters/%s/nodePools/%s"
                        % (a["p"], a["l"], a["c"], a["np"]), done, failed)

    def _update_node_pool(self, a, body):
        cl, pool = self._pool(a)
        for ident in ("projectId", "zone", "clusterId", "nodePoolId", "name"):
            body.pop(ident, None)
        if not body.get("nodeVersion") and not body.get("imageType") and len(body) == 0:
            raise GkeError(400, "Must specify a field to update.")
        cfg = dict(pool["config"])
        if "labels" in body:
            cfg["labels"] = dict((body["labels"] or {}).get("labels") or {})
        if "taints" in body:
            cfg["taints"] = list((body["taints"] or {}).get("taints") or [])
        if "resourceLabels" in body:
            cfg["resourceLabels"] = dict((body["resourceLabels"] or {}).get("labels") or {})
        for field in ("machineType", "diskSizeGb", "diskType", "accelerators"):
            if field in body:
                cfg[field] = body[field]
        self._check_config(cfg)
        version = body.get("nodeVersion")
        if version:
            version = _resolve(version, "node_version") if version != "-" else cl["currentMasterVersion"]
        if version and _vt(version) > _vt(cl["currentMasterVersion"]):
            raise GkeError(400, "Node version %s must not be newer than the master version %s."
                           % (version, cl["currentMasterVersion"]))

        def apply(p):
            p["config"] = cfg
            if version:
                p["version"] = version
        op_type = OT.UPGRADE_NODES if version else OT.UPDATE_CLUSTER
        return self._pool_op(a, op_type, apply)

    def _set_autoscaling(self, a, body):
        auto = body.get("autoscaling") or {}
        if auto.get("enabled") and auto.get("minNodeCount", 0) > auto.get("maxNodeCount", 0):
            raise GkeError(400, "Invalid value for field 'autoscaling.min_node_count': must be less than or "
                           "equal to max_node_count.")

        def apply(p):
            p["autoscaling"] = auto
        return self._pool_op(a, OT.SET_NODE_POOL_MANAGEMENT, apply)

    def _set_size(self, a, body):
        count = body.get("nodeCount", 0)
        if count < 0:
            raise GkeError(400, "Invalid value for field 'node_count': must be >= 0.")
        self._pool(a)
        # NodePool has no "current size" field: the size lives in the instance groups.
        return self._pool_op(a, OT.SET_NODE_POOL_SIZE, lambda p: None)

    def _delete_node_pool(self, a, body):
        cl, pool = self._pool(a)
        self._idle(a, pool=a["np"])
        pool["status"] = NP_STOPPING

        def done():
            cl["nodePools"] = [p for p in cl["nodePools"] if p is not pool]
        return self._op(a, OT.DELETE_NODE_POOL, "projects/%s/locations/%s/clusters/%s/nodePools/%s"
                        % (a["p"], a["l"], a["c"], a["np"]), done)


def _resolve(version, field):
    """'-' / 'latest' / '1.34' / a full patch -> the full version GKE would run."""
    if version in ("-", None, ""):
        return DEFAULT_VERSION
    if version == "latest":
        return max(VERSIONS.values(), key=_vt)
    minor = ".".join(version.split(".")[:2])
    if minor in VERSIONS and (version == minor or version == VERSIONS[minor]):
        return VERSIONS[minor]
    raise GkeError(400, "Invalid value for field '%s': %r is not a supported version (supported: %s)."
                   % (field, version, ", ".join(sorted(VERSIONS))))


def _vt(version):
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    double = None

    def log_message(self, fmt, *args):
        return

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.double.tick()
        status, payload = self.double.handle(self.command, self.path, raw)
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_DELETE = do_POST = do_PATCH = _serve


if __name__ == "__main__":
    srv = GkeServer().start()
    print("GKE double on %s" % srv.endpoint)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()
