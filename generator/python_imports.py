"""Dropping the imports a generated module does not use.

A template imports everything its code may need; which parts of that code a
spec yields (an upload method, the read and write lifecycle helpers, ...)
depends on the spec. Rather than mirror each template's conditions in its
import block, the rendered module is parsed and every imported name that no
code refers to is dropped. What stays keeps black's layout: one line when it
fits, else one name per line with a trailing comma."""

from __future__ import annotations

import ast

LINE_LENGTH = 88
"""Black's line length, which generated code is formatted to."""


def drop_unused_imports(source: str) -> str:
    """``source`` without the module-level imports of names it never uses
    (``from __future__`` imports stay)."""
    tree = ast.parse(source)
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    lines = source.splitlines(keepends=True)
    # From the bottom up, so that earlier line numbers stay valid.
    for node in reversed(tree.body):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
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


def _bound_name(alias: ast.alias) -> str:
    """The name an import binds (``import a.b`` binds ``a``)."""
    return alias.asname or alias.name.split(".")[0]


def _import_lines(node: ast.Import | ast.ImportFrom, kept: list[ast.alias]) -> list[str]:
    names = [alias.name + (f" as {alias.asname}" if alias.asname else "") for alias in kept]
    if isinstance(node, ast.Import):
        return [f"import {name}\n" for name in names]
    head = f"from {'.' * node.level}{node.module or ''} import "
    line = head + ", ".join(names)
    if line.isascii() and len(line) <= LINE_LENGTH:
        return [line + "\n"]
    return [head + "(\n", *(f"    {name},\n" for name in names), ")\n"]
