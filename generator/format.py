"""Stage 5, format: black for Python sources, one canonical layout for JSON."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from generator.cache import cache_key, cached_text, cached_texts
from generator.errors import GeneratorError
from generator.reuse import EarlierOutputs, step_identity

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


def format_json(data: Any) -> str:
    """JSON with two-space indents, keys in the order given, and a final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


_JSON_LAYOUT = "indent=2 ensure_ascii=False newline"
"""What format_json does (part of its recipes and cache keys)."""


def json_recipe(data: Any) -> str:
    """The recipe (see reuse.py) of ``format_json(data)``: a hash of the compact
    JSON, which C encodes several times faster than the indented layout, which
    Python encodes."""
    compact = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return cache_key("json", step_identity(), _JSON_LAYOUT, compact)


def _formatted_json(data: Any, recipe: str, earlier: EarlierOutputs) -> str:
    """``format_json(data)``, from an earlier run's tree or the cache when they have it."""
    reused = earlier.find(recipe)
    if reused is not None:
        return reused
    return cached_text("json", (recipe,), lambda: format_json(data))


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
    ``earlier`` has for its recipe is taken from there, and one in ``formatted``
    (already black's output) is kept as it is."""
    recipes = recipes or {}
    earlier = earlier or EarlierOutputs()
    files: dict[str, bytes] = {}
    made_from: dict[str, str] = {}
    # A package ships the very schema objects of schemas/: each is written once.
    written: dict[int, tuple[str, bytes]] = {}
    for path, schema in schemas.items():
        if id(schema) not in written:
            recipe = json_recipe(schema)
            text = _formatted_json(schema, recipe, earlier)
            written[id(schema)] = (recipe, text.encode("utf-8"))
        made_from[path], files[path] = written[id(schema)]
    to_format: dict[str, str] = {}
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
        else:
            to_format[path] = text
    for path, text in format_python_files(to_format).items():
        files[path] = text.encode("utf-8")
    return dict(sorted(files.items())), dict(sorted(made_from.items()))
