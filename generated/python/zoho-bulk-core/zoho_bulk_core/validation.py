"""Fast validation of JSON payloads against the JSON Schemas shipped in each
product package.

Each schema is compiled once, on first use, by jsonschema-rs (a compiled
validator implementing draft 2020-12 natively), and the validator is cached;
later calls only run it. ``date-time`` is checked the way jsonschema checks it
with rfc3339-validator (no leap seconds, no year 0), so both libraries agree on
what is valid (see DATE_TIME_PATTERN).

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import calendar
import copy
import json
import re
import threading
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any, Final, Literal, Protocol

import jsonschema_rs

from zoho_bulk_core.errors import ZohoBulkError

PayloadKind = Literal["response", "request", "notification"]
"""Which body of an operation a payload is: its answer, its request, or (for a
callback) the notification."""

_RFC3339: Final = re.compile(
    r"(\d{4})-(0[1-9]|1[0-2])-(\d{2})T(?:[01]\d|2[0123]):[0-5]\d:[0-5]\d(?:\.\d+)?"
    r"(?:Z|[+-](?:[01]\d|2[0123]):[0-5]\d)$",
    re.ASCII | re.IGNORECASE,
)
_VOCABULARY_KEY: Final = "x-vocabulary"


def is_date_time(value: str) -> bool:
    """Whether ``value`` is an RFC 3339 date-time (leap seconds excepted), as
    rfc3339-validator judges ``value.upper()``. Called by the validator for
    every date-time, so the common case (days 01 to 28) is two comparisons."""
    match = _RFC3339.match(value)
    if match is None:
        return False
    year, month, day = match.groups()
    if year == "0000":
        return False
    if "01" <= day <= "28":
        return True
    return 1 <= int(day) <= calendar.monthrange(int(year), int(month))[1]


_YEAR: Final = r"(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_LEAP_YEAR: Final = (
    r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
)
DATE_TIME_PATTERN: Final = (
    r"^(?:" + _YEAR + r"-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)|" + _LEAP_YEAR + r"-02-29)"
    r"[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)
"""What replaces ``format: date-time`` before compiling: an RFC 3339 date-time,
calendar included (years 0001 to 9999, February 29 in leap years only, no leap
seconds), so the verdict is rfc3339-validator's (is_date_time's) except that a
value ending in a newline is refused, as RFC 3339 wants. jsonschema-rs's own
date-time check lets through leap seconds, year 0000 and some non-digits, and
it and a pattern beside it cost twice this one pattern: it has no look-arounds,
so it runs on the plain regex engine, natively, with no Python call per value."""

_DATE_TIME_MISMATCH: Final = f' does not match "{DATE_TIME_PATTERN}"'
_DATE_TIME_MESSAGE: Final = ' is not a "date-time"'


_NOT_BEFORE_NEWLINE: Final = ("(?!\n)$", "(?!\\n)$")
"""How a pattern's end says "not before a final newline" (a real or an escaped
newline): Python's ``$`` also matches before one, jsonschema-rs's does not."""

_ORIGINAL_PATTERNS: dict[str, str] = {}
"""Each pattern simplified by ``for_jsonschema_rs``, and what it was."""


def _without_lookahead(pattern: str) -> str:
    """``pattern`` without a final ``(?!\\n)`` before ``$``: the same language
    for jsonschema-rs, whose ``$`` is the end of the text, and checked by the
    plain regex engine rather than the backtracking one (several times faster)."""
    for suffix in _NOT_BEFORE_NEWLINE:
        if pattern.endswith(suffix):
            head = pattern[: -len(suffix)]
            escapes = len(head) - len(head.rstrip("\\"))
            if escapes % 2 == 0:
                simple = head + "$"
                _ORIGINAL_PATTERNS.setdefault(simple, pattern)
                return simple
    return pattern


def with_date_time_pattern(node: Any) -> Any:
    """``node`` (a schema, changed in place) with DATE_TIME_PATTERN in place of
    each ``format: date-time`` (beside the node's own pattern, if it has one)."""
    return for_jsonschema_rs(node, simplify_patterns=False)


def for_jsonschema_rs(node: Any, *, simplify_patterns: bool = True) -> Any:
    """``node`` (a schema, changed in place) as it is compiled: DATE_TIME_PATTERN
    in place of each ``format: date-time`` (beside the node's own pattern, if
    it has one), and patterns ending ``(?!\\n)$`` without the look-ahead, which
    only jsonschema's Python regexes need. Same verdicts, same places."""
    if isinstance(node, list):
        for item in node:
            for_jsonschema_rs(item, simplify_patterns=simplify_patterns)
    elif isinstance(node, dict):
        pattern = node.get("pattern")
        if simplify_patterns and isinstance(pattern, str):
            node["pattern"] = _without_lookahead(pattern)
        if node.get("format") == "date-time":
            del node["format"]
            if "pattern" in node:
                node.setdefault("allOf", []).append({"pattern": DATE_TIME_PATTERN})
            else:
                node["pattern"] = DATE_TIME_PATTERN
        for key, value in node.items():
            if key not in ("examples", "const", "enum", "default"):
                for_jsonschema_rs(value, simplify_patterns=simplify_patterns)
    return node


def _message(error: jsonschema_rs.ValidationError) -> str:
    """What is wrong, in jsonschema-rs's words about the schema as shipped: a
    date-time refused by DATE_TIME_PATTERN is said to be no date-time, as the
    format check says, and a simplified pattern is quoted as it was."""
    message: str = error.message
    if " does not match " not in message:
        return message
    if message.endswith(_DATE_TIME_MISMATCH):
        return message[: -len(_DATE_TIME_MISMATCH)] + _DATE_TIME_MESSAGE
    pattern = getattr(error.kind, "pattern", None)
    if not isinstance(pattern, str) or pattern not in _ORIGINAL_PATTERNS:
        return message
    if message.endswith(f' does not match "{pattern}"'):
        return message[: -len(pattern) - 1] + _ORIGINAL_PATTERNS[pattern] + '"'
    return message


class PayloadError(ZohoBulkError, ValueError):
    """A payload does not match its schema.

    ``pointer`` is the JSON pointer of the failing place (``""`` for the
    whole payload), ``message`` says what is wrong there."""

    def __init__(self, pointer: str, message: str) -> None:
        self.pointer = pointer
        self.message = message
        super().__init__(f"{pointer or '/'}: {message}")


def to_pointer(parts: Sequence[str | int]) -> str:
    """The JSON pointer of a path of keys and list indexes."""
    pointer = ""
    for part in parts:
        if isinstance(part, str):
            if "~" in part or "/" in part:
                part = part.replace("~", "~0").replace("/", "~1")
            pointer += "/" + part
        else:
            pointer += "/" + str(part)
    return pointer


def strict_variant(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The docs-conformance variant of a lenient schema: objects reject
    unknown fields and vocabularies reject values they do not list."""
    strict: dict[str, Any] = copy.deepcopy(dict(schema))
    _make_strict(strict)
    return strict


def _make_strict(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _make_strict(item)
        return
    if not isinstance(node, dict):
        return
    if _VOCABULARY_KEY in node and "anyOf" in node:
        node.update(node.pop("anyOf")[0])
    if node.get("type") == "object" and "properties" in node:
        node["additionalProperties"] = False
    for key, value in node.items():
        if key not in ("examples", _VOCABULARY_KEY):
            _make_strict(value)


class PayloadValidator:
    """Validates the payloads of one product version with its shipped schemas.

    ``package`` is the version's package (``zoho_bulk_crm.v7``); its
    ``schemas/`` folder holds ``<operation>.<kind>.json``."""

    def __init__(self, package: str) -> None:
        self.package = package
        self._compiled: dict[tuple[str, str, bool], jsonschema_rs.Validator] = {}
        self._lock = threading.Lock()
        validate_payload, is_valid_payload = _checking_functions(self)
        self.validate_payload: Final[ValidatePayload] = validate_payload
        """``validate_payload(operation, payload, kind="response", *, strict=False)``:
        raise PayloadError unless ``payload`` is a valid ``kind`` body of
        ``operation``. Responses and notifications are read leniently unless
        ``strict`` is set; requests are always checked strictly. A plain
        function (one cache look-up before jsonschema-rs's native check), the
        fastest to call."""
        self.is_valid_payload: Final[IsValidPayload] = is_valid_payload
        """``is_valid_payload(operation, payload, kind="response", *, strict=False)``:
        whether ``payload`` is a valid ``kind`` body of ``operation``; a plain
        function, the fastest to call."""

    def operations(self) -> list[tuple[str, str]]:
        """Every (operation, kind) this version has a schema for, sorted."""
        folder = resources.files(self.package) / "schemas"
        found = []
        for entry in folder.iterdir():
            if entry.name.endswith(".json"):
                operation, kind = entry.name.removesuffix(".json").rsplit(".", 1)
                found.append((operation, kind))
        return sorted(found)

    def schema(
        self, operation: str, kind: PayloadKind = "response", *, strict: bool = False
    ) -> dict[str, Any]:
        """The JSON Schema of a payload (a fresh copy)."""
        name = f"{operation}.{kind}.json"
        entry = resources.files(self.package) / "schemas" / name
        if not entry.is_file():
            known = ", ".join(f"{op} {k}" for op, k in self.operations())
            raise KeyError(f"{self.package} has no schema {name} (known: {known})")
        loaded: dict[str, Any] = json.loads(entry.read_text(encoding="utf-8"))
        return strict_variant(loaded) if strict else loaded

    def compiled(
        self, operation: str, kind: PayloadKind = "response", *, strict: bool = False
    ) -> jsonschema_rs.Validator:
        """The compiled validator of a payload, made on first use and then reused."""
        key = (operation, kind, strict)
        check = self._compiled.get(key)
        if check is None:
            with self._lock:
                check = self._compiled.get(key)
                if check is None:
                    schema = self.schema(operation, kind, strict=strict)
                    check = jsonschema_rs.Draft202012Validator(
                        for_jsonschema_rs(schema), validate_formats=True
                    )
                    self._compiled[key] = check
        return check

    def validate(
        self,
        operation: str,
        payload: Any,
        kind: PayloadKind = "response",
        *,
        strict: bool = False,
    ) -> None:
        """Raise PayloadError, with the JSON pointer of the first failing place,
        unless ``payload`` matches the schema (requests are always strict).
        The same as ``validate_payload``."""
        self.validate_payload(operation, payload, kind, strict=strict)

    def is_valid(
        self,
        operation: str,
        payload: Any,
        kind: PayloadKind = "response",
        *,
        strict: bool = False,
    ) -> bool:
        """Whether ``payload`` matches the schema. The same as
        ``is_valid_payload``."""
        return self.is_valid_payload(operation, payload, kind, strict=strict)


class ValidatePayload(Protocol):
    """The signature of ``validate_payload``."""

    def __call__(
        self,
        operation: str,
        payload: Any,
        kind: PayloadKind = "response",
        *,
        strict: bool = False,
    ) -> None:
        """Raise PayloadError unless ``payload`` matches the schema."""


class IsValidPayload(Protocol):
    """The signature of ``is_valid_payload``."""

    def __call__(
        self,
        operation: str,
        payload: Any,
        kind: PayloadKind = "response",
        *,
        strict: bool = False,
    ) -> bool:
        """Whether ``payload`` matches the schema."""


def _checking_functions(
    validator: PayloadValidator,
) -> tuple[ValidatePayload, IsValidPayload]:
    """``validate_payload`` and ``is_valid_payload`` of ``validator``: plain
    functions reading its cache of compiled checks from a closure, so that a
    call costs no bound-method or attribute look-ups, only one dictionary
    look-up before the native check."""
    compiled = validator._compiled
    compile_ = validator.compiled

    def validate_payload(
        operation: str,
        payload: Any,
        kind: PayloadKind = "response",
        *,
        strict: bool = False,
    ) -> None:
        """Raise PayloadError unless ``payload`` matches the schema."""
        try:
            check = compiled[operation, kind, strict]
        except KeyError:
            check = compile_(operation, kind, strict=strict)
        # validate, not is_valid then validate: on a valid payload jsonschema-rs's
        # validate costs what its is_valid costs (measured), so checking twice
        # would only slow the invalid ones.
        try:
            check.validate(payload)
        except jsonschema_rs.ValidationError as error:
            raise PayloadError(
                to_pointer(error.instance_path), _message(error)
            ) from None

    def is_valid_payload(
        operation: str,
        payload: Any,
        kind: PayloadKind = "response",
        *,
        strict: bool = False,
    ) -> bool:
        """Whether ``payload`` matches the schema."""
        try:
            check = compiled[operation, kind, strict]
        except KeyError:
            check = compile_(operation, kind, strict=strict)
        return check.is_valid(payload)

    validate_payload.__doc__ = PayloadValidator.validate.__doc__
    is_valid_payload.__doc__ = PayloadValidator.is_valid.__doc__
    return validate_payload, is_valid_payload
