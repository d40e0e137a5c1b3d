"""The Python target's reserved words: spec names its output cannot carry.

Run after normalize (the spec is valid by then); each refusal is one line
naming the spec file and the place, like validate's. Another target declares
its own reserved words in a check of its own."""

from __future__ import annotations

import keyword
from typing import Any

from generator.spec.load import LoadedSpec, Path_, SourceMap
from generator.targets.python.names import package
from generator.targets.python.text import snake_case
from generator.targets.python.views import CLIENT_MEMBERS, HELPER_ROLES, METHOD_NAMES, keyword_types

RESERVED_PRODUCT_NAMES = frozenset({"core"})
"""Product names whose package (zoho_bulk_<name>) is taken."""
_PYTHON_CONSTANTS = frozenset({"None", "True", "False"})
CALLBACKS_MODULE_NAMES = frozenset({"parse_notification"})
"""Names the generated callbacks module imports (a parse_<callback> must not replace one)."""
MIXIN_ATTRIBUTES = {"ModuleAccess": frozenset({"module_api_name", "module_id"})}
"""The properties each mixin adds to a model (runtime/zoho_bulk_core/models.py)."""
RESERVED_MODEL_NAMES = _PYTHON_CONSTANTS | frozenset(
    {"Annotated", "Any", "Field", "RootModel", "BulkModel", "ModuleAccess", "Timestamp"}
    | {"TimestampModel"}
)
"""Names the generated models modules import or define besides the spec's types."""
RESERVED_VOCABULARY_NAMES = _PYTHON_CONSTANTS | frozenset(
    {"Annotated", "Final", "TypeVar", "Mapping", "StrEnum", "PlainSerializer", "PlainValidator"}
    | {"ValidationInfo"}
)
"""Names the generated vocabulary module imports besides the spec's vocabularies."""


def check_python_names(loaded: LoadedSpec) -> None:
    """Raise SpecError for the first spec name the Python packages cannot carry."""
    document, source_map = loaded.document, loaded.source_map
    types: dict[str, Any] = document["types"]
    _check_generated_names(types, document["vocabularies"], source_map)
    for name, type_def in types.items():
        for field_name in type_def["fields"]:
            _check_mixin_attribute(types, name, field_name, source_map, ("types", name, "fields"))
    for index, product in enumerate(document["products"]):
        if product["name"] in RESERVED_PRODUCT_NAMES:
            raise source_map.error(
                ("products", index, "name"),
                f"product name '{product['name']}' is taken: {package(product['name'])} "
                "is the shared runtime package",
            )
    for index, overlay in enumerate(document.get("overlays", [])):
        for action in ("change", "add"):
            for type_name, fields in overlay.get(action, {}).items():
                for field_name in fields:
                    where: Path_ = ("overlays", index, action, type_name)
                    _check_mixin_attribute(types, type_name, field_name, source_map, where)
    for name, operation in document["operations"].items():
        _check_operation(name, operation, source_map)
    _check_callbacks(document, source_map)
    _check_helpers(document, source_map)
    _check_requests(document, source_map)


def _check_generated_names(
    types: dict[str, Any], vocabularies: dict[str, Any], source_map: SourceMap
) -> None:
    """Type and vocabulary names become Python names in modules that import
    names of their own; refuse those that would shadow one, or collide."""
    value_aliases = {f"{name}Value": name for name in vocabularies}
    for name in types:
        if name in RESERVED_MODEL_NAMES or name in value_aliases:
            if name in value_aliases:
                taken_by = f"the alias of vocabulary {value_aliases[name]}"
            elif name in _PYTHON_CONSTANTS:
                taken_by = "a Python constant"
            else:
                taken_by = "a name the models module imports or defines"
            raise source_map.error(
                ("types", name), f"type name '{name}' is taken in the generated models ({taken_by})"
            )
    helpers: dict[str, str] = {}
    for name in vocabularies:
        if name in RESERVED_VOCABULARY_NAMES or name in value_aliases:
            raise source_map.error(
                ("vocabularies", name),
                f"vocabulary name '{name}' is taken in the generated vocabulary module",
            )
        helper = snake_case(name)
        if helper in helpers:
            raise source_map.error(
                ("vocabularies", name),
                f"vocabulary '{name}' and '{helpers[helper]}' are both '{helper}' in snake case, "
                "which names their generated helpers",
            )
        helpers[helper] = name


