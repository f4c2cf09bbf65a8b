"""The add-ons' upstream files as the tests compare them, and a play installing add-ons on a zone."""

import json
import os

from ansible_collections.aizone.platform.plugins.module_utils.addons.files import package_crds
from ansible_collections.aizone.platform.plugins.module_utils.addons.spec import files_dir
from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDONS, GPU_OPERATOR


def with_server_defaults(spec):
    """A CRD spec with what the API server fills in when the document leaves it out (apiextensions v1 defaults)."""
    spec = json.loads(json.dumps(spec))
    spec.setdefault("conversion", {"strategy": "None"})
    names = spec["names"]
    names.setdefault("singular", names["kind"].lower())
    names.setdefault("listKind", names["kind"] + "List")
    return spec


def files_root():
    return files_dir({})


def upstream_crds(name):
    """{CRD name: document} of an add-on (or "gpu-operator") as its pinned package ships them."""
    entry = GPU_OPERATOR if name == GPU_OPERATOR["name"] else ADDONS[name]
    return dict((d["metadata"]["name"], d) for d in package_crds(files_root(), entry))


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def served_as_shipped(live, shipped):
    """'' when the live CRD (from the API server) has the shipped spec and annotations, else what differs."""
    spec = with_server_defaults(shipped["spec"])
    if canonical(live["spec"]) != canonical(spec):
        keys = sorted(k for k in set(spec) | set(live["spec"]) if canonical(spec.get(k)) != canonical(live["spec"].get(k)))
        return "spec differs in %s" % keys
    wanted = shipped["metadata"].get("annotations") or {}
    got = dict((k, v) for k, v in (live["metadata"].get("annotations") or {}).items() if k in wanted)
    return "" if got == wanted else "annotations differ: %s != %s" % (got, wanted)


def addon_task(zone, addons, name="addons", **kw):
    args = dict(zone=zone, provider="local", addons=addons)
    args.update(kw)
    return {"name": name, "aizone.platform.addon": args}


def play(*tasks):
    return [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}]


def process_log(zone_dir, name):
    path = os.path.join(zone_dir, "processes", name + ".log")
    return open(path).read() if os.path.exists(path) else ""
