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

from generator.drift import Identity, identify, spec_path_template
from generator.errors import GeneratorError, OutputError
from generator.extract import Page, PageField
from generator.spec_model import NormalizedSpec, ProductVersion
from generator.type_expr import ListOf, Named, UnionOf

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


def build_draft(page: Page, spec: NormalizedSpec | None) -> Draft:
    """The draft of one page; ``spec`` (optional) supplies known names."""
    identity: Identity | None = None
    if spec is not None:
        try:
            identity = identify(page, spec)
        except GeneratorError:
            identity = None
    product = identity.product if identity else _path_part(page, 0) or "product"
    version = identity.version.version if identity else _page_version(page)
    operation = identity.operation.name if identity else _slug(page.title, "_") or "operation"
    root_type = _root_type(identity) or _camel(operation)
    types: dict[str, Any] = {}
    if page.fields:
        _add_type(types, root_type, page.fields, identity, page, path=())
    document: dict[str, Any] = {}
    document["operations"] = {
        operation: _operation(page, identity, spec, root_type if page.fields else None)
    }
    if types:
        document["types"] = types
    if page.errors:
        document["errors"] = _errors(page, spec)
    samples: dict[str, str] = {}
    examples = []
    kind = _path_kind(page)
    for sample in page.samples:
        stem = "-".join(
            part
            for part in (product, version, kind, _label_slug(sample.label, sample.request))
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
        if sample.request:
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
    return Draft(Path(page.name).stem + ".yaml", document, samples, summary)


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
    page: Page, identity: Identity | None, spec: NormalizedSpec | None, response: str | None
) -> dict[str, Any]:
    known = identity.operation if identity else None
    entry: dict[str, Any] = {
        "summary": known.summary if known else "TODO: one line on what the operation does.",
        "description": known.description if known else "TODO: describe the operation.",
        "method": page.method or "GET",
    }
    if page.path is not None:
        entry["path"] = (
            spec_path_template(page.path, identity, spec) if identity and spec else page.path
        )
    if page.path_params:
        known_params = {param.name: param for param in known.path_params} if known else {}
        entry["path_params"] = {
            name: {
                "type": known_params[name].type_name if name in known_params else "JobId",
                "description": (
                    known_params[name].description if name in known_params else TODO_FIELD
                ),
            }
            for name in page.path_params
        }
    if page.scopes:
        prefix = page.scopes[0][0].split(".", 1)[0]
        entry["scopes"] = [
            [
                re.sub(r"\{module[^{}]*\}", "{module}", scope.replace(prefix + ".", "{scope}.", 1))
                for scope in alternative
            ]
            for alternative in page.scopes
        ]
    if response is not None:
        entry["response"] = {"type": response}
    entry["retry"] = "safe" if (page.method or "GET") == "GET" else "unsafe"
    entry["errors"] = [error.code for error in page.errors]
    entry["source"] = f"page {page.name}"
    return entry


def _errors(page: Page, spec: NormalizedSpec | None) -> dict[str, Any]:
    catalog = {error.code: error for error in spec.errors} if spec else {}
    return {
        error.code: {
            "http_status": error.http_status,
            "meaning": catalog[error.code].meaning if error.code in catalog else TODO_ERROR,
            "source": f"page {page.name} (line {error.line})",
        }
        for error in page.errors
    }


def _root_type(identity: Identity | None) -> str | None:
    if identity is None or identity.operation.response_type is None:
        return None
    return identity.operation.response_type


def _add_type(
    types: dict[str, Any],
    name: str,
    fields: tuple[PageField, ...],
    identity: Identity | None,
    page: Page,
    path: tuple[str, ...],
) -> None:
    """Add the type ``name`` with ``fields`` (and their object types) to ``types``."""
    version = identity.version if identity else None
    known = _known_type(version, name)
    if not path and version is not None:
        # The field list may describe the object inside an envelope ({"data": [...]}).
        for key in page.envelope:
            inner = _field_type_name(version, name, key)
            if inner is not None:
                name, known = inner, _known_type(version, inner)
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
            child = _field_type_name(version, name, page_field.name) if version else None
            child = child or _unique(types, _camel(page_field.name))
            type_text = f"list[{child}]" if _is_list(page, (*path, page_field.name)) else child
            _add_type(types, child, page_field.children, identity, page, (*path, page_field.name))
        entry["fields"][page_field.name] = {
            "type": type_text,
            "description": known_field.description if known_field else TODO_FIELD,
        }


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


def _is_list(page: Page, path: tuple[str, ...]) -> bool:
    """Whether the samples send the value at ``path`` (below the envelope) as a list."""
    for sample in page.samples:
        if sample.request:
            continue
        values = [sample.payload]
        for key in (*page.envelope, *path):
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


def _slug(text: str, joiner: str) -> str:
    return joiner.join(re.findall(r"[a-z0-9]+", text.lower()))


def _label_slug(label: str, request: bool) -> str:
    words = [word for word in re.findall(r"[a-z0-9]+", label.lower()) if word not in _LABEL_NOISE]
    words = [word for word in words if word != "request"]
    return "-".join([*words, "request"] if request else words)


def _path_part(page: Page, index: int) -> str:
    parts = [part for part in (page.path or "").split("/") if part]
    return parts[index] if len(parts) > index else ""


def _path_kind(page: Page) -> str:
    """The last fixed segment of the path (``write`` in ``.../write/{job_id}``)."""
    fixed = [part for part in (page.path or "").split("/") if part and "{" not in part]
    return fixed[-1] if fixed else ""


def _page_version(page: Page) -> str:
    match = re.search(r"/(v\d+(?:\.\d+)?)/", page.path or "")
    if match:
        return match.group(1)
    return page.version_mentions[0] if page.version_mentions else "v1"
