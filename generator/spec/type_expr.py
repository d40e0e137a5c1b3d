"""The small language of field types: ``string``, ``list[FieldMapping]``,
``ModuleRef | null`` and so on, parsed into an immutable tree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

PRIMITIVES = frozenset(
    {"string", "digits", "integer", "number", "boolean", "datetime", "object", "any", "null"}
)
"""``digits`` is a string of decimal digits: how the vendor writes its 64-bit ids."""

_TOKEN = re.compile(r"\s*(list\[|\]|\||[A-Za-z][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Primitive:
    """A JSON primitive (or ``object``/``any`` for free-form values)."""

    name: str


@dataclass(frozen=True)
class Named:
    """A reference to a type or vocabulary defined in the spec."""

    name: str


@dataclass(frozen=True)
class ListOf:
    """A JSON array of one item type."""

    item: TypeExpr


@dataclass(frozen=True)
class UnionOf:
    """Any one of several types, in the order written."""

    options: tuple[TypeExpr, ...]


TypeExpr = Primitive | Named | ListOf | UnionOf


class TypeSyntaxError(ValueError):
    """A type expression does not parse."""


@lru_cache(maxsize=4096)
def parse_type(text: str) -> TypeExpr:
    """Parse a type expression; raise TypeSyntaxError naming the problem.

    Remembered (the tree is immutable): a spec writes the same few hundred
    expressions about two thousand times."""
    tokens = _tokenize(text)
    expr, rest = _parse_union(tokens, text)
    if rest:
        raise TypeSyntaxError(f"unexpected '{rest[0]}' in type '{text}'")
    return expr


def named_references(expr: TypeExpr) -> list[str]:
    """Every type or vocabulary name the expression refers to, in order."""
    if isinstance(expr, Named):
        return [expr.name]
    if isinstance(expr, ListOf):
        return named_references(expr.item)
    if isinstance(expr, UnionOf):
        return [name for option in expr.options for name in named_references(option)]
    return []


def is_nullable(expr: TypeExpr) -> bool:
    """Whether the expression admits JSON null (``null``, ``any``, or a union with either)."""
    if isinstance(expr, UnionOf):
        return any(is_nullable(option) for option in expr.options)
    return expr in (Primitive("null"), Primitive("any"))


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise TypeSyntaxError(f"cannot read type '{text}' at '{text[position:].strip()}'")
        tokens.append(match.group(1))
        position = match.end()
    if not tokens:
        raise TypeSyntaxError("empty type")
    return tokens


def _parse_union(tokens: list[str], text: str) -> tuple[TypeExpr, list[str]]:
    options = []
    term, tokens = _parse_term(tokens, text)
    options.append(term)
    while tokens and tokens[0] == "|":
        term, tokens = _parse_term(tokens[1:], text)
        options.append(term)
    if len(options) == 1:
        return options[0], tokens
    if len(set(options)) != len(options):
        raise TypeSyntaxError(f"type '{text}' repeats an option")
    return UnionOf(tuple(options)), tokens


def _parse_term(tokens: list[str], text: str) -> tuple[TypeExpr, list[str]]:
    if not tokens:
        raise TypeSyntaxError(f"type '{text}' ends too early")
    head, rest = tokens[0], tokens[1:]
    if head == "list[":
        item, rest = _parse_union(rest, text)
        if not rest or rest[0] != "]":
            raise TypeSyntaxError(f"missing ']' in type '{text}'")
        return ListOf(item), rest[1:]
    if head in ("]", "|"):
        raise TypeSyntaxError(f"unexpected '{head}' in type '{text}'")
    if head in PRIMITIVES:
        return Primitive(head), rest
    if head[0].isupper():
        return Named(head), rest
    raise TypeSyntaxError(f"unknown primitive type '{head}' in '{text}'")
