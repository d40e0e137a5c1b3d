"""What the client templates need to know about each operation, worked out in
Python so that the templates only loop and format.

Every piece of spec text that reaches generated code goes through python_literal() here
or through the template filters: it is data, never code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from generator.format import BLACK_LINE_LENGTH
from generator.python_text import python_literal
from generator.spec_model import Operation, ProductVersion
from generator.type_expr import ListOf, Named, Primitive, TypeExpr, UnionOf

CLIENT_MEMBERS = frozenset({"close", "aclose", "base_url", "wait_policy", "iter_bulk_read_batches"})
"""Public members the client classes define besides one method per operation
and the helpers the spec names (an operation of the same name would replace one)."""
HELPER_ROLES = frozenset({"get-read-job", "download-read-result", "get-write-job"}) | frozenset(
    {"download-write-result"}
)
"""The roles whose operations a client helper is built on (``helper`` in the spec)."""

KEYWORD_OPTIONS = {"BulkReadRequest": "BulkReadOptions", "BulkWriteRequest": "BulkWriteOptions"}
"""The keyword arguments (a TypedDict of zoho_bulk_core.requests) that a client
method also takes instead of a request body of this type; the runtime checks
them against the version's own request model."""

CLIENT_MODULE_NAMES = frozenset(
    {"Any", "AsyncClient", "AsyncIterator", "AsyncTransport", "Client"}
    | {"DEFAULT_TIMEOUT", "Environment", "FileSource", "Final", "HOSTS", "Iterator", "Mapping"}
    | {"ORG_ID", "Path", "ProgressCallback", "RefreshTokenCredentials", "RetryPolicy", "Self"}
    | {"SyncTransport", "TracebackType", "WaitPolicy", "WriteResultRow", "annotations"}
    | {"DownloadLimits", "PageTracker"}
    | {"async_wait_until_done", "check_path_param", "first_item", "httpx", "iter_csv_rows"}
    | {"iter_write_result_rows", "models", "next_page_request", "os", "partial", "present"}
    | {"read_file_source", "tempfile", "wait_until_done"}
    | {"build_request", "Unpack", *frozenset(KEYWORD_OPTIONS.values())}
    | {"Reporter", "download_progress", "for_job"}
    | {"RecordBatch", "iter_read_batches", "aiter_read_batches"}
)
"""Module-level names of a generated client.py, which a method's body may use."""

METHOD_BODY_INDENT = 8

