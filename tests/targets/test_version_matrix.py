"""The version-difference matrix: what the builder finds in the spec, and how
the Markdown and HTML pages show it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from generator.pipeline import BuildResult
from generator.targets.docs import emit_docs, markdown_cell
from generator.targets.version_matrix import Column, Matrix, Row, build_matrix


@pytest.fixture(scope="module")
def matrix(built: BuildResult) -> Matrix:
    return build_matrix(built.spec)


def test_columns_are_every_product_version_in_spec_order(matrix: Matrix) -> None:
    assert [column.label for column in matrix.columns] == [
        "crm v2", "crm v2.1", "crm v3", "crm v4", "crm v5", "crm v6", "crm v7", "crm v8",
        "bigin v1", "bigin v2", "recruit v2",
    ]  # fmt: skip


def test_module_is_a_string_in_old_versions_and_an_object_from_crm_v2_1(matrix: Matrix) -> None:
    key = "BulkWriteResource.module"
    assert matrix.cell(key, "crm", "v2") == "string"
    assert matrix.cell(key, "crm", "v2.1") == "ModuleRef"
    assert matrix.cell(key, "crm", "v7") == "ModuleRef"
    assert matrix.cell(key, "bigin", "v1") == "string"
    assert matrix.cell(key, "recruit", "v2") == "string"
    assert matrix.summary(matrix.row(key)) == (
        "string in crm v2, bigin v1/v2, recruit v2; ModuleRef in crm v2.1..v8"
    )


def test_module_leads_the_headline_differences(matrix: Matrix) -> None:
    headline = [row.key for row in matrix.headline]
    assert headline[0] == "BulkWriteResource.module"
    assert "BulkReadQuery.module" in headline
    assert all(matrix.row(key).type_differs for key in headline)
    assert "BulkWriteJob.status" not in headline


def test_a_field_added_in_v5_is_absent_before(matrix: Matrix) -> None:
    key = "BulkWriteResource.file_names"
    for version in ("v2", "v2.1", "v3", "v4"):
        assert matrix.cell(key, "crm", version) is None
    for version in ("v5", "v6", "v7", "v8"):
        assert matrix.cell(key, "crm", version) == "list[string]"
    assert matrix.cell(key, "bigin", "v2") is None
    assert matrix.row(key) in matrix.partial
    assert not matrix.row(key).type_differs


def test_union_and_list_types_are_written_as_in_the_spec(matrix: Matrix) -> None:
    assert matrix.cell("FieldMapping.index", "crm", "v2") == "integer | null"
    assert matrix.cell("BulkWriteJob.resource", "crm", "v8") == "list[BulkWriteResource]"
    assert matrix.cell("User", "bigin", "v1") == "defined"


def test_the_pages_list_every_row(built: BuildResult, matrix: Matrix) -> None:
    markdown = built.files["docs/version-matrix.md"].decode()
    html = built.files["docs/version-matrix.html"].decode()
    assert markdown.index("BulkWriteResource.module") < markdown.index("## Every type and field")
    assert "integer \\| null" in markdown
    table = markdown.split("## Every type and field", 1)[1]
    assert (
        sum(line.startswith("| ") for line in table.splitlines()) == len(matrix.rows) + 2
    )  # header and rule

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows = 0
            self.cells = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.rows += tag == "tr"
            self.cells += tag in ("td", "th")

    parser = Rows()
    parser.feed(html)
    tables = len(matrix.headline) + len(matrix.partial) + len(matrix.rows) + 3
    assert parser.rows == tables


def test_html_is_escaped_and_markdown_cells_stay_in_their_cell(built: BuildResult) -> None:
    hostile = Matrix(
        (Column("crm", "v2"), Column("crm", "v3")),
        (Row("A<script>", "", ("defined", "defined")), Row("A<script>", "f&g", ("x | y", None))),
    )
    pages = emit_docs(built.spec, hostile)
    html = pages["docs/version-matrix.html"]
    assert "<script>" not in html
    assert "A&lt;script&gt;.f&amp;g" in html
    markdown = pages["docs/version-matrix.md"]
    assert "| x \\| y | — |" in markdown
    assert markdown_cell("a|b\nc") == "a\\|b c"
