"""Request bodies from keyword arguments, in the shape of the client's own API
version: ``module="Contacts"`` becomes ``"Contacts"`` where the version's
request type names modules by a string and ``{"api_name": "Contacts"}`` where
it takes a module object. What a version wants is read from its generated
request models (the spec), never from product names.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, Final, TypedDict, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from zoho_bulk_core.errors import ZohoBulkError
from zoho_bulk_core.models import STRICT


class InvalidRequestError(ZohoBulkError, ValueError):
    """A request body (or the keyword arguments that build it) does not fit the
    client's API version; ``problems`` lists each ``(JSON pointer, message)``."""

    def __init__(self, what: str, problems: Sequence[tuple[str, str]]) -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        self.pointers: tuple[str, ...] = tuple(pointer for pointer, _ in self.problems)
        listed = "; ".join(
            f"{pointer}: {message}" if pointer else message
            for pointer, message in problems
        )
        super().__init__(f"invalid {what}: {listed}")


class BulkReadOptions(TypedDict, total=False):
    """Keyword arguments that build a create-bulk-read-job body (each version
    takes the ones its request type has; ``page_token`` from CRM v7 on)."""

    module: str | Mapping[str, Any]
    """API name of the module to export (or the version's module object)."""
    fields: Sequence[str]
    """API names of the fields to export; all when absent."""
    criteria: Mapping[str, Any]
    """A condition ``{api_name, comparator, value}`` or a group ``{group_operator, group}``."""
    cvid: str | int
    """Id of a custom view whose filter applies."""
    page: int
    """Page of records to export, from 1."""
    page_token: str
    """Token of the page to export, from a previous result."""
    file_type: str
    """csv (default) or ics (Events)."""
    callback_url: str
    """URL the vendor notifies when the job ends."""


class BulkWriteOptions(TypedDict, total=False):
    """Keyword arguments that build a create-bulk-write-job body for one module."""

    operation: str
    """insert, update or upsert."""
    module: str | Mapping[str, Any]
    """API name of the module to import into (or the version's module object)."""
    file_id: str | int
    """Id of the uploaded zip, from upload_file."""
    find_by: str
    """Unique field that finds existing records (update and upsert)."""
    field_mappings: Sequence[Mapping[str, Any]]
    """How CSV columns map to fields: ``{api_name, index}``, ...; by header when absent."""
    file_names: Sequence[str]
    """CSV files of the zip to import (CRM v5 on)."""
    ignore_empty: bool
    """Leave fields unchanged for empty CSV cells."""
    character_encoding: str
    """Encoding of the CSV file; detected when absent."""
    type: str
    """Kind of content imported (data, the default)."""
    callback_url: str
    """URL the vendor notifies when the job ends."""


CALLBACK_URL: Final = "callback_url"
"""The keyword that fills the request's ``callback`` object (its ``url``)."""
CRITERIA: Final = "criteria"
"""The keyword whose conditions and groups are fitted to the version (shape_criteria)."""
GROUP: Final = "group"
"""The key of a criteria group's list of conditions and groups."""

_Model = TypeVar("_Model", bound=BaseModel)


def build_request(
    model: type[BaseModel],
    request: BaseModel | Mapping[str, Any] | None,
    options: Mapping[str, Any],
    *,
    version: str | None = None,
) -> dict[str, Any]:
    """The JSON body of a request given whole (``request``) or by keywords
    (``options``), checked strictly against ``model``.

    Raises InvalidRequestError (also a ValueError) naming each problem by its
    JSON pointer: an unknown or misplaced keyword, a missing or mistyped field;
    and the API version (``zoho_bulk_crm.v4``: the client's, as a model may be
    an earlier version's that the client's version shares), by default the
    model's own.
    """
    given = {key: value for key, value in options.items() if value is not None}
    if request is not None and given:
        raise InvalidRequestError(
            _what(model, version),
            [
                (
                    "",
                    f"give a request or keyword arguments, not both ({', '.join(given)})",
                )
            ],
        )
    if request is None:
        request = body_from_options(model, given, version=version)
    return request_body(model, request, version=version)


