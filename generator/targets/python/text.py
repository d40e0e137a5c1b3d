"""The one place where spec text becomes part of a generated file's syntax.

Free text (descriptions, titles, labels) reaches Python sources only as a
string literal (``python_literal``) or inside a triple-quoted docstring
(``docstring_text``), and a TOML file only as a basic string
(``toml_string``). Each escapes what its context would otherwise read as
syntax, so spec text is always data: never code, never template syntax (the
templates render it as a value; Jinja2 does not re-read rendered output)."""

from __future__ import annotations

import re


def python_literal(value: object) -> str:
    """A Python literal for a str, int, bool or None from the spec (``repr``
    escapes quotes, backslashes and every non-printable character), in double
    quotes unless the text holds one: black's own choice, so that black has
    nothing to change (and formats the file in one pass instead of two)."""
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, str):
        literal = repr(value)
        if literal.startswith("'") and '"' not in value:
            # repr chose single quotes, so the text holds neither quote.
            return f'"{literal[1:-1]}"'
        return literal
    raise TypeError(f"cannot render {type(value).__name__} as a Python literal")


def docstring_text(value: str) -> str:
    """Text that is safe inside a (non-raw) triple-quoted docstring and reads,
    at run time, as ``value`` with its whitespace runs collapsed to one space.

    Backslashes are doubled, characters that are not printable (NUL, escape
    codes, bidirectional controls, ...) are written as escapes, no three quotes
    in a row survive, and a final quote cannot merge with the closing ones."""
    text = " ".join(str(value).split())
    if text.isprintable():
        text = text.replace("\\", "\\\\")
    else:
        text = "".join(_docstring_char(char) for char in text)
    # The final quote first: escaping it after the triple quotes would split
    # the escape of a final three quotes in two.
    if text.endswith('"'):
        text = text[:-1] + '\\"'
    return text.replace('"""', '\\"\\"\\"')


def _docstring_char(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if char.isprintable():
        return char
    return _unicode_escape(char)


def _unicode_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def toml_string(value: str) -> str:
    """A TOML basic string (with its quotes) holding ``value`` on one line."""
    text = " ".join(str(value).split())
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif not char.isprintable():  # control characters included, as TOML requires
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def markdown_text(value: str) -> str:
    """``value`` as literal Markdown inline text on one line: every ASCII
    punctuation character backslash-escaped (CommonMark allows it for all of
    them, so no emphasis, link, HTML, heading or code span can start), and
    characters that are not printable shown by their code point."""
    out = []
    for char in " ".join(str(value).split()):
        if char.isascii() and not char.isalnum() and char.isprintable() and char != " ":
            out.append("\\" + char)
        elif not char.isprintable():
            out.append(f"U+{ord(char):04X}")
        else:
            out.append(char)
    return "".join(out)


def snake_case(name: str) -> str:
    """``JobStatus`` -> ``job_status`` (the generated vocabulary helpers are named so)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
