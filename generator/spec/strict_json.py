"""JSON as RFC 8259 has it, read within limits: no NaN or Infinity, no
duplicate keys, no lone surrogates, no integer longer than a few thousand
digits, no nesting deeper than ``MAX_JSON_NESTING``. Every refusal is a
``JsonInputError`` with one line of text (and the line and column when the
parser knows them), never a traceback."""

from __future__ import annotations

import json
import re
from typing import Any

MAX_JSON_NESTING = 64
"""Objects and arrays inside one another: payloads of the Bulk APIs nest a few levels."""
MAX_INTEGER_DIGITS = 100
"""Digits of an integer (ids of the Bulk APIs have 19; Python refuses to parse 4,300)."""

_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonInputError(ValueError):
    """Text that is not acceptable JSON: ``message``, and where when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__(message)


def loads_strict(text: str) -> Any:
    """The value ``text`` holds, or ``JsonInputError``."""
    try:
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_finite_float,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        raise JsonInputError(exc.msg, exc.lineno, exc.colno) from None
    except RecursionError:
        raise JsonInputError(f"nested more than {MAX_JSON_NESTING} levels deep") from None
    _check_values(value, (), 0)
    return value


def pointer_of(path: tuple[str | int, ...]) -> str:
    """``path`` as a JSON pointer (RFC 6901)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _refuse_constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not a JSON value")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise JsonInputError(f"an integer has more than {MAX_INTEGER_DIGITS} digits")
    return int(digits)


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise JsonInputError(f"the number {text[:40]} is out of range")
    return number


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise JsonInputError(f"duplicate key {_quoted(key)}")
        result[key] = value
    return result


def _check_values(value: Any, path: tuple[str | int, ...], depth: int) -> None:
    """Refuse nesting past the limit and text UTF-8 cannot hold, with a pointer."""
    if isinstance(value, dict | list):
        if depth >= MAX_JSON_NESTING:
            raise JsonInputError(
                f"nested more than {MAX_JSON_NESTING} levels deep (at {pointer_of(path)})"
            )
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(key, str):
                _check_text(key, path)
            _check_values(item, (*path, key), depth + 1)
    elif isinstance(value, str):
        _check_text(value, path)


def _check_text(text: str, path: tuple[str | int, ...]) -> None:
    bad = _SURROGATE.search(text)
    if bad is not None:
        raise JsonInputError(
            f"text holds a lone surrogate U+{ord(bad.group()):04X}, which UTF-8 cannot encode "
            f"(at {pointer_of(path) or '/'})"
        )


def _quoted(text: str) -> str:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return repr(shown)
