"""The manifest lets ``check`` and ``generate`` skip the build when nothing
changed, and is never trusted past the first difference: an edited, missing or
extra output file, or any changed input, sends them back to the full build."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.manifest import MANIFEST, input_digest, is_current, render_manifest
from generator.write import read_tree
from tests.conftest import ROOT, run_cli

HEAVY_MODULES = ("black", "datamodel_code_generator", "jinja2", "jsonschema", "yaml", "pydantic")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A spec copy and a folder generated from it, with its manifest."""
    base = tmp_path_factory.mktemp("manifest")
    shutil.copytree(ROOT / "spec", base / "spec")
    result = run_cli("generate", "--spec", str(base / "spec"), "--out", str(base / "out"))
    assert result.returncode == 0, result.stderr
    return base


@pytest.fixture
def work(generated: Path, tmp_path: Path) -> Path:
    """A scratch copy of ``generated`` that a test may change."""
    shutil.copytree(generated, tmp_path / "w", symlinks=True)
    return tmp_path / "w"


def _modules_after(command: str, base: Path) -> tuple[int, str, set[str]]:
    """Run the CLI in-process in a fresh interpreter; its exit code, output and
    the modules it imported."""
    argv = [command, "--spec", str(base / "spec"), "--out", str(base / "out")]
    code = (
        "import sys\n"
        "from generator.cli import main\n"
        f"rc = main({argv!r})\n"
        "print('MODULES', ' '.join(sorted(sys.modules)))\n"
        "raise SystemExit(rc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    out, _, modules = result.stdout.rpartition("MODULES ")
    return result.returncode, out, set(modules.split())


def test_generate_writes_a_manifest_of_its_inputs_and_files(generated: Path) -> None:
    files = read_tree(generated / "out")
    manifest = (generated / "out" / MANIFEST).read_bytes()
    assert MANIFEST not in files  # the manifest describes the tree; it is not in it
    document = json.loads(manifest)
    assert manifest == render_manifest(input_digest(generated / "spec"), files, document["recipes"])
    assert set(document["files"]) == set(files)
    assert set(document["recipes"]) == {p for p in files if p.endswith((".py", ".json"))}


@pytest.mark.parametrize("command", ["check", "generate"])
def test_an_unchanged_tree_is_answered_without_building(generated: Path, command: str) -> None:
    code, out, modules = _modules_after(command, generated)
    assert code == 0 and "up to date" in out
    assert not {name.split(".")[0] for name in modules} & set(HEAVY_MODULES)


def test_an_edited_output_file_is_reported(work: Path) -> None:
    target = work / "out/schemas/crm/v7/get_bulk_write_job.response.json"
    target.write_text(target.read_text().replace("Details of a bulk write job.", "By hand."))
    result = run_cli("check", "--spec", str(work / "spec"), "--out", str(work / "out"))
    assert result.returncode == 1
    assert "differs: schemas/crm/v7/get_bulk_write_job.response.json" in result.stdout
    assert is_current(work / "out", input_digest(work / "spec")) is None


def test_a_missing_or_extra_output_file_is_reported(work: Path) -> None:
    (work / "out/docs/version-matrix.md").unlink()
    (work / "out/schemas/extra.json").write_text("{}")
    result = run_cli("check", "--spec", str(work / "spec"), "--out", str(work / "out"))
    assert result.returncode == 1
    assert "missing: docs/version-matrix.md" in result.stdout
    assert "not generated (stale): schemas/extra.json" in result.stdout


def test_a_changed_spec_runs_the_build_even_if_the_manifest_lies(work: Path) -> None:
    types = work / "spec/types.yaml"
    types.write_text(
        types.read_text().replace(
            "One module's part of a bulk write job.", "One module in a bulk write job."
        )
    )
    # A manifest that vouches for the old files under the new inputs' hash would
    # be believed; one recorded for the old inputs must not be.
    result = run_cli("check", "--spec", str(work / "spec"), "--out", str(work / "out"))
    assert result.returncode == 1
    assert "One module in a bulk write job." in result.stdout
    assert (
        run_cli("generate", "--spec", str(work / "spec"), "--out", str(work / "out")).returncode
        == 0
    )
    assert is_current(work / "out", input_digest(work / "spec")) is not None


def test_an_input_change_that_changes_no_output_refreshes_only_the_manifest(work: Path) -> None:
    products = work / "spec/products.yaml"
    products.write_text(products.read_text() + "\n# a comment changes the inputs, not the output\n")
    out = work / "out"
    inode = (out / "schemas/crm/v7/get_bulk_write_job.response.json").stat().st_ino
    assert is_current(out, input_digest(work / "spec")) is None
    check = run_cli("check", "--spec", str(work / "spec"), "--out", str(out))
    assert check.returncode == 0 and "up to date" in check.stdout  # by the full build
    assert run_cli("generate", "--spec", str(work / "spec"), "--out", str(out)).returncode == 0
    assert is_current(out, input_digest(work / "spec")) is not None
    assert (out / "schemas/crm/v7/get_bulk_write_job.response.json").stat().st_ino == inode
    assert sorted(p.name for p in work.iterdir()) == ["out", "spec"]  # no temporary left


def test_a_broken_or_foreign_manifest_is_not_trusted(work: Path) -> None:
    out = work / "out"
    inputs = input_digest(work / "spec")
    for text in ("not json", "[]", json.dumps({"format": 99, "inputs": inputs, "files": {}})):
        (out / MANIFEST).write_text(text)
        assert is_current(out, inputs) is None
    assert run_cli("check", "--spec", str(work / "spec"), "--out", str(out)).returncode == 0


def test_tool_versions_and_generator_source_are_inputs(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.manifest as manifest

    before = input_digest(work / "spec")
    versions = manifest.tool_versions()
    monkeypatch.setattr(manifest, "tool_versions", lambda: {**versions, "black": "0.0.0"})
    assert input_digest(work / "spec") != before
    monkeypatch.undo()
    assert all(version != "absent" for version in manifest.tool_versions().values())
    monkeypatch.setattr(manifest, "GENERATOR_DIR", work / "spec")
    assert input_digest(work / "spec") != before


def test_the_manifest_is_deterministic(generated: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "99"}
    out = tmp_path / "again"
    result = run_cli("generate", "--spec", str(generated / "spec"), "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert (out / MANIFEST).read_bytes() == (generated / "out" / MANIFEST).read_bytes()
