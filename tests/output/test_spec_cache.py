"""Spec files read before come from the content cache (output/spec_cache.py):
the same data and lines as a parse, never code from an entry."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from generator.errors import SpecError
from generator.output.cache import CACHE_ENV
from generator.output.spec_cache import cached_parse_yaml
from generator.pipeline import build
from generator.spec.load import SourceMap, load_spec, parse_yaml
from tests.conftest import SPEC_DIR


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def _entries(cache: Path) -> list[Path]:
    return sorted(path for path in (cache / "yaml").rglob("*") if path.is_file())


def test_a_file_read_before_gives_the_same_data_and_lines(cache: Path) -> None:
    plain = load_spec(SPEC_DIR)
    first = load_spec(SPEC_DIR, cached_parse_yaml)
    assert len(_entries(cache)) == len(list(SPEC_DIR.glob("*.yaml")))
    again = load_spec(SPEC_DIR, cached_parse_yaml)
    assert plain.document == first.document == again.document
    assert plain.source_map.origins == first.source_map.origins == again.source_map.origins


def test_the_meta_schema_read_before_is_the_one_a_plain_read_gives(cache: Path) -> None:
    from generator.spec.validate import meta_schema

    plain = meta_schema()
    meta_schema.cache_clear()  # each read below reads the file again
    try:
        assert meta_schema(cached_parse_yaml) == plain
        assert len(_entries(cache)) == 1
        meta_schema.cache_clear()
        assert meta_schema(cached_parse_yaml) == plain  # now from the entry
        assert len(_entries(cache)) == 1
    finally:
        meta_schema.cache_clear()


def test_an_entry_is_what_a_hit_returns(cache: Path) -> None:
    text = "operations:\n  first: {summary: One.}\n"
    cached_parse_yaml(text, "spec/one.yaml", SourceMap())
    [entry] = _entries(cache)
    # An entry another process wrote (here: other plain data) is taken as it is.
    entry.write_bytes(pickle.dumps(({"operations": {"other": 1}}, [(("operations",), 7)])))
    lines = SourceMap()
    assert cached_parse_yaml(text, "spec/one.yaml", lines) == {"operations": {"other": 1}}
    assert lines.locate(("operations",)).line == 7
    assert lines.locate(("operations",)).file == "spec/one.yaml"


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("an entry ran code",))


def test_an_entry_holding_anything_but_plain_data_is_parsed_again(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "operations:\n  first: {summary: One.}\n"
    cached_parse_yaml(text, "spec/one.yaml", SourceMap())
    [entry] = _entries(cache)
    for hostile in (
        pickle.dumps(({"x": _Boom()}, [])),
        pickle.dumps("not shaped as an entry"),
        b"\x80\x05garbage",
    ):
        entry.write_bytes(hostile)
        lines = SourceMap()
        assert cached_parse_yaml(text, "spec/one.yaml", lines) == parse_yaml(
            text, "spec/one.yaml", SourceMap()
        )
        assert lines.locate(("operations", "first")).line == 2
    assert "ran code" not in capsys.readouterr().out


def test_data_that_is_not_plain_is_not_stored_and_errors_are_not_either(cache: Path) -> None:
    assert cached_parse_yaml("when: 2026-12-02\n", "spec/d.yaml", SourceMap()) is not None
    assert _entries(cache) == []
    for _ in range(2):  # a broken file fails the same way every time
        with pytest.raises(SpecError, match="duplicate key 'a'"):
            cached_parse_yaml("a: 1\na: 2\n", "spec/bad.yaml", SourceMap())
    assert _entries(cache) == []


def test_an_edit_is_read_again_and_reported_at_its_own_line(tmp_path: Path, cache: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(SPEC_DIR, spec)
    build(spec)
    types = spec / "types.yaml"
    types.write_text(types.read_text().replace("type: ModuleRef,", "type: ModuleReff,", 1))
    expected = next(
        number
        for number, line in enumerate(types.read_text().splitlines(), 1)
        if "ModuleReff" in line
    )
    with pytest.raises(SpecError) as raised:
        build(spec)
    assert "unknown type 'ModuleReff'" in str(raised.value)
    assert f"types.yaml:{expected}" in str(raised.value)


def test_the_key_covers_every_generator_module_the_parser_reads() -> None:
    # A limit changed in a module the loader imports must not let an entry
    # parsed under the old one through.
    import ast

    from generator.output.spec_cache import PARSER_MODULES
    from generator.spec import load

    covered = {module.__name__ for module in PARSER_MODULES}
    tree = ast.parse(Path(load.__file__ or "").read_text())
    imported = {
        node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("generator.spec")
    }
    assert imported and imported | {load.__name__} <= covered
