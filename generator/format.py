"""Stage 5, format: black for Python sources, one canonical layout for JSON."""

from __future__ import annotations

import json
from typing import Any

from generator.cache import cached_text, cached_texts, tool_version
from generator.errors import GeneratorError

BLACK_LINE_LENGTH = 88


_BLACK_SETTINGS = f"py311 line-length={BLACK_LINE_LENGTH}"


def format_python(source: str, path: str) -> str:
    """Black-format ``source`` (or take the result of an earlier run from the
    cache); a failure here is a generator bug, named by file."""
    return cached_text(
        "black",
        (tool_version("black"), _BLACK_SETTINGS, source),
        lambda: _run_black(source, path),
    )


def format_python_files(sources: dict[str, str]) -> dict[str, str]:
    """``format_python`` of every source (keyed by path), as one batch: cache
    misses are formatted in parallel."""
    version = tool_version("black")
    requests = [((version, _BLACK_SETTINGS, text), (text, path)) for path, text in sources.items()]
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


def format_outputs(schemas: dict[str, dict[str, Any]], sources: dict[str, str]) -> dict[str, bytes]:
    """Every output file as the bytes to write, keyed by path, sorted by path."""
    files: dict[str, bytes] = {}
    for path, schema in schemas.items():
        files[path] = format_json(schema).encode("utf-8")
    formatted = format_python_files({p: text for p, text in sources.items() if p.endswith(".py")})
    for path, text in sources.items():
        files[path] = formatted.get(path, text).encode("utf-8")
    return dict(sorted(files.items()))
