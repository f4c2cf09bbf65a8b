"""What AKS and GKE share, tested once against each loopback double: long-running operations.

A failed operation names the service's error code; a wait that runs out says
on what it waited and the next run converges without writing; a write sent
while another operation runs on the resource is retried until it can go.
"""

import time

import pytest

from harness.cloud_doubles import cases, make_zone, zone

from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError, WaitTimeout
from ansible_collections.aizone.platform.plugins.module_utils.zones import pools


@pytest.fixture(scope="module", params=cases(), ids=lambda case: case.name)
def double(request):
    case = request.param
    server = case.server_class().start()
    yield case, server
    server.stop()


@pytest.fixture
def setup(double):
    case, server = double
    server.reset()
    return case, server, case.params(server)


def test_failed_operation_names_the_service_error_code(setup):
    case, server, params = setup
    make_zone(case.provider_class, params, server)
    code, word = case.failure
    server.fail_next_operation(code, path=case.pool_path.rsplit("/", 1)[0] + "/big")
    with pytest.raises(ApiError) as err:
        pools.reconcile_node_pool(case.provider_class(params), "z1", case.pool("big"), wait_timeout=30)
    assert err.value.code == code
    assert code in err.value.msg and word in err.value.msg


def test_timeout_is_clear_and_the_next_run_converges_without_writes(setup):
    case, server, params = setup
    make_zone(case.provider_class, params, server)
    server.op_seconds = 2.0
    with pytest.raises(WaitTimeout) as err:
        pools.reconcile_node_pool(case.provider_class(params), "z1", case.pool(), wait_timeout=1)
    assert "node pool gpu in zone z1 (%s)" % case.name in err.value.msg and "timed out after 1 s" in err.value.msg
    assert case.waiting_text in err.value.msg
    time.sleep(2.1)
    n = len(server.write_calls())
    res = pools.reconcile_node_pool(case.provider_class(params), "z1", case.pool(), wait_timeout=30)
    assert not res["changed"] and res["node_pool"]["status"] == case.ready_status
    assert server.write_calls()[n:] == []


def test_a_write_while_another_operation_runs_is_retried_until_it_can_go(setup):
    case, server, params = setup
    make_zone(case.provider_class, params, server, [case.pool()])
    server.op_seconds = 1.0
    provider = case.provider_class(params)
    provider.update_zone(provider.get_zone("z1"), zone(params, tags={"team": "busy"}), ["tags"])
    res = pools.reconcile_node_pool(case.provider_class(params), "z1", case.pool(labels={"team": "after"}),
                                    wait_timeout=30)
    assert res["node_pool"]["labels"] == {"team": "after"}
    puts = [c for c in server.calls if c["method"] == "PUT" and c["path"].endswith(case.pool_path)]
    assert case.busy_status in [p["status"] for p in puts[:-1]] and puts[-1]["status"] == 200
