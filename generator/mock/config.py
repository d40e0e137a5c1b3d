"""Settings of the mock server and the faults a test can make it commit."""

from __future__ import annotations

import re
from dataclasses import dataclass

FAULT_KINDS = frozenset({"429", "500", "drop", "slow", "drop_mid_body", "error"})
"""``429`` and ``500`` answer with that error, ``drop`` closes the connection
without an answer, ``slow`` waits ``delay`` seconds before answering normally,
``drop_mid_body`` cuts a download off halfway through its body and ``error``
answers with the error ``code`` (one a request cannot cause, such as
LIMIT_REACHED or INTERNAL_SERVER_ERROR) in the body ``shape`` asked for."""

ERROR_SHAPES = frozenset({"plain", "wrapped", "upload"})
"""How an ``error`` fault's body looks: ``plain`` ``{status, code, message,
details}``, ``wrapped`` the same inside ``{"data": [...]}``, ``upload`` the
upload host's ``{"ERROR_CODE", "ERROR_MESSAGE", "x-error", "info"}``."""

ROLES = frozenset({"user", "no_permission", "unauthorized"})
"""``user`` may do everything its scopes allow; ``no_permission`` is refused any
existing job (NO_PERMISSION); ``unauthorized`` may not create jobs (AUTHORIZATION_FAILED)."""


@dataclass(frozen=True)
class MockConfig:
    """How much data the mock pretends to hold and how it behaves over time."""

    records: int = 1000
    """Records every module holds (bulk read results page through them)."""
    per_page: int = 200_000
    """Records in one bulk read page."""
    polls_until_complete: int = 2
    """Status requests of a job after which it has finished (0: finished at once)."""
    token_lifetime: float = 3600.0
    """Seconds an access token handed out by the mock stays valid."""
    max_upload_bytes: int = 25 * 1024 * 1024
    """Largest upload accepted; bigger ones get FILE_TOO_LARGE."""
    download_rate_limit: int | None = None
    """Bulk read result downloads allowed per minute (None: no limit)."""
    api_domain: str | None = None
    """The ``api_domain`` of token answers (None: the mock's own base URL)."""

    def __post_init__(self) -> None:
        if self.records < 0:
            raise ValueError("records must not be negative")
        if self.per_page < 1:
            raise ValueError("per_page must be at least 1")
        if self.polls_until_complete < 0:
            raise ValueError("polls_until_complete must not be negative")
        if self.token_lifetime < 0:
            raise ValueError("token_lifetime must not be negative")
        if self.download_rate_limit is not None and self.download_rate_limit < 1:
            raise ValueError("download_rate_limit must be at least 1 (or None)")


@dataclass(frozen=True)
class Fault:
    """A misbehaviour applied to the next ``count`` requests whose path contains
    ``path_contains`` (every path when None), before they are handled."""

    kind: str
    retry_after: int = 1
    """Seconds announced in the Retry-After header of a ``429`` fault."""
    count: int = 1
    path_contains: str | None = None
    delay: float = 0.0
    """Seconds a ``slow`` fault waits before answering."""
    code: str | None = None
    """The error code an ``error`` fault answers with (None: only with shape upload)."""
    shape: str = "plain"
    """The body shape of an ``error`` fault (ERROR_SHAPES)."""
    status: int | None = None
    """The HTTP status of an ``error`` fault (None: the one the spec gives the
    code in the operation asked; 400 for an upload-shape answer without a code)."""

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {sorted(FAULT_KINDS)}")
        if self.shape not in ERROR_SHAPES:
            raise ValueError(
                f"unknown error shape {self.shape!r}; use one of {sorted(ERROR_SHAPES)}"
            )
        if self.kind != "error" and (self.code, self.shape, self.status) != (None, "plain", None):
            raise ValueError("code, shape and status go with an error fault only")
        if self.kind == "error" and self.code is None and self.shape != "upload":
            raise ValueError("an error fault needs code=CODE (only shape=upload may go without)")
        if self.code is not None and re.fullmatch("[A-Z][A-Z0-9_]*", self.code) is None:
            raise ValueError(f"error code {self.code!r} is not an UPPER_SNAKE code")
        if self.status is not None and not 200 <= self.status <= 599:
            raise ValueError("status must be an HTTP status from 200 to 599")
        if self.count < 1:
            raise ValueError("a fault must apply to at least one request")
        if self.retry_after < 0 or self.delay < 0:
            raise ValueError("retry_after and delay must not be negative")
