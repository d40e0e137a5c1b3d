"""Compare what a vendor page (or the vendor's OpenAPI document) says with the
spec: the path, fields the spec lacks, types, required flags and documented
values that disagree, error codes, scope combinations both ways, and samples
that the generated schema of their kind (request, response, error body,
callback body) rejects. Differences the spec acknowledges (its ``drift``
section, each with a reason) are reported as such and do not fail the check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from generator.errors import GeneratorError
from generator.spec.load import load_spec, to_pointer
from generator.spec.model import (
    Callback,
    NormalizedSpec,
    Operation,
    Product,
    ProductVersion,
    TypeSpec,
)
from generator.spec.normalize import normalize_spec
from generator.spec.type_expr import ListOf, Named, Primitive, TypeExpr, UnionOf
from generator.spec.validate import validate_spec
from generator.targets.json_schema import emit_schemas, schema_path
from generator.vendor_pages.extract import Page, PageField, PageSample

_VERSION_SLOT = "{version}"


class IdentifyError(GeneratorError):
    """The page's operation cannot be told from its content."""


@dataclass(frozen=True)
class Identity:
    """The product, version and operation (or callback) a page documents."""

    product: Product
    version: ProductVersion
    name: str
    """The operation's or the callback's name."""
    operation: Operation | None
    callback: Callback | None
    vocabularies: frozenset[str]
    spellings: dict[str, frozenset[str]]
    """Every accepted spelling of each vocabulary."""
    path_problems: tuple[tuple[str, str, int], ...] = ()
    """(place, message, line) where the page's URL or method disagrees with the spec."""

    @property
    def label(self) -> str:
        """``<product> <version> <operation>``, as a report names the page."""
        return f"{self.product.name} {self.version.version} {self.name}"

    @property
    def request_type(self) -> str | None:
        """The type of the JSON request body, if any."""
        return self.operation.request_type if self.operation else None

    @property
    def response_type(self) -> str | None:
        """The type of the JSON response (a callback's body), if any."""
        if self.callback is not None:
            return self.callback.body_type
        return self.operation.response_type if self.operation else None

    @property
    def callback_name(self) -> str:
        """The callback whose body a sample labelled as a callback shows."""
        if self.callback is not None:
            return self.callback.name
        role = self.operation.role if self.operation is not None else None
        side = "read" if role is not None and "-read-" in role else "write"
        sender = self.version.operation_with_role(f"create-{side}-job")
        return sender.callback or "" if sender is not None else ""


@dataclass(frozen=True)
class Acknowledgment:
    """A known difference and why it is left as it is."""

    product: str
    version: str
    operation: str
    kind: str
    place: str
    reason: str
    page: str | None = None
    """File name of the page that shows the difference, when the entry names it."""

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
    """path, field, type, required, value, error, scope or sample."""
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
class PageReport:
    """What drift understood of one page and the differences it found."""

    page: Page
    identity: Identity
    differences: list[Difference] = field(default_factory=list)

    def summary(self) -> str:
        """``FILE: PRODUCT VERSION OPERATION: read N fields (request R, response S),
        N samples, N error codes, N scope lines; D differences``."""
        request, response = self.page.field_count
        return (
            f"{self.page.file}: {self.identity.label}: read {request + response} fields "
            f"(request {request}, response {response}), {len(self.page.samples)} samples, "
            f"{len(self.page.errors)} error codes, {self.page.scope_lines} scope lines; "
            f"{len(self.differences)} differences"
        )


@dataclass(frozen=True)
class SpecContext:
    """The spec as drift needs it: normalized, its schemas, its acknowledgments."""

    spec: NormalizedSpec
    schemas: dict[str, dict[str, Any]]
    acknowledgments: tuple[Acknowledgment, ...]

    @property
    def error_codes(self) -> frozenset[str]:
        """Every code of the error catalog."""
        return frozenset(error.code for error in self.spec.errors)


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
            entry.get("page"),
        )
        for entry in loaded.document.get("drift", [])
    )
    return SpecContext(spec, emit_schemas(spec), acknowledgments)


# --- which operation a page documents ---------------------------------------------