def request_body(
    model: type[_Model],
    request: _Model | Mapping[str, Any],
    *,
    version: str | None = None,
) -> dict[str, Any]:
    """The JSON body for ``request``: a model instance, or a mapping checked
    strictly against ``model`` first. Unset fields and None are left out."""
    if isinstance(request, model):
        checked = request
    else:
        try:
            checked = model.model_validate(request, context=STRICT)
        except ValidationError as error:
            raise InvalidRequestError(
                _what(model, version), validation_problems(error, request)
            ) from None
    return checked.model_dump(
        mode="json", exclude_unset=True, exclude_none=True, by_alias=True
    )


def validation_problems(error: ValidationError, data: object) -> list[tuple[str, str]]:
    """Each error of ``error`` as (JSON pointer into ``data``, message)."""
    problems: list[tuple[str, str]] = []
    for entry in error.errors(include_url=False):
        pointer = json_pointer(data, entry["loc"])
        problem = (pointer, str(entry["msg"]))
        if problem not in problems:
            problems.append(problem)
    return problems


def json_pointer(data: object, location: Sequence[int | str]) -> str:
    """The JSON pointer of a pydantic error location, walking ``data`` so that
    the union member names pydantic adds (``CriteriaGroup``, ``str``) drop out."""
    steps: list[str] = []
    current = data
    for position, step in enumerate(location):
        if isinstance(current, Mapping) and step in current:
            current = current[step]
        elif isinstance(current, Sequence) and not isinstance(current, str | bytes):
            if not isinstance(step, int) or not 0 <= step < len(current):
                continue
            current = current[step]
        elif position == len(location) - 1 and isinstance(current, Mapping):
            pass  # a missing field: the last step names it
        else:
            continue
        steps.append(str(step).replace("~", "~0").replace("/", "~1"))
    return "".join("/" + step for step in steps)


def body_from_options(
    model: type[BaseModel],
    options: Mapping[str, Any],
    *,
    version: str | None = None,
) -> dict[str, Any]:
    """A request body for ``model`` from keyword arguments.

    A keyword goes to the request's own field of that name and to the field
    of that name of its *part*: the one required field that holds an object,
    or a list of them (a read's ``query``, a write's ``resource``, given as one
    element). A keyword both take fills both (``ignore_empty``: the vendor's
    reference pages put it at the top of a write from CRM v2.1 on, its SDKs
    for CRM v2 and Bigin v1 in each resource, and its OpenAPI for CRM v8 in
    both; the spec accepts both everywhere), so it takes effect wherever the
    version reads it. ``callback_url`` fills ``callback.url``. Values are
    shaped as the version wants them (``module``, ``criteria``: see
    shape_value and shape_criteria), and a required field whose vocabulary has
    a single value (``callback.method``, a resource's ``type``) gets that value.
    """
    fields = _fields(model)
    part_name, part_model, part_is_list = _part(model)
    part_fields = _fields(part_model) if part_model is not None else {}
    part_pointer = f"/{part_name}" + ("/0" if part_is_list else "")
    top: dict[str, Any] = {}
    inner: dict[str, Any] = {}
    unknown: list[str] = []
    problems: list[tuple[str, str]] = []
    for key, value in options.items():
        if key == CALLBACK_URL and "callback" in fields:
            top["callback"] = {"url": value}
            continue
        placed = False
        if key in fields and key != part_name:
            top[key] = shape_value(value, fields[key])
            placed = True
        if key in part_fields:
            if key == CRITERIA:
                value = shape_criteria(
                    value, part_fields[key], f"{part_pointer}/{key}", problems
                )
            inner[key] = shape_value(value, part_fields[key])
            placed = True
        if not placed:
            unknown.append(key)
    if unknown:
        accepted = sorted(_keywords(model))
        raise InvalidRequestError(
            _what(model, version),
            [
                (
                    "",
                    f"unknown keyword {key!r} (this version takes: {', '.join(accepted)})",
                )
                for key in unknown
            ],
        )
    if problems:
        raise InvalidRequestError(_what(model, version), problems)
    for key, value in list(top.items()):
        nested = _model_of(fields[key].annotation)
        if nested is not None and isinstance(value, Mapping):
            top[key] = with_single_values(nested, value)
    if part_name is not None and part_model is not None:
        if inner or part_name not in top:
            inner = with_single_values(part_model, inner)
            top[part_name] = [inner] if part_is_list else inner
    return top


