# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPU sharing input: validation and MIG placement. Pure logic, no I/O.

Two steps, both before any write:
- `normalize_pools(params)` checks the shape of the input (modes, replicas,
  layout syntax, unique pool names) without knowing the GPU model;
- `resolve_for_model(pool, model)` checks a pool against its GPU model
  (MIG support, profile names, maxima, a real placement on the slot map) and
  returns the per-GPU profile counts.

Normalized pool:
    {"name": str, "field": "node_pools[0]", "mode": "none"|"time_slicing"|"mig",
     "gpu_model": str | None,
     "time_slicing": {"replicas": int, "rename": bool,
                      "fail_requests_greater_than_one": bool} | None,
     "mig": {"strategy": "single"|"mixed", "layout": str | {profile: int}} | None}
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.catalog import mig as mig_data
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import GPU_OPERATOR_NAMESPACE

MODES = ("none", "time_slicing", "mig")
DEFAULT_OPERATOR_NAMESPACE = GPU_OPERATOR_NAMESPACE
STRATEGIES = ("single", "mixed")
#: mig-parted config name the module reserves for "MIG off" (see gpu_sharing_render).
RESERVED_POOL_NAMES = ("all-disabled",)
_POOL_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_PROFILE = re.compile(r"^[0-9]g\.[0-9]+gb(\+me)?$")
_TS_DEFAULTS = {"replicas": None, "rename": False, "fail_requests_greater_than_one": False}


def _choices(values):
    return ", ".join(values)


def normalize_pools(pools, field="node_pools"):
    """Check the model-independent shape of every pool; return normalized pools."""
    if not pools:
        raise ValidationError(field, "give at least one node pool")
    seen = {}
    out = []
    for idx, raw in enumerate(pools):
        where = "%s[%d]" % (field, idx)
        pool = _normalize_pool(raw or {}, where)
        if pool["name"] in seen:
            raise ValidationError(where + ".name", "node pool %r is listed twice (also at %s)"
                                  % (pool["name"], seen[pool["name"]]))
        seen[pool["name"]] = where
        out.append(pool)
    return out


def _normalize_pool(raw, where):
    name = raw.get("name")
    if not isinstance(name, str) or not _POOL_NAME.match(name):
        raise ValidationError(where + ".name", "must be a DNS label (lowercase letters, digits, '-'), got %r"
                              % (name,))
    if name in RESERVED_POOL_NAMES:
        raise ValidationError(where + ".name", "%r is reserved for the MIG-off config" % name)
    mode = raw.get("mode")
    if mode not in MODES:
        raise ValidationError(where + ".mode", "must be one of %s, got %r" % (_choices(MODES), mode))
    ts, mig = raw.get("time_slicing"), raw.get("mig")
    pool = {"name": name, "field": where, "mode": mode, "gpu_model": raw.get("gpu_model"),
            "time_slicing": None, "mig": None}
    if mode != "time_slicing" and ts:
        raise ValidationError(where + ".time_slicing", "only valid with mode time_slicing (mode is %s)" % mode)
    if mode != "mig" and mig:
        raise ValidationError(where + ".mig", "only valid with mode mig (mode is %s)" % mode)
    if mode == "time_slicing":
        pool["time_slicing"] = _normalize_ts(ts or {}, where + ".time_slicing")
    elif mode == "mig":
        pool["mig"] = _normalize_mig(mig or {}, where + ".mig")
    return pool


def _normalize_ts(ts, where):
    out = dict(_TS_DEFAULTS)
    out.update(dict((k, v) for k, v in ts.items() if v is not None))
    unknown = sorted(set(out) - set(_TS_DEFAULTS))
    if unknown:
        raise ValidationError(where, "unknown option(s) %s; allowed: %s" % (", ".join(unknown), _choices(sorted(_TS_DEFAULTS))))
    replicas = out["replicas"]
    if replicas is None:
        raise ValidationError(where + ".replicas", "required with mode time_slicing (an integer >= 1)")
    if isinstance(replicas, bool) or not isinstance(replicas, int):
        raise ValidationError(where + ".replicas", "must be an integer >= 1, got %r" % (replicas,))
    if replicas < 1:
        raise ValidationError(where + ".replicas", "must be >= 1 (each GPU is shared by that many pods), got %s" % (replicas,))
    for flag in ("rename", "fail_requests_greater_than_one"):
        if not isinstance(out[flag], bool):
            raise ValidationError(where + "." + flag, "must be true or false, got %r" % (out[flag],))
    return out


def _normalize_mig(mig, where):
    strategy = mig.get("strategy") or "single"
    if strategy not in STRATEGIES:
        raise ValidationError(where + ".strategy", "must be one of %s, got %r" % (_choices(STRATEGIES), strategy))
    layout = mig.get("layout")
    if layout is None or layout == "" or layout == {}:
        raise ValidationError(where + ".layout", "required with mode mig: a preset name (all-1g.10gb, all-3g.40gb, "
                              "all-balanced, ...) or profile counts per GPU such as {'3g.40gb': 1, '2g.20gb': 1}")
    if isinstance(layout, dict):
        counts = {}
        for prof, count in layout.items():
            if not isinstance(prof, str) or not _PROFILE.match(prof):
                raise ValidationError(where + ".layout", "%r is not a MIG profile name (like 1g.10gb, 3g.40gb, 1g.10gb+me)"
                                      % (prof,))
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ValidationError(where + ".layout.%s" % prof, "instances per GPU must be an integer >= 1, got %r"
                                      % (count,))
            counts[prof] = count
        layout = counts
    elif not isinstance(layout, str):
        raise ValidationError(where + ".layout", "must be a preset name or a mapping of profile to count, got %r"
                              % (layout,))
    return {"strategy": strategy, "layout": layout}


