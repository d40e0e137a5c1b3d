"""Read a vendor reference page (a browser copy, markdown, the table layout
some products' pages use, or the vendor's OpenAPI markdown) and pull out its facts: method and
URL template, path parameters, the scopes as the boolean structure the page
prints, the request and response field lists with their nesting, required
flags and documented values, error codes with their HTTP status, and every
sample payload (repaired where the printed JSON is broken, marked when it is
cut off).

Pages are only read as text; nothing in them is ever run."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import product as cartesian
from pathlib import Path
from typing import Any

from generator.errors import GeneratorError
from generator.vendor_pages.repair_json import (
    JsonRepairError,
    find_json_end,
    repair_json,
    split_glued_prefix,
)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# The label of the vendor's copy button, which the page text glues to code blocks.
COPY_MARKER = "Copied"

_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_BULLET = re.compile(r"^(?:[-•*▪◦·]|\d+\.)\s+")
_TYPE_WORDS = (
    r"json ?object|json ?array|array|string|integer|int|long|boolean|number|double|"
    r"datetime in iso ?8601|datetime|date-time|iso ?8601|object"
)
# A field line: name, its type (maybe in parentheses, maybe glued to the name
# or to the description), then the rest. The type must not run into a
# lower-case word (``long_text`` is a name, not ``long``).
_FIELD = re.compile(
    rf"^(?P<name>[a-z_][A-Za-z0-9_]*?)(?P<show>\s+Show properties)?(?:\s*,\s*|\s*\(\s*|\s*)"
    rf"(?P<type>(?i:{_TYPE_WORDS}))(?![0-9_])(?P<rest>.*)$"
)
_PROPERTIES_HEADING = re.compile(r"^(?:Show\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+Properties$")
_BULLET_SPLIT = re.compile(r"(?:^|\s)[-•]\s+(?=[a-z_])")
_REQUIRED_WORD = re.compile(
    r"^[\s,\-:]*(?:\([^()]*\))?[\s,()\-:]*(?:(?P<word>(?i:mandatory|required|optional))\b"
    r"|(?P<yes>Yes|No)(?=[A-Z\s,.]|$))(?P<cond>,?\s+(?i:when|if|for|only|in|to)\b)?"
)
_LABEL = re.compile(
    r"(?:Sample|Example)\s+(?:request|response|input|output|callback|error|notification|JSON|body)"
    r"\b.*|(?:Success|Error|Callback)\s+(?:response|body|notification|JSON)\b.*",
    re.I,
)
_STATUS_LABEL = re.compile(r"^#*\s*(?:HTTP\s*)?[1-5]\d\d(?:\s+[A-Za-z ]{0,30})?$")
_ERROR_CODE = r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,}"
_ERROR = re.compile(rf"\b(?P<code>{_ERROR_CODE})\s*[-:|]?\s*HTTP\s*(?P<status>\d{{3}})(?!\d)")
# Tables: "| 400 | INVALID_DATA | ..." or "200INVALID_FILE_FORMATinvalid ..." (status first),
# or "| INVALID_DATA | 400 |" (code first).
_ERROR_STATUS_FIRST = re.compile(
    rf"^\|?\s*(?P<status>[1-5]\d\d)\s*\|?\s*(?P<code>{_ERROR_CODE})(?=[^A-Z0-9_]|$|[a-z])"
)
_ERROR_CODE_FIRST = re.compile(rf"^\|?\s*(?P<code>{_ERROR_CODE})\s*\|\s*(?P<status>[1-5]\d\d)\b")
_SCOPE = r"Zoho[A-Za-z]*\.[A-Za-z0-9_{}]+(?:\.[A-Za-z0-9_{}]+)*"
_SCOPE_RE = re.compile(_SCOPE)
_SCOPE_ITEM = rf"(?:scope\s*=\s*)?`?{_SCOPE}`?"
_SCOPE_LINE = re.compile(
    rf"^(?:[-•*]\s*)?(?:\*\*)?(?:scopes?\s*:)?(?:\*\*)?\s*{_SCOPE_ITEM}"
    rf"(?:\s*(?:,|\band\b|\bor\b|\(and\)|\(or\))\s*{_SCOPE_ITEM})*\s*$",
    re.I,
)
_CONNECTOR = re.compile(r"^\(?\s*(and|or)\s*\)?$", re.I)
_URL_LINE = re.compile(r"^(?:\{[A-Za-z_-]+\}|https?://)\S*/(?:bulk|upload)\S*$")
_ENDPOINT = re.compile(
    r"^(?:[-•*]\s*)?\[?`?(?P<method>GET|POST|PUT|PATCH|DELETE)`?\s+`?(?P<path>/[^\s`\]()]*)"
)
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_VERSION_MENTIONS = (
    re.compile(r"/bulk/(v\d+(?:\.\d+)?)/"),
    re.compile(r"/(v\d+(?:\.\d+)?)/[a-z]+/org\w*/"),
    re.compile(r"/api/(v\d+(?:\.\d+)?)/"),
    re.compile(r"/[a-z]+/(v\d+(?:\.\d+)?)/upload\b"),
)
_VALUES_INLINE = re.compile(
    r"\b(?:possible|supported|allowed|accepted)\s+values?\s*(?:is|are|:)?\s*:?\s*(?P<list>[^.]+)"
    r"|\bthe\s+(?:only\s+)?values?\s+(?:is|are)\s*:?\s*(?P<list2>[^.]+)",
    re.I,
)
_VALUES_HEADER = re.compile(r"^(?:the\s+)?(?:possible\s+)?values\s+(?:are|is)\s*:?$", re.I)
_VALUE_BULLET = re.compile(r"^(?:[-•*]\s*)?(?P<value>[A-Za-z][A-Za-z0-9_ ]{0,30}?)\s+-\s+\S")

# Section headings, as printed alone on a line (markdown marks, bold and a
# trailing colon dropped, case ignored).
_HEADINGS = {
    "url": ("request url", "url", "endpoint url"),
    "method": ("request method", "method", "http method"),
    "scope": ("scope", "scopes", "oauth scope", "oauth scopes"),
    "request": (
        "request json",
        "request json keys",
        "request json parameters",
        "request body",
        "request body parameters",
        "request body fields",
        "body parameters",
        "input json",
        "input json keys",
        "request fields",
    ),
    "response": (
        "response object",
        "response structure",
        "response fields",
        "response json",
        "response json keys",
        "response keys",
        "response body fields",
        "response attributes",
        "callback json",
        "callback json keys",
        "callback body fields",
        "callback fields",
        "notification fields",
    ),
    "errors": ("possible errors", "possible error codes", "errors", "error codes"),
    "end": (
        "sample request",
        "sample response",
        "sample requests",
        "sample responses",
        "note",
        "notes",
        "header",
        "headers",
        "request headers",
        "authorization",
        "path parameters",
        "query parameters",
        "parameters",
        "request parameters",
        "possible module names",
        "possible operation types",
        "purpose",
        "endpoints",
        "request details",
        "responses",
        "response",
        "limits",
    ),
}
_HEADING_OF = {text: kind for kind, texts in _HEADINGS.items() for text in texts}


class PageError(GeneratorError):
    """A page cannot be read or yields nothing; one line naming the file."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class PageField:
    """A field of one of the page's field lists, with its nested fields."""

    name: str
    type_text: str
    """The type as printed (``JSON Object``, ``Integer``)."""
    kind: str
    """The printed type in the spec's words: string, integer, number, boolean, datetime,
    object or array."""
    line: int
    children: tuple[PageField, ...] = ()
    required: bool | None = None
    """True for mandatory, False for optional, None when the page does not say
    (or makes it depend on something)."""
    values: tuple[str, ...] = ()
    """The values the page documents for the field, when it lists them."""


