import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import WaitTimeout
from ansible_collections.aizone.platform.plugins.module_utils.retry import (
    backoff_delays, call_with_retry, status_is_transient)
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for


class Transient(Exception):
    pass


class Clock(object):
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, s):
        self.sleeps.append(s)
        self.now += s


def test_retries_transient_errors_then_succeeds():
    calls = []

    def fn():
        calls.append(1)
        if len(calls) < 3:
            raise Transient()
        return "ok"
    clock = Clock()
    assert call_with_retry(fn, lambda e: isinstance(e, Transient), sleep=clock.sleep, clock=clock) == "ok"
    assert len(calls) == 3 and len(clock.sleeps) == 2


def test_non_transient_error_is_raised_at_once():
    clock = Clock()

    def fn():
        raise ValueError("bad")
    with pytest.raises(ValueError):
        call_with_retry(fn, lambda e: isinstance(e, Transient), sleep=clock.sleep, clock=clock)
    assert clock.sleeps == []


def test_gives_up_after_retries_with_the_last_error():
    clock = Clock()
    n = []

    def fn():
        n.append(1)
        raise Transient(len(n))
    with pytest.raises(Transient) as err:
        call_with_retry(fn, lambda e: True, retries=3, sleep=clock.sleep, clock=clock)
    assert err.value.args == (4,) and len(clock.sleeps) == 3


def test_deadline_stops_retrying():
    clock = Clock()

    def fn():
        clock.now += 50
        raise Transient()
    with pytest.raises(Transient):
        call_with_retry(fn, lambda e: True, retries=10, deadline=100, sleep=clock.sleep, clock=clock)
    assert clock.now <= 160


def test_backoff_is_capped_and_jittered():
    delays = list(backoff_delays(8, base=1, cap=4, rng=lambda: 1.0))
    assert delays == [1, 2, 4, 4, 4, 4, 4, 4]
    assert all(d == 0 for d in backoff_delays(3, rng=lambda: 0.0))


@pytest.mark.parametrize("status,expected", [(429, True), (503, True), (409, True), (404, False), ("x", False), (None, False)])
def test_transient_statuses(status, expected):
    assert status_is_transient(status) is expected


def test_wait_for_returns_the_value_when_done():
    clock = Clock()
    states = iter([(False, None, "CREATING"), (False, None, "CREATING"), (True, "zone", "ACTIVE")])
    assert wait_for(lambda: next(states), 60, "zone z: ACTIVE", sleep=clock.sleep, clock=clock) == "zone"


def test_wait_for_timeout_names_the_waiter_and_last_state():
    clock = Clock()
    with pytest.raises(WaitTimeout) as err:
        wait_for(lambda: (False, None, "status CREATING"), 30, "node pool gpu: waiting for ACTIVE",
                 sleep=clock.sleep, clock=clock)
    assert "node pool gpu: waiting for ACTIVE" in err.value.msg
    assert "timed out after 30 s" in err.value.msg and "status CREATING" in err.value.msg
    assert clock.now <= 31
