# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the addon and addon_info modules do.

converge: validate the list (no request on bad input), find the zone through
its provider, read each add-on's upstream files, then one batch apply of
every CRD (and, where operators run in the zone, their RBAC and Deployments),
and make the operators run: as processes next to a local zone's control plane
(through the provider, which starts, stops and deletes them with the zone) or
as Deployments whose rollout is waited for. Check mode predicts both: the
API server's dry run for the objects, the recorded command line and health
of each process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import sys

from ansible_collections.aizone.platform.plugins.module_utils.addons import files as addon_files
from ansible_collections.aizone.platform.plugins.module_utils.addons.objects import (
    ADDON_LABEL, cluster_objects, cluster_refs, crd_objects, crd_refs, local_record, namespace_object)
from ansible_collections.aizone.platform.plugins.module_utils.addons.spec import (
    bind_identities, choose_controllers, files_dir, validate_addons)
from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDONS
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.providers import get_provider
from ansible_collections.aizone.platform.plugins.module_utils.waiter import task_timeout
from ansible_collections.aizone.platform.plugins.module_utils.zones.access import running_zone, zone_rest

LOCAL_MODULES = {"dask": ("kopf", "dask_kubernetes")}


def _read_files(root, spec, controllers):
    """(files dir, {crds, clusterrole, leader_election_role, deployment}) of one add-on."""
    entry = ADDONS[spec["name"]]
    path = addon_files.addon_dir(root, entry)
    found = {"crds": addon_files.crds(path), "clusterrole": addon_files.optional(path, "rbac/clusterrole.yaml"),
             "leader_election_role": addon_files.optional(path, "rbac/leader-election-role.yaml"),
             "deployment": addon_files.optional(path, "deploy/deployment.yaml")}
    if controllers == "cluster" and entry["cluster"] and not entry["cluster"].get("cluster_role") \
            and not found["clusterrole"]:
        raise ValidationError("files_dir", "%s lacks rbac/clusterrole.yaml: run hack/addons/build.sh again" % path)
    if controllers == "local" and entry["local"] and spec["state"] == "present":
        _check_local(spec, entry, path)
    return path, found


def _check_local(spec, entry, path):
    for module in LOCAL_MODULES.get(spec["name"], ()):
        if importlib.util.find_spec(module) is None:
            raise ValidationError(spec["field"] + ".name", "the %s operator runs on the controller's Python (%s), "
                                  "which lacks the module %s: install the pinned requirements (requirements.txt)"
                                  % (spec["name"], sys.executable, module))
    program = entry["local"]["argv"][0].replace("{files}", path)
    if "{python}" not in entry["local"]["argv"][0] and not os.access(program, os.X_OK):
        raise ValidationError("files_dir", "%s is missing: run hack/addons/build.sh" % program)


def local_command(spec, path):
    """(argv, env, health URL) of an add-on's operator process; {port} and {dir} are filled in at each start."""
    local = ADDONS[spec["name"]]["local"]
    argv = [a.replace("{files}", path).replace("{python}", sys.executable).replace("{namespace}", spec["namespace"])
            for a in local["argv"]]
    return argv, dict(local.get("env") or {}), local["health"]


def _namespace_exists(rest, spec):
    return rest.get_or_none(kind_info("v1", "Namespace").object_path(spec["namespace"])) is not None


def _in_zone(rest, entry, spec, files, placement):
    """The operator running in the zone: its namespace (when absent), ServiceAccount, RBAC and Deployment."""
    return cluster_objects(entry, spec, files, placement, not _namespace_exists(rest, spec))


def _beside_zone(rest, entry, spec):
    """The operator running next to the zone: the namespace it needs (when absent) and its record, if any."""
    local = entry["local"] or {}
    if not local.get("namespace"):
        return []
    return ([] if _namespace_exists(rest, spec) else [namespace_object(spec)]) + \
        ([local_record(entry, spec)] if local.get("record") else [])