def shape_value(value: Any, field: FieldInfo) -> Any:
    """``value`` in the shape ``field`` takes: a string where the version wants
    an object becomes that object with its one required field (a module's
    ``api_name``); an object where it wants a string becomes that field's value."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_unset=True, by_alias=True)
    nested = _model_of(field.annotation)
    takes_text = _admits(field.annotation, str)
    if isinstance(value, str) and nested is not None and not takes_text:
        required = [
            name for name, info in _fields(nested).items() if info.is_required()
        ]
        if len(required) == 1:
            return {required[0]: value}
    if isinstance(value, Mapping) and takes_text and nested is None:
        named = [
            value[key]
            for key in ("api_name", "name")
            if isinstance(value.get(key), str)
        ]
        if named:
            return named[0]
    return value


def shape_criteria(
    criteria: Any,
    field: FieldInfo,
    pointer: str,
    problems: list[tuple[str, str]],
) -> Any:
    """``criteria`` (a condition or a group of them, nested) in the shape the
    version's ``criteria`` field takes, read from its condition and group models.

    Every version names a condition's field by ``api_name``; CRM from v2.1 on
    also takes ``field: {api_name}``, and CRM from v6 on a condition ``type``
    (``value``: the value is a literal, the only documented kind). So a
    ``field`` object (or a field name as ``field``) becomes ``api_name`` where
    the version has no ``field``, and ``type: "value"`` is left out where the
    version has no ``type`` (a literal is what those versions compare with).
    What cannot be carried over (another ``type``, a ``field`` without an
    ``api_name``, ``field`` and ``api_name`` naming different fields) is added to
    ``problems`` with its JSON pointer. Group operators (``and``, ``AND``, ...),
    comparators and values are the same in every version; the request's model
    checks them. Anything else is left as given, for the model to judge.
    """
    if isinstance(criteria, BaseModel):
        criteria = criteria.model_dump(mode="json", exclude_unset=True, by_alias=True)
    models = [
        option
        for option in _options(field.annotation)
        if _is_model(option) and option is not type(None)
    ]
    group_model = next((m for m in models if GROUP in _fields(m)), None)
    condition_model = next((m for m in models if m is not group_model), None)
    if condition_model is None:
        return criteria
    return _fit_criterion(
        criteria, _fields(condition_model), group_model is not None, pointer, problems
    )


def _fit_criterion(
    node: Any,
    condition: Mapping[str, FieldInfo],
    has_groups: bool,
    pointer: str,
    problems: list[tuple[str, str]],
) -> Any:
    if isinstance(node, BaseModel):
        node = node.model_dump(mode="json", exclude_unset=True, by_alias=True)
    if not isinstance(node, Mapping):
        return node
    if has_groups and isinstance(node.get(GROUP), Sequence):
        items = node[GROUP]
        if isinstance(items, str | bytes):
            return dict(node)
        return {
            **node,
            GROUP: [
                _fit_criterion(
                    item, condition, has_groups, f"{pointer}/{GROUP}/{index}", problems
                )
                for index, item in enumerate(items)
            ],
        }
    fitted = dict(node)
    field_ref = fitted.get("field")
    if isinstance(field_ref, BaseModel):
        field_ref = field_ref.model_dump(mode="json", exclude_unset=True)
        fitted["field"] = field_ref
    if isinstance(field_ref, str) or ("field" in fitted and "field" not in condition):
        name = field_ref if isinstance(field_ref, str) else None
        if isinstance(field_ref, Mapping) and isinstance(
            field_ref.get("api_name"), str
        ):
            name = field_ref["api_name"]
        if name is None:
            problems.append((f"{pointer}/field", "name the field by its api_name"))
        elif fitted.get("api_name", name) != name:
            problems.append(
                (
                    f"{pointer}/field",
                    f"names {name!r}, but api_name names {fitted['api_name']!r}",
                )
            )
        else:
            del fitted["field"]
            fitted["api_name"] = name
    if "type" in fitted and "type" not in condition:
        if fitted["type"] == LITERAL_VALUE_TYPE:
            del fitted["type"]
        else:
            problems.append(
                (
                    f"{pointer}/type",
                    f"this version compares with literal values only;"
                    f" it takes no type {fitted['type']!r}",
                )
            )
    return fitted


LITERAL_VALUE_TYPE: Final = "value"
"""A condition ``type`` saying its value is a literal: what versions without
``type`` compare with anyway (zohocrmsdk6-0 Criteria.type; zoho/crm-oas v8.0)."""


def with_single_values(
    model: type[BaseModel], body: Mapping[str, Any]
) -> dict[str, Any]:
    """``body`` with each missing required field whose vocabulary has one value set to it."""
    filled = dict(body)
    for key, info in _fields(model).items():
        if key in filled or not info.is_required():
            continue
        members = _single_member(info.annotation)
        if members is not None:
            filled[key] = members
    return filled


def _what(model: type[BaseModel], version: str | None) -> str:
    """``BulkReadRequest (zoho_bulk_crm.v7)``: the request type and its
    version (``version``, else the package that defines the model)."""
    package = version or model.__module__.removesuffix(".models")
    return f"{model.__name__} ({package})"


def _keywords(model: type[BaseModel]) -> set[str]:
    fields = _fields(model)
    part_name, part_model, _ = _part(model)
    names = set(fields) - {part_name}
    if part_model is not None:
        names |= set(_fields(part_model))
    if "callback" in fields:
        names.add(CALLBACK_URL)
    return names


def _fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """A model's fields by their JSON key."""
    return {(info.alias or name): info for name, info in model.model_fields.items()}


