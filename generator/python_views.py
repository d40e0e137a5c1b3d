"""What the client templates need to know about each operation, worked out in
Python so that the templates only loop and format.

Every piece of spec text that reaches generated code goes through repr() here
or through the template filters: it is data, never code."""

from __future__ import annotations

from dataclasses import dataclass

from generator.spec_model import Operation, ProductVersion
from generator.type_expr import ListOf, Named, Primitive, TypeExpr, UnionOf

CLIENT_MEMBERS = frozenset(
    {"close", "aclose", "base_url", "wait_policy"}
    | {"wait_for_bulk_read_job", "iter_bulk_read_rows"}
    | {"wait_for_bulk_write_job", "iter_bulk_write_result_rows"}
)
"""Public members the client classes define besides one method per operation
(an operation of the same name would replace one)."""

CLIENT_MODULE_NAMES = frozenset(
    {"Any", "AsyncClient", "AsyncIterator", "AsyncTransport", "Callable", "Client"}
    | {"DEFAULT_TIMEOUT", "Environment", "FileSource", "Final", "HOSTS", "Iterator", "Mapping"}
    | {"ORG_ID", "Path", "ProgressCallback", "RefreshTokenCredentials", "RetryPolicy", "Self"}
    | {"SyncTransport", "TracebackType", "WaitPolicy", "WriteResultRow", "annotations"}
    | {"async_wait_until_done", "check_path_param", "first_item", "httpx", "iter_csv_rows"}
    | {"iter_write_result_rows", "models", "next_page_request", "os", "partial", "present"}
    | {"read_file_source", "request_body", "tempfile", "wait_until_done"}
)
"""Module-level names of a generated client.py, which a method's body may use."""

METHOD_NAMES = CLIENT_MODULE_NAMES | frozenset(
    {"self", "request", "file", "org_id", "destination", "name", "content", "body", "str"}
)
"""Names a client method uses besides its path parameters: a path parameter of
the same name would be a duplicate argument, or hide what the body needs."""


@dataclass(frozen=True)
class Param:
    """A parameter of a client method."""

    name: str
    annotation: str
    description: str
    keyword_only: bool = False


@dataclass(frozen=True)
class OperationView:
    """One client method."""

    name: str
    summary: str
    description: str
    params: tuple[Param, ...]
    returns: str
    returns_doc: str
    kind: str
    """``json``, ``download`` or ``upload``."""
    method: str
    url: str
    """Python expression of the request URL."""
    headers: str
    """Python expression of the operation's own headers."""
    body: str
    """Python expression of the JSON body, or ``None``."""
    result: str
    """Python expression turning the decoded answer ``body`` into the return value."""
    safe: bool
    multipart: str
    """Form field of the uploaded file."""
    scopes: tuple[str, ...]
    errors: tuple[tuple[str, str, int], ...]


def operation_views(version: ProductVersion) -> list[OperationView]:
    """Views of every operation of ``version``, in spec order."""
    return [_view(version, operation) for operation in version.operations]


def _view(version: ProductVersion, operation: Operation) -> OperationView:
    params = [Param(param.name, "str", param.description) for param in operation.path_params]
    if operation.request_type is not None:
        params.append(
            Param(
                "request",
                f"models.{operation.request_type} | Mapping[str, Any]",
                f"The request body: a models.{operation.request_type}, or a mapping "
                "checked against it.",
            )
        )
    if operation.multipart_field is not None:
        params.append(Param("file", "FileSource", "The zip to upload: a path, or its bytes."))
    if operation.org_header is not None:
        params.append(
            Param("org_id", "str", f"The organization id, sent as {operation.org_header}.", True)
        )
    if operation.response_content is not None:
        params.append(
            Param("destination", "str | os.PathLike[str]", "Where to write the downloaded file.")
        )
    return OperationView(
        name=operation.name,
        summary=operation.summary,
        description=operation.description,
        params=tuple(params),
        returns=_returns(operation),
        returns_doc=_returns_doc(operation),
        kind=_kind(operation),
        method=operation.method,
        url=_url(operation),
        headers=_headers(operation),
        body=(
            f"request_body(models.{operation.request_type}, request)"
            if operation.request_type
            else "None"
        ),
        result=_result(version, operation),
        safe=operation.retry_safe,
        multipart=operation.multipart_field or "",
        scopes=tuple(" + ".join(alternative) for alternative in operation.scopes),
        errors=tuple((e.class_name, e.code, e.http_status) for e in operation.errors),
    )


def _kind(operation: Operation) -> str:
    if operation.response_content is not None:
        return "download"
    if operation.multipart_field is not None:
        return "upload"
    return "json"


def _returns(operation: Operation) -> str:
    if operation.response_content is not None:
        return "Path"
    name = operation.returns_type or operation.response_type
    return f"models.{name}"


def _returns_doc(operation: Operation) -> str:
    if operation.response_content is not None:
        return f"The path of the downloaded file ({operation.response_content})."
    if operation.returns_path:
        where = ".".join(
            str(step) if isinstance(step, str) else "[0]" for step in operation.returns_path
        ).replace(".[0]", "[0]")
        return f"The {operation.returns_type}, taken from the answer's ``{where}``."
    return f"The {operation.response_type}."


def _url(operation: Operation) -> str:
    if operation.url_param is not None:
        param = next(p for p in operation.path_params if p.name == operation.url_param)
        return (
            f"self._transport.resolve(check_path_param({param.name!r}, {param.name}, "
            f"{param.pattern!r}))"
        )
    assert operation.path is not None
    path = repr(operation.path)
    if operation.path_params:
        arguments = ", ".join(
            f"{p.name}=check_path_param({p.name!r}, {p.name}, {p.pattern!r})"
            for p in operation.path_params
        )
        path = f"{path}.format({arguments})"
    return f"self._transport.url({operation.host!r}, {path})"


def _headers(operation: Operation) -> str:
    entries = [f"{name!r}: {value!r}" for name, value in operation.headers]
    if operation.org_header is not None:
        entries.append(f"{operation.org_header!r}: check_path_param('org_id', org_id, ORG_ID)")
    return "{" + ", ".join(entries) + "}"


def _result(version: ProductVersion, operation: Operation) -> str:
    if operation.response_type is None:
        return "body"
    expression = f"models.{operation.response_type}.model_validate(body)"
    current: TypeExpr = Named(operation.response_type)
    for step in operation.returns_path:
        if isinstance(step, int):
            assert isinstance(current, ListOf) and isinstance(current.item, Named)
            expression = f"first_item({expression}, {current.item.name!r})"
            current = current.item
            continue
        assert isinstance(current, Named)
        field = next(f for f in version.type_named(current.name).fields if f.name == step)
        expression = f"{expression}.{step}"
        if not field.required or _nullable(field.type):
            expression = f"present({expression}, {step!r})"
        current = field.type if not isinstance(field.type, UnionOf) else field.type.options[0]
    return expression


def _nullable(expr: object) -> bool:
    return isinstance(expr, UnionOf) and Primitive("null") in expr.options
