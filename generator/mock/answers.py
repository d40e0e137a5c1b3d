"""What the mock sends back: JSON bodies, files and documented error answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from generator.spec_model import NormalizedSpec


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, headers and either a JSON body or raw bytes."""

    status: int
    body: Any = None
    content: bytes | None = None
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    schema: str | None = None
    """Path (under generated/) of the JSON Schema the body must satisfy, if any."""
    notify: tuple[tuple[str, Any], ...] = field(default=())
    """Callback notifications to post once the answer is sent: (url, body)."""

    def payload(self) -> bytes:
        """The bytes of the body."""
        if self.content is not None:
            return self.content
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


class ApiFailure(Exception):
    """Raised by a handler to answer with a documented error code."""

    def __init__(
        self,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        headers: tuple[tuple[str, str], ...] = (),
        http_status: int | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers
        self.http_status = http_status
        """Overrides the catalog's status (errors that arrive with HTTP 200)."""


class ErrorCatalog:
    """The spec's error codes, turned into answers with their documented status."""

    def __init__(self, spec: NormalizedSpec) -> None:
        self.statuses = {error.code: error.http_status for error in spec.errors}

    def answer(self, failure: ApiFailure) -> Answer:
        """The error answer of ``failure``, with the catalog's HTTP status."""
        status = failure.http_status or self.statuses[failure.code]
        body = {
            "code": failure.code,
            "details": failure.details,
            "message": failure.message,
            "status": "error",
        }
        return Answer(status, body, headers=failure.headers)
