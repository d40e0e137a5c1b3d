"""Read a vendor reference page (plain text, markdown, or the table layout) and
pull out its facts: method and URL template, path parameters, scopes, the
response field list with its nesting, error codes with their HTTP status, and
every sample payload (repaired where the printed JSON is broken).

Pages are only read as text; nothing in them is ever run."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import GeneratorError
from generator.repair_json import JsonRepairError, find_json_end, repair_json, split_glued_prefix

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# The label of the vendor's copy button, which the page text glues to code blocks.
COPY_MARKER = "Copied"

_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_RESPONSE_HEADING = re.compile(r"(?:^|[}\]#])\s*Response (?:object|structure|fields)\s*$", re.I)
_SECTION_END = re.compile(
    r"^\s*#*\s*(?:Possible errors?|Possible error codes|Sample (?:request|response)|Note\b|"
    r"To know\b|Request (?:URL|parameters)|Scope\b)",
    re.I,
)
_TYPE_WORDS = (
    r"json ?object|json ?array|array|string|integer|long|boolean|number|double|"
    r"datetime in iso ?8601|datetime|iso ?8601"
)
_FIELD = re.compile(
    rf"^(?P<name>[a-z_][a-z0-9_]*?)(?P<show>\s+Show properties)?(?:,\s*|\s*)"
    rf"(?P<type>(?i:{_TYPE_WORDS}))(?P<rest>.*)$"
)
_PROPERTIES_HEADING = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*) Properties$")
_BULLET_SPLIT = re.compile(r"(?:^|\s)-\s+(?=[a-z_])")
_LABEL = re.compile(r"Sample\s+(?:request|response)\b.*", re.I)
_ERROR = re.compile(
    r"\b(?P<code>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})\s*[-:|]?\s*HTTP\s*(?P<status>\d{3})(?!\d)"
)
_SCOPE_LINE = re.compile(
    r"^(?:-\s*|scope\s*=\s*)(?P<scopes>Zoho\w*\.\S+(?:\s+and\s+Zoho\w*\.\S+)*)\s*$"
)
_URL_LINE = re.compile(r"^(?:\{[A-Za-z_-]+\}|https?://)\S*/bulk/\S*$")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_VERSION_MENTIONS = (
    re.compile(r"/bulk/(v\d+(?:\.\d+)?)/"),
    re.compile(r"/(v\d+(?:\.\d+)?)/[a-z]+/org\w*/"),
    re.compile(r"/api/(v\d+(?:\.\d+)?)/"),
)


class PageError(GeneratorError):
    """A page cannot be read or yields nothing; one line naming the file."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class PageField:
    """A field of the page's response field list, with its nested fields."""

    name: str
    type_text: str
    """The type as printed (``JSON Object``, ``Integer``)."""
    kind: str
    """The printed type in the spec's words: string, integer, number, boolean, datetime,
    object or array."""
    line: int
    children: tuple[PageField, ...] = ()


@dataclass(frozen=True)
class PageErrorCode:
    """An error code the page documents, with its HTTP status."""

    code: str
    http_status: int
    line: int


@dataclass(frozen=True)
class PageSample:
    """A sample payload printed on the page."""

    line: int
    """Line where the JSON starts."""
    label: str
    request: bool
    payload: Any
    repairs: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    """Everything extracted from one page."""

    file: str
    name: str
    title: str
    method: str | None
    method_line: int
    url: str | None
    url_line: int
    path: str | None
    """The URL template's path, placeholders kept (``/bigin/bulk/v2/write/{job_id}``)."""
    path_params: tuple[str, ...]
    scopes: tuple[tuple[str, ...], ...]
    """Alternatives as printed; all scopes of one alternative are needed together."""
    scopes_line: int
    fields: tuple[PageField, ...]
    envelope: tuple[str, ...]
    """Keys leading from a sample's root to the object the field list describes."""
    errors: tuple[PageErrorCode, ...]
    samples: tuple[PageSample, ...]
    version_mentions: tuple[str, ...]
    """API versions named in the page's sample URLs and links, most frequent first."""

    @property
    def is_empty(self) -> bool:
        """True when nothing at all was found."""
        return not (self.url or self.fields or self.errors or self.samples or self.scopes)


def unmark(line: str) -> str:
    """A line without markdown emphasis and backslash escapes."""
    return _MARKDOWN_ESCAPE.sub(r"\1", line.replace("**", ""))


