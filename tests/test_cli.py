"""The command line, run as a user runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import GENERATED_DIR, SPEC_DIR, run_cli


def test_check_passes_on_the_committed_tree() -> None:
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_check_reports_a_stale_file_with_a_diff(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    shutil.copytree(GENERATED_DIR, out, ignore=shutil.ignore_patterns("__pycache__"))
    target = out / "schemas/crm/v7/get_bulk_write_job.response.json"
    target.write_text(target.read_text().replace("Details of a bulk write job.", "Edited by hand."))
    (out / "schemas/crm/v7/extra.json").write_text("{}")
    result = run_cli("check", "--out", str(out))
    assert result.returncode == 1
    assert "differs: schemas/crm/v7/get_bulk_write_job.response.json" in result.stdout
    assert "Edited by hand." in result.stdout
    assert "not generated (stale): schemas/crm/v7/extra.json" in result.stdout


def test_generate_into_a_new_folder_then_check_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("generate", "--out", str(out)).returncode == 0
    second = run_cli("generate", "--out", str(out))
    assert "up to date" in second.stdout
    assert run_cli("check", "--out", str(out)).returncode == 0


def test_schema_prints_a_valid_draft_2020_12_schema() -> None:
    result = run_cli("schema", "crm", "v2.1", "get_bulk_write_job")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "urn:zoho-bulkgen:schema:crm:v2.1:get_bulk_write_job:response"
    assert schema["$defs"]["BulkWriteResource"]["properties"]["module"] == {
        "$ref": "#/$defs/ModuleRef",
        "description": "The module imported into.",
    }


def test_schema_strict_closes_objects() -> None:
    schema = json.loads(run_cli("schema", "bigin", "v2", "get_bulk_read_job", "--strict").stdout)
    assert schema["$defs"]["BulkReadJob"]["additionalProperties"] is False
    assert "anyOf" not in schema["$defs"]["JobStatus"]


def test_schema_for_a_missing_request_body_is_a_usage_error() -> None:
    result = run_cli("schema", "crm", "v7", "get_bulk_write_job", "--request")
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "zoho-bulkgen: error: crm v7 get_bulk_write_job has no request body"
    )


def test_unknown_names_are_usage_errors() -> None:
    cases = {
        ("zoho", "v2", "get_bulk_write_job"): "unknown product 'zoho' (known: bigin, crm, recruit)",
        ("crm", "v2.2", "get_bulk_write_job"): "crm has no version 'v2.2'",
        ("crm", "v7", "get_jobs"): "crm v7 has no operation 'get_jobs'",
    }
    for args, message in cases.items():
        result = run_cli("schema", *args)
        assert result.returncode == 2
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_validate_exit_codes_and_messages(tmp_path: Path) -> None:
    good = SPEC_DIR / "examples/crm-v7-write-completed.json"
    bad = tmp_path / "bad.json"
    payload = json.loads(good.read_text())
    payload["resource"][0]["module"] = "Deals"
    bad.write_text(json.dumps(payload))
    broken = tmp_path / "broken.json"
    broken.write_text('{"status": "ADDED",\n "id": }')

    ok = run_cli("validate", "crm", "v7", "get_bulk_write_job", str(good))
    assert ok.returncode == 0 and "valid BulkWriteJob" in ok.stdout

    result = run_cli(
        "validate", "crm", "v7", "get_bulk_write_job", str(good), str(bad), str(broken)
    )
    assert result.returncode == 1
    assert f'{bad}: /resource/0/module: "Deals" is not of type "object"' in result.stderr
    assert f"{broken}:2:8: invalid JSON" in result.stderr
    assert "GENERATOR BUG" not in result.stderr

    usage = run_cli("validate", "crm", "v9", "get_bulk_write_job", str(good))
    assert usage.returncode == 2


def test_validate_strict_rejects_undocumented_fields(tmp_path: Path) -> None:
    payload = json.loads((SPEC_DIR / "examples/recruit-v2-write-completed.json").read_text())
    payload["resource"][0]["surprise"] = True
    path = tmp_path / "p.json"
    path.write_text(json.dumps(payload))
    assert run_cli("validate", "recruit", "v2", "get_bulk_write_job", str(path)).returncode == 0
    strict = run_cli("validate", "recruit", "v2", "get_bulk_write_job", "--strict", str(path))
    assert strict.returncode == 1
    assert (
        "/resource/0: Additional properties are not allowed ('surprise' was unexpected)"
        in strict.stderr
    )


def test_validate_and_schema_accept_callbacks_and_request_bodies(tmp_path: Path) -> None:
    failure = tmp_path / "failure.json"
    failure.write_text(
        json.dumps({"job_id": "42", "state": "FAILURE", "result": {"error_message": "boom"}})
    )
    notified = run_cli("validate", "crm", "v8", "bulk_read_callback", str(failure))
    assert notified.returncode == 0, notified.stderr
    assert "valid BulkReadCallback" in notified.stdout

    request = tmp_path / "request.json"
    request.write_text(json.dumps({"query": {"page_token": "abc"}}))
    assert (
        run_cli(
            "validate", "crm", "v7", "create_bulk_read_job", "--request", str(request)
        ).returncode
        == 0
    )
    # v2 has no page tokens: the same body lacks a module there.
    old = run_cli("validate", "crm", "v2", "create_bulk_read_job", "--request", str(request))
    assert old.returncode == 1

    schema = json.loads(run_cli("schema", "bigin", "v1", "bulk_write_callback").stdout)
    assert schema["$id"].endswith(":bigin:v1:bulk_write_callback:notification")


def test_schema_piped_into_a_reader_that_stops_early_is_not_an_error() -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    command = f"{sys.executable} -m generator schema crm v7 get_bulk_write_job | true"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_build_keeps_the_collector_off_what_exists_and_puts_it_back() -> None:
    import gc

    from generator.cli import _collector_spares_what_exists

    before = gc.get_threshold()
    with pytest.raises(RuntimeError):  # a build that fails puts it back too
        with _collector_spares_what_exists():
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold()[0] == 10_000
            raise RuntimeError("the build failed")
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
