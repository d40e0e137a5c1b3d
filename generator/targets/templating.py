"""The Jinja2 set-up every target that renders templates shares: the folder
and the whitespace rules. Target-neutral; each target adds its own filters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2.filters import do_wordwrap

from generator.paths import TEMPLATES_DIR


def new_environment(
    autoescape: bool | Callable[[str | None], bool], cache: Path | None = None
) -> jinja2.Environment:
    """A Jinja2 environment over templates/ with the project's whitespace rules;
    a name the template uses but the context lacks is an error, never blank.
    ``cache`` is the content cache folder (cache_folder()) to keep compiled
    templates in, or None."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        bytecode_cache=_compiled_templates(cache),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=autoescape,
    )
    environment.filters["wordwrap"] = _remembered_wordwrap
    return environment


@jinja2.pass_environment
def _remembered_wordwrap(
    environment: jinja2.Environment,
    s: str,
    width: int = 79,
    break_long_words: bool = True,
    wrapstring: str | None = None,
    break_on_hyphens: bool = True,
) -> str:
    """Jinja2's own ``wordwrap``, remembered: the versions of a product wrap
    the same descriptions again and again, and textwrap is slow (about 6 ms
    of a run). What it gives depends on the environment only through its
    newline sequence, which is part of the key."""
    arguments = (width, break_long_words, wrapstring, break_on_hyphens)
    if type(s) is not str:  # Markup and the like: as Jinja2 would, every time
        return do_wordwrap(environment, s, *arguments)
    key = (environment.newline_sequence, s, *arguments)
    wrapped = _WRAPPED.get(key)
    if wrapped is None:
        if len(_WRAPPED) >= _WRAPPED_LIMIT:
            _WRAPPED.clear()
        wrapped = _WRAPPED[key] = do_wordwrap(environment, s, *arguments)
    return wrapped


_WRAPPED: dict[tuple[object, ...], str] = {}
_WRAPPED_LIMIT = 4096


def _compiled_templates(folder: Path | None) -> jinja2.BytecodeCache | None:
    """Jinja2's cache of compiled templates, in the content cache folder (none
    when caching is off): a template is compiled once per change of its text,
    not on every run. It changes how fast templates load, never what they
    render."""
    if folder is None:
        return None
    try:
        (folder / "jinja").mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _BestEffortBytecodeCache(str(folder / "jinja"))


class _BestEffortBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept when the folder allows it: a folder that went
    away or cannot be written (another process cleared the cache, a full
    disk) only means compiling again, never a failed generation."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass
