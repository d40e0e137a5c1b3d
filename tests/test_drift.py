"""Drift between vendor pages and the spec: the seed pages have none that is
not acknowledged, and a page with planted differences is caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.drift import IdentifyError, identify, load_context, page_drift
from generator.errors import SpecError
from generator.extract import extract_page, read_page
from tests.conftest import SEEDS_DIR, SPEC_DIR, run_cli

PAGES = Path(__file__).parent / "fixtures" / "pages"
DRIFT_PAGE = PAGES / "drift_bigin_read.txt"


def test_seed_pages_have_no_unacknowledged_drift() -> None:
    seeds = sorted(str(path) for path in SEEDS_DIR.glob("*.txt"))
    assert len(seeds) == 5
    result = run_cli("drift", *seeds)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == (
        "drift: 5 pages, 0 unacknowledged, 2 acknowledged differences, 0 stale acknowledgments"
    )
    assert lines[0].startswith(
        f"{SEEDS_DIR / '002_bd6d11a18d64d738.txt'}:95: crm v7 get_bulk_write_job: "
        "type resource.module: the page says string, spec type BulkWriteResource says ModuleRef "
        "(acknowledged: "
    )
    assert lines[1].startswith(
        f"{SEEDS_DIR / '004_8bf09e04c9958359.txt'}:56: recruit v2 get_bulk_write_job: "
        "type id: the page says Integer, spec type BulkWriteJob says digits (acknowledged: "
    )


def test_planted_differences_are_reported_and_fail() -> None:
    result = run_cli("drift", str(DRIFT_PAGE))
    assert result.returncode == 1, result.stdout + result.stderr
    where = f"{DRIFT_PAGE}:"
    op = "bigin v2 get_bulk_read_job"
    assert result.stdout.splitlines() == [
        f"{where}18: {op}: error JOB_EXPLODED: HTTP 500 on the page; "
        "the error catalog lacks this code",
        f"{where}19: {op}: error INVALID_TOKEN: the page says HTTP 403, the catalog says 401",
        f"{where}10: {op}: field priority: listed on the page (integer), "
        "missing from spec type BulkReadJob",
        f"{where}14: {op}: type result.count: the page says string, "
        "spec type BulkReadResult says integer",
        f"{where}21: {op}: value data.state: sample 'Sample response' sends 'PAUSED', "
        "not a documented value of JobStatus",
        f"{where}21: {op}: field data.weather: sample 'Sample response' sends it, "
        "missing from spec type BulkReadJob",
        f"{where}21: {op}: sample /data/0/result/count: 'Sample response' does not validate "
        "against the response schema: 'many' is not of type 'integer'",
        "drift: 1 pages, 7 unacknowledged, 0 acknowledged differences, " "0 stale acknowledgments",
    ]


def test_pages_that_agree_with_the_spec_show_no_drift() -> None:
    context = load_context(SPEC_DIR)
    for name in ("plain_bigin_write.txt", "markdown_crm_write.md", "table_recruit_write.txt"):
        assert page_drift(read_page(PAGES / name), context) == [], name


def test_an_acknowledged_difference_is_marked_and_no_longer_fails(spec_copy: Path) -> None:
    with (spec_copy / "drift.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "  - product: bigin\n"
            "    version: v2\n"
            "    operation: get_bulk_read_job\n"
            "    kind: error\n"
            "    place: JOB_EXPLODED\n"
            "    reason: A test says so.\n"
            "    source: tests\n"
        )
    differences = page_drift(read_page(DRIFT_PAGE), load_context(spec_copy))
    marked = [d for d in differences if d.acknowledged is not None]
    assert [(d.kind, d.place, d.acknowledged) for d in marked] == [
        ("error", "JOB_EXPLODED", "A test says so.")
    ]
    assert marked[0].render().endswith("(acknowledged: A test says so.)")
    assert len(differences) == 7


def test_an_acknowledgment_the_page_no_longer_matches_is_reported_and_fails(
    spec_copy: Path,
) -> None:
    # The planted page documents bigin v2 get_bulk_read_job; an entry for a
    # difference it does not show is stale. One for an operation no page given
    # documents cannot be judged and is left alone.
    with (spec_copy / "drift.yaml").open("a", encoding="utf-8") as handle:
        for version, place in (("v2", "callback.url"), ("v1", "callback.url")):
            handle.write(
                "  - product: bigin\n"
                f"    version: {version}\n"
                "    operation: get_bulk_read_job\n"
                "    kind: field\n"
                f"    place: {place}\n"
                "    reason: Fixed by the vendor since.\n"
                "    source: tests\n"
            )
    clean = PAGES / "plain_bigin_write.txt"
    result = run_cli("drift", "--spec", str(spec_copy), str(DRIFT_PAGE), str(clean))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        f"{spec_copy / 'drift.yaml'}: bigin v2 get_bulk_read_job: field callback.url: "
        "acknowledged, but the page no longer shows this difference; remove the entry"
    ) in lines
    assert not any("bigin v1" in line for line in lines)
    assert lines[-1].endswith(
        "7 unacknowledged, 0 acknowledged differences, 1 stale acknowledgments"
    )


def test_operation_is_told_from_the_page_content() -> None:
    spec = load_context(SPEC_DIR).spec
    cases = {
        SEEDS_DIR / "000_f8a9037035b4fe34.txt": "bigin v2 get_bulk_write_job",
        SEEDS_DIR / "001_ff9ce18bc6d9f6da.txt": "crm v2 get_bulk_write_job",
        SEEDS_DIR / "002_bd6d11a18d64d738.txt": "crm v7 get_bulk_write_job",
        SEEDS_DIR / "003_ebb5947bcca7d5ba.txt": "bigin v2 get_bulk_read_job",
        SEEDS_DIR / "004_8bf09e04c9958359.txt": "recruit v2 get_bulk_write_job",
        PAGES / "markdown_crm_write.md": "crm v7 get_bulk_write_job",
    }
    for path, label in cases.items():
        assert identify(read_page(path), spec).label == label, path
    # The same {version} page naming v4 in its sample URL is CRM v4.
    text = (PAGES / "markdown_crm_write.md").read_text(encoding="utf-8").replace("/v7/", "/v4/")
    assert identify(extract_page(text, "p.md", "p.md"), spec).label == "crm v4 get_bulk_write_job"
    unversioned = text.replace("/crm/bulk/v4/write/777000111", "/elsewhere")
    with pytest.raises(IdentifyError, match="names no version"):
        identify(extract_page(unversioned, "p.md", "p.md"), spec)
    unknown = extract_page("Request URL\n{api-domain}/crm/bulk/v2/erase/{job_id}\n", "u", "u")
    with pytest.raises(IdentifyError, match="u:2: no operation of the spec has /crm/bulk/v2/erase"):
        identify(unknown, spec)


def test_a_page_of_an_unknown_operation_is_a_one_line_error(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Request URL\n{api-domain}/crm/bulk/v9/write/{job_id}\n", encoding="utf-8")
    result = run_cli("drift", str(page))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"zoho-bulkgen: error: {page}:2: no operation of the spec has /crm/bulk/v9/write/{{job_id}}"
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("kind: colour", "'colour' is not one of ['field', 'type', 'value',"),
        ("operation: get_jobs", "unknown operation 'get_jobs'"),
        ("version: v9", "product 'crm' has no version 'v9'"),
    ],
)
def test_malformed_acknowledgments_are_spec_errors(
    spec_copy: Path, entry: str, problem: str
) -> None:
    path = spec_copy / "drift.yaml"
    text = path.read_text(encoding="utf-8")
    key = entry.split(":")[0]
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{key}:"))
    lines[first] = lines[first].split(key)[0] + entry
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_context(spec_copy)
    assert problem in str(caught.value)
    assert str(caught.value).startswith(f"{path}:{first + 1}: ")


def test_an_acknowledgment_given_twice_is_a_spec_error(spec_copy: Path) -> None:
    path = spec_copy / "drift.yaml"
    text = path.read_text(encoding="utf-8")
    entries = text[text.index("  - product: recruit") :]
    path.write_text(text + entries, encoding="utf-8")
    with pytest.raises(SpecError, match="already acknowledged"):
        load_context(spec_copy)
