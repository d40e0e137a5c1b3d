"""The Jinja2 set-up every target that renders templates shares: the folder
and the whitespace rules. Target-neutral; each target adds its own filters."""

from __future__ import annotations

from collections.abc import Callable

import jinja2

from generator.output.cache import cache_folder
from generator.paths import TEMPLATES_DIR


def new_environment(autoescape: bool | Callable[[str | None], bool]) -> jinja2.Environment:
    """A Jinja2 environment over templates/ with the project's whitespace rules;
    a name the template uses but the context lacks is an error, never blank."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        bytecode_cache=_compiled_templates(),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=autoescape,
    )


def _compiled_templates() -> jinja2.BytecodeCache | None:
    """Jinja2's cache of compiled templates, in the content cache folder (none
    when caching is off): a template is compiled once per change of its text,
    not on every run. It changes how fast templates load, never what they
    render."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        (folder / "jinja").mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder / "jinja"))
