"""Models shared between the versions of a product.

Most of a product's models stay the same from one API version to the next
(two versions may have the very same ones). Each version's ``models.py`` is
first written whole (models.py: what datamodel-code-generator gives); then a
class that an earlier version of the product defines identically is imported
from there instead of being written again.

Identically means with everything it uses: a class is shared only when its
own text, the presence rules that follow it (``__zoho_nullable__``, ...) and
those of every model class it refers to, directly or not, are the same. Two
versions that share a class therefore share the very class object, and so do
the classes it refers to. Each version's module lists all its models in
``__all__``, so that ``models.BulkReadJob`` still names the version's class
for readers, IDEs and mypy.

A module this code does not understand (a top-level statement other than
imports, classes and statements about a class) is left whole, and so are the
modules of the versions after it: sharing is only ever a saving."""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from generator.output.cache import cache_key
from generator.output.format import BLACK_LINE_LENGTH
from generator.targets.python.imports import drop_unused_imports


@dataclass(frozen=True)
class _Definition:
    """A class of a models module: its text, and the statements about it after
    the classes, with the module's other classes that it names."""

    name: str
    text: str
    after: str
    names: frozenset[str]


@dataclass(frozen=True)
class _Module:
    head: str
    """The module's opening: its docstring and imports."""
    definitions: tuple[_Definition, ...]
    rules: tuple[tuple[str, str], ...]
    """The statements after the classes, in order, each with its class."""


def shared_models_recipes(package: str, recipes: Sequence[str]) -> list[str]:
    """The recipe of each version's shared models.py, given the recipes of the
    whole ones in version order: version k's depends on versions 1 to k."""
    return [
        cache_key("shared-models", package, *recipes[: index + 1]) for index in range(len(recipes))
    ]


def share_models(package: str, modules: Sequence[tuple[str, str]]) -> list[str]:
    """Each ``(module name, whole models.py)`` of a product's versions, in
    version order, with the classes an earlier version defines identically
    imported from the earliest such version (``{package}.{module}.models``)."""
    homes: dict[str, str] = {}
    """Where each class signature is defined, by the module name."""
    shared: list[str] = []
    understood = True
    for module_name, source in modules:
        parsed = _parse(source) if understood else None
        if parsed is None:
            understood = False
            shared.append(source)
            continue
        signatures = _signatures(parsed.definitions)
        imported: dict[str, list[str]] = {name: [] for name, _ in modules}
        for definition in parsed.definitions:
            home = homes.setdefault(signatures[definition.name], module_name)
            if home != module_name:
                imported[home].append(definition.name)
        imported = {home: names for home, names in imported.items() if names}
        shared.append(_assemble(package, parsed, imported) if imported else source)
    return shared


def _parse(source: str) -> _Module | None:
    """The parts of a models module, or None for a layout it does not know."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    classes: dict[str, ast.ClassDef] = {}
    rules: list[tuple[str, str]] = []
    first_class: int | None = None
    for node in tree.body:
        text = "".join(lines[node.lineno - 1 : node.end_lineno])
        if isinstance(node, ast.ClassDef):
            if rules or node.decorator_list:
                return None
            classes[node.name] = node
            first_class = first_class or node.lineno
        elif first_class is None:
            if not isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr)):
                return None
        else:
            owner = _statement_owner(node)
            if owner is None or owner not in classes:
                return None
            rules.append((owner, text))
    if first_class is None:
        return None
    head = "".join(lines[: first_class - 1])
    names = frozenset(classes)
    definitions = tuple(
        _Definition(
            name,
            "".join(lines[node.lineno - 1 : node.end_lineno]),
            "".join(text for owner, text in rules if owner == name),
            frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name)) & names,
        )
        for name, node in classes.items()
    )
    return _Module(head, definitions, tuple(rules))


def _statement_owner(node: ast.stmt) -> str | None:
    """The class a statement after the classes is about (``X.model_rebuild()``,
    ``X.__zoho_nullable__ = ...``), or None."""
    target: ast.expr | None = None
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        target = node.value.func
    elif isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        return target.value.id
    return None


def _signatures(definitions: Sequence[_Definition]) -> dict[str, str]:
    """Each class's signature: a hash of its definition and of those of every
    class it refers to, directly or not."""
    by_name = {definition.name: definition for definition in definitions}
    signatures: dict[str, str] = {}
    for definition in definitions:
        closure = {definition.name}
        pending = [definition.name]
        while pending:
            for name in by_name[pending.pop()].names - closure:
                closure.add(name)
                pending.append(name)
        digest = hashlib.sha256()
        for name in sorted(closure):
            digest.update(f"{name}\0{by_name[name].text}\0{by_name[name].after}\0".encode())
        signatures[definition.name] = digest.hexdigest()
    return signatures


def _assemble(package: str, module: _Module, imported: dict[str, list[str]]) -> str:
    """The module with the classes of ``imported`` (by home module) imported."""
    elsewhere = {name for names in imported.values() for name in names}
    local = [d for d in module.definitions if d.name not in elsewhere]
    body = "\n\n".join(d.text.rstrip("\n") + "\n" for d in local)
    rules = "".join(text for owner, text in module.rules if owner not in elsewhere)
    if rules:
        body += "\n\n" + rules
    head = module.head.rstrip("\n") + "\n"
    if body:
        # Drop the imports only the shared classes used (on the whole text: a
        # local class may use any of them).
        pruned = drop_unused_imports(head + "\n\n" + body)
        head = pruned[: len(pruned) - len(body)].rstrip("\n") + "\n"
    else:
        head = drop_unused_imports(head).rstrip("\n") + "\n"
    shared_imports = "".join(
        _import(f"{package}.{home}.models", names) for home, names in imported.items()
    )
    every = "".join(f'    "{d.name}",\n' for d in module.definitions)
    text = f"{head}\n{shared_imports}\n__all__ = [\n{every}]\n"
    return text + ("\n\n" + body if body else "")


def _import(module: str, names: list[str]) -> str:
    """``from module import names`` as black lays it out, the names in isort's
    order (case-insensitive)."""
    names = sorted(names, key=lambda name: (name.lower(), name))
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= BLACK_LINE_LENGTH:
        return line + "\n"
    return f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")\n"
