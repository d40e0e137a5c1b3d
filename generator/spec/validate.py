"""Stage 2, validate: check the loaded spec against its meta-schema, then check
what a schema cannot express: that every name it uses is defined."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from generator.spec.error_catalog import check_error_rules
from generator.spec.load import LoadedSpec, Path_, SourceMap, YamlParser
from generator.spec.model import ERROR_TYPE, STATUS_VALUES, STATUS_VOCABULARY
from generator.spec.type_expr import ListOf, Named, TypeSyntaxError, named_references, parse_type

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError

# jsonschema is imported only when the spec breaks the meta-schema (to say
# how): jsonschema-rs, compiled and quick to load, clears a valid spec.

META_SCHEMA_PATH = Path(__file__).with_name("meta_schema.yaml")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PATH_BUILTINS = frozenset({"prefix", "version"})


@cache
def meta_schema(parse: YamlParser | None = None) -> dict[str, Any]:
    """The spec's own JSON Schema, read by ``parse`` when given (as load_spec
    reads the spec's files: the pipeline's remembers texts read before)."""
    text = META_SCHEMA_PATH.read_text(encoding="utf-8")
    if parse is not None:
        parsed: dict[str, Any] = parse(text, str(META_SCHEMA_PATH), SourceMap())
        return parsed
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded: dict[str, Any] = yaml.load(text, loader)
    return loaded


def validate_spec(loaded: LoadedSpec, parse: YamlParser | None = None) -> None:
    """Raise SpecError for the first problem found in the spec, in file order;
    ``parse`` reads the meta-schema (see meta_schema)."""
    check_meta_schema(loaded.document, loaded.source_map, parse)
    check_references(loaded.document, loaded.source_map)


def _whole_text_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """The ``pattern`` keyword, with ``$`` meaning the end of the text as in
    JSON Schema's regex dialect (Python's ``$`` also matches before a final
    newline, which would let ``"v2\\n"`` pass as a version label)."""
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        from jsonschema.exceptions import ValidationError

        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """``pattern`` with a final unescaped ``$`` made to match only at the very end."""
    escapes = len(pattern[:-1]) - len(pattern[:-1].rstrip("\\"))
    if pattern.endswith("$") and escapes % 2 == 0:
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


@cache
def _meta_validator_class() -> type[jsonschema.Draft202012Validator]:
    import jsonschema

    extend: Callable[..., type[jsonschema.Draft202012Validator]] = jsonschema.validators.extend
    return extend(jsonschema.Draft202012Validator, {"pattern": _whole_text_pattern})


@cache
def _quick_meta_validator(parse: YamlParser | None) -> Any:
    """The meta-schema in jsonschema-rs (whose ``$`` is the end of the text, as
    in _whole_text_pattern)."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(meta_schema(parse))


def check_meta_schema(
    document: dict[str, Any], source_map: SourceMap, parse: YamlParser | None = None
) -> None:
    """Check the document against the meta-schema; report the earliest error."""
    try:
        if _quick_meta_validator(parse).is_valid(document):
            return
    except Exception:  # a value it cannot take (a YAML date, ...): jsonschema decides
        pass
    from jsonschema.exceptions import best_match

    validator = _meta_validator_class()(meta_schema(parse))
    errors = list(validator.iter_errors(document))
    if not errors:
        return
    # The earliest object with a problem wins; within it, an unknown key (often a
    # typo) explains more than the required key it leaves missing.
    first = min(
        errors,
        key=lambda error: (
            _sort_key(source_map, tuple(error.absolute_path)),
            error.validator != "additionalProperties",
            _sort_key(source_map, _error_path(error)),
        ),
    )
    error = best_match([first])
    path = _error_path(error)
    raise source_map.error(path, _describe(error))


