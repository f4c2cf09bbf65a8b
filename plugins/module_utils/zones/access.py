# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A running zone and its API server, for the modules that act inside a zone through its provider
(add-ons, storage): the zone must exist and run; the kubeconfig is the module's or the provider's."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import check_dns_label


def running_zone(params, provider=None):
    """(provider, zone) of params; the zone must exist and run. provider: one already built from params."""
    from ansible_collections.aizone.platform.plugins.module_utils.providers import get_provider
    name = check_dns_label("zone", params.get("zone"), max_length=40, start_letter=True)
    provider = provider or get_provider(params["provider"], params)
    zone = provider.get_zone(name)
    if zone is None:
        raise AizoneError("zone %s does not exist on provider %s; create it with aizone.platform.zone first"
                          % (name, provider.name), field="zone")
    require_running(provider, zone, "first")
    return provider, zone


def serving(provider, zone):
    """True when the zone exists and its API server can be read (not stopped, no dead component)."""
    return zone is not None and zone.get("status") not in provider.start_statuses


def require_running(provider, zone, when):
    """Fail, naming what is wrong, unless the zone serves: a stopped zone, or one with a dead component."""
    if zone.get("status") not in provider.start_statuses:
        return
    why = "is stopped" if zone.get("status") == "STOPPED" else "is %s (%s)" % (
        zone.get("status", "").lower(), zone.get("status_message") or "a component is down")
    raise AizoneError("zone %s %s; start it (zone state=present) %s" % (zone["name"], why, when), field="zone")


def require_namespace(rest, field, namespace, check_mode, warnings, what="everything"):
    """True when the namespace exists. A real run refuses a missing one before any write; check mode warns (an
    earlier task of the play may create it) and returns False: `what` is then predicted created, unchecked."""
    if rest.get_or_none("/api/v1/namespaces/%s" % namespace) is not None:
        return True
    if not check_mode:
        raise ValidationError(field, "namespace %r does not exist; create the tenant first (aizone.platform.tenant)"
                              % namespace)
    warnings.append("%s: namespace %r does not exist: %s predicted created, unchecked (a real run fails unless an "
                    "earlier task creates it)" % (field, namespace, what))
    return False


def zone_rest(params, provider, zone):
    """The zone's Rest: the kubeconfig option, else the kubeconfig the provider gives for the zone."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect, connect_config
    if params.get("kubeconfig"):
        return connect(params)
    return connect_config(provider.zone_kubeconfig(zone))
