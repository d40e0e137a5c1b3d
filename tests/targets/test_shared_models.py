"""Models shared between versions (targets/python/shared_models.py): a class
an earlier version defines identically, with everything it refers to, is
imported from there; each version's module still behaves as the whole one."""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from generator.mock.server import load_normalized_spec
from generator.targets.python.models import render_models
from generator.targets.python.models_schema import models_schema
from generator.targets.python.names import module_name, package
from generator.targets.python.shared_models import _parse, share_models, shared_models_recipes
from tests.conftest import SPEC_DIR
from tests.helpers import restored_imports

_HEAD = '"""Models."""\n\nfrom __future__ import annotations\n\nfrom pydantic import BaseModel\n'


def _module(*classes: str, after: str = "") -> str:
    return _HEAD + "\n\n" + "\n\n".join(classes) + ("\n\n" + after if after else "")


_LEAF_A = "class Leaf(BaseModel):\n    a: int\n"
_LEAF_B = "class Leaf(BaseModel):\n    a: str\n"
_USER = "class User(BaseModel):\n    leaf: Leaf\n"
_OTHER = "class Other(BaseModel):\n    b: int\n"


def test_an_identical_class_is_imported_from_the_earliest_version() -> None:
    v1 = _module(_OTHER, _LEAF_A)
    v2 = _module(_OTHER, _LEAF_B)
    v3 = _module(_OTHER, _LEAF_B)
    first, second, third = share_models("pkg", [("v1", v1), ("v2", v2), ("v3", v3)])
    assert first == v1
    assert "from pkg.v1.models import Other\n" in second
    assert "class Leaf" in second and "class Other" not in second
    assert "from pkg.v1.models import Other\n" in third
    assert "from pkg.v2.models import Leaf\n" in third
    assert "class " not in third
    # Nothing is left to use pydantic's BaseModel: its import goes.
    assert "BaseModel" not in third
    assert '__all__ = [\n    "Other",\n    "Leaf",\n]\n' in third


def test_a_class_that_refers_to_a_class_which_changed_is_not_shared() -> None:
    # User's own text is the same, but the Leaf it means is not.
    v1 = _module(_LEAF_A, _USER)
    v2 = _module(_LEAF_B, _USER)
    _, second = share_models("pkg", [("v1", v1), ("v2", v2)])
    assert second == v2


def test_the_rules_after_a_class_are_part_of_it() -> None:
    v1 = _module(_OTHER, _LEAF_A, after="Leaf.__zoho_nullable__ = ('a',)\n")
    v2 = _module(_OTHER, _LEAF_A, after="Leaf.__zoho_nullable__ = ()\n")
    _, second = share_models("pkg", [("v1", v1), ("v2", v2)])
    assert "from pkg.v1.models import Other\n" in second
    assert "class Leaf" in second and "Leaf.__zoho_nullable__ = ()" in second


def test_a_layout_it_does_not_know_is_left_whole_with_the_versions_after_it() -> None:
    v1 = _module(_OTHER)
    v2 = _module(_OTHER, after="print('hello')\n")
    v3 = _module(_OTHER)
    assert share_models("pkg", [("v1", v1), ("v2", v2), ("v3", v3)]) == [v1, v2, v3]


def test_a_versions_recipe_depends_on_the_versions_before_it_only() -> None:
    one = shared_models_recipes("pkg", ["a", "b", "c"])
    other = shared_models_recipes("pkg", ["a", "b", "changed"])
    assert one[:2] == other[:2] and one[2] != other[2]
    assert shared_models_recipes("pkg", ["changed", "b", "c"])[1] != one[1]


def test_the_reading_by_lines_finds_what_parsing_finds_in_every_real_module() -> None:
    for _, _, whole, _ in _whole_and_shared():
        module = _parse(whole)
        assert module is not None
        tree = ast.parse(whole)
        lines = whole.splitlines(keepends=True)
        classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
        assert [d.name for d in module.definitions] == [node.name for node in classes]
        for definition, node in zip(module.definitions, classes, strict=True):
            assert definition.text == "".join(lines[node.lineno - 1 : node.end_lineno])
        statements = [node for node in tree.body if node.lineno > classes[-1].lineno]
        assert "".join(text for _, text in module.rules) == "".join(
            "".join(lines[node.lineno - 1 : node.end_lineno]) for node in statements
        )


def test_a_class_line_inside_a_string_at_the_margin_is_not_taken_for_a_class() -> None:
    odd = _module(_OTHER.replace("b: int", 'b: int\n    """Text\nclass Fake(x):\n"""'))
    module = _parse(odd)
    assert module is None or [d.name for d in module.definitions] == ["Other"]


def _whole_and_shared() -> Iterator[tuple[str, str, str, str]]:
    """(package, module name, whole source, shared source) of every real version."""
    spec = load_normalized_spec(SPEC_DIR)
    for product in spec.products:
        whole = []
        for version in product.versions:
            text = render_models(version, models_schema(version, spec))
            assert text is not None
            whole.append((module_name(version.version), text))
        for (name, text), shared in zip(whole, share_models(package(product), whole), strict=True):
            yield package(product), name, text, shared


