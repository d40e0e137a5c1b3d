"""Where the CLI finds the project it works on, and how it answers a mistyped name.

A project is a folder holding ``spec/products.yaml``; as git finds its root, the
CLI looks in the current folder and then in each folder above it. Only the
standard library is imported here: every command passes through it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path

from generator.errors import UsageError

SPEC_FOLDER = "spec"
OUT_FOLDER = "generated"
MARKER = Path(SPEC_FOLDER) / "products.yaml"
"""The file whose presence makes a folder a project's root."""


def find_project_root(start: Path) -> Path | None:
    """The nearest folder, ``start`` or above, that holds ``spec/products.yaml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


def require_project_root(start: Path) -> Path:
    """The project root above ``start``; a usage error naming the way out if there is none."""
    root = find_project_root(start)
    if root is None:
        raise UsageError(
            f"not inside a zoho-bulkgen project: no {MARKER.as_posix()} in {start.resolve()} "
            "or any folder above it; run the command inside the project or pass --spec DIR"
        )
    return root


def project_paths(spec: Path | None, out: Path | None, cwd: Path) -> tuple[Path, Path]:
    """The spec and output folders a project command works on.

    Given folders are taken as they are; a missing ``--spec`` is the project's
    ``spec/`` and a missing ``--out`` is the ``generated/`` beside the spec folder."""
    if spec is None:
        spec = shown(require_project_root(cwd) / SPEC_FOLDER, cwd)
    if out is None:
        out = shown((cwd / spec).resolve().parent / OUT_FOLDER, cwd)
    return spec, out


def shown(path: Path, cwd: Path) -> Path:
    """``path`` as a user at ``cwd`` would write it: relative when that is shorter."""
    try:
        relative = Path(os.path.relpath(path, cwd))
    except ValueError:  # another drive (Windows)
        return path
    return relative if len(str(relative)) < len(str(path)) else path


def unknown(what: str, name: str, known: Iterable[str]) -> str:
    """``unknown product 'peple' — did you mean 'people'?``, or the known names when
    none is close."""
    choices = sorted(set(known))
    close = suggestion(name, choices)
    if close is not None:
        return f"{what} '{name}' — did you mean '{close}'?"
    return f"{what} '{name}' (known: {', '.join(choices) or 'none'})"


def suggestion(name: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``name``, if one is close enough to be a typo of it."""
    options = list(choices)
    lowered = {option.lower(): option for option in options}
    if name.lower() in lowered:
        return lowered[name.lower()]
    prefixed = {option.lstrip("v"): option for option in options}
    if name in prefixed:  # a version without its 'v': '7' for 'v7'
        return prefixed[name]
    matches = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return matches[0] if matches else None
