"""What the client templates need to know about each operation, worked out in
Python so that the templates only loop and format.

Every piece of spec text that reaches generated code goes through python_literal() here
or through the template filters: it is data, never code."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from generator import paths
from generator.output.format import BLACK_LINE_LENGTH
from generator.spec.model import Operation, ProductVersion
from generator.targets.python.names import error_class_name
from generator.targets.python.text import python_literal

CLIENT_MEMBERS = frozenset({"close", "aclose", "base_url", "wait_policy"})
"""Public members the client classes have (from zoho_bulk_core.client) besides
one method per operation and the helpers the spec names (an operation of the
same name would replace one)."""
HELPER_ROLES = frozenset({"get-read-job", "download-read-result", "get-write-job"}) | frozenset(
    {"download-write-result"}
)
"""The roles whose operations a client helper is built on (``helper`` in the spec)."""

CLIENT_MODULE_NAMES = frozenset(
    {"Any", "AsyncBaseClient", "AsyncClient", "AsyncIterator", "BaseClient", "Client"}
    | {"FileSource", "HOSTS", "Iterator", "Mapping", "Operation", "Path"}
    | {"ProgressCallback", "Reading", "Unpack", "WaitPolicy", "WriteResultRow"}
    | {"annotations", "models", "os", "RecordBatch", "iter_read_batches", "aiter_read_batches"}
)
"""Module-level public names of a generated client.py, besides the keyword
options types its request bodies name (``keywords`` in the spec); the
descriptors of the operations are private (``_`` and the name in capitals)."""

METHOD_BODY_INDENT = 8

REQUESTS_MODULE = paths.RUNTIME_DIR / "zoho_bulk_core" / "requests.py"


@cache
def keyword_types() -> frozenset[str]:
    """The keyword-argument TypedDicts the runtime offers (zoho_bulk_core.requests),
    which a request's ``keywords`` may name."""
    tree = ast.parse(REQUESTS_MODULE.read_text("utf-8"))
    return frozenset(
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(isinstance(base, ast.Name) and base.id == "TypedDict" for base in node.bases)
    )