def identify(page: Page, spec: NormalizedSpec) -> Identity:
    """Find the product, version and operation (or callback) a page documents.

    The request URL decides when it names an operation of the spec; the page's
    title and headings say which operation it is when the URL names none or
    another one (the URL is then reported as a difference). The product comes
    from the URL, the hosts and scopes the page names, or its title; the
    version from the URL, else from the versions its samples and links name."""
    by_url = _url_matches(page, spec)
    by_title = title_operation(page, spec)
    url_names = {match[2] for match in by_url}
    if by_title is not None and (not by_url or by_title not in url_names):
        name = by_title
    elif len(url_names) == 1:
        name = next(iter(url_names))
    elif by_url:
        name = sorted(url_names)[0]
    else:
        where = f"{page.file}:{page.url_line}" if page.url_line else page.file
        if page.path is not None:
            method = f"{page.method} " if page.method else ""
            raise IdentifyError(f"{where}: no operation of the spec has {method}{page.path}")
        raise IdentifyError(
            f"{page.file}: no request URL, and the title {page.title[:60]!r} names no "
            "operation of the spec; cannot tell the operation"
        )
    candidates = [match for match in by_url if match[2] == name]
    product = _product(page, spec, candidates)
    version = _version(page, product, candidates)
    operation = next((o for o in version.operations if o.name == name), None)
    callback = next((c for c in version.callbacks if c.name == name), None)
    if operation is None and callback is None:
        raise IdentifyError(f"{page.file}: {product.name} {version.version} has no {name}")
    problems = _path_problems(page, operation, candidates)
    spellings = {v.name: frozenset(v.all_spellings) for v in spec.vocabularies}
    return Identity(
        product,
        version,
        name,
        operation,
        callback,
        spec.vocabulary_names(),
        spellings,
        problems,
    )


def title_operation(page: Page, spec: NormalizedSpec) -> str | None:
    """The operation or callback a page's title (else its first headings) names:
    the words tell a role (creating, getting, downloading a read or write job,
    uploading, a job's notification), and the spec says which operation plays it."""
    for text in (page.title, *page.headings[:4]):
        found = _named_role(text.lower())
        if found is None:
            continue
        role, callback = found
        operation = _operation_of_role(spec, role)
        if operation is None:
            continue
        return operation.callback if callback else operation.name
    return None


def _named_role(text: str) -> tuple[str, bool] | None:
    """The role a title names, and whether it names that operation's callback."""
    write = bool(re.search(r"\bwrite\b|\bimport", text))
    read = bool(re.search(r"\bread\b|\bexport", text))
    side = "write" if write and not read else "read" if read and not write else None
    if "callback" in text or "notification" in text:
        return (f"create-{side}-job", True) if side else None
    if re.search(r"\bupload", text):
        return ("upload-file", False)
    if "download" in text:
        return (f"download-{side}-result", False) if side else None
    if re.search(r"\bcreate\b|\bschedul", text):
        return (f"create-{side}-job", False) if side else None
    if side and re.search(r"\bjob\b", text) and re.search(r"status|detail|\bget\b|fetch", text):
        return (f"get-{side}-job", False)
    return None


def _operation_of_role(spec: NormalizedSpec, role: str) -> Operation | None:
    """The operation that plays ``role`` (operations are the same in every version)."""
    for product in spec.products:
        for version in product.versions:
            operation = version.operation_with_role(role)
            if operation is not None:
                return operation
    return None


_Match = tuple[Product, ProductVersion, str]


def _url_matches(page: Page, spec: NormalizedSpec) -> list[_Match]:
    if page.path is None:
        return []
    matches = []
    for product in spec.products:
        for version in product.versions:
            page_path = page.path.replace(_VERSION_SLOT, version.version)
            for operation in version.operations:
                if page.method is not None and page.method != operation.method:
                    continue
                if operation.path is not None and same_path(page_path, operation.path):
                    matches.append((product, version, operation.name))
                elif operation.url_param is not None and page_path.strip("/") == (
                    "{" + operation.url_param + "}"
                ):
                    matches.append((product, version, operation.name))
    return matches


