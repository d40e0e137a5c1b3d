"""A ``generate`` that fails or is killed never leaves a half-written output
folder: the folder holds the old tree or the complete new one, byte for byte,
and the staging folders of a killed run stay hidden beside it until the next
run removes them."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from generator.output.manifest import MANIFEST
from generator.output.write import read_tree
from tests.conftest import ROOT, SPEC_DIR, run_cli

# How many files the staging folder holds when the run is killed (0: as soon as
# it appears; None: once it is complete, around the swap).
KILL_POINTS = (0, 1, 20, 80, 200, None)


def _generate(spec: Path, out: Path) -> None:
    result = run_cli("generate", "--spec", str(spec), "--out", str(out))
    assert result.returncode == 0, result.stderr


def _files_in(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def _kill_while_writing(spec: Path, out: Path, at: int) -> bool:
    """Run ``generate`` and SIGKILL it once its staging folder holds ``at``
    files; True if it was killed while the staging folder existed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "generate", "--spec", str(spec), "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    prefix = f".{out.name}.new-{process.pid}-"
    deadline = time.monotonic() + 300
    killed_mid_write = False
    try:
        while process.poll() is None and time.monotonic() < deadline:
            staging = [p for p in out.parent.iterdir() if p.name.startswith(prefix)]
            if staging and (at == 0 or _files_in(staging[0]) >= at):
                process.send_signal(signal.SIGKILL)
                killed_mid_write = True
                break
            time.sleep(0.0005)
    finally:
        if process.poll() is None and not killed_mid_write:
            process.kill()
        process.wait()
    return killed_mid_write and process.returncode == -signal.SIGKILL


def test_a_killed_generate_leaves_the_old_tree_or_the_new_one(tmp_path: Path) -> None:
    old_spec, new_spec = tmp_path / "spec-old", tmp_path / "spec-new"
    shutil.copytree(SPEC_DIR, old_spec)
    shutil.copytree(SPEC_DIR, new_spec)
    types = new_spec / "types.yaml"
    # A description shared by every version: schemas, models and OpenAPI
    # documents of all of them change.
    types.write_text(types.read_text().replace("Unique id of the job.", "The job's own id."))
    reference, out = tmp_path / "reference", tmp_path / "out"
    _generate(new_spec, reference)
    new = read_tree(reference)
    _generate(old_spec, out)
    old = read_tree(out)
    assert old != new and len([p for p in new if old.get(p) != new[p]]) > 50

    leftover = re.compile(rf"^\.{out.name}\.(new|old|manifest)-\d+-")
    outcomes = []
    # A busy machine may let a run finish its write stage between two looks at
    # the staging folder; a few more tries at the earliest point make sure
    # some kill lands inside it.
    for at in (*KILL_POINTS, 0, 0, 0):
        if len(outcomes) >= len(KILL_POINTS) and (True, "old") in [o[1:] for o in outcomes]:
            break
        if read_tree(out) != old:
            _generate(old_spec, out)
        complete = len(new) + 1  # with the manifest
        killed = _kill_while_writing(new_spec, out, complete if at is None else at)
        tree = read_tree(out)
        assert out.is_dir() and not out.is_symlink()
        assert tree in (old, new), f"killed at {at} files: a mix of the old and new trees"
        strays = {p.name for p in tmp_path.iterdir()} - {"spec-old", "spec-new", "reference", "out"}
        assert all(leftover.match(name) for name in strays), strays
        outcomes.append((at, killed, "old" if tree == old else "new"))
    # Some kill landed inside the write stage, and the old tree survived it.
    assert (True, "old") in [outcome[1:] for outcome in outcomes], outcomes

    # The next run completes and clears what the killed ones left.
    _generate(new_spec, out)
    assert read_tree(out) == new
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out",
        "reference",
        "spec-new",
        "spec-old",
    ]


def test_a_malformed_spec_leaves_the_output_exactly_as_it_was(tmp_path: Path) -> None:
    spec, out = tmp_path / "spec", tmp_path / "out"
    shutil.copytree(SPEC_DIR, spec)
    _generate(spec, out)
    before = read_tree(out)
    manifest = (out / MANIFEST).read_bytes()
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    types = spec / "types.yaml"
    types.write_text(types.read_text().replace("type: ModuleRef,", "type: ModuleReff,", 1))
    result = run_cli("generate", "--spec", str(spec), "--out", str(out))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "unknown type 'ModuleReff'" in result.stderr
    assert read_tree(out) == before and (out / MANIFEST).read_bytes() == manifest
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == stamps
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "spec"]


def test_an_up_to_date_run_still_clears_what_killed_runs_left(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _generate(SPEC_DIR, out)
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(finished.stdout)
    # A run killed after its swap leaves the old tree in a hidden folder beside
    # the current tree, which itself is complete.
    stray = tmp_path / f".out.new-{dead}-abc123"
    (stray / "schemas").mkdir(parents=True)
    (stray / "schemas" / "half.json").write_text("{")

    result = run_cli("generate", "--spec", str(SPEC_DIR), "--out", str(out))

    assert result.returncode == 0 and "up to date" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
