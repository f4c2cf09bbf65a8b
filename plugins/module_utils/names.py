# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names and labels: the label keys the collection sets, and the checks of names, labels and choices.

Every label key the collection writes is defined here once; every option
that is a Kubernetes name, a label, a choice or a bounded integer is checked
by the functions here, so all modules word the same mistake the same way.
Checks raise ValidationError naming the option path and what is allowed,
and return the normalized value.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError

#: Every object the collection writes carries LABEL_MANAGED_BY=MANAGED_BY; only such
#: objects are ever read back, pruned or deleted.
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY = "aizone.platform"
LABEL_NAME = "app.kubernetes.io/name"
LABEL_COMPONENT = "app.kubernetes.io/component"
#: Carried by every node of a pool on every provider, and by pods placed on a pool.
POOL_LABEL = "aizone.io/node-pool"
POOL_TYPE_LABEL = "aizone.io/node-pool-type"
GPU_MODEL_LABEL = "aizone.io/gpu-model"
TENANT_LABEL = "aizone.io/tenant"
#: where the NVIDIA GPU Operator and its ConfigMaps live unless gpu_sharing's operator_namespace says otherwise
GPU_OPERATOR_NAMESPACE = "gpu-operator"
WORKLOAD_LABEL = "aizone.io/workload"
COMPUTE_CLUSTER_LABEL = "aizone.io/compute-cluster"
DATABASE_LABEL = "aizone.io/database"
STORAGE_CLASS_LABEL = "aizone.io/storage-class"
#: Extended resources the GPU Operator's device plugin publishes (MIG slices: catalog/mig.resource_name).
GPU_RESOURCE = "nvidia.com/gpu"
SHARED_GPU_RESOURCE = "nvidia.com/gpu.shared"
#: GPU Feature Discovery's node labels: physical GPUs, and how many pods share one by time-slicing.
GPU_COUNT_LABEL = "nvidia.com/gpu.count"
GPU_REPLICAS_LABEL = "nvidia.com/gpu.replicas"
#: Taints the node lifecycle sets on its own; never a pool's taint, never tolerated by placement.
CONDITION_TAINT_PREFIXES = ("node.kubernetes.io/", "node.cloudprovider.kubernetes.io/")
#: Node label prefixes the platform, Kubernetes and the clouds set; users cannot set them on pools.
RESERVED_NODE_LABEL_PREFIXES = ("aizone.io/", "kubernetes.io/", "k8s.io/", "node.kubernetes.io/",
                                "topology.kubernetes.io/", "nvidia.com/", "eks.amazonaws.com/",
                                "karpenter.sh/", "kubernetes.azure.com/", "cloud.google.com/")

DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def check_choice(field, value, allowed):
    """value if it is one of allowed (None passes: not set)."""
    if value is not None and value not in allowed:
        raise ValidationError(field, "%r is not allowed; allowed values: %s"
                              % (value, ", ".join(str(a) for a in allowed)))
    return value


def check_keys(field, value, known):
    """value, a mapping whose keys are all in known (the first unknown one is named)."""
    if not isinstance(value, dict):
        raise ValidationError(field, "must be a mapping with keys %s" % ", ".join(known))
    unknown = [str(k) for k in value if k not in known]
    if unknown:
        raise ValidationError("%s.%s" % (field, unknown[0]), "unknown option; allowed: %s" % ", ".join(known))
    return value


def check_list(field, items, validate_one, what, key=lambda spec: spec["name"]):
    """[validate_one(index, raw)] of a non-empty list whose entries' keys (their name, or key(spec)) are unique:
    the second of two is refused, naming the first. validate_one(index, raw) returns a spec with its "field"."""
    if not isinstance(items, list) or not items:
        raise ValidationError(field, "give a list of at least one %s" % what)
    specs, seen = [], {}
    for index, raw in enumerate(items):
        spec = validate_one(index, raw)
        found = key(spec)
        if found in seen:
            raise ValidationError(spec["field"] + ".name", "%s is also %s[%d]" % (
                "/".join(found) if isinstance(found, tuple) else found, field, seen[found]))
        seen[found] = index
        specs.append(spec)
    return specs


def given(value, default):
    """value, unless it is None (unset): then default. Not `value or default`, which turns a 0 given into the
    default instead of checking it."""
    return default if value is None else value


