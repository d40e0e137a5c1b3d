"""Turn an extracted page into a draft spec fragment (the sections and shapes of
spec/*.yaml) and one JSON file per sample, for a person to review and merge.

Where the spec already knows the operation, its names and descriptions are
reused so that the draft differs from the spec only where the page does.
Everything new gets a TODO description: the page's own sentences are never
copied, only its data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import OutputError
from generator.paths import SPEC_DIR as PROJECT_SPEC_DIR
from generator.spec.model import NormalizedSpec, ProductVersion
from generator.spec.type_expr import ListOf, Named, UnionOf
from generator.vendor_pages.drift import (
    IdentifyError,
    Identity,
    identify,
    sample_role,
    spec_path_template,
)
from generator.vendor_pages.extract import Page, PageField

TODO_FIELD = "TODO: say what this field holds."
TODO_TYPE = "TODO: say what this object is."
TODO_ERROR = "TODO: say when this error happens."
_LABEL_NOISE = frozenset({"sample", "response", "for", "job", "the", "of", "a"})


@dataclass(frozen=True)
class Draft:
    """A draft fragment and its sample files (relative path -> content)."""

    name: str
    """File name of the fragment, from the page's name."""
    document: dict[str, Any]
    samples: dict[str, str]
    summary: str


def build_draft(page: Page, spec: NormalizedSpec) -> Draft:
    """The draft of one page; raise IdentifyError when the page's product,
    version and operation cannot be told (no draft is written for it)."""
    identity = identify(page, spec)
    product = identity.product.name
    version = identity.version.version
    operation = identity.name
    types: dict[str, Any] = {}
    response = identity.response_type
    if page.fields and response is not None:
        _add_root(types, response, page.fields, identity, page, page.envelope, "response")
    request = identity.request_type
    if page.request_fields and request is not None:
        _add_root(types, request, page.request_fields, identity, page, (), "request")
    document: dict[str, Any] = {}
    if identity.operation is not None:
        document["operations"] = {
            operation: _operation(page, identity, spec, response if page.fields else None)
        }
    if types:
        document["types"] = types
    if page.errors:
        document["errors"] = _errors(page, spec)
    samples: dict[str, str] = {}
    examples = []
    kind = _path_kind(page) or operation.rsplit("_", 1)[-1]
    for sample in page.samples:
        if sample.broken is not None:
            continue
        role = sample_role(sample, identity)
        stem = "-".join(
            part
            for part in (product, version, kind, _label_slug(sample.label, role == "request"))
            if part
        )
        name = f"examples/{stem}.json"
        counter = 2
        while name in samples:
            name = f"examples/{stem}-{counter}.json"
            counter += 1
        samples[name] = json.dumps(sample.payload, indent=2, ensure_ascii=False) + "\n"
        entry: dict[str, Any] = {
            "file": name,
            "product": product,
            "version": version,
            "operation": operation,
        }
        if role == "request":
            entry["request"] = True
        entry["source"] = {"seed": page.name, "line": sample.line, "label": sample.label}
        if sample.repairs:
            entry["repairs"] = list(sample.repairs)
        examples.append(entry)
    if examples:
        document["examples"] = examples
    repaired = sum(1 for sample in page.samples if sample.repairs)
    summary = (
        f"{product} {version} {operation}: {len(types)} types, {len(page.errors)} error codes, "
        f"{len(page.samples)} samples ({repaired} repaired)"
    )
    # An OpenAPI document gives one page per operation: one draft each.
    suffix = f"-{operation}" if "#" in page.file else ""
    return Draft(Path(page.name).stem + suffix + ".yaml", document, samples, summary)


