"""Malformed specs give one clear line (file, line, problem), exit 2, and leave
an existing generated/ exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import main
from generator.output.write import read_tree
from tests.conftest import GENERATED_DIR, SPEC_DIR, run_cli

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).with_name("malformed_specs.yaml")).read_text(encoding="utf-8")
)["cases"]


def _break_spec(spec: Path, case: dict[str, Any]) -> str:
    """Apply the case's edit to ``spec``; return the expected message."""
    message: str = case["message"]
    if "write" in case:
        (spec / case["write"]["file"]).write_text(case["write"]["text"], encoding="utf-8")
        return message
    if "delete" in case:
        (spec / case["delete"]).unlink()
        return message
    target = spec / case["file"]
    text = target.read_text(encoding="utf-8")
    assert case["find"] in text, f"case {case['id']} no longer matches {case['file']}"
    start = text.index(case["find"])
    target.write_text(text.replace(case["find"], case["replace"], 1), encoding="utf-8")
    line = text.count("\n", 0, start) + 1 + case.get("offset", 0)
    return message.replace("{line}", str(line))


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({case["id"] for case in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a copy of the committed generated/ tree."""
    root = tmp_path_factory.mktemp("malformed")
    shutil.copytree(GENERATED_DIR, root / "generated", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _broken_copy(workspace: Path, case: dict[str, Any]) -> tuple[str, dict[str, bytes]]:
    """A fresh spec copy in ``workspace`` broken as ``case`` says; the expected
    message and the generated tree as it was."""
    spec = workspace / "spec"
    shutil.rmtree(spec, ignore_errors=True)
    shutil.copytree(SPEC_DIR, spec)
    return _break_spec(spec, case), read_tree(workspace / "generated")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["id"])
def test_malformed_spec_is_reported_in_one_line(
    case: dict[str, Any],
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Through the CLI's main() in this process (a process per case cost a
    # third of a second of start-up each); the next test runs real processes.
    expected, before = _broken_copy(workspace, case)
    monkeypatch.chdir(workspace)

    code = main(["generate", "--spec", "spec", "--out", "generated"])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err == f"zoho-bulkgen: error: {expected}\n"
    assert read_tree(workspace / "generated") == before


@pytest.mark.parametrize("case", CASES[:3], ids=lambda case: case["id"])
def test_malformed_spec_is_reported_in_one_line_by_the_command(
    case: dict[str, Any], workspace: Path
) -> None:
    expected, before = _broken_copy(workspace, case)

    result = run_cli("generate", "--spec", "spec", "--out", "generated", cwd=workspace)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"zoho-bulkgen: error: {expected}\n"
    assert read_tree(workspace / "generated") == before
