# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A running zone and its API server, for the modules that act inside a zone through its provider
(add-ons, storage): the zone must exist and run; the kubeconfig is the module's or the provider's."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.names import check_dns_label


def running_zone(params):
    """(provider, zone) of params; the zone must exist and run."""
    from ansible_collections.aizone.platform.plugins.module_utils.providers import get_provider
    name = check_dns_label("zone", params.get("zone"), max_length=40, start_letter=True)
    provider = get_provider(params["provider"], params)
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


def zone_rest(params, provider, zone):
    """The zone's Rest: the kubeconfig option, else the kubeconfig the provider gives for the zone."""
    from ansible_collections.aizone.platform.plugins.module_utils.files import kubeconfig_text, write_private_file
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect
    if params.get("kubeconfig"):
        return connect(params)
    tmp = tempfile.mkdtemp(prefix="aizone-zone-")
    try:
        path = os.path.join(tmp, "kubeconfig")
        write_private_file(path, kubeconfig_text(provider.zone_kubeconfig(zone)))
        return connect({"kubeconfig": path})   # credentials are read now: the file can go
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
