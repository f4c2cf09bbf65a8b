# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MIG profile tables, as data.

Source: ../shared/reference/gpu-sharing.md (NVIDIA MIG user guide and
mig-parted's default config). Keys are the canonical GPU model names the
catalog uses. Pure data plus small lookups; no Kubernetes, no I/O.

Geometry: a MIG-capable GPU has `compute` compute slices and `memory` memory
slots. Each profile uses `compute` slices and `memory` consecutive slots
starting at one of its allowed `starts`, at most `max` times per GPU.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.catalog.instance_data import CATALOG

# Slot-level shape of each profile class on a 7-compute / 8-memory-slot GPU
# (A100, H100, H200): (compute, memory slots, max per GPU, allowed starts).
_SHAPE_7 = {
    "1g": (1, 1, 7, (0, 1, 2, 3, 4, 5, 6)),
    "1g+me": (1, 1, 1, (0, 1, 2, 3, 4, 5, 6)),
    "1g-dm": (1, 2, 4, (0, 2, 4, 6)),
    "2g": (2, 2, 3, (0, 2, 4)),
    "3g": (3, 4, 2, (0, 4)),
    "4g": (4, 4, 1, (0,)),
    "7g": (7, 8, 1, (0,)),
}

# A30: 4 compute slices and 4 memory slots.
_SHAPE_4 = {
    "1g": (1, 1, 4, (0, 1, 2, 3)),
    "1g+me": (1, 1, 1, (0, 1, 2, 3)),
    "2g": (2, 2, 2, (0, 2)),
    "4g": (4, 4, 1, (0,)),
}

# Memory size (GB) of each profile class per model, as in the profile names.
_SIZES_7 = {
    # model: (1g, 1g double-mem, 2g, 3g, 4g, 7g)
    "A100-SXM4-40GB": (5, 10, 10, 20, 20, 40),
    "A100-80GB": (10, 20, 20, 40, 40, 80),
    "A100-80GB-PCIe": (10, 20, 20, 40, 40, 80),
    "H100-80GB": (10, 20, 20, 40, 40, 80),
    "H100-NVL-94GB": (12, 24, 24, 47, 47, 94),
    "H200-141GB": (18, 35, 35, 71, 71, 141),
}
_SIZES_4 = {
    # model: (1g, 2g, 4g)
    "A30-24GB": (6, 12, 24),
}

#: Pairs of profile classes that must not share one GPU even though the slot
#: rules would place them (4g + 3g has been reported to fail on hardware).
FORBIDDEN_PAIRS = (("4g", "3g"),)


def _profile(cls, shape, size):
    compute, memory, maximum, starts = shape[cls]
    slices = cls.split("-")[0].split("+")[0]
    name = "%s.%dgb" % (slices, size)
    if cls == "1g+me":
        name += "+me"
    return name, {"class": cls, "compute": compute, "memory": memory,
                  "max": maximum, "starts": starts}


def _build():
    models = {}
    for model, (s1, s1dm, s2, s3, s4, s7) in _SIZES_7.items():
        sizes = {"1g": s1, "1g+me": s1, "1g-dm": s1dm, "2g": s2, "3g": s3, "4g": s4, "7g": s7}
        profiles = dict(_profile(c, _SHAPE_7, sizes[c]) for c in _SHAPE_7)
        models[model] = {"compute": 7, "memory": 8, "profiles": profiles}
    for model, (s1, s2, s4) in _SIZES_4.items():
        sizes = {"1g": s1, "1g+me": s1, "2g": s2, "4g": s4}
        profiles = dict(_profile(c, _SHAPE_4, sizes[c]) for c in _SHAPE_4)
        models[model] = {"compute": 4, "memory": 4, "profiles": profiles}
    return models


#: {model: {"compute": int, "memory": int, "profiles": {name: {class, compute, memory, max, starts}}}}
MIG_MODELS = _build()
#: GPU models of the catalog without MIG support (time-slicing only).
NO_MIG_MODELS = tuple(m for m in CATALOG["gpu_models"] if m not in MIG_MODELS)


def _build_presets():
    presets = {}
    for model, geo in MIG_MODELS.items():
        by_class = dict((p["class"], name) for name, p in geo["profiles"].items())
        mine = {}
        for name, prof in geo["profiles"].items():
            mine["all-" + preset_suffix(name)] = {name: prof["max"]}
        if geo["compute"] == 7:
            mine["all-balanced"] = {by_class["1g"]: 2, by_class["2g"]: 1, by_class["3g"]: 1}
        else:
            mine["all-balanced"] = {by_class["1g"]: 2, by_class["2g"]: 1}
        presets[model] = mine
    return presets


def preset_suffix(profile):
    """Profile name as used in preset names and resource names ('+' becomes '.')."""
    return profile.replace("+", ".")


#: {model: {preset name: {profile: count per GPU}}}, as mig-parted's default config.
PRESETS = _build_presets()


def mig_capable_models():
    return sorted(MIG_MODELS)


def profiles_for(model):
    """Sorted profile names of a MIG-capable model (smallest first)."""
    profs = MIG_MODELS[model]["profiles"]
    return sorted(profs, key=lambda n: (profs[n]["compute"], profs[n]["memory"], n))


def describe_profiles(model):
    """'1g.10gb (max 7), 1g.10gb+me (max 1), ...' for messages."""
    profs = MIG_MODELS[model]["profiles"]
    return ", ".join("%s (max %d)" % (n, profs[n]["max"]) for n in profiles_for(model))


def presets_for(model):
    return sorted(PRESETS.get(model, {}))


def resource_name(profile):
    """Extended resource a MIG profile is advertised as under the mixed strategy."""
    return "nvidia.com/mig-" + preset_suffix(profile)