METHOD_NAMES = CLIENT_MODULE_NAMES | frozenset(
    {"self", "request", "file", "org_id", "destination", "options", "on_progress", "str"}
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
    """One client method and the descriptor of its operation."""

    name: str
    summary: str
    description: str
    params: tuple[Param, ...]
    returns: str
    returns_doc: str
    options: str
    """The TypedDict of the keyword arguments that build the body, or empty."""
    signature: list[str]
    """The method's parameters, ``self`` first, as written in its ``def``."""
    descriptor: str
    """The module-level name of the operation's descriptor."""
    definition: tuple[str, ...]
    """The lines that define the descriptor (a zoho_bulk_core.client.Operation)."""
    call: tuple[str, ...]
    """The sync method's body."""
    acall: tuple[str, ...]
    """The async method's body."""
    scopes: tuple[str, ...]
    raises: tuple[str, ...]
    """The error codes by HTTP status, ``400: A, B, ...`` lines as wrapped in
    the docstring (continuations start with a space)."""


def operation_views(
    version: ProductVersion, error_classes: Mapping[str, str]
) -> list[OperationView]:
    """Views of every operation of ``version``, in spec order; ``error_classes``
    holds the exception class of each error code (python_names). An
    operation's ``raises`` leaves out the errors every operation of the
    version has (common_raises: the client's docstring gives them once)."""
    common = _common_errors(version)
    return [_view(version, operation, error_classes, common) for operation in version.operations]


def common_raises(version: ProductVersion, error_classes: Mapping[str, str]) -> tuple[str, ...]:
    """The errors every operation of ``version`` has, as ``raises`` lines;
    none for a version of fewer than two operations."""
    return _raises_lines(_common_errors(version), error_classes)


def _common_errors(version: ProductVersion) -> tuple[tuple[int, str], ...]:
    """(HTTP status, code) of the errors every operation of ``version`` has,
    in the first operation's order."""
    if len(version.operations) < 2:
        return ()
    first, *others = version.operations
    shared = set.intersection(*({(e.http_status, e.code) for e in op.errors} for op in others))
    return tuple((e.http_status, e.code) for e in first.errors if (e.http_status, e.code) in shared)


def descriptor_name(operation: Operation) -> str:
    """The module-level name of ``operation``'s descriptor (private: spec
    names start with a letter, so none can clash with it)."""
    return "_" + operation.name.upper()


def _view(
    version: ProductVersion,
    operation: Operation,
    error_classes: Mapping[str, str],
    common: tuple[tuple[int, str], ...],
) -> OperationView:
    params = [Param(param.name, "str", param.description) for param in operation.path_params]
    options = operation.request_keywords or ""
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
    arguments = [descriptor_name(operation)] + [f"{param.name}={param.name}" for param in params]
    if options:
        arguments.append("options=options")
    positional = [f"{param.name}: {param.annotation}" for param in params if not param.keyword_only]
    keyword = [f"{param.name}: {param.annotation}" for param in params if param.keyword_only]
    signature = ["self", *positional, *(["*", *keyword] if keyword else [])]
    if options:
        signature.append(f"**options: Unpack[{options}]")
    return OperationView(
        name=operation.name,
        signature=signature,
        summary=operation.summary,
        description=operation.description,
        params=tuple(params),
        returns=_returns(operation),
        returns_doc=_returns_doc(operation),
        options=options,
        descriptor=descriptor_name(operation),
        definition=_definition(version, operation),
        call=call_lines("return self._call", arguments),
        acall=call_lines("return await self._call", arguments),
        scopes=tuple(" + ".join(alternative) for alternative in operation.scopes),
        raises=_raises_lines(
            tuple(
                (e.http_status, e.code)
                for e in operation.errors
                if (e.http_status, e.code) not in common
            ),
            error_classes,
        ),
    )


def call_lines(
    head: str, arguments: list[str], tail: str = "", indent: int = METHOD_BODY_INDENT
) -> tuple[str, ...]:
    """The lines of ``head(arguments)tail`` as black lays them out at ``indent``:
    on one line when that fits; else the arguments on one line of their own;
    else one argument per line with a trailing comma (which black keeps). Black
    then has nothing to change. Black measures wide characters double; any
    non-ASCII text takes the layout that holds at every width."""
    line = f"{head}({', '.join(arguments)}){tail}"
    if line.isascii() and indent + len(line) <= BLACK_LINE_LENGTH:
        return (line,)
    inner = ", ".join(arguments)
    if inner.isascii() and indent + 4 + len(inner) <= BLACK_LINE_LENGTH:
        return (f"{head}(", f"    {inner}", f"){tail}")
    return (f"{head}(", *(f"    {argument}," for argument in arguments), f"){tail}")


def _definition(version: ProductVersion, operation: Operation) -> tuple[str, ...]:
    """``_NAME = Operation(...)``, one argument a line (a trailing comma keeps
    black from joining them)."""
    positional = [
        python_literal(operation.name),
        python_literal(operation.method),
        python_literal(operation.path or ""),
        _returns(operation),
    ]
    lines = [f"    {argument}," for argument in positional]
    if operation.path_params:
        pairs = [(param.name, param.pattern) for param in operation.path_params]
        lines += _tuple_argument("params", [_pair(name, value) for name, value in pairs])
    if operation.host != "api":
        lines.append(f"    host={python_literal(operation.host)},")
    if operation.url_param is not None:
        lines.append(f"    url={python_literal(operation.url_param)},")
    if operation.headers:
        lines += _tuple_argument(
            "headers", [_pair(name, value) for name, value in operation.headers]
        )
    if operation.org_header is not None:
        lines.append(f"    org_header={python_literal(operation.org_header)},")
    if operation.retry_safe:
        lines.append("    safe=True,")
    if operation.request_type is not None:
        lines.append(f"    request=models.{operation.request_type},")
    if operation.multipart_field is not None:
        lines.append(f"    multipart={python_literal(operation.multipart_field)},")
    if operation.response_type is not None:
        lines.append(f"    response=models.{operation.response_type},")
    if operation.returns_path:
        steps = [(python_literal(step),) for step in operation.returns_path]
        lines += _tuple_argument("returns", steps)
    return (f"{descriptor_name(operation)} = Operation(", *lines, ")")


def _pair(name: str, value: str) -> tuple[str, ...]:
    return (python_literal(name), python_literal(value))


def _fits(line: str) -> bool:
    return line.isascii() and len(line) <= BLACK_LINE_LENGTH


def _tuple_argument(keyword: str, items: Sequence[tuple[str, ...]]) -> list[str]:
    """``keyword=(items),`` at the descriptor's argument indent, as black lays
    it out: one line if it fits, else one item a line (a pair of one line if it
    fits, else exploded), with the trailing commas black writes."""
    shown = [item[0] if len(item) == 1 else f"({', '.join(item)})" for item in items]
    line = f"    {keyword}=({', '.join(shown)}{',' if len(shown) == 1 else ''}),"
    if _fits(line):
        return [line]
    lines = [f"    {keyword}=("]
    for item, text in zip(items, shown, strict=True):
        if len(item) == 1 or _fits(f"        {text},"):
            lines.append(f"        {text},")
        else:
            lines += ["        (", *(f"            {part}," for part in item), "        ),"]
    return [*lines, "    ),"]


RAISES_WIDTH = 72
"""Width of the Raises section's lines (at a method's docstring indent)."""


def _raises_lines(
    errors: Sequence[tuple[int, str]], error_classes: Mapping[str, str]
) -> tuple[str, ...]:
    """``errors`` (HTTP status, code) grouped by status, each group wrapped; a
    code whose class is not simply named after it gets its class in brackets."""
    statuses: dict[int, list[str]] = {}
    for status, code in errors:
        named = code
        if error_classes[code] != error_class_name(code):
            named += f" ({error_classes[code]})"
        statuses.setdefault(status, []).append(named)
    lines: list[str] = []
    for status, codes in sorted(statuses.items()):
        line = f"{status}:"
        for position, code in enumerate(codes):
            word = f" {code}" + ("," if position < len(codes) - 1 else "")
            if len(line) + len(word) > RAISES_WIDTH and line.strip() not in (f"{status}:", ""):
                lines.append(line)
                line = "   "
            line += word
        lines.append(line)
    return tuple(lines)


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