@dataclass(frozen=True)
class PageErrorCode:
    """An error code the page documents, with its HTTP status (None when unknown)."""

    code: str
    http_status: int | None
    line: int
    catch_all: bool = False
    """Listed in a catch-all error schema shared by many operations (the vendor's
    OpenAPI): the code exists, but the operation may never answer with it."""


@dataclass(frozen=True)
class PageSample:
    """A sample payload printed on the page."""

    line: int
    """Line where the JSON starts."""
    label: str
    role: str
    """request, response, error or callback: from the label, else from the shape."""
    payload: Any
    repairs: tuple[str, ...]
    broken: str | None = None
    """Why the sample could not be read (cut off, or not JSON even after repairs)."""
    labelled: bool = True
    """Whether the role comes from the label (else from the shape)."""

    @property
    def request(self) -> bool:
        """Whether the sample is a request body."""
        return self.role == "request"


@dataclass(frozen=True)
class Page:
    """Everything extracted from one page."""

    file: str
    name: str
    title: str
    headings: tuple[str, ...]
    method: str | None
    method_line: int
    url: str | None
    url_line: int
    path: str | None
    """The URL template's path, placeholders kept (``/<prefix>/bulk/v2/write/{job_id}``)."""
    path_params: tuple[str, ...]
    scopes: tuple[tuple[str, ...], ...]
    """Every combination the page accepts (all scopes of one are needed together),
    ``{operation_type}`` expanded; ``{module_name}`` is written ``{module}``."""
    scopes_line: int
    scope_lines: int
    """How many lines of the page name scopes."""
    fields: tuple[PageField, ...]
    """The response (or callback body) field list."""
    envelope: tuple[str, ...]
    """Keys leading from a sample's root to the object the field list describes."""
    request_fields: tuple[PageField, ...]
    errors: tuple[PageErrorCode, ...]
    samples: tuple[PageSample, ...]
    version_mentions: tuple[str, ...]
    """API versions named in the page's sample URLs and links, most frequent first."""
    hosts: tuple[str, ...] = ()
    """Host names in the page's URLs."""
    scopes_exhaustive: bool = True
    """Whether the scopes are all the page accepts (False for an OpenAPI
    document's one document-wide requirement)."""
    nesting_explicit: bool = False
    """Whether the field lists' nesting is stated (OpenAPI) rather than inferred."""

    @property
    def is_empty(self) -> bool:
        """True when nothing at all was found."""
        return not (
            self.url
            or self.fields
            or self.request_fields
            or self.errors
            or self.samples
            or self.scopes
        )

    @property
    def field_count(self) -> tuple[int, int]:
        """(request, response) fields read, nested ones included."""
        return count_fields(self.request_fields), count_fields(self.fields)


