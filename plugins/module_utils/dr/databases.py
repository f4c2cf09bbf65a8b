# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What platform_database_backup does: the platform databases' data (PostgreSQL, outside Velero's reach), dumped
into the zone's backup store and restored from it in another zone - the state a failover moves besides the
Kubernetes objects.

- dump: pg_dump --format=custom of each database (no owners, no grants: the target zone's platform_databases made
  its own roles), written with its SHA-256 under aizone-databases/<location prefix>/<database>/<UTC stamp>.dump,
  then latest.json naming it. Beside Velero's prefix, never inside it (Velero marks a location whose prefix holds
  a directory of its own Unavailable), so the location must have a prefix. Every run dumps (an event, like
  backup_schedule's backup_now); check mode predicts the keys and writes nothing.
- restore: the newest dump of each database through a location (a DR zone's ReadOnly one on its primary's
  prefix), its SHA-256 checked before anything is written, into the database platform_databases made in this
  zone: pg_restore --clean --if-exists --single-transaction as the database's owner, so the restored tables are
  the owner's and a failed restore changes nothing. The database is marked with what was restored (a comment on
  the database), so a second run finds it and changes nothing; check mode reads the marks and predicts.

The admin password is read as platform_databases reads it and reaches the programs only in their environment
(PGPASSWORD), never their arguments or the result.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time

from ansible_collections.aizone.platform.plugins.module_utils.dr.store import Store
from ansible_collections.aizone.platform.plugins.module_utils.dr.velero import velero_namespace
from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.files import postgres_program
from ansible_collections.aizone.platform.plugins.module_utils.mlops import postgres
from ansible_collections.aizone.platform.plugins.module_utils.mlops.databases import admin_password
from ansible_collections.aizone.platform.plugins.module_utils.mlops.db_spec import check_identifier, check_server
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    check_choice, check_dns_subdomain, check_list, given)
from ansible_collections.aizone.platform.plugins.module_utils.retry import call_with_retry, task_bound, time_left
from ansible_collections.aizone.platform.plugins.module_utils.waiter import task_timeout

ACTIONS = ("dump", "restore")
TOP = "aizone-databases"
MARK = "aizone.platform restored "
STAMP = "%Y%m%dT%H%M%SZ"
#: seconds a task may take (wait_timeout): dumps and restores of large databases are long
DEFAULT_TIMEOUT = 1800


def _database(index, raw):
    field = "databases[%d]" % index
    if not isinstance(raw, dict):
        raise ValidationError(field, "give a mapping with name (and owner)")
    name = check_identifier(field + ".name", raw.get("name"))
    return {"name": name, "owner": check_identifier(field + ".owner", given(raw.get("owner"), name)), "field": field,
            "state": check_choice(field + ".state", given(raw.get("state"), "present"), ("present", "absent"))}


def validate(params):
    """(server, databases, action, location name); no request."""
    server = check_server(params.get("server") or {})
    databases = [d for d in check_list("databases", params.get("databases"), _database, "database")
                 if d["state"] == "present"]
    if not databases:
        raise ValidationError("databases", "every entry has state=absent: give at least one database to move")
    action = check_choice("action", params.get("action"), ACTIONS)
    location = check_dns_subdomain("location", given(params.get("location"), "aizone"), "a location name")
    return server, databases, action, location


def _program(name):
    path = postgres_program(name)
    if not path:
        raise AizoneError("%s is not installed on the controller: install PostgreSQL's client programs (Debian: "
                          "postgresql-client, at least the server's major version)" % name)
    return path


class _Failed(AizoneError):
    """A PostgreSQL program's failure; transient when libpq could not reach the server."""

    def __init__(self, msg, stderr):
        super(_Failed, self).__init__(msg)
        self.transient = any(t in stderr for t in postgres.TRANSIENT_TEXT)


def _run(argv, server, password, what):
    """Run a PostgreSQL program against the server, the password in its environment only; retried with backoff
    while the server cannot be reached (retry.call_with_retry), bounded by the task's time."""
    env = dict(os.environ, PGPASSWORD=password, PGSSLMODE=server["sslmode"],
               PGCONNECT_TIMEOUT=str(server["connect_timeout"]), PGAPPNAME="aizone.platform")
    argv = argv + ["--host", server["host"], "--port", str(server["port"]), "--username", server["admin_user"]]

    def once():
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False,
                              timeout=max(5.0, time_left() or DEFAULT_TIMEOUT))
        if proc.returncode:
            err = proc.stderr.strip()
            raise _Failed("%s on %s:%s: %s" % (what, server["host"], server["port"], err[-2000:]), err)
    call_with_retry(once, lambda exc: isinstance(exc, _Failed) and exc.transient, retries=30,
                    deadline=DEFAULT_TIMEOUT)


