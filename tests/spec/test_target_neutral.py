"""The core is target-neutral and products and operations are data: the code
and templates name no product and no operation of the spec, the IR carries no
Python names, and no output target reaches into another's internals."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from generator.spec import model as spec_model
from tests.conftest import ROOT, SPEC_DIR

SCANNED = ("generator", "templates")


def _spec_names() -> tuple[set[str], set[str]]:
    """Product names, and operation (and callback) names, from the spec files."""
    products_doc = yaml.safe_load((SPEC_DIR / "products.yaml").read_text("utf-8"))
    operations_doc = yaml.safe_load((SPEC_DIR / "operations.yaml").read_text("utf-8"))
    products = {product["name"] for product in products_doc["products"]}
    operations = set(operations_doc["operations"])
    operations |= {
        operation["callback"]["name"]
        for operation in operations_doc["operations"].values()
        if "callback" in operation
    }
    return products, operations


def _scanned_files() -> list[Path]:
    files = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if folder == "generator" and path.suffix != ".py":
                continue
            files.append(path)
    return files


def _pattern(products: set[str], operations: set[str]) -> re.Pattern[str]:
    """A product name as a word of its own (``crm``, ``zoho_bulk_crm``, ``CRM``,
    not ``ZohoCRM``), or an operation name as a whole identifier."""
    product_words = "|".join(sorted(map(re.escape, products)))
    operation_words = "|".join(sorted(map(re.escape, operations)))
    return re.compile(
        rf"(?i:(?<![a-z0-9])(?:{product_words})(?![a-z0-9]))"
        rf"|(?<![A-Za-z0-9_])(?:{operation_words})(?![A-Za-z0-9_])"
    )


def test_the_code_names_no_product_and_no_operation() -> None:
    products, operations = _spec_names()
    assert products and operations
    pattern = _pattern(products, operations)
    found = []
    for path in _scanned_files():
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for match in pattern.finditer(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r}")
    assert not found, "spec names in generic code:\n" + "\n".join(found)


def test_the_pattern_finds_names_where_they_hide() -> None:
    products, operations = _spec_names()
    pattern = _pattern(products, operations)
    product = sorted(products)[0]
    operation = sorted(operations)[0]
    for text in (
        f"zoho_bulk_{product}.v8",
        f"``{product.upper()} v7``",
        f"/{product}/bulk/v8/read",
        f"self.{operation}(job_id)",
    ):
        assert pattern.search(text), text
    for text in (f"Zoho{product.upper()}.bulk.READ", f"{operation}_helper", "Product"):
        assert not pattern.search(text), text


PYTHON_NAMES = {"module_name", "package", "distribution", "class_name", "member_name"}


@pytest.mark.parametrize(
    "cls",
    [obj for obj in vars(spec_model).values() if dataclasses.is_dataclass(obj)],
    ids=lambda cls: cls.__name__,
)
def test_the_ir_carries_no_python_names(cls: type) -> None:
    fields = {field.name for field in dataclasses.fields(cls)}
    assert not fields & PYTHON_NAMES


PYTHON_TARGET_WORDS = re.compile(
    r"zoho_bulk_|TypedDict|pydantic|datamodel|\bblack\b|\.py\b|keyword\.|snake_case"
)
"""What only the Python target knows: its packages, its types, its tools."""


def test_the_core_speaks_of_no_python_target() -> None:
    found = [
        f"generator/{module.replace('.', '/')}.py:{number}: {line.strip()}"
        for module in sorted(NEUTRAL_CORE)
        for number, line in enumerate(_source(module).splitlines(), 1)
        if PYTHON_TARGET_WORDS.search(line)
    ]
    assert not found, "\n".join(found)


def _modules_under(folder: str) -> set[str]:
    """Every module of ``generator/<folder>``, as a dotted path under generator."""
    root = ROOT / "generator"
    return {
        ".".join(path.relative_to(root).with_suffix("").parts)
        for path in (root / folder).rglob("*.py")
        if path.name != "__init__.py" and "__pycache__" not in path.parts
    }


NEUTRAL_CORE = _modules_under("spec")
"""Stages before any target (every module of generator/spec/): they import no
target's module."""
TARGETS = {
    "json schema": {"targets.json_schema"},
    "python": _modules_under("targets/python"),
    "openapi": {"targets.openapi"},
    "docs": {"targets.docs", "targets.version_matrix"},
}
SHARED_CONTRACT = {"targets.json_schema"}
"""The JSON Schemas are the contract other targets build on (OpenAPI reuses
them, the Python models are made from them): importing them is allowed."""
SHARED_HELPERS = {"targets.templating"}
"""Target-neutral helpers any target may use (the Jinja set-up)."""


def test_every_target_module_belongs_to_one_target_or_is_shared() -> None:
    owned = [module for modules in TARGETS.values() for module in modules]
    assert len(owned) == len(set(owned))
    assert _modules_under("targets") == set(owned) | SHARED_HELPERS
    assert {"spec.load", "spec.normalize", "spec.strict_json"} <= NEUTRAL_CORE
    assert {"targets.python.packages", "targets.python.shared_clients"} <= TARGETS["python"]


def test_the_shared_helpers_import_no_target() -> None:
    for module in SHARED_HELPERS:
        assert not [name for name in _imports(module) if name.startswith("targets")], module


def _source(module: str) -> str:
    return (ROOT / "generator" / f"{module.replace('.', '/')}.py").read_text("utf-8")


def _imports(module: str) -> set[str]:
    """The generator modules ``module`` imports, as dotted paths under generator."""
    tree = ast.parse(_source(module))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            base = node.module.removeprefix("generator").lstrip(".")
            names.add(base)
            names |= {f"{base}.{alias.name}".lstrip(".") for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {
                alias.name.removeprefix("generator.")
                for alias in node.names
                if alias.name.startswith("generator.")
            }
    return names


def test_the_core_imports_no_target() -> None:
    for module in NEUTRAL_CORE:
        assert not [name for name in _imports(module) if name.startswith("targets")], module
        assert "import keyword" not in _source(module), module


def test_no_target_imports_another_targets_internals() -> None:
    for target, modules in TARGETS.items():
        others = set().union(*(m for name, m in TARGETS.items() if name != target))
        for module in modules:
            imported = _imports(module)
            assert not imported & (others - SHARED_CONTRACT), (target, module)
            assert "spec.validate" not in imported, (target, module)
