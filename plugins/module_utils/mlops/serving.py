# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the inference_service and inference_service_info modules do.

converge reads everything before it writes:
1. the specs (serving_spec: bad input fails before any request);
2. one LIST of the zone's pool nodes: each service's placement (its pool's
   label and taints) and what each pool offers (sizing.pool_offers); a model
   that does not fit its GPU, MIG slice or shared GPU - or asks a device the
   pool does not publish, or tensor parallelism a slice or node cannot hold -
   fails here, naming the smallest pool of the zone that would fit;
3. the namespaces, the Secret and claim each service's pods reference, each
   service's Deployment when one exists (a Deployment of the same name with
   another selector fails here: selectors are immutable), and whether the zone serves KEDA's ScaledObject (queue
   autoscaling needs it: install the keda add-on);
4. one batch apply of every service's objects, dropping the autoscaler a
   service no longer wants; then, with wait, every Deployment's rollout.
Check mode predicts the same writes with the server's dry run; in a namespace
that does not exist yet, or for a ScaledObject the zone cannot serve yet,
what a real run would create is predicted as rendered, with a warning.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDONS
from ansible_collections.aizone.platform.plugins.module_utils.catalog.mlops import SERVING
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.zones.access import require_namespace
from ansible_collections.aizone.platform.plugins.module_utils.k8s.crd import crd_path, is_established
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.mlops import serving_render as render
from ansible_collections.aizone.platform.plugins.module_utils.mlops.serving_spec import validate_services
from ansible_collections.aizone.platform.plugins.module_utils.mlops.sizing import check_fit, model_memory, pool_offers
from ansible_collections.aizone.platform.plugins.module_utils.names import LABEL_COMPONENT, POOL_LABEL, WORKLOAD_LABEL
from ansible_collections.aizone.platform.plugins.module_utils.waiter import task_timeout

KEDA_CRD = ADDONS["keda"]["kinds"][0][2]


def _place_and_size(rest, specs, check_mode, warnings):
    """Placement and sizing of every present spec, from one LIST of the zone's pool nodes."""
    from ansible_collections.aizone.platform.plugins.module_utils.zones.placement import (
        derive_placement, read_pool_nodes)
    nodes = read_pool_nodes(rest)
    offers = pool_offers(nodes)
    for spec in specs:
        try:
            spec["placement"] = derive_placement(spec["pool"], nodes.get(spec["pool"]), spec["field"] + ".pool")
        except ValidationError as exc:
            if not check_mode:
                raise
            warnings.append("%s; predicted with a node selector only, the model's fit unchecked" % exc.msg)
            spec["sizing"] = dict(model_memory(spec["model"]), device=None)
            continue
        if spec["gpu_resource"]:
            spec["sizing"] = check_fit(spec["field"], spec, offers)
        else:
            spec["sizing"] = dict(model_memory(spec["model"]), device="CPU")


def _namespaces(rest, specs, check_mode, warnings):
    """The namespaces that exist; a real run fails on a missing one before any write."""
    found = set()
    for namespace in sorted(set(s["namespace"] for s in specs)):
        field = [s["field"] for s in specs if s["namespace"] == namespace][0] + ".namespace"
        if require_namespace(rest, field, namespace, check_mode, warnings, "its services are"):
            found.add(namespace)
    return found


def _check_references(rest, specs, namespaces, check_mode, warnings):
    """What the pods reference must exist - the token's Secret and key, the cache claim (a missing one fails a real
    run before any write; check mode warns: an earlier task may make it) - and a Deployment of the same name with
    another selector cannot be updated (selectors are immutable): that fails before any write."""
    for spec in [s for s in specs if s["namespace"] in namespaces]:
        token, cache = spec["hf_token_secret"], spec["cache"]
        missing = []
        if token:
            secret = rest.get_or_none(kind_info("v1", "Secret").object_path(token["name"], spec["namespace"]))
            if secret is None or token["key"] not in (secret.get("data") or {}):
                missing.append(("hf_token_secret", "Secret %s/%s with the key %r" % (
                    spec["namespace"], token["name"], token["key"])))
        if cache and rest.get_or_none(kind_info("v1", "PersistentVolumeClaim").object_path(
                cache["claim"], spec["namespace"])) is None:
            missing.append(("cache.claim", "PersistentVolumeClaim %s/%s" % (spec["namespace"], cache["claim"])))
        for option, what in missing:
            if not check_mode:
                raise ValidationError("%s.%s" % (spec["field"], option), "%s does not exist" % what)
            warnings.append("%s.%s: %s does not exist; a real run fails unless an earlier task makes it"
                            % (spec["field"], option, what))
        _check_selector(rest, spec)


