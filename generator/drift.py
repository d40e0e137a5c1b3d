"""Compare what a vendor page says with the spec: fields the spec lacks, types
that disagree, error codes and scopes the spec does not list, samples that the
generated schema rejects. Differences the spec acknowledges (its ``drift``
section, each with a reason) are reported as such and do not fail the check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from generator.emit_schemas import emit_schemas, schema_path
from generator.errors import GeneratorError
from generator.extract import Page, PageField
from generator.load import load_spec, to_pointer
from generator.normalize import normalize_spec
from generator.spec_model import NormalizedSpec, Operation, ProductVersion
from generator.type_expr import ListOf, Named, Primitive, TypeExpr, UnionOf
from generator.validate import validate_spec

_VERSION_SLOT = "{version}"


class IdentifyError(GeneratorError):
    """The page's operation cannot be told from its content."""


@dataclass(frozen=True)
class Identity:
    """The product, version and operation a page documents."""

    product: str
    version: ProductVersion
    operation: Operation
    vocabularies: frozenset[str]
    spellings: dict[str, frozenset[str]]
    """Every accepted spelling of each vocabulary."""

    @property
    def label(self) -> str:
        """``crm v7 get_bulk_write_job``."""
        return f"{self.product} {self.version.version} {self.operation.name}"


@dataclass(frozen=True)
class Acknowledgment:
    """A known difference and why it is left as it is."""

    product: str
    version: str
    operation: str
    kind: str
    place: str
    reason: str

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What a difference must match to be acknowledged by this entry."""
        return (self.product, self.version, self.operation, self.kind, self.place)


@dataclass(frozen=True)
class Difference:
    """One thing the page says that the spec does not."""

    page: str
    line: int
    identity: str
    kind: str
    """field, type, value, error, scope or sample."""
    place: str
    message: str
    acknowledged: str | None = None
    """The reason recorded in the spec, when the difference is acknowledged."""

    def render(self) -> str:
        """One line: page, line, operation, place and the difference."""
        where = f"{self.page}:{self.line}" if self.line else self.page
        text = f"{where}: {self.identity}: {self.kind} {self.place}: {self.message}"
        if self.acknowledged is not None:
            text += f" (acknowledged: {self.acknowledged})"
        return text


@dataclass(frozen=True)
class SpecContext:
    """The spec as drift needs it: normalized, its schemas, its acknowledgments."""

    spec: NormalizedSpec
    schemas: dict[str, dict[str, Any]]
    acknowledgments: tuple[Acknowledgment, ...]


def load_context(spec_dir: Path) -> SpecContext:
    """Load, validate and normalize the spec and emit its schemas (in memory)."""
    loaded = load_spec(spec_dir)
    validate_spec(loaded)
    spec = normalize_spec(loaded)
    acknowledgments = tuple(
        Acknowledgment(
            entry["product"],
            entry["version"],
            entry["operation"],
            entry["kind"],
            entry["place"],
            " ".join(entry["reason"].split()),
        )
        for entry in loaded.document.get("drift", [])
    )
    return SpecContext(spec, emit_schemas(spec), acknowledgments)


# --- which operation a page documents ---------------------------------------------


def identify(page: Page, spec: NormalizedSpec) -> Identity:
    """Find the product, version and operation whose method and path the page's
    URL template names. A ``{version}`` slot is filled from the versions the
    page's sample URLs and links mention."""
    if page.path is None:
        raise IdentifyError(f"{page.file}: no request URL found; cannot tell the operation")
    matches = [
        (product.name, version, operation)
        for product in spec.products
        for version in product.versions
        for operation in version.operations
        if operation.path is not None
        and (page.method is None or page.method == operation.method)
        and same_path(page.path.replace(_VERSION_SLOT, version.version), operation.path)
    ]
    if _VERSION_SLOT in page.path and len(matches) > 1:
        if not page.version_mentions:
            raise IdentifyError(
                f"{page.file}:{page.url_line}: the URL has a {{version}} slot and the page "
                "names no version in its samples or links"
            )
        wanted = page.version_mentions[0]
        matches = [match for match in matches if match[1].version == wanted]
    if not matches:
        method = f"{page.method} " if page.method else ""
        raise IdentifyError(
            f"{page.file}:{page.url_line}: no operation of the spec has {method}{page.path}"
        )
    product, version, operation = matches[0]
    spellings = {v.name: frozenset(v.all_spellings) for v in spec.vocabularies}
    return Identity(product, version, operation, spec.vocabulary_names(), spellings)


