"""Spec files read before, from the content cache: a one-line edit leaves five
of the spec's six YAML files as they were, and parsing them again (with the
line of every value, and the checks against hostile YAML) is most of loading.

An entry holds, pickled, a file's data and the line of each of its values,
under a key made of the file's text and of what shapes the parse (the loader's
code, PyYAML's version and whether it has libyaml). Entries are read back by an
unpickler that refuses every class and function, so that one written by anyone
else can only be plain data, never run code; such an entry, or any problem
reading one, is a miss, and the file is parsed as without a cache. Data that is
not plain (a YAML date) is never stored."""

from __future__ import annotations

import hashlib
import io
import pickle
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from generator.output.cache import cache_folder, cache_key, store_bytes
from generator.spec import load, strict_json
from generator.spec.load import Origin, SourceMap

_STEP = "yaml"


def cached_parse_yaml(text: str, display: str, source_map: SourceMap) -> Any:
    """``load.parse_yaml(text, display, source_map)``, from the content cache
    when the same text was parsed before."""
    folder = cache_folder()
    if folder is None:
        return load.parse_yaml(text, display, source_map)
    key = cache_key(_STEP, _parser_identity(), text)
    entry = folder / _STEP / key[:2] / key[2:]
    found = _read_entry(entry)
    if found is not None:
        data, lines = found
        source_map.origins.update({path: Origin(display, line) for path, line in lines})
        return data
    mine = SourceMap()
    data = load.parse_yaml(text, display, mine)
    source_map.origins.update(mine.origins)
    pickled = pickle.dumps(
        (data, [(path, origin.line) for path, origin in mine.origins.items()]),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    if _plain(pickled):
        store_bytes(entry, pickled)
    return data


PARSER_MODULES = (load, strict_json)
"""The generator's modules whose code decides what a parse gives or refuses
(load.py, and the nesting limit it takes from strict_json.py)."""


@cache
def _parser_identity() -> str:
    """What shapes a parse besides the text: the code of PARSER_MODULES and PyYAML."""
    digest = hashlib.sha256()
    for module in PARSER_MODULES:
        digest.update(Path(module.__file__ or "").read_bytes())
    libyaml = getattr(yaml, "__with_libyaml__", False)
    return f"{digest.hexdigest()} pyyaml={yaml.__version__} libyaml={libyaml}"


class _PlainUnpickler(pickle.Unpickler):
    """Builds dicts, lists, tuples, strings, numbers, booleans and None only."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def _load_plain(pickled: bytes) -> Any:
    return _PlainUnpickler(io.BytesIO(pickled)).load()


def _plain(pickled: bytes) -> bool:
    try:
        _load_plain(pickled)
    except Exception:  # a date, a set, ...: not stored
        return False
    return True


def _read_entry(entry: Path) -> tuple[Any, list[tuple[tuple[str | int, ...], int]]] | None:
    """An entry's data and lines, or None (missing, unreadable, not plain,
    or not shaped as this module writes them)."""
    try:
        found = _load_plain(entry.read_bytes())
    except Exception:  # any problem with an entry is a miss
        return None
    if not (isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], list)):
        return None
    data, lines = found
    if not all(
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], tuple)
        and isinstance(item[1], int)
        for item in lines
    ):
        return None
    return data, lines