def _check_selector(rest, spec):
    live = rest.get_or_none(kind_info("apps/v1", "Deployment").object_path(spec["name"], spec["namespace"]))
    found = ((live or {}).get("spec") or {}).get("selector")
    if live is not None and found != {"matchLabels": render.selector(spec)}:
        raise ValidationError(spec["field"] + ".name", "Deployment %s/%s exists with the selector %s, and a "
                              "Deployment's selector cannot change (this service's is matchLabels %s): delete it, "
                              "or choose another name" % (spec["namespace"], spec["name"], found,
                                                          render.selector(spec)))


def keda_served(rest):
    crd = rest.get_or_none(crd_path(KEDA_CRD))
    return crd is not None and is_established(crd)


def _check_keda(specs, served, check_mode, warnings):
    queued = [s for s in specs if (s["autoscaling"] or {}).get("metric") == "queue"]
    if not queued or served:
        return
    msg = ("the zone does not serve %s: queue-based autoscaling needs KEDA (the keda add-on, "
           "aizone.platform.addon, serves its CRDs; KEDA's chart runs its operator on cloud zones), or "
           "autoscaling.metric cpu" % KEDA_CRD)
    if not check_mode:
        raise ValidationError(queued[0]["field"] + ".autoscaling", msg)
    warnings.append("%s.autoscaling: %s; its ScaledObject is predicted created, undry-run" % (queued[0]["field"], msg))


def _plan(specs, served, namespaces):
    """(objects to apply, refs to delete, objects predicted without a dry run)."""
    desired, absent, predicted = [], [], []
    for spec in specs:
        objs, gone = render.objects(spec, spec["sizing"]["weights_gib"], served)
        if spec["namespace"] not in namespaces:
            predicted += objs
            continue
        desired += [o for o in objs if o["kind"] != "ScaledObject" or served]
        predicted += [o for o in objs if o["kind"] == "ScaledObject" and not served]
        absent += gone
    return desired, absent, predicted


def _summary(spec, actions, rollout):
    kinds = ("Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy", "ScaledObject", "HorizontalPodAutoscaler")
    mine = [actions.get((k, spec["namespace"], spec["name"]), "unchanged") for k in kinds]
    action = mine[0] if mine[0] != "unchanged" else "updated" if set(mine) - {"unchanged"} else "unchanged"
    out = {"name": spec["name"], "namespace": spec["namespace"], "action": action}
    if spec["state"] == "absent":
        out["action"] = "deleted" if set(mine) - {"unchanged"} else "unchanged"
        return out
    sizing = spec["sizing"]
    port = dict(SERVING[spec["runtime"]]["ports"])["http"]
    out.update(runtime=spec["runtime"], version=spec["version"], image=spec["image"], model=spec["model"]["name"],
               pool=spec["pool"], tensor_parallel_size=spec["tensor_parallel_size"],
               url="http://%s.%s.svc.cluster.local:%d" % (spec["name"], spec["namespace"], port),
               sizing=dict((k, round(v, 2) if isinstance(v, float) else v) for k, v in sizing.items()),
               autoscaling=_autoscaling_view(spec))
    if rollout is not None:
        out["rollout"] = rollout.get(("Deployment", spec["namespace"], spec["name"]))
    return out


def _autoscaling_view(spec):
    auto = spec["autoscaling"]
    if not auto:
        return {"kind": None, "replicas": spec["replicas"]}
    if auto["metric"] == "cpu":
        return {"kind": "HorizontalPodAutoscaler", "min": auto["min"], "max": auto["max"],
                "target": "%d%% CPU" % auto["target_cpu_utilization"]}
    return {"kind": "ScaledObject", "min": auto["min"], "max": auto["max"], "query": render.queue_query(spec),
            "target": "%g %s" % (auto["target"], SERVING[spec["runtime"]]["queue_unit"])}


