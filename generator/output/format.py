"""Stage 5, format: black for Python sources, one canonical layout for JSON.

Black is the formatter of record: every generated Python file is as black
leaves it (tests/targets/test_generated_quality.py runs black over the committed tree).
But the templates and the models writer already lay code out as black does, so
black runs at generation time only on a file that a quick look
(``needs_black``) cannot clear: a long line, a bracket black could close on
one line, blank lines black would change, a single-quoted string, ... (see
docs/generation-speed.md). ``ZOHO_BULKGEN_BLACK=always`` runs it on every file."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Mapping
from typing import Any

from generator.errors import GeneratorError
from generator.output.cache import cache_key, cached_text, cached_texts
from generator.output.reuse import EarlierOutputs, step_identity

BLACK_LINE_LENGTH = 88


_BLACK_SETTINGS = f"py311 line-length={BLACK_LINE_LENGTH}"


def format_python(source: str, path: str) -> str:
    """Black-format ``source`` (or take the result of an earlier run from the
    cache); a failure here is a generator bug, named by file."""
    return cached_text(
        "black",
        (black_identity(), source),
        lambda: _run_black(source, path),
    )


def format_python_files(sources: dict[str, str]) -> dict[str, str]:
    """``format_python`` of every source (keyed by path), as one batch: cache
    misses are formatted in parallel."""
    identity = black_identity()
    requests = [((identity, text), (text, path)) for path, text in sources.items()]
    return dict(zip(sources, cached_texts("black", requests, _run_black), strict=True))


BLACK_ENV = "ZOHO_BULKGEN_BLACK"


def black_always() -> bool:
    """Whether black must run on every Python file (``ZOHO_BULKGEN_BLACK=always``)."""
    return os.environ.get(BLACK_ENV, "").lower() == "always"


_OPENERS = "([{"
_CLOSERS = ")]}"
_TOKENS = re.compile(
    r'(?P<string>"""(?:[^"\\]++|\\.|"(?!""))*+"""'
    r"|'''(?:[^'\\]++|\\.|'(?!''))*+'''"
    r'|"(?:[^"\\\n]++|\\.)*+"'
    r"|'(?:[^'\\\n]++|\\.)*+')"
    r"|(?P<comment>#[^\n]*)",
    re.DOTALL,
)
"""A string literal (without its prefix) or a comment."""
_IN_STRING = "\x01"
"""Starts a line of the code view that continues a multi-line string."""


def _code_view(match: re.Match[str]) -> str:
    """A string literal as ``""`` (``''`` when black would change its quotes
    or prefix, or strip a one-line docstring), a comment as ``#``; a string
    over several lines keeps its line count, each continuation line marked."""
    if match.group("comment") is not None:
        return "#"
    string = match.group("string")
    before = match.string[max(0, match.start() - 2) : match.start()]
    prefix = before[len(before.rstrip("rRbBuUfF")) :]
    # Black keeps single quotes only around text holding more double quotes
    # than escaped single ones (double quotes would then need more escapes).
    changed = string[0] == "'" and string.count('"') <= string.count("\\'")
    changed = changed or prefix != prefix.lower()
    changed = changed or "u" in prefix
    if string.startswith('"""'):
        body = string[3:-3]
        # Black pads a docstring that starts or ends with a quote, and strips
        # the ends of a one-line one.
        changed = changed or body.startswith('"') or body.endswith(('"', "\\"))
        changed = changed or ("\n" not in string and body != body.strip())
    quoted = "''" if changed else '""'
    return quoted + f"\n{_IN_STRING}{quoted}" * string.count("\n")


def black_reason(text: str) -> str | None:
    """Why black must run on ``text``, or None when a quick look shows
    nothing black would change in the output of a template that lays code out
    as black does: a line over the limit that black could split, trailing
    whitespace, tabs or carriage returns, a file not ending in exactly one
    newline, more blank lines in a row than black keeps, blank lines before a
    definition that black would change or one opening a block, a
    single-quoted string, a one-line docstring with spaces at its ends, or a
    bracket split over lines whose contents black would join (no magic
    trailing comma, short enough). A false alarm only costs a black run.

    Each rule is a regular expression over the whole file (or over its code
    view, where strings are emptied and comments dropped), so that the check
    costs a few milliseconds per file, not the second black takes."""
    if not text.endswith("\n") or text.endswith("\n\n") or "\t" in text or "\r" in text:
        return "file ends, tab or carriage return"
    if _TRAILING_SPACE.search(text):
        return "trailing space"
    code = _TOKENS.sub(_code_view, text)
    if code.count("\n") != text.count("\n"):
        return "string literals not understood"
    if "''" in code:
        return "quotes or docstring black would change"
    for rule, reason in _CODE_RULES:
        if rule.search(code):
            return reason
    lines = text.split("\n")
    views = code.split("\n")
    for match in _LONG_LINE.finditer(text):
        index = text.count("\n", 0, match.start())
        view = views[index]
        if not view.startswith(_IN_STRING) and not _unsplittable(view.lstrip(" ")):
            return f"line {index + 1}: too long"
    for match in _OPENING_LINE.finditer(code):
        index = code.count("\n", 0, match.start())
        view = views[index]
        if _joinable(lines, views, index, len(view) - len(view.lstrip(" "))):
            return f"line {index + 1}: a bracket black may join"
    return None


_TRAILING_SPACE = re.compile(r" $", re.MULTILINE)
_LONG_LINE = re.compile(rf"^.{{{BLACK_LINE_LENGTH + 1},}}$", re.MULTILINE)
_OPENING_LINE = re.compile(r"^(?!\x01).*[(\[{]$", re.MULTILINE)
_CODE_RULES = (
    (re.compile(r"\n\n\n\n"), "more than two blank lines"),
    (re.compile(r"\n\n\n(?= )"), "two blank lines inside a block"),
    (
        re.compile(r"^(?![ \x01]*[@#])[^\n]*[^:\n]\n *(?:async def|def|class|@)\b", re.MULTILINE),
        "no blank line before a definition",
    ),
    (
        re.compile(r"^(?![ \x01]*[@#])[^\n]*[^:\n]\n\n(?:async def|def|class|@)\b", re.MULTILINE),
        "one blank line before a top-level definition",
    ),
    (
        re.compile(
            r"^ *(?:async def|def|class|if|elif|else|for|while|try|except|finally|with)\b"
            r"[^\n]*:\n\n",
            re.MULTILINE,
        ),
        "a blank line opening a block",
    ),
)
"""Blank-line rules of black, over the code view (the ``\\x01`` lines
continue strings, whose contents black leaves alone)."""


def _unsplittable(view: str) -> bool:
    """Whether black leaves a long line (seen without its strings' text) as
    it is: a lone string (a docstring, an argument on a line of its own), or
    an item of an exploded collection with no bracket to split at."""
    if view.strip('",)rRbBuUfF') == "":
        return True
    return view.endswith(",") and not any(char in view for char in _OPENERS + _CLOSERS)


def needs_black(text: str) -> bool:
    """Whether black must run on ``text`` (see ``black_reason``)."""
    return black_reason(text) is not None


def _needs_black_once(text: str, verdicts: dict[str, bool]) -> bool:
    """``needs_black(text)``, looked at once per distinct text (versions often
    share a file's text)."""
    verdict = verdicts.get(text)
    if verdict is None:
        verdict = verdicts[text] = needs_black(text)
    return verdict


def _joinable(lines: list[str], code: list[str], start: int, indent: int) -> bool:
    """Whether the bracket that ends ``code[start]`` closes at the start of a
    later line of the same indent, with no trailing comma before it, and the
    whole would fit on one line (so black would join it)."""
    for end in range(start + 1, len(code)):
        view = code[end]
        stripped = view.lstrip(" ")
        if stripped and not view.startswith(_IN_STRING) and len(view) - len(stripped) <= indent:
            if len(view) - len(stripped) < indent or stripped[0] not in _CLOSERS:
                return True  # not a simple bracket block: let black decide
            inner = [part.strip() for part in code[start + 1 : end] if part.strip()]
            if not inner or inner[-1].endswith(","):
                return False
            joined = " ".join(part.strip() for part in lines[start + 1 : end] if part.strip())
            width = len(lines[start]) + len(joined) + len(lines[end].lstrip(" "))
            return width <= BLACK_LINE_LENGTH
    return True


def _check_parses(source: str, path: str) -> None:
    """Raise GeneratorError, as black would have, if ``source`` is not Python
    (the compiler's parser: a tenth of black's time)."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise GeneratorError(
            f"{path}: generated code does not parse (generator bug): {exc}"
        ) from None


def _run_black(source: str, path: str) -> str:
    # Imported here: only generation formats code, and black is slow to import.
    import black
    from black.mode import Mode, TargetVersion

    mode = Mode(target_versions={TargetVersion.PY311}, line_length=BLACK_LINE_LENGTH)
    try:
        return black.format_str(source, mode=mode)
    except Exception as exc:  # black raises several unrelated types
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise GeneratorError(
            f"{path}: generated code does not parse (generator bug): {first_line}"
        ) from None


def format_json(data: Any, compact: str | None = None) -> str:
    """JSON with two-space indents, keys in the order given, and a final
    newline: ``json.dumps(data, indent=2, ensure_ascii=False) + "\\n"``, byte
    for byte. orjson writes it (the standard library lays an indented document
    out in pure Python, five times slower) when its compact encoding of
    ``data`` is the standard library's (``compact``, computed here unless
    given): the same tokens in the same order, so the same indented text. It
    is not for a float it spells otherwise (``1e-7`` for ``1e-07``), an
    infinite one (orjson writes null), a key that is not a string or an
    integer beyond 64 bits; the standard library writes those."""
    import orjson

    try:
        if compact is None:
            compact = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if orjson.dumps(data) == compact.encode("utf-8"):
            indented: bytes = orjson.dumps(
                data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
            )
            return indented.decode("utf-8")
    except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        pass
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


_JSON_LAYOUT = "indent=2 ensure_ascii=False newline"
"""What format_json does (part of its recipes and cache keys)."""


def json_recipe(data: Any) -> str:
    """The recipe (see reuse.py) of ``format_json(data)``: a hash of the compact
    JSON, which C encodes several times faster than the indented layout, which
    Python encodes."""
    return _json_recipe(_compact_json(data))


def _compact_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _json_recipe(compact: str) -> str:
    return cache_key("json", step_identity(), _JSON_LAYOUT, compact)


def _formatted_json(data: Any, earlier: EarlierOutputs) -> tuple[str, str]:
    """The recipe of ``format_json(data)`` and its text, from an earlier
    run's tree when it has it. Not from the content cache: laying a document
    out costs less than reading a cache entry, and storing one costs a file
    creation."""
    compact = _compact_json(data)
    recipe = _json_recipe(compact)
    reused = earlier.find(recipe)
    if reused is not None:
        return recipe, reused
    return recipe, format_json(data, compact)


def black_identity() -> str:
    """What, besides its input, shapes black's output: its settings, and the
    step identity (this module's code, black's version, ...)."""
    return f"{step_identity()} {_BLACK_SETTINGS}"


def python_recipe(source: str) -> str:
    """The recipe (see reuse.py) of the black-formatted ``source``."""
    return cache_key("black", black_identity(), source)


def format_outputs(
    schemas: dict[str, dict[str, Any]],
    sources: dict[str, str],
    *,
    recipes: Mapping[str, str] | None = None,
    earlier: EarlierOutputs | None = None,
    formatted: Collection[str] = (),
) -> tuple[dict[str, bytes], dict[str, str]]:
    """Every output file as the bytes to write, keyed by path, sorted by path,
    and the recipe of every JSON and Python file.

    A Python file's recipe is ``recipes[path]`` when given (a file whose source
    came from a slow step of its own), else that of black on its source. A file
    ``earlier`` has for its recipe is taken from there, one in ``formatted``
    (already black's output) is kept as it is, and so is one that
    ``needs_black`` clears; black formats the others."""
    recipes = recipes or {}
    earlier = earlier or EarlierOutputs()
    files: dict[str, bytes] = {}
    made_from: dict[str, str] = {}
    # A package ships the very schema objects of schemas/: each is written once.
    written: dict[int, tuple[str, bytes]] = {}
    for path, schema in schemas.items():
        if id(schema) not in written:
            recipe, text = _formatted_json(schema, earlier)
            written[id(schema)] = (recipe, text.encode("utf-8"))
        made_from[path], files[path] = written[id(schema)]
    to_format: dict[str, str] = {}
    verdicts: dict[str, bool] = {}
    for path, text in sources.items():
        if not path.endswith(".py"):
            files[path] = text.encode("utf-8")
            continue
        made_from[path] = recipes.get(path) or python_recipe(text)
        reused = earlier.find(made_from[path])
        if reused is not None:
            files[path] = reused.encode("utf-8")
        elif path in formatted:
            files[path] = text.encode("utf-8")
        elif not (black_always() or _needs_black_once(text, verdicts)):
            _check_parses(text, path)
            files[path] = text.encode("utf-8")
        else:
            to_format[path] = text
    for path, text in format_python_files(to_format).items():
        files[path] = text.encode("utf-8")
    return dict(sorted(files.items())), dict(sorted(made_from.items()))