def count_fields(fields: tuple[PageField, ...]) -> int:
    """Fields in a tree, nested ones included."""
    return sum(1 + count_fields(item.children) for item in fields)


def unmark(line: str) -> str:
    """A line without markdown emphasis and backslash escapes."""
    return _MARKDOWN_ESCAPE.sub(r"\1", line.replace("**", ""))


def heading_kind(line: str) -> str | None:
    """The section a heading line opens (url, method, scope, request, response,
    errors, end), or None when the line is no known heading."""
    text = line.strip().lstrip("#").strip().strip("*").strip().rstrip(":").strip().lower()
    text = re.sub(r"\s+", " ", text)
    known = _HEADING_OF.get(text)
    if known is not None or not line.lstrip().startswith("#"):
        return known
    return _markdown_heading_kind(text)


def _markdown_heading_kind(text: str) -> str:
    """A markdown heading the list does not name, by its words (``Response 201``,
    ``Request body (application/json)``); any other heading ends a section."""
    if re.search(r"\b(?:sample|example)s?\b", text):
        return "end"
    if re.search(r"\b(?:path|query|header)s?\b", text):
        return "end"
    if "request" in text and re.search(r"\b(?:body|json|fields?|keys?|parameters?)\b", text):
        return "request"
    if re.search(r"\bresponses?\b", text) and not re.search(r"\berrors?\b", text):
        return "response"
    if re.search(r"\berrors?\b", text):
        return "errors"
    if re.search(r"\bscopes?\b", text):
        return "scope"
    return "end"


