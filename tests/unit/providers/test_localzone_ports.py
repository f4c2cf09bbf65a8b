"""A stopped local zone whose ports another process took fails to start at once, naming them (not after the
start's 240 s timeout with `bind: address already in use` in a component's log)."""

import os
import socket

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane, taken_ports
from ansible_collections.aizone.platform.plugins.module_utils.providers.local_processes import free_port


@pytest.fixture
def listener():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("0.0.0.0", 0))
    sock.listen(1)
    yield sock.getsockname()[1]
    sock.close()


def kwok_yaml(busy, free):
    return "kind: KwokctlConfiguration\noptions:\n  etcdPort: %d\n  kubeApiserverPort: %d\n  etcdPrefix: /registry\n" % (
        free, busy)


def test_only_the_ports_in_use_are_named(listener):
    free = free_port()
    assert taken_ports(kwok_yaml(listener, free)) == [("kubeApiserverPort", listener)]


def test_a_stopped_zone_with_a_taken_port_fails_before_kwokctl_runs(tmp_path, listener):
    plane = LocalControlPlane.__new__(LocalControlPlane)
    plane.name, plane.workdir = "zone-a", str(tmp_path)
    os.makedirs(plane.cluster_dir)
    (tmp_path / "clusters" / "zone-a" / "kwok.yaml").write_text(kwok_yaml(listener, free_port()))
    with pytest.raises(AizoneError) as err:
        plane._check_ports()
    assert "local zone zone-a cannot start: its port %d (kubeApiserverPort) is in use" % listener in err.value.msg
    assert err.value.details["taken_ports"] == [listener]
