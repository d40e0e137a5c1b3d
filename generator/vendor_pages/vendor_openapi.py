"""Read the vendor's own OpenAPI document (JSON, such as the vendor's ``bulk_read.json``)
as one page per operation, so that ``drift`` compares every operation, field,
required flag, enum and error code it states with the spec.

The document is only read as data; references outside it (the vendor's shared
``modules.json``, ``users.json``) are not fetched: such a field counts as an
object whose fields are not stated."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from generator.spec.load import to_pointer
from generator.vendor_pages.extract import (
    Page,
    PageError,
    PageErrorCode,
    PageField,
    find_version_mentions,
)

_METHODS = ("get", "post", "put", "patch", "delete")
_MAX_DEPTH = 8


def is_openapi(path: Path) -> bool:
    """Whether a document is to be read as OpenAPI JSON (by its suffix)."""
    return path.suffix.lower() == ".json"


def read_openapi(path: Path) -> list[Page]:
    """One page per operation of an OpenAPI JSON document; PageError when the
    file is not an OpenAPI document."""
    display = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise PageError(display, None, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise PageError(display, None, f"cannot read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise PageError(display, exc.lineno, f"not JSON: {exc.msg}") from None
    except RecursionError:
        raise PageError(display, None, "nested too deeply to read") from None
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise PageError(display, None, "not an OpenAPI document (no 'paths' object)")
    pages = []
    for route, item in document["paths"].items():
        if not isinstance(item, dict):
            continue
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                pages.append(
                    _operation_page(document, display, path.name, route, method, operation)
                )
    if not pages:
        raise PageError(display, None, "the OpenAPI document has no operations")
    return pages


def _operation_page(
    document: dict[str, Any],
    display: str,
    name: str,
    route: str,
    method: str,
    operation: dict[str, Any],
) -> Page:
    pointer = to_pointer(("paths", route, method))
    own_security = "security" in operation
    scopes = _scopes(operation.get("security", document.get("security", [])))
    info = document.get("info")
    info = info if isinstance(info, dict) else {}
    info_version = re.match(r"^v?(\d+)(?:\.(\d+))?", str(info.get("version", "")))
    versions = find_version_mentions([route + "/"])
    if info_version:
        major, minor = info_version.group(1), info_version.group(2)
        named = f"v{major}.{minor}" if minor and minor != "0" else f"v{major}"
        versions = (*versions, named) if named not in versions else versions
    return Page(
        file=f"{display}#{pointer}",
        name=name,
        title=str(operation.get("operationId") or operation.get("summary") or ""),
        headings=tuple(str(operation.get(key)) for key in ("summary",) if operation.get(key)),
        method=method.upper(),
        method_line=0,
        url=route,
        url_line=0,
        path=route,
        path_params=tuple(
            str(param.get("name"))
            for param in map(lambda p: _resolve(document, p), _list(operation.get("parameters")))
            if isinstance(param, dict) and param.get("in") == "path"
        ),
        scopes=scopes,
        scopes_line=0,
        scope_lines=len(scopes),
        fields=_response_fields(document, operation),
        envelope=(),
        request_fields=_request_fields(document, operation),
        errors=_errors(document, operation),
        samples=(),
        version_mentions=versions,
        hosts=tuple(
            str(server.get("url", "")).split("//", 1)[-1]
            for server in _list(operation.get("servers", document.get("servers")))
            if isinstance(server, dict)
        ),
        scopes_exhaustive=own_security,
        nesting_explicit=True,
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _scopes(security: Any) -> tuple[tuple[str, ...], ...]:
    """Each security requirement is one combination: all its scopes are needed."""
    combinations: list[tuple[str, ...]] = []
    for requirement in security if isinstance(security, list) else []:
        if not isinstance(requirement, dict):
            continue
        scopes = tuple(
            str(scope)
            for values in requirement.values()
            if isinstance(values, list)
            for scope in values
        )
        if scopes and scopes not in combinations:
            combinations.append(scopes)
    return tuple(combinations)


def _resolve(document: dict[str, Any], schema: Any) -> Any:
    """A local ``$ref`` followed (a few times at most); an external one is None."""
    for _ in range(_MAX_DEPTH):
        if not isinstance(schema, dict) or "$ref" not in schema:
            return schema
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return None
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        schema = target
    return schema


def _alternatives(document: dict[str, Any], schema: Any, depth: int = 0) -> list[Any]:
    """The schemas a ``oneOf``/``anyOf`` offers (the schema itself otherwise)."""
    schema = _resolve(document, schema)
    if isinstance(schema, dict) and depth < _MAX_DEPTH:
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list):
                found = []
                for option in schema[key]:
                    found.extend(_alternatives(document, option, depth + 1))
                return found
    return [schema]


def _json_schema(content: Any) -> Any:
    if not isinstance(content, dict):
        return None
    for media, body in content.items():
        if "json" in media and isinstance(body, dict):
            return body.get("schema")
    return None


def _is_error_schema(document: dict[str, Any], schema: Any, depth: int = 0) -> bool:
    schema = _resolve(document, schema)
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return False
    properties = schema.get("properties", {})
    status = _resolve(document, properties.get("status")) if isinstance(properties, dict) else None
    if isinstance(status, dict) and status.get("enum") == ["error"]:
        return True
    data = _resolve(document, properties.get("data")) if isinstance(properties, dict) else None
    items = data.get("items") if isinstance(data, dict) else None
    if items is None:
        return False
    return any(
        _is_error_schema(document, option, depth + 1) for option in _alternatives(document, items)
    )


def _request_fields(document: dict[str, Any], operation: dict[str, Any]) -> tuple[PageField, ...]:
    body = _resolve(document, operation.get("requestBody"))
    schema = _json_schema(body.get("content")) if isinstance(body, dict) else None
    if schema is None:
        return ()
    options = [option for option in _alternatives(document, schema) if isinstance(option, dict)]
    return _fields(document, options[0], 0, frozenset()) if options else ()


def _response_fields(document: dict[str, Any], operation: dict[str, Any]) -> tuple[PageField, ...]:
    responses = _dict(operation.get("responses"))
    for status in sorted(responses):
        if not str(status).startswith("2"):
            continue
        response = _resolve(document, responses[status])
        schema = _json_schema(response.get("content")) if isinstance(response, dict) else None
        for option in _alternatives(document, schema):
            if isinstance(option, dict) and not _is_error_schema(document, option):
                return _fields(document, option, 0, frozenset())
    return ()


def _fields(
    document: dict[str, Any], schema: dict[str, Any], depth: int, seen: frozenset[int]
) -> tuple[PageField, ...]:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or depth > _MAX_DEPTH or id(schema) in seen:
        return ()
    seen = seen | {id(schema)}
    required_list = schema.get("required")
    fields = []
    for name, raw in properties.items():
        prop = _resolve(document, raw)
        external = isinstance(raw, dict) and "$ref" in raw and prop is None
        described: tuple[str, str, tuple[PageField, ...], tuple[str, ...]]
        if external or not isinstance(prop, dict):
            described = ("object", "object (defined elsewhere)", (), ())
        else:
            described = _describe(document, prop, depth, seen)
        kind, type_text, children, values = described
        fields.append(
            PageField(
                name=str(name),
                type_text=type_text,
                kind=kind,
                line=0,
                children=children,
                required=(name in required_list) if isinstance(required_list, list) else None,
                values=values,
            )
        )
    return tuple(fields)


def _describe(
    document: dict[str, Any], prop: dict[str, Any], depth: int, seen: frozenset[int]
) -> tuple[str, str, tuple[PageField, ...], tuple[str, ...]]:
    options = [o for o in _alternatives(document, prop) if isinstance(o, dict)]
    if len(options) > 1 or (options and options[0] is not prop):
        prop = next((o for o in options if o.get("properties")), options[0] if options else {})
    kind_name = prop.get("type")
    values = tuple(str(v) for v in _list(prop.get("enum")) if v is not None)
    if kind_name == "array":
        items = _resolve(document, prop.get("items"))
        children = _fields(document, items, depth + 1, seen) if isinstance(items, dict) else ()
        item_values = (
            tuple(str(v) for v in _list(items.get("enum"))) if isinstance(items, dict) else ()
        )
        return "array", "array", children, values or item_values
    if kind_name == "string" and prop.get("format") == "date-time":
        return "datetime", "string (date-time)", (), values
    if kind_name in ("string", "integer", "number", "boolean"):
        return str(kind_name), str(kind_name), (), values
    return "object", "object", _fields(document, prop, depth + 1, seen), values


def _errors(document: dict[str, Any], operation: dict[str, Any]) -> tuple[PageErrorCode, ...]:
    """The codes the error schemas of every response enumerate. A schema that
    names one code gives its HTTP status; a catch-all listing many codes under
    one status does not."""
    found: dict[str, PageErrorCode] = {}
    responses = _dict(operation.get("responses"))
    for status in sorted(responses):
        response = _resolve(document, responses[status])
        schema = _json_schema(response.get("content")) if isinstance(response, dict) else None
        for option in _error_schemas(document, schema):
            code = _resolve(document, _dict(option.get("properties")).get("code"))
            codes = [str(c) for c in _list(code.get("enum"))] if isinstance(code, dict) else []
            http_status = int(status) if len(codes) == 1 and str(status).isdigit() else None
            for value in codes:
                if value not in found or (found[value].http_status is None and http_status):
                    found[value] = PageErrorCode(value, http_status, 0, len(codes) > 1)
    return tuple(found.values())


def _error_schemas(document: dict[str, Any], schema: Any, depth: int = 0) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if depth > _MAX_DEPTH:
        return found
    for option in _alternatives(document, schema):
        if not isinstance(option, dict):
            continue
        data = _resolve(document, _dict(option.get("properties")).get("data"))
        if isinstance(data, dict) and data.get("type") == "array":
            found.extend(_error_schemas(document, data.get("items"), depth + 1))
        elif _is_error_schema(document, option):
            found.append(option)
    return found