def read_page(path: Path, known_codes: frozenset[str] = frozenset()) -> Page:
    """Read and extract one page; raise PageError for an unreadable or empty page.
    ``known_codes`` (the error catalog) settles where a code glued to the text
    after it ends."""
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PageError(display, None, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise PageError(display, None, f"cannot read: {exc.strerror or exc}") from None
    page = extract_page(text, display, path.name, known_codes)
    if page.is_empty:
        raise PageError(
            display, None, "no request URL, fields, error codes, scopes or samples found"
        )
    return page


def extract_page(
    text: str, file: str, name: str, known_codes: frozenset[str] = frozenset()
) -> Page:
    """Extract the facts of a page's text; ``file`` names it in messages."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    raw_lines = text.split("\n")
    lines = [unmark(line) for line in raw_lines]
    samples = find_samples(text, file)
    method, method_line = find_method(lines)
    url, url_line = find_url(lines)
    path = url_path(url) if url else None
    if method is None and url:
        method = _endpoint_method(lines)
    scopes, scopes_line, scope_lines = find_scopes(lines)
    readable = [sample for sample in samples if sample.broken is None]
    response_flat = find_field_items(lines, "response")
    shape = sample_shape(s.payload for s in readable if s.role in ("response", "callback"))
    envelope = find_envelope(shape, [item.name for item in response_flat if not item.parents])
    request_flat = find_field_items(lines, "request")
    request_shape = sample_shape(s.payload for s in readable if s.role == "request")
    return Page(
        file=file,
        name=name,
        title=next((line.strip("# ").strip() for line in lines if line.strip()), ""),
        headings=find_headings(raw_lines),
        method=method,
        method_line=method_line,
        url=url,
        url_line=url_line,
        path=path,
        path_params=tuple(
            param for param in _PLACEHOLDER.findall(path or "") if param != "version"
        ),
        scopes=scopes,
        scopes_line=scopes_line,
        scope_lines=scope_lines,
        fields=nest_fields(response_flat, shape, envelope),
        envelope=envelope,
        request_fields=nest_fields(request_flat, request_shape, ()),
        errors=find_errors(lines, samples, known_codes),
        samples=tuple(samples),
        version_mentions=find_version_mentions(lines),
        hosts=tuple(sorted(set(re.findall(r"https?://([A-Za-z0-9.{}-]+)", text)))),
    )


def find_headings(raw_lines: list[str]) -> tuple[str, ...]:
    """Markdown headings, and short lines that stand alone between blank lines
    or that a page copy prints as titles."""
    headings = []
    for index, raw in enumerate(raw_lines):
        line = unmark(raw).strip()
        if line.startswith("#"):
            headings.append(line.lstrip("#").strip())
        elif (
            0 < len(line) <= 60
            and not line.endswith((".", ",", ";", "{", "[", "}", "]"))
            and not line.startswith(("{", "[", '"', "-", "•", "|", "(", COPY_MARKER))
            and index > 0
            and not raw_lines[index - 1].strip()
        ):
            headings.append(line)
    return tuple(headings)


# --- method, URL, scopes, errors -------------------------------------------------


def find_method(lines: list[str]) -> tuple[str | None, int]:
    """The HTTP method: a ``Request Method`` heading, an endpoint line, or curl's -X."""
    for index, line in enumerate(lines):
        if heading_kind(line) == "method":
            for offset, following in enumerate(lines[index + 1 : index + 4], start=1):
                if following.strip().strip("`") in METHODS:
                    return following.strip().strip("`"), index + offset + 1
    for index, line in enumerate(lines):
        match = _ENDPOINT.match(line.strip().lstrip("#").strip()) or re.match(
            r"^method\s*:\s*`?(?P<method>GET|POST|PUT|PATCH|DELETE)\b", line.strip(), re.I
        )
        if match:
            return match.group("method").upper(), index + 1
    for index, line in enumerate(lines):
        match = re.search(r"(?:^|\s)-X\s+(GET|POST|PUT|PATCH|DELETE)\b", line)
        if match:
            return match.group(1), index + 1
    return None, 0


def _endpoint_method(lines: list[str]) -> str | None:
    for line in lines:
        match = re.match(r"^\s*(GET|POST|PUT|PATCH|DELETE)\s*$", line)
        if match:
            return match.group(1)
    return None


def find_url(lines: list[str]) -> tuple[str | None, int]:
    """The request URL template and its line: after a ``Request URL`` heading,
    an endpoint line (``POST /<prefix>/bulk/v8/read``), or a line holding only a URL."""
    for index, line in enumerate(lines):
        if heading_kind(line) == "url":
            for offset, following in enumerate(lines[index + 1 : index + 4], start=1):
                candidate = following.strip().strip("`")
                match = _ENDPOINT.match(candidate)
                if match:
                    return _normalize_url(match.group("path")), index + offset + 1
                if candidate and heading_kind(candidate) is None:
                    if re.match(r"^(?:https?://|\{|/)\S*$", candidate):
                        return _normalize_url(candidate), index + offset + 1
                    break
    for index, line in enumerate(lines):
        labelled = re.match(
            r"^(?:path|endpoint|url)\s*:\s*`?(?P<url>(?:https?://|/|\{)\S*?)`?\s*$",
            line.strip(),
            re.I,
        )
        if labelled:
            return _normalize_url(labelled.group("url")), index + 1
    for index, line in enumerate(lines):
        if _URL_LINE.match(line.strip().strip("`")):
            return _normalize_url(line.strip().strip("`")), index + 1
    for index, line in enumerate(lines):
        match = _ENDPOINT.match(line.strip().lstrip("#").strip())
        if match and "/" in match.group("path")[1:] + "/":
            return _normalize_url(match.group("path")), index + 1
    return None, 0


def _normalize_url(url: str) -> str:
    # {{your-domain}} is a doubled placeholder; one pair of braces is enough.
    url = re.sub(r"\{\{([^{}]+)\}\}", r"{\1}", url)
    return url.split("?", 1)[0]


def url_path(url: str) -> str:
    """The path of a URL template: without scheme and host, or without a leading
    ``{api-domain}`` placeholder."""
    match = re.match(
        r"^(?:https?://[^/]+|\{[^{}/]*(?:domain|host)[^{}/]*\}(?=/))?(?P<path>/.*)?$", url
    )
    return (match.group("path") or "/") if match else url


def find_scopes(lines: list[str]) -> tuple[tuple[tuple[str, ...], ...], int, int]:
    """The scope combinations the page accepts, its first scope line and how many
    lines name scopes.

    The page's structure is kept: each line is one alternative (``A and B`` on
    a line needs both); alternatives joined by ``(or)`` or listed as bullets are
    one group; ``(and)`` starts another group, all of whose groups are needed.
    ``{operation_type}`` expands to the operation types the page lists."""
    operation_types = find_operation_types(lines)
    groups: list[list[tuple[str, ...]]] = []
    first = 0
    count = 0
    pending_and = False
    block_end = -1
    for index, raw in enumerate(lines):
        line = raw.strip().replace("`", "")
        trailing = re.search(r"\s*\((and|or)\)$", line, re.I)
        if trailing and _SCOPE_RE.search(line):
            line = line[: trailing.start()]
        connector = _CONNECTOR.match(line)
        if connector and groups and index - block_end <= 3:
            pending_and = connector.group(1).lower() == "and"
            block_end = index
            continue
        if not _SCOPE_LINE.match(line) or _ERROR.search(line):
            continue
        if groups and index - block_end > 3:
            break  # a second, unrelated block (a resolution note, a link) ends the scopes
        count += 1
        first = first or index + 1
        block_end = index
        for position, alternative in enumerate(_line_alternatives(line)):
            if not groups or (pending_and and position == 0):
                groups.append([])
            groups[-1].append(alternative)
        pending_and = trailing is not None and trailing.group(1).lower() == "and"
    combinations: list[tuple[str, ...]] = []
    for choice in cartesian(*groups) if groups else ():
        scopes: list[str] = []
        for alternative in choice:
            scopes.extend(scope for scope in alternative if scope not in scopes)
        for expanded in _expand_operation_types(tuple(scopes), operation_types):
            if expanded not in combinations:
                combinations.append(expanded)
    return tuple(combinations), first, count


def _line_alternatives(line: str) -> list[tuple[str, ...]]:
    """One line's alternatives: ``A or B`` gives two, ``A and B`` (or ``A, B``)
    one needing both."""
    body = re.sub(r"^(?:[-•*]\s*)?(?:scopes?\s*:)?", "", line.strip(), flags=re.I)
    alternatives = []
    for part in re.split(r"\s*(?:\(or\)|\bor\b)\s*", body, flags=re.I):
        scopes = tuple(_normalize_scope(scope) for scope in _SCOPE_RE.findall(part))
        if scopes:
            alternatives.append(scopes)
    return alternatives


def _normalize_scope(scope: str) -> str:
    # Pages name the module slot {module_name} (or {scope_name}); the spec calls it {module}.
    return re.sub(r"\{(?:module|scope)[^{}]*\}", "{module}", scope.rstrip("."))


def find_operation_types(lines: list[str]) -> tuple[str, ...]:
    """The operation types a ``Possible operation types`` list names (ALL, READ,
    ...), also from a table that glues them to the module names."""
    for index, line in enumerate(lines):
        if not line.strip().strip("#|").strip().rstrip(":|").lower().endswith("operation types"):
            continue
        found: list[str] = []
        for following in lines[index + 1 : index + 12]:
            kinds = re.findall(r"(?:^|[^A-Z])([A-Z]{3,})\s+[-–]\s+\S", following)
            found.extend(kind for kind in kinds if kind not in found)
            if not kinds and following.strip() and found:
                break
        return tuple(found)
    return ()


def _expand_operation_types(
    scopes: tuple[str, ...], operation_types: tuple[str, ...]
) -> list[tuple[str, ...]]:
    if not operation_types or not any("{operation_type}" in scope for scope in scopes):
        return [scopes]
    return [
        tuple(scope.replace("{operation_type}", kind) for scope in scopes)
        for kind in operation_types
    ]


def find_errors(
    lines: list[str], samples: list[PageSample], known_codes: frozenset[str] = frozenset()
) -> tuple[PageErrorCode, ...]:
    """Error codes printed as ``CODE HTTP 404`` (spaces optional), in the rows of
    an error table, or in error samples; first mention each."""
    found: dict[str, PageErrorCode] = {}
    section = None
    for index, line in enumerate(lines):
        kind = heading_kind(line)
        if kind is not None:
            section = kind
            continue
        for match in _ERROR.finditer(line):
            code = match.group("code")
            if code not in found:
                found[code] = PageErrorCode(code, int(match.group("status")), index + 1)
        if section == "errors":
            stripped = line.strip()
            row = _ERROR_STATUS_FIRST.match(stripped) or _ERROR_CODE_FIRST.match(stripped)
            code = _known_prefix(row.group("code"), known_codes) if row else ""
            if row and code not in found:
                found[code] = PageErrorCode(code, int(row.group("status")), index + 1)
    for sample in samples:
        if sample.role != "error" or sample.broken is not None:
            continue
        for code in _sample_error_codes(sample.payload):
            if code not in found:
                found[code] = PageErrorCode(code, _label_status(sample.label), sample.line)
    return tuple(found.values())


def _known_prefix(code: str, known_codes: frozenset[str]) -> str:
    """A table cell glues the code to the message after it (``NO_PERMISSIONPermission
    denied``): the longest start of ``code`` the catalog knows, else ``code``."""
    if code in known_codes:
        return code
    for end in range(len(code) - 1, 2, -1):
        if code[:end] in known_codes:
            return code[:end]
    return code


def _sample_error_codes(payload: Any) -> list[str]:
    items = payload.get("data") if isinstance(payload, dict) else None
    candidates = items if isinstance(items, list) else [payload]
    return [
        item["code"]
        for item in candidates
        if isinstance(item, dict)
        and isinstance(item.get("code"), str)
        and re.fullmatch(_ERROR_CODE, item["code"])
    ]


def _label_status(label: str) -> int | None:
    match = re.search(r"\b([45]\d\d)\b", label)
    return int(match.group(1)) if match else None


def find_version_mentions(lines: list[str]) -> tuple[str, ...]:
    """Versions named in URLs on the page, most frequent first (then by first mention)."""
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    for index, line in enumerate(lines):
        for pattern in _VERSION_MENTIONS:
            for version in pattern.findall(line):
                counts[version] += 1
                order.setdefault(version, index)
    return tuple(sorted(counts, key=lambda version: (-counts[version], order[version])))


# --- samples -----------------------------------------------------------------------


def find_samples(text: str, file: str) -> list[PageSample]:
    """Every sample payload: JSON that opens a line after the copy marker, a sample
    label or a json code fence. A sample that never closes, or stays broken after
    every repair, is kept with the reason, and the rest of the page is read."""
    original = text.split("\n")
    lines = list(original)
    starts = [0]
    for line in original:
        starts.append(starts[-1] + len(line) + 1)
    samples: list[PageSample] = []
    fence: str | None = None
    index = 0
    while index < len(lines):
        raw = lines[index]
        stripped = raw.strip()
        if stripped.startswith("```"):
            fence = None if fence is not None else stripped[3:].strip().lower()
            index += 1
            continue
        body = stripped
        marked = body.startswith(COPY_MARKER)
        if marked:
            body = body[len(COPY_MARKER) :]
        split = split_glued_prefix(body)
        label = find_label(lines, index)
        if split is None or not (marked or label or fence in ("json", "")):
            index += 1
            continue
        if fence == "" and not marked and not label and not body.startswith(("{", "[")):
            index += 1
            continue
        prefix, rest = split
        start = starts[index] + len(original[index].rstrip()) - len(rest)
        limit = _sample_limit(original, index, starts, fence is not None)
        end = find_json_end(text[:limit], start)
        role = label_role(label)
        shown = label or f"sample at line {index + 1}"
        if end is None:
            samples.append(
                PageSample(
                    index + 1,
                    shown,
                    role or "response",
                    None,
                    (),
                    "is cut off: its JSON " "never closes",
                    bool(role),
                )
            )
            index += 1
            continue
        try:
            repaired = repair_json(text[start:end], prefix)
        except JsonRepairError as exc:
            samples.append(
                PageSample(
                    index + 1,
                    shown,
                    role or "response",
                    None,
                    (),
                    f"is not JSON even after repairs (line {index + exc.line}: {exc.problem})",
                    bool(role),
                )
            )
            index = text.count("\n", 0, end) + 1
            continue
        samples.append(
            PageSample(
                line=index + 1,
                label=shown,
                role=role or shape_role(repaired.payload),
                payload=repaired.payload,
                repairs=repaired.repairs,
                labelled=bool(role),
            )
        )
        # Text may follow the closing bracket on its line (the next label).
        index = text.count("\n", 0, end)
        lines[index] = text[end : starts[index + 1] - 1] if index + 1 < len(starts) else ""
    return samples


def _sample_limit(original: list[str], index: int, starts: list[int], fenced: bool) -> int:
    """Where the text of a sample opened at line ``index`` must end: at the
    closing fence, or at the next line that opens another sample or a section."""
    for following in range(index + 1, len(original)):
        line = original[following].strip()
        if fenced and line.startswith("```"):
            return starts[following]
        if not fenced and (
            line.startswith(COPY_MARKER)
            or _LABEL.match(unmark(line).strip("# "))
            or heading_kind(unmark(line)) is not None
        ):
            return starts[following]
    return starts[-1]


def label_role(label: str) -> str:
    """The role a sample label names ('' when it names none)."""
    text = label.lower()
    if not text:
        return ""
    status = re.match(r"^(?:http\s*)?([1-5])\d\d\b", text)
    if status:
        return "error" if status.group(1) in "45" else "response"
    if "callback" in text or "notification" in text:
        return "callback"
    if "error" in text or "failure response" in text:
        return "error"
    if "request" in text or "input" in text:
        return "request"
    return "response"


def shape_role(payload: Any) -> str:
    """error for an error body (``status: error`` with a code, alone or in
    ``data[]``), else response."""
    items = payload.get("data") if isinstance(payload, dict) else None
    candidates = items if isinstance(items, list) and items else [payload]
    if all(
        isinstance(item, dict) and item.get("status") == "error" and "code" in item
        for item in candidates
    ):
        return "error"
    return "response"


def find_label(lines: list[str], index: int) -> str:
    """The sample label printed just before line ``index`` ('' when there is none)."""
    for back in range(index - 1, max(index - 4, -1), -1):
        line = lines[back].strip()
        if not line or line.startswith("```"):
            continue
        status = _STATUS_LABEL.match(unmark(line))
        if status:  # an OpenAPI markdown answer: "#### 404"
            return status.group(0).strip("# ")
        match = _LABEL.search(unmark(line))
        return match.group(0).strip().strip("#").strip() if match else ""
    return ""


# --- field lists -------------------------------------------------------------------


@dataclass
class _FieldItem:
    """A field line of a field list, before nesting is known."""

    name: str
    type_text: str
    kind: str
    line: int
    opens: bool
    """Whether the page says the fields that follow belong to this one."""
    indent: int = 0
    parents: tuple[str, ...] = ()
    """The path a dotted name (``query.module``) gives, without the field itself."""
    required: bool | None = None
    values: list[str] = field(default_factory=list)
    children: list[_FieldItem] = field(default_factory=list)


def page_kind(type_text: str) -> str:
    """The kind of a printed type: string, integer, number, boolean, datetime,
    object or array."""
    words = type_text.lower().replace(" ", "")
    if "array" in words:
        return "array"
    if "object" in words:
        return "object"
    if "iso8601" in words or "datetime" in words or "date-time" in words:
        return "datetime"
    if words in ("integer", "long", "int"):
        return "integer"
    if words in ("number", "double"):
        return "number"
    return words


def _section_lines(lines: list[str], section: str) -> list[int]:
    """Indices of the lines under every heading of ``section``, up to the next heading."""
    indices: list[int] = []
    inside = False
    for index, line in enumerate(lines):
        kind = heading_kind(line)
        if (
            kind is None
            and section == "response"
            and re.search(r"[}\]]\s*Response (?:object|structure|fields)\s*$", line.strip(), re.I)
        ):
            kind = "response"  # a heading glued to the end of the sample before it
        if kind is None and _LABEL.match(line.strip().lstrip("#").strip()):
            kind = "end"  # a sample label closes a field list
        if kind is not None:
            inside = kind == section
            continue
        if inside:
            indices.append(index)
    return indices


def find_field_items(lines: list[str], section: str) -> list[_FieldItem]:
    """A field list (``response`` or ``request``), flat, in page order.
    ``X Properties`` headings mark the field X as holding the rows after them;
    ``Values are`` followed by ``value - meaning`` bullets, or a sentence such
    as ``The supported value is post``, documents a field's values."""
    items: list[_FieldItem] = []
    in_values = False
    for index, raw in _joined_rows(lines, _section_lines(lines, section)):
        line = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        heading = _PROPERTIES_HEADING.match(line)
        if heading:
            for item in reversed(items):
                if item.name.lower() == heading.group("name").lower():
                    item.opens = True
                    # The rows after the heading belong to that field again.
                    items.append(_FieldItem(item.name, "", "reopen", index + 1, True, indent))
                    break
            continue
        if line.startswith("|") or line.count(" | ") >= 2:
            row = _table_field(line, index, indent)
            if row is not None:
                items.append(row)
            continue
        if items and in_values:
            bullet = _VALUE_BULLET.match(line)
            if bullet and not _FIELD.match(_BULLET.sub("", line)):
                items[-1].values.append(bullet.group("value").strip())
                continue
            in_values = False
        matched = False
        for piece in _BULLET_SPLIT.split(line):
            match = _FIELD.match(_BULLET.sub("", piece.strip()).strip())
            if match is None:
                if matched:  # the rest of the description of the field before
                    items[-1].values.extend(_inline_values(piece))
                continue
            matched = True
            description = match.group("rest").strip().lstrip("-").strip()
            kind = page_kind(match.group("type"))
            items.append(
                _FieldItem(
                    name=match.group("name"),
                    type_text=match.group("type").strip(),
                    kind=kind,
                    line=index + 1,
                    opens=bool(match.group("show"))
                    or (kind in ("object", "array") and _opens(description)),
                    indent=indent,
                    required=_required(match.group("rest")),
                    values=_inline_values(description),
                )
            )
        if matched or not items:
            continue
        # A description line of the last field.
        if items[-1].kind in ("object", "array") and _opens(line):
            items[-1].opens = True
        if _VALUES_HEADER.match(line):
            in_values = True
            continue
        for value in _inline_values(line):
            if value not in items[-1].values:
                items[-1].values.append(value)
    return items


def _joined_rows(lines: list[str], indices: list[int]) -> list[tuple[int, str]]:
    """The section's lines, with a table row that a page copy split over three
    lines (``query`` / ``Show properties`` / ``JSON ObjectYes...``) joined again."""
    rows: list[tuple[int, str]] = []
    position = 0
    while position < len(indices):
        index = indices[position]
        line = lines[index]
        following = [lines[i].strip() for i in indices[position + 1 : position + 3]]
        if (
            re.fullmatch(r"[a-z_][A-Za-z0-9_]*", line.strip())
            and len(following) == 2
            and following[0] == "Show properties"
            and re.match(rf"(?i:{_TYPE_WORDS})", following[1])
        ):
            rows.append((index, f"{line.rstrip()} Show properties{following[1]}"))
            position += 3
            continue
        rows.append((index, line))
        position += 1
    return rows


def _table_field(line: str, index: int, indent: int) -> _FieldItem | None:
    """A markdown table row ``| name | type | required | description |``."""
    cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
    cells[0] = re.sub(r"\s*Show properties$", "", cells[0])
    if len(cells) < 2 or not re.fullmatch(
        r"[a-z_][A-Za-z0-9_]*(?:\[\])?(?:\.[a-z_][A-Za-z0-9_]*(?:\[\])?)*", cells[0]
    ):
        return None
    type_match = re.fullmatch(rf"(?i:{_TYPE_WORDS})(?:\[\])?", cells[1])
    if not type_match:
        return None
    parts = cells[0].replace("[]", "").split(".")
    required = None
    for cell in cells[2:]:
        word = cell.lower()
        if word in ("yes", "true", "required", "mandatory"):
            required = True
        elif word in ("no", "false", "optional"):
            required = False
        elif re.match(r"^(?:yes|mandatory|required),?\s+(?:when|if|for|only|in)\b", word):
            break  # depends on something: unstated
    kind = "array" if cells[1].endswith("[]") else page_kind(cells[1])
    values: list[str] = []
    for cell in cells[2:]:
        values.extend(_inline_values(cell))
    return _FieldItem(
        name=parts[-1],
        type_text=cells[1],
        kind=kind,
        line=index + 1,
        opens=kind in ("object", "array"),
        indent=indent,
        parents=tuple(parts[:-1]),
        required=required,
        values=values,
    )


def _required(rest: str) -> bool | None:
    match = _REQUIRED_WORD.match(rest)
    if match is None or match.group("cond"):
        return None
    if match.group("yes"):
        return match.group("yes") == "Yes"
    return match.group("word").lower() != "optional"


def _opens(description: str) -> bool:
    words = description.lower()
    return words.startswith("contains") or any(
        phrase in words
        for phrase in (
            "following keys",
            "following details",
            "the following",
            "keys:",
            "takes two keys",
        )
    )


def _inline_values(text: str) -> list[str]:
    """Values a description documents: ``The supported value is post``,
    ``Possible values: csv (default), ics``, ``ADDED, IN PROGRESS or COMPLETED``.
    An item of more than three words is prose, not a value, and ends the list."""
    values: list[str] = []
    for match in _VALUES_INLINE.finditer(text):
        listed = match.group("list") or match.group("list2") or ""
        for item in re.split(r"\s*(?:,|;|\bor\b|\band\b|/)\s*", listed):
            value = re.sub(r"\([^()]*\)", "", item).strip().strip("\"'`“”‘’ ")
            if not value:
                continue
            if len(value.split()) > 3 or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_ -]*", value):
                break
            if value.lower() not in ("default", "either", "etc") and value not in values:
                values.append(value)
    return values