def _plan(rest, specs, read, controllers, placements):
    """(desired objects, objects to delete, {add-on: set of (kind, namespace, name)})."""
    desired, absent, owned = [], [], {}
    for spec in specs:
        entry, files = ADDONS[spec["name"]], read[spec["name"]][1]
        in_zone = controllers == "cluster" and entry["cluster"]
        if spec["state"] == "present":
            mine = crd_objects(spec["name"], spec["version"], files["crds"])
            if in_zone:
                mine += _in_zone(rest, entry, spec, files, placements.get(spec["pool"]))
            elif controllers == "local":
                mine += _beside_zone(rest, entry, spec)
            desired += mine
        else:
            mine = (cluster_refs(entry, spec, files) if in_zone else []) + \
                (crd_refs(files["crds"]) if spec["remove_crds"] else [])
            absent += mine
        owned[spec["name"]] = set((o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in mine)
    return desired, absent, owned


def _processes(provider, zone_name, specs, read, check_mode, timeout):
    """{add-on: (changed, state)} of the operator processes of a local zone."""
    out = {}
    for spec in specs:
        name, path = spec["name"], read[spec["name"]][0]
        if not ADDONS[name]["local"]:
            continue
        current = provider.addon_process(zone_name, name)
        if spec["state"] == "absent":
            changed = current is not None and (check_mode or provider.stop_addon_process(zone_name, name))
            out[name] = (bool(changed), None)
            continue
        argv, env, health = local_command(spec, path)
        same = bool(current and current.get("command") == argv and current.get("env") == env and current["healthy"])
        if check_mode:
            out[name] = (not same, current)
            continue
        changed = provider.run_addon_process(zone_name, name, argv, env, health, timeout)
        out[name] = (changed, provider.addon_process(zone_name, name))
    return out


def _report(specs, objects, owned, controllers, processes):
    """One entry per add-on: what happened to it and where its operator runs."""
    report = []
    for spec in specs:
        mine = [o for o in objects if (o["kind"], o["namespace"], o["name"]) in owned[spec["name"]]]
        actions = set(o["action"] for o in mine)
        proc_changed, proc = processes.get(spec["name"], (False, None))
        action = "unchanged"
        if spec["state"] == "absent" and ("deleted" in actions or proc_changed):
            action = "deleted"
        elif actions - {"unchanged"} or proc_changed:
            action = "created" if actions == {"created"} else "updated"
        entry = dict(name=spec["name"], version=spec["version"], state=spec["state"], action=action,
                     controllers=controllers, crds=[o["name"] for o in mine if o["kind"] == "CustomResourceDefinition"])
        if proc:
            entry["process"] = dict((k, proc[k]) for k in ("running", "healthy", "pid", "health", "log"))
        report.append(entry)
    return report


def converge(params, check_mode=False, want_diff=False):
    """The addon module; returns the result dict."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    from ansible_collections.aizone.platform.plugins.module_utils.workloads.rollout import wait_rollouts
    from ansible_collections.aizone.platform.plugins.module_utils.zones.placement import placements as read_placements

    specs = validate_addons(params.get("addons") or [])
    timeout = task_timeout(params)
    provider = get_provider(params["provider"], params)
    bind_identities(specs, provider)
    provider, zone = running_zone(params, provider)
    controllers = choose_controllers(params.get("controllers"), provider)
    root = files_dir(params)
    read = dict((spec["name"], _read_files(root, spec, controllers)) for spec in specs)
    rest = zone_rest(params, provider, zone)
    # a pool is checked on every zone (it must have nodes) and places the operator where the zone runs it
    wanted = dict((s["pool"], s["field"] + ".pool") for s in specs if s["pool"] and s["state"] == "present")
    desired, absent, owned = _plan(rest, specs, read, controllers, read_placements(rest, wanted))
    result = apply_objects(rest, desired, absent=absent, check_mode=check_mode, wait_timeout=timeout,
                           wait_deleted=params.get("wait", True))
    processes = {}
    if controllers == "local":
        processes = _processes(provider, zone["name"], specs, read, check_mode, timeout)
    elif params.get("wait", True) and not check_mode:
        targets = [("Deployment", s["namespace"], ADDONS[s["name"]]["operator"]) for s in specs
                   if s["state"] == "present" and ADDONS[s["name"]]["cluster"]]
        if targets:
            wait_rollouts(rest, targets, timeout)
    out = result.as_dict(diff=want_diff)
    out["addons"] = _report(specs, result.objects, owned, controllers, processes)
    out["changed"] = out["changed"] or any(changed for changed, _state in processes.values())
    out["warnings"] = ["%s: %s" % (s["name"], ADDONS[s["name"]]["elsewhere"]) for s in specs
                       if s["state"] == "present" and ADDONS[s["name"]].get("elsewhere")]
    out["api_requests"] = dict(rest.counts)
    return out


def describe(params):
    """The addon_info module: each add-on's CRDs in the zone and its operator, read only."""
    provider, zone = running_zone(params)
    rest = zone_rest(params, provider, zone)
    names = params.get("names") or sorted(ADDONS)
    crds = rest.list_all(kind_info("apiextensions.k8s.io/v1", "CustomResourceDefinition").collection_path(),
                         ADDON_LABEL)
    out = []
    for name in names:
        entry = ADDONS[name]
        mine = [c for c in crds if c["metadata"]["labels"].get(ADDON_LABEL) == name]
        deployments = kind_info("apps/v1", "Deployment")
        deployment = entry["operator"] and rest.get_or_none(deployments.object_path(entry["operator"],
                                                                                    entry["namespace"]))
        item = dict(name=name, pinned_version=entry["version"], crds=sorted(c["metadata"]["name"] for c in mine),
                    installed_version=sorted(set(c["metadata"]["labels"].get(ADDON_LABEL + "-version")
                                                 for c in mine)) or None,
                    process=provider.addon_process(zone["name"], name))
        if deployment:
            status = deployment.get("status") or {}
            item["deployment"] = dict(namespace=entry["namespace"], name=entry["operator"],
                                      ready_replicas=status.get("readyReplicas") or 0,
                                      image=deployment["spec"]["template"]["spec"]["containers"][0].get("image"))
        out.append(item)
    return dict(changed=False, addons=out, api_requests=dict(rest.counts))
