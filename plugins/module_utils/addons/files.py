# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading an add-on's upstream files (CRDs, RBAC, Deployment) that hack/addons/build.sh took from its package."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError


def addon_dir(root, entry):
    """The directory of one add-on's files (catalog entry), which must exist."""
    path = os.path.join(root, entry["files"])
    if not os.path.isdir(os.path.join(path, "crds")):
        raise ValidationError("files_dir", "%s has no files of %s %s (%s): run hack/addons/build.sh, which takes "
                              "them from the pinned package (make demo and make test do)"
                              % (root, entry.get("description", entry["files"]), entry["version"], entry["package"]))
    return path


def package_crds(root, entry):
    """The upstream CRDs of a catalog entry (an add-on, or the GPU Operator's), from the files directory root."""
    return crds(addon_dir(root, entry))


def load_documents(path):
    """The YAML documents of a file (the C loader when PyYAML has it: CRDs are about 1 MB)."""
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with open(path) as handle:
            return [doc for doc in yaml.load_all(handle, Loader=loader) if doc]
    except (IOError, OSError, yaml.YAMLError) as exc:
        raise AizoneError("cannot read add-on file %s: %s" % (path, exc))


def crds(path):
    """Every CustomResourceDefinition under <path>/crds, sorted by name."""
    found = []
    for name in sorted(os.listdir(os.path.join(path, "crds"))):
        if name.endswith((".yaml", ".yml")):
            found += [d for d in load_documents(os.path.join(path, "crds", name))
                      if d.get("kind") == "CustomResourceDefinition"]
    return sorted(found, key=lambda d: d["metadata"]["name"])


def optional(path, relative):
    """The one document of an optional file under path, or None when the package ships none."""
    full = os.path.join(path, relative)
    if not os.path.isfile(full):
        return None
    docs = load_documents(full)
    return docs[0] if docs else None