Shape = dict[tuple[str, ...], set[str]]


def sample_shape(payloads: Iterable[Any]) -> Shape:
    """The keys seen at each object path of the samples (list items share their
    list's path)."""
    shape: Shape = {}

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, dict):
            shape.setdefault(path, set()).update(value)
            for key, child in value.items():
                walk(child, (*path, key))
        elif isinstance(value, list):
            for item in value:
                walk(item, path)

    for payload in payloads:
        walk(payload, ())
    return shape


def find_envelope(shape: Shape, names: list[str]) -> tuple[str, ...]:
    """The sample path the field list describes: the root, or the object a
    one-key envelope (``{"data": [...]}``) wraps when that fits the names better."""
    best: tuple[str, ...] = ()
    best_overlap = len(shape.get((), set()) & set(names))
    for key in sorted(shape.get((), set())):
        overlap = len(shape.get((key,), set()) & set(names))
        if overlap > best_overlap:
            best, best_overlap = (key,), overlap
    return best


@dataclass
class _Open:
    path: tuple[str, ...]
    item: _FieldItem | None
    children: list[_FieldItem]
    opens: bool
    indent: int

    @property
    def listed(self) -> set[str]:
        return {child.name for child in self.children}


def nest_fields(
    items: list[_FieldItem], shape: Shape, envelope: tuple[str, ...]
) -> tuple[PageField, ...]:
    """Nest a flat field list. A dotted name names its parents; a field indented
    deeper than the object before it belongs to that object, and a dedent closes
    the objects indented deeper. Otherwise a field belongs to the innermost open
    object whose samples carry it (and that has not listed it yet), else to the
    innermost object the page said holds the fields that follow. A line the
    page repeats in the same place counts once."""
    root = _Open(envelope, None, [], True, -1)
    stack = [root]
    for item in items:
        if item.kind == "reopen":
            stack = _reopen(root, stack, item.name)
            continue
        if item.parents:
            siblings = _dotted_parent(root, item.parents)
            if siblings is not None and item.name not in {child.name for child in siblings}:
                siblings.append(item)
            continue
        limit = next(
            (depth for depth in range(1, len(stack)) if stack[depth].indent > item.indent),
            len(stack),
        )
        top = stack[limit - 1]
        target = limit - 1 if top.item is not None and item.indent > top.indent else None
        if target is None:
            target = next(
                (
                    depth
                    for depth in range(limit - 1, -1, -1)
                    if item.name in shape.get(stack[depth].path, set())
                    and item.name not in stack[depth].listed
                ),
                None,
            )
        if target is None and _same_item(top, item):
            continue  # the page copy printed the line twice
        if target is None:
            target = max(
                depth for depth in range(limit) if stack[depth].opens or _opened(stack[depth].item)
            )
        del stack[target + 1 :]
        parent = stack[target]
        if item.name in parent.listed:
            continue
        parent.children.append(item)
        if item.kind in ("object", "array"):
            stack.append(
                _Open((*parent.path, item.name), item, item.children, item.opens, item.indent)
            )
    return _freeze(root.children)


