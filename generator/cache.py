"""A content-addressed cache for the slow, pure steps of the pipeline (black,
datamodel-code-generator). Their output depends only on their input, their
settings and the tool's version, so all of those make the key and a result is
computed once per machine. The cache is best effort: any problem reading or
writing it is a miss, never an error, and it never changes the bytes produced.

``ZOHO_BULKGEN_CACHE`` names another folder, or ``off`` to disable it."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path

CACHE_ENV = "ZOHO_BULKGEN_CACHE"
FORMAT_VERSION = "1"
"""Bumped when what is stored, or how keys are made, changes."""


def cache_folder() -> Path | None:
    """Where results are kept, or None when caching is off."""
    setting = os.environ.get(CACHE_ENV, "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zoho-bulkgen"


@cache
def tool_version(distribution: str) -> str:
    """The installed version of ``distribution`` (without importing it)."""
    return metadata.version(distribution)


def cache_key(step: str, *parts: str) -> str:
    """The key of ``step`` run on ``parts`` (its input and settings)."""
    digest = hashlib.sha256(f"{FORMAT_VERSION}\0{step}".encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def cached_text(step: str, parts: tuple[str, ...], compute: Callable[[], str]) -> str:
    """``compute()``, or the text it gave before for the same ``step`` and ``parts``."""
    folder = cache_folder()
    if folder is None:
        return compute()
    key = cache_key(step, *parts)
    entry = folder / step / key[:2] / key[2:]
    try:
        return entry.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    value = compute()
    _store(entry, value)
    return value


def _store(entry: Path, value: str) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(value)
        os.replace(temporary, entry)
    except OSError:
        pass
