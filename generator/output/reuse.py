"""Reuse of the files an earlier run wrote, so that regenerating a tree only
pays for the files whose inputs changed.

Every Python output is made by a slow, pure step (black, and for models.py
datamodel-code-generator first) from a *recipe*: a hash of everything that step
depends on (its input text, its settings, the tools' versions). So is every
JSON output (the indented layout, which pure Python encodes, of a document
whose compact form C encodes quickly). The manifest
records each file's recipe next to its hash. A later run that arrives at the
same recipe takes the file from the tree instead of running the step, provided
the file still has the hash the manifest recorded; otherwise the step runs.

This makes the committed generated/ tree a cache that comes with every clone:
a fresh clone regenerates without black or datamodel-code-generator, and a spec
edit reruns them only for the files it touches. ``ZOHO_BULKGEN_CACHE=off``
turns reuse off together with the content cache."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath

from generator.output.cache import cache_folder
from generator.output.manifest import GENERATOR_DIR, read_manifest, sha256, tool_versions

_STEP_MODULES = (
    "output/format.py",
    "targets/python/models.py",
    "targets/python/shared_models.py",
    "targets/python/imports.py",
)
"""The generator's modules whose code acts on a text after its recipe is
taken (black's settings, the JSON layout, how a models file is assembled and
shared between versions, how unused imports are dropped)."""


@cache
def step_identity() -> str:
    """A hash of what shapes every slow step's output besides its input: the
    code of _STEP_MODULES and the versions of every distribution that shapes
    the bytes. Part of every recipe and content-cache key, so that changing
    either never lets an old result through."""
    digest = hashlib.sha256()
    for name in _STEP_MODULES:
        digest.update(f"{name} {sha256((GENERATOR_DIR / name).read_bytes())}\0".encode())
    for distribution, version in sorted(tool_versions().items()):
        digest.update(f"{distribution}={version}\0".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class EarlierOutputs:
    """Texts an earlier run wrote, keyed by the recipe they were made from."""

    texts: dict[str, str] = field(default_factory=dict)

    def find(self, recipe: str) -> str | None:
        """The text made from ``recipe`` before, or None."""
        return self.texts.get(recipe)


def reusable_outputs(out: Path, tree: Mapping[str, bytes] | None = None) -> EarlierOutputs:
    """``read_earlier_outputs(out, tree)``, or none when caching is off."""
    if cache_folder() is None:
        return EarlierOutputs()
    return read_earlier_outputs(out, tree)


def read_earlier_outputs(out: Path, tree: Mapping[str, bytes] | None = None) -> EarlierOutputs:
    """The outputs in ``out`` that its manifest vouches for (each still has the
    recorded hash); none when there is no usable manifest. ``tree``, when
    given, is ``out``'s files as write.read_tree read them, and is used
    instead of reading them again."""
    document = read_manifest(out)
    if document is None:
        return EarlierOutputs()
    recipes, hashes = document.get("recipes"), document.get("files")
    if not isinstance(recipes, dict) or not isinstance(hashes, dict):
        return EarlierOutputs()
    texts: dict[str, str] = {}
    for relative, recipe in recipes.items():
        expected = hashes.get(relative)
        if not (isinstance(recipe, str) and isinstance(expected, str)):
            continue
        if not _is_plain_relative(relative):
            continue
        try:
            data = tree[relative] if tree is not None else (out / relative).read_bytes()
        except (KeyError, OSError):
            continue
        if sha256(data) != expected:
            continue
        try:
            texts[recipe] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return EarlierOutputs(texts)


def _is_plain_relative(relative: object) -> bool:
    """True for a relative path that stays inside the tree (the manifest is
    read, not trusted: no absolute paths, no ``..``)."""
    if not isinstance(relative, str) or not relative or "\\" in relative:
        return False
    path = PurePosixPath(relative)
    return not path.is_absolute() and ".." not in path.parts and "" not in relative.split("/")
