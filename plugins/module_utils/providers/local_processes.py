# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Processes a local zone runs next to its control plane: the real operators of its add-ons.

Each process is recorded in `<zone dir>/processes/<name>.json` (its command
line, where `{port}` stands for a free port, its environment additions, where
`{dir}` stands for the records' directory, its health URL), runs in its own
session with its output in `<name>.log` beside the record, and has its pid in
`<name>.pid`. The zone starts every recorded
process when it starts, and stops them before it stops or is deleted, so no
operator outlives its zone. A process counts as running only when its pid is
alive with the recorded program and its health URL answers 200.

A free loopback port is chosen at every start, so zones on one machine never
share one. The process runs in the records' directory with a small
environment (INHERITED_ENV and the zone's KUBECONFIG): nothing of the
caller's credentials or Ansible settings reaches it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import socket
import subprocess
import time

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for

#: what a process takes of the environment of whoever starts it (besides KUBECONFIG, the zone's): no credentials,
#: no Ansible settings
INHERITED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def tail(path, lines, size=8192):
    """The last `lines` lines of a log file (read from its last `size` bytes), or None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - size))
            return handle.read().decode("utf-8", "replace").splitlines()[-lines:]
    except (IOError, OSError):
        return None


def _healthy(url, timeout=1.0):
    """True when url answers 200; a tcp://host:port url (a server that speaks no HTTP) when it accepts."""
    from ansible.module_utils.urls import open_url
    if url.startswith("tcp://"):
        host, port = url[len("tcp://"):].rsplit(":", 1)
        try:
            socket.create_connection((host, int(port)), timeout=timeout).close()
            return True
        except (OSError, ValueError):
            return False
    try:
        return open_url(url, timeout=timeout, use_proxy=False).getcode() == 200
    except Exception:  # noqa: BLE001 - refused, reset, 5xx: not healthy
        return False


class ProcessSupervisor(object):
    """The processes of one local zone (see the module docstring)."""

    def __init__(self, zone_dir, kubeconfig):
        self.dir = os.path.join(zone_dir, "processes")
        self.kubeconfig = kubeconfig

    def _path(self, name, suffix):
        return os.path.join(self.dir, "%s.%s" % (name, suffix))

    def record(self, name):
        """The recorded spec of process name, or None."""
        try:
            with open(self._path(name, "json")) as handle:
                return json.load(handle)
        except (IOError, OSError, ValueError):
            return None

    def names(self):
        if not os.path.isdir(self.dir):
            return []
        return sorted(f[:-5] for f in os.listdir(self.dir) if f.endswith(".json"))

    def _pid(self, name, argv0):
        """The pid of the running process name, or None (a stale or reused pid is None)."""
        try:
            with open(self._path(name, "pid")) as handle:
                pid = int(handle.read().strip())
            with open("/proc/%d/cmdline" % pid, "rb") as handle:
                cmdline = handle.read().split(b"\0")
        except (IOError, OSError, ValueError):
            return None
        return pid if cmdline and cmdline[0].decode("utf-8", "replace") == argv0 else None

    def status(self, name):
        """{running, healthy, pid, health, log, command (as recorded, {port} unfilled), argv (as started)}
        of a recorded process, or None when not recorded."""
        spec = self.record(name)
        if spec is None:
            return None
        pid = self._pid(name, spec.get("program") or spec["argv"][0])
        health = spec.get("health_url")
        return {"running": pid is not None, "healthy": bool(pid and health and _healthy(health)),
                "pid": pid, "health": health, "log": self._path(name, "log"), "command": spec["argv"],
                "env": spec.get("env") or {}, "argv": spec.get("running_argv")}

    def ensure(self, name, argv, env, health, timeout, program=None):
        """Record the process and make it run with this command line; True when it was (re)started.
        program: what the running process shows as its argv[0], when argv starts with a wrapper that execs it."""
        spec = {"argv": list(argv), "env": dict(env or {}), "health": health}
        if program:
            spec["program"] = program
        current = self.record(name)
        state = self.status(name)
        if current and all(current.get(k) == spec[k] for k in spec) and state["healthy"]:
            return False
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        self.stop(name)
        with open(self._path(name, "json"), "w") as handle:
            json.dump(spec, handle, indent=2, sort_keys=True)
        self.start(name, timeout)
        return True

    def start(self, name, timeout=60):
        """Start a recorded process (unless running) and wait until its health URL answers."""
        spec = self.record(name)
        if spec is None:
            raise AizoneError("local zone process %s is not recorded" % name)
        if self._pid(name, spec.get("program") or spec["argv"][0]):
            return False
        port = free_port()
        argv = [a.replace("{port}", str(port)) for a in spec["argv"]]
        env = dict(((k, v) for k, v in os.environ.items() if k in INHERITED_ENV), KUBECONFIG=self.kubeconfig,
                   **dict((k, v.replace("{dir}", self.dir)) for k, v in spec["env"].items()))
        log = open(self._path(name, "log"), "ab")
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                                    cwd=self.dir, start_new_session=True, close_fds=True)
        except OSError as exc:
            raise AizoneError("local zone process %s: cannot start %s: %s" % (name, argv[0], exc))
        finally:
            log.close()
        with open(self._path(name, "pid"), "w") as handle:
            handle.write(str(proc.pid))
        spec.update(running_argv=argv, health_url=spec["health"].replace("{port}", str(port)))
        with open(self._path(name, "json"), "w") as handle:
            json.dump(spec, handle, indent=2, sort_keys=True)
        self._wait_healthy(name, proc, spec["health_url"], timeout)
        return True

    def _wait_healthy(self, name, proc, url, timeout):
        def probe():
            if proc.poll() is not None:
                raise AizoneError("local zone process %s exited with %s before it was healthy; last log lines:\n%s"
                                  % (name, proc.returncode, self.log_tail(name)))
            return _healthy(url), None, "waiting for %s" % url
        try:
            wait_for(probe, timeout, "local zone process %s: wait for %s" % (name, url), interval=0.2,
                     max_interval=1.0)
        except AizoneError:
            self.stop(name)
            raise

    def stop(self, name, grace=5.0):
        """Stop process name (its whole session): TERM, then KILL after grace seconds; True when it ran."""
        spec = self.record(name)
        pid = self._pid(name, spec.get("program") or spec["argv"][0]) if spec else None
        if pid is None:
            return False
        try:
            os.killpg(pid, signal.SIGTERM)
        except OSError:
            return False
        end = time.monotonic() + grace
        while time.monotonic() < end and self._pid(name, spec.get("program") or spec["argv"][0]):
            time.sleep(0.1)
        if self._pid(name, spec.get("program") or spec["argv"][0]):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.unlink(self._path(name, "pid"))
        except OSError:
            pass
        return True

    def remove(self, name):
        """Stop process name and forget it; True when it was recorded."""
        if self.record(name) is None:
            return False
        self.stop(name)
        for suffix in ("json", "pid"):
            try:
                os.unlink(self._path(name, suffix))
            except OSError:
                pass
        return True

    def start_all(self, timeout=60):
        return [name for name in self.names() if self.start(name, timeout)]

    def stop_all(self):
        return [name for name in self.names() if self.stop(name)]

    def log_tail(self, name, lines=15):
        found = tail(self._path(name, "log"), lines)
        return "(no log)" if found is None else "\n".join(found)
