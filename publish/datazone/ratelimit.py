"""Client-side pacing per API operation: one token bucket per operation, shared by all threads.

DataZone's quotas are per account and operation (about 20 requests/s for CreateAsset, 5/s for
CreateGlossary, ...). Pacing every request (retries included) below them avoids the throttling
that botocore's retries would otherwise have to absorb.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved up; `acquire` blocks until one is free."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(1.0, rate))
        self._clock, self._sleep = clock, sleep
        self._tokens = self.burst
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping as long as needed; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1.0  # reserve now: later callers queue behind this one
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        if wait > 0:
            self._sleep(wait)
        return wait


class RateLimiter:
    """A bucket per operation name; operations without their own rate share `default`'s rate."""

    def __init__(self, rates: Mapping[str, float], **bucket_options: Any) -> None:
        self.rates = dict(rates)
        self._options = bucket_options
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()
        self.waited = 0.0

    def bucket(self, operation: str) -> TokenBucket:
        with self._lock:
            found = self._buckets.get(operation)
            if found is None:
                rate = self.rates.get(operation, self.rates.get("default", 10.0))
                found = self._buckets[operation] = TokenBucket(rate, **self._options)
            return found

    def acquire(self, operation: str) -> None:
        waited = self.bucket(operation).acquire()
        if waited:
            with self._lock:
                self.waited += waited

    def install(self, client: Any) -> None:
        """Pace every HTTP attempt of a boto3 client (botocore's `request-created` event)."""
        service = client.meta.service_model.service_id.hyphenize()

        def on_request(operation_name: str | None = None, **_: Any) -> None:
            if operation_name:
                self.acquire(operation_name)

        client.meta.events.register(f"request-created.{service}", on_request)
