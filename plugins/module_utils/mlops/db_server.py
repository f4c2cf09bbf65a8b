# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the platform_database_server module does: the PostgreSQL server a zone runs for its platform databases.

The provider makes it run (Provider.database_server: on the local zone, Debian's
PostgreSQL as a process of the zone; cloud providers refuse, their zones use a
managed server), and this stores its admin password in a Secret of the zone,
so that platform_databases reads it from there (`admin_password_secret`), and
returns the `server` option platform_databases takes. The password is in no
result, diff or log; a second run writes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.k8s.secrets import (
    decoded, secret_object, secret_path, write_secret)
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    LABEL_COMPONENT, LABEL_MANAGED_BY, MANAGED_BY, check_dns_label, check_dns_subdomain)


def argument_spec():
    return dict(
        zone=dict(type="str", required=True),
        admin_secret=dict(type="dict", default={}, no_log=False, options=dict(
            namespace=dict(type="str", default="aizone-system"),
            name=dict(type="str", default="platform-db-admin"))),
        kubeconfig=dict(type="path"),
        context=dict(type="str"),
    )


def _secret_ref(params):
    ref = dict(namespace="aizone-system", name="platform-db-admin")
    ref.update(dict((k, v) for k, v in (params.get("admin_secret") or {}).items() if v))
    check_dns_label("admin_secret.namespace", ref["namespace"])
    check_dns_subdomain("admin_secret.name", ref["name"], "a Secret name")
    return ref


def _converge_secret(rest, ref, server, check_mode):
    """Create or correct the admin Secret; the action (created, updated or None)."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ref["namespace"]}}
    live_ns = rest.get_or_none("/api/v1/namespaces/%s" % ref["namespace"])
    live = rest.get_or_none(secret_path(ref["namespace"], ref["name"])) if live_ns else None
    if server["admin_password"] is None:        # check mode, the server not made yet
        return "created"
    data = {"username": server["admin_user"], "password": server["admin_password"], "host": server["host"],
            "port": str(server["port"])}
    if live is not None and decoded(live) == data:
        return None
    if check_mode:
        return "updated" if live is not None else "created"
    if live_ns is None:
        apply_objects(rest, [namespace])
    return write_secret(rest, secret_object(ref["namespace"], ref["name"], {
        LABEL_MANAGED_BY: MANAGED_BY, LABEL_COMPONENT: "database"}, data, live), live)


def converge(params, check_mode=False):
    """The result dict: `server` (platform_databases' option), `database_server` (what runs), no password."""
    from ansible_collections.aizone.platform.plugins.module_utils.zones.access import running_zone, zone_rest
    ref = _secret_ref(params)
    provider, zone = running_zone(params)
    rest = zone_rest(params, provider, zone)
    started, server = provider.database_server(zone["name"], check_mode=check_mode)
    secret = _converge_secret(rest, ref, server, check_mode)
    return {"changed": bool(started or secret),
            "server": {"host": server["host"], "port": server["port"], "admin_user": server["admin_user"],
                       "admin_password_secret": dict(ref, key="password"), "sslmode": "disable",
                       "service_host": server["host"], "service_port": server["port"]},
            "database_server": {"zone": zone["name"], "provider": provider.name, "started": bool(started),
                                "initialized": bool(server.get("initialized")) or not check_mode,
                                "admin_secret": "%s/%s" % (ref["namespace"], ref["name"]), "secret_action": secret,
                                "log": server.get("log")},
            "api_requests": dict(rest.counts)}