def same_path(page_path: str, spec_path: str) -> bool:
    """Equal paths, where any placeholder matches any other placeholder; a page
    path that starts further down (``/bulk/v8/read`` in the vendor's OpenAPI
    markdown, ``/write/{job_id}`` in an endpoint list) matches the end of the
    spec's path."""

    def generic(path: str) -> str:
        return re.sub(r"\{[^{}]+\}", "{}", path.rstrip("/"))

    page, spec = generic(page_path), generic(spec_path)
    if page == spec:
        return True
    # Relative: the end of the spec's path, from a fixed segment on (an
    # endpoint list prints POST /write, the OpenAPI markdown /bulk/v8/read).
    return page.startswith("/") and not page.startswith("/{}") and spec.endswith(page)


def _product(page: Page, spec: NormalizedSpec, candidates: list[_Match]) -> Product:
    products = {match[0].name: match[0] for match in candidates}
    if len(products) == 1:
        return next(iter(products.values()))
    votes: dict[str, int] = {}
    path_first = (page.path or "").strip("/").split("/")[0]
    for product in spec.products:
        if candidates and product.name not in products:
            continue
        score = 0
        if path_first == product.path_prefix:
            score += 4
        prefix = product.scope_prefix.lower() + "."
        if any(
            scope.lower().startswith(prefix) for combination in page.scopes for scope in combination
        ):
            score += 3
        if any(product.name in host or product.path_prefix in host for host in page.hosts):
            score += 2
        if any(f"/{product.path_prefix}/" in host for host in page.hosts):
            score += 1
        if re.search(rf"\b{re.escape(product.title.split()[-1])}\b", page.title, re.I):
            score += 2
        if score:
            votes[product.name] = score
    if not votes:
        raise IdentifyError(
            f"{page.file}: cannot tell the product "
            "(no product path, host, scope or title names one)"
        )
    best = max(votes.values())
    winners = sorted(name for name, score in votes.items() if score == best)
    if len(winners) > 1:
        raise IdentifyError(f"{page.file}: the page names several products: {', '.join(winners)}")
    return next(product for product in spec.products if product.name == winners[0])


def _version(page: Page, product: Product, candidates: list[_Match]) -> ProductVersion:
    known = {version.version: version for version in product.versions}
    in_path = re.search(r"/(v\d+(?:\.\d+)?)(?:/|$)", page.path or "")
    if in_path and in_path.group(1) in known:
        return known[in_path.group(1)]
    for mention in page.version_mentions:
        if mention in known:
            return known[mention]
    matched = {match[1].version for match in candidates if match[0].name == product.name}
    if len(matched) == 1:
        return known[next(iter(matched))]
    if len(known) == 1:
        return next(iter(known.values()))
    where = f"{page.file}:{page.url_line}" if page.url_line else page.file
    if page.path is not None and _VERSION_SLOT in page.path:
        raise IdentifyError(
            f"{where}: the URL has a {{version}} slot and the page names no version in its "
            "samples or links"
        )
    raise IdentifyError(
        f"{where}: the page names no {product.name} version "
        f"({', '.join(known)}) in its URL, samples or links"
    )


def _path_problems(
    page: Page, operation: Operation | None, candidates: list[_Match]
) -> tuple[tuple[str, str, int], ...]:
    if operation is None or page.path is None or candidates:
        return ()
    if operation.path is None:
        return ()  # the URL is the job's download_url: any URL the page shows is an example
    method = page.method or operation.method
    return (
        (
            "path",
            f"the page prints {method} {page.path}; the spec has "
            f"{operation.method} {operation.path}",
            page.url_line,
        ),
    )


def spec_path_template(page_path: str, identity: Identity, spec: NormalizedSpec) -> str:
    """The page's path in operations.yaml's words: ``/{prefix}/bulk/{version}/...``."""
    prefix = identity.product.path_prefix
    path = page_path.replace(f"/{identity.version.version}/", f"/{_VERSION_SLOT}/", 1)
    return re.sub(rf"^/{re.escape(prefix)}/", "/{prefix}/", path)


# --- the comparison ---------------------------------------------------------------