def converge(params, check_mode=False, want_diff=False):
    """The inference_service module; returns the result dict."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects, object_ref
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect
    from ansible_collections.aizone.platform.plugins.module_utils.workloads.rollout import wait_rollouts
    specs = validate_services(params.get("services"))
    timeout = task_timeout(params)
    rest = connect(params)
    warnings, present = [], [s for s in specs if s["state"] == "present"]
    served = keda_served(rest)
    if present:
        _place_and_size(rest, present, check_mode, warnings)
        _check_keda(present, served, check_mode, warnings)
    namespaces = _namespaces(rest, present, check_mode, warnings)
    _check_references(rest, present, namespaces, check_mode, warnings)
    desired, absent, predicted = _plan(present, served, namespaces)
    absent += [r for s in specs if s["state"] == "absent" for r in render.absent_refs(s, served)]
    result = apply_objects(rest, desired, absent=absent, check_mode=check_mode, wait_timeout=timeout,
                           wait_deleted=params.get("wait", True))
    for obj in predicted:
        result.note(object_ref(obj), "created", None, obj)
    rollout = None
    if params.get("wait", True) and not check_mode and present:
        rollout = wait_rollouts(rest, [("Deployment", s["namespace"], s["name"]) for s in present], timeout)
    out = result.as_dict(diff=want_diff)
    actions = dict(((o["kind"], o["namespace"], o["name"]), o["action"]) for o in result.objects)
    out["services"] = [_summary(s, actions, rollout) for s in specs]
    out["warnings"] = warnings
    out["api_requests"] = dict(rest.counts)
    return out


def info(params):
    """What inference_service_info returns: every inference service (of a namespace), as it runs."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect
    from ansible_collections.aizone.platform.plugins.module_utils.names import check_dns_label
    namespace = check_dns_label("namespace", params["namespace"]) if params.get("namespace") else None
    rest = connect(params)
    selector = "%s=inference-service" % LABEL_COMPONENT
    deployments = rest.list_all(kind_info("apps/v1", "Deployment").collection_path(namespace), selector)
    scalers = []
    for api_version, kind in ((render.SCALED_OBJECT_API, "ScaledObject"), (render.HPA_API, "HorizontalPodAutoscaler")):
        if deployments and (kind != "ScaledObject" or keda_served(rest)):
            scalers += [dict(o, kind=kind) for o in rest.list_all(
                kind_info(api_version, kind).collection_path(namespace), selector)]
    pods = rest.list_all(kind_info("v1", "Pod").collection_path(namespace), selector) if deployments else []
    services = [_service_view(d, scalers, pods) for d in sorted(
        deployments, key=lambda d: (d["metadata"]["namespace"], d["metadata"]["name"]))]
    return {"changed": False, "services": services, "api_requests": dict(rest.counts)}


def _service_view(deployment, scalers, pods):
    meta, spec, status = deployment["metadata"], deployment.get("spec") or {}, deployment.get("status") or {}
    labels = meta.get("labels") or {}
    template = spec.get("template") or {}
    container = ((template.get("spec") or {}).get("containers") or [{}])[0]
    key = (meta["namespace"], meta["name"])
    mine = [s for s in scalers if (s["metadata"]["namespace"], s["metadata"]["name"]) == key]
    own_pods = [p for p in pods if (p["metadata"].get("labels") or {}).get(WORKLOAD_LABEL) == meta["name"]
                and p["metadata"]["namespace"] == meta["namespace"]]
    return {"name": meta["name"], "namespace": meta["namespace"], "runtime": container.get("name"),
            "image": container.get("image"), "pool": labels.get(POOL_LABEL),
            "model": ((template.get("metadata") or {}).get("annotations") or {}).get(render.MODEL_ANNOTATION),
            "replicas": spec.get("replicas"), "ready_replicas": status.get("readyReplicas") or 0,
            "resources": (container.get("resources") or {}).get("limits") or {},
            "autoscaling": [_scaler_view(s) for s in mine],
            "pods": [{"name": p["metadata"]["name"], "phase": (p.get("status") or {}).get("phase"),
                      "node": (p.get("spec") or {}).get("nodeName")}
                     for p in sorted(own_pods, key=lambda p: p["metadata"]["name"])]}


def _scaler_view(obj):
    spec = obj.get("spec") or {}
    if obj["kind"] == "ScaledObject":
        trigger = (spec.get("triggers") or [{}])[0].get("metadata") or {}
        return {"kind": "ScaledObject", "min": spec.get("minReplicaCount"), "max": spec.get("maxReplicaCount"),
                "query": trigger.get("query"), "threshold": trigger.get("threshold")}
    return {"kind": "HorizontalPodAutoscaler", "min": spec.get("minReplicas"), "max": spec.get("maxReplicas")}