def read_page(path: Path) -> Page:
    """Read and extract one page; raise PageError for an unreadable or empty page."""
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PageError(display, None, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise PageError(display, None, f"cannot read: {exc.strerror or exc}") from None
    page = extract_page(text, display, path.name)
    if page.is_empty:
        raise PageError(
            display, None, "no request URL, fields, error codes, scopes or samples found"
        )
    return page


def extract_page(text: str, file: str, name: str) -> Page:
    """Extract the facts of a page's text; ``file`` names it in messages."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = text.split("\n")
    lines = [unmark(line) for line in raw_lines]
    samples = find_samples(text, file)
    method, method_line = find_method(lines)
    url, url_line = find_url(lines)
    path = url_path(url) if url else None
    scopes, scopes_line = find_scopes(lines)
    flat = find_field_items(lines)
    shape = sample_shape(sample.payload for sample in samples if not sample.request)
    envelope = find_envelope(shape, [item.name for item in flat])
    return Page(
        file=file,
        name=name,
        title=next((line.strip("# ").strip() for line in lines if line.strip()), ""),
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
        fields=nest_fields(flat, shape, envelope),
        envelope=envelope,
        errors=find_errors(lines),
        samples=tuple(samples),
        version_mentions=find_version_mentions(lines),
    )


# --- method, URL, scopes, errors -------------------------------------------------


def find_method(lines: list[str]) -> tuple[str | None, int]:
    """The HTTP method: a ``Request Method`` heading, an endpoint link, or curl's -X."""
    for index, line in enumerate(lines):
        if line.strip().strip("#").strip().lower() == "request method":
            for offset, following in enumerate(lines[index + 1 : index + 4], start=1):
                if following.strip() in METHODS:
                    return following.strip(), index + offset + 1
    for index, line in enumerate(lines):
        match = re.match(r"^\s*\[(GET|POST|PUT|PATCH|DELETE) /", line)
        if match:
            return match.group(1), index + 1
    for index, line in enumerate(lines):
        match = re.search(r"(?:^|\s)-X\s+(GET|POST|PUT|PATCH|DELETE)\b", line)
        if match:
            return match.group(1), index + 1
    return None, 0


def find_url(lines: list[str]) -> tuple[str | None, int]:
    """The request URL template and its line."""
    for index, line in enumerate(lines):
        if line.strip().strip("#").strip().lower() == "request url":
            for offset, following in enumerate(lines[index + 1 : index + 4], start=1):
                candidate = following.strip()
                if candidate:
                    return _normalize_url(candidate), index + offset + 1
    for index, line in enumerate(lines):
        if _URL_LINE.match(line.strip()):
            return _normalize_url(line.strip()), index + 1
    return None, 0


def _normalize_url(url: str) -> str:
    # {{your-domain}} is a doubled placeholder; one pair of braces is enough.
    return re.sub(r"\{\{([^{}]+)\}\}", r"{\1}", url)


def url_path(url: str) -> str:
    """The path of a URL template: without scheme and host, or without a leading
    ``{api-domain}`` placeholder."""
    match = re.match(r"^(?:https?://[^/]+|\{[^{}/]+\})?(?P<path>/.*)?$", url)
    return (match.group("path") or "/") if match else url


def find_scopes(lines: list[str]) -> tuple[tuple[tuple[str, ...], ...], int]:
    """Scope alternatives: lines ``scope=X`` or ``- X and Y``, in page order."""
    alternatives: list[tuple[str, ...]] = []
    first = 0
    for index, line in enumerate(lines):
        match = _SCOPE_LINE.match(line.strip())
        if match:
            scopes = tuple(part.strip() for part in match.group("scopes").split(" and "))
            if scopes not in alternatives:
                alternatives.append(scopes)
            first = first or index + 1
    return tuple(alternatives), first


def find_errors(lines: list[str]) -> tuple[PageErrorCode, ...]:
    """Error codes printed as ``CODE HTTP 404`` (spaces optional), first mention each."""
    found: dict[str, PageErrorCode] = {}
    for index, line in enumerate(lines):
        for match in _ERROR.finditer(line):
            code = match.group("code")
            if code not in found:
                found[code] = PageErrorCode(code, int(match.group("status")), index + 1)
    return tuple(found.values())


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
    label or a json code fence."""
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
        if split is None or not (marked or label or fence == "json"):
            index += 1
            continue
        prefix, rest = split
        start = starts[index] + len(original[index].rstrip()) - len(rest)
        end = find_json_end(text, start)
        if end is None:
            raise PageError(file, index + 1, "sample JSON never closes")
        try:
            repaired = repair_json(text[start:end], prefix)
        except JsonRepairError as exc:
            raise PageError(file, index + exc.line, f"sample {exc.problem}") from None
        samples.append(
            PageSample(
                line=index + 1,
                label=label or f"sample at line {index + 1}",
                request="request" in label.lower(),
                payload=repaired.payload,
                repairs=repaired.repairs,
            )
        )
        # Text may follow the closing bracket on its line (the next label).
        index = text.count("\n", 0, end)
        lines[index] = text[end : starts[index + 1] - 1] if index + 1 < len(starts) else ""
    return samples


def find_label(lines: list[str], index: int) -> str:
    """The sample label printed just before line ``index`` ('' when there is none)."""
    for back in range(index - 1, max(index - 4, -1), -1):
        line = lines[back].strip()
        if not line or line.startswith("```"):
            continue
        match = _LABEL.search(unmark(line))
        return match.group(0).strip().strip("#").strip() if match else ""
    return ""


# --- response fields ---------------------------------------------------------------


@dataclass
class _FieldItem:
    """A field line of the response list, before nesting is known."""

    name: str
    type_text: str
    kind: str
    line: int
    opens: bool
    """Whether the page says the fields that follow belong to this one."""
    children: list[_FieldItem] = field(default_factory=list)


def page_kind(type_text: str) -> str:
    """The kind of a printed type: string, integer, number, boolean, datetime,
    object or array."""
    words = type_text.lower().replace(" ", "")
    if "array" in words:
        return "array"
    if "object" in words:
        return "object"
    if "iso8601" in words or "datetime" in words:
        return "datetime"
    if words in ("integer", "long"):
        return "integer"
    if words in ("number", "double"):
        return "number"
    return words


def find_field_items(lines: list[str]) -> list[_FieldItem]:
    """The response field list, flat, in page order (``X Properties`` headings
    mark the field X as holding the rows after them)."""
    start = next(
        (index for index, line in enumerate(lines) if _RESPONSE_HEADING.search(line.strip())),
        None,
    )
    if start is None:
        return []
    items: list[_FieldItem] = []
    for index in range(start + 1, len(lines)):
        line = lines[index].strip()
        if _SECTION_END.match(line):
            break
        heading = _PROPERTIES_HEADING.match(line)
        if heading:
            for item in reversed(items):
                if item.name == heading.group("name"):
                    item.opens = True
                    break
            continue
        for piece in _BULLET_SPLIT.split(line):
            match = _FIELD.match(piece.strip().lstrip("-").strip())
            if match is None:
                if items and piece.strip().lower().startswith("contains"):
                    items[-1].opens = items[-1].opens or items[-1].kind in ("object", "array")
                continue
            description = match.group("rest").strip().lstrip("-").strip()
            kind = page_kind(match.group("type"))
            items.append(
                _FieldItem(
                    name=match.group("name"),
                    type_text=match.group("type").strip(),
                    kind=kind,
                    line=index + 1,
                    opens=bool(match.group("show"))
                    or (kind in ("object", "array") and description.lower().startswith("contains")),
                )
            )
    return items


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

    @property
    def listed(self) -> set[str]:
        return {child.name for child in self.children}


def nest_fields(
    items: list[_FieldItem], shape: Shape, envelope: tuple[str, ...]
) -> tuple[PageField, ...]:
    """Nest a flat field list. A field belongs to the innermost open object whose
    samples carry it (and that has not listed it yet); otherwise to the innermost
    object the page said holds the fields that follow."""
    root = _Open(envelope, None, [], True)
    stack = [root]
    for item in items:
        target = None
        for depth in range(len(stack) - 1, -1, -1):
            entry = stack[depth]
            if item.name in shape.get(entry.path, set()) and item.name not in entry.listed:
                target = depth
                break
        if target is None:
            target = max(
                depth
                for depth, entry in enumerate(stack)
                if entry.opens or (entry.item is not None and entry.item.opens)
            )
        del stack[target + 1 :]
        parent = stack[target]
        parent.children.append(item)
        if item.kind in ("object", "array"):
            stack.append(_Open((*parent.path, item.name), item, item.children, item.opens))
    return _freeze(root.children)


def _freeze(items: list[_FieldItem]) -> tuple[PageField, ...]:
    return tuple(
        PageField(item.name, item.type_text, item.kind, item.line, _freeze(item.children))
        for item in items
    )
