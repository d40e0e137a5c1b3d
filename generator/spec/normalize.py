"""Stage 3, normalize: resolve overlays into one concrete set of types per
product and version and turn the validated document into the immutable model
of spec_model."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from generator.spec.error_catalog import returned_by, status_of
from generator.spec.load import LoadedSpec, Path_, SourceMap
from generator.spec.model import (
    AuthScheme,
    Callback,
    DataCenter,
    ErrorCode,
    Example,
    FieldSpec,
    HostKind,
    NormalizedSpec,
    Operation,
    PathParam,
    Product,
    ProductVersion,
    TypeSpec,
    UrlLayout,
    UrlPart,
    Vocabulary,
    VocabularyValue,
)
from generator.spec.type_expr import ListOf, Named, TypeExpr, parse_type


def normalize_spec(loaded: LoadedSpec) -> NormalizedSpec:
    """Build the normalized spec from a loaded, validated one."""
    document = loaded.document
    errors = tuple(
        ErrorCode(
            code,
            entry["http_status"],
            entry["meaning"],
            result_row=bool(entry.get("result_row", False)),
        )
        for code, entry in document["errors"].items()
    )
    products = tuple(
        _normalize_product(index, product, loaded, {error.code: error for error in errors})
        for index, product in enumerate(document["products"])
    )
    return NormalizedSpec(
        auth=AuthScheme(
            header=document["auth"]["header"],
            scheme=document["auth"]["scheme"],
            token_pattern=document["auth"].get("token_pattern", ".+"),
        ),
        host_kinds=tuple(
            HostKind(
                name=name,
                serves=entry["serves"],
                upload=entry.get("upload"),
                token_domain=entry.get("token_domain", False),
                environments=tuple(entry.get("environments", {}).items()),
            )
            for name, entry in document["host_kinds"].items()
        ),
        data_centers=tuple(
            DataCenter(
                name=dc["name"],
                description=dc["description"],
                hosts=tuple(
                    (kind, host) for kind, host in dc.items() if kind not in _DATA_CENTER_FIELDS
                ),
            )
            for dc in document["data_centers"]
        ),
        vocabularies=tuple(
            _normalize_vocabulary(name, entry) for name, entry in document["vocabularies"].items()
        ),
        errors=errors,
        products=products,
    )


_DATA_CENTER_FIELDS = frozenset({"name", "description", "source"})
"""The keys of a data center that are not host kinds."""


def _normalize_vocabulary(name: str, entry: dict[str, Any]) -> Vocabulary:
    values = [
        VocabularyValue(
            canonical,
            value["description"],
            tuple(value.get("spellings", [])),
        )
        for canonical, value in entry["values"].items()
    ]
    return Vocabulary(name, entry["description"], tuple(values))


def _normalize_product(
    index: int, product: dict[str, Any], loaded: LoadedSpec, errors: dict[str, ErrorCode]
) -> Product:
    version_names = [version["name"] for version in product["versions"]]
    versions = tuple(
        _normalize_version(product, version, version_names, loaded, errors)
        for version in product["versions"]
    )
    return Product(
        name=product["name"],
        title=product["title"],
        path_prefix=product["path_prefix"],
        scope_prefix=product["scope_prefix"],
        org_header=product["org_header"],
        host_kind=product["hosts"]["data_center"],
        upload_kind=product["hosts"]["upload"],
        custom_domain=product["hosts"].get("custom_domain"),
        custom_domain_description=product["hosts"].get("custom_domain_description"),
        versions=versions,
    )


def _normalize_version(
    product: dict[str, Any],
    version: dict[str, Any],
    version_names: list[str],
    loaded: LoadedSpec,
    errors: dict[str, ErrorCode],
) -> ProductVersion:
    document = loaded.document
    fields_by_type = resolve_overlays(
        document["types"],
        document.get("overlays", []),
        product["name"],
        version["name"],
        version_names,
        loaded.source_map,
    )
    types = tuple(
        _type_spec(name, document["types"][name], fields) for name, fields in fields_by_type.items()
    )
    operations = tuple(
        _normalize_operation(name, operation, product, version, types, document, errors)
        for name, operation in document["operations"].items()
    )
    callbacks = tuple(
        Callback(
            operation["callback"]["name"],
            operation["callback"]["summary"],
            operation["callback"]["description"],
            operation["callback"]["body"]["type"],
        )
        for operation in document["operations"].values()
        if "callback" in operation
    )
    examples = tuple(
        _normalize_example(entry, loaded.payloads[entry["file"]])
        for entry in document.get("examples", [])
        if entry["product"] == product["name"] and entry["version"] == version["name"]
    )
    return ProductVersion(
        product=product["name"],
        product_title=product["title"],
        version=version["name"],
        source=version["source"],
        types=types,
        operations=operations,
        callbacks=callbacks,
        examples=examples,
        absolute_download_urls=bool(version.get("absolute_download_urls")),
    )


def resolve_overlays(
    base_types: dict[str, Any],
    overlays: list[dict[str, Any]],
    product: str,
    version: str,
    version_names: list[str],
    source_map: SourceMap,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Apply, in spec order, every overlay whose range covers ``product`` ``version``.

    Returns the fields of every type (name -> field -> definition), in order:
    changed fields keep their place, added fields go last.
    """
    resolved = {name: dict(type_def["fields"]) for name, type_def in base_types.items()}
    position = version_names.index(version)
    for index, overlay in enumerate(overlays):
        if not _overlay_applies(overlay["when"], product, position, version_names):
            continue
        where: Path_ = ("overlays", index)
        for type_name, fields in overlay.get("change", {}).items():
            for field_name, field in fields.items():
                if field_name not in resolved[type_name]:
                    raise source_map.error(
                        (*where, "change", type_name, field_name),
                        f"overlay '{overlay['id']}' changes field '{field_name}' that {type_name} "
                        f"does not have in {product} {version}",
                    )
                resolved[type_name][field_name] = field
        for type_name, fields in overlay.get("add", {}).items():
            for field_name, field in fields.items():
                if field_name in resolved[type_name]:
                    raise source_map.error(
                        (*where, "add", type_name, field_name),
                        f"overlay '{overlay['id']}' adds field '{field_name}' that {type_name} "
                        f"already has in {product} {version}; use change",
                    )
                resolved[type_name][field_name] = field
        for type_name, field_names in overlay.get("remove", {}).items():
            for offset, field_name in enumerate(field_names):
                if field_name not in resolved[type_name]:
                    raise source_map.error(
                        (*where, "remove", type_name, offset),
                        f"overlay '{overlay['id']}' removes field '{field_name}' that {type_name} "
                        f"does not have in {product} {version}",
                    )
                del resolved[type_name][field_name]
    return resolved


