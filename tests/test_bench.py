"""The validation benchmark runs end to end on a few payloads, and its three
ways of validating agree on which are valid (no timing is checked here)."""

from __future__ import annotations

import importlib.util
import random
import sys
from typing import Any

import pytest

from tests.conftest import ROOT


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location(
        "bench_validation", ROOT / "bench" / "bench_validation.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the module runs.
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_the_benchmark_reports_all_three_and_they_agree(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _bench().main(["--count", "300", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("300 payloads")
    assert out.count("payloads/s") == 3
    assert "jsonschema Draft202012Validator speed" in out


def test_synthetic_payloads_include_invalid_ones() -> None:
    bench = _bench()
    seeds = bench.seed_cases()
    cases = bench.synthetic_cases(seeds, 400, random.Random(3))
    assert len(cases) == 400
    assert cases[: len(seeds)] == seeds
    checks = bench.jsonschema_checks(cases)
    verdicts = [check(case.payload) for case, check in zip(cases, checks, strict=True)]
    assert all(verdicts[: len(seeds)])
    assert 0 < verdicts.count(False) < len(cases) // 4