def _unexpected_keys(error: ValidationError) -> tuple[list[str], list[str]]:
    """For an additionalProperties error: the unknown keys and the allowed ones."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return [], []
    schema = error.schema if isinstance(error.schema, dict) else {}
    allowed = sorted(schema.get("properties", {}))
    return sorted(str(key) for key in error.instance if key not in allowed), allowed


def _error_path(error: ValidationError) -> Path_:
    path: Path_ = tuple(error.absolute_path)
    unexpected, _ = _unexpected_keys(error)
    return (*path, unexpected[0]) if unexpected else path


def _describe(error: ValidationError) -> str:
    unexpected, allowed = _unexpected_keys(error)
    if unexpected:
        if allowed:
            close = difflib.get_close_matches(str(unexpected[0]), allowed, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            return f"unknown key '{unexpected[0]}' ({hint}expected one of: {', '.join(allowed)})"
        return f"unknown key '{unexpected[0]}'"
    if error.validator == "pattern":
        return f"{_shorten(error.instance)} does not match the pattern {error.validator_value!r}"
    options = error.validator_value if error.validator == "oneOf" else None
    if isinstance(options, list) and all(
        isinstance(option, dict) and set(option) == {"required"} and len(option["required"]) == 1
        for option in options
    ):
        return f"give exactly one of: {', '.join(option['required'][0] for option in options)}"
    # Messages such as oneOf's start with the whole value: keep the line short.
    return str(error.message).replace(repr(error.instance), _shorten(error.instance))


def _shorten(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut in the middle when long, so that an error stays readable."""
    text = repr(value)
    if len(text) <= limit:
        return text
    half = (limit - 5) // 2
    return f"{text[:half]} ... {text[-half:]}"


def _sort_key(source_map: SourceMap, path: Path_) -> tuple[str, int]:
    origin = source_map.locate(path)
    return (origin.file, origin.line)


def check_references(document: dict[str, Any], source_map: SourceMap) -> None:
    """Check that every type, vocabulary, product, version, operation and error
    code the spec names is defined, and that names are unique."""
    types: dict[str, Any] = document["types"]
    vocabularies: dict[str, Any] = document["vocabularies"]
    for name in vocabularies:
        if name in types:
            raise source_map.error(
                ("vocabularies", name), f"'{name}' is both a type and a vocabulary"
            )
    _check_runtime_names(types, vocabularies, source_map)
    _check_regexes(document, source_map)
    known_types = set(types) | set(vocabularies)
    for name, type_def in types.items():
        for field_name, field in type_def["fields"].items():
            _check_type_expr(
                field["type"],
                known_types,
                source_map,
                ("types", name, "fields", field_name, "type"),
            )
    _check_required_cycles(types, document.get("overlays", []), source_map)
    _check_vocabularies(vocabularies, source_map)
    _check_unique(document["data_centers"], "name", ("data_centers",), source_map, "data center")
    _check_hosts(document, source_map)
    products = {product["name"]: product for product in document["products"]}
    _check_unique(document["products"], "name", ("products",), source_map, "product")
    for index, product in enumerate(document["products"]):
        _check_unique(
            product["versions"], "name", ("products", index, "versions"), source_map, "version"
        )
    versions = {
        name: [v["name"] for v in product["versions"]] for name, product in products.items()
    }
    for index, overlay in enumerate(document.get("overlays", [])):
        _check_overlay(overlay, index, types, known_types, versions, source_map)
    _check_unique(document.get("overlays", []), "id", ("overlays",), source_map, "overlay id")
    for name, operation in document["operations"].items():
        _check_operation(name, operation, document, source_map)
    check_error_rules(document, source_map)
    _check_callbacks(document, source_map)
    _check_roles(document, source_map)
    for index, example in enumerate(document.get("examples", [])):
        where = ("examples", index)
        if example["product"] not in versions:
            raise source_map.error((*where, "product"), f"unknown product '{example['product']}'")
        if example["version"] not in versions[example["product"]]:
            raise source_map.error(
                (*where, "version"),
                f"product '{example['product']}' has no version '{example['version']}'",
            )
        operation = document["operations"].get(example["operation"])
        if operation is None and example["operation"] not in callback_names(document):
            raise source_map.error(
                (*where, "operation"), f"unknown operation '{example['operation']}'"
            )
        if example.get("request") and "type" not in (operation or {}).get("request", {}):
            raise source_map.error(
                (*where, "request"), f"'{example['operation']}' has no JSON request body"
            )
    _check_unique(document.get("examples", []), "file", ("examples",), source_map, "example file")
    _check_drift(document, versions, source_map)


