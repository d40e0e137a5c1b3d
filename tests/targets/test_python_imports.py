"""drop_unused_imports keeps exactly the imports a module uses, in black's layout."""

from __future__ import annotations

import black

from generator.targets.python.imports import drop_unused_imports

MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=88)

SOURCE = '''"""A module."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping

import httpx
from zoho_bulk_core.results import (
    WriteResultRow,
    iter_csv_rows,
    iter_write_result_rows,
    next_page_request,
)
from zoho_bulk_core.transport import first_item, present

from zoho_bulk_x.v1 import models


def fetch(client: httpx.Client, rows: Mapping[str, str]) -> Callable[[], None]:
    """Uses httpx, Mapping, Callable, iter_csv_rows and models; os only in this text."""
    iter_csv_rows(rows)
    return models.make
'''


def test_unused_names_and_whole_statements_go_and_used_ones_stay() -> None:
    pruned = drop_unused_imports(SOURCE)
    assert pruned == SOURCE.replace(
        "import os\nimport tempfile\nfrom collections.abc import AsyncIterator, Callable, "
        "Iterator, Mapping\n",
        "from collections.abc import Callable, Mapping\n",
    ).replace(
        "from zoho_bulk_core.results import (\n    WriteResultRow,\n    iter_csv_rows,\n"
        "    iter_write_result_rows,\n    next_page_request,\n)\n"
        "from zoho_bulk_core.transport import first_item, present\n",
        "from zoho_bulk_core.results import iter_csv_rows\n",
    )
    assert black.format_str(pruned, mode=MODE) == pruned


def test_a_block_left_empty_leaves_one_blank_line() -> None:
    source = (
        "from __future__ import annotations\n\nimport os\n\nimport httpx\n\n\n"
        "def f() -> httpx.Client:\n    return httpx.Client()\n"
    )
    pruned = drop_unused_imports(source)
    assert pruned == (
        "from __future__ import annotations\n\nimport httpx\n\n\n"
        "def f() -> httpx.Client:\n    return httpx.Client()\n"
    )
    assert black.format_str(pruned, mode=MODE) == pruned


def test_a_long_import_keeps_one_name_per_line() -> None:
    names = [f"a_rather_long_name_number_{index}" for index in range(5)]
    source = (
        "from some.module import (\n"
        + "".join(f"    {name},\n" for name in names)
        + ")\n\n"
        + "".join(f"{name}()\n" for name in names[:4])
    )
    pruned = drop_unused_imports(source)
    assert "a_rather_long_name_number_4" not in pruned
    assert pruned.startswith("from some.module import (\n    a_rather_long_name_number_0,\n")
    assert black.format_str(pruned, mode=MODE) == pruned
    short = drop_unused_imports(
        source.replace("".join(f"{n}()\n" for n in names[:4]), "a_rather_long_name_number_1()\n")
    )
    assert short.startswith("from some.module import a_rather_long_name_number_1\n")
    assert black.format_str(short, mode=MODE) == short


def test_future_imports_and_dotted_imports() -> None:
    source = (
        "from __future__ import annotations\n\nimport xml.etree\nimport json\n\nxml.etree.x()\n"
    )
    assert drop_unused_imports(source) == (
        "from __future__ import annotations\n\nimport xml.etree\n\nxml.etree.x()\n"
    )


def test_string_annotations_and_all_count_as_uses() -> None:
    source = (
        "from a import Foo, Bar, Baz, Unused\n\n"
        '__all__ = ["Baz"]\n\n\n'
        'def f(x: "Foo") -> "list[Bar]":\n'
        "    return []\n"
    )
    assert drop_unused_imports(source) == source.replace(", Unused", "")


def test_star_imports_and_shared_lines_are_left_alone() -> None:
    source = "from a import *\nimport os; import sys\n\nsys.exit()\n"
    assert drop_unused_imports(source) == source