def same_path(page_path: str, spec_path: str) -> bool:
    """Equal paths, where any placeholder matches any other placeholder."""

    def generic(path: str) -> str:
        return re.sub(r"\{[^{}]+\}", "{}", path.rstrip("/"))

    return generic(page_path) == generic(spec_path)


def spec_path_template(page_path: str, identity: Identity, spec: NormalizedSpec) -> str:
    """The page's path in operations.yaml's words: ``/{prefix}/bulk/{version}/...``."""
    prefix = next(p.path_prefix for p in spec.products if p.name == identity.product)
    path = page_path.replace(f"/{identity.version.version}/", f"/{_VERSION_SLOT}/", 1)
    return re.sub(rf"^/{re.escape(prefix)}/", "/{prefix}/", path)


# --- the comparison ---------------------------------------------------------------


def page_drift(
    page: Page, context: SpecContext, identity: Identity | None = None
) -> list[Difference]:
    """Every difference between the page and the spec, acknowledged ones marked
    (``identity``: the page's operation, when the caller has identified it)."""
    identity = identity or identify(page, context.spec)
    differences = [
        *_scope_drift(page, identity),
        *_error_drift(page, identity, context.spec),
        *_field_drift(page, identity),
        *_sample_drift(page, identity, context),
    ]
    reasons = {ack.key: ack.reason for ack in context.acknowledgments}
    version = identity.version.version
    return [
        replace(
            difference,
            acknowledged=reasons.get(
                (
                    identity.product,
                    version,
                    identity.operation.name,
                    difference.kind,
                    difference.place,
                )
            ),
        )
        for difference in differences
    ]


def drift_report(
    pages: list[Page], context: SpecContext
) -> tuple[list[Difference], list[Acknowledgment]]:
    """Every page's differences, and the stale acknowledgments: those of an
    operation a page documents that match none of its differences (the vendor
    fixed its page, or the spec changed; left in place, the entry would quietly
    acknowledge some later difference at that place)."""
    differences: list[Difference] = []
    documented: set[tuple[str, str, str]] = set()
    matched: set[tuple[str, str, str, str, str]] = set()
    for page in pages:
        identity = identify(page, context.spec)
        operation = (identity.product, identity.version.version, identity.operation.name)
        documented.add(operation)
        found = page_drift(page, context, identity)
        matched.update((*operation, d.kind, d.place) for d in found if d.acknowledged is not None)
        differences += found
    stale = [
        ack
        for ack in context.acknowledgments
        if ack.key[:3] in documented and ack.key not in matched
    ]
    return differences, stale


def _difference(
    page: Page, identity: Identity, line: int, kind: str, place: str, message: str
) -> Difference:
    return Difference(page.file, line, identity.label, kind, place, message)


def _scope_drift(page: Page, identity: Identity) -> Iterator[Difference]:
    known = {frozenset(alternative) for alternative in identity.operation.scopes}
    for alternative in page.scopes:
        scopes = frozenset(_spec_scope(scope) for scope in alternative)
        if scopes not in known:
            yield _difference(
                page,
                identity,
                page.scopes_line,
                "scope",
                " and ".join(alternative),
                "the page accepts this scope combination, the operation's scopes do not list it",
            )


def _spec_scope(scope: str) -> str:
    # Pages name the module slot {module_name}; the spec calls it {module}.
    return re.sub(r"\{module[^{}]*\}", "{module}", scope)


