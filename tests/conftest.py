"""Test harness shared by every test.

- Makes the working tree importable as ``ansible_collections.aizone.platform``
  (a symlink under .build/collections), which is also the collection path
  ansible-playbook gets, so tests run the collection exactly as installed from
  the working tree.
- ``controlplane``: the live local control plane (started once, reused when
  already running).
- ``moto_endpoint``: a moto server on loopback for the EKS provider.
- ``run_playbook``: runs ansible-playbook and returns parsed task results.
"""

import fcntl
import functools
import os
import re
import subprocess
import sys

import pytest

from harness import ansible
from harness.ansible import COLLECTIONS, ROOT

_LINK = os.path.join(COLLECTIONS, "ansible_collections", "aizone", "platform")


def _ensure_collection_link():
    if os.path.realpath(_LINK) == ROOT:
        return
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    tmp = _LINK + ".%d" % os.getpid()
    os.symlink(ROOT, tmp)
    os.replace(tmp, _LINK)


_ensure_collection_link()
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import (  # noqa: E402
    BIN_ENV, LocalControlPlane)

TEST_ZONE = os.environ.get("AIZONE_TEST_ZONE", "aizone-test")
_METRIC = re.compile(r'^apiserver_request_total\{([^}]*)\} ([0-9.e+]+)$')
_LABEL = re.compile(r'(\w+)="([^"]*)"')


def controlplane_bin_dir():
    """The control plane binaries: $AIZONE_CONTROLPLANE_BIN, else build or reuse them."""
    if os.environ.get(BIN_ENV):
        return os.environ[BIN_ENV]
    out = subprocess.run(["bash", os.path.join(ROOT, "hack", "controlplane", "build.sh")],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    os.environ[BIN_ENV] = out.strip().splitlines()[-1]
    return os.environ[BIN_ENV]


class ControlPlane(object):
    """A running local control plane as the tests see it."""

    def __init__(self, cp):
        self.cp = cp
        self.name = cp.name
        self.bin_dir = cp.bin_dir
        self.kubeconfig = cp.kubeconfig_path
        self.server = cp.server()
        self._client = None

    def rest(self):
        """The collection's own client (k8s.client.connect) for this control plane."""
        from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import connect
        return connect({"kubeconfig": self.kubeconfig})

    def api_client(self):
        from kubernetes import config
        if self._client is None:
            self._client = config.new_client_from_config(config_file=self.kubeconfig)
        return self._client

    def kubectl(self, *args, **kwargs):
        """Run the built kubectl against this control plane; returns CompletedProcess."""
        cmd = [os.path.join(self.bin_dir, "kubectl"), "--kubeconfig", self.kubeconfig] + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, check=kwargs.get("check", True),
                              input=kwargs.get("input"))

    def request_counts(self):
        """{(verb, resource): count} from kube-apiserver's apiserver_request_total."""
        text = self.kubectl("get", "--raw", "/metrics").stdout
        counts = {}
        for line in text.splitlines():
            m = _METRIC.match(line)
            if not m:
                continue
            labels = dict(_LABEL.findall(m.group(1)))
            key = (labels.get("verb", ""), labels.get("resource", ""))
            counts[key] = counts.get(key, 0) + int(float(m.group(2)))
        return counts

    @staticmethod
    def delta(before, after, writes_only=False):
        """Requests made between two request_counts() snapshots, by (verb, resource)."""
        out = {}
        for key, n in after.items():
            d = n - before.get(key, 0)
            if d and (not writes_only or key[0] in ("POST", "PUT", "PATCH", "DELETE", "APPLY", "CREATE", "UPDATE", "DELETECOLLECTION")):
                out[key] = d
        return out


@pytest.fixture(scope="session")
def controlplane():
    """The live local control plane, started once and reused across runs and workers."""
    cp = LocalControlPlane(TEST_ZONE, bin_dir=controlplane_bin_dir())
    os.makedirs(cp.workdir, exist_ok=True)
    with open(os.path.join(cp.workdir, ".%s.lock" % TEST_ZONE), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cp.start(timeout=180)
    return ControlPlane(cp)


@pytest.fixture(scope="session")
def zone_addons(controlplane, tmp_path_factory):
    """The kuberay and dask add-ons on the test zone, their real operators running as processes next to it.

    Returns the addon task's result of the first converge of the session."""
    from harness.addons import addon_task, play
    result = ansible.run_playbook(play(addon_task(TEST_ZONE, [{"name": "kuberay"}, {"name": "dask"}],
                                                  wait_timeout=120)),
                                  workdir=tmp_path_factory.mktemp("addons"))
    assert result.rc == 0, result.output[-4000:]
    return result.task("addons")


@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto server on 127.0.0.1; AWS credentials and region point at it."""
    from moto.server import ThreadedMotoServer
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = "http://%s:%d" % (host, port)
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    yield endpoint
    server.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def run_playbook(tmp_path):
    """run_playbook(playbook, extravars=None, check=False, diff=False, inventory=None, env=None, args=()).

    playbook: a path, YAML text, or a list of plays (see harness/ansible.py).
    """
    return functools.partial(ansible.run_playbook, workdir=tmp_path)


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL 15 server on loopback (harness/postgres.py), for the session."""
    from harness.postgres import PostgresServer
    server = PostgresServer().start()
    yield server
    server.stop()


def _needs_zone(item):
    """Whether a test needs a local control plane: marked so, or using the test zone's fixture."""
    return item.get_closest_marker("controlplane") is not None or "controlplane" in getattr(item, "fixturenames", ())


def pytest_addoption(parser):
    parser.addoption("--zone-tests", choices=("all", "only", "none"), default="all",
                     help="run all tests, only those that need a local control plane, or none of those "
                          "(make test runs the two halves side by side)")


def pytest_collection_modifyitems(config, items):
    """--zone-tests only/none: keep the tests that need a local control plane, or the others."""
    mode = config.getoption("--zone-tests")
    if mode == "all":
        return
    keep = [item for item in items if _needs_zone(item) == (mode == "only")]
    dropped = [item for item in items if _needs_zone(item) != (mode == "only")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
