"""The generator's own code is held to the standard of the code it generates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_ruff_and_black_pass_on_the_project() -> None:
    ruff = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", "generator", "tests", "bench", "dev.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ruff.returncode == 0, ruff.stdout
    black = subprocess.run(
        [_tool("black"), "--check", "-q", "generator", "tests", "bench", "dev.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert black.returncode == 0, black.stderr


def test_mypy_strict_passes_on_the_generator(mypy_cache: Path) -> None:
    result = subprocess.run(
        [_tool("mypy"), "--cache-dir", str(mypy_cache), "generator", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
