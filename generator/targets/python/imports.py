"""Dropping the imports a generated module does not use.

A template imports everything its code may need; which parts of that code a
spec yields (an upload method, the read and write lifecycle helpers, ...)
depends on the spec. Rather than mirror each template's conditions in its
import block, the rendered module is parsed and every imported name that no
code refers to is dropped. What stays keeps black's layout: one line when it
fits, else one name per line with a trailing comma."""

from __future__ import annotations

import ast
from collections.abc import Set

from generator.output.format import BLACK_LINE_LENGTH


def drop_unused_imports(source: str, used: Set[str] | None = None) -> str:
    """``source`` without the module-level imports of names it never uses
    (``from __future__`` imports stay); or, given ``used``, of the names not
    in it (the caller knows what the rest of the module uses)."""
    tree = ast.parse(source)
    used = _used_names(tree) if used is None else used
    lines = source.splitlines(keepends=True)
    shared = _lines_with_several_statements(tree)
    # From the bottom up, so that earlier line numbers stay valid.
    for node in reversed(tree.body):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if any(alias.name == "*" for alias in node.names):
            continue  # what it binds is unknown
        if {node.lineno, node.end_lineno} & shared:
            continue  # rewriting its lines would touch another statement
        kept = [alias for alias in node.names if _bound_name(alias) in used]
        if len(kept) == len(node.names):
            continue
        start, end = node.lineno - 1, node.end_lineno or node.lineno
        if kept:
            lines[start:end] = _import_lines(node, kept)
            continue
        del lines[start:end]
        # A block left empty must not leave two blank lines in a row.
        if 0 < start < len(lines) and not lines[start - 1].strip() and not lines[start].strip():
            del lines[start]
    return "".join(lines)


def _used_names(tree: ast.Module) -> set[str]:
    """Every name the module's code refers to: as a name, inside a string
    annotation, or listed in ``__all__``."""
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        annotations: list[ast.expr | None] = []
        if isinstance(node, ast.arg):
            annotations.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            annotations.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            used.update(_strings(node.value))
        for annotation in annotations:
            for text in _strings(annotation):
                try:
                    expression = ast.parse(text, mode="eval")
                except SyntaxError:
                    continue
                used.update(n.id for n in ast.walk(expression) if isinstance(n, ast.Name))
    return used


def _strings(node: ast.AST | None) -> list[str]:
    """The string constants in ``node``."""
    if node is None:
        return []
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _lines_with_several_statements(tree: ast.Module) -> set[int]:
    """Lines on which one top-level statement ends and another begins."""
    shared: set[int] = set()
    for first, second in zip(tree.body, tree.body[1:], strict=False):
        if first.end_lineno == second.lineno:
            shared.add(second.lineno)
    return shared


def _bound_name(alias: ast.alias) -> str:
    """The name an import binds (``import a.b`` binds ``a``)."""
    return alias.asname or alias.name.split(".")[0]


def _import_lines(node: ast.Import | ast.ImportFrom, kept: list[ast.alias]) -> list[str]:
    names = [alias.name + (f" as {alias.asname}" if alias.asname else "") for alias in kept]
    if isinstance(node, ast.Import):
        return [f"import {name}\n" for name in names]
    return from_import_lines(f"{'.' * node.level}{node.module or ''}", names)


def from_import_lines(module: str, names: list[str]) -> list[str]:
    """``from module import names`` as black lays it out: one line, or one
    name a line in brackets when the line would be too long."""
    head = f"from {module} import "
    line = head + ", ".join(names)
    if line.isascii() and len(line) <= BLACK_LINE_LENGTH:
        return [line + "\n"]
    return [head + "(\n", *(f"    {name},\n" for name in names), ")\n"]
