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
from collections.abc import Mapping
from importlib import resources
from typing import Any, Final, Literal

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


DATE_TIME_PATTERN: Final = (
    r"^(?!0000)[0-9]{4}-(?:0[1-9]|1[0-2])-[0-9]{2}[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]"
    r":[0-5][0-9](?:\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)
"""Added beside every ``format: date-time`` before compiling: jsonschema-rs's own
date-time check (native, so no Python call per value) knows the calendar but
lets through leap seconds, year 0000 and some non-digits; with this pattern
the verdict is rfc3339-validator's (is_date_time's), except that a value
ending in a newline is refused, as RFC 3339 wants."""


def with_date_time_pattern(node: Any) -> Any:
    """``node`` (a schema, changed in place) with DATE_TIME_PATTERN beside each
    ``format: date-time``."""
    if isinstance(node, list):
        for item in node:
            with_date_time_pattern(item)
    elif isinstance(node, dict):
        if node.get("format") == "date-time":
            if "pattern" in node:
                node.setdefault("allOf", []).append({"pattern": DATE_TIME_PATTERN})
            else:
                node["pattern"] = DATE_TIME_PATTERN
        for key, value in node.items():
            if key not in ("examples", "const", "enum", "default"):
                with_date_time_pattern(value)
    return node


class PayloadError(ZohoBulkError, ValueError):
    """A payload does not match its schema.

    ``pointer`` is the JSON pointer of the failing place (``""`` for the
    whole payload), ``message`` says what is wrong there."""

    def __init__(self, pointer: str, message: str) -> None:
        self.pointer = pointer
        self.message = message
        super().__init__(f"{pointer or '/'}: {message}")


def to_pointer(parts: list[str | int]) -> str:
    """The JSON pointer of a path of keys and list indexes."""
    return "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts
    )


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
                        with_date_time_pattern(schema), validate_formats=True
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
        unless ``payload`` matches the schema (requests are always strict)."""
        check = self._compiled.get((operation, kind, strict))
        if check is None:
            check = self.compiled(operation, kind, strict=strict)
        try:
            check.validate(payload)
        except jsonschema_rs.ValidationError as error:
            raise PayloadError(
                to_pointer(list(error.instance_path)), error.message
            ) from None

    def is_valid(
        self,
        operation: str,
        payload: Any,
        kind: PayloadKind = "response",
        *,
        strict: bool = False,
    ) -> bool:
        """Whether ``payload`` matches the schema."""
        check = self._compiled.get((operation, kind, strict))
        if check is None:
            check = self.compiled(operation, kind, strict=strict)
        return check.is_valid(payload)
