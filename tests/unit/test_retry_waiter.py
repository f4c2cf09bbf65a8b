import time

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import ApiError, TransportError, WaitTimeout
from ansible_collections.aizone.platform.plugins.module_utils.retry import (
    backoff_delays, call_with_retry, parse_retry_after, retry_after_of, status_is_transient, task_bound, time_left)
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


def test_retry_after_is_a_floor_on_the_next_delay():
    clock = Clock()
    answers = iter([ApiError("429", status=429, retry_after=3.0), "ok"])

    def fn():
        value = next(answers)
        if isinstance(value, Exception):
            raise value
        return value
    assert call_with_retry(fn, lambda e: True, sleep=clock.sleep, clock=clock) == "ok"
    assert clock.sleeps[0] >= 3.0


@pytest.mark.parametrize("value,seconds", [("2", 2.0), (" 0 ", 0.0), ("soon", None), (None, None),
                                           ("Wed, 21 Oct 2015 07:28:00 GMT", 10.0)])
def test_retry_after_values(value, seconds):
    assert parse_retry_after(value, now=1445412470.0) == seconds


def test_retry_after_of_reads_sdk_headers():
    class Botocore(Exception):
        response = {"ResponseMetadata": {"HTTPHeaders": {"retry-after": "4"}}}

    class Azure(Exception):
        class response(object):
            headers = {"Retry-After": "5"}
    assert retry_after_of(Botocore()) == 4.0 and retry_after_of(Azure()) == 5.0
    assert retry_after_of(ApiError("x", status=503, retry_after=1.5)) == 1.5 and retry_after_of(ValueError()) is None


def test_a_task_bound_ends_retries_and_caps_what_is_left():
    assert time_left() is None
    calls = []

    def fn():
        calls.append(time.monotonic())
        raise ApiError("503", status=503, retry_after=30.0)
    started = time.monotonic()
    with task_bound(time.monotonic() + 2.0):
        assert 1.5 < time_left() <= 2.0
        with pytest.raises(ApiError):
            call_with_retry(fn, lambda e: True)     # the server asks for 30 s: more than the task has left
    assert time.monotonic() - started < 1.0 and len(calls) == 1
    assert time_left() is None


def test_wait_for_goes_on_when_the_state_cannot_be_read():
    clock = Clock()
    answers = iter([TransportError("GET /readyz: ConnectionResetError"), ApiError("503", status=503),
                    (True, "ready", "RUNNING")])

    def probe():
        value = next(answers)
        if isinstance(value, Exception):
            raise value
        return value
    assert wait_for(probe, 60, "zone z", sleep=clock.sleep, clock=clock) == "ready"

    def raises(exc):
        def probe():
            raise exc
        return probe
    with pytest.raises(ApiError, match="forbidden"):
        wait_for(raises(ApiError("forbidden", status=403)), 60, "zone z", sleep=clock.sleep, clock=clock)
    with pytest.raises(WaitTimeout, match="last state: unknown .GET /readyz: refused"):
        wait_for(raises(TransportError("GET /readyz: refused")), 5, "zone z", sleep=clock.sleep, clock=clock)
