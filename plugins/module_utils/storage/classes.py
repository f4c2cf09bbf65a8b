# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the storage_classes module does: a zone's StorageClasses from the provider's catalog, in one task.

1. validate the list (no request on bad input): kinds, names, one default at
   most, the parameters only the zone's owner knows (catalog/storage.py
   `required`), volume sizes;
2. find the running zone through its provider (zones/access.py);
3. render each class from the catalog of the zone's provider, with the user's
   parameters over the catalog's, and the static volumes the provider makes for
   classes without a provisioner (the local zone; none on clouds);
4. a StorageClass's provisioner, parameters, reclaim policy and binding mode
   cannot change in place (the API server refuses): a class whose live values
   differ is deleted and created again (action `replaced`; volumes already
   provisioned keep theirs);
5. one apply of the classes and volumes; volumes beyond a class's count, and
   with prune the classes this collection made that are not listed, are
   deleted. Check mode predicts it all with the server's dry run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.catalog.storage import NO_PROVISIONER, STORAGE
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    LABEL_MANAGED_BY, MANAGED_BY, STORAGE_CLASS_LABEL, check_choice, check_dns_subdomain, check_int)

KINDS = ("block", "shared")
RECLAIM = ("Delete", "Retain")
BINDING = ("WaitForFirstConsumer", "Immediate")
DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
IMMUTABLE = ("provisioner", "parameters", "reclaimPolicy", "volumeBindingMode")


def argument_spec():
    return dict(
        zone=dict(type="str", required=True),
        classes=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            kind=dict(type="str", required=True, choices=list(KINDS)),
            default=dict(type="bool", default=False),
            parameters=dict(type="dict", default={}),
            reclaim_policy=dict(type="str", default="Delete", choices=list(RECLAIM)),
            binding_mode=dict(type="str", default="WaitForFirstConsumer", choices=list(BINDING)),
            volumes=dict(type="dict", default={}, options=dict(
                count=dict(type="int", default=4), size=dict(type="str", default="20Gi"))),
            state=dict(type="str", default="present", choices=["present", "absent"]))),
        prune=dict(type="bool", default=False),
    )