def _required_edges(
    types: dict[str, Any], overlays: list[dict[str, Any]]
) -> dict[str, list[tuple[str, str, Path_]]]:
    """For each type, the types it requires directly: (field, type, where it is said).

    Only a required field of a plain type name counts; a list may be empty and
    a nullable field may be null, so they end a chain."""
    edges: dict[str, list[tuple[str, str, Path_]]] = {name: [] for name in types}

    def add(owner: str, field_name: str, field: dict[str, Any], where: Path_) -> None:
        if not isinstance(field, dict) or not field.get("required"):
            return
        try:
            expr = parse_type(str(field.get("type", "")))
        except TypeSyntaxError:
            return
        if isinstance(expr, Named) and expr.name in types and owner in edges:
            edges[owner].append((field_name, expr.name, where))

    for name, type_def in types.items():
        for field_name, field in type_def["fields"].items():
            add(name, field_name, field, ("types", name, "fields", field_name, "type"))
    for index, overlay in enumerate(overlays):
        for section in ("change", "add"):
            for owner, fields in (overlay.get(section) or {}).items():
                for field_name, field in (fields or {}).items():
                    where = ("overlays", index, section, owner, field_name, "type")
                    add(owner, field_name, field, where)
    return edges


def _check_required_cycles(
    types: dict[str, Any], overlays: list[dict[str, Any]], source_map: SourceMap
) -> None:
    """Refuse types that require themselves through required fields: no finite
    payload could satisfy them."""
    edges = _required_edges(types, overlays)
    done: set[str] = set()

    def visit(name: str, trail: list[tuple[str, str, Path_]]) -> None:
        if name in done:
            return
        for field_name, target, where in edges[name]:
            step = (name, field_name, where)
            owners = [owner for owner, _, _ in trail]
            if target in owners or target == name:
                chain = trail[owners.index(target) :] if target in owners else []
                steps = [*chain, step]
                path = " -> ".join(f"{owner}.{field}" for owner, field, _ in steps)
                raise source_map.error(
                    steps[0][2],
                    f"type '{target}' requires itself through {path}; "
                    "make one of these fields optional, nullable or a list",
                )
            visit(target, [*trail, step])
        done.add(name)

    for name in types:
        visit(name, [])


def _check_runtime_names(
    types: dict[str, Any], vocabularies: dict[str, Any], source_map: SourceMap
) -> None:
    """The shared runtime needs a few names from the spec: the error body type,
    and the job states its waiters stop at."""
    if ERROR_TYPE not in types:
        raise source_map.error(
            ("types",), f"type '{ERROR_TYPE}' (the body of an error answer) is not defined"
        )
    states = vocabularies.get(STATUS_VOCABULARY)
    if states is None:
        raise source_map.error(
            ("vocabularies",), f"vocabulary '{STATUS_VOCABULARY}' (job states) is not defined"
        )
    for value in STATUS_VALUES:
        if value not in states["values"]:
            raise source_map.error(
                ("vocabularies", STATUS_VOCABULARY, "values"),
                f"vocabulary '{STATUS_VOCABULARY}' lacks the value '{value}' "
                "that the job waiters stop at",
            )


def _check_regexes(document: dict[str, Any], source_map: SourceMap) -> None:
    """Patterns that generated clients compile at run time must compile now."""
    places: list[tuple[Path_, str]] = [
        (("path_param_types", name, "pattern"), entry["pattern"])
        for name, entry in document["path_param_types"].items()
    ]
    if "token_pattern" in document["auth"]:
        places.append((("auth", "token_pattern"), document["auth"]["token_pattern"]))
    places += [
        (
            ("operations", operation_name, "url_layout", "parts", part_name, "pattern"),
            part["pattern"],
        )
        for operation_name, operation in document["operations"].items()
        for part_name, part in operation.get("url_layout", {}).get("parts", {}).items()
        if "pattern" in part
    ]
    for path, pattern in places:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise source_map.error(
                path, f"{_shorten(pattern)} is not a valid regular expression: {exc}"
            ) from None


