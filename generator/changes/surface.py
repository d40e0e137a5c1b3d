"""The generated API a spec yields, as plain JSON data: what ``zoho-bulkgen diff``
compares and what ``spec/releases/api.json`` records for the last release.

One entry for ``core`` (the shared error catalog and vocabularies, which
``zoho-bulk-core`` holds) and one per product version: its operations and
callbacks, its types with their fields, the vocabularies its types use and the
error codes its operations raise. Each type carries the roles it plays
(``request``: reachable from a request body; ``response``: from a response or a
callback body; a type neither reaches is taken as both), which decide whether
a change to it breaks users. Descriptions
are kept apart under ``docs``, as short fingerprints: a change there alone is
documentation.
"""

from __future__ import annotations

import hashlib
from typing import Any

from generator.spec.model import NormalizedSpec, ProductVersion, TypeSpec
from generator.spec.type_expr import ListOf, Named, Primitive, TypeExpr, UnionOf, named_references
from generator.targets.python.names import distribution

SURFACE_FORMAT = 1
"""Bumped when what a surface holds changes (older ones are then refused)."""


def api_surface(spec: NormalizedSpec) -> dict[str, Any]:
    """The JSON-able surface of the whole spec."""
    return {
        "format": SURFACE_FORMAT,
        "core": core_surface(spec),
        "products": {
            product.name: {
                "distribution": distribution(product),
                "versions": {
                    version.version: version_surface(version, spec) for version in product.versions
                },
            }
            for product in spec.products
        },
    }


def core_surface(spec: NormalizedSpec) -> dict[str, Any]:
    """What zoho-bulk-core takes from the spec: error classes and vocabularies."""
    return {
        "errors": {error.code: error.http_status for error in spec.errors},
        "vocabularies": {
            vocabulary.name: {value.canonical: list(value.spellings) for value in vocabulary.values}
            for vocabulary in spec.vocabularies
        },
        "docs": {
            **{f"error {error.code}": doc_hash(error.meaning) for error in spec.errors},
            **{
                f"vocabulary {vocabulary.name}": doc_hash(
                    vocabulary.description,
                    *(f"{value.canonical}: {value.description}" for value in vocabulary.values),
                )
                for vocabulary in spec.vocabularies
            },
        },
    }


def version_surface(version: ProductVersion, spec: NormalizedSpec) -> dict[str, Any]:
    """One product version's operations, types, vocabularies and error codes."""
    vocabularies = {vocabulary.name: vocabulary for vocabulary in spec.vocabularies}
    roles = type_roles(version, vocabularies.keys())
    used_vocabularies = sorted(
        name
        for type_spec in version.types
        for field in type_spec.fields
        for name in named_references(field.type)
        if name in vocabularies
    )
    operations: dict[str, Any] = {}
    docs: dict[str, str] = {}
    for operation in version.operations:
        operations[operation.name] = {
            "method": operation.method,
            "host": operation.host,
            "path": operation.path if operation.path is not None else f"{{{operation.url_param}}}",
            "path_params": {param.name: param.pattern for param in operation.path_params},
            "request": operation.request_type,
            "response": operation.response_type,
            "returns": operation.returns_type,
            "scopes": sorted(" ".join(sorted(scopes)) for scopes in operation.scopes),
            "errors": sorted(error.code for error in operation.errors),
        }
        docs[f"operation {operation.name}"] = doc_hash(operation.summary, operation.description)
    for callback in version.callbacks:
        operations[callback.name] = {"callback": callback.body_type}
        docs[f"operation {callback.name}"] = doc_hash(callback.summary, callback.description)
    types: dict[str, Any] = {}
    for type_spec in version.types:
        roles_of = sorted(roles[type_spec.name]) or ["request", "response"]
        types[type_spec.name] = type_surface(type_spec, roles_of)
        docs[f"type {type_spec.name}"] = doc_hash(type_spec.description)
        for field in type_spec.fields:
            docs[f"field {type_spec.name}.{field.name}"] = doc_hash(field.description)
    return {
        "operations": operations,
        "types": types,
        "vocabularies": {
            name: {value.canonical: list(value.spellings) for value in vocabularies[name].values}
            for name in dict.fromkeys(used_vocabularies)
        },
        "errors": {
            error.code: error.http_status
            for operation in version.operations
            for error in sorted(operation.errors, key=lambda error: error.code)
        },
        "docs": docs,
    }


def type_surface(type_spec: TypeSpec, roles: list[str]) -> dict[str, Any]:
    """A type's fields (type text and required), mixins and roles."""
    return {
        "roles": roles,
        "mixins": list(type_spec.mixins),
        "require_one_of": list(type_spec.require_one_of),
        "fields": {
            field.name: {"type": type_text(field.type), "required": field.required}
            for field in type_spec.fields
        },
    }


def type_roles(version: ProductVersion, vocabularies: Any) -> dict[str, set[str]]:
    """Each type's roles: ``request`` if a request body reaches it, ``response``
    if a response, a returned part or a callback body does."""
    by_name = {type_spec.name: type_spec for type_spec in version.types}
    roles: dict[str, set[str]] = {name: set() for name in by_name}
    starts: dict[str, list[str | None]] = {
        "request": [operation.request_type for operation in version.operations],
        "response": [
            *(operation.response_type for operation in version.operations),
            *(operation.returns_type for operation in version.operations),
            *(callback.body_type for callback in version.callbacks),
        ],
    }
    for role, names in starts.items():
        pending = [name for name in names if name in by_name]
        while pending:
            name = pending.pop()
            if role in roles[name]:
                continue
            roles[name].add(role)
            pending.extend(
                reference
                for field in by_name[name].fields
                for reference in named_references(field.type)
                if reference in by_name
            )
    return roles


def doc_hash(*texts: str) -> str:
    """A short fingerprint of documentation text: enough to tell that it changed."""
    return hashlib.sha256("\0".join(texts).encode()).hexdigest()[:12]


def type_text(expr: TypeExpr) -> str:
    """A type expression as the spec writes it: ``list[FieldMapping] | null``."""
    if isinstance(expr, Primitive | Named):
        return expr.name
    if isinstance(expr, ListOf):
        return f"list[{type_text(expr.item)}]"
    if isinstance(expr, UnionOf):
        return " | ".join(type_text(option) for option in expr.options)
    raise TypeError(expr)  # pragma: no cover - TypeExpr is closed