def check_int(field, value, minimum=0, maximum=None):
    """value as an int within minimum..maximum (an integer string is accepted)."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value), 10)
        except ValueError:
            raise ValidationError(field, "%r is not an integer" % (value,))
    if value < minimum:
        raise ValidationError(field, "%d must be >= %d" % (value, minimum))
    if maximum is not None and value > maximum:
        raise ValidationError(field, "%d must be <= %d" % (value, maximum))
    return value


def check_dns_label(field, value, max_length=63, start_letter=False):
    """A DNS-1123 label (start_letter: a DNS-1035 label) of at most max_length characters."""
    pattern = DNS_1035_LABEL if start_letter else DNS_1123_LABEL
    if isinstance(value, str) and len(value) <= max_length and pattern.match(value):
        return value
    if start_letter:
        what = ("a DNS-1035 label (lowercase letters, digits and '-', starting with a letter and ending "
                "with a letter or digit, at most %d characters)" % max_length)
    else:
        what = ("a DNS-1123 label (lowercase letters, digits and '-', starting and ending alphanumeric, "
                "at most %d characters)" % max_length)
    raise ValidationError(field, "%r is not %s" % (value, what))


def check_dns_subdomain(field, value, what="a DNS-1123 subdomain"):
    """A DNS-1123 subdomain (names of most Kubernetes objects), at most 253 characters."""
    if not isinstance(value, str) or len(value) > 253 or not DNS_SUBDOMAIN.match(value):
        raise ValidationError(field, "%r is not %s (lowercase letters, digits, '-' and '.')" % (value, what))
    return value


def check_label_key(field, key):
    """A label or annotation key: [prefix/]name, name 1-63 of [A-Za-z0-9-_.], prefix a DNS subdomain."""
    key = str(key)
    prefix, _sep, name = key.rpartition("/")
    if (not name or len(name) > 63 or not _LABEL_PART.match(name)
            or (prefix and (len(prefix) > 253 or not DNS_SUBDOMAIN.match(prefix)))):
        raise ValidationError(field, "%r is not a valid label key: [prefix/]name where name is 1-63 "
                              "characters [A-Za-z0-9-_.] starting and ending alphanumeric and prefix a "
                              "DNS subdomain" % key)
    return key


def check_label_value(field, value):
    """A label value ('' for None; booleans as true/false)."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    value = "" if value is None else str(value)
    if len(value) > 63 or not LABEL_VALUE.match(value):
        raise ValidationError(field, "%r is not a valid label value: at most 63 characters [A-Za-z0-9-_.] "
                              "starting and ending alphanumeric, or empty" % value)
    return value


def _reserved_prefix(key, prefixes):
    domain = key.rpartition("/")[0]
    for prefix in prefixes:
        if key.startswith(prefix) or domain.endswith("." + prefix.rstrip("/")):
            return prefix
    return None


def check_labels(field, labels, reserved_keys=(), reserved_prefixes=()):
    """A mapping of labels, checked and normalized; None stays None.

    reserved_keys: keys the caller sets itself; reserved_prefixes: prefixes
    (with their subdomains) nobody but the platform may set."""
    if labels is None:
        return None
    if not isinstance(labels, dict):
        raise ValidationError(field, "must be a mapping of label key to value")
    out = {}
    for key, value in labels.items():
        where = "%s.%s" % (field, key)
        key = check_label_key(where, key)
        if key in reserved_keys:
            raise ValidationError(where, "is set by the module; remove it")
        prefix = _reserved_prefix(key, reserved_prefixes)
        if prefix:
            raise ValidationError(where, "label prefix %s is set by the platform; reserved prefixes: %s"
                                  % (prefix, ", ".join(reserved_prefixes)))
        out[key] = check_label_value(where, value)
    return out


def check_annotations(field, annotations):
    """A mapping of annotations: valid keys, values as strings; None stays None."""
    if annotations is None:
        return None
    if not isinstance(annotations, dict):
        raise ValidationError(field, "must be a mapping of annotation key to value")
    return dict((check_label_key("%s.%s" % (field, k), k), "" if v is None else str(v))
                for k, v in annotations.items())


def pool_selector(pools):
    """Label selector matching the nodes of every pool in pools."""
    pools = sorted(set(pools))
    if len(pools) == 1:
        return "%s=%s" % (POOL_LABEL, pools[0])
    return "%s in (%s)" % (POOL_LABEL, ",".join(pools))
