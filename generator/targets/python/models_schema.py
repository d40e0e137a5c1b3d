"""The Python target's input to datamodel-code-generator: one JSON Schema per
product version holding every type, with vocabularies, mixins and the shared
string types pointing at zoho_bulk_core's Python types (``customTypePath``,
``customBasePath``). Built on emit_schemas' definitions, which know no Python."""

from __future__ import annotations

from typing import Any

from generator.spec.model import NormalizedSpec, ProductVersion
from generator.targets.json_schema import DRAFT, PRIMITIVE_SCHEMAS, definitions
from generator.targets.python.names import CORE_PACKAGE

TIMESTAMP_DEF = "Timestamp"
DIGITS_DEF = "Digits"


def models_schema(version: ProductVersion, spec: NormalizedSpec) -> dict[str, Any]:
    """The per-version schema the models are generated from: every type, with
    vocabularies and mixins pointing at the shared runtime's Python types."""
    vocabularies = {vocabulary.name: vocabulary for vocabulary in spec.vocabularies}
    roots = [type_spec.name for type_spec in version.types]
    defs = definitions(version, roots, vocabularies, open_vocabularies=True)
    for name, definition in defs.items():
        if name in vocabularies:
            definition["customTypePath"] = f"{CORE_PACKAGE}.vocabulary.{name}Value"
        else:
            # Models state at-least-one-of groups themselves (see models.render_models).
            definition.pop("anyOf", None)
            mixins = version.type_named(name).mixins
            if mixins:
                definition["customBasePath"] = [
                    f"{CORE_PACKAGE}.models.{mixin}" for mixin in mixins
                ]
    defs = _refer_to_shared_types(defs)
    for name in _SHARED_STRING_TYPES:
        # The shared type carries its own format or pattern.
        defs[name] = {"type": "string", "customTypePath": f"{CORE_PACKAGE}.models.{name}"}
    return {"$schema": DRAFT, "title": "Models", "$defs": defs}


_SHARED_STRING_TYPES: dict[str, dict[str, Any]] = {
    TIMESTAMP_DEF: PRIMITIVE_SCHEMAS["datetime"],
    DIGITS_DEF: PRIMITIVE_SCHEMAS["digits"],
}
"""Primitives the models take from the shared runtime rather than declaring
their own: Timestamp accepts only ISO 8601 strings (unlike pydantic's lax
datetime), Digits is the one type of every id written as a string of digits."""


def _refer_to_shared_types(node: Any) -> Any:
    """Replace inline schemas of the shared primitives by references to them."""
    if isinstance(node, list):
        return [_refer_to_shared_types(item) for item in node]
    if not isinstance(node, dict):
        return node
    for name, schema in _SHARED_STRING_TYPES.items():
        if schema.items() <= node.items():  # every keyword of the schema, with its value
            rest = {key: value for key, value in node.items() if key not in schema}
            return {"$ref": f"#/$defs/{name}", **rest}
    return {
        key: _refer_to_shared_types(value) if isinstance(value, dict | list) else value
        for key, value in node.items()
    }