def page_drift(
    page: Page, context: SpecContext, identity: Identity | None = None
) -> list[Difference]:
    """Every difference between the page and the spec, acknowledged ones marked
    (``identity``: the page's operation, when the caller has identified it)."""
    identity = identity or identify(page, context.spec)
    found = [
        *(
            _difference(page, identity, line, "path", place, message)
            for place, message, line in identity.path_problems
        ),
        *_scope_drift(page, identity),
        *_error_drift(page, identity, context.spec),
        *_field_list_drift(page, identity, "request"),
        *_field_list_drift(page, identity, "response"),
        *_sample_drift(page, identity, context),
    ]
    differences: list[Difference] = []
    seen: set[tuple[str, str]] = set()
    for difference in found:
        if (difference.kind, difference.place) not in seen:
            seen.add((difference.kind, difference.place))
            differences.append(difference)
    reasons = {ack.key: ack.reason for ack in context.acknowledgments}
    version = identity.version.version
    return [
        replace(
            difference,
            acknowledged=reasons.get(
                (identity.product.name, version, identity.name, difference.kind, difference.place)
            ),
        )
        for difference in differences
    ]


def drift_report(
    pages: list[Page], context: SpecContext
) -> tuple[list[PageReport], list[str], list[Acknowledgment]]:
    """Each identified page's report, one line per page that could not be
    identified, and the stale acknowledgments: those of an operation a page
    documents that match none of its differences (the vendor fixed its page,
    or the spec changed; left in place, the entry would quietly acknowledge
    some later difference at that place). An entry that names its page is
    judged only when that page is given: another source of the same
    operation need not show the difference."""
    reports: list[PageReport] = []
    problems: list[str] = []
    documented: set[tuple[str, str, str]] = set()
    matched: set[tuple[str, str, str, str, str]] = set()
    given = {page.name for page in pages}
    for page in pages:
        try:
            identity = identify(page, context.spec)
        except IdentifyError as exc:
            problems.append(str(exc))
            continue
        operation = (identity.product.name, identity.version.version, identity.name)
        documented.add(operation)
        found = page_drift(page, context, identity)
        matched.update((*operation, d.kind, d.place) for d in found if d.acknowledged is not None)
        reports.append(PageReport(page, identity, found))
    stale = [
        ack
        for ack in context.acknowledgments
        if ack.key[:3] in documented
        and ack.key not in matched
        and (ack.page is None or ack.page in given)
    ]
    return reports, problems, stale


def _difference(
    page: Page, identity: Identity, line: int, kind: str, place: str, message: str
) -> Difference:
    return Difference(page.file, line, identity.label, kind, place, message)


# --- scopes -----------------------------------------------------------------------


def _scope_drift(page: Page, identity: Identity) -> Iterator[Difference]:
    """Scope combinations both ways: those the page accepts that no combination
    of the spec is satisfied by, and those of the spec the page would refuse.
    A scope ending in ALL grants what its narrower siblings grant
    (``X.bulk.ALL`` grants ``X.bulk.READ``, ``X.modules.ALL`` every module)."""
    if not page.scopes or identity.operation is None:
        return
    prefix = identity.product.scope_prefix
    spec_scopes = [
        tuple(scope.replace("{scope}", prefix) for scope in alternative)
        for alternative in identity.operation.scopes
    ]
    page_scopes = _expand_unlisted_types(page.scopes, spec_scopes)
    for combination in page_scopes:
        if not any(satisfies(combination, alternative) for alternative in spec_scopes):
            yield _difference(
                page,
                identity,
                page.scopes_line,
                "scope",
                " and ".join(combination),
                "the page accepts this scope combination; none of the operation's scope "
                "combinations is granted by it",
            )
    if not page.scopes_exhaustive:
        return  # a document-wide requirement says what is enough, not what is needed
    for alternative in spec_scopes:
        if not any(satisfies(alternative, combination) for combination in page_scopes):
            yield _difference(
                page,
                identity,
                page.scopes_line,
                "scope",
                "spec: " + " and ".join(alternative),
                "the spec accepts this scope combination; the page accepts no combination "
                "it grants",
            )