def _check_drift(
    document: dict[str, Any], versions: dict[str, list[str]], source_map: SourceMap
) -> None:
    """Acknowledged differences must name a product, version and operation that exist,
    and each only once."""
    seen: set[tuple[str, ...]] = set()
    for index, entry in enumerate(document.get("drift", [])):
        where: Path_ = ("drift", index)
        if entry["product"] not in versions:
            raise source_map.error((*where, "product"), f"unknown product '{entry['product']}'")
        if entry["version"] not in versions[entry["product"]]:
            raise source_map.error(
                (*where, "version"),
                f"product '{entry['product']}' has no version '{entry['version']}'",
            )
        if entry["operation"] not in document["operations"] and entry[
            "operation"
        ] not in callback_names(document):
            raise source_map.error(
                (*where, "operation"), f"unknown operation '{entry['operation']}'"
            )
        key = tuple(entry[name] for name in ("product", "version", "operation", "kind", "place"))
        if key in seen:
            raise source_map.error(where, "this difference is already acknowledged above")
        seen.add(key)


def _check_type_expr(text: str, known: set[str], source_map: SourceMap, path: Path_) -> None:
    try:
        expr = parse_type(text)
    except TypeSyntaxError as exc:
        raise source_map.error(path, str(exc)) from None
    for name in named_references(expr):
        if name not in known:
            raise source_map.error(path, f"unknown type '{name}'")


def _check_vocabularies(vocabularies: dict[str, Any], source_map: SourceMap) -> None:
    for name, vocabulary in vocabularies.items():
        seen: dict[str, str] = {}
        for canonical, value in vocabulary["values"].items():
            for spelling in (canonical, *value.get("spellings", [])):
                if spelling in seen:
                    raise source_map.error(
                        ("vocabularies", name, "values", canonical),
                        f"spelling '{spelling}' of vocabulary {name} "
                        f"already belongs to '{seen[spelling]}'",
                    )
                seen[spelling] = canonical


def _check_unique(
    items: list[Any], key: str, path: Path_, source_map: SourceMap, what: str
) -> None:
    seen: set[Any] = set()
    for index, item in enumerate(items):
        value = item[key]
        if value in seen:
            raise source_map.error((*path, index, key), f"duplicate {what} '{value}'")
        seen.add(value)


def _check_overlay(
    overlay: dict[str, Any],
    index: int,
    types: dict[str, Any],
    known_types: set[str],
    versions: dict[str, list[str]],
    source_map: SourceMap,
) -> None:
    where: Path_ = ("overlays", index)
    when = overlay["when"]
    product = when["product"]
    if product not in versions:
        raise source_map.error(
            (*where, "when", "product"),
            f"overlay '{overlay['id']}' names unknown product '{product}'",
        )
    for bound in ("from", "until"):
        if bound in when and when[bound] not in versions[product]:
            raise source_map.error(
                (*where, "when", bound), f"product '{product}' has no version '{when[bound]}'"
            )
    if "from" in when and "until" in when:
        order = versions[product]
        if order.index(when["from"]) > order.index(when["until"]):
            raise source_map.error(
                (*where, "when"), f"version range {when['from']}..{when['until']} is empty"
            )
    for action in ("change", "add", "remove"):
        for type_name, fields in overlay.get(action, {}).items():
            if type_name not in types:
                raise source_map.error(
                    (*where, action, type_name), f"overlay on unknown type '{type_name}'"
                )
            if action == "remove":
                continue
            for field_name, field in fields.items():
                _check_type_expr(
                    field["type"],
                    known_types,
                    source_map,
                    (*where, action, type_name, field_name, "type"),
                )


