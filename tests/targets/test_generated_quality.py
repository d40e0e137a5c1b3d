"""The generated Python is code a person would be glad to read: black-formatted,
mypy --strict clean, ruff clean, documented."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GENERATED_DIR, SPEC_DIR
from tests.helpers import black_leaves_unchanged

PYTHON_DIR = GENERATED_DIR / "python"
DISTRIBUTIONS = sorted(path for path in PYTHON_DIR.iterdir() if path.is_dir())
SOURCES = sorted(PYTHON_DIR.rglob("*.py"))


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_mypy_strict_passes_on_every_generated_package(mypy_cache: Path) -> None:
    packages = [str(path / path.name.replace("-", "_")) for path in DISTRIBUTIONS]
    result = subprocess.run(
        [
            _tool("mypy"),
            "--strict",
            "--cache-dir",
            str(mypy_cache),
            "--python-version",
            "3.11",
            *packages,
        ],
        cwd=PYTHON_DIR,
        capture_output=True,
        text=True,
        env={"MYPYPATH": ":".join(str(path) for path in DISTRIBUTIONS), "PATH": ""},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("distribution", DISTRIBUTIONS, ids=lambda path: path.name)
def test_ruff_passes_with_the_package_config(distribution: Path) -> None:
    result = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", "."],
        cwd=distribution,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: str(path.relative_to(PYTHON_DIR)))
def test_black_leaves_generated_code_unchanged(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    assert black_leaves_unchanged(text), f"black would change {source.name}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: str(path.relative_to(PYTHON_DIR)))
def test_every_module_class_and_public_function_has_a_docstring(source: Path) -> None:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), "module docstring"
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name.startswith("_"):
                continue
            assert ast.get_docstring(node), f"{node.name} at line {node.lineno}"


def test_the_templates_already_lay_code_out_as_black_does() -> None:
    # Not a matter of looks (black runs on every file anyway) but of speed:
    # black formats a file it has to change twice, one it leaves alone once.
    from generator.pipeline import render

    rendered = render(SPEC_DIR)
    changed = [
        path
        for path, text in rendered.sources.items()
        if path.endswith(".py") and not black_leaves_unchanged(text)
    ]
    assert not changed, f"black changes {len(changed)} rendered files, e.g. {changed[:3]}"


def _codes(text: str) -> set[str]:
    """The error codes named in a docstring's error list."""
    import re

    return set(re.findall(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[A-Z]{4,}\b", text)) - {"HTTP"}


def test_each_method_with_its_class_docstring_lists_exactly_its_operations_errors() -> None:
    import importlib

    from generator.mock.server import load_normalized_spec
    from generator.targets.python.names import module_name, package

    spec = load_normalized_spec(SPEC_DIR)
    hoisted = 0
    for product in spec.products:
        for version in product.versions:
            client = importlib.import_module(
                f"{package(product)}.{module_name(version.version)}.client"
            ).Client
            doc = client.__doc__ or ""
            common = _codes(doc.partition("(ApiError, by HTTP status):")[2])
            hoisted += len(common)
            for operation in version.operations:
                method_doc = getattr(client, operation.name).__doc__ or ""
                own = _codes(method_doc.partition("Raises:")[2])
                expected = {error.code for error in operation.errors}
                where = f"{product.name} {version.version} {operation.name}"
                assert own | common == expected, where
                assert not own & common, f"{where} repeats the class docstring's errors"
    assert hoisted > 0
