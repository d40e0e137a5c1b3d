"""Write: the output folder is replaced whole, or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import OutputError
from generator.output.write import MARKER, read_own_tree, read_tree, with_marker, write_tree


def test_unchanged_output_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = with_marker({"a/b.txt": b"one"})
    write_tree(out, files)
    stamp = (out / "a/b.txt").stat().st_mtime_ns
    assert write_tree(out, files).is_empty
    assert (out / "a/b.txt").stat().st_mtime_ns == stamp


def test_stale_files_are_removed_and_changed_ones_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, with_marker({"old.txt": b"x", "keep.txt": b"1"}))
    diff = write_tree(out, with_marker({"keep.txt": b"2", "new.txt": b"n"}))
    assert (
        diff.added == ("new.txt",)
        and diff.changed == ("keep.txt",)
        and diff.removed == ("old.txt",)
    )
    assert read_tree(out) == with_marker({"keep.txt": b"2", "new.txt": b"n"})
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging leftovers


def test_unchanged_files_are_not_rewritten_when_others_change(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, with_marker({"same.txt": b"s", "other.txt": b"1"}))
    inode = (out / "same.txt").stat().st_ino
    write_tree(out, with_marker({"same.txt": b"s", "other.txt": b"2"}))
    assert (out / "same.txt").stat().st_ino == inode
    assert (out / "other.txt").read_bytes() == b"2"


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    with pytest.raises(OutputError, match=f"no {MARKER} file"):
        write_tree(out, with_marker({"a.txt": b"a"}))
    assert (out / "thesis.tex").read_text() == "years of work"


def test_a_failure_while_writing_leaves_the_old_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_tree(out, with_marker({"a.txt": b"old"}))
    original = Path.write_bytes
    calls = 0

    def failing_write(self: Path, data: bytes) -> int:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError(28, "No space left on device")
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(OSError):
        write_tree(out, with_marker({"a.txt": b"new", "b.txt": b"b"}))
    monkeypatch.undo()
    assert read_tree(out) == with_marker({"a.txt": b"old"})
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_generate_refuses_to_replace_what_it_did_not_write(tmp_path: Path) -> None:
    from tests.conftest import SPEC_DIR, run_cli

    a_file = tmp_path / "notes.txt"
    a_file.write_text("precious\n")
    foreign = tmp_path / "project"
    (foreign / "build" / "lib").mkdir(parents=True)
    (foreign / "build" / "lib" / "x.py").write_text("x = 1\n")
    under_a_file = a_file / "generated"

    for out, problem in [
        (a_file, "is not a folder"),
        (foreign, "did not write"),
        (under_a_file, "notes.txt: File exists"),
    ]:
        result = run_cli("generate", "--spec", str(SPEC_DIR), "--out", str(out))
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("zoho-bulkgen: error: ") and problem in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert a_file.read_text() == "precious\n"
    assert (foreign / "build" / "lib" / "x.py").read_text() == "x = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "project"]


def test_the_tree_read_earlier_in_the_run_is_what_the_write_compares(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = with_marker({"a.txt": b"a", "b/c.txt": b"c"})
    write_tree(out, files)
    assert write_tree(out, files, current=read_own_tree(out)).is_empty
    # What it is given stands for the tree: told the folder held only the
    # marker, it writes the other files afresh.
    diff = write_tree(out, files, current={MARKER: files[MARKER]})
    assert diff.added == ("a.txt", "b/c.txt") and not diff.changed and not diff.removed
    assert read_tree(out) == files


def test_a_folder_it_did_not_write_is_refused_before_it_is_read(tmp_path: Path) -> None:
    foreign = tmp_path / "project"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("precious\n")
    with pytest.raises(OutputError, match="did not write"):
        read_own_tree(foreign)
    assert read_own_tree(tmp_path / "absent") == {}


def test_the_tree_leaves_out_tool_debris_the_manifest_and_linked_folders(tmp_path: Path) -> None:
    import os

    from generator.output.manifest import MANIFEST

    tree = tmp_path / "tree"
    for relative, content in {
        "a/b": b"3",
        "a-c/f": b"2",
        "a/__pycache__/x.pyc": b"tool",
        "pkg.egg-info/PKG-INFO": b"tool",
        "pkg/build/lib/x.py": b"tool",
        MANIFEST: b"{}",
        f"sub/{MANIFEST}": b"5",
    }.items():
        (tree / relative).parent.mkdir(parents=True, exist_ok=True)
        (tree / relative).write_bytes(content)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "inside.txt").write_bytes(b"not ours")
    os.symlink(elsewhere, tree / "linked-folder")
    os.symlink(tree / "a" / "b", tree / "linked-file")
    os.symlink(tmp_path / "absent", tree / "broken-link")
    # In path order (a/b before a-c/f), as the parts of each path sort.
    assert list(read_tree(tree).items()) == [
        ("a/b", b"3"),
        ("a-c/f", b"2"),
        ("linked-file", b"3"),
        (f"sub/{MANIFEST}", b"5"),
    ]
    assert read_tree(tree / "a" / "b") == {} and read_tree(tmp_path / "absent") == {}