def validate(provider_name, classes):
    """The classes as {name, kind, default, parameters, ...}, or ValidationError naming the option path."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import validate_quantity
    catalog = STORAGE.get(provider_name)
    if catalog is None:
        raise ValidationError("provider", "no storage catalog for provider %r; allowed values: %s"
                              % (provider_name, ", ".join(sorted(STORAGE))))
    out, seen = [], set()
    for index, item in enumerate(classes or []):
        field = "classes[%d]" % index
        name = check_dns_subdomain(field + ".name", item.get("name"), "a StorageClass name")
        if name in seen:
            raise ValidationError(field + ".name", "%r is listed twice" % name)
        seen.add(name)
        kind = check_choice(field + ".kind", item.get("kind"), KINDS)
        spec = dict(item, name=name, kind=kind, parameters=dict(item.get("parameters") or {}))
        spec["reclaim_policy"] = check_choice(field + ".reclaim_policy", item.get("reclaim_policy") or "Delete", RECLAIM)
        spec["binding_mode"] = check_choice(field + ".binding_mode", item.get("binding_mode") or BINDING[0], BINDING)
        spec.setdefault("state", "present")
        for key, value in spec["parameters"].items():
            if not isinstance(value, str):
                raise ValidationError("%s.parameters.%s" % (field, key), "must be a string (StorageClass "
                                      "parameters are strings), got %r; quote it" % (value,))
        missing = [k for k in catalog[kind].get("required", []) if not spec["parameters"].get(k)]
        if missing and spec["state"] == "present":
            raise ValidationError("%s.parameters.%s" % (field, missing[0]), "is required by %s on %s (%s has no "
                                  "default for it)" % (catalog[kind]["provisioner"], provider_name,
                                                       catalog[kind]["provisioner"]))
        volumes = dict(item.get("volumes") or {})
        volumes["count"] = check_int(field + ".volumes.count", volumes.get("count", 4), 0, 100)
        volumes["size"] = validate_quantity(field + ".volumes.size", volumes.get("size") or "20Gi", allow_zero=False)
        spec["volumes"] = volumes
        out.append(spec)
    defaults = [c["name"] for c in out if c.get("default") and c["state"] == "present"]
    if len(defaults) > 1:
        raise ValidationError("classes", "more than one default class (%s): at most one may be the default"
                              % ", ".join(defaults))
    return out


def storage_class(provider_name, spec):
    """The StorageClass of a validated class on the provider."""
    entry = STORAGE[provider_name][spec["kind"]]
    meta = {"name": spec["name"], "labels": {STORAGE_CLASS_LABEL: spec["name"], "aizone.io/storage-kind": spec["kind"]}}
    if spec.get("default"):
        meta["annotations"] = {DEFAULT_ANNOTATION: "true"}
    parameters = dict(entry["parameters"], **spec["parameters"])
    out = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": meta,
           "provisioner": entry["provisioner"], "reclaimPolicy": spec["reclaim_policy"],
           "volumeBindingMode": spec["binding_mode"], "allowVolumeExpansion": bool(entry["expansion"])}
    if parameters:
        out["parameters"] = parameters
    return out


def _needs_replace(live, desired):
    for key in IMMUTABLE:
        if (live.get(key) or None) != (desired.get(key) or None):
            return key
    return None


def _view(spec, sc, action, volumes):
    return {"name": spec["name"], "kind": spec["kind"], "provisioner": sc["provisioner"],
            "default": bool(spec.get("default")), "action": action, "static_volumes": volumes}


def _plan(provider, zone, classes, live):
    """(objects to apply, classes to delete, classes to replace, one view per class)."""
    entries = STORAGE[provider.name]
    desired, absent, replace, views = [], [], [], []
    for spec in classes:
        sc = storage_class(provider.name, spec)
        if spec["state"] == "absent":
            absent.append(sc)
            views.append(_view(spec, sc, "deleted" if spec["name"] in live else "unchanged", 0))
            continue
        volumes = []
        if entries[spec["kind"]]["provisioner"] == NO_PROVISIONER:
            info = {"name": spec["name"], "kind": spec["kind"], "access_modes": entries[spec["kind"]]["access_modes"]}
            volumes = provider.storage_volumes(zone["name"], info, spec["volumes"])
        if spec["name"] in live and _needs_replace(live[spec["name"]], sc):
            replace.append(sc)
        desired += [sc] + volumes
        views.append(_view(spec, sc, None, len(volumes)))
    return desired, absent, replace, views


def _prune(classes, prune):
    if prune:
        return [{"kinds": [("storage.k8s.io/v1", "StorageClass"), ("v1", "PersistentVolume")],
                 "labels": {STORAGE_CLASS_LABEL: None}}]
    return [{"kinds": [("v1", "PersistentVolume")], "labels": {STORAGE_CLASS_LABEL: [c["name"] for c in classes]}}]


def converge(params, check_mode=False, want_diff=False):
    """What the storage_classes module does; returns the result dict."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import (
        ApplyResult, apply_objects, delete_objects, object_ref)
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply_plan import header
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
    from ansible_collections.aizone.platform.plugins.module_utils.zones.access import running_zone, zone_rest
    classes = validate(params.get("provider"), params.get("classes"))
    provider, zone = running_zone(params)
    rest = zone_rest(params, provider, zone)
    live = dict((sc["metadata"]["name"], sc) for sc in rest.list_all(
        kind_info("storage.k8s.io/v1", "StorageClass").collection_path(), "%s=%s" % (LABEL_MANAGED_BY, MANAGED_BY)))
    desired, absent, replace, views = _plan(provider, zone, classes, live)
    if replace:
        delete_objects(rest, replace, check_mode=check_mode, wait=True)
    # in check mode the old class is still there and a dry-run apply would be refused: it is predicted below
    applied = apply_objects(rest, [o for o in desired if not (check_mode and o in replace)], absent=absent,
                            prune=_prune(classes, params.get("prune")), check_mode=check_mode)
    result = ApplyResult()
    replaced = set(sc["metadata"]["name"] for sc in replace)
    for sc in replace:
        result.record(object_ref(sc), "replaced", live[sc["metadata"]["name"]], applied.live.get(object_ref(sc), sc))
    headers = set(header(object_ref(sc)) for sc in replace)
    result.objects += [o for o in applied.objects if not (o["kind"] == "StorageClass" and o["name"] in replaced)]
    result.diff += [d for d in applied.diff if d["before_header"] not in headers]
    actions = dict((o["name"], o["action"]) for o in result.objects if o["kind"] == "StorageClass")
    for view in views:
        view["action"] = view["action"] or actions.get(view["name"], "unchanged")
    out = result.as_dict(diff=want_diff)
    out["storage_classes"] = views
    out["api_requests"] = dict(rest.counts)
    return out