def _load_tree(root: Path, name: str, sources: dict[str, str]) -> dict[str, ModuleType]:
    """Write ``sources`` (module name → models source) as package ``name`` under
    ``root`` and import every models module."""
    base = root / name
    base.mkdir(parents=True)
    (base / "__init__.py").write_text("")
    for module, text in sources.items():
        (base / module).mkdir()
        (base / module / "__init__.py").write_text("")
        (base / module / "models.py").write_text(text)
    importlib.invalidate_caches()
    return {module: importlib.import_module(f"{name}.{module}.models") for module in sources}


@pytest.fixture
def real_trees(tmp_path: Path) -> Iterator[list[tuple[str, ModuleType, ModuleType]]]:
    """(version, whole module, shared module) of every real product version, the
    shared modules importing each other under the product's real package name."""
    by_package: dict[str, dict[str, tuple[str, str]]] = {}
    for pkg, module, whole, shared in _whole_and_shared():
        by_package.setdefault(pkg, {})[module] = (whole, shared)
    with restored_imports():
        for name in [name for name in sys.modules if name.startswith("zoho_bulk_")]:
            del sys.modules[name]  # the trees' packages take the installed ones' names
        sys.path[:0] = [str(tmp_path / "shared"), str(tmp_path / "whole")]
        found = []
        for pkg, modules in sorted(by_package.items()):
            shared = _load_tree(tmp_path / "shared", pkg, {m: s for m, (_, s) in modules.items()})
            whole = _load_tree(
                tmp_path / "whole", f"{pkg}_whole", {m: w for m, (w, _) in modules.items()}
            )
            found += [(f"{pkg}.{m}", whole[m], shared[m]) for m in modules]
        yield found


def _models_of(module: ModuleType) -> list[str]:
    """The names of the classes a whole module defines, in order."""
    return [
        name
        for name, value in vars(module).items()
        if isinstance(value, type) and value.__module__ == module.__name__
    ]


_RULES = ("__zoho_nullable__", "__zoho_require_one_of__")


def test_every_shared_version_behaves_as_its_whole_module(
    real_trees: list[tuple[str, ModuleType, ModuleType]],
) -> None:
    saved = 0
    for where, whole, shared in real_trees:
        models = _models_of(whole)
        assert getattr(shared, "__all__", models) == models, where
        for name in models:
            ours, theirs = getattr(shared, name), getattr(whole, name)
            assert ours.model_json_schema() == theirs.model_json_schema(), f"{where}.{name}"
            for rule in _RULES:
                assert getattr(ours, rule, None) == getattr(theirs, rule, None), f"{where}.{name}"
            saved += ours.__module__ != shared.__name__
    # CRM v3 and v4 have the same models: most classes are shared somewhere.
    assert saved > 100


def test_shared_classes_are_the_same_objects_in_the_installed_package() -> None:
    v2 = importlib.import_module("zoho_bulk_crm.v2.models")
    v2_1 = importlib.import_module("zoho_bulk_crm.v2_1.models")
    v3 = importlib.import_module("zoho_bulk_crm.v3.models")
    v4 = importlib.import_module("zoho_bulk_crm.v4.models")
    assert v4.BulkReadJob is v3.BulkReadJob
    # v2's module is a string, v2.1's an object: the queries differ.
    assert v2_1.BulkReadQuery is not v2.BulkReadQuery
    for name in v4.__all__:
        assert isinstance(getattr(v4, name), type), name


def test_a_class_whose_imported_names_come_from_elsewhere_is_not_shared() -> None:
    leaf = "class Leaf(BaseModel):\n    a: Kind\n"
    v1 = _module(_OTHER, leaf).replace(_HEAD, _HEAD + "from one import Kind\n")
    v2 = _module(_OTHER, leaf).replace(_HEAD, _HEAD + "from two import Kind\n")
    _, second = share_models("pkg", [("v1", v1), ("v2", v2)])
    assert "from pkg.v1.models import Other\n" in second
    assert "class Leaf" in second and "from two import Kind" in second


def test_a_head_with_other_statements_than_imports_is_left_whole() -> None:
    v1 = _module(_OTHER)
    v2 = _module(_OTHER).replace(_HEAD, _HEAD + "Kind = int\n")
    assert share_models("pkg", [("v1", v1), ("v2", v2)]) == [v1, v2]


def test_a_quoted_annotation_counts_as_a_reference() -> None:
    user = 'class User(BaseModel):\n    leaf: "Leaf | None" = None\n'
    v1 = _module(_LEAF_A, user)
    v2 = _module(_LEAF_B, user)
    _, second = share_models("pkg", [("v1", v1), ("v2", v2)])
    assert second == v2
