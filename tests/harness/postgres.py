"""A throwaway PostgreSQL server from Debian's packages (postgresql-15), on loopback, for tests.

initdb with SCRAM-SHA-256 authentication everywhere and an admin password, then
postgres on a free port with its socket in the data directory. PostgreSQL
refuses to run as root: as root, the directory goes to the `postgres` user the
package creates and the server runs through setpriv, as the local zone's own
PostgreSQL does (providers/local_postgres.py). `make test` installs the package
where it is missing (hack/test.sh).
"""

import os
import shutil
import subprocess
import tempfile
import time

from ansible_collections.aizone.platform.plugins.module_utils.providers.local_postgres import bin_dir, run_as
from ansible_collections.aizone.platform.plugins.module_utils.providers.local_processes import free_port

ADMIN = "postgres"


class PostgresServer(object):
    def __init__(self, password="admin-Secret-1"):
        self.bin = bin_dir()
        if not self.bin:
            raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql; "
                               "install the Debian package postgresql (make test does)")
        self.password, self.port, self.host = password, free_port(), "127.0.0.1"
        self.root = tempfile.mkdtemp(prefix="aizone-pg-")
        self.data = os.path.join(self.root, "data")
        self.log = os.path.join(self.root, "server.log")
        self._proc = None

    def start(self, timeout=60):
        pwfile = os.path.join(self.root, "pw")
        with open(pwfile, "w") as handle:
            handle.write(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(pwfile, "postgres")
        subprocess.run(run_as() + [os.path.join(self.bin, "initdb"), "-D", self.data, "-U", ADMIN,
                                   "-A", "scram-sha-256", "--pwfile", pwfile, "-E", "UTF8", "--no-sync"],
                       check=True, capture_output=True)
        os.unlink(pwfile)
        with open(self.log, "w") as log:
            if os.geteuid() == 0:
                shutil.chown(self.log, "postgres")
            self._proc = subprocess.Popen(
                run_as() + [os.path.join(self.bin, "postgres"), "-D", self.data, "-p", str(self.port),
                            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + self.data,
                            "-c", "fsync=off", "-c", "log_statement=all"],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run([os.path.join(self.bin, "pg_isready"), "-h", self.host, "-p", str(self.port)],
                                   capture_output=True, check=False)
            if ready.returncode == 0:
                return self
            if self._proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("PostgreSQL on port %d did not start:\n%s" % (self.port, self.server_log()[-2000:]))

    def server_log(self):
        with open(self.log) as handle:
            return handle.read()

    def connect(self, user=ADMIN, password=None, dbname="postgres"):
        import psycopg2
        conn = psycopg2.connect(host=self.host, port=self.port, user=user, dbname=dbname,
                                password=self.password if password is None else password)
        conn.autocommit = True
        return conn

    def query(self, sql, params=None, **kw):
        conn = self.connect(**kw)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else None
        finally:
            conn.close()

    def stop(self):
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        shutil.rmtree(self.root, ignore_errors=True)
