# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Zone add-ons: validation of the addon module's input, before any request.

Why a module of its own rather than an `addons` option of `zone`: an add-on
lives inside the zone (CRDs, RBAC, an operator) and is converged against its
API server, while `zone` talks to the cloud's control-plane API and runs
before the zone can be reached; add-ons are upgraded and removed on their own
schedule; and later layers (Velero for DR) add their own add-ons without
touching the zone task. One task converges a whole list, like `tenant`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDON_NAMES, ADDONS
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import check_choice, check_dns_label, check_list

STATES = ("present", "absent")
#: where operators run: the provider's choice, next to a local zone's control plane, or in the zone
CONTROLLERS = ("auto", "local", "cluster")
FILES_ENV = "AIZONE_ADDONS_DIR"
DEFAULT_FILES_DIR = os.path.join("~", ".cache", "aizone", "addons")


def validate_addon(index, raw):
    """One add-on entry: {name, state, namespace, pool, remove_crds, version, field}."""
    field = "addons[%d]" % index
    if not isinstance(raw, dict):
        raise ValidationError(field, "must be a mapping with at least a name")
    name = check_choice(field + ".name", raw.get("name"), ADDON_NAMES)
    if name is None:
        raise ValidationError(field + ".name", "is required; allowed values: %s" % ", ".join(ADDON_NAMES))
    catalog = ADDONS[name]
    state = check_choice(field + ".state", raw.get("state") or "present", STATES)
    if raw.get("remove_crds") and state != "absent":
        raise ValidationError(field + ".remove_crds", "only applies with state=absent")
    if raw.get("identity") is not None and not isinstance(raw.get("identity"), str):
        raise ValidationError(field + ".identity", "give the cloud identity as text (got %r)" % (raw.get("identity"),))
    return {
        "name": name,
        "field": field,
        "state": state,
        "version": catalog["version"],
        "namespace": check_dns_label(field + ".namespace", raw.get("namespace") or catalog["namespace"]),
        "pool": check_dns_label(field + ".pool", raw["pool"]) if raw.get("pool") else None,
        "remove_crds": bool(raw.get("remove_crds")),
        "identity": raw.get("identity") or None,
    }


def validate_addons(addons):
    return check_list("addons", addons, validate_addon, "add-on")


def bind_identities(specs, provider):
    """Each spec with an identity gets "binding": the provider's ServiceAccount annotations and pod labels for it
    (checked against the provider's form, before any request)."""
    for spec in specs:
        spec["binding"] = provider.workload_identity(spec["field"] + ".identity", spec["identity"]) \
            if spec["identity"] else None
    return specs


def choose_controllers(wanted, provider):
    """Where the operators run: the provider's first choice for auto, else wanted if the provider can."""
    check_choice("controllers", wanted, CONTROLLERS)
    allowed = provider.addon_controllers
    if wanted in (None, "auto"):
        return allowed[0]
    if wanted not in allowed:
        raise ValidationError("controllers", "provider %s runs add-on operators only in: %s; allowed values: auto, %s"
                              % (provider.name, ", ".join(allowed), ", ".join(allowed)))
    return wanted


def files_dir(params):
    """The add-on files directory (option, environment, default), expanded."""
    return os.path.expanduser(params.get("files_dir") or os.environ.get(FILES_ENV) or DEFAULT_FILES_DIR)