def resolve_for_model(pool, model):
    """Check pool against its GPU model; return {"profiles": {p: n}, "preset": str|None, "placement": [...]}.

    For modes other than mig returns None after checking the model is known.
    """
    where = pool["field"]
    known = sorted(set(mig_data.MIG_MODELS) | set(mig_data.NO_MIG_MODELS))
    if model not in known:
        raise ValidationError(where + ".gpu_model", "unknown GPU model %r; known models: %s" % (model, _choices(known)))
    if pool["mode"] != "mig":
        return None
    mig = pool["mig"]
    if model in mig_data.NO_MIG_MODELS:
        raise ValidationError(where + ".mode", "GPU model %s does not support MIG (allowed profiles: none); "
                              "MIG-capable models: %s; use mode time_slicing for %s"
                              % (model, _choices(mig_data.mig_capable_models()), model))
    allowed = "allowed profiles on %s: %s" % (model, mig_data.describe_profiles(model))
    layout = mig["layout"]
    preset = None
    if isinstance(layout, str):
        presets = mig_data.PRESETS[model]
        if layout not in presets:
            raise ValidationError(where + ".mig.layout", "preset %r does not exist for %s; presets for %s: %s; %s"
                                  % (layout, model, model, _choices(mig_data.presets_for(model)), allowed))
        preset, counts = layout, dict(presets[layout])
    else:
        counts = dict(layout)
    table = mig_data.MIG_MODELS[model]["profiles"]
    for prof in sorted(counts):
        if prof not in table:
            raise ValidationError(where + ".mig.layout", "profile %s does not exist on %s; %s" % (prof, model, allowed))
        if counts[prof] > table[prof]["max"]:
            raise ValidationError(where + ".mig.layout", "%d x %s exceeds the maximum of %d per GPU on %s; %s"
                                  % (counts[prof], prof, table[prof]["max"], model, allowed))
    if mig["strategy"] == "single" and len(counts) > 1:
        raise ValidationError(where + ".mig.strategy", "strategy single needs one profile per GPU (all GPUs expose the "
                              "same nvidia.com/gpu), got %s on %s; use strategy mixed or one of %s"
                              % (_layout_text(counts), model, _choices(sorted(p for p in mig_data.PRESETS[model]
                                                                              if p != "all-balanced"))))
    placement = place(model, counts, where + ".mig.layout")
    return {"profiles": counts, "preset": preset, "placement": placement}


def _layout_text(counts):
    return " + ".join("%d x %s" % (counts[p], p) for p in sorted(counts))


def place(model, counts, field="layout"):
    """Find non-overlapping allowed starts for every instance on one GPU.

    Returns [{"profile": p, "start": slot, "memory_slots": n}, ...] sorted by
    start, or raises ValidationError explaining why the mix cannot be placed.
    """
    geo = mig_data.MIG_MODELS[model]
    table = geo["profiles"]
    allowed = "allowed profiles on %s: %s" % (model, mig_data.describe_profiles(model))
    classes = set(table[p]["class"].split("+")[0].split("-")[0] for p in counts)
    for a, b in mig_data.FORBIDDEN_PAIRS:
        if a in classes and b in classes:
            names = sorted(p for p in counts if table[p]["class"] in (a, b))
            raise ValidationError(field, "%s cannot share one GPU on %s (a %s + %s mix fails on real hardware); %s"
                                  % (" and ".join(names), model, a, b, allowed))
    compute = sum(table[p]["compute"] * n for p, n in counts.items())
    if compute > geo["compute"]:
        raise ValidationError(field, "%s needs %d compute slices but %s has %d; %s"
                              % (_layout_text(counts), compute, model, geo["compute"], allowed))
    instances = []
    for prof in sorted(counts, key=lambda p: (-table[p]["memory"], -table[p]["compute"], p)):
        instances.extend([prof] * counts[prof])
    found = _search(instances, table, [False] * geo["memory"], [])
    if found is None:
        memory = sum(table[p]["memory"] * n for p, n in counts.items())
        raise ValidationError(field, "%s cannot be placed on one %s: it needs %d of %d memory slots at allowed, "
                              "non-overlapping starts (%s); %s"
                              % (_layout_text(counts), model, memory, geo["memory"],
                                 "; ".join("%s starts %s" % (p, list(table[p]["starts"])) for p in sorted(counts)),
                                 allowed))
    return sorted(found, key=lambda i: i["start"])


def _search(instances, table, used, placed):
    if not instances:
        return list(placed)
    prof, rest = instances[0], instances[1:]
    size = table[prof]["memory"]
    for start in table[prof]["starts"]:
        span = range(start, start + size)
        if start + size > len(used) or any(used[s] for s in span):
            continue
        for s in span:
            used[s] = True
        placed.append({"profile": prof, "start": start, "memory_slots": size})
        found = _search(rest, table, used, placed)
        placed.pop()
        for s in span:
            used[s] = False
        if found is not None:
            return found
    return None


def instances_per_gpu(profiles):
    return sum(profiles.values())
