"""What the mock sends back: JSON bodies, files and documented error answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from generator.spec.model import NormalizedSpec, Operation


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
    """The spec's error codes, turned into answers with the status the spec
    gives each code in the operation asked (its own status elsewhere)."""

    def __init__(self, spec: NormalizedSpec) -> None:
        self.statuses = {error.code: error.http_status for error in spec.errors}

    def knows(self, code: str) -> bool:
        """Whether ``code`` is in the catalog."""
        return code in self.statuses

    def status(self, code: str, operation: Operation | None) -> int:
        """The HTTP status of ``code`` in ``operation`` (of one product version)."""
        if operation is not None:
            for error in operation.errors:
                if error.code == code:
                    return error.http_status
        return self.statuses[code]

    def answer(self, failure: ApiFailure, operation: Operation | None = None) -> Answer:
        """The error answer of ``failure``, with the status of its code in ``operation``."""
        status = failure.http_status or self.status(failure.code, operation)
        body = error_body(failure.code, failure.message, failure.details, "plain", status)
        return Answer(status, body, headers=failure.headers)


def error_body(
    code: str | None, message: str, details: dict[str, Any], shape: str, status: int
) -> dict[str, Any]:
    """An error body in one of the vendor's shapes (see config.ERROR_SHAPES);
    ``status`` is what an upload-shape body states as its ERROR_CODE."""
    plain = {"code": code, "details": details, "message": message, "status": "error"}
    if shape == "wrapped":
        return {"data": [plain]}
    if shape == "upload":
        stated = status if status >= 400 else 400
        body: dict[str, Any] = {
            "ERROR_CODE": stated,
            "ERROR_MESSAGE": _phrase(stated),
            "x-error": message,
            "info": "the upload host refused the request",
        }
        if code is not None:
            body["code"] = code
        return body
    return plain


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
