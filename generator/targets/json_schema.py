"""Stage 4a, emit JSON Schemas (draft 2020-12): one per payload per product and
version, and the definitions the Python models' schema is built on
(python_models_schema).

Response schemas are lenient, as a robust reader must be: fields the spec does
not know are allowed, and a vocabulary accepts any string besides its
documented spellings. ``to_strict`` derives the docs-conformance variant."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from generator.spec.model import NormalizedSpec, ProductVersion, TypeSpec, Vocabulary
from generator.spec.type_expr import ListOf, Named, Primitive, TypeExpr, UnionOf, named_references

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID_PREFIX = "urn:zoho-bulkgen:schema"
VOCABULARY_KEY = "x-vocabulary"

PRIMITIVE_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    # (?!\n): a trailing newline is not a digit, though Python's $ lets it pass.
    "digits": {"type": "string", "pattern": "^[0-9]+(?!\n)$"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "object": {"type": "object"},
    "null": {"type": "null"},
    "any": {},
}


def schema_path(product: str, version: str, operation: str, kind: str) -> str:
    """Where a payload's schema lives under generated/."""
    return f"schemas/{product}/{version}/{operation}.{kind}.json"


def schema_id(product: str, version: str, operation: str, kind: str) -> str:
    """The ``$id`` of a payload's schema."""
    return f"{SCHEMA_ID_PREFIX}:{product}:{version}:{operation}:{kind}"


def emit_schemas(spec: NormalizedSpec) -> dict[str, dict[str, Any]]:
    """Every payload schema, keyed by its path under generated/."""
    vocabularies = {vocabulary.name: vocabulary for vocabulary in spec.vocabularies}
    schemas: dict[str, dict[str, Any]] = {}
    for product in spec.products:
        for version in product.versions:
            for body in payload_bodies(version):
                path = schema_path(product.name, version.version, body.operation, body.kind)
                schemas[path] = body_schema(version, body, vocabularies)
    return schemas


@dataclass(frozen=True)
class PayloadBody:
    """A JSON body with a schema of its own: an operation's response or request,
    or a callback's notification."""

    operation: str
    kind: str
    """``response``, ``request`` or ``notification``."""
    type_name: str
    summary: str

    @property
    def strict(self) -> bool:
        """Requests are written by users, so they are checked strictly."""
        return self.kind == "request"


def payload_bodies(version: ProductVersion) -> list[PayloadBody]:
    """Every JSON body of a product version, in spec order."""
    bodies = []
    for operation in version.operations:
        if operation.request_type is not None:
            bodies.append(
                PayloadBody(operation.name, "request", operation.request_type, operation.summary)
            )
        if operation.response_type is not None:
            bodies.append(
                PayloadBody(operation.name, "response", operation.response_type, operation.summary)
            )
    for callback in version.callbacks:
        bodies.append(
            PayloadBody(callback.name, "notification", callback.body_type, callback.summary)
        )
    return bodies


def body_schema(
    version: ProductVersion, body: PayloadBody, vocabularies: dict[str, Vocabulary]
) -> dict[str, Any]:
    """The schema of one JSON body in ``version``: lenient, except for requests."""
    root = version.type_named(body.type_name)
    examples = [
        example.payload
        for example in version.examples
        if example.operation == body.operation and example.request == (body.kind == "request")
    ]
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": schema_id(version.product, version.version, body.operation, body.kind),
        "title": (
            f"{root.name} ({version.product_title} {version.version}, {body.operation} {body.kind})"
        ),
        "description": f"{body.summary} {root.description}",
        "$ref": f"#/$defs/{root.name}",
        "$defs": definitions(version, [root.name], vocabularies, open_vocabularies=not body.strict),
    }
    if examples:
        schema["examples"] = examples
    return to_strict(schema) if body.strict else schema


