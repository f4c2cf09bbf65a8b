# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""platform_databases: each service's PostgreSQL database, its own login role, and its password Secret.

Everything is read first (the Secrets, the admin password, the server's roles
and databases, whether each role's password still opens its database), then
planned, then written: the Secret first (so a generated password is stored
before any role uses it), then the SQL. The Secret is the source of truth for
the password: a role whose password no longer matches gets the Secret's back.
A second run reads and writes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.zones.access import require_namespace
from ansible_collections.aizone.platform.plugins.module_utils.mlops import postgres
from ansible_collections.aizone.platform.plugins.module_utils.mlops.db_spec import DEFAULT_PASSWORD_LENGTH, normalize
from ansible_collections.aizone.platform.plugins.module_utils.k8s.secrets import (
    decoded, new_password, secret_object, secret_path, write_secret)
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    DATABASE_LABEL, LABEL_COMPONENT, LABEL_MANAGED_BY, MANAGED_BY)

#: the Secret's keys besides the password (the URI carries it too)
SECRET_KEYS = ("username", "host", "port", "database", "sslmode")


def admin_password(rest, server, check_mode=False):
    """The admin's password; None in check mode when its Secret does not exist (yet)."""
    ref = server.get("admin_password_secret")
    if not ref:
        return server["admin_password"]
    secret = rest.get_or_none(secret_path(ref["namespace"], ref["name"]))
    if secret is None and check_mode:
        return None
    value = decoded(secret).get(ref["key"])
    if not value:
        raise ValidationError("server.admin_password_secret", "Secret %s/%s %s" % (
            ref["namespace"], ref["name"], "has no key %r" % ref["key"] if secret else "does not exist"))
    return value


def _read_secret(ctx, index, db):
    """The database's Secret (None when missing); refuses a Secret of the same name someone else owns. A missing
    namespace fails a real run; check mode warns (an earlier task may create it) and predicts the Secret."""
    rest = ctx["rest"]
    secret = rest.get_or_none(secret_path(db["namespace"], db["secret"]))
    if secret is None:
        if db["state"] == "present" and db["namespace"] not in ctx["namespaces"]:    # read once a run
            ctx["namespaces"][db["namespace"]] = require_namespace(
                rest, "databases[%d].namespace" % index, db["namespace"], ctx["check_mode"], ctx["warnings"],
                "its Secret is")
        return None
    labels = (secret.get("metadata") or {}).get("labels") or {}
    if labels.get(LABEL_MANAGED_BY) != MANAGED_BY or labels.get(DATABASE_LABEL) != db["name"]:
        raise ValidationError("databases[%d].secret" % index, "Secret %s/%s exists and does not belong to database "
                              "%s of aizone.platform (labels %s=%s, %s=%s); choose another name"
                              % (db["namespace"], db["secret"], db["name"], LABEL_MANAGED_BY, MANAGED_BY,
                                 DATABASE_LABEL, db["name"]))
    return secret


def _secret_data(server, db, password):
    data = {"username": db["owner"], "host": server["service_host"], "port": str(server["service_port"]),
            "database": db["name"], "sslmode": server["sslmode"], "password": password}
    data["uri"] = "postgresql://%s:%s@%s:%s/%s?sslmode=%s" % (
        db["owner"], password, server["service_host"], server["service_port"], db["name"], server["sslmode"])
    return data


def _secret_object(db, data, live=None):
    labels = {LABEL_MANAGED_BY: MANAGED_BY, LABEL_COMPONENT: "database", DATABASE_LABEL: db["name"]}
    return secret_object(db["namespace"], db["secret"], labels, data, live)


