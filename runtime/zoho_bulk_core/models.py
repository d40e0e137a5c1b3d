"""Base classes of the generated payload models.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Final, Self, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    ValidationInfo,
    field_validator,
    model_validator,
)

STRICT: Final[dict[str, Any]] = {"zoho_bulk_strict": True}
"""Validation context for docs conformance.

``Model.model_validate(data, context=STRICT)`` rejects fields and vocabulary
values the spec does not know."""


def is_strict(info: ValidationInfo) -> bool:
    """Whether the current validation runs with the STRICT context."""
    context = info.context
    return isinstance(context, dict) and bool(context.get("zoho_bulk_strict"))


_E = TypeVar("_E", bound=StrEnum)


def parse_vocabulary(
    value: object, spellings: Mapping[str, _E], name: str, info: ValidationInfo
) -> _E | str:
    """Map a documented spelling to its canonical member; keep unknown strings
    unless validation is strict (used by the spec's vocabularies, in
    ``zoho_bulk_core.vocabulary``)."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    member = spellings.get(value)
    if member is not None:
        return member
    if is_strict(info):
        known = ", ".join(repr(spelling) for spelling in spellings)
        raise ValueError(f"{value!r} is not a known {name} (known: {known})")
    return value


def serialize_vocabulary(value: StrEnum | str) -> str:
    """Write a vocabulary value as its canonical spelling."""
    return str(value)


def _require_iso_text(value: object) -> object:
    if isinstance(value, str):
        # The schemas' date-time check (rfc3339-validator) lets one trailing
        # newline pass, as Python's $ does; so does the model.
        return value.removesuffix("\n")
    if isinstance(value, datetime):
        return value
    raise ValueError("a date-time must be an ISO 8601 string")


Timestamp = Annotated[AwareDatetime, Strict(False), BeforeValidator(_require_iso_text)]
"""A date-time with its UTC offset, read from an ISO 8601 string (not a number)."""


def _require_digits(value: str) -> str:
    if value and value.isascii() and value.isdigit():
        return value
    raise ValueError("should be a string of digits 0-9")


Digits = Annotated[str, AfterValidator(_require_digits)]
"""A string of decimal digits, as the vendor writes its 64-bit ids."""


class BulkModel(BaseModel):
    """Base of every payload model.

    Types are checked as the JSON Schemas check them: no string is turned into
    a number or a flag. Reading is otherwise lenient by default: fields the spec
    does not know are kept (see ``model_extra``) so that a newer server does not
    break an older client.
    """

    model_config = ConfigDict(
        strict=True,
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        # Spec field names are the vendor's; one such as ``model_validate_at``
        # must not draw pydantic's warning about its own ``model_`` methods
        # (fields that would replace one are renamed with an alias instead).
        protected_namespaces=(),
    )

    __zoho_require_one_of__: ClassVar[tuple[str, ...]] = ()
    """JSON keys of fields of which at least one must be present (set by generated models)."""

    __zoho_nullable__: ClassVar[tuple[str, ...]] = ()
    """JSON keys of the fields that may hold null (set by generated models).

    An optional field's annotation admits None, which stands for "absent"; a
    null sent for any field not listed here is refused, as the schema refuses it."""

    @field_validator("*", mode="before")
    @classmethod
    def _read_as_json_schema_does(cls, value: object, info: ValidationInfo) -> object:
        # JSON Schema's integers include numbers written with a zero fraction
        # (1.0), which strict pydantic would refuse; null is refused unless the
        # field is nullable.
        if type(value) is float and value.is_integer():
            return int(value)
        if value is None and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            key = (field.alias if field is not None else None) or info.field_name
            if key not in cls.__zoho_nullable__:
                raise ValueError("null is not allowed here; leave the field out")
        return value

    @model_validator(mode="after")
    def _check_presence_and_strictness(self, info: ValidationInfo) -> Self:
        group = type(self).__zoho_require_one_of__
        if group and not any(
            _attribute_of(type(self), key) in self.model_fields_set for key in group
        ):
            raise ValueError(f"one of these fields is required: {', '.join(group)}")
        if is_strict(info) and self.model_extra:
            names = ", ".join(sorted(self.model_extra))
            raise ValueError(f"unknown field(s) not allowed in strict mode: {names}")
        return self


def _attribute_of(model: type[BaseModel], key: str) -> str:
    """The attribute name of the field whose JSON key is ``key`` (``class`` -> ``class_``)."""
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return name
    return key


class ModuleAccess(BulkModel):
    """Gives version-agnostic access to a ``module`` that older API versions send
    as a bare API name and newer ones as an ``{api_name, id}`` object."""

    @property
    def module_api_name(self) -> str | None:
        """The module's API name, whichever shape ``module`` has."""
        module = getattr(self, "module", None)
        if module is None or isinstance(module, str):
            return module
        api_name = getattr(module, "api_name", None)
        return api_name if isinstance(api_name, str) else None

    @property
    def module_id(self) -> str | None:
        """The module's id when the API version sends one, else None."""
        module = getattr(self, "module", None)
        module_id = getattr(module, "id", None)
        return module_id if isinstance(module_id, str) else None


_Model = TypeVar("_Model", bound=BaseModel)


def request_body(
    model: type[_Model], request: _Model | Mapping[str, Any]
) -> dict[str, Any]:
    """The JSON body for ``request``: a model instance, or a mapping checked
    strictly against ``model`` first (a ValueError names what is wrong)."""
    checked = (
        request
        if isinstance(request, model)
        else model.model_validate(request, context=STRICT)
    )
    return checked.model_dump(mode="json", exclude_unset=True, by_alias=True)