def definitions(
    version: ProductVersion,
    roots: list[str],
    vocabularies: dict[str, Vocabulary],
    *,
    open_vocabularies: bool,
) -> dict[str, Any]:
    """``$defs`` for every type and vocabulary reachable from ``roots``, in a stable order."""
    defs: dict[str, Any] = {}
    for name in reachable_names(version, roots, vocabularies):
        if name in vocabularies:
            defs[name] = vocabulary_schema(vocabularies[name], open_values=open_vocabularies)
        else:
            defs[name] = object_schema(version.type_named(name))
    return defs


def reachable_names(
    version: ProductVersion, roots: list[str], vocabularies: dict[str, Vocabulary]
) -> list[str]:
    """Names reachable from ``roots``, depth first, in field order."""
    seen: list[str] = []
    pending = list(reversed(roots))
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.append(name)
        if name in vocabularies:
            continue
        references = [
            ref for field in version.type_named(name).fields for ref in named_references(field.type)
        ]
        pending.extend(reversed(references))
    return seen


def object_schema(type_spec: TypeSpec) -> dict[str, Any]:
    """The schema of one payload type; unknown fields stay allowed."""
    schema: dict[str, Any] = {
        "type": "object",
        "title": type_spec.name,
        "description": type_spec.description,
        "properties": {
            field.name: {
                **type_schema(field.type),
                **constraint_schema(field.constraints),
                "description": field.description,
            }
            for field in type_spec.fields
        },
    }
    required = [field.name for field in type_spec.fields if field.required]
    if required:
        schema["required"] = required
    if type_spec.require_one_of:
        schema["anyOf"] = [{"required": [name]} for name in type_spec.require_one_of]
    return schema


_CONSTRAINT_KEYWORDS = {
    "min_items": "minItems",
    "max_items": "maxItems",
    "minimum": "minimum",
    "max_length": "maxLength",
}


def constraint_schema(constraints: tuple[tuple[str, int], ...]) -> dict[str, int]:
    """The JSON Schema keywords of a field's bounds (each applies only to values
    of its kind, so a bound on ``list[X] | null`` leaves null alone)."""
    return {_CONSTRAINT_KEYWORDS[kind]: bound for kind, bound in constraints}


def vocabulary_schema(vocabulary: Vocabulary, *, open_values: bool) -> dict[str, Any]:
    """The schema of a vocabulary: its spellings, plus any string when open."""
    documented: dict[str, Any] = {"enum": list(vocabulary.all_spellings)}
    schema: dict[str, Any] = {
        "title": vocabulary.name,
        "description": vocabulary.description,
        VOCABULARY_KEY: {
            spelling: value.canonical
            for value in vocabulary.values
            for spelling in (value.canonical, *value.spellings)
        },
    }
    if open_values:
        newer = {"type": "string", "description": "A value this schema does not know yet."}
        schema["anyOf"] = [documented, newer]
    else:
        schema.update(documented)
    return schema


def type_schema(expr: TypeExpr) -> dict[str, Any]:
    """The schema of a field type expression."""
    if isinstance(expr, Primitive):
        return dict(PRIMITIVE_SCHEMAS[expr.name])
    if isinstance(expr, Named):
        return {"$ref": f"#/$defs/{expr.name}"}
    if isinstance(expr, ListOf):
        return {"type": "array", "items": type_schema(expr.item)}
    return _union_schema(expr)


def _union_schema(expr: UnionOf) -> dict[str, Any]:
    options = [type_schema(option) for option in expr.options]
    simple = all(set(option) == {"type"} for option in options)
    if simple:
        return {"type": [option["type"] for option in options]}
    return {"anyOf": options}


def to_strict(schema: dict[str, Any]) -> dict[str, Any]:
    """The docs-conformance variant of a lenient schema: objects reject unknown
    fields and vocabularies reject values they do not list."""
    strict = copy.deepcopy(schema)
    _make_strict(strict)
    return strict


def _make_strict(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _make_strict(item)
        return
    if not isinstance(node, dict):
        return
    if VOCABULARY_KEY in node and "anyOf" in node:
        node.update(node.pop("anyOf")[0])
    if node.get("type") == "object" and "properties" in node:
        node["additionalProperties"] = False
    for key, value in node.items():
        if key not in ("examples", VOCABULARY_KEY):
            _make_strict(value)
