# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""platform_databases input: the PostgreSQL server and the databases, checked before any call (no I/O).

A database is a PostgreSQL database, a login role that owns it and nothing else,
and a Kubernetes Secret in the consuming service's namespace holding that role's
password and the connection URI whole (services read the URI from the Secret;
no password is spliced into an argument).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    check_choice, check_dns_label, check_dns_subdomain, check_int)

#: the platform design's AI/ML services, each with a database of its own (the mlops role's default list)
PLATFORM_SERVICES = ("agent", "training", "tuning", "deployment", "data_integration", "pipeline", "mlflow",
                     "mlflow_auth")
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
STATES = ("present", "absent")
DEFAULT_PASSWORD_LENGTH = 32
#: lowercase unquoted PostgreSQL identifiers (no quoting surprises), at most 63 bytes; pg_ prefixes are reserved
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: databases no service may claim
RESERVED_DATABASES = ("postgres", "template0", "template1")

SECRET_OPTIONS = dict(
    namespace=dict(type="str", required=True),
    name=dict(type="str", required=True),
    key=dict(type="str", default="password", no_log=False),
)


def server_argument():
    """The `server` option (platform_databases, platform_database_backup; doc fragment postgres_server)."""
    server = dict(
        host=dict(type="str", required=True),
        port=dict(type="int", default=5432),
        admin_user=dict(type="str", default="postgres"),
        admin_password=dict(type="str", no_log=True),
        admin_password_secret=dict(type="dict", options=dict(SECRET_OPTIONS), no_log=False),
        maintenance_db=dict(type="str", default="postgres"),
        sslmode=dict(type="str", default="prefer", choices=list(SSL_MODES)),
        connect_timeout=dict(type="int", default=10),
        service_host=dict(type="str"),
        service_port=dict(type="int"),
    )
    return dict(type="dict", required=True, options=server)


def argument_spec():
    """The platform_databases options besides the Kubernetes connection options."""
    database = dict(
        name=dict(type="str", required=True),
        owner=dict(type="str"),
        namespace=dict(type="str", required=True),
        secret=dict(type="str", no_log=False),
        state=dict(type="str", default="present", choices=list(STATES)),
    )
    return dict(
        server=server_argument(),
        databases=dict(type="list", elements="dict", required=True, options=database),
        password_length=dict(type="int", default=DEFAULT_PASSWORD_LENGTH, no_log=False),
    )


def check_identifier(field, value):
    """A PostgreSQL database or role name this collection creates."""
    if not isinstance(value, str) or not _IDENTIFIER.match(value) or value.startswith("pg_"):
        raise ValidationError(field, "%r is not allowed: lowercase letters, digits and '_', starting with a "
                              "letter or '_', at most 63 characters, not starting with pg_" % (value,))
    return value


def secret_name(database):
    """The default Secret of a database: mlflow_auth -> mlflow-auth-postgres."""
    return database.replace("_", "-") + "-postgres"


def _check_host(field, host):
    import ipaddress
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return check_dns_subdomain(field, host.lower() if isinstance(host, str) else host, "a host name or IP address")


def check_server(server):
    out = dict(server)
    _check_host("server.host", out.get("host"))
    check_int("server.port", out.get("port"), 1, 65535)
    check_int("server.connect_timeout", out.get("connect_timeout"), 1, 600)
    check_choice("server.sslmode", out.get("sslmode"), SSL_MODES)
    if bool(out.get("admin_password")) == bool(out.get("admin_password_secret")):
        raise ValidationError("server.admin_password", "give exactly one of server.admin_password and "
                              "server.admin_password_secret (namespace, name, key)")
    ref = out.get("admin_password_secret")
    if ref:
        check_dns_label("server.admin_password_secret.namespace", ref.get("namespace"))
        check_dns_subdomain("server.admin_password_secret.name", ref.get("name"), "a Secret name")
    if out.get("service_port") is not None:
        check_int("server.service_port", out["service_port"], 1, 65535)
    if out.get("service_host"):
        _check_host("server.service_host", out["service_host"])
    out["service_host"] = out.get("service_host") or out["host"]
    out["service_port"] = out.get("service_port") or out["port"]
    return out


def _database(index, db):
    field = "databases[%d]" % index
    out = dict(db)
    name = check_identifier(field + ".name", db.get("name"))
    if name in RESERVED_DATABASES:
        raise ValidationError(field + ".name", "%r is reserved; not allowed: %s" % (name, ", ".join(RESERVED_DATABASES)))
    out["owner"] = check_identifier(field + ".owner", db.get("owner") or name)
    check_dns_label(field + ".namespace", db.get("namespace"))
    out["secret"] = check_dns_subdomain(field + ".secret", db.get("secret") or secret_name(name), "a Secret name")
    out["state"] = check_choice(field + ".state", db.get("state") or "present", STATES)
    return out


def normalize(params):
    """(server, databases) from the module params, or ValidationError naming the option path."""
    server = check_server(params.get("server") or {})
    check_int("password_length", params.get("password_length"), 16, 128)
    databases, seen, owners = [], {}, {}
    if not params.get("databases"):
        raise ValidationError("databases", "give at least one database")
    for index, db in enumerate(params.get("databases")):
        db = _database(index, db)
        for key, table, what in ((db["name"], seen, "name"), (db["owner"], owners, "owner")):
            if key in table:
                raise ValidationError("databases[%d].%s" % (index, what), "%r is already used by databases[%d]; "
                                      "each database has a role of its own" % (key, table[key]))
            table[key] = index
        if db["owner"] == server["admin_user"]:
            raise ValidationError("databases[%d].owner" % index, "%r is the server's admin user; each database needs "
                                  "a role of its own" % db["owner"])
        databases.append(db)
    return server, databases
