"""Black at generation time only where needed: ``needs_black`` clears a file
only when black would leave it unchanged, and clears the templates' output so
that a cold build runs no black at all (docs/generation-speed.md)."""

from __future__ import annotations

import json
from pathlib import Path

import black
import pytest
from black.mode import Mode, TargetVersion

from generator.output.format import BLACK_LINE_LENGTH, black_reason, format_outputs, needs_black
from generator.pipeline import render
from tests.conftest import SPEC_DIR
from tests.test_bench import _load_bench

MODE = Mode(target_versions={TargetVersion.PY311}, line_length=BLACK_LINE_LENGTH)


def _black(text: str) -> str:
    return black.format_str(text, mode=MODE)


def test_every_python_file_of_the_real_spec_is_cleared_without_black() -> None:
    rendered = render(SPEC_DIR)
    reasons = {
        path: black_reason(text)
        for path, text in rendered.sources.items()
        if path.endswith(".py") and path not in rendered.model_recipes
    }
    assert len(reasons) > 20
    assert {path: reason for path, reason in reasons.items() if reason} == {}


def test_files_cleared_on_a_synthetic_spec_are_as_black_leaves_them(tmp_path: Path) -> None:
    # Other names and sizes than the real spec's: lines cross the limit in
    # other places. Whatever the check clears must be black's own layout.
    bench = _load_bench("bench_generate")
    bench.write_synthetic_spec(tmp_path / "spec", bench.Shape(versions=3, operations=16))
    rendered = render(tmp_path / "spec")
    cleared = [
        (path, text)
        for path, text in rendered.sources.items()
        if path.endswith(".py") and not needs_black(text)
    ]
    assert len(cleared) > 20
    assert [path for path, text in cleared if _black(text) != text] == []


GOOD = '''"""A module."""

import os


def f(a: int) -> dict[str, int]:
    """A function."""
    return {"a": a, "path": len(os.sep)}  # a comment's quote


class C:
    """A class."""

    x: int = 1

    def g(self) -> str:
        """Say 'hello' ("quoted")."""
        return call_something_with_a_long_name(
            "a long argument that does not fit", "on the line of the call", self
        )
'''

BAD = {
    "single quotes": GOOD.replace('{"a": a', "{'a': a"),
    "trailing space": GOOD.replace('"""A module."""', '"""A module.""" '),
    "one blank before a top-level def": GOOD.replace("\n\n\ndef f", "\n\ndef f"),
    "three blank lines": GOOD.replace("\n\n\nclass C", "\n\n\n\nclass C"),
    "no blank before a method": GOOD.replace("x: int = 1\n\n", "x: int = 1\n"),
    "two blanks in a class": GOOD.replace("x: int = 1\n\n", "x: int = 1\n\n\n"),
    "a blank opening a block": GOOD.replace("self) -> str:\n", "self) -> str:\n\n"),
    "a long line": GOOD.replace("x: int = 1", "x: int = " + " + ".join(["1"] * 40)),
    "a split black joins": GOOD.replace('"a long argument that does not fit", ', ""),
    "a docstring with spaces": GOOD.replace('"""A class."""', '""" A class. """'),
    "two final newlines": GOOD + "\n",
    "a docstring ending with a quote": GOOD.replace('"""A class."""', '"""A \\"class\\""""'),
    "a tab": GOOD.replace("x: int = 1", "x: int =\t1"),
    "an upper-case prefix": GOOD.replace('"a long argument', 'U"a long argument'),
}


def test_the_check_clears_black_formatted_code() -> None:
    assert _black(GOOD) == GOOD
    assert black_reason(GOOD) is None


@pytest.mark.parametrize("case", sorted(BAD))
def test_the_check_sends_what_black_would_change_to_black(case: str) -> None:
    text = BAD[case]
    assert text != GOOD
    assert _black(text) != text
    assert needs_black(text), case


def test_format_outputs_runs_black_on_what_the_check_refuses() -> None:
    files, _ = format_outputs({}, {"good.py": GOOD, "bad.py": BAD["single quotes"]})
    assert files["good.py"].decode() == GOOD
    assert files["bad.py"].decode() == _black(BAD["single quotes"])


def test_black_always_runs_black_on_every_file(monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.output.format as format_module

    seen: list[str] = []

    def spy(source: str, path: str) -> str:
        seen.append(path)
        return source

    monkeypatch.setattr(format_module, "_run_black", spy)
    monkeypatch.setenv("ZOHO_BULKGEN_CACHE", "off")
    monkeypatch.setenv("ZOHO_BULKGEN_JOBS", "1")
    format_outputs({}, {"good.py": GOOD})
    assert seen == []
    monkeypatch.setenv("ZOHO_BULKGEN_BLACK", "always")
    format_outputs({}, {"good.py": GOOD})
    assert seen == ["good.py"]


def test_code_that_does_not_parse_is_a_generator_error_without_black() -> None:
    from generator.errors import GeneratorError

    broken = "from zoho_bulk_core import ()\n"
    assert not needs_black(broken)  # nothing black-like to fix: only the parser sees it
    with pytest.raises(GeneratorError, match=r"^broken\.py: generated code does not parse"):
        format_outputs({}, {"broken.py": broken})


def test_format_json_is_the_standard_librarys_indented_layout_byte_for_byte() -> None:
    from generator.output.format import format_json

    cases = [
        {"a": [1, 2.5, None, True, False], "b": {}, "c": [], "d": 'é\u2028\x1f"\\'},
        {"tiny": 1e-07, "big": 1e16, "neg": -0.0, "third": 1 / 3},
        {"inf": float("inf"), "nan": float("nan")},
        {1: "an integer key", "x": (1, 2)},
        {"huge": 2**70, "deep": [[[[{"k": "v"}]]]]},
        [],
        "just text",
    ]
    for data in cases:
        assert format_json(data) == json.dumps(data, indent=2, ensure_ascii=False) + "\n", data