def run_extract(paths: list[Path], out_dir: Path, spec_dir: Path | None) -> int:
    """``zoho-bulkgen extract``: a draft per page that can be identified; one
    line on stderr for each page that cannot (no draft is written for it), exit 2."""
    import sys

    from generator.vendor_pages.drift import load_context, read_documents

    if spec_dir is None:
        # Outside a project: pages are identified against the spec this
        # zoho-bulkgen was built from, when its source is at hand.
        spec_dir = PROJECT_SPEC_DIR
        if not (spec_dir / "products.yaml").is_file():
            print(
                "zoho-bulkgen: error: extract needs a spec to identify pages; pass --spec DIR",
                file=sys.stderr,
            )
            return 2
    context = load_context(spec_dir)
    pages, problems = read_documents(paths, context.error_codes)
    for page in pages:
        try:
            draft = build_draft(page, context.spec)
        except IdentifyError as exc:
            problems.append(str(exc))
            continue
        written = write_draft(draft, page, out_dir)
        print(f"{page.file}: {draft.summary} -> {written[0]} (+{len(written) - 1} sample files)")
    for problem in problems:
        print(f"zoho-bulkgen: error: {problem}", file=sys.stderr)
    return 2 if problems else 0


def render_draft(draft: Draft, page: Page) -> str:
    """The fragment as YAML, page order kept, with a header saying where it came from."""
    header = (
        f"# Draft spec fragment extracted from {page.name} by 'zoho-bulkgen extract'.\n"
        "# Review it (TODO descriptions, type names), then merge its sections into spec/.\n"
    )
    body = yaml.safe_dump(draft.document, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def write_draft(draft: Draft, page: Page, out_dir: Path) -> list[Path]:
    """Write the fragment and its samples under ``out_dir``; return the files written."""
    written = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / draft.name
        target.write_text(render_draft(draft, page), encoding="utf-8")
        written.append(target)
        for relative, content in draft.samples.items():
            path = out_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write the draft: {exc.strerror or exc}") from None
    return written


# --- parts --------------------------------------------------------------------------


def _operation(
    page: Page, identity: Identity, spec: NormalizedSpec, response: str | None
) -> dict[str, Any]:
    """The operation as the page shows it; what the page does not show (a
    response type, the host) is taken from the spec's operation."""
    known = identity.operation
    assert known is not None
    entry: dict[str, Any] = {
        "summary": known.summary,
        "description": known.description,
        "method": page.method or known.method,
    }
    if known.url_param is not None:
        entry["url"] = known.url_param
    elif known.path is not None and not identity.path_problems:
        entry["path"] = spec_path_template(known.path, identity, spec)
    else:
        entry["path"] = spec_path_template(page.path or known.path or "/", identity, spec)
    if known.host != "api":
        entry["host"] = known.host
    params = page.path_params or tuple(param.name for param in known.path_params)
    if params:
        known_params = {param.name: param for param in known.path_params}
        entry["path_params"] = {
            name: {
                "type": known_params[name].type_name if name in known_params else "JobId",
                "description": (
                    known_params[name].description if name in known_params else TODO_FIELD
                ),
            }
            for name in params
        }
    # The product's own prefix becomes {scope}; any other scope (ZohoFiles.files.ALL)
    # stays literal.
    prefix = identity.product.scope_prefix + "."
    entry["scopes"] = [
        [
            "{scope}." + scope[len(prefix) :] if scope.startswith(prefix) else scope
            for scope in alternative
        ]
        for alternative in page.scopes
    ] or [list(alternative) for alternative in known.scopes]
    if known.request_type is not None:
        entry["request"] = {"type": known.request_type}
    elif known.multipart_field is not None:
        entry["request"] = {"multipart": known.multipart_field}
    if response is not None or known.response_type is not None:
        entry["response"] = {"type": response or known.response_type}
    else:
        entry["response"] = {"content": known.response_content or "application/octet-stream"}
    entry["retry"] = "safe" if entry["method"] == "GET" else "unsafe"
    entry["errors"] = [error.code for error in page.errors]
    entry["source"] = f"page {page.name}"
    return entry


def _errors(page: Page, spec: NormalizedSpec) -> dict[str, Any]:
    catalog = {error.code: error for error in spec.errors}
    return {
        error.code: {
            "http_status": error.http_status or catalog[error.code].http_status,
            "meaning": catalog[error.code].meaning if error.code in catalog else TODO_ERROR,
            "source": f"page {page.name} (line {error.line})",
        }
        for error in page.errors
        if error.http_status is not None or error.code in catalog
    }


def _add_root(
    types: dict[str, Any],
    root: str,
    fields: tuple[PageField, ...],
    identity: Identity,
    page: Page,
    envelope: tuple[str, ...],
    side: str,
) -> None:
    """The type a field list describes; when the samples wrap it in an envelope
    (``{"data": [...]}``), the envelope's type too, holding it under that key."""
    name = root
    for key in envelope:
        inner = _field_type_name(identity.version, name, key) or _unique(
            types, _camel(key) + "Item"
        )
        known = _known_type(identity.version, name)
        known_field = next((f for f in known.fields if f.name == key), None) if known else None
        types[name] = {
            "description": known.description if known else TODO_TYPE,
            "fields": {
                key: {
                    "type": f"list[{inner}]" if _is_list(page, (), side, envelope) else inner,
                    "description": known_field.description if known_field else TODO_FIELD,
                }
            },
        }
        name = inner
    _add_type(types, name, fields, identity, page, (), side, envelope)


def _add_type(
    types: dict[str, Any],
    name: str,
    fields: tuple[PageField, ...],
    identity: Identity,
    page: Page,
    path: tuple[str, ...],
    side: str,
    envelope: tuple[str, ...],
) -> None:
    """Add the type ``name`` with ``fields`` (and their object types) to ``types``."""
    version = identity.version
    known = _known_type(version, name)
    known_fields = {f.name: f for f in known.fields} if known else {}
    entry: dict[str, Any] = {
        "description": known.description if known else TODO_TYPE,
        "fields": {},
    }
    types[name] = entry
    for page_field in fields:
        known_field = known_fields.get(page_field.name)
        type_text = _draft_type(page_field)
        if page_field.children:
            child = _field_type_name(version, name, page_field.name)
            child = child or _unique(types, _camel(page_field.name))
            is_list = page_field.kind == "array" or _is_list(
                page, (*path, page_field.name), side, envelope
            )
            type_text = f"list[{child}]" if is_list else child
            _add_type(
                types,
                child,
                page_field.children,
                identity,
                page,
                (*path, page_field.name),
                side,
                envelope,
            )
        field_entry: dict[str, Any] = {
            "type": type_text,
            "description": known_field.description if known_field else TODO_FIELD,
        }
        if page_field.required:
            field_entry["required"] = True
        entry["fields"][page_field.name] = field_entry


def _draft_type(page_field: PageField) -> str:
    return {"array": "list[any]"}.get(page_field.kind, page_field.kind)


def _known_type(version: ProductVersion | None, name: str) -> Any:
    if version is None:
        return None
    try:
        return version.type_named(name)
    except KeyError:
        return None


def _field_type_name(version: ProductVersion | None, type_name: str, field: str) -> str | None:
    known = _known_type(version, type_name)
    if known is None:
        return None
    for spec_field in known.fields:
        if spec_field.name == field:
            expr = spec_field.type
            while isinstance(expr, (ListOf, UnionOf)):
                expr = expr.item if isinstance(expr, ListOf) else expr.options[0]
            if isinstance(expr, Named) and _known_type(version, expr.name) is not None:
                return expr.name
    return None


def _is_list(page: Page, path: tuple[str, ...], side: str, envelope: tuple[str, ...]) -> bool:
    """Whether the samples of ``side`` send the value at ``path`` (below the
    envelope) as a list."""
    for sample in page.samples:
        if sample.broken is not None or sample.request != (side == "request"):
            continue
        values = [sample.payload]
        for key in (*envelope, *path):
            next_values: list[Any] = []
            for value in values:
                items = value if isinstance(value, list) else [value]
                next_values.extend(
                    item[key] for item in items if isinstance(item, dict) and key in item
                )
            values = next_values
        if any(isinstance(value, list) for value in values):
            return True
    return False


def _unique(types: dict[str, Any], name: str) -> str:
    candidate, counter = name, 2
    while candidate in types:
        candidate, counter = f"{name}{counter}", counter + 1
    return candidate


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def _label_slug(label: str, request: bool) -> str:
    words = [word for word in re.findall(r"[a-z0-9]+", label.lower()) if word not in _LABEL_NOISE]
    words = [word for word in words if word != "request"]
    return "-".join([*words, "request"] if request else words)


def _path_kind(page: Page) -> str:
    """The last fixed segment of the path (``write`` in ``.../write/{job_id}``)."""
    fixed = [part for part in (page.path or "").split("/") if part and "{" not in part]
    return fixed[-1] if fixed else ""
