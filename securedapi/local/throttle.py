"""Stage throttling as API Gateway applies it: token buckets, per route and per account.

https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html: "API Gateway
throttles requests to your API using the token bucket algorithm, where a token counts for a request";
a bucket holds up to ``burst`` tokens and refills at ``rate`` tokens per second. Each route has its own
bucket with its ``routeSettings`` (or the stage's ``defaultRouteSettings``); every request also takes a
token from the account's bucket (10,000 per second, burst 5,000). A request that finds a bucket empty is
answered 429 ``{"message":"Too Many Requests"}``. A burst of 0 refuses every request of the route.
"""

import time
from collections.abc import Callable

from securedapi.local.limits import ACCOUNT_BURST_LIMIT, ACCOUNT_RATE_LIMIT
from securedapi.local.model import StageThrottling, ThrottleSpec


class TokenBucket:
    """``burst`` tokens, refilled continuously at ``rate`` per second; starts full."""

    def __init__(self, burst: int, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = max(0, int(burst))
        self.rate = max(0.0, float(rate))
        self._clock = clock
        self._tokens = float(self.burst)
        self._last = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.rate)
        self._last = now

    def available(self) -> bool:
        """Whether a token could be taken now (takes none)."""
        self._refill()
        return self._tokens >= 1.0

    def take(self) -> bool:
        """Take one token if there is one."""
        self._refill()
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


class Throttler:
    """The buckets of one stage (routes) and of the account."""

    def __init__(self, stage: StageThrottling, clock: Callable[[], float] = time.monotonic) -> None:
        self.stage = stage
        self._clock = clock
        self.account = TokenBucket(ACCOUNT_BURST_LIMIT, ACCOUNT_RATE_LIMIT, clock)
        self._routes: dict[str, TokenBucket | None] = {}

    def _bucket(self, route_key: str) -> TokenBucket | None:
        if route_key not in self._routes:
            spec: ThrottleSpec | None = self.stage.for_route(route_key)
            self._routes[route_key] = TokenBucket(spec.burst, spec.rate, self._clock) if spec else None
        return self._routes[route_key]

    def allow(self, route_key: str | None) -> bool:
        """Take a token for a request to ``route_key`` (None: no route matched) or refuse it."""
        bucket = self._bucket(route_key) if route_key is not None else None
        if bucket is not None and not bucket.available():
            return False
        if not self.account.take():
            return False
        return bucket.take() if bucket is not None else True