def _check_operation(
    name: str, operation: dict[str, Any], document: dict[str, Any], source_map: SourceMap
) -> None:
    where: Path_ = ("operations", name)
    types = document["types"]
    response = operation["response"]
    for part, entry in (("response", response), ("request", operation.get("request", {}))):
        if "type" in entry and entry["type"] not in types:
            raise source_map.error((*where, part, "type"), f"unknown type '{entry['type']}'")
    if "returns" in response and not _returns_resolves(
        types, response["type"], response["returns"]
    ):
        raise source_map.error(
            (*where, "response", "returns"),
            f"'{response['returns']}' does not lead from {response['type']} to a type",
        )
    placeholders = set(_PLACEHOLDER.findall(operation.get("path", ""))) - _PATH_BUILTINS
    if "url" in operation:
        placeholders.add(operation["url"])
    declared = set(operation.get("path_params", {}))
    for missing in sorted(placeholders - declared):
        raise source_map.error(
            (*where, "url" if missing == operation.get("url") else "path"),
            f"path parameter '{{{missing}}}' is not declared in path_params",
        )
    for extra in sorted(declared - placeholders):
        raise source_map.error(
            (*where, "path_params", extra), f"path parameter '{extra}' does not appear in the path"
        )
    if "url_layout" in operation:
        _check_url_layout(operation["url_layout"], (*where, "url_layout"), source_map)
    for param_name, param in operation.get("path_params", {}).items():
        if param["type"] not in document["path_param_types"]:
            raise source_map.error(
                (*where, "path_params", param_name, "type"),
                f"unknown path parameter type '{param['type']}'",
            )
    for index, code in enumerate(operation["errors"]):
        if code not in document["errors"]:
            raise source_map.error(
                (*where, "errors", index), f"error code '{code}' is not in the error catalog"
            )


_URL_VALUE_NAMES = frozenset({"version", "org_id", "job_id"})
"""What a url_layout part's value may be made of."""


def _check_url_layout(layout: dict[str, Any], where: Path_, source_map: SourceMap) -> None:
    """The layout's path names exactly its parts (and ``{prefix}``), and each
    value is made of known names (_check_regexes compiles the patterns)."""
    named = _PLACEHOLDER.findall(layout["path"])
    for name in sorted({name for name in named if named.count(name) > 1}):
        raise source_map.error((*where, "path"), f"'{{{name}}}' appears more than once")
    if "prefix" in layout["parts"]:
        raise source_map.error(
            (*where, "parts", "prefix"), "'prefix' is the product's path prefix, not a part"
        )
    placeholders = set(named) - {"prefix"}
    for missing in sorted(placeholders - set(layout["parts"])):
        raise source_map.error((*where, "path"), f"'{{{missing}}}' is not one of the parts")
    for extra in sorted(set(layout["parts"]) - placeholders):
        raise source_map.error((*where, "parts", extra), f"part '{extra}' is not in the path")
    for name, part in layout["parts"].items():
        for unknown in sorted(set(_PLACEHOLDER.findall(part["value"])) - _URL_VALUE_NAMES):
            raise source_map.error(
                (*where, "parts", name, "value"),
                f"'{{{unknown}}}' is not one of {', '.join(sorted(_URL_VALUE_NAMES))}",
            )


def _returns_resolves(types: dict[str, Any], root: str, returns: str) -> bool:
    current: Any = Named(root)
    for part in returns.split("."):
        name, indexed = (part[:-3], True) if part.endswith("[0]") else (part, False)
        if not isinstance(current, Named) or current.name not in types:
            return False
        field = types[current.name]["fields"].get(name)
        if field is None:
            return False
        current = parse_type(field["type"])
        if indexed:
            if not isinstance(current, ListOf):
                return False
            current = current.item
    return isinstance(current, Named) and current.name in types


_DATA_CENTER_FIELDS = frozenset({"name", "description", "source"})


