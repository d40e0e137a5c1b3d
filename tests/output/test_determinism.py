"""Generation is deterministic: same spec, byte-identical files, whatever the hash seed."""

from __future__ import annotations

import os
from pathlib import Path

from generator.output.cache import CACHE_ENV
from generator.output.write import read_tree
from tests.conftest import run_cli


def test_two_runs_with_different_hash_seeds_give_identical_bytes(tmp_path: Path) -> None:
    trees = []
    for seed in ("1", "4242"):
        out = tmp_path / f"out-{seed}"
        # The cache is off: both runs must compute every file themselves.
        env = {**os.environ, "PYTHONHASHSEED": seed, CACHE_ENV: "off"}
        result = run_cli("generate", "--out", str(out), env=env)
        assert result.returncode == 0, result.stderr
        trees.append(read_tree(out))
    assert trees[0].keys() == trees[1].keys()
    differing = [path for path in trees[0] if trees[0][path] != trees[1][path]]
    assert differing == []