def _error_drift(page: Page, identity: Identity, spec: NormalizedSpec) -> Iterator[Difference]:
    catalog = {error.code: error for error in spec.errors}
    # The operation's own statuses: a code may come with another one there.
    listed = {error.code: error.http_status for error in identity.operation.errors}
    for error in page.errors:
        known = catalog.get(error.code)
        if known is None:
            yield _difference(
                page,
                identity,
                error.line,
                "error",
                error.code,
                f"HTTP {error.http_status} on the page; the error catalog lacks this code",
            )
            continue
        expected = listed.get(error.code, known.http_status)
        if expected != error.http_status:
            yield _difference(
                page,
                identity,
                error.line,
                "error",
                error.code,
                f"the page says HTTP {error.http_status}, the catalog says {expected}",
            )
        if error.code not in listed:
            yield _difference(
                page,
                identity,
                error.line,
                "error",
                error.code,
                f"in the catalog but not among {identity.operation.name}'s errors",
            )


def _field_drift(page: Page, identity: Identity) -> Iterator[Difference]:
    root = identity.operation.response_type
    if root is None or not page.fields:
        return
    type_name: str | None = root
    for key in page.envelope:
        type_name = _child_type(identity.version, type_name, key)
    if type_name is None:
        return
    yield from _compare_fields(page, identity, page.fields, type_name, ())


def _compare_fields(
    page: Page,
    identity: Identity,
    fields: tuple[PageField, ...],
    type_name: str,
    path: tuple[str, ...],
) -> Iterator[Difference]:
    spec_fields = {f.name: f for f in identity.version.type_named(type_name).fields}
    for page_field in fields:
        place = ".".join((*path, page_field.name))
        spec_field = spec_fields.get(page_field.name)
        if spec_field is None:
            yield _difference(
                page,
                identity,
                page_field.line,
                "field",
                place,
                f"listed on the page ({page_field.type_text}), missing from spec type {type_name}",
            )
            continue
        if not compatible(page_field.kind, spec_field.type, identity.vocabularies):
            yield _difference(
                page,
                identity,
                page_field.line,
                "type",
                place,
                f"the page says {page_field.type_text}, spec type {type_name} says "
                f"{render_type(spec_field.type)}",
            )
            continue
        child = _object_type(spec_field.type, identity.version)
        if child is not None and page_field.children:
            yield from _compare_fields(
                page, identity, page_field.children, child, (*path, page_field.name)
            )


def _sample_drift(page: Page, identity: Identity, context: SpecContext) -> Iterator[Difference]:
    operation = identity.operation
    seen: set[tuple[str, str]] = set()
    for sample in page.samples:
        kind = "request" if sample.request else "response"
        root = operation.request_type if sample.request else operation.response_type
        schema = context.schemas.get(
            schema_path(identity.product, identity.version.version, operation.name, kind)
        )
        if root is None or schema is None:
            yield _difference(
                page,
                identity,
                sample.line,
                "sample",
                kind,
                f"{sample.label!r}: {operation.name} has no JSON {kind} body in the spec",
            )
            continue
        for finding, place, message in _sample_findings(sample.payload, root, identity, ()):
            if (finding, place) in seen:
                continue
            seen.add((finding, place))
            yield _difference(
                page, identity, sample.line, finding, place, f"sample {sample.label!r} {message}"
            )
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        for error in sorted(validator.iter_errors(sample.payload), key=lambda e: list(e.path)):
            best = best_match([error])
            pointer = to_pointer(tuple(best.absolute_path)) or "/"
            yield _difference(
                page,
                identity,
                sample.line,
                "sample",
                pointer,
                f"{sample.label!r} does not validate against the {kind} schema: {best.message}",
            )