def _require_prefix(store):
    if not store.prefix:
        raise ValidationError("location", "location %s has no prefix: database dumps go beside Velero's prefix "
                                          "(%s/<prefix>/), and Velero refuses a bucket root holding them" % (store.name, TOP))


def _keys(store, name):
    """(the database's directory, its latest.json) beside the location's prefix (checked by _require_prefix)."""
    base = "%s/%s/%s" % (TOP, store.prefix, name)
    return base, base + "/latest.json"


def _marks(conn, databases, server):
    """{database: its comment or ""}; fails naming the databases this zone lacks."""
    cur = conn.cursor()
    cur.execute("SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
                "WHERE datname = ANY(%s)", ([d["name"] for d in databases],))
    found = dict(cur.fetchall())
    missing = [d["name"] for d in databases if d["name"] not in found]
    if missing:
        raise AizoneError("database %s does not exist on %s:%s: make it with aizone.platform.platform_databases "
                          "first" % (", ".join(missing), server["host"], server["port"]), field="databases")
    return found


def _dump(store, server, password, db, workdir, check_mode):
    base, latest = _keys(store, db["name"])
    stamp = time.strftime(STAMP, time.gmtime())
    key = "%s/%s.dump" % (base, stamp)
    out = {"name": db["name"], "action": "dumped", "key": key}
    if check_mode:
        return out
    started, path = time.monotonic(), os.path.join(workdir, db["name"] + ".dump")
    _run([_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", path,
          "--dbname", db["name"]], server, password, "pg_dump of %s" % db["name"])
    sha256, size = _digest(path)
    record = {"key": key, "sha256": sha256, "bytes": size, "dumped_at": stamp, "database": db["name"]}
    with open(path, "rb") as handle:     # streamed: a dump is as large as its database
        store.put(key, handle)
    store.put(latest, json.dumps(record, sort_keys=True).encode("utf-8"))
    out.update(sha256=sha256, bytes=size, dumped_at=stamp, seconds=round(time.monotonic() - started, 2))
    return out


def _digest(path):
    """(SHA-256, bytes) of a file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _latest(store, db):
    _base, latest = _keys(store, db["name"])
    raw = store.get(latest)
    if raw is None:
        raise AizoneError("no dump of database %s through location %s (%s is absent): dump it on its zone first "
                          "(action=dump)" % (db["name"], store.name, latest), field=db["field"] + ".name")
    return json.loads(raw.decode("utf-8"))


def _restore(store, conn, server, password, db, mark, workdir, check_mode):
    record = _latest(store, db)
    wanted = "%s%s sha256 %s" % (MARK, record["key"], record["sha256"])
    out = {"name": db["name"], "key": record["key"], "sha256": record["sha256"], "dumped_at": record["dumped_at"],
           "action": "unchanged" if mark == wanted else "restored"}
    if out["action"] == "unchanged" or check_mode:
        return out
    started, path = time.monotonic(), os.path.join(workdir, db["name"] + ".dump")
    found = store.download(record["key"], path)
    digest, size = _digest(path) if found else (None, 0)
    if digest != record["sha256"]:
        raise AizoneError("dump %s of database %s is %s: nothing was restored" % (
            record["key"], db["name"], "not the one latest.json names (SHA-256 differs)" if found else "missing"),
            field=db["field"] + ".name")
    _run([_program("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", "--role", db["owner"], "--dbname", db["name"], path], server, password,
         "pg_restore of %s" % db["name"])
    from psycopg2 import sql
    conn.cursor().execute(sql.SQL("COMMENT ON DATABASE {} IS %s").format(sql.Identifier(db["name"])), (wanted,))
    out.update(bytes=size, seconds=round(time.monotonic() - started, 2))
    return out


def converge(params, check_mode=False):
    """The platform_database_backup module; returns the result dict (no password in it)."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect as kube
    timeout = task_timeout(params, DEFAULT_TIMEOUT)
    namespace = velero_namespace(params)
    server, databases, action, location = validate(params)
    with task_bound(time.monotonic() + timeout):
        return _converge(kube(params), namespace, server, databases, action, location, check_mode)


def _converge(rest, namespace, server, databases, action, location, check_mode):
    store = Store(rest, namespace, location)
    _require_prefix(store)
    password = admin_password(rest, server)
    conn = postgres.connect(server, server["admin_user"], password, server["maintenance_db"])
    workdir = tempfile.mkdtemp(prefix="aizone-db-")    # 0700: the dumps hold the databases' data
    try:
        marks = _marks(conn, databases, server)
        if action == "dump":
            done = [_dump(store, server, password, db, workdir, check_mode) for db in databases]
        else:
            done = [_restore(store, conn, server, password, db, marks[db["name"]], workdir, check_mode)
                    for db in databases]
    finally:
        conn.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return {"changed": any(d["action"] != "unchanged" for d in done), "databases": done, "location": location,
            "api_requests": dict(rest.counts)}