def _part(model: type[BaseModel]) -> tuple[str | None, type[BaseModel] | None, bool]:
    """The required field holding the request's main object (or a list of them)."""
    for key, info in _fields(model).items():
        if not info.is_required():
            continue
        nested = _model_of(info.annotation)
        if nested is not None:
            return key, nested, _is_list(info.annotation)
    return None, None, False


def _options(annotation: Any) -> list[Any]:
    """The members of a union annotation (Optional included), or the annotation."""
    if get_origin(annotation) in (Union, types.UnionType):
        return [option for arg in get_args(annotation) for option in _options(arg)]
    if hasattr(annotation, "__metadata__"):  # Annotated[...]
        return _options(get_args(annotation)[0])
    return [annotation]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model an annotation holds, directly or as a list's items."""
    for option in _options(annotation):
        if get_origin(option) is list:
            option = get_args(option)[0]
            inner = [item for item in _options(option) if _is_model(item)]
            if inner:
                return inner[0]  # type: ignore[no-any-return]
        if _is_model(option):
            return option  # type: ignore[no-any-return]
    return None


def _is_model(option: Any) -> bool:
    return isinstance(option, type) and issubclass(option, BaseModel)


def _is_list(annotation: Any) -> bool:
    return any(get_origin(option) is list for option in _options(annotation))


def _admits(annotation: Any, kind: type) -> bool:
    return any(option is kind for option in _options(annotation))


def _single_member(annotation: Any) -> str | None:
    """The value of a vocabulary that has exactly one, if the annotation is one."""
    for option in _options(annotation):
        if isinstance(option, type) and issubclass(option, Enum):
            members = list(option)
            if len(members) == 1:
                return str(members[0].value)
    return None
