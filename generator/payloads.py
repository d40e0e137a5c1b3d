"""The ``schema`` and ``validate`` commands: read the generated schemas and
models and check payloads with both, reporting errors by JSON pointer."""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from generator.emit_schemas import schema_path, to_strict
from generator.errors import UsageError
from generator.load import to_pointer
from generator.normalize import module_name
from generator.strict_json import JsonInputError, loads_strict

MAX_PAYLOAD_BYTES = 64 * 1024 * 1024
"""Bytes ``validate`` reads of one payload file; a larger one is refused unread."""


def load_schema(
    out_dir: Path, product: str, version: str, operation: str, *, request: bool, strict: bool
) -> dict[str, Any]:
    """The generated schema of an operation's response (or request) body; for a
    callback, the notification body the vendor posts."""
    kinds = ["request"] if request else ["response", "notification"]
    paths = [out_dir / schema_path(product, version, operation, kind) for kind in kinds]
    path = next((candidate for candidate in paths if candidate.is_file()), None)
    if path is None:
        raise UsageError(_why_missing(out_dir, product, version, operation, kinds[0]))
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return to_strict(schema) if strict and not request else schema


def _why_missing(out_dir: Path, product: str, version: str, operation: str, kind: str) -> str:
    root = out_dir / "schemas"
    if not root.is_dir():
        return f"{root}: no generated schemas; run 'zoho-bulkgen generate' first"
    products = sorted(p.name for p in root.iterdir() if p.is_dir())
    if product not in products:
        return f"unknown product '{product}' (known: {', '.join(products)})"
    versions = sorted(p.name for p in (root / product).iterdir() if p.is_dir())
    if version not in versions:
        return f"{product} has no version '{version}' (known: {', '.join(versions)})"
    names = sorted({p.name.split(".")[0] for p in (root / product / version).glob("*.json")})
    if operation not in names:
        return f"{product} {version} has no operation '{operation}' (known: {', '.join(names)})"
    return f"{product} {version} {operation} has no {kind} body"


@dataclass
class PayloadReport:
    """The verdict on one payload file."""

    file: str
    model: str
    errors: list[str] = field(default_factory=list)
    generator_bug: str | None = None

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

    validator: jsonschema.protocols.Validator
    model: Any
    strict: bool

    @classmethod
    def open(
        cls,
        out_dir: Path,
        product: str,
        version: str,
        operation: str,
        *,
        request: bool,
        strict: bool,
    ) -> PayloadChecker:
        """Load the schema and the model of ``operation`` from ``out_dir``."""
        schema = load_schema(out_dir, product, version, operation, request=request, strict=strict)
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        model_name = schema["$ref"].rsplit("/", 1)[-1]
        models = import_models(out_dir, product, version)
        model = getattr(models, model_name, None)
        if model is None:
            raise UsageError(
                f"{models.__name__} has no model {model_name}; run 'zoho-bulkgen generate'"
            )
        return cls(validator, model, strict or request)

    def check_file(self, path: Path) -> PayloadReport:
        """Read a JSON file ('-' for stdin) and check its payload."""
        name = str(path)
        try:
            text = read_payload_text(path)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return PayloadReport(name, self.model.__name__, [f"cannot read: {exc}"])
        try:
            payload = loads_strict(text)
        except JsonInputError as exc:
            where = f"{name}:{exc.line}:{exc.column}" if exc.line else name
            return PayloadReport(where, self.model.__name__, [f"invalid JSON: {exc.message}"])
        return self.check(name, payload)

    def check(self, name: str, payload: Any) -> PayloadReport:
        """Check one decoded payload with the schema and with the model."""
        report = PayloadReport(name, self.model.__name__)
        schema_errors = self.schema_errors(payload)
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
            self.validator.iter_errors(payload), key=lambda e: [str(p) for p in e.absolute_path]
        )
        messages = []
        for error in errors:
            best = best_match([error])
            pointer = to_pointer(tuple(best.absolute_path)) or "/"
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


def import_models(out_dir: Path, product: str, version: str) -> Any:
    """Import the generated models of ``product`` ``version`` from ``out_dir``,
    ahead of any installed copy."""
    python_root = out_dir.resolve() / "python"
    distributions = [
        python_root / "zoho-bulk-core",
        python_root / f"zoho-bulk-{product.replace('_', '-')}",
    ]
    for distribution in reversed(distributions):
        if not distribution.is_dir():
            raise UsageError(
                f"{distribution}: no generated package; run 'zoho-bulkgen generate' first"
            )
        if str(distribution) not in sys.path:
            sys.path.insert(0, str(distribution))
    module = f"zoho_bulk_{product}.{module_name(version)}.models"
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise UsageError(f"cannot import {module}: {exc}") from None