def _check_mixin_attribute(
    types: dict[str, Any], type_name: str, field_name: str, source_map: SourceMap, where: Path_
) -> None:
    """A field must not take the name of a property its type's mixins give it."""
    for mixin in types[type_name].get("mixins", []):
        if field_name in MIXIN_ATTRIBUTES.get(mixin, ()):
            raise source_map.error(
                (*where, field_name),
                f"field '{field_name}' of {type_name} would hide the {mixin} property of that name",
            )


def _check_operation(name: str, operation: dict[str, Any], source_map: SourceMap) -> None:
    """An operation's name becomes a client method, its path parameters the
    method's arguments."""
    where: Path_ = ("operations", name)
    if keyword.iskeyword(name) or name in CLIENT_MEMBERS:
        what = "a Python keyword" if keyword.iskeyword(name) else "a member the clients define"
        raise source_map.error(where, f"operation name '{name}' is {what}")
    for param_name in operation.get("path_params", {}):
        if keyword.iskeyword(param_name) or param_name in METHOD_NAMES:
            raise source_map.error(
                (*where, "path_params", param_name),
                f"path parameter name '{param_name}' is taken in the client methods",
            )


def _check_callbacks(document: dict[str, Any], source_map: SourceMap) -> None:
    """A callback's name makes parse_<name> in the callbacks module."""
    for sender, operation in document["operations"].items():
        name = operation.get("callback", {}).get("name")
        if f"parse_{name}" in CALLBACKS_MODULE_NAMES:
            raise source_map.error(
                ("operations", sender, "callback", "name"),
                f"callback name '{name}' would make parse_{name}, which the callbacks "
                "module already imports",
            )


def _check_helpers(document: dict[str, Any], source_map: SourceMap) -> None:
    """Client helpers exist for some roles only, and take no client member's name."""
    for name, operation in document["operations"].items():
        helper = operation.get("helper")
        if helper is None:
            continue
        where = ("operations", name, "helper")
        if operation.get("role") not in HELPER_ROLES:
            roles = ", ".join(sorted(HELPER_ROLES))
            raise source_map.error(where, f"only an operation of role {roles} has a helper")
        if helper in CLIENT_MEMBERS:
            raise source_map.error(where, f"helper name '{helper}' is taken")


def _check_requests(document: dict[str, Any], source_map: SourceMap) -> None:
    """A request's keyword arguments name a TypedDict of zoho_bulk_core.requests;
    a batch helper goes with a download-read-result helper and takes a free name."""
    operations: dict[str, Any] = document["operations"]
    helpers = {op["helper"]: name for name, op in operations.items() if "helper" in op}
    for name, operation in operations.items():
        where: Path_ = ("operations", name)
        keywords = operation.get("request", {}).get("keywords")
        if keywords is not None and keywords not in keyword_types():
            raise source_map.error(
                (*where, "request", "keywords"),
                f"unknown keyword arguments '{keywords}' (zoho_bulk_core.requests has "
                + ", ".join(sorted(keyword_types()))
                + ")",
            )
        batch_helper = operation.get("batch_helper")
        if batch_helper is None:
            continue
        if operation.get("role") != "download-read-result" or "helper" not in operation:
            raise source_map.error(
                (*where, "batch_helper"),
                "only an operation of role download-read-result with a helper has a batch_helper",
            )
        if batch_helper in operations or batch_helper in helpers or batch_helper in CLIENT_MEMBERS:
            raise source_map.error(
                (*where, "batch_helper"), f"helper name '{batch_helper}' is taken"
            )
        helpers[batch_helper] = name
