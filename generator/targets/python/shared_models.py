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
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from generator.output.cache import cache_key
from generator.output.format import BLACK_LINE_LENGTH
from generator.targets.python.imports import drop_unused_imports

_STRING_OR_COMMENT = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*'
)
"""A string literal or a comment (the leftmost wins, so a ``#`` in a string
stays in the string)."""
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class _Definition:
    """A class of a models module: its text, and the statements about it after
    the classes, with the identifiers its code (not its strings) holds."""

    name: str
    text: str
    after: str
    identifiers: frozenset[str]
    """The identifiers of its code: the names it uses (for the imports)."""
    mentions: frozenset[str]
    """Its identifiers and those of its strings that read as an annotation
    (``"Leaf"``, ``"list[Leaf] | None"``): what decides which classes it
    refers to."""


@dataclass(frozen=True)
class _Module:
    head: str
    """The module's opening: its docstring and imports."""
    imports: dict[str, str]
    """Each name the head imports, with where from (``module.name``)."""
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
        signatures = _signatures(parsed)
        imported: dict[str, list[str]] = {name: [] for name, _ in modules}
        for definition in parsed.definitions:
            home = homes.setdefault(signatures[definition.name], module_name)
            if home != module_name:
                imported[home].append(definition.name)
        imported = {home: names for home, names in imported.items() if names}
        shared.append(_assemble(package, parsed, imported) if imported else source)
    return shared


def model_homes(package: str, module_name: str, source: str) -> dict[str, str]:
    """Each model class of a version's models module (module ``module_name``
    of ``package``), with the module name of the version that defines it:
    its own, or the one share_models imports it from. Two versions whose
    class of one name has the same home have the very same class."""
    homes = {name: module_name for name in _CLASS.findall(source)}
    for home, names in _SHARED_IMPORT.findall(source):
        if home.startswith(f"{package}."):
            for name in _IDENTIFIER.findall(names):
                homes[name] = home.removeprefix(f"{package}.")
    return homes


_CLASS = re.compile(r"^class ([A-Za-z_][A-Za-z0-9_]*)[(:]", re.MULTILINE)
_SHARED_IMPORT = re.compile(
    r"^from ([A-Za-z_][A-Za-z0-9_.]*)\.models import (\([^)]*\)|[^\n]*)", re.MULTILINE
)
"""An import of classes from another version's models module."""
_RULE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\.(?:model_rebuild\(\)$|__zoho_[a-z_]+__ = )")
"""A statement about a class after the classes: ``X.model_rebuild()``,
``X.__zoho_nullable__ = ...``."""


def _parse(source: str) -> _Module | None:
    """The parts of a models module, or None for a layout it does not know.

    Read by lines, as the models writers lay a module out (black's layout):
    after the head, a statement starts on a line that is not indented (a
    closing bracket there ends the statement before it). This is a tenth of
    what parsing the module costs, and the generate path parses every
    version's models after each edit of the spec."""
    lines = source.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _CLASS.match(line)]
    if not starts:
        return None
    head = "".join(lines[: starts[0]])
    imports = _head_imports(head)
    if imports is None:
        return None
    statements: list[tuple[int, int]] = []
    for index in range(starts[0], len(lines)):
        line = lines[index]
        if line[:1] in ("", " ", "\n", ")", "]", "}"):
            continue
        if statements:
            statements[-1] = (statements[-1][0], index)
        statements.append((index, len(lines)))
    classes: dict[str, str] = {}
    rules: list[tuple[str, str]] = []
    for first, stop in statements:
        text = "".join(lines[first:stop]).rstrip("\n") + "\n"
        is_class = _CLASS.match(lines[first])
        is_rule = _RULE.match(lines[first])
        if is_class and not rules and is_class[1] not in classes:
            classes[is_class[1]] = text
        elif is_rule and is_rule[1] in classes:
            rules.append((is_rule[1], text))
        else:
            return None
    definitions = []
    for name, text in classes.items():
        after = "".join(text for owner, text in rules if owner == name)
        identifiers = _identifiers(text + after)
        definitions.append(
            _Definition(name, text, after, identifiers, identifiers | _quoted_names(text + after))
        )
    return _Module(head, imports, tuple(definitions), tuple(rules))


_ONE_LINE_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'')
_ANNOTATION = re.compile(r"[A-Za-z_][A-Za-z0-9_.\[\],|]*")


@lru_cache(maxsize=8192)
def _quoted_names(code: str) -> frozenset[str]:
    """The identifiers of the one-line strings in ``code`` that read as an
    annotation (no spaces but after a comma or around ``|``), which a quoted
    annotation would be; prose is left out."""
    names: set[str] = set()
    for match in _ONE_LINE_STRING.finditer(code):
        text = (match[1] if match[1] is not None else match[2]).replace(", ", ",")
        if _ANNOTATION.fullmatch(text.replace(" | ", "|")):
            names.update(_IDENTIFIER.findall(text))
    return frozenset(names)


def _head_imports(head: str) -> dict[str, str] | None:
    """What the head imports, by the name it binds; None unless the head is
    only a docstring and imports (any other statement could change what a
    class means without changing its text)."""
    try:
        tree = ast.parse(head)
    except SyntaxError:
        return None
    imports: dict[str, str] = {}
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            imports.update(
                {(alias.asname or alias.name): f"{module}.{alias.name}" for alias in node.names}
            )
        elif isinstance(node, ast.Import):
            imports.update({(alias.asname or alias.name): alias.name for alias in node.names})
        elif not (index == 0 and isinstance(node, ast.Expr)):
            return None
    return imports


@lru_cache(maxsize=8192)
def _identifiers(code: str) -> frozenset[str]:
    """Every identifier in ``code`` outside its strings and comments: the
    names it may use (and attribute and keyword names, which only ever keep
    more together). Remembered, as _quoted_names is: most classes read the
    same in every version of a product."""
    return frozenset(_IDENTIFIER.findall(_STRING_OR_COMMENT.sub(" ", code)))


def _signatures(module: _Module) -> dict[str, str]:
    """Each class's signature: a hash of its definition, of where the names
    it imports come from, and of the same of every class it refers to,
    directly or not."""
    definitions = module.definitions
    by_name = {definition.name: definition for definition in definitions}
    refers = {d.name: d.mentions & by_name.keys() for d in definitions}
    signatures: dict[str, str] = {}
    for definition in definitions:
        closure = {definition.name}
        pending = [definition.name]
        while pending:
            for name in refers[pending.pop()] - closure:
                closure.add(name)
                pending.append(name)
        digest = hashlib.sha256()
        for name in sorted(closure):
            member = by_name[name]
            origins = sorted(
                f"{used}={module.imports[used]}"
                for used in member.identifiers & module.imports.keys()
            )
            digest.update(f"{name}\0{member.text}\0{member.after}\0{origins}\0".encode())
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
    used = frozenset().union(*(d.identifiers for d in local))
    # Drop the imports only the shared classes used.
    head = drop_unused_imports(module.head.rstrip("\n") + "\n", used).rstrip("\n") + "\n"
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
