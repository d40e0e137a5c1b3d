"""The cache of slow pipeline steps: computed once, keyed by everything that
shapes the output, and never an error source."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cache import CACHE_ENV, cache_key, cached_text
from generator.format import format_python


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def test_a_result_is_computed_once_then_read_back(cache_dir: Path) -> None:
    calls: list[str] = []

    def compute() -> str:
        calls.append("x")
        return "formatted ✓\n"

    assert cached_text("step", ("1.0", "input"), compute) == "formatted ✓\n"
    assert cached_text("step", ("1.0", "input"), compute) == "formatted ✓\n"
    assert calls == ["x"]
    assert cached_text("step", ("1.1", "input"), compute) == "formatted ✓\n"
    assert calls == ["x", "x"]  # another tool version is another key


def test_keys_separate_their_parts() -> None:
    assert cache_key("black", "ab", "c") != cache_key("black", "a", "bc")
    assert cache_key("black", "x") != cache_key("datamodel-codegen", "x")


def test_an_unreadable_entry_is_a_miss(cache_dir: Path) -> None:
    cached_text("step", ("p",), lambda: "first")
    (entry,) = [path for path in cache_dir.rglob("*") if path.is_file()]
    entry.write_bytes(b"\xff\xfe not utf-8")
    assert cached_text("step", ("p",), lambda: "second") == "second"


def test_an_unwritable_folder_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    assert cached_text("step", ("p",), lambda: "value") == "value"


def test_off_disables_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    calls: list[int] = []
    for _ in range(2):
        cached_text("step", ("p",), lambda: str(calls.append(1)))
    assert len(calls) == 2


def test_black_output_is_the_same_from_the_cache(cache_dir: Path) -> None:
    source = "def f( a ):\n  return {'a':a}\n"
    first = format_python(source, "m.py")
    assert list(cache_dir.rglob("*"))
    assert format_python(source, "m.py") == first == 'def f(a):\n    return {"a": a}\n'
