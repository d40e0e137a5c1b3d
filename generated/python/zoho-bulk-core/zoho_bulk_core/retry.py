"""When and how long to wait before repeating a request.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from time import time

import httpx

from zoho_bulk_core.errors import ConfigurationError


def is_seconds(value: object, *, endless: bool = False) -> bool:
    """Whether ``value`` is a number of seconds: 0 or more, finite unless
    ``endless`` allows infinity (not NaN, not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return value >= 0 and (endless or math.isfinite(value))


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, honoring ``Retry-After``.

    Requests that are safe to repeat (reads, downloads) are retried on the
    ``retry_statuses`` and on connection errors. Others (creating a job,
    uploading a file) are retried only when the server surely did not act on
    them: a 429 answer, or a connection that was never made. A delay the
    server asks for with ``Retry-After`` is kept (up to ``max_retry_after``
    seconds) instead of the backoff.
    """

    max_retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    jitter: float = 0.25
    retry_statuses: frozenset[int] = field(
        default_factory=lambda: frozenset({408, 429, 500, 502, 503, 504})
    )

    def __post_init__(self) -> None:
        problems = [
            f"{name} must be a number of 0 or more, got {value!r}"
            for name, value in (
                ("backoff", self.backoff),
                ("max_backoff", self.max_backoff),
                ("max_retry_after", self.max_retry_after),
            )
            if not is_seconds(value)
        ]
        if not isinstance(self.max_retries, int) or self.max_retries < 0:
            problems.append(f"max_retries must be 0 or more, got {self.max_retries!r}")
        if not is_seconds(self.jitter) or self.jitter > 1:
            problems.append(f"jitter must be from 0 to 1, got {self.jitter!r}")
        if problems:
            raise ConfigurationError(f"RetryPolicy: {'; '.join(problems)}")

    def should_retry_status(self, status: int, *, safe: bool, attempt: int) -> bool:
        """Whether an answer with ``status`` to attempt number ``attempt`` is retried."""
        if attempt >= self.max_retries or status not in self.retry_statuses:
            return False
        return safe or status == 429

    def should_retry_error(
        self, error: httpx.TransportError, *, safe: bool, attempt: int
    ) -> bool:
        """Whether a connection problem on attempt number ``attempt`` is retried."""
        if attempt >= self.max_retries:
            return False
        never_sent = isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout))
        return safe or never_sent

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before retry number ``attempt + 1``."""
        requested = parse_retry_after(retry_after)
        if requested is not None:
            return min(requested, self.max_retry_after)
        base = min(self.backoff * 2.0**attempt, self.max_backoff)
        return base * (1 + random.uniform(-self.jitter, self.jitter))


NO_RETRY = RetryPolicy(max_retries=0)
"""A policy that never retries."""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
