"""Retries of throttled answers, and of nothing else: each distinct case reaches the endpoint once.

botocore's standard retry mode also resends a request answered with 500, 502, 503 or 504 and one whose
connection failed; against an endpoint that answers 500 to everything, that sent every case three or four
times (`amz-sdk-request: attempt=4; max=4`), quadrupled the load on a failing endpoint and showed one
answer for several requests. The clients keep botocore's own retry machinery with a single attempt, and this
handler (on botocore's `needs-retry` event) retries only what real AWS means to be retried: HTTP 429 or a
throttling error code (botocore's own list), waiting what `Retry-After` asks within a bound, a bounded number
of times. The runner reads the count per operation, so the report shows them.
"""

from __future__ import annotations

from typing import Any

from botocore.client import BaseClient
from botocore.retries.standard import ThrottledRetryableChecker

# botocore's list of throttling error codes (Throttling, ThrottlingException, SlowDown, RequestLimitExceeded...).
THROTTLING_CODES = frozenset(ThrottledRetryableChecker._THROTTLED_ERROR_CODES)
MAX_THROTTLING_RETRIES = 2
MAX_WAIT_SECONDS = 5.0  # a Retry-After of an hour must not stall a run
FIRST_BACKOFF_SECONDS = 0.2  # without Retry-After: 0.2 s, then 0.4 s


class ThrottlingRetries:
    """A client's `needs-retry` handler; `take()` says how many retries it made since it was last asked."""

    def __init__(self) -> None:
        self._retries = 0

    @classmethod
    def register(cls, client: BaseClient) -> ThrottlingRetries:
        handler = cls()
        client.meta.events.register("needs-retry", handler)
        client._conformance_throttling = handler
        return handler

    def take(self) -> int:
        retries, self._retries = self._retries, 0
        return retries

    def __call__(self, response: Any = None, attempts: int = 1, **_: Any) -> float | None:
        """The seconds to wait before resending a throttled answer; None: no retry."""
        if response is None or attempts > MAX_THROTTLING_RETRIES:
            return None
        http, parsed = response
        code = (parsed or {}).get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        if http.status_code != 429 and code not in THROTTLING_CODES:
            return None
        self._retries += 1
        asked: str | None = http.headers.get("Retry-After")
        if asked is None:
            return float(FIRST_BACKOFF_SECONDS * 2 ** (attempts - 1))
        return min(_retry_after(asked), MAX_WAIT_SECONDS)


def throttling_retries(client: Any) -> int:
    """Retries CLIENT made for throttling since the last call (0 for a client made elsewhere)."""
    handler: ThrottlingRetries | None = getattr(client, "_conformance_throttling", None)
    return handler.take() if handler is not None else 0


def _retry_after(value: str | None) -> float:
    """Retry-After in seconds (an HTTP date, which no AWS service sends, counts as the longest wait)."""
    try:
        return max(float(value or 0), 0.0)
    except ValueError:
        return MAX_WAIT_SECONDS