def _plan_present(ctx, sql, db, secret):
    """(Secret write or None, Secret data) for a database that should exist; its SQL goes into sql."""
    server, state = ctx["server"], ctx["state"]
    role, live_db = state["roles"].get(db["owner"]), state["databases"].get(db["name"])
    stored = decoded(secret)
    password = stored.get("password") or new_password(ctx["password_length"])
    data = _secret_data(server, db, password)
    write = None if secret is not None and stored == data else ("update" if secret is not None else "create")
    if role is None:
        sql.add("create role %s" % db["owner"], "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                "NOREPLICATION NOBYPASSRLS", db["owner"])
    elif postgres.role_fixes(role):
        fixes = postgres.role_fixes(role)
        sql.add("make role %s a plain login role (%s)" % (db["owner"], " ".join(fixes)),
                "ALTER ROLE {} " + " ".join(fixes), db["owner"])
    if role is None or secret is None or not postgres.can_login(
            server, db["owner"], password, db["name"] if live_db else server["maintenance_db"]):
        sql.password(db["owner"], password)
    if live_db is None:
        if not state["admin_superuser"]:
            sql.add("let the admin act as role %s (not a superuser)" % db["owner"], "GRANT {} TO CURRENT_USER",
                    db["owner"])
        sql.add("create database %s owned by %s" % (db["name"], db["owner"]), "CREATE DATABASE {} OWNER {}",
                db["name"], db["owner"])
    elif live_db["owner"] != db["owner"]:
        sql.add("give database %s to %s (was %s)" % (db["name"], db["owner"], live_db["owner"]),
                "ALTER DATABASE {} OWNER TO {}", db["name"], db["owner"])
    if live_db is None or live_db["public"]:
        sql.add("revoke CONNECT and TEMPORARY on database %s from PUBLIC" % db["name"],
                "REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC", db["name"])
    return write, data


def _plan_absent(ctx, sql, db, secret):
    state = ctx["state"]
    if db["name"] in state["databases"]:
        sql.add("drop database %s" % db["name"], "DROP DATABASE {} WITH (FORCE)", db["name"])
    if db["owner"] in state["roles"]:
        sql.add("drop role %s" % db["owner"], "DROP ROLE {}", db["owner"])
    return ("delete" if secret is not None else None), None


def _view(db, state, secret_exists, password_ok):
    live_db, role = state["databases"].get(db["name"]), state["roles"].get(db["owner"])
    return {"database": db["name"] if live_db else None, "owner": (live_db or {}).get("owner"),
            "role": db["owner"] if role else None,
            "public_privileges": (live_db or {}).get("public", []),
            "secret": "%s/%s" % (db["namespace"], db["secret"]) if secret_exists else None,
            "password_matches_secret": password_ok}


def _after(db):
    if db["state"] == "absent":
        return {"database": None, "owner": None, "role": None, "public_privileges": [], "secret": None,
                "password_matches_secret": None}
    return {"database": db["name"], "owner": db["owner"], "role": db["owner"], "public_privileges": [],
            "secret": "%s/%s" % (db["namespace"], db["secret"]), "password_matches_secret": True}


def _plan(ctx, index, db):
    secret = _read_secret(ctx, index, db)
    sql = postgres.Statements(ctx["conn"])
    write, data = (_plan_present if db["state"] == "present" else _plan_absent)(ctx, sql, db, secret)
    changes = (["%s Secret %s/%s" % (write, db["namespace"], db["secret"])] if write else []) + sql.summaries()
    password_ok = None
    if secret is not None and db["owner"] in ctx["state"]["roles"]:
        password_ok = not sql.sets_password
    action = ("deleted" if db["state"] == "absent" else
              "created" if db["name"] not in ctx["state"]["databases"] else "updated") if changes else "unchanged"
    return {"db": db, "sql": sql, "write": write, "data": data, "secret": secret, "changes": changes,
            "action": action, "before": _view(db, ctx["state"], secret is not None, password_ok)}


def _write_secret(rest, plan):
    db = plan["db"]
    if plan["write"] in ("create", "update"):
        write_secret(rest, _secret_object(db, plan["data"], plan["secret"]), plan["secret"])
    elif plan["write"] == "delete":
        rest.request("DELETE", secret_path(db["namespace"], db["secret"]))


def converge(params, check_mode=False, want_diff=False):
    """What the platform_databases module does; returns the result dict (no password in it)."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect as kube
    server, databases = normalize(params)
    rest = kube(params)
    password = admin_password(rest, server, check_mode)
    if password is None:
        # check mode, and the server's admin Secret is not there yet (the task making the server predicted it):
        # the server is predicted empty, every database created, without connecting
        ctx = _context(params, server, rest, None, {"admin_superuser": True, "roles": {}, "databases": {}}, True)
        out = _result([_plan(ctx, index, db) for index, db in enumerate(databases)], 0, rest, want_diff)
        out["warnings"] = ["server.admin_password_secret: Secret %(namespace)s/%(name)s does not exist yet: the "
                           "server is predicted empty" % server["admin_password_secret"]] + ctx["warnings"]
        return out
    conn = postgres.connect(server, server["admin_user"], password, server["maintenance_db"])
    try:
        ctx = _context(params, server, rest, conn, postgres.read_state(conn, databases), check_mode)
        plans = [_plan(ctx, index, db) for index, db in enumerate(databases)]
        statements = 0 if check_mode else _apply(plans, rest, server)
    finally:
        conn.close()
    out = _result(plans, statements, rest, want_diff)
    if ctx["warnings"]:
        out["warnings"] = ctx["warnings"]
    return out


def _context(params, server, rest, conn, state, check_mode):
    return {"server": server, "rest": rest, "conn": conn, "namespaces": {}, "state": state, "check_mode": check_mode,
            "warnings": [], "password_length": params.get("password_length") or DEFAULT_PASSWORD_LENGTH}


def _apply(plans, rest, server):
    """Each database in turn: its Secret, then its SQL; the number of statements run."""
    statements = 0
    for plan in plans:
        _write_secret(rest, plan)
        try:
            statements += plan["sql"].run()
        except postgres.database_errors() as exc:
            where = "database %s on %s:%s" % (plan["db"]["name"], server["host"], server["port"])
            raise AizoneError("%s: %s" % (where, str(exc).strip()), planned=plan["changes"])
    return statements


def _result(plans, statements, rest, want_diff):
    out = {"changed": any(p["changes"] for p in plans), "sql_statements": statements,
           "api_requests": dict(rest.counts),
           "databases": [{"name": p["db"]["name"], "owner": p["db"]["owner"], "action": p["action"],
                          "changed": bool(p["changes"]), "changes": p["changes"],
                          "secret": "%s/%s" % (p["db"]["namespace"], p["db"]["secret"])} for p in plans]}
    if want_diff:
        out["diff"] = [{"before_header": "database %s" % p["db"]["name"], "after_header": "database %s" % p["db"]["name"],
                        "before": p["before"], "after": _after(p["db"])} for p in plans if p["changes"]]
    return out