def _expand_unlisted_types(
    combinations: tuple[tuple[str, ...], ...], spec_scopes: list[tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """A ``{operation_type}`` the page left open (it lists no operation types)
    stands for each type the operation's own module scopes use."""
    kinds = sorted(
        {
            scope.rsplit(".", 1)[-1]
            for alternative in spec_scopes
            for scope in alternative
            if "{module}" in scope
        }
    )
    expanded: list[tuple[str, ...]] = []
    for combination in combinations:
        if not any("{operation_type}" in scope for scope in combination) or not kinds:
            expanded.append(combination)
            continue
        for kind in kinds:
            expanded.append(tuple(scope.replace("{operation_type}", kind) for scope in combination))
    return expanded


def satisfies(granted: tuple[str, ...], needed: tuple[str, ...]) -> bool:
    """Whether a token holding the scopes ``granted`` has every scope ``needed``."""
    return all(any(grants(have, want) for have in granted) for want in needed)


def grants(have: str, want: str) -> bool:
    """Whether scope ``have`` grants scope ``want`` (case does not matter)."""
    have_parts, want_parts = have.lower().split("."), want.lower().split(".")
    if have_parts == want_parts:
        return True
    return (
        have_parts[-1] == "all"
        and len(want_parts) >= len(have_parts)
        and want_parts[: len(have_parts) - 1] == have_parts[:-1]
    )


# --- errors -----------------------------------------------------------------------


def _error_drift(page: Page, identity: Identity, spec: NormalizedSpec) -> Iterator[Difference]:
    catalog = {error.code: error for error in spec.errors}
    operation = identity.operation
    # The operation's own statuses: a code may come with another one there.
    listed = {error.code: error.http_status for error in operation.errors} if operation else {}
    for error in page.errors:
        known = catalog.get(error.code)
        status = f"HTTP {error.http_status}" if error.http_status else "no HTTP status"
        if known is None:
            yield _difference(
                page,
                identity,
                error.line,
                "error",
                error.code,
                f"{status} on the page; the error catalog lacks this code",
            )
            continue
        expected = listed.get(error.code, known.http_status)
        if error.http_status is not None and not _same_status(
            error.http_status, expected, operation
        ):
            yield _difference(
                page,
                identity,
                error.line,
                "error",
                error.code,
                f"the page says HTTP {error.http_status}, the catalog says {expected}",
            )
        elif operation is not None and error.code not in listed and not error.catch_all:
            yield _difference(
                page,
                identity,
                error.line,
                "error",
                error.code,
                f"in the catalog but not among {operation.name}'s errors",
            )


def _same_status(status: int, expected: int, operation: Operation | None) -> bool:
    if status == expected:
        return True
    return status == 200 and operation is not None and operation.errors_with_http_200


# --- field lists ------------------------------------------------------------------


def _field_list_drift(page: Page, identity: Identity, side: str) -> Iterator[Difference]:
    if side == "request":
        fields, type_name, prefix = page.request_fields, identity.request_type, "request:"
        if fields and type_name is None:
            yield _difference(
                page,
                identity,
                fields[0].line,
                "field",
                "request:" + fields[0].name,
                f"the page lists request fields; {identity.name} has no JSON request body",
            )
            return
    else:
        fields, type_name, prefix = page.fields, identity.response_type, ""
        for key in page.envelope:
            type_name = _child_type(identity.version, type_name, key)
    if not fields or type_name is None:
        return
    chain = (identity.version.type_named(type_name),)
    yield from _compare_fields(page, identity, fields, chain, (), prefix, side)


def _compare_fields(
    page: Page,
    identity: Identity,
    fields: tuple[PageField, ...],
    chain: tuple[TypeSpec, ...],
    path: tuple[str, ...],
    prefix: str,
    side: str,
) -> Iterator[Difference]:
    """Compare ``fields`` with the last type of ``chain``. A field the type lacks
    but an enclosing type has was nested too deep by a flat page copy; it is
    compared there."""
    type_spec = chain[-1]
    for page_field in fields:
        where, home, home_path = type_spec, chain, path
        spec_field = _field_named(type_spec, page_field.name)
        if spec_field is None and not page.nesting_explicit:
            for depth in range(len(chain) - 2, -1, -1):
                spec_field = _field_named(chain[depth], page_field.name)
                if spec_field is not None:
                    where, home, home_path = chain[depth], chain[: depth + 1], path[:depth]
                    break
        place = prefix + ".".join((*home_path, page_field.name))
        if spec_field is None:
            yield _difference(
                page,
                identity,
                page_field.line,
                "field",
                place,
                f"listed on the page ({page_field.type_text}), missing from spec type "
                f"{type_spec.name}",
            )
            continue
        if not compatible(page_field.kind, spec_field.type, identity.vocabularies):
            yield _difference(
                page,
                identity,
                page_field.line,
                "type",
                place,
                f"the page says {page_field.type_text}, spec type {where.name} says "
                f"{render_type(spec_field.type)}",
            )
            continue
        spec_required = spec_field.required
        conditional = page_field.name in where.require_one_of
        # Responses are read leniently: a field the spec leaves optional is never
        # a difference there, only one it requires that the page makes optional.
        lenient = side == "response" and not spec_required
        if page_field.required is not None and not conditional and not lenient:
            if page_field.required != spec_required:
                page_word = "mandatory" if page_field.required else "optional"
                spec_word = "required" if spec_required else "optional"
                yield _difference(
                    page,
                    identity,
                    page_field.line,
                    "required",
                    place,
                    f"the page says {page_word}, spec type {where.name} says {spec_word}",
                )
        yield from _value_drift(page, identity, page_field, spec_field.type, place)
        child = _object_type(spec_field.type, identity.version)
        if child is not None and page_field.children:
            yield from _compare_fields(
                page,
                identity,
                page_field.children,
                (*home, identity.version.type_named(child)),
                (*home_path, page_field.name),
                prefix,
                side,
            )


def _value_drift(
    page: Page, identity: Identity, page_field: PageField, expr: TypeExpr, place: str
) -> Iterator[Difference]:
    vocabularies = [name for name in _names(expr) if name in identity.spellings]
    if not page_field.values or not vocabularies or _accepts_any_string(expr):
        return
    known = frozenset().union(*(identity.spellings[name] for name in vocabularies))
    lowered = {value.lower() for value in known}
    missing = [value for value in page_field.values if value.lower() not in lowered]
    if missing:
        yield _difference(
            page,
            identity,
            page_field.line,
            "value",
            place,
            f"the page documents {', '.join(repr(v) for v in missing)}, not a value of "
            f"{' or '.join(vocabularies)}",
        )


def _field_named(type_spec: TypeSpec, name: str) -> Any:
    return next((f for f in type_spec.fields if f.name == name), None)


# --- samples ----------------------------------------------------------------------


def sample_role(sample: PageSample, identity: Identity) -> str:
    """The role of a sample: its label's, else its shape's. An unlabelled
    sample on a callback page is the callback's body; one whose keys fit the
    request type better than the response type is a request."""
    if sample.labelled or sample.payload is None or sample.role == "error":
        return sample.role
    if identity.callback is not None:
        return "callback"
    request, response = identity.request_type, identity.response_type
    if request is None or not isinstance(sample.payload, dict):
        return sample.role
    keys = set(sample.payload)
    overlap_request = len(keys & _type_field_names(identity.version, request))
    overlap_response = len(keys & _type_field_names(identity.version, response)) if response else 0
    return "request" if overlap_request > overlap_response else sample.role


def _type_field_names(version: ProductVersion, type_name: str) -> set[str]:
    return {f.name for f in version.type_named(type_name).fields}


def _sample_drift(page: Page, identity: Identity, context: SpecContext) -> Iterator[Difference]:
    for sample in page.samples:
        if sample.broken is not None:
            yield _difference(
                page,
                identity,
                sample.line,
                "sample",
                f"broken: {sample.label}",
                f"the sample {sample.broken}; it was not checked",
            )
            continue
        role = sample_role(sample, identity)
        if role == "error":
            yield from _error_sample_drift(page, identity, sample)
            continue
        target, kind, root = _sample_target(identity, role)
        # A page's own body (the response, or a callback page's notification) has
        # plain places; a request or callback sample on another page is marked.
        own = identity.callback is not None or role == "response"
        prefix = "" if own else f"{role}:"
        schema = (
            context.schemas.get(
                schema_path(identity.product.name, identity.version.version, target, kind)
            )
            if root
            else None
        )
        if root is None or schema is None:
            yield _difference(
                page,
                identity,
                sample.line,
                "sample",
                f"{role}: {sample.label}",
                f"{sample.label!r}: {identity.name} has no JSON {role} body in the spec",
            )
            continue
        reported: set[str] = set()
        for finding, place, message in _sample_findings(sample.payload, root, identity, ()):
            reported.add(place)
            yield _difference(
                page,
                identity,
                sample.line,
                finding,
                prefix + place,
                f"sample {sample.label!r} {message}",
            )
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        for error in sorted(validator.iter_errors(sample.payload), key=lambda e: list(e.path)):
            best = best_match([error])
            dotted = ".".join(str(p) for p in best.absolute_path if not isinstance(p, int))
            if best.validator == "additionalProperties" or dotted in reported:
                continue  # already reported as a field or value the spec lacks
            pointer = to_pointer(tuple(best.absolute_path)) or "/"
            yield _difference(
                page,
                identity,
                sample.line,
                "sample",
                prefix + pointer,
                f"{sample.label!r} does not validate against the {kind} schema: {best.message}",
            )


def _sample_target(identity: Identity, role: str) -> tuple[str, str, str | None]:
    """(operation or callback, schema kind, root type) that a sample of ``role`` is checked with."""
    version = identity.version
    if role == "callback" or identity.callback is not None:
        name = identity.callback_name
        callback = next((c for c in version.callbacks if c.name == name), None)
        return name, "notification", callback.body_type if callback else None
    if role == "request":
        return identity.name, "request", identity.request_type
    return identity.name, "response", identity.response_type


def _error_sample_drift(page: Page, identity: Identity, sample: PageSample) -> Iterator[Difference]:
    payload = sample.payload
    items = payload.get("data") if isinstance(payload, dict) else None
    bodies = items if isinstance(items, list) and items else [payload]
    for body in bodies:
        for finding, place, message in _sample_findings(body, "ErrorResponse", identity, ()):
            yield _difference(
                page,
                identity,
                sample.line,
                finding,
                "error:" + place,
                f"error sample {sample.label!r} {message}",
            )
        if not isinstance(body, dict) or not isinstance(body.get("code"), str):
            yield _difference(
                page,
                identity,
                sample.line,
                "sample",
                "error:/code",
                f"error sample {sample.label!r} has no string code, which ErrorResponse requires",
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


# --- the command ------------------------------------------------------------------


def read_documents(paths: list[Path], known_codes: frozenset[str]) -> tuple[list[Page], list[str]]:
    """The pages of every document (an OpenAPI JSON document gives one per
    operation), and one line for each document that cannot be read."""
    from generator.vendor_pages.extract import PageError, read_page
    from generator.vendor_pages.vendor_openapi import is_openapi, read_openapi

    pages: list[Page] = []
    problems: list[str] = []
    for path in paths:
        try:
            if is_openapi(path):
                pages.extend(read_openapi(path))
            else:
                pages.append(read_page(path, known_codes))
        except PageError as exc:
            problems.append(str(exc))
    return pages, problems


def run_drift(paths: list[Path], spec_dir: Path) -> int:
    """``zoho-bulkgen drift``: a summary line per page, then its differences;
    exit 2 if a document could not be read or identified (the others are still
    reported), else 1 if a difference is not acknowledged or an
    acknowledgment is stale, else 0."""
    import sys

    context = load_context(spec_dir)
    pages, problems = read_documents(paths, context.error_codes)
    reports, unidentified, stale = drift_report(pages, context)
    for report in reports:
        print(report.summary())
        for difference in report.differences:
            print(difference.render())
    for ack in stale:
        print(
            f"{spec_dir / 'drift.yaml'}: {ack.product} {ack.version} {ack.operation}: "
            f"{ack.kind} {ack.place}: acknowledged, but the page no longer shows this "
            "difference; remove the entry"
        )
    differences = [d for report in reports for d in report.differences]
    unacknowledged = sum(1 for difference in differences if difference.acknowledged is None)
    failed = problems + unidentified
    for problem in failed:
        print(f"zoho-bulkgen: error: {problem}", file=sys.stderr)
    print(
        f"drift: {len(reports)} pages, {unacknowledged} unacknowledged, "
        f"{len(differences) - unacknowledged} acknowledged differences, "
        f"{len(stale)} stale acknowledgments"
        + (f", {len(failed)} unreadable or unidentified" if failed else "")
    )
    if failed:
        return 2
    return 1 if unacknowledged or stale else 0