def _reopen(root: _Open, stack: list[_Open], name: str) -> list[_Open]:
    """The stack with the object field ``name`` on top: the innermost open one,
    else the last one listed anywhere."""
    for depth in range(len(stack) - 1, 0, -1):
        item = stack[depth].item
        if item is not None and item.name == name:
            return stack[: depth + 1]

    def find(entry: _Open) -> list[_Open] | None:
        for child in reversed(entry.children):
            if child.kind not in ("object", "array"):
                continue
            opened = _Open((*entry.path, child.name), child, child.children, True, child.indent)
            if child.name == name:
                return [opened]
            below = find(opened)
            if below is not None:
                return [opened, *below]
        return None

    path = find(root)
    return [root, *path] if path is not None else stack


def _opened(item: _FieldItem | None) -> bool:
    return item is not None and item.opens


def _same_item(entry: _Open, item: _FieldItem) -> bool:
    return any(child.name == item.name and child.kind == item.kind for child in entry.children)


def _dotted_parent(root: _Open, parents: tuple[str, ...]) -> list[_FieldItem] | None:
    children = root.children
    for name in parents:
        holder = next((child for child in children if child.name == name), None)
        if holder is None:
            return None
        children = holder.children
    return children


def _freeze(items: list[_FieldItem]) -> tuple[PageField, ...]:
    return tuple(
        PageField(
            item.name,
            item.type_text,
            item.kind,
            item.line,
            _freeze(item.children),
            item.required,
            tuple(item.values),
        )
        for item in items
    )
