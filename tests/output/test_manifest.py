"""The manifest lets ``check`` and ``generate`` skip the build when nothing
changed, and is never trusted past the first difference: an edited, missing or
extra output file, or any changed input, sends them back to the full build."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator.output.manifest import MANIFEST, input_digest, is_current, render_manifest
from generator.output.write import read_tree
from tests.conftest import run_cli, run_cli_in_process

HEAVY_MODULES = ("black", "datamodel_code_generator", "jinja2", "jsonschema", "yaml", "pydantic")


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
    result, modules = run_cli_in_process(command, generated)
    assert result.returncode == 0 and "up to date" in result.stdout
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
    import generator.output.manifest as manifest

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
