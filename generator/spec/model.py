"""The normalized spec: plain, typed, immutable data that the emit stages and
templates read. Overlays are already resolved here: each ProductVersion holds
the concrete types of that product and version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.spec.type_expr import TypeExpr

ERROR_TYPE = "ErrorResponse"
"""The type of an error answer's body (every spec defines it)."""
STATUS_VOCABULARY = "JobStatus"
"""The vocabulary of a job's states (every spec defines it)."""
STATUS_VALUES = ("COMPLETED", "FAILED")
"""The states of STATUS_VOCABULARY a job ends in, which the waiters stop at."""


@dataclass(frozen=True)
class AuthScheme:
    """How requests carry the access token."""

    header: str
    scheme: str
    token_pattern: str


@dataclass(frozen=True)
class HostKind:
    """A kind of host a data center may list, and what it serves."""

    name: str
    serves: str
    """``api``, ``upload`` or ``accounts``."""
    upload: str | None
    """The upload kind that goes with this API kind, if any."""
    token_domain: bool
    """Whether a token answer names hosts of this kind (its ``api_domain``)."""
    environments: tuple[tuple[str, str], ...]
    """(environment, host kind) of the kinds that stand in for this one elsewhere."""


@dataclass(frozen=True)
class DataCenter:
    """One of the vendor's data centers and its hosts, by kind."""

    name: str
    description: str
    hosts: tuple[tuple[str, str], ...]
    """(host kind, host name), in the spec's order; a kind not served is absent."""

    def host(self, kind: str) -> str | None:
        """The host of ``kind`` here, if this data center has one."""
        return dict(self.hosts).get(kind)


@dataclass(frozen=True)
class VocabularyValue:
    """One canonical value of a vocabulary and the other spellings that mean it."""

    canonical: str
    description: str
    spellings: tuple[str, ...]

    @property
    def all_spellings(self) -> tuple[str, ...]:
        """The canonical spelling, then the others."""
        return (self.canonical, *self.spellings)


@dataclass(frozen=True)
class Vocabulary:
    """A closed set of documented values (states, operators, ...)."""

    name: str
    description: str
    values: tuple[VocabularyValue, ...]

    @property
    def all_spellings(self) -> tuple[str, ...]:
        """Every accepted spelling, canonical ones first."""
        canonical = tuple(value.canonical for value in self.values)
        others = tuple(spelling for value in self.values for spelling in value.spellings)
        return canonical + others


@dataclass(frozen=True)
class FieldSpec:
    """One field of a payload type."""

    name: str
    type: TypeExpr
    required: bool
    description: str
    constraints: tuple[tuple[str, int], ...] = ()
    """Bounds on the value, as (kind, bound) pairs in spec order: ``min_items``,
    ``max_items`` (lists), ``minimum`` (numbers), ``max_length`` (strings)."""


@dataclass(frozen=True)
class TypeSpec:
    """A payload type as it is in one product and version."""

    name: str
    description: str
    fields: tuple[FieldSpec, ...]
    mixins: tuple[str, ...]
    require_one_of: tuple[str, ...]


@dataclass(frozen=True)
class ErrorCode:
    """A documented error code."""

    code: str
    http_status: int
    """The status the code comes with; in an operation's errors, the status there."""
    meaning: str
    result_row: bool = False
    """Whether the code is also a row's outcome in a bulk write result file."""


@dataclass(frozen=True)
class PathParam:
    """A path parameter and the pattern its values must match."""

    name: str
    type_name: str
    pattern: str
    description: str


@dataclass(frozen=True)
class UrlPart:
    """One part of a whole-URL parameter's layout."""

    name: str
    pattern: str | None
    """What the part matches; None for the spec's id pattern."""
    value: str
    """How the part is filled: the version resolved, ``{org_id}`` and ``{job_id}`` open."""
    description: str


@dataclass(frozen=True)
class UrlLayout:
    """What a whole-URL parameter holds, as a path of parts that hold no ``/``."""

    path: str
    """A path template over the parts (the product's prefix resolved)."""
    parts: tuple[UrlPart, ...]


