"""The local gateway's quota arithmetic and token buckets (pure; the HTTP behaviour is in tests/e2e)."""

from securedapi.local.limits import MAX_INTEGRATION_TIMEOUT_MS, integration_timeout_s, request_line_and_headers_size
from securedapi.local.model import StageThrottling, ThrottleSpec
from securedapi.local.throttle import Throttler, TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(burst=2, rate=4.0, clock=clock)
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    clock.now += 0.2  # 0.8 of a token
    assert not bucket.take()
    clock.now += 0.05  # one token
    assert bucket.take() and not bucket.take()
    clock.now += 100  # never more than the burst
    assert [bucket.take() for _ in range(3)] == [True, True, False]


def test_burst_zero_refuses_everything() -> None:
    bucket = TokenBucket(burst=0, rate=1000.0, clock=Clock())
    assert not bucket.take()


def test_route_settings_override_the_stage_default_and_unmatched_requests_use_the_account() -> None:
    clock = Clock()
    stage = StageThrottling(default=ThrottleSpec(burst=5, rate=0), routes={"GET /a": ThrottleSpec(burst=1, rate=0)})
    throttler = Throttler(stage, clock)
    assert [throttler.allow("GET /a") for _ in range(2)] == [True, False]
    assert [throttler.allow("GET /b") for _ in range(6)] == [True] * 5 + [False]
    assert all(throttler.allow(None) for _ in range(100))  # no route: only the account's 5,000 burst
    unthrottled = Throttler(StageThrottling(), clock)
    assert all(unthrottled.allow("GET /a") for _ in range(100))


def test_request_line_and_header_values_are_counted() -> None:
    size = request_line_and_headers_size("GET", b"/a?b=c", [(b"host", b"x"), (b"x-big", b"y" * 10)])
    assert size == len("GET /a?b=c HTTP/1.1") + 1 + 10


def test_integration_timeout_is_capped_at_30_s() -> None:
    assert integration_timeout_s(300) == 0.3
    assert integration_timeout_s(None) == integration_timeout_s(0) == MAX_INTEGRATION_TIMEOUT_MS / 1000
    assert integration_timeout_s(60000) == 30.0
