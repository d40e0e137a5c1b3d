"""The version-difference matrix: for every type and field of the spec, which
products and versions have it and with which type. The docs stage renders it."""

from __future__ import annotations

from dataclasses import dataclass

from generator.spec.model import NormalizedSpec
from generator.spec.type_expr import ListOf, Named, Primitive, TypeExpr, UnionOf


@dataclass(frozen=True)
class Column:
    """One product version."""

    product: str
    version: str

    @property
    def label(self) -> str:
        """``<product> v7``."""
        return f"{self.product} {self.version}"


@dataclass(frozen=True)
class Row:
    """A type (``field`` empty) or one of its fields, and its type per column
    (None where the column does not have it)."""

    type_name: str
    field: str
    cells: tuple[str | None, ...]

    @property
    def key(self) -> str:
        """``BulkWriteResource.module``, or the type name for a type row."""
        return f"{self.type_name}.{self.field}" if self.field else self.type_name

    @property
    def shapes(self) -> tuple[str, ...]:
        """The distinct types the row has, in column order."""
        return tuple(dict.fromkeys(cell for cell in self.cells if cell is not None))

    @property
    def type_differs(self) -> bool:
        """Whether the field has more than one type across the columns that have it."""
        return len(self.shapes) > 1

    @property
    def everywhere(self) -> bool:
        """Whether every column has it."""
        return all(cell is not None for cell in self.cells)


@dataclass(frozen=True)
class Matrix:
    """Columns (product versions, spec order) and rows (types, then their fields)."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    def row(self, key: str) -> Row:
        """The row called ``key`` (``Type`` or ``Type.field``)."""
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def cell(self, key: str, product: str, version: str) -> str | None:
        """The type of ``key`` in ``product`` ``version``, or None if it is absent there."""
        index = self.columns.index(Column(product, version))
        return self.row(key).cells[index]

    @property
    def headline(self) -> tuple[Row, ...]:
        """Field rows whose type differs between versions, the most widespread first."""
        differing = [row for row in self.rows if row.field and row.type_differs]
        return tuple(sorted(differing, key=lambda row: -sum(c is not None for c in row.cells)))

    @property
    def partial(self) -> tuple[Row, ...]:
        """Rows (types or fields) that some versions lack."""
        return tuple(row for row in self.rows if not row.everywhere)

    def summary(self, row: Row) -> str:
        """Where each of a row's types is used: ``string in <product> v2, <other> v1/v2; ...``."""
        parts = []
        for shape in row.shapes:
            columns = [
                col for col, cell in zip(self.columns, row.cells, strict=True) if cell == shape
            ]
            parts.append(f"{shape} in {self.describe(columns)}")
        absent = [col for col, cell in zip(self.columns, row.cells, strict=True) if cell is None]
        if absent:
            parts.append(f"absent in {self.describe(absent)}")
        return "; ".join(parts)

    def describe(self, columns: list[Column]) -> str:
        """Product versions named compactly: runs of consecutive versions as ``v2.1..v8``."""
        texts = []
        for product in dict.fromkeys(col.product for col in self.columns):
            all_versions = [col.version for col in self.columns if col.product == product]
            chosen = {col.version for col in columns if col.product == product}
            if not chosen:
                continue
            runs: list[list[str]] = []
            for version in all_versions:
                if version in chosen:
                    if runs and all_versions.index(version) - 1 == all_versions.index(runs[-1][-1]):
                        runs[-1].append(version)
                    else:
                        runs.append([version])
            pieces = [f"{run[0]}..{run[-1]}" if len(run) > 2 else "/".join(run) for run in runs]
            texts.append(f"{product} {', '.join(pieces)}")
        return ", ".join(texts)


def type_text(expr: TypeExpr) -> str:
    """A field type as the spec writes it: ``list[FieldMapping]``, ``string | null``."""
    if isinstance(expr, Primitive | Named):
        return expr.name
    if isinstance(expr, ListOf):
        return f"list[{type_text(expr.item)}]"
    if isinstance(expr, UnionOf):
        return " | ".join(type_text(option) for option in expr.options)
    raise TypeError(f"unknown type expression {expr!r}")


def build_matrix(spec: NormalizedSpec) -> Matrix:
    """The matrix of every type and field over every product version."""
    versions = [version for product in spec.products for version in product.versions]
    columns = tuple(Column(version.product, version.version) for version in versions)
    # Row order: types in the order they first appear, each type's fields in
    # the order they first appear (fields added later follow the older ones).
    order: dict[str, list[str]] = {}
    for version in versions:
        for type_spec in version.types:
            names = order.setdefault(type_spec.name, [])
            for field_spec in type_spec.fields:
                if field_spec.name not in names:
                    names.append(field_spec.name)
    lookup = {
        (version.product, version.version): {
            type_spec.name: {field.name: type_text(field.type) for field in type_spec.fields}
            for type_spec in version.types
        }
        for version in versions
    }
    rows: list[Row] = []
    for type_name, field_names in order.items():
        present = [lookup[(col.product, col.version)].get(type_name) for col in columns]
        rows.append(
            Row(type_name, "", tuple("defined" if types is not None else None for types in present))
        )
        for name in field_names:
            cells = tuple(types.get(name) if types is not None else None for types in present)
            rows.append(Row(type_name, name, cells))
    return Matrix(columns, tuple(rows))
