# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A named local control plane, driven through kwokctl's binary runtime.

The control plane is the real etcd, kube-apiserver, kube-controller-manager
and kube-scheduler, built from their Go modules by hack/controlplane/build.sh,
plus the KWOK controller that plays the kubelet of every fake node. kwokctl
keeps each cluster under <workdir>/clusters/<name>; this class starts it,
reuses it when it is already up, stops and deletes it, and hands out its
kubeconfig. It never downloads anything: every binary path is local.

A stop releases the KWOK controller's node leases first, and the controller
manager and scheduler run without leader election (one of each), so a zone
started again acts at once rather than after the old holders' leases expire.

The processes the zone runs next to its control plane (its add-ons' real
operators, providers/local_processes.py) start after it and stop before it,
so none outlives its zone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from contextlib import contextmanager

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.files import (
    kubeconfig_text, parse_kubeconfig, write_private_file)
from ansible_collections.aizone.platform.plugins.module_utils.providers.local_processes import (
    ProcessSupervisor, tail)

BIN_ENV = "AIZONE_CONTROLPLANE_BIN"
WORKDIR_ENV = "AIZONE_LOCALZONE_WORKDIR"
#: one kube-controller-manager and one kube-scheduler per zone: without leader election a restarted zone does not
#: wait for its previous instance's lease to expire (about 20 s) before its controllers and scheduler act
ONE_INSTANCE_ARGS = ("--extra-args", "kube-controller-manager=leader-elect=false",
                     "--extra-args", "kube-scheduler=leader-elect=false")
#: kwokctl adds a created zone to ~/.kube/config and makes it the current context: an empty path leaves the
#: user's kubeconfig alone (the zone module writes the zone's where the user points). Its delete refuses an
#: empty path and removes the context from the file it is given: the zone's own, deleted with it.
NO_USER_KUBECONFIG = ("--kubeconfig", "")
#: what in a zone's directory is a secret (the CA's and admin's keys, the kubeconfig): mode 0600, directories 0700
PRIVATE_SUFFIXES = (".key", "kubeconfig.yaml")
COMPONENTS = (
    ("KWOK_ETCD_BINARY", "etcd"),
    ("KWOK_KUBE_APISERVER_BINARY", "kube-apiserver"),
    ("KWOK_KUBE_CONTROLLER_MANAGER_BINARY", "kube-controller-manager"),
    ("KWOK_KUBE_SCHEDULER_BINARY", "kube-scheduler"),
    ("KWOK_CONTROLLER_BINARY", "kwok"),
    ("KWOK_KUBECTL_BINARY", "kubectl"),
)


#: the ports kwokctl picks for a zone when it creates it (kwok.yaml), by the component that listens on them
PORT_KEYS = re.compile(r"^\s*(etcdPeerPort|etcdPort|kubeApiserverPort|kubeControllerManagerPort|kubeSchedulerPort|"
                       r"kwokControllerPort):\s*(\d+)\s*$", re.M)


#: how each component of a zone says it is healthy: (name = its pid file's, port key in kwok.yaml, scheme, path)
COMPONENT_CHECKS = (
    ("etcd", "etcdPort", "http", "/health"),
    ("kube-apiserver", "kubeApiserverPort", "https", "/readyz"),
    ("kube-controller-manager", "kubeControllerManagerPort", "https", "/healthz"),
    ("kube-scheduler", "kubeSchedulerPort", "https", "/healthz"),
    ("kwok-controller", "kwokControllerPort", "http", "/healthz"),
)
#: how long a zone whose components disagree (some up, some not yet or not any more) is watched before it is
#: called degraded: components starting or a probe answered 503 once are not a broken zone
SETTLE_SECONDS = 10.0


def _pid_alive(path):
    try:
        with open(path) as handle:
            os.kill(int(handle.read().strip()), 0)
        return True
    except (OSError, ValueError):
        return False


def taken_ports(kwok_yaml_text):
    """[(component key, port)] of a zone's ports that another process listens on now."""
    taken = []
    for key, port in PORT_KEYS.findall(kwok_yaml_text):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # as the components' own listeners do: a closed connection's TIME_WAIT is no owner, a listener is
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", int(port)))
        except OSError:
            taken.append((key, int(port)))
        finally:
            sock.close()
    return taken


