# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PostgreSQL side of platform_databases: connect with retries, read what exists, plan and run statements.

Passwords never travel as plain text in SQL: a role's password is sent as a
SCRAM-SHA-256 verifier computed by libpq (`encrypt_password`), so server
statement logs and pg_stat_activity never show it. psycopg2 is imported
inside the functions that need it (providers/cloud.import_sdk names the
package when it is missing), so bad input fails without it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.retry import call_with_retry

#: SQLSTATEs worth another try: cannot connect now (starting up), too many connections, serialization, deadlock
TRANSIENT_SQLSTATES = ("57P03", "53300", "40001", "40P01")
#: libpq connection errors without a SQLSTATE that a retry can fix
TRANSIENT_TEXT = ("could not connect", "connection refused", "timeout expired", "server closed the connection",
                  "the database system is starting up", "the database system is shutting down")
#: authentication refused (wrong password, no such role): never retried
AUTH_SQLSTATES = ("28P01", "28000")
#: privileges PUBLIC must not hold on a platform database
PUBLIC_PRIVILEGES = ("CONNECT", "TEMPORARY")

ROLE_ATTRIBUTES = {"rolcanlogin": True, "rolsuper": False, "rolcreatedb": False, "rolcreaterole": False,
                   "rolreplication": False, "rolbypassrls": False}


def _psycopg2():
    try:
        import psycopg2
        import psycopg2.extensions
        import psycopg2.sql
    except ImportError:
        raise AizoneError("platform_databases needs the Python package psycopg2 (or psycopg2-binary) on the "
                          "controller: pip install psycopg2-binary")
    return psycopg2


def database_errors():
    """The exception class a failed statement raises (psycopg2.Error)."""
    return _psycopg2().Error


def is_transient(exc):
    """True for connection and concurrency errors a retry can fix."""
    psycopg2 = _psycopg2()
    if not isinstance(exc, psycopg2.Error):
        return False
    if getattr(exc, "pgcode", None) in TRANSIENT_SQLSTATES:
        return True
    text = str(exc).lower()
    return isinstance(exc, psycopg2.OperationalError) and getattr(exc, "pgcode", None) is None and any(
        t in text for t in TRANSIENT_TEXT) and "password authentication failed" not in text


def is_auth_failure(exc):
    text = str(exc).lower()
    return getattr(exc, "pgcode", None) in AUTH_SQLSTATES or "password authentication failed" in text or (
        "role" in text and "does not exist" in text)


def _describe(server, user, dbname):
    return "PostgreSQL %s@%s:%s/%s" % (user, server["host"], server["port"], dbname)


def _retried_connect(server, user, password, dbname, deadline=60.0, sleep=None):
    """An autocommit connection, transient failures retried with backoff until `deadline` seconds; psycopg2
    errors are the caller's to word."""
    psycopg2 = _psycopg2()

    def once():
        conn = psycopg2.connect(host=server["host"], port=server["port"], user=user, password=password,
                                dbname=dbname, sslmode=server["sslmode"], connect_timeout=server["connect_timeout"],
                                application_name="aizone.platform")
        conn.autocommit = True
        return conn

    return call_with_retry(once, is_transient, deadline=deadline, **({"sleep": sleep} if sleep else {}))


def connect(server, user, password, dbname, deadline=60.0, sleep=None):
    """An autocommit connection; a final failure names the server, user and database."""
    try:
        return _retried_connect(server, user, password, dbname, deadline, sleep)
    except database_errors() as exc:
        raise AizoneError("%s: cannot connect: %s" % (_describe(server, user, dbname), str(exc).strip()),
                          sqlstate=getattr(exc, "pgcode", None))


def can_login(server, user, password, dbname):
    """True when user/password opens dbname; False when authentication is refused."""
    try:
        _retried_connect(server, user, password, dbname).close()
    except database_errors() as exc:
        if is_auth_failure(exc) or "permission denied for database" in str(exc):
            return False
        raise AizoneError("%s: cannot check the role's password: %s" % (_describe(server, user, dbname),
                                                                        str(exc).strip()))
    return True


def read_state(conn, databases):
    """What exists for these databases: roles, databases (owner, PUBLIC's privileges), and the admin."""
    names = [d["name"] for d in databases]
    owners = [d["owner"] for d in databases]
    with conn.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cur.fetchone()
        admin_super = bool(row and row[0])
        cur.execute("SELECT rolname, " + ", ".join(sorted(ROLE_ATTRIBUTES)) + " FROM pg_roles WHERE rolname = ANY(%s)",
                    (owners,))
        roles = dict((r[0], dict(zip(sorted(ROLE_ATTRIBUTES), r[1:]))) for r in cur.fetchall())
        cur.execute("SELECT d.datname, pg_get_userbyid(d.datdba), "
                    "ARRAY(SELECT DISTINCT a.privilege_type FROM aclexplode(COALESCE(d.datacl, acldefault('d', d.datdba)))"
                    " a WHERE a.grantee = 0 AND a.privilege_type = ANY(%s) ORDER BY 1) "
                    "FROM pg_database d WHERE d.datname = ANY(%s)", (list(PUBLIC_PRIVILEGES), names))
        dbs = dict((r[0], {"owner": r[1], "public": list(r[2])}) for r in cur.fetchall())
    return {"admin_superuser": admin_super, "roles": roles, "databases": dbs}


def role_fixes(role):
    """The attribute clauses a live role needs to be a plain login role (empty when it is one)."""
    clauses = {"rolcanlogin": "LOGIN", "rolsuper": "NOSUPERUSER", "rolcreatedb": "NOCREATEDB",
               "rolcreaterole": "NOCREATEROLE", "rolreplication": "NOREPLICATION", "rolbypassrls": "NOBYPASSRLS"}
    return [clauses[k] for k, want in sorted(ROLE_ATTRIBUTES.items()) if bool(role.get(k)) != want]


def _execute(cur, statement, params):
    call_with_retry(lambda: cur.execute(statement, params), is_transient, deadline=60.0)


class Statements(object):
    """SQL to run, composed safely (identifiers quoted by psycopg2.sql), with a readable summary each."""

    def __init__(self, conn):
        self.conn, self.items, self.sets_password = conn, [], False
        self.sql = _psycopg2().sql

    def add(self, summary, template, *identifiers, **kw):
        self.items.append((summary, self.sql.SQL(template).format(*[self.sql.Identifier(i) for i in identifiers]),
                           kw.get("params")))

    def password(self, role, password):
        """ALTER ROLE ... PASSWORD with the SCRAM verifier, never the password (none without a connection: a
        prediction, never run)."""
        verifier = None if self.conn is None else \
            _psycopg2().extensions.encrypt_password(password, role, self.conn, "scram-sha-256")
        self.sets_password = True
        self.items.append(("set the password of role %s" % role,
                           self.sql.SQL("ALTER ROLE {} PASSWORD %s").format(self.sql.Identifier(role)), (verifier,)))

    def run(self):
        with self.conn.cursor() as cur:
            for _summary, statement, params in self.items:
                _execute(cur, statement, params)
        return len(self.items)

    def summaries(self):
        return [summary for summary, _statement, _params in self.items]
