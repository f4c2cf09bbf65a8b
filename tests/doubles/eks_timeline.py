"""EKS operations that take time, in front of moto (which finishes every operation at once).

The counting proxy (counting_proxy.py) hands every EKS request to a
timeline before forwarding it and every answer after. The timeline notes
when a cluster or node group operation started, and for its duration (a
doubles/latency.py kind) rewrites what moto answers, as EKS would:

- Describe of a cluster or node group being created, updated or deleted says
  CREATING, UPDATING or DELETING; when the time is up, moto's own answer;
- moto deletes at once, so a node group or cluster being deleted is answered
  from its last description (DELETING) and still listed until its time is up;
- like EKS, a node group that is not ACTIVE refuses updates and deletes, and a
  cluster refuses to be deleted while it has node groups
  (ResourceInUseException), so a caller that does not wait is caught.

Test double only: never imported by plugins/.
"""

import copy
import json
import re
import threading
import time

_CLUSTER = re.compile(r"^/clusters/(?P<cluster>[^/]+)(/update-config|/updates)?$")
_NODEGROUPS = re.compile(r"^/clusters/(?P<cluster>[^/]+)/node-groups$")
_NODEGROUP = re.compile(r"^/clusters/(?P<cluster>[^/]+)/node-groups/(?P<nodegroup>[^/]+)(/.*)?$")
_STARTS = {
    "CreateCluster": "cluster_create", "UpdateClusterConfig": "cluster_update", "UpdateClusterVersion": "cluster_update",
    "DeleteCluster": "cluster_delete", "CreateNodegroup": "pool_create", "UpdateNodegroupConfig": "pool_update",
    "UpdateNodegroupVersion": "pool_update", "DeleteNodegroup": "pool_delete",
}
_STATUS = {"create": "CREATING", "update": "UPDATING", "delete": "DELETING"}


def _key(path):
    """("nodegroup", cluster, name) or ("cluster", name) of a request path, or None."""
    match = _NODEGROUP.match(path)
    if match:
        return ("nodegroup", match.group("cluster"), match.group("nodegroup"))
    match = _CLUSTER.match(path)
    if match:
        return ("cluster", match.group("cluster"))
    return None


def _error(code, message, status=409):
    return status, [("x-amzn-ErrorType", code), ("Content-Type", "application/json")], \
        json.dumps({"__type": code, "message": message}).encode()


class EksTimeline(object):
    """before(action, path) -> a whole answer or None; after(action, path, body, status) -> the body to send."""

    def __init__(self, latencies, clock=time.time):
        self.latencies = latencies
        self.clock = clock
        self.lock = threading.Lock()
        self.running = {}   # key -> {"verb", "until", "body" (the last description, for deletes)}

    def _active(self, key):
        entry = self.running.get(key)
        if entry is not None and self.clock() >= entry["until"]:
            del self.running[key]
            return None
        return entry

    def _busy_answer(self, action, key):
        entry = self._active(key) if key else None
        if entry is not None and action in ("UpdateNodegroupConfig", "UpdateNodegroupVersion", "DeleteNodegroup",
                                            "UpdateClusterConfig", "UpdateClusterVersion", "DeleteCluster"):
            return _error("ResourceInUseException", "%s %s is currently %s" % (key[0], key[-1], _STATUS[entry["verb"]]))
        if action == "DeleteCluster" and key and any(k[0] == "nodegroup" and k[1] == key[1] and self._active(k)
                                                     for k in list(self.running)):
            return _error("ResourceInUseException", "Cluster has nodegroups attached")
        return None

    def before(self, action, path):
        key = _key(path)
        with self.lock:
            busy = self._busy_answer(action, key)
            if busy is not None:
                return busy
            entry = self._active(key) if key else None
            if entry is not None and entry["verb"] == "delete" and action in ("DescribeNodegroup", "DescribeCluster"):
                field = "nodegroup" if key[0] == "nodegroup" else "cluster"
                body = copy.deepcopy(entry["body"])
                body["status"] = "DELETING"
                return 200, [("Content-Type", "application/json")], json.dumps({field: body}).encode()
        return None

    def after(self, action, path, status, data):
        if status >= 300:
            return data
        key = _key(path)
        with self.lock:
            if action in _STARTS and key is None:   # CreateCluster / CreateNodegroup post to the collection
                body = json.loads(data or b"{}")
                obj = body.get("nodegroup") or body.get("cluster") or {}
                key = (("nodegroup", obj.get("clusterName"), obj.get("nodegroupName")) if "nodegroup" in body
                       else ("cluster", obj.get("name")))
            if action in _STARTS:
                kind = _STARTS[action]
                body = json.loads(data or b"{}")
                self.running[key] = {"verb": kind.split("_")[1], "until": self.clock() + self.latencies.of(kind),
                                     "body": body.get("nodegroup") or body.get("cluster") or {}}
                return data
            if action in ("DescribeNodegroup", "DescribeCluster") and key:
                entry = self._active(key)
                if entry is not None:
                    field = "nodegroup" if key[0] == "nodegroup" else "cluster"
                    body = json.loads(data)
                    body[field]["status"] = _STATUS[entry["verb"]]
                    return json.dumps(body).encode()
            if action == "ListNodegroups":
                match = _NODEGROUPS.match(path)
                deleting = sorted(k[2] for k in list(self.running) if k[0] == "nodegroup" and match
                                  and k[1] == match.group("cluster") and self.running[k]["verb"] == "delete"
                                  and self._active(k))
                if deleting:
                    body = json.loads(data)
                    body["nodegroups"] = sorted(set(body.get("nodegroups") or []) | set(deleting))
                    return json.dumps(body).encode()
        return data