def _sample_findings(
    value: Any, type_name: str, identity: Identity, path: tuple[str, ...]
) -> Iterator[tuple[str, str, str]]:
    """(kind, place, message) for every key of a sample that its spec type lacks
    (``field``) and every string outside the documented values of its vocabulary
    (``value``); the lenient schema lets both pass."""
    if isinstance(value, list):
        for item in value:
            yield from _sample_findings(item, type_name, identity, path)
        return
    if not isinstance(value, dict):
        return
    version = identity.version
    fields = {f.name: f for f in version.type_named(type_name).fields}
    for key, child in value.items():
        place = ".".join((*path, key))
        spec_field = fields.get(key)
        if spec_field is None:
            yield "field", place, f"sends it, missing from spec type {type_name}"
            continue
        vocabularies = [name for name in _names(spec_field.type) if name in identity.spellings]
        if vocabularies and not _accepts_any_string(spec_field.type):
            known = frozenset().union(*(identity.spellings[name] for name in vocabularies))
            for item in child if isinstance(child, list) else [child]:
                if isinstance(item, str) and item not in known:
                    yield "value", place, (
                        f"sends {item!r}, not a documented value of {' or '.join(vocabularies)}"
                    )
        child_type = _object_type(spec_field.type, version)
        if child_type is not None:
            yield from _sample_findings(child, child_type, identity, (*path, key))


def _names(expr: TypeExpr) -> list[str]:
    if isinstance(expr, Named):
        return [expr.name]
    if isinstance(expr, ListOf):
        return _names(expr.item)
    if isinstance(expr, UnionOf):
        return [name for option in expr.options for name in _names(option)]
    return []


def _accepts_any_string(expr: TypeExpr) -> bool:
    if isinstance(expr, UnionOf):
        return any(_accepts_any_string(option) for option in expr.options)
    if isinstance(expr, ListOf):
        return _accepts_any_string(expr.item)
    return isinstance(expr, Primitive) and expr.name in ("string", "any")


# --- types ------------------------------------------------------------------------


def _object_type(expr: TypeExpr, version: ProductVersion) -> str | None:
    """The spec type an object (or list of objects) field holds, if it names one."""
    types = {t.name for t in version.types}
    if isinstance(expr, Named):
        return expr.name if expr.name in types else None
    if isinstance(expr, ListOf):
        return _object_type(expr.item, version)
    if isinstance(expr, UnionOf):
        for option in expr.options:
            found = _object_type(option, version)
            if found is not None:
                return found
    return None


def _child_type(version: ProductVersion, type_name: str | None, key: str) -> str | None:
    if type_name is None:
        return None
    for spec_field in version.type_named(type_name).fields:
        if spec_field.name == key:
            return _object_type(spec_field.type, version)
    return None


def compatible(kind: str, expr: TypeExpr, vocabularies: frozenset[str]) -> bool:
    """Whether a page's printed kind agrees with a spec type. Pages print
    ``JSON object`` for a list of objects too, and ``string`` for a date-time or
    a documented set of values."""
    if isinstance(expr, UnionOf):
        return any(compatible(kind, option, vocabularies) for option in expr.options)
    if isinstance(expr, Primitive):
        accepted = {
            "string": {"string", "datetime", "digits"},
            "integer": {"integer"},
            "number": {"number", "integer"},
            "boolean": {"boolean"},
            "datetime": {"datetime"},
            "object": {"object"},
            "array": set(),
        }
        return expr.name == "any" or expr.name in accepted.get(kind, set())
    if isinstance(expr, Named):
        if expr.name in vocabularies:
            return kind == "string"
        return kind == "object"
    if isinstance(expr, ListOf):
        if kind == "array":
            return True
        return kind == "object" and (
            isinstance(expr.item, Named)
            and expr.item.name not in vocabularies
            or expr.item == Primitive("object")
        )
    return False


def render_type(expr: TypeExpr) -> str:
    """A type expression as the spec writes it."""
    if isinstance(expr, (Primitive, Named)):
        return expr.name
    if isinstance(expr, ListOf):
        return f"list[{render_type(expr.item)}]"
    return " | ".join(render_type(option) for option in expr.options)