def _overlay_applies(
    when: dict[str, Any], product: str, position: int, version_names: list[str]
) -> bool:
    if when["product"] != product:
        return False
    start = version_names.index(when["from"]) if "from" in when else 0
    end = version_names.index(when["until"]) if "until" in when else len(version_names) - 1
    return start <= position <= end


FIELD_CONSTRAINTS = ("min_items", "max_items", "minimum", "max_length")
"""Bounds a spec field may state, in the order they are written out."""


def _type_spec(
    name: str, definition: dict[str, Any], fields: dict[str, dict[str, Any]]
) -> TypeSpec:
    """A concrete type; of its require_one_of group only the fields this version
    has count, and a group of one is simply a required field."""
    present = [field for field in definition.get("require_one_of", []) if field in fields]
    required = {key for key, field in fields.items() if field.get("required", False)}
    if len(present) == 1:
        required.add(present[0])
    return TypeSpec(
        name=name,
        description=definition["description"],
        fields=tuple(
            FieldSpec(
                field_name,
                parse_type(field["type"]),
                field_name in required,
                field["description"],
                tuple((kind, field[kind]) for kind in FIELD_CONSTRAINTS if kind in field),
            )
            for field_name, field in fields.items()
        ),
        mixins=tuple(definition.get("mixins", [])),
        require_one_of=tuple(present) if len(present) > 1 else (),
    )


def parse_returns(path: str) -> tuple[str | int, ...]:
    """``data[0].details`` -> ``("data", 0, "details")``."""
    steps: list[str | int] = []
    for part in path.split("."):
        if part.endswith("[0]"):
            steps.extend([part[:-3], 0])
        else:
            steps.append(part)
    return tuple(steps)


def returns_type_of(
    types: dict[str, TypeSpec], root: str, steps: tuple[str | int, ...]
) -> str | None:
    """The type name at the end of ``steps`` from type ``root``, or None if the path is wrong."""
    current: TypeExpr = Named(root)
    for step in steps:
        if isinstance(step, int):
            if not isinstance(current, ListOf):
                return None
            current = current.item
            continue
        if not isinstance(current, Named) or current.name not in types:
            return None
        field = next((f for f in types[current.name].fields if f.name == step), None)
        if field is None:
            return None
        current = field.type
    return current.name if isinstance(current, Named) and current.name in types else None


