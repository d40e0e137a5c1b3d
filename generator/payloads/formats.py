"""The string formats payload checks know (a module of its own, light to
import: the generator's example checks need it before anything else of
generator.payloads)."""

from __future__ import annotations

from rfc3339_validator import validate_rfc3339  # type: ignore[import-untyped]


def is_date_time(value: str) -> bool:
    """RFC 3339 date-time, checked as jsonschema's format checker does."""
    return bool(validate_rfc3339(value.upper()))
