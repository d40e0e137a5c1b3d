"""The benchmarks' own logic: the validation benchmark runs end to end on a few
payloads and its three ways agree; the generation benchmark's synthetic specs
are valid and as big as asked, and its report computes ratios and growth (no
timing is checked here)."""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT


def _load_bench(name: str) -> Any:
    """The script ``bench/<name>.py`` as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the module runs.
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def _bench() -> Any:
    return _load_bench("bench_validation")


def test_the_benchmark_reports_all_three_and_they_agree(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _bench().main(["--count", "300", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("300 payloads")
    assert out.count("payloads/s") == 7
    assert "shipped validate_payload speed / jsonschema-rs validate, directly speed" in out
    assert "shipped validate_payload speed / jsonschema Draft202012Validator validate speed" in out
    assert "shipped is_valid_payload speed / jsonschema Draft202012Validator is_valid speed" in out


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


def _generate_bench() -> Any:
    return _load_bench("bench_generate")


@pytest.mark.parametrize("size", [10, 100, 1000])
def test_synthetic_specs_are_valid_and_as_big_as_asked(tmp_path: Path, size: int) -> None:
    from generator.spec.load import load_spec
    from generator.spec.normalize import normalize_spec
    from generator.spec.validate import validate_spec

    bench = _generate_bench()
    shape = bench.write_synthetic_spec(tmp_path / "spec", bench.shape_for(size))
    assert 0.9 * size <= shape.total <= 1.1 * size
    loaded = load_spec(tmp_path / "spec")
    validate_spec(loaded)
    spec = normalize_spec(loaded)
    versions = [version for product in spec.products for version in product.versions]
    assert len(versions) == shape.versions
    assert sum(len(version.operations) for version in versions) == shape.total
    for version in versions:
        names = [operation.name for operation in version.operations]
        assert len(set(names)) == len(names) == shape.operations
    # Types grow with the operations: a copy of the real set per seven operations.
    real = normalize_spec(load_spec(ROOT / "spec")).products[0].versions[0]
    copies = -(-shape.operations // len(real.operations))
    assert len(versions[0].types) == copies * len(real.types)


def test_the_report_gives_ratios_and_growth() -> None:
    bench = _generate_bench()
    rows = [
        bench.Row("real spec", 77, 11, 10.0, 1.0, 0.5, 2.5, 0.1, 20.0, 15.0),
        bench.Row("synthetic 8v×12", 96, 8, 12.0, 1.2, 0.6, 3.0, 0.1, None, None),
        bench.Row("synthetic 25v×40", 1000, 25, 120.0, 12.0, 4.0, 30.0, 0.2, None, None),
    ]
    table = bench.report(rows)
    assert (
        "| real spec | 77 | 11 | 10.00 | 1.00 | 0.50 | 2.50 | 0.10 | 20.00 | 15.00 "
        "| 2.0× | 20.0× | 40.0× | 8.0× | 1.5× | 130 |" in table
    )
    assert "| synthetic 8v×12 | 96 | 8 | 12.00 | 1.20 | 0.60 | 3.00 | 0.10 | - | - |" in table
    assert "ops^0.98 cold" in table


def test_the_mock_load_benchmark_runs_and_reports_both_servers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _load_bench("bench_mock_load").main(["--clients", "8", "--requests", "2"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"mock, backlog 1024 +0 failed", out)
    assert out.count("requests/s") == 2 and "mock / canned" in out


def test_the_arrow_benchmark_reads_the_same_cells_both_ways(tmp_path: Path) -> None:
    bench = _load_bench("bench_arrow")
    path = tmp_path / "result.zip"
    bench.write_result_zip(path, 3000)
    results = {way: bench.measure(way, path) for way in ("batches", "rows", "inflate")}
    assert results["batches"]["rows"] == results["rows"]["rows"] == 3000
    assert results["batches"]["cells"] == results["rows"]["cells"] == 3000 * 12
    # Quoted newlines inside values: more lines than rows.
    assert results["inflate"]["rows"] > 3001


def test_the_size_benchmark_groups_the_files_and_compares_with_a_revision(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = _load_bench("bench_size")
    assert bench.group_of("zoho-bulk-crm/zoho_bulk_crm/v8/client.py", True) == "clients"
    assert bench.group_of("zoho-bulk-crm/zoho_bulk_crm/v8/models.py", True) == "models"
    assert bench.group_of("zoho-bulk-crm/zoho_bulk_crm/v8/callbacks.py", True) == (
        "other version modules"
    )
    assert bench.group_of("zoho-bulk-crm/zoho_bulk_crm/_hosts.py", True) == "product modules"
    assert bench.group_of("zoho-bulk-core/zoho_bulk_core/error_codes.py", True) == "core data"
    assert bench.group_of("zoho-bulk-core/zoho_bulk_core/transport.py", True) == "runtime"
    # Before the runtime was source, all of the core was generated.
    assert bench.group_of("zoho-bulk-core/zoho_bulk_core/transport.py", False) == "core data"
    now = bench.sizes(bench.current_files(), True)
    assert now["clients"] > 0 and now["models"] > 0 and now["runtime"] > 0
    table = bench.report(now, now, "HEAD")
    assert "| generated (all but the runtime) |" in table and "| 1.00 |" in table
    assert bench.main(["--against", "no-such-revision"]) == 0
    assert "cannot read no-such-revision" in capsys.readouterr().err
