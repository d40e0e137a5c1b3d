"""Reading the notifications the vendor posts to a job's callback URL.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

_M = TypeVar("_M", bound=BaseModel)


def parse_notification(model: type[_M], body: bytes | str | Mapping[str, Any]) -> _M:
    """Parse a callback body (raw bytes, text or decoded JSON) into ``model``.

    Raises ValueError (pydantic's ValidationError is one) for a body that is
    not JSON or not shaped like the notification.
    """
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8")
    data = json.loads(body) if isinstance(body, str) else body
    return model.model_validate(data)