def default_workdir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.environ.get(WORKDIR_ENV) or os.path.join(base, "aizone", "kwok")


def zone_names(workdir=None):
    """The local zones of a work directory (kwokctl's clusters/<name>/kwok.yaml), sorted."""
    clusters = os.path.join(workdir or default_workdir(), "clusters")
    if not os.path.isdir(clusters):
        return []
    return sorted(n for n in os.listdir(clusters) if os.path.isfile(os.path.join(clusters, n, "kwok.yaml")))


class LocalControlPlane(object):
    """One named local control plane."""

    def __init__(self, name, bin_dir=None, workdir=None, runner=subprocess.run):
        self.name = name
        self.bin_dir = bin_dir or os.environ.get(BIN_ENV)
        self.workdir = workdir or default_workdir()
        self._run_proc = runner
        self._version = None
        if not self.bin_dir:
            raise AizoneError(
                "local zone %s: no control plane binaries; set %s (or the module option binaries_dir) "
                "to the directory printed by hack/controlplane/build.sh (make demo and make test do this)"
                % (name, BIN_ENV))
        missing = [b for b in [c[1] for c in COMPONENTS] + ["kwokctl"]
                   if not os.access(os.path.join(self.bin_dir, b), os.X_OK)]
        if missing:
            raise AizoneError("local zone %s: %s lacks %s; run hack/controlplane/build.sh"
                              % (name, self.bin_dir, ", ".join(missing)))

    # paths -------------------------------------------------------------
    @property
    def cluster_dir(self):
        return os.path.join(self.workdir, "clusters", self.name)

    @property
    def kubeconfig_path(self):
        return os.path.join(self.cluster_dir, "kubeconfig.yaml")

    @property
    def processes(self):
        """The zone's processes next to its control plane (add-on operators)."""
        return ProcessSupervisor(self.cluster_dir, self.kubeconfig_path)

    @property
    def postgres(self):
        """The zone's PostgreSQL for its platform databases (local_postgres.py), a process of the zone."""
        from ansible_collections.aizone.platform.plugins.module_utils.providers.local_postgres import LocalPostgres
        return LocalPostgres(self.name, self.cluster_dir, self.processes)

    def _env(self):
        env = dict(os.environ)
        env["KWOK_WORKDIR"] = self.workdir
        env["KWOK_RUNTIME"] = "binary"
        env["KWOK_KUBE_VERSION"] = self.version()
        for var, binary in COMPONENTS:
            env[var] = os.path.join(self.bin_dir, binary)
        return env

    def _kwokctl(self, *args, **kwargs):
        cmd = [os.path.join(self.bin_dir, "kwokctl"), "--name", self.name] + list(args)
        try:
            proc = self._run_proc(cmd, env=self._env(), capture_output=True, text=True,
                                  timeout=kwargs.get("timeout", 300), check=False)
        except subprocess.TimeoutExpired as exc:
            raise AizoneError("local zone %s: `kwokctl %s` did not finish in %d s; the components' logs are in %s"
                              % (self.name, " ".join(args), exc.timeout, os.path.join(self.cluster_dir, "logs")))
        if proc.returncode != 0 and kwargs.get("check", True):
            raise AizoneError("local zone %s: `kwokctl %s` failed (exit %d): %s"
                              % (self.name, " ".join(args), proc.returncode,
                                 (proc.stderr or proc.stdout).strip()[-2000:]))
        return proc

    # state -------------------------------------------------------------
    def version(self):
        """The kube-apiserver's own --version, e.g. v1.36.3."""
        if self._version:
            return self._version
        proc = self._run_proc([os.path.join(self.bin_dir, "kube-apiserver"), "--version"],
                              capture_output=True, text=True, timeout=60, check=False)
        out = (proc.stdout or "").strip().split()
        if proc.returncode != 0 or not out:
            raise AizoneError("local zone %s: cannot read kube-apiserver --version: %s"
                              % (self.name, proc.stderr.strip()))
        self._version = out[-1]
        return self._version

    def exists(self):
        return os.path.isfile(os.path.join(self.cluster_dir, "kwok.yaml"))

    def server(self):
        """The API server URL from the cluster's kubeconfig, or None."""
        try:
            with open(self.kubeconfig_path) as f:
                for line in f:
                    line = line.strip()
                    if line.startswith("server:"):
                        return line.split(":", 1)[1].strip()
        except IOError:
            return None
        return None

    def _kwok_yaml(self):
        """kwokctl's record of the zone (its ports among it), or None before it is created."""
        try:
            with open(os.path.join(self.cluster_dir, "kwok.yaml")) as handle:
                return handle.read()
        except (IOError, OSError):
            return None

    def _client_context(self):
        """TLS as the zone's admin (the components' https health endpoints), without verifying their names."""
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        pki = os.path.join(self.cluster_dir, "pki")
        ctx.load_cert_chain(os.path.join(pki, "admin.crt"), os.path.join(pki, "admin.key"))
        return ctx

    @staticmethod
    def _probe(port, path, ctx=None):
        """None when http(s)://127.0.0.1:port/path answers 200 within 3 s (https with ctx), else what went wrong."""
        import http.client
        conn = (http.client.HTTPSConnection("127.0.0.1", port, timeout=3, context=ctx) if ctx
                else http.client.HTTPConnection("127.0.0.1", port, timeout=3))
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read(300).decode("utf-8", "replace").strip()
            return None if resp.status == 200 else "%s answers %d %s" % (path, resp.status, body[:200])
        except (OSError, http.client.HTTPException) as exc:
            return "%s: %s" % (path, exc)
        finally:
            conn.close()

    def components(self):
        """{component: None when healthy, "not running", or what its health endpoint answered}."""
        text = self._kwok_yaml()
        if text is None:
            return dict((name, "not created") for name, _k, _s, _p in COMPONENT_CHECKS)
        ports = dict((k, int(v)) for k, v in PORT_KEYS.findall(text))
        alive = dict((name, _pid_alive(os.path.join(self.cluster_dir, "pids", name + ".pid")))
                     for name, _k, _s, _p in COMPONENT_CHECKS)
        ctx = self._client_context() if any(alive.values()) else None
        return dict((name, self._probe(ports.get(key), path, ctx if scheme == "https" else None)
                     if alive[name] else "not running") for name, key, scheme, path in COMPONENT_CHECKS)

    def _why(self, name, problem):
        """A component's problem, with the end of its log when it is not running."""
        lines = tail(os.path.join(self.cluster_dir, "logs", name + ".log"), 2, size=4096) \
            if problem == "not running" else None
        if not lines:
            return "%s: %s" % (name, problem)
        return "%s: not running (its log ends: %s)" % (name, " | ".join(line.strip() for line in lines))

    def health(self, settle=SETTLE_SECONDS, sleep=time.sleep, clock=time.monotonic):
        """("running" | "stopped" | "degraded", detail): every component healthy, none running, or some not
        healthy for `settle` seconds (detail names each and why)."""
        end = clock() + settle
        while True:
            problems = dict((k, v) for k, v in self.components().items() if v)
            if not problems:
                return "running", None
            gone = all(v in ("not running", "not created") for v in problems.values())
            if gone and len(problems) == len(COMPONENT_CHECKS):
                return "stopped", None
            dead = all(v == "not running" for v in problems.values())
            if dead or clock() >= end:     # a dead process is not coming back by itself: no settling for it
                return "degraded", "; ".join(self._why(k, v) for k, v in sorted(problems.items()))
            sleep(1.0)

    def running(self):
        """True when every component of the zone is healthy."""
        return self.health()[0] == "running"

    # actions -----------------------------------------------------------
    def start(self, timeout=180):
        """Create or start the control plane and its processes, and wait until every component is healthy;
        True when something was started. A degraded zone (a component died) is stopped and started again."""
        state, _detail = self.health() if self.exists() else ("absent", None)
        started = state != "running"
        if started:
            wait = "--wait=%ds" % int(timeout)
            if state == "degraded":
                self.stop()
            with self._port_lock():
                if state != "absent":
                    self._check_ports()
                    self._kwokctl("start", "cluster", wait, timeout=timeout + 60)
                else:
                    self._kwokctl("create", "cluster", "--runtime", "binary", wait,
                                  *(ONE_INSTANCE_ARGS + NO_USER_KUBECONFIG), timeout=timeout + 60)
            state, detail = self.health()
            if state != "running":
                raise AizoneError("local zone %s: started, but not every component is healthy: %s"
                                  % (self.name, detail or state), components=self.components())
        self.protect()
        return bool(self.processes.start_all()) or started

    @contextmanager
    def _port_lock(self):
        """One zone of the machine (of this user) starts at a time: kwokctl picks free ports when it creates a
        zone, and two zones created at once pick the same ones (measured: 2 of 2 concurrent creates, one of them
        then hung 240 s); a start waits until the other zone listens."""
        with open(os.path.join(tempfile.gettempdir(), "aizone-%d-zone-start.lock" % os.getuid()), "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def protect(self):
        """Directories 0700 (the work directory's too), private keys and kubeconfigs 0600: kwokctl writes them
        readable by others (umask 022)."""
        for path in (self.workdir, os.path.dirname(self.cluster_dir)):
            os.chmod(path, 0o700)
        for root, dirs, files in os.walk(self.cluster_dir):
            os.chmod(root, 0o700)
            for name in files:
                if name.endswith(PRIVATE_SUFFIXES):
                    os.chmod(os.path.join(root, name), 0o600)

    def _own_pids_alive(self):
        pids = os.path.join(self.cluster_dir, "pids")
        return any(_pid_alive(os.path.join(pids, name)) for name in (os.listdir(pids) if os.path.isdir(pids) else []))

    def _check_ports(self):
        """Fail at once, not after the start's timeout, when a stopped zone's ports are taken: kwokctl picks them
        when it creates a zone, so a zone created while this one was stopped may hold them now."""
        if self._own_pids_alive():
            return      # a component of this zone still runs and may hold its own port: let kwokctl sort it out
        taken = taken_ports(self._kwok_yaml() or "")
        if taken:
            raise AizoneError("local zone %s cannot start: its port%s %s %s in use by another process (kwokctl picked "
                              "them when it created the zone; a zone created while this one was stopped may hold "
                              "them). Stop that process, or delete this zone and create it again"
                              % (self.name, "s" if len(taken) > 1 else "",
                                 ", ".join("%d (%s)" % (p, k) for k, p in taken), "are" if len(taken) > 1 else "is"),
                              taken_ports=[p for _k, p in taken])

    def _await_ports_free(self, timeout=30.0, sleep=time.sleep, clock=time.monotonic):
        """After a stop, until the processes that held the zone's ports are gone: kwokctl returns before they
        exit, and a start right after would find its ports taken."""
        text = self._kwok_yaml() or ""
        end = clock() + timeout
        while taken_ports(text) and clock() < end:
            sleep(0.2)

    def stop(self):
        """Stop the zone's processes, then its control plane; True when anything ran."""
        stopped = bool(self.processes.stop_all())
        if not self.exists() or self.health(settle=0)[0] == "stopped":
            return stopped
        self._release_node_leases()
        self._kwokctl("stop", "cluster")
        self._await_ports_free()
        return True

    def _release_node_leases(self):
        """Delete the node leases the KWOK controller holds, so that the next one (a new identity) takes the nodes
        at once instead of after the lease duration (200 s: its 40 s times kwokctl's heartbeat factor 5), during
        which no pod of the zone would start or go. Best effort: a lease the controller renews in between only
        brings that wait back."""
        self._run_proc([os.path.join(self.bin_dir, "kubectl"), "--kubeconfig", self.kubeconfig_path, "delete",
                        "leases", "--all", "--namespace", "kube-node-lease", "--wait=false"],
                       capture_output=True, text=True, check=False, timeout=60)

    def delete(self):
        if not self.exists():
            return False
        self.processes.stop_all()
        self.postgres.remove()
        self._kwokctl("delete", "cluster", "--kubeconfig", self.kubeconfig_path)
        shutil.rmtree(self.cluster_dir, ignore_errors=True)
        return True

    def kubeconfig_text(self):
        """A self-contained kubeconfig (certificates inline): a secret."""
        if not self.exists():
            raise AizoneError("local zone %s does not exist" % self.name)
        return self._kwokctl("get", "kubeconfig", timeout=60).stdout

    def kubeconfig(self):
        """The self-contained kubeconfig as a dict: a secret."""
        return parse_kubeconfig(self.kubeconfig_text(), "of local zone %s" % self.name)

    def write_kubeconfig(self, dest):
        """Write the kubeconfig to dest with mode 0600; True when the file changed."""
        return write_private_file(dest, kubeconfig_text(self.kubeconfig()))
