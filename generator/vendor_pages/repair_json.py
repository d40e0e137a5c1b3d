"""Repairs of sample JSON as vendor pages print it: markdown line
continuations, markdown escapes inside strings, ``//`` comments and elided
lines, missing commas between members and stray text glued before the
opening brace. Each repair is counted
so that a reviewer sees exactly what was changed; nothing is evaluated."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# Escapes JSON allows after a backslash inside a string.
_JSON_ESCAPES = frozenset('"\\/bfnrtu')
_MAX_COMMAS = 1000


class JsonRepairError(ValueError):
    """The text is not JSON even after every known repair; names the place."""

    def __init__(self, line: int, column: int, problem: str) -> None:
        self.line = line
        self.column = column
        self.problem = problem
        super().__init__(f"line {line}, column {column}: {problem}")


@dataclass(frozen=True)
class Repaired:
    """A parsed sample and the repairs that made it parse."""

    payload: Any
    text: str
    repairs: tuple[str, ...]


def find_json_end(text: str, start: int) -> int | None:
    """The index just past the value that opens at ``text[start]`` (``{`` or ``[``),
    found by matching brackets outside strings; None when it never closes."""
    depth = 0
    in_string = False
    escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"' or char == "\n":
                # A string never spans lines in these samples; a newline ends a
                # string left open by a typo so that the brackets still match.
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def strip_line_continuations(text: str) -> tuple[str, int]:
    """Drop backslashes that end a line outside a string (markdown's hard line
    breaks); return the text and how many were dropped."""
    lines = text.split("\n")
    count = 0
    for index, line in enumerate(lines):
        stripped = line.rstrip()
        if stripped.endswith("\\") and not _ends_inside_string(stripped[:-1]):
            lines[index] = stripped[:-1]
            count += 1
    return "\n".join(lines), count


def _ends_inside_string(line: str) -> bool:
    in_string = False
    escaped = False
    for char in line:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = in_string
        elif char == '"':
            in_string = not in_string
    return in_string


def strip_markdown_escapes(text: str) -> tuple[str, int]:
    """Drop backslashes inside strings that JSON does not allow there (markdown
    writes ``job\\_id``); return the text and how many were dropped."""
    out: list[str] = []
    count = 0
    in_string = False
    index = 0
    while index < len(text):
        char = text[index]
        if in_string and char == "\\":
            following = text[index + 1] if index + 1 < len(text) else ""
            if following and following not in _JSON_ESCAPES and following != "\n":
                count += 1
                index += 1
                continue
            out.append(char + following)
            index += 2
            continue
        if char == '"':
            in_string = not in_string
        elif char == "\n":
            in_string = False
        out.append(char)
        index += 1
    return "".join(out), count


def strip_comments(text: str) -> tuple[str, int]:
    """Drop ``// ...`` comments outside strings and lines holding only dots (an
    elided part, ``.`` or ``...``); return the text and how many were dropped."""
    lines = text.split("\n")
    count = 0
    for index, line in enumerate(lines):
        if line.strip() and set(line.strip()) == {"."}:
            lines[index] = ""
            count += 1
            continue
        cut = _comment_start(line)
        if cut is not None:
            lines[index] = line[:cut].rstrip()
            count += 1
    return "\n".join(lines), count


def _comment_start(line: str) -> int | None:
    in_string = False
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = in_string
        elif char == '"':
            in_string = not in_string
        elif not in_string and line.startswith("//", index):
            return index
    return None


def drop_trailing_commas(text: str) -> tuple[str, int]:
    """Drop a comma that closes a list or object (left before an elided part);
    return the text and how many were dropped."""
    out: list[str] = []
    count = 0
    in_string = False
    escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char in ('"', "\n"):
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "," and text[index + 1 :].lstrip()[:1] in ("]", "}"):
            count += 1
            continue
        out.append(char)
    return "".join(out), count


def insert_missing_commas(text: str) -> tuple[str, int]:
    """Insert the commas the decoder asks for between members or items; return
    the text and how many were inserted."""
    count = 0
    while count < _MAX_COMMAS:
        try:
            json.loads(text)
            return text, count
        except json.JSONDecodeError as exc:
            if not exc.msg.startswith("Expecting ',' delimiter"):
                return text, count
            end = len(text[: exc.pos].rstrip())
            if end == 0 or text[end - 1] == ",":
                return text, count
            text = text[:end] + "," + text[end:]
            count += 1
    return text, count


def repair_json(text: str, glued_prefix: str = "") -> Repaired:
    """Parse sample JSON, repairing what pages are known to break.

    ``glued_prefix`` is stray text that sat on the opening line right before the
    JSON; it was already cut off and is reported as a repair.
    Raise JsonRepairError when the text still does not parse."""
    repairs: list[str] = []
    if glued_prefix:
        repairs.append(f"dropped the text {glued_prefix!r} glued before the JSON")
    text, continuations = strip_line_continuations(text)
    if continuations:
        noun = _plural(continuations, "backslash", "backslashes")
        repairs.append(f"removed {continuations} markdown line-continuation {noun}")
    text, escapes = strip_markdown_escapes(text)
    if escapes:
        noun = _plural(escapes, "backslash", "backslashes")
        repairs.append(f"removed {escapes} markdown escape {noun} inside strings")
    text, comments = strip_comments(text)
    if comments:
        noun = _plural(comments, "comment or elision", "comments or elisions")
        repairs.append(f"removed {comments} {noun}")
    text, trailing = drop_trailing_commas(text)
    if trailing:
        noun = _plural(trailing, "comma", "commas")
        repairs.append(f"removed {trailing} trailing {noun}")
    text, commas = insert_missing_commas(text)
    if commas:
        repairs.append(
            f"inserted {commas} missing {_plural(commas, 'comma', 'commas')} between members"
        )
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonRepairError(exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    return Repaired(payload, text, tuple(repairs))


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


_PREFIX = re.compile(r"[A-Za-z_:>-]*")


def split_glued_prefix(line: str) -> tuple[str, str] | None:
    """Split a line such as ``Response:{`` into its glued prefix and the JSON
    opening; None when the line does not open a JSON object or array."""
    match = _PREFIX.match(line)
    prefix = match.group(0) if match else ""
    rest = line[len(prefix) :]
    if not rest or rest[0] not in "{[":
        return None
    after = rest[1:].lstrip()
    if after and after[0] not in '"{[]}\\':
        return None
    return prefix, rest
