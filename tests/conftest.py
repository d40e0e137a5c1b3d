"""Shared fixtures: the repository's paths, one build of the real spec per
session, and the switch that updates the golden files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.pipeline import BuildResult, build

pytest_plugins = ["generator.mock.pytest_plugin"]

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "spec"
GENERATED_DIR = ROOT / "generated"
SEEDS_DIR = ROOT.parent / "shared" / "seeds"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite generated/ from the spec instead of failing on differences",
    )


@pytest.fixture(scope="session")
def built() -> BuildResult:
    """The real spec, built once per session (in memory, nothing written)."""
    return build(SPEC_DIR)


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    """A scratch copy of the real spec that a test may break."""
    target = tmp_path / "spec"
    shutil.copytree(SPEC_DIR, target)
    return target


def run_cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m generator`` as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
