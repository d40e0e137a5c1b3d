"""The ``schema`` and ``validate`` commands: read the generated schemas and
models and check payloads with both, reporting errors by JSON pointer.

Schemas are checked with jsonschema-rs (compiled, draft 2020-12), as the
generated packages do; ``date-time`` follows rfc3339-validator, as jsonschema's
format checker does, and each error is reported at the place jsonschema's
``best_match`` would choose."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs

from generator.errors import UsageError
from generator.payloads.formats import is_date_time
from generator.payloads.schema_store import Catalog, VersionSource, find_version, load_schema
from generator.spec.load import to_pointer
from generator.spec.strict_json import JsonInputError, loads_strict

MAX_PAYLOAD_BYTES = 64 * 1024 * 1024
"""Bytes ``validate`` reads of one payload file; a larger one is refused unread."""

__all__ = ["PayloadChecker", "PayloadReport", "find_version", "load_schema"]


@dataclass
class PayloadReport:
    """The verdict on one payload file."""

    file: str
    model: str
    errors: list[str] = field(default_factory=list)
    generator_bug: str | None = None
    unreadable: bool = False
    """The file could not be read at all (exit code 2, not 1)."""

    @property
    def valid(self) -> bool:
        """True when both the schema and the model accept the payload."""
        return not self.errors and self.generator_bug is None

    def lines(self) -> list[str]:
        """Lines to print, one per error."""
        if self.valid:
            return [f"{self.file}: valid {self.model}"]
        lines = [f"{self.file}: {error}" for error in self.errors]
        if self.generator_bug:
            lines.insert(0, f"{self.file}: GENERATOR BUG: {self.generator_bug}")
        return lines


@dataclass(frozen=True)
class PayloadChecker:
    """Checks payloads of one operation with its generated schema and model."""

    validator: jsonschema_rs.Validator
    model: Any
    """The generated model class, or None when only the schema is at hand."""
    strict: bool
    model_name: str = ""

    @classmethod
    def open(
        cls,
        source: Path | Catalog,
        product: str,
        version: str,
        operation: str,
        *,
        request: bool,
        strict: bool,
    ) -> PayloadChecker:
        """Load the schema and the model of ``operation`` from a generated folder or
        a catalog; the model is None when only the schema is at hand."""
        found = find_version(source, product, version)
        schema = load_schema(
            {product: {version: found}}, product, version, operation, request=request, strict=strict
        )
        validator = jsonschema_rs.Draft202012Validator(
            schema, validate_formats=True, formats={"date-time": is_date_time}
        )
        model_name = schema["$ref"].rsplit("/", 1)[-1]
        models = import_models(found)
        if models is None:
            return cls(validator, None, strict or request, model_name)
        model = getattr(models, model_name, None)
        if model is None:
            raise UsageError(
                f"{found.models_module} has no model {model_name}; run 'zoho-bulkgen generate'"
            )
        return cls(validator, model, strict or request, model_name)

    def check_file(self, path: Path) -> PayloadReport:
        """Read a JSON file ('-' for stdin) and check its payload."""
        name = str(path)
        try:
            text = read_payload_text(path)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            return PayloadReport(name, self.model_name, [f"cannot read: {reason}"], unreadable=True)
        try:
            payload = loads_strict(text)
        except JsonInputError as exc:
            where = f"{name}:{exc.line}:{exc.column}" if exc.line else name
            return PayloadReport(where, self.model_name, [f"invalid JSON: {exc.message}"])
        return self.check(name, payload)

    def check(self, name: str, payload: Any) -> PayloadReport:
        """Check one decoded payload with the schema and with the model."""
        report = PayloadReport(name, self.model_name)
        schema_errors = self.schema_errors(payload)
        if self.model is None:  # only the schema is at hand
            report.errors = schema_errors
            return report
        model_errors = self.model_errors(payload)
        if bool(schema_errors) != bool(model_errors):
            accepted_by = "the schema" if not schema_errors else "the model"
            rejected_by = "the model" if not schema_errors else "the schema"
            report.generator_bug = (
                f"{accepted_by} accepts this payload but {rejected_by} rejects it"
            )
        report.errors = schema_errors or model_errors
        return report

    def schema_errors(self, payload: Any) -> list[str]:
        """Schema errors as 'pointer: message', in document order."""
        errors = sorted(
            self.validator.iter_errors(payload), key=lambda e: [str(p) for p in e.instance_path]
        )
        messages = []
        for error in errors:
            best = best_of(error)
            pointer = to_pointer(tuple(best.instance_path)) or "/"
            messages.append(f"{pointer}: {best.message}")
        return messages

    def model_errors(self, payload: Any) -> list[str]:
        """Model validation errors as 'pointer: message (model)'."""
        from pydantic import ValidationError

        context = {"zoho_bulk_strict": True} if self.strict else None
        try:
            self.model.model_validate(payload, context=context)
        except ValidationError as exc:
            return [
                f"{to_pointer(tuple(error['loc'])) or '/'}: {error['msg']} (model)"
                for error in exc.errors(include_url=False)
            ]
        return []


_WEAK = frozenset({"AnyOf", "OneOfNotValid", "OneOfMultipleValid"})


def _relevance(error: jsonschema_rs.ValidationError) -> tuple[int, list[str], bool]:
    """How jsonschema's best_match ranks an error: deeper, earlier, not anyOf/oneOf."""
    path = list(error.instance_path)
    return (-len(path), [str(part) for part in path], type(error.kind).__name__ not in _WEAK)


def best_of(error: jsonschema_rs.ValidationError) -> jsonschema_rs.ValidationError:
    """The error to report for ``error``: for anyOf/oneOf, the most relevant error
    of its branches (while one stands out), as jsonschema's best_match chooses."""
    best = error
    while True:
        context = getattr(best.kind, "context", None) or []
        branch_errors = [item for branch in context for item in branch]
        if not branch_errors:
            return best
        ranked = sorted(branch_errors, key=_relevance)
        if len(ranked) > 1 and _relevance(ranked[0]) == _relevance(ranked[1]):
            return best
        best = ranked[0]


def read_payload_text(path: Path) -> str:
    """The UTF-8 text of ``path`` ('-': stdin), reading at most MAX_PAYLOAD_BYTES."""
    if str(path) == "-":
        raw = sys.stdin.buffer.read(MAX_PAYLOAD_BYTES + 1)
    else:
        with path.open("rb") as stream:
            raw = stream.read(MAX_PAYLOAD_BYTES + 1)
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"larger than {MAX_PAYLOAD_BYTES:,} bytes")
    return raw.decode("utf-8")


def import_models(found: VersionSource) -> Any:
    """The generated models module of a product version, or None if it has none."""
    try:
        return found.import_models()
    except ImportError as exc:
        raise UsageError(f"cannot import {found.models_module}: {exc}") from None
