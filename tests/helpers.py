"""Small helpers shared by the tests."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.targets.json_schema import VOCABULARY_KEY
from tests.conftest import GENERATED_DIR


def load_schema(
    product: str, version: str, operation: str, kind: str = "response"
) -> dict[str, Any]:
    """A committed schema from generated/schemas."""
    path = GENERATED_DIR / "schemas" / product / version / f"{operation}.{kind}.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def installed_models(product: str, version: str) -> Any:
    """The models module of the installed distribution (not the generated/ tree)."""
    module = importlib.import_module(f"zoho_bulk_{product}.{version.replace('.', '_')}.models")
    assert "site-packages" in Path(module.__file__ or "").parts, (
        f"{module.__name__} is imported from {module.__file__}, not from an installed package; "
        "run the tests with 'python3 dev.py test'"
    )
    return module


@contextmanager
def restored_imports(prefix: str = "zoho_bulk_") -> Iterator[None]:
    """Put ``sys.path`` and the modules whose top-level name starts with
    ``prefix`` back as they were afterwards: for code that imports generated
    packages from a tree (PayloadChecker on generated/, a temporary tree),
    which must not replace the installed ones other tests use."""
    path = list(sys.path)
    saved = {name: module for name, module in sys.modules.items() if name.startswith(prefix)}
    try:
        yield
    finally:
        sys.path[:] = path
        for name in [name for name in sys.modules if name.startswith(prefix)]:
            del sys.modules[name]
        sys.modules.update(saved)
        importlib.invalidate_caches()


def model_for(schema: dict[str, Any], models: Any) -> Any:
    """The model class a schema's root refers to."""
    return getattr(models, schema["$ref"].rsplit("/", 1)[-1])


def spelling_map(schema: dict[str, Any]) -> dict[str, str]:
    """Every vocabulary spelling in a schema mapped to its canonical value."""
    spellings: dict[str, str] = {}
    for definition in schema.get("$defs", {}).values():
        spellings.update(definition.get(VOCABULARY_KEY, {}))
    return spellings


def same_modulo_spelling(original: Any, dumped: Any, spellings: dict[str, str]) -> bool:
    """True when two JSON values are equal once vocabulary spellings are made canonical."""
    if isinstance(original, dict) and isinstance(dumped, dict):
        return original.keys() == dumped.keys() and all(
            same_modulo_spelling(original[key], dumped[key], spellings) for key in original
        )
    if isinstance(original, list) and isinstance(dumped, list):
        return len(original) == len(dumped) and all(
            same_modulo_spelling(a, b, spellings) for a, b in zip(original, dumped, strict=True)
        )
    if isinstance(original, str) and isinstance(dumped, str) and original != dumped:
        return spellings.get(original, original) == dumped
    return bool(original == dumped) and type(original) is type(dumped)


_BLACK_CLEAN: set[str] = set()


def black_leaves_unchanged(source: str) -> bool:
    """Whether black (the generator's mode: Python 3.11, its line length) leaves
    ``source`` as it is. Each text black left alone is remembered for the rest of
    the worker: several tests check the same texts (the rendered sources are the
    generated files byte for byte; most files of one hostile case come back in
    the next), and black takes longer than anything else they do with them."""
    if source in _BLACK_CLEAN:
        return True
    import black

    from generator.output.format import BLACK_LINE_LENGTH

    mode = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=BLACK_LINE_LENGTH)
    if black.format_str(source, mode=mode) != source:
        return False
    _BLACK_CLEAN.add(source)
    return True