@dataclass(frozen=True)
class Operation:
    """An HTTP operation as it is in one product and version."""

    name: str
    summary: str
    description: str
    method: str
    host: str
    """Which host serves it: ``api`` or ``upload``."""
    path: str | None
    """Path template on the host, ``{param}`` for path parameters; None with url_param."""
    url_param: str | None
    """The parameter holding the whole URL (absolute, or relative to the API host)."""
    url_layout: UrlLayout | None
    path_params: tuple[PathParam, ...]
    headers: tuple[tuple[str, str], ...]
    org_header: str | None
    """Name of the header that carries the organization id, if the operation needs it."""
    scopes: tuple[tuple[str, ...], ...]
    request_type: str | None
    multipart_field: str | None
    response_type: str | None
    response_content: str | None
    success_status: int
    returns_path: tuple[str | int, ...]
    """Where the part a client hands back sits in the response: field names and list indexes."""
    returns_type: str | None
    retry_safe: bool
    errors: tuple[ErrorCode, ...]
    errors_with_http_200: bool
    """Whether this product version sends this operation's errors with HTTP 200."""
    role: str | None = None
    """What the operation does in a bulk job's life (``create-read-job``, ...), if
    the spec says: the clients' helpers and the mock's answers follow it."""
    helper: str | None = None
    """The client helper built on this operation, if any (a waiter, a row iterator)."""
    role_types: tuple[tuple[str, str], ...] = ()
    """(part, type name): the types whose shape the role's behaviour reads, such
    as the read job's ``query`` and ``result`` or the write job's ``resource``."""
    callback: str | None = None
    """The callback (notification) this operation asks for, if any."""
    request_keywords: str | None = None
    """The name of the runtime's options type, if the spec names one: the
    request body's fields that a client method also takes as named arguments
    instead of the body. Each target's runtime defines a type of this name."""
    batch_helper: str | None = None
    """The client helper that reads a download-read-result export as record
    batches, if any."""

    def role_type(self, part: str) -> str:
        """The type that plays ``part`` for this operation's role (the spec
        states it: the meta-schema requires it for the roles that read it)."""
        found = dict(self.role_types).get(part)
        if found is None:
            raise KeyError(f"{self.name} names no {part} type (role_types)")
        return found


@dataclass(frozen=True)
class Callback:
    """A notification the vendor posts to a URL of the user's."""

    name: str
    summary: str
    description: str
    body_type: str


@dataclass(frozen=True)
class Example:
    """A sample payload and where it came from."""

    name: str
    product: str
    version: str
    operation: str
    request: bool
    payload: Any
    source: str
    repairs: tuple[str, ...]


@dataclass(frozen=True)
class ProductVersion:
    """One API version of a product, with its concrete types and operations."""

    product: str
    product_title: str
    version: str
    source: str
    types: tuple[TypeSpec, ...]
    operations: tuple[Operation, ...]
    callbacks: tuple[Callback, ...]
    examples: tuple[Example, ...]
    absolute_download_urls: bool = False
    """Whether results are linked by absolute URL (the mock's answers follow it)."""

    def operation_with_role(self, role: str) -> Operation | None:
        """The operation that plays ``role`` in this version, if one does."""
        return next((op for op in self.operations if op.role == role), None)

    def role_type(self, role: str, part: str) -> str:
        """The type that plays ``part`` for the operation of ``role`` here."""
        operation = self.operation_with_role(role)
        if operation is None:
            raise KeyError(f"no operation of role {role}")
        return operation.role_type(part)

    def type_named(self, name: str) -> TypeSpec:
        """The type called ``name`` in this version."""
        for type_spec in self.types:
            if type_spec.name == name:
                return type_spec
        raise KeyError(name)


@dataclass(frozen=True)
class Product:
    """A product of the vendor (its API under one path prefix) and its versions."""

    name: str
    title: str
    path_prefix: str
    scope_prefix: str
    org_header: str
    host_kind: str
    upload_kind: str
    custom_domain: str | None
    custom_domain_description: str | None
    versions: tuple[ProductVersion, ...]


@dataclass(frozen=True)
class NormalizedSpec:
    """Everything the emit stages need, overlays resolved."""

    auth: AuthScheme
    host_kinds: tuple[HostKind, ...]
    data_centers: tuple[DataCenter, ...]
    vocabularies: tuple[Vocabulary, ...]
    errors: tuple[ErrorCode, ...]
    products: tuple[Product, ...]

    def host_kind(self, name: str) -> HostKind:
        """The host kind called ``name``."""
        return next(kind for kind in self.host_kinds if kind.name == name)

    def kinds_serving(self, serves: str) -> tuple[HostKind, ...]:
        """The host kinds that serve ``serves`` (api, upload or accounts)."""
        return tuple(kind for kind in self.host_kinds if kind.serves == serves)

    def accounts_host(self, center: DataCenter) -> str:
        """The OAuth (accounts) host of ``center`` (every data center has one)."""
        host = center.host(self.kinds_serving("accounts")[0].name)
        if host is None:
            raise ValueError(f"data center {center.name} has no accounts host")
        return host

    def vocabulary_names(self) -> frozenset[str]:
        """Names of all vocabularies."""
        return frozenset(vocabulary.name for vocabulary in self.vocabularies)

    def find_version(self, product: str, version: str) -> ProductVersion | None:
        """The ProductVersion called ``product`` ``version``, if the spec has it."""
        for candidate in self.products:
            if candidate.name == product:
                for product_version in candidate.versions:
                    if product_version.version == version:
                        return product_version
        return None
