"""The Jinja2 set-up every target that renders templates shares: the folder
and the whitespace rules. Target-neutral; each target adds its own filters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def new_environment(autoescape: bool | Callable[[str | None], bool]) -> jinja2.Environment:
    """A Jinja2 environment over templates/ with the project's whitespace rules;
    a name the template uses but the context lacks is an error, never blank."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=autoescape,
    )
