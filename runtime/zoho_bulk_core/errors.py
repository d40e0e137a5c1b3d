"""Exceptions raised by the generated clients: one class per documented error
code, each under a class per HTTP status, so callers can catch as narrowly or as
broadly as they like. No exception ever holds the access token.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final


class ZohoBulkError(Exception):
    """Base of every error raised by the generated clients."""


class TransportError(ZohoBulkError):
    """The request did not get an answer (connection refused, timed out, ...)."""


class UnexpectedResponseError(ZohoBulkError):
    """The server answered with something the client cannot read."""

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


class ConfigurationError(ZohoBulkError, ValueError):
    """A client setting cannot be used: an unknown data center, an environment
    or host kind the data center lacks, a custom domain the product does not
    have, credentials given twice or not at all. Also a ValueError."""


class UnsafeUrlError(ConfigurationError):
    """A URL the client will not send the access token to: not an absolute
    http(s) URL, plain http to a host other than loopback, or (for a URL an
    answer names) a host that is neither the client's own nor the vendor's."""


class LocalFileError(ZohoBulkError, OSError):
    """A local file the client reads or writes cannot be used: the file to
    upload is missing, a folder or unreadable, a download's folder is missing
    or not writable, the token file cannot be written. Also an OSError, with
    the original ``errno``, ``strerror`` and ``filename``."""

    def __init__(self, what: str, error: OSError) -> None:
        reason = error.strerror or str(error) or type(error).__name__
        name = error.filename if error.filename is not None else ""
        super().__init__(error.errno, reason, name)
        self.what = what
        self.message = (
            f"{what} {str(name)!r}: {reason}" if name else f"{what}: {reason}"
        )

    def __str__(self) -> str:
        return self.message


class UnexpectedAnswerError(UnexpectedResponseError):
    """An answer does not fit the operation's response model: ``operation``
    names the operation, ``problems`` each ``(JSON pointer, message)`` and
    ``pointers`` the places alone."""

    shown: ClassVar[int] = 5
    """How many problems the message lists."""

    def __init__(
        self,
        operation: str,
        problems: Sequence[tuple[str, str]],
        *,
        http_status: int | None = None,
    ) -> None:
        self.operation = operation
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        self.pointers: tuple[str, ...] = tuple(where for where, _ in self.problems)
        listed = "; ".join(
            f"{where or '/'}: {message}" for where, message in problems[: self.shown]
        )
        more = len(self.problems) - self.shown
        if more > 0:
            listed += f"; and {more} more"
        super().__init__(
            f"unexpected answer to {operation}: {listed}", http_status=http_status
        )


class ApiError(ZohoBulkError):
    """The API answered with an error body ``{code, message, details, status}``."""

    documented_status: ClassVar[int | None] = None
    """The HTTP status the vendor documents for this error, if it is a coded one."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details: Mapping[str, Any] = details or {}
        self.http_status = http_status

    def __str__(self) -> str:
        status = (
            f"HTTP {self.http_status}" if self.http_status is not None else "API error"
        )
        code = f" {self.code}" if self.code else ""
        return f"{status}{code}: {self.message}"


class BadRequestError(ApiError):
    """HTTP 400: the request is not valid."""


class AuthenticationError(ApiError):
    """HTTP 401: the access token is missing, invalid, expired or lacks a scope."""


class PermissionDeniedError(ApiError):
    """HTTP 403: the user may not do this."""


class NotFoundError(ApiError):
    """HTTP 404: the URL or the job does not exist."""


class PayloadTooLargeError(ApiError):
    """HTTP 413: the uploaded file is too large."""


class RateLimitError(ApiError):
    """HTTP 429: too many requests; slow down."""


class ServerError(ApiError):
    """HTTP 5xx: the server failed."""


_STATUS_CLASSES: Final[Mapping[int, type[ApiError]]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    429: RateLimitError,
}

# The spec's error codes, one class each under the class of its HTTP status
# (generated; they subclass the classes above, hence imported here).
from zoho_bulk_core import error_codes as _error_codes  # noqa: E402
from zoho_bulk_core.error_codes import *  # noqa: E402, F403
from zoho_bulk_core.error_codes import ERROR_CLASSES  # noqa: E402

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "LocalFileError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "UnexpectedAnswerError",
    "UnexpectedResponseError",
    "UnsafeUrlError",
    "ZohoBulkError",
    "error_from_body",
    "status_class",
    *_error_codes.__all__,
]
"""What ``from zoho_bulk_core.errors import *`` gives: the exception classes
(those of the error codes included), ERROR_CLASSES and the two helpers."""


def status_class(http_status: int) -> type[ApiError]:
    """The fallback exception class for an HTTP status."""
    if http_status >= 500:
        return ServerError
    return _STATUS_CLASSES.get(http_status, ApiError)


def error_from_body(http_status: int, body: object) -> ApiError:
    """Build the exception for an error answer: by its code when the code is
    documented, else by its HTTP status."""
    fields: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    code = fields.get("code")
    code = code if isinstance(code, str) else None
    message = fields.get("message")
    if not isinstance(message, str) or not message:
        message = code or f"HTTP {http_status}"
    details = fields.get("details")
    error_class = ERROR_CLASSES.get(code or "") or status_class(http_status)
    return error_class(
        message,
        code=code,
        details=details if isinstance(details, Mapping) else None,
        http_status=http_status,
    )
