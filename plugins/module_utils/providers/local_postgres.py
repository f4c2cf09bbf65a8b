# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local zone's PostgreSQL: Debian's server (postgresql-15) as a process next to the control plane.

Cloud zones keep their platform databases in a managed server; a local zone
runs the real PostgreSQL the same way it runs add-on operators - a process of
the zone (local_processes.py), started and stopped with it. The first start
runs initdb (SCRAM-SHA-256 everywhere, a generated admin password kept in a
0600 file beside the data) and picks a loopback port that stays the zone's, so
the Secrets that hold connection URIs stay true across restarts. PostgreSQL
refuses to run as root: as root, the data lives under /var/lib/aizone (the
`postgres` user the package creates owns it; /root is closed to it) and the
server runs through setpriv as that user.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import secrets
import shutil
import string
import subprocess

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.files import postgres_program
from ansible_collections.aizone.platform.plugins.module_utils.providers.local_processes import free_port

PROCESS = "postgresql"
ADMIN_USER = "postgres"
SERVICE_USER = "postgres"
ROOT_BASE = "/var/lib/aizone/zones"


def bin_dir():
    """The directory of the newest initdb (Debian's /usr/lib/postgresql/<major>/bin), or None."""
    found = postgres_program("initdb")
    return os.path.dirname(found) if found else None


def run_as():
    """The prefix that runs a PostgreSQL program as the `postgres` user when we are root (it refuses root)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid", SERVICE_USER, "--regid", SERVICE_USER, "--init-groups", "--"]


def data_root(zone_name, cluster_dir):
    return os.path.join(ROOT_BASE, zone_name, "postgresql") if os.geteuid() == 0 else \
        os.path.join(cluster_dir, "postgresql")


def _read(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return None


def _write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")


class LocalPostgres(object):
    """One zone's server: its data directory, admin password, port and process."""

    def __init__(self, zone_name, cluster_dir, supervisor):
        self.root = data_root(zone_name, cluster_dir)
        self.data = os.path.join(self.root, "data")
        self.supervisor = supervisor
        self.bin = bin_dir()

    def describe(self):
        """{host, port, admin_user, admin_password, initialized, running} as it is now (no change)."""
        status = self.supervisor.status(PROCESS) or {}
        port = _read(os.path.join(self.root, "port"))
        return {"host": "127.0.0.1", "port": int(port) if port else None, "admin_user": ADMIN_USER,
                "admin_password": _read(os.path.join(self.root, "admin-password")),
                "initialized": os.path.isfile(os.path.join(self.data, "PG_VERSION")),
                "running": bool(status.get("healthy")), "log": status.get("log")}

    def ensure(self, check_mode=False, timeout=60):
        """Initialize (first time) and run the server; (changed, describe()). Check mode only predicts: a server
        to be made gets a free port now, and no password."""
        now = self.describe()
        if now["initialized"] and now["running"]:
            return False, now
        if check_mode:
            return True, dict(now, port=now["port"] or free_port())
        if not self.bin:
            raise AizoneError("the local zone's PostgreSQL needs the server binaries under /usr/lib/postgresql "
                              "(Debian's postgresql package; make test installs it, hack/postgres.sh)")
        if not now["initialized"]:
            self._initdb()
        port = _read(os.path.join(self.root, "port"))
        argv = run_as() + [os.path.join(self.bin, "postgres"), "-D", self.data, "-p", port,
                           "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + self.root]
        self.supervisor.ensure(PROCESS, argv, {}, "tcp://127.0.0.1:%s" % port, timeout,
                               program=os.path.join(self.bin, "postgres"))
        return True, self.describe()

    def _initdb(self):
        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(self.root, mode=0o700)
        password = "".join(secrets.choice(string.ascii_letters + string.digits) for _i in range(32))
        _write_private(os.path.join(self.root, "admin-password"), password)
        _write_private(os.path.join(self.root, "port"), str(free_port()))
        pwfile = os.path.join(self.root, "pwfile")
        _write_private(pwfile, password)
        if os.geteuid() == 0:
            for path in (self.root, pwfile):
                shutil.chown(path, SERVICE_USER, SERVICE_USER)
        try:
            done = subprocess.run(run_as() + [os.path.join(self.bin, "initdb"), "-D", self.data, "-U", ADMIN_USER,
                                              "-A", "scram-sha-256", "--pwfile", pwfile, "-E", "UTF8"],
                                  capture_output=True, text=True, check=False)
        finally:
            os.unlink(pwfile)
        if done.returncode != 0:
            raise AizoneError("the local zone's PostgreSQL: initdb failed (exit %d): %s"
                              % (done.returncode, (done.stderr or done.stdout).strip()[-1000:]))

    def remove(self):
        """Stop the server and delete its data (the zone is being deleted)."""
        self.supervisor.remove(PROCESS)
        shutil.rmtree(self.root, ignore_errors=True)