METHOD_NAMES = CLIENT_MODULE_NAMES | frozenset(
    {"self", "request", "file", "org_id", "destination", "name", "content", "body", "str"}
    | {"options", "on_progress", "progress"}
    | {"url", "path", "answer"}
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
    prelude: tuple[str, ...]
    """Lines of the method body (relative to its indent) that check the path
    parameters and set ``url``, the request URL."""
    headers: tuple[str, ...]
    """``key: value`` entries of the operation's own headers."""
    body: str
    """Python expression of the JSON body, or ``None``."""
    options: str
    """The TypedDict of the keyword arguments that build the body, or empty."""
    progress: tuple[str, ...]
    """Lines that set ``progress``, a download's byte callback (downloads only)."""
    answer: tuple[str, ...]
    """Lines that read the decoded answer ``body`` into ``answer``, its model."""
    result: str
    """Python expression of the return value (from ``answer``, or ``body``)."""
    safe: bool
    multipart: str
    """Form field of the uploaded file."""
    scopes: tuple[str, ...]
    errors: tuple[tuple[str, str, int], ...]


def operation_views(
    version: ProductVersion, error_classes: Mapping[str, str]
) -> list[OperationView]:
    """Views of every operation of ``version``, in spec order; ``error_classes``
    holds the exception class of each error code (python_names)."""
    return [_view(version, operation, error_classes) for operation in version.operations]


def _view(
    version: ProductVersion, operation: Operation, error_classes: Mapping[str, str]
) -> OperationView:
    params = [Param(param.name, "str", param.description) for param in operation.path_params]
    options = KEYWORD_OPTIONS.get(operation.request_type or "", "")
    if operation.request_type is not None:
        params.append(
            Param(
                "request",
                f"models.{operation.request_type} | Mapping[str, Any]"
                + (" | None = None" if options else ""),
                f"The request body: a models.{operation.request_type}, or a mapping "
                "checked against it"
                + (
                    "; or leave it out and give the fields as keyword arguments "
                    f"(zoho_bulk_core.requests.{options}), shaped for this version."
                    if options
                    else "."
                ),
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
        params.append(
            Param(
                "on_progress",
                "ProgressCallback | None = None",
                "Called with a ProgressEvent (bytes so far) as the file arrives.",
                True,
            )
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
        prelude=_prelude(operation),
        headers=_headers(operation),
        body=(
            f"build_request(models.{operation.request_type}, request, "
            + ("options)" if options else "{})")
            if operation.request_type
            else "None"
        ),
        options=options,
        progress=(
            _statement(
                "progress",
                "download_progress",
                ["on_progress", _job_label(operation)],
            )
            if operation.response_content is not None
            else ()
        ),
        answer=(
            _statement("answer", f"models.{operation.response_type}.model_validate", ["body"])
            if operation.response_type
            else ()
        ),
        result=_result(version, operation),
        safe=operation.retry_safe,
        multipart=operation.multipart_field or "",
        scopes=tuple(" + ".join(alternative) for alternative in operation.scopes),
        errors=tuple((error_classes[e.code], e.code, e.http_status) for e in operation.errors),
    )


def _job_label(operation: Operation) -> str:
    """The argument that names the job in a download's progress events: its
    first path parameter other than a whole URL, else none (``""``)."""
    names = [param.name for param in operation.path_params if param.name != operation.url_param]
    return names[0] if names else '""'


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


def _statement(target: str, callee: str, arguments: list[str]) -> tuple[str, ...]:
    """The lines of ``target = callee(arguments)`` in a method body, laid out as
    black lays them out: on one line when that fits, else one argument per line
    with a trailing comma (which black keeps). Black then has nothing to change
    and formats the file in one pass (it takes a second one after any change)."""
    line = f"{target} = {callee}({', '.join(arguments)})"
    # Black measures wide characters double; any non-ASCII text takes the
    # layout that holds at every width.
    if line.isascii() and METHOD_BODY_INDENT + len(line) <= BLACK_LINE_LENGTH:
        return (line,)
    return (f"{target} = {callee}(", *(f"    {argument}," for argument in arguments), ")")


def _prelude(operation: Operation) -> tuple[str, ...]:
    lines: list[str] = []
    for param in operation.path_params:
        check = [python_literal(param.name), param.name, python_literal(param.pattern)]
        lines += _statement(param.name, "check_path_param", check)
    if operation.url_param is not None:
        return (*lines, f"url = self._transport.resolve({operation.url_param})")
    assert operation.path is not None
    path = _path_expression(operation.path, [param.name for param in operation.path_params])
    if operation.path_params:
        lines.append(f"path = {path}")
        path = "path"
    return (
        *lines,
        *_statement("url", "self._transport.url", [python_literal(operation.host), path]),
    )


def _path_expression(path: str, names: list[str]) -> str:
    """``path`` as a Python expression that puts each ``{name}`` placeholder's
    (checked) argument in its place: literals joined with ``+``, so that no
    spec text is ever read as a format string or an f-string."""
    if not names:
        return python_literal(path)
    placeholder = re.compile("|".join(re.escape("{" + name + "}") for name in names))
    pieces: list[str] = []
    position = 0
    for match in placeholder.finditer(path):
        if match.start() > position:
            pieces.append(python_literal(path[position : match.start()]))
        pieces.append(match.group()[1:-1])
        position = match.end()
    if position < len(path):
        pieces.append(python_literal(path[position:]))
    return " + ".join(pieces)


def _headers(operation: Operation) -> tuple[str, ...]:
    entries = [
        f"{python_literal(name)}: {python_literal(value)}" for name, value in operation.headers
    ]
    if operation.org_header is not None:
        entries.append(
            f'{python_literal(operation.org_header)}: check_path_param("org_id", org_id, ORG_ID)'
        )
    return tuple(entries)


def _result(version: ProductVersion, operation: Operation) -> str:
    if operation.response_type is None:
        return "body"
    expression = "answer"
    current: TypeExpr = Named(operation.response_type)
    for step in operation.returns_path:
        if isinstance(step, int):
            assert isinstance(current, ListOf) and isinstance(current.item, Named)
            expression = f"first_item({expression}, {python_literal(current.item.name)})"
            current = current.item
            continue
        assert isinstance(current, Named)
        field = next(f for f in version.type_named(current.name).fields if f.name == step)
        expression = f"{expression}.{step}"
        if not field.required or _nullable(field.type):
            expression = f"present({expression}, {python_literal(step)})"
        current = field.type if not isinstance(field.type, UnionOf) else field.type.options[0]
    return expression


def _nullable(expr: object) -> bool:
    return isinstance(expr, UnionOf) and Primitive("null") in expr.options
