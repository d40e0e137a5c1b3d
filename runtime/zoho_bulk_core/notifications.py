"""Reading the notifications the vendor posts to a job's callback URL.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from zoho_bulk_core.errors import ZohoBulkError
from zoho_bulk_core.requests import validation_problems

_M = TypeVar("_M", bound=BaseModel)


class CallbackBodyError(ZohoBulkError, ValueError):
    """A callback body that cannot be read: not UTF-8, not JSON, or not shaped
    like the notification; ``problems`` lists each ``(JSON pointer, message)``."""

    def __init__(
        self, message: str, problems: tuple[tuple[str, str], ...] = ()
    ) -> None:
        super().__init__(message)
        self.problems = problems
        self.pointers = tuple(pointer for pointer, _ in problems)


def parse_notification(model: type[_M], body: bytes | str | Mapping[str, Any]) -> _M:
    """Parse a callback body (raw bytes, text or decoded JSON) into ``model``.

    Raises CallbackBodyError (also a ValueError) for a body that is not UTF-8
    JSON or not shaped like the notification, naming the place.
    """
    what = f"{model.__name__} body"
    try:
        if isinstance(body, (bytes, bytearray)):
            body = body.decode("utf-8")
        data = json.loads(body) if isinstance(body, str) else body
    except UnicodeDecodeError as error:
        raise CallbackBodyError(
            f"{what} is not UTF-8 (byte {error.start}: {error.reason})"
        ) from None
    except json.JSONDecodeError as error:
        raise CallbackBodyError(
            f"{what} is not JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except (ValueError, RecursionError) as error:
        # Digits past int()'s limit, or nesting deeper than Python recurses.
        raise CallbackBodyError(f"{what} is not readable JSON: {error}") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = tuple(validation_problems(error, data))
        listed = "; ".join(
            f"{pointer or '/'}: {message}" for pointer, message in problems
        )
        raise CallbackBodyError(
            f"{what} is not a notification: {listed}", problems
        ) from None
