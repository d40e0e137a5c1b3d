"""dev.py's own steps, run on a scratch folder."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import dev


def test_the_generators_bytecode_is_written_and_a_bad_module_stops_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "generator"
    package.mkdir()
    (package / "fine.py").write_text("VALUE = 1\n")
    (package / "broken.py").write_text("def (:\n")
    monkeypatch.setattr(dev, "ROOT", tmp_path)
    monkeypatch.setattr(dev, "PYTHON", Path(sys.executable))
    dev.compile_generator()  # the broken module is left for the command to report
    assert Path(importlib.util.cache_from_source(str(package / "fine.py"))).is_file()
    assert not Path(importlib.util.cache_from_source(str(package / "broken.py"))).exists()
