"""The cache of slow pipeline steps: computed once, keyed by everything that
shapes the output, and never an error source."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import GeneratorError
from generator.output.cache import (
    CACHE_ENV,
    JOBS_ENV,
    cache_key,
    cached_text,
    cached_texts,
    run_parallel,
)
from generator.output.format import format_python, format_python_files


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


def _shout(text: str, suffix: str) -> str:
    """A module-level step, so that worker processes can run it."""
    if text == "boom":
        raise GeneratorError(f"{suffix}: cannot shout")
    return text.upper() + suffix


def test_a_batch_computes_each_input_once_and_keeps_order(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(JOBS_ENV, "2")
    requests = [((text,), (text, "!")) for text in ("a", "b", "a", "c" * 5000, "b")]
    assert cached_texts("shout", requests, _shout) == ["A!", "B!", "A!", "C" * 5000 + "!", "B!"]
    entries = [path for path in cache_dir.rglob("*") if path.is_file()]
    assert len(entries) == 3  # one per distinct input
    # A second batch is read back from the cache (a changed step would show).
    assert cached_texts("shout", requests[:2], lambda *_: "recomputed") == ["A!", "B!"]


def test_parallel_and_serial_batches_give_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    calls = [(f"text {i}" * i, str(i)) for i in range(12)]
    monkeypatch.setenv(JOBS_ENV, "1")
    serial = run_parallel(_shout, calls)
    monkeypatch.setenv(JOBS_ENV, "3")
    assert run_parallel(_shout, calls) == serial == [_shout(*call) for call in calls]


def test_an_error_in_a_worker_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    monkeypatch.setenv(JOBS_ENV, "2")
    with pytest.raises(GeneratorError, match="m.py: cannot shout"):
        run_parallel(_shout, [("fine", "a.py"), ("boom", "m.py")])


def test_black_batch_matches_one_at_a_time(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(JOBS_ENV, "2")
    sources = {"a.py": "x = ( 1, )\n", "b.py": "def f( a ):\n  return {'a':a}\n"}
    batch = format_python_files(sources)
    monkeypatch.setenv(CACHE_ENV, "off")
    assert batch == {path: format_python(text, path) for path, text in sources.items()}


def test_workers_are_spawned_when_other_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setenv(JOBS_ENV, "2")
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert run_parallel(_shout, [("x", "1"), ("y", "2")]) == ["X1", "Y2"]
    finally:
        release.set()
        other.join()


def test_versions_with_the_same_models_share_one_datamodel_codegen_run(cache_dir: Path) -> None:
    import json

    from generator.mock.server import load_normalized_spec
    from generator.targets.python.models import models_by_datamodel_codegen
    from generator.targets.python.models_schema import models_schema
    from tests.conftest import SPEC_DIR

    spec = load_normalized_spec(SPEC_DIR)
    versions = [(v, models_schema(v, spec)) for p in spec.products for v in p.versions]
    distinct = {json.dumps(schema) for _, schema in versions}
    assert len(distinct) < len(versions)  # the real spec repeats itself across versions

    sources = models_by_datamodel_codegen(versions)

    runs = [path for path in (cache_dir / "datamodel-codegen").rglob("*") if path.is_file()]
    assert len(runs) == len(distinct)
    for (version, _), source in zip(versions, sources, strict=True):
        assert source.startswith(f'"""Pydantic models of {version.product_title} Bulk API ')
        assert f"Bulk API {version.version}.\n" in source.splitlines(keepends=True)[0]


def test_beside_recomputes_here_what_its_child_could_not_give(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    from generator.output.cache import Beside

    monkeypatch.setenv(JOBS_ENV, "2")
    parent = os.getpid()

    def made_here_only() -> str:
        if os.getpid() != parent:
            raise RuntimeError("fails in the child")
        return "made here"

    with Beside(made_here_only) as beside:
        assert beside.result() == "made here"
    with Beside(lambda: {"pid": os.getpid(), "value": [1, 2]}) as beside:
        result = beside.result()
    assert result["value"] == [1, 2]
    # Forked where it can (one thread, fork available); the bytes never depend on it.
    import threading

    if hasattr(os, "fork") and threading.active_count() == 1:
        assert result["pid"] != parent


def test_a_cache_folder_that_goes_away_between_two_builds_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found when the hostile-spec tests (which remove their cache folder) and a
    # later build shared a process: the Jinja2 environments kept the removed
    # folder, and writing a compiled template there failed with a traceback.
    import shutil

    from generator.pipeline import build
    from tests.conftest import SPEC_DIR

    first, second = tmp_path / "first", tmp_path / "second"
    monkeypatch.setenv(CACHE_ENV, str(first))
    expected = build(SPEC_DIR).files
    shutil.rmtree(first)
    assert build(SPEC_DIR).files == expected
    # A build under another folder uses that folder, not the first one's
    # (which the build above may have filled again: it was its folder).
    shutil.rmtree(first, ignore_errors=True)
    monkeypatch.setenv(CACHE_ENV, str(second))
    assert build(SPEC_DIR).files == expected
    assert (second / "jinja").is_dir() and any((second / "jinja").iterdir())
    assert not first.exists()


def test_the_json_sides_pipe_is_widened_where_the_system_allows() -> None:
    import fcntl
    import os

    from generator.output.cache import _widen

    get_size = getattr(fcntl, "F_GETPIPE_SZ", None)
    if get_size is None:
        pytest.skip("pipe sizes are Linux's")
    read, write = os.pipe()
    try:
        before = fcntl.fcntl(write, get_size)
        _widen(write)
        after = fcntl.fcntl(write, get_size)
    finally:
        os.close(read)
        os.close(write)
    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    assert after == (1 << 20 if limit >= 1 << 20 else before)