def _check_hosts(document: dict[str, Any], source_map: SourceMap) -> None:
    """Host kinds refer to kinds that serve what they say; every data center
    lists declared kinds and the accounts host; every product's hosts are of
    kinds that serve its API and its uploads."""
    kinds: dict[str, dict[str, Any]] = document["host_kinds"]
    serving = {name: entry["serves"] for name, entry in kinds.items()}

    def expect(kind: str, serves: str, where: Path_) -> None:
        if kind not in kinds:
            raise source_map.error(where, f"unknown host kind '{kind}'")
        if serving[kind] != serves:
            raise source_map.error(
                where, f"host kind '{kind}' serves {serving[kind]}, not {serves}"
            )

    for name, entry in kinds.items():
        where: Path_ = ("host_kinds", name)
        if name in _DATA_CENTER_FIELDS:
            raise source_map.error(where, f"host kind name '{name}' is a data center field")
        if entry["serves"] != "api":
            for key in ("upload", "token_domain", "environments"):
                if key in entry:
                    raise source_map.error((*where, key), f"only an API host kind has '{key}'")
        if "upload" in entry:
            expect(entry["upload"], "upload", (*where, "upload"))
        for environment, stand_in in entry.get("environments", {}).items():
            expect(stand_in, "api", (*where, "environments", environment))
    accounts = [name for name, serves in serving.items() if serves == "accounts"]
    if len(accounts) != 1:
        raise source_map.error(
            ("host_kinds",), f"exactly one host kind serves accounts, not {len(accounts)}"
        )
    if sum(1 for entry in kinds.values() if entry.get("token_domain")) > 1:
        raise source_map.error(("host_kinds",), "at most one host kind has token_domain")
    for index, center in enumerate(document["data_centers"]):
        for key in center:
            if key not in _DATA_CENTER_FIELDS and key not in kinds:
                raise source_map.error(("data_centers", index, key), f"unknown host kind '{key}'")
        if accounts[0] not in center:
            raise source_map.error(
                ("data_centers", index), f"data center lists no '{accounts[0]}' host"
            )
    for index, product in enumerate(document["products"]):
        where = ("products", index, "hosts")
        expect(product["hosts"]["data_center"], "api", (*where, "data_center"))
        expect(product["hosts"]["upload"], "upload", (*where, "upload"))
        if "custom_domain_description" in product["hosts"] and (
            "custom_domain" not in product["hosts"]
        ):
            raise source_map.error(
                (*where, "custom_domain_description"), "there is no custom_domain to describe"
            )


def _check_roles(document: dict[str, Any], source_map: SourceMap) -> None:
    """Each role is played by one operation at most; helpers are distinct and
    take no operation's name."""
    roles: dict[str, str] = {}
    helpers: dict[str, str] = {}
    for name, operation in document["operations"].items():
        where = ("operations", name)
        role = operation.get("role")
        if role is not None:
            if role in roles:
                raise source_map.error(
                    (*where, "role"), f"role '{role}' is already played by '{roles[role]}'"
                )
            roles[role] = name
        helper = operation.get("helper")
        if helper is not None:
            if helper in document["operations"] or helper in helpers:
                raise source_map.error((*where, "helper"), f"helper name '{helper}' is taken")
            helpers[helper] = name
        for part, type_name in operation.get("role_types", {}).items():
            if type_name not in document["types"]:
                raise source_map.error((*where, "role_types", part), f"unknown type '{type_name}'")


def callback_names(document: dict[str, Any]) -> dict[str, str]:
    """The callbacks the operations state, each with the operation that sends it."""
    return {
        operation["callback"]["name"]: name
        for name, operation in document["operations"].items()
        if "callback" in operation
    }


def _check_callbacks(document: dict[str, Any], source_map: SourceMap) -> None:
    """A callback (stated under the operation that sends it) has a name of its
    own and a body of a defined type."""
    senders: dict[str, str] = {}
    for sender, operation in document["operations"].items():
        callback = operation.get("callback")
        if callback is None:
            continue
        where: Path_ = ("operations", sender, "callback")
        name = callback["name"]
        if name in document["operations"]:
            raise source_map.error(
                (*where, "name"), f"'{name}' is both an operation and a callback"
            )
        if name in senders:
            raise source_map.error(
                (*where, "name"), f"callback '{name}' is already sent by '{senders[name]}'"
            )
        senders[name] = sender
        if callback["body"]["type"] not in document["types"]:
            raise source_map.error(
                (*where, "body", "type"), f"unknown type '{callback['body']['type']}'"
            )