def _normalize_operation(
    name: str,
    operation: dict[str, Any],
    product: dict[str, Any],
    version: dict[str, Any],
    types: tuple[TypeSpec, ...],
    document: dict[str, Any],
    errors: dict[str, ErrorCode],
) -> Operation:
    path = operation.get("path")
    if path is not None:
        path = _resolved(path, product, version)
    response = operation["response"]
    response_type = response.get("type")
    returns_path = parse_returns(response["returns"]) if "returns" in response else ()
    returns_type = None
    if response_type is not None:
        returns_type = returns_type_of({t.name: t for t in types}, response_type, returns_path)
    request = operation.get("request", {})
    host = operation.get("host", "api")
    operation_errors = _operation_errors(
        name, operation, product["name"], version["name"], document, errors
    )
    return Operation(
        name=name,
        summary=operation["summary"],
        description=operation["description"],
        method=operation["method"],
        host=host,
        path=path,
        url_param=operation.get("url"),
        url_layout=_url_layout(operation.get("url_layout"), product, version),
        path_params=tuple(
            PathParam(
                param_name,
                param["type"],
                document["path_param_types"][param["type"]]["pattern"],
                param["description"],
            )
            for param_name, param in operation.get("path_params", {}).items()
        ),
        headers=tuple(operation.get("headers", {}).items()),
        org_header=product["org_header"] if operation.get("org_header") else None,
        scopes=tuple(
            tuple(scope.replace("{scope}", product["scope_prefix"]) for scope in alternative)
            for alternative in operation["scopes"]
        ),
        request_type=request.get("type"),
        multipart_field=request.get("multipart"),
        response_type=response_type,
        response_content=response.get("content"),
        success_status=response.get("http_status", 200),
        returns_path=returns_path,
        returns_type=returns_type,
        retry_safe=operation["retry"] == "safe",
        errors=operation_errors,
        errors_with_http_200=any(error.http_status == 200 for error in operation_errors),
        role=operation.get("role"),
        helper=operation.get("helper"),
        role_types=tuple(operation.get("role_types", {}).items()),
        callback=operation["callback"]["name"] if "callback" in operation else None,
        request_keywords=request.get("keywords"),
        batch_helper=operation.get("batch_helper"),
    )


def _operation_errors(
    name: str,
    operation: dict[str, Any],
    product: str,
    version: str,
    document: dict[str, Any],
    errors: dict[str, ErrorCode],
) -> tuple[ErrorCode, ...]:
    """The codes ``name`` returns in ``product`` ``version``, each with its
    HTTP status there (the catalog's ``since`` and ``statuses`` resolved)."""
    versions = {
        entry["name"]: [v["name"] for v in entry["versions"]] for entry in document["products"]
    }
    catalog = document["errors"]
    return tuple(
        replace(
            errors[code], http_status=status_of(catalog[code], product, version, versions, name)
        )
        for code in operation["errors"]
        if returned_by(catalog[code], product, version, versions, name)
    )


def _normalize_example(entry: dict[str, Any], payload: Any) -> Example:
    source = entry["source"]
    origin = source.get("seed") or source.get("url") or source.get("sdk") or "spec"
    if "line" in source:
        origin = f"{origin} line {source['line']}"
    name = entry["file"].removeprefix("examples/").removesuffix(".json")
    return Example(
        name=name,
        product=entry["product"],
        version=entry["version"],
        operation=entry["operation"],
        request=bool(entry.get("request", False)),
        payload=payload,
        source=f"{origin}: {source['label']}",
        repairs=tuple(entry.get("repairs", [])),
    )


def _resolved(template: str, product: dict[str, Any], version: dict[str, Any]) -> str:
    """``template`` with the product's ``{prefix}`` and the ``{version}`` filled in."""
    return template.replace("{prefix}", product["path_prefix"]).replace(
        "{version}", version["name"]
    )


def _url_layout(
    layout: dict[str, Any] | None, product: dict[str, Any], version: dict[str, Any]
) -> UrlLayout | None:
    if layout is None:
        return None
    parts = tuple(
        UrlPart(
            name,
            part.get("pattern"),
            _resolved(part["value"], product, version),
            part["description"],
        )
        for name, part in layout["parts"].items()
    )
    return UrlLayout(_resolved(layout["path"], product, version), parts)
