"""Drift between vendor pages and the spec: the seed pages have none that is
not acknowledged; every page of the test corpus (tests/pages, written in the
vendor's layouts) reports exactly the differences tests/pages/expected.yaml
lists, no false alarm and no miss; the vendor's own OpenAPI documents are
compared operation by operation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import SpecError
from generator.vendor_pages.drift import (
    IdentifyError,
    grants,
    identify,
    load_context,
    page_drift,
    satisfies,
)
from generator.vendor_pages.extract import extract_page, find_scopes, read_page
from tests.conftest import ROOT, SEEDS_DIR, SPEC_DIR, run_cli

CORPUS = ROOT / "tests" / "pages"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "pages"
DRIFT_PAGE = FIXTURES / "drift_bigin_read.txt"
VENDOR_OAS = ROOT.parent / "shared" / "vendor" / "crm-oas-v8"
_LINE = re.compile(r"^(?P<page>[^:]+?)(?::(?P<line>\d+))?: (?P<identity>[a-z]+ v[0-9.]+ [a-z_]+): ")


def expected() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
    return data["pages"]


def corpus_files() -> list[Path]:
    return sorted(path for path in CORPUS.iterdir() if path.name != "expected.yaml")


def parse_output(stdout: str) -> dict[str, dict[str, Any]]:
    """Each page's summary and (kind, place) differences, from drift's output."""
    pages: dict[str, dict[str, Any]] = {}
    for line in stdout.splitlines():
        match = _LINE.match(line)
        if match is None:
            continue
        rest = line[match.end() :]
        key = match.group("page")
        if rest.startswith("read ") and match.group("line") is None and key not in pages:
            pages[key] = {
                "identity": match.group("identity"),
                "summary": rest,
                "differences": [],
            }
            continue
        kind, place_and_message = rest.split(" ", 1)
        parts = place_and_message.split(": ")
        prefixed = parts[0] in ("spec", "broken")
        place = ": ".join(parts[:2]) if prefixed else parts[0]
        pages[key]["differences"].append((kind, place, line))
    return pages


# --- the seeds ----------------------------------------------------------------------


def test_seed_pages_have_no_unacknowledged_drift() -> None:
    seeds = sorted(str(path) for path in SEEDS_DIR.glob("*.txt"))
    assert len(seeds) == 5
    result = run_cli("drift", *seeds)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == (
        "drift: 5 pages, 0 unacknowledged, 3 acknowledged differences, 0 stale acknowledgments"
    )
    summaries = [line for line in lines if ": read " in line]
    assert summaries == [
        f"{SEEDS_DIR / '000_f8a9037035b4fe34.txt'}: bigin v2 get_bulk_write_job: read 24 fields "
        "(request 0, response 24), 3 samples, 7 error codes, 2 scope lines; 0 differences",
        f"{SEEDS_DIR / '001_ff9ce18bc6d9f6da.txt'}: crm v2 get_bulk_write_job: read 24 fields "
        "(request 0, response 24), 3 samples, 7 error codes, 2 scope lines; 0 differences",
        f"{SEEDS_DIR / '002_bd6d11a18d64d738.txt'}: crm v7 get_bulk_write_job: read 24 fields "
        "(request 0, response 24), 3 samples, 7 error codes, 2 scope lines; 1 differences",
        f"{SEEDS_DIR / '003_ebb5947bcca7d5ba.txt'}: bigin v2 get_bulk_read_job: read 11 fields "
        "(request 0, response 11), 4 samples, 0 error codes, 2 scope lines; 1 differences",
        f"{SEEDS_DIR / '004_8bf09e04c9958359.txt'}: recruit v2 get_bulk_write_job: read 23 fields "
        "(request 0, response 23), 4 samples, 0 error codes, 2 scope lines; 1 differences",
    ]
    assert (
        f"{SEEDS_DIR / '002_bd6d11a18d64d738.txt'}:95: crm v7 get_bulk_write_job: "
        "type resource.module: the page says string, spec type BulkWriteResource says ModuleRef "
        "(acknowledged: "
    ) in result.stdout
    assert (
        f"{SEEDS_DIR / '004_8bf09e04c9958359.txt'}:56: recruit v2 get_bulk_write_job: "
        "type id: the page says Integer, spec type BulkWriteJob says digits (acknowledged: "
    ) in result.stdout


# --- the corpus ---------------------------------------------------------------------


def test_the_corpus_covers_products_versions_kinds_and_forms() -> None:
    pages = expected()
    files = corpus_files()
    assert len(files) >= 12
    assert {key.split("#")[0] for key in pages} == {path.name for path in files}
    labels = {page["identity"] for page in pages.values()}
    assert {label.split()[0] for label in labels} == {"crm", "bigin", "recruit"}
    assert {label.split()[2] for label in labels} == {
        "create_bulk_read_job",
        "get_bulk_read_job",
        "download_bulk_read_result",
        "upload_file",
        "create_bulk_write_job",
        "get_bulk_write_job",
        "download_bulk_write_result",
        "bulk_read_callback",
        "bulk_write_callback",
    }
    assert len({label.split()[1] for label in labels if label.startswith("crm")}) >= 7
    assert {path.suffix for path in files} == {".txt", ".md", ".json"}
    origins = {d["origin"] for page in pages.values() for d in page["differences"]}
    assert origins == {"planted", "vendor"}
    kinds = {d["kind"] for page in pages.values() for d in page["differences"]}
    assert kinds == {"path", "field", "type", "required", "value", "error", "scope", "sample"}


def test_every_corpus_page_reports_exactly_its_differences() -> None:
    result = run_cli("drift", *(str(path.relative_to(ROOT)) for path in corpus_files()))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == ""
    reported = parse_output(result.stdout)
    wanted = expected()
    assert sorted(reported) == sorted(f"tests/pages/{key}" for key in wanted)
    for key, page in wanted.items():
        got = reported[f"tests/pages/{key}"]
        assert got["identity"] == page["identity"], key
        assert got["summary"] == page["summary"], key
        places = [(kind, place) for kind, place, _ in got["differences"]]
        assert places == [(d["kind"], d["place"]) for d in page["differences"]], key
    total = sum(len(page["differences"]) for page in wanted.values())
    assert result.stdout.splitlines()[-1] == (
        f"drift: {len(wanted)} pages, {total} unacknowledged, 0 acknowledged differences, "
        "0 stale acknowledgments"
    )


def test_a_wrong_printed_path_is_a_difference_and_the_page_still_identified() -> None:
    context = load_context(SPEC_DIR)
    page = read_page(CORPUS / "crm_v5_download_read_wrongpath.txt")
    assert page.path == "/crm/{version}/read/{job_id}/result"
    identity = identify(page, context.spec)
    assert identity.label == "crm v5 download_bulk_read_result"
    (path,) = [d for d in page_drift(page, context, identity) if d.kind == "path"]
    assert path.render() == (
        f"{page.file}:8: crm v5 download_bulk_read_result: path path: the page prints "
        "GET /crm/{version}/read/{job_id}/result; the spec has "
        "GET /crm/bulk/v5/read/{job_id}/result"
    )


def test_a_damaged_page_reports_its_broken_samples_and_reads_the_rest() -> None:
    page = read_page(CORPUS / "crm_v2_1_write_details_damaged.txt")
    assert [sample.broken is None for sample in page.samples] == [False, False, True]
    assert page.samples[0].broken == "is cut off: its JSON never closes"
    assert "Expecting ':' delimiter" in (page.samples[1].broken or "")
    assert page.samples[2].payload["result"]["download_url"].startswith("/v2.1/crm/")
    assert [field.name for field in page.fields] == ["status", "id", "resource"]


def test_an_unidentified_page_is_one_line_and_the_others_are_still_reported(
    tmp_path: Path,
) -> None:
    unknown = tmp_path / "erase.txt"
    unknown.write_text("Request URL\n{api-domain}/crm/bulk/v8/erase/{job_id}\n", encoding="utf-8")
    prose = tmp_path / "prose.txt"
    prose.write_text("Nothing to read here.\n", encoding="utf-8")
    vague = tmp_path / "vague.txt"
    vague.write_text("Bulk jobs\n\nscope=ZohoCRM.bulk.ALL\n", encoding="utf-8")
    good = CORPUS / "crm_v7_upload.txt"
    result = run_cli("drift", str(unknown), str(good), str(prose), str(vague))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"zoho-bulkgen: error: {prose}: no request URL, fields, error codes, scopes or samples "
        "found",
        f"zoho-bulkgen: error: {unknown}:2: "
        "no operation of the spec has /crm/bulk/v8/erase/{job_id}",
        f"zoho-bulkgen: error: {vague}: no request URL, and the title 'Bulk jobs' names no "
        "operation of the spec; cannot tell the operation",
    ]
    assert f"{good}: crm v7 upload_file: read 6 fields" in result.stdout
    assert result.stdout.splitlines()[-1].endswith("3 unreadable or unidentified")


# --- identification -----------------------------------------------------------------


def test_operation_is_told_from_the_url_else_from_the_title() -> None:
    spec = load_context(SPEC_DIR).spec
    cases = {
        SEEDS_DIR / "000_f8a9037035b4fe34.txt": "bigin v2 get_bulk_write_job",
        SEEDS_DIR / "001_ff9ce18bc6d9f6da.txt": "crm v2 get_bulk_write_job",
        SEEDS_DIR / "002_bd6d11a18d64d738.txt": "crm v7 get_bulk_write_job",
        SEEDS_DIR / "003_ebb5947bcca7d5ba.txt": "bigin v2 get_bulk_read_job",
        SEEDS_DIR / "004_8bf09e04c9958359.txt": "recruit v2 get_bulk_write_job",
        FIXTURES / "markdown_crm_write.md": "crm v7 get_bulk_write_job",
    }
    for path, label in cases.items():
        assert identify(read_page(path), spec).label == label, path
    # The same {version} page naming v4 in its sample URL is CRM v4.
    text = (FIXTURES / "markdown_crm_write.md").read_text(encoding="utf-8").replace("/v7/", "/v4/")
    assert identify(extract_page(text, "p.md", "p.md"), spec).label == "crm v4 get_bulk_write_job"
    unversioned = text.replace("/crm/bulk/v4/write/777000111", "/elsewhere")
    with pytest.raises(IdentifyError, match="names no version"):
        identify(extract_page(unversioned, "p.md", "p.md"), spec)
    unknown = extract_page("Request URL\n{api-domain}/crm/bulk/v2/erase/{job_id}\n", "u", "u")
    with pytest.raises(IdentifyError, match="u:2: no operation of the spec has /crm/bulk/v2/erase"):
        identify(unknown, spec)
    # No URL at all: the title, the scopes' product and a sample URL's version.
    titled = extract_page(
        "Get Bulk Write Job Details\n\nScope\n\nscope=ZohoRecruit.bulk.ALL\n", "t", "t"
    )
    assert identify(titled, spec).label == "recruit v2 get_bulk_write_job"
    # A relative path, as the vendor's OpenAPI markdown prints it.
    relative = extract_page("`POST /bulk/v6/write`\n\n**Scopes:** `ZohoCRM.bulk.ALL`\n", "r", "r")
    assert identify(relative, spec).label == "crm v6 create_bulk_write_job"


def test_a_title_that_names_a_product_version_the_spec_lacks_is_never_guessed() -> None:
    spec = load_context(SPEC_DIR).spec
    page = extract_page("Create Bulk Read Job\n\nscope=ZohoBigin.bulk.READ\n", "b", "b")
    with pytest.raises(IdentifyError, match=r"b: the page names no bigin version \(v1, v2\)"):
        identify(page, spec)


# --- scopes -------------------------------------------------------------------------


def test_scopes_keep_the_boolean_structure_the_page_prints() -> None:
    lines = [
        "scope=ZohoCRM.bulk.CREATE",
        "(or)",
        "scope=ZohoCRM.bulk.ALL (and)",
        "scope=ZohoCRM.modules.ALL",
        "(or)",
        "scope=ZohoCRM.modules.{module_name}.{operation_type}",
        "Possible operation types",
        "ALL - everything",
        "CREATE - import",
    ]
    scopes, first, count = find_scopes(lines)
    assert (first, count) == (1, 4)
    assert scopes == (
        ("ZohoCRM.bulk.CREATE", "ZohoCRM.modules.ALL"),
        ("ZohoCRM.bulk.CREATE", "ZohoCRM.modules.{module}.ALL"),
        ("ZohoCRM.bulk.CREATE", "ZohoCRM.modules.{module}.CREATE"),
        ("ZohoCRM.bulk.ALL", "ZohoCRM.modules.ALL"),
        ("ZohoCRM.bulk.ALL", "ZohoCRM.modules.{module}.ALL"),
        ("ZohoCRM.bulk.ALL", "ZohoCRM.modules.{module}.CREATE"),
    )
    bullets = [
        "  • ZohoBigin.bulk.READ and ZohoBigin.modules.{module_name}.ALL",
        "- ZohoBigin.bulk.ALL",
    ]
    assert find_scopes(bullets)[0] == (
        ("ZohoBigin.bulk.READ", "ZohoBigin.modules.{module}.ALL"),
        ("ZohoBigin.bulk.ALL",),
    )
    markdown = ["**Scopes:** `ZohoCRM.bulk.READ`, `ZohoCRM.modules.ALL`"]
    assert find_scopes(markdown)[0] == (("ZohoCRM.bulk.READ", "ZohoCRM.modules.ALL"),)
    # A scope named in a sentence (an error's resolution) is not a scope line.
    assert find_scopes(["Client does not have ZohoCRM.bulk.CREATE. Create a new client."]) == (
        (),
        0,
        0,
    )


def test_a_wider_scope_grants_the_narrower_ones_case_aside() -> None:
    assert grants("ZohoCRM.bulk.ALL", "ZohoCRM.bulk.read")
    assert grants("zohocrm.modules.all", "ZohoCRM.modules.{module}.CREATE")
    assert grants("ZohoCRM.modules.{module}.ALL", "ZohoCRM.modules.{module}.READ")
    assert not grants("ZohoCRM.bulk.READ", "ZohoCRM.bulk.ALL")
    assert not grants("ZohoCRM.bulk.ALL", "ZohoCRM.modules.{module}.READ")
    assert not grants("ZohoCRM.modules.{module}.ALL", "ZohoCRM.modules.ALL")
    assert satisfies(("ZohoCRM.bulk.ALL", "ZohoCRM.modules.ALL"), ("ZohoCRM.bulk.READ",))
    assert not satisfies(("ZohoCRM.bulk.ALL",), ("ZohoCRM.bulk.READ", "ZohoCRM.modules.ALL"))


def test_scopes_are_compared_both_ways() -> None:
    context = load_context(SPEC_DIR)
    page = extract_page(
        "Request URL\n{api-domain}/bigin/bulk/v2/write/{job_id}\n\nScope\n\n"
        "scope=ZohoBigin.bulk.create\n(or)\nscope=ZohoBigin.modules.ALL\n",
        "s",
        "s",
    )
    found = [(d.kind, d.place) for d in page_drift(page, context)]
    # bulk.create is the spec's own (case aside); modules.ALL alone is not enough
    # for the spec; the spec's bulk.ALL grants bulk.create, so the page accepts it.
    assert found == [("scope", "ZohoBigin.modules.ALL")]


# --- the vendor's OpenAPI -------------------------------------------------------------


def test_the_vendor_openapi_documents_are_compared_operation_by_operation() -> None:
    documents = sorted(VENDOR_OAS.glob("*.json"))
    assert [path.name for path in documents] == ["bulk_read.json", "bulk_write.json"]
    result = run_cli("drift", *(str(path) for path in documents))
    assert result.stderr == ""
    reported = parse_output(result.stdout)
    assert sorted(page["identity"] for page in reported.values()) == [
        "crm v8 create_bulk_read_job",
        "crm v8 create_bulk_write_job",
        "crm v8 download_bulk_read_result",
        "crm v8 download_bulk_write_result",
        "crm v8 get_bulk_read_job",
        "crm v8 get_bulk_write_job",
        "crm v8 upload_file",
    ]
    assert f"{documents[0]}#/paths/~1crm~1bulk~1v8~1read/post" in reported
    lines = [line for page in reported.values() for _, _, line in page["differences"]]
    # The document's known errors are acknowledged, and none is stale.
    assert result.stdout.splitlines()[-1].endswith(
        "17 acknowledged differences, 0 stale acknowledgments"
    )
    # Every other difference is a real one the lead is adding to the spec
    # (issue 9): codes the catalog lacks, query.file_type, callback.method.
    pending = [line for line in lines if "(acknowledged: " not in line]
    for line in pending:
        assert (
            "the error catalog lacks this code" in line
            or ": field request:query.file_type: " in line
            or ": required request:callback.method: " in line
        ), line
    # Responses are read leniently: the document's all-required response
    # schemas are not differences.
    assert not any(": required data." in line for line in lines)
    assert result.returncode == (1 if pending else 0)


def test_an_openapi_document_that_is_not_one_is_a_one_line_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"openapi": "3.0.0",\n "paths": [}', encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text('{"title": "a schema"}', encoding="utf-8")
    result = run_cli("drift", str(broken), str(other))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"zoho-bulkgen: error: {broken}:2: not JSON: Expecting value",
        f"zoho-bulkgen: error: {other}: not an OpenAPI document (no 'paths' object)",
    ]


# --- acknowledgments ------------------------------------------------------------------


def test_planted_differences_of_the_old_fixture_are_reported_and_fail() -> None:
    result = run_cli("drift", str(DRIFT_PAGE))
    assert result.returncode == 1, result.stdout + result.stderr
    places = [
        (kind, place)
        for kind, place, _ in parse_output(result.stdout)[str(DRIFT_PAGE)]["differences"]
    ]
    assert places == [
        ("scope", "spec: ZohoBigin.bulk.ALL"),  # acknowledged in spec/drift.yaml
        ("error", "JOB_EXPLODED"),
        ("error", "INVALID_TOKEN"),
        ("field", "priority"),
        ("type", "result.count"),
        ("value", "data.state"),
        ("field", "data.weather"),
        ("sample", "/data/0/result/count"),
    ]


def test_pages_that_agree_with_the_spec_show_no_drift() -> None:
    context = load_context(SPEC_DIR)
    for name in ("plain_bigin_write.txt", "markdown_crm_write.md", "table_recruit_write.txt"):
        differences = page_drift(read_page(FIXTURES / name), context)
        # These old fixtures print one scope line each that the spec accepts.
        assert [d for d in differences if d.kind != "scope"] == [], name


def _append(spec_dir: Path, entry: str) -> None:
    with (spec_dir / "drift.yaml").open("a", encoding="utf-8") as handle:
        handle.write(entry)


def test_an_acknowledged_difference_is_marked_and_no_longer_fails(spec_copy: Path) -> None:
    _append(
        spec_copy,
        "  - product: bigin\n"
        "    version: v2\n"
        "    operation: get_bulk_read_job\n"
        "    kind: error\n"
        "    place: JOB_EXPLODED\n"
        "    reason: A test says so.\n"
        "    source: tests\n",
    )
    differences = page_drift(read_page(DRIFT_PAGE), load_context(spec_copy))
    marked = [d for d in differences if d.acknowledged is not None and d.kind == "error"]
    assert [(d.kind, d.place, d.acknowledged) for d in marked] == [
        ("error", "JOB_EXPLODED", "A test says so.")
    ]
    assert marked[0].render().endswith("(acknowledged: A test says so.)")


def test_an_acknowledgment_the_page_no_longer_matches_is_reported_and_fails(
    spec_copy: Path,
) -> None:
    # An entry of an operation a given page documents that matches none of its
    # differences is stale; one of an operation no page documents, or one that
    # names another page, is not judged.
    for version, place, page in (
        ("v2", "callback.url", ""),
        ("v1", "callback.url", ""),
        ("v2", "query.cvid", "    page: another_page.txt\n"),
    ):
        _append(
            spec_copy,
            "  - product: bigin\n"
            f"    version: {version}\n"
            "    operation: get_bulk_read_job\n"
            "    kind: field\n"
            f"    place: {place}\n"
            "    reason: Fixed by the vendor since.\n"
            "    source: tests\n" + page,
        )
    result = run_cli("drift", "--spec", str(spec_copy), str(DRIFT_PAGE))
    assert result.returncode == 1
    stale = [line for line in result.stdout.splitlines() if "remove the entry" in line]
    assert stale == [
        f"{spec_copy / 'drift.yaml'}: bigin v2 get_bulk_read_job: field callback.url: "
        "acknowledged, but the page no longer shows this difference; remove the entry"
    ]
    assert result.stdout.splitlines()[-1].endswith("1 stale acknowledgments")


def test_an_acknowledgment_naming_its_page_is_not_stale_for_another_source() -> None:
    # Seed 002 shows crm v7 get_bulk_write_job's acknowledged difference; the
    # test OpenAPI document of the same operation does not, and is no reason
    # to drop the entry.
    result = run_cli("drift", str(CORPUS / "crm_v7_openapi.json"))
    assert "remove the entry" not in result.stdout
    assert result.stdout.splitlines()[-1].endswith("0 stale acknowledgments")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("kind: colour", "'colour' is not one of ['path', 'field', 'type', 'required',"),
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


def test_a_callback_can_be_acknowledged(spec_copy: Path) -> None:
    _append(
        spec_copy,
        "  - product: crm\n"
        "    version: v4\n"
        "    operation: bulk_write_callback\n"
        "    kind: field\n"
        "    place: job_name\n"
        "    reason: A test says so.\n"
        "    source: tests\n",
    )
    differences = page_drift(
        read_page(CORPUS / "crm_v4_write_callback.txt"), load_context(spec_copy)
    )
    assert [d.acknowledged for d in differences] == ["A test says so.", None]


def test_an_acknowledgment_given_twice_is_a_spec_error(spec_copy: Path) -> None:
    path = spec_copy / "drift.yaml"
    text = path.read_text(encoding="utf-8")
    entries = text[text.index("  - product: recruit") : text.index("  - product: bigin")]
    path.write_text(text + entries, encoding="utf-8")
    with pytest.raises(SpecError, match="already acknowledged"):
        load_context(spec_copy)


# --- robustness -----------------------------------------------------------------------


def _mutations(text: str, rng: Any) -> str:
    lines = text.split("\n")
    kind = rng.randrange(4)
    if kind == 0:
        lines = lines[: rng.randrange(len(lines))]
    elif kind == 1:
        rng.shuffle(lines)
    elif kind == 2:
        for _ in range(8):
            index = rng.randrange(len(lines))
            lines[index] = lines[index][: rng.randrange(len(lines[index]) + 1)]
    else:
        junk = ["{", "}", "[", "(and)", "(or)", "scope=ZohoCRM.bulk.ALL (and)", "| a | b |"]
        junk += ["x Properties", "Values are", "```", "```json", "#### 404", "Copied{", '"\\']
        for _ in range(4):
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(junk))
    return "\n".join(lines)


def test_damaged_pages_never_break_extract_or_drift() -> None:
    import random

    context = load_context(SPEC_DIR)
    sources = [path for path in corpus_files() if path.suffix != ".json"]
    sources += sorted(SEEDS_DIR.glob("*.txt"))
    rng = random.Random(10)
    for _ in range(150):
        text = _mutations(rng.choice(sources).read_text(encoding="utf-8"), rng)
        page = extract_page(text, "mutated", "mutated", context.error_codes)
        try:
            identity = identify(page, context.spec)
        except IdentifyError:
            continue
        for difference in page_drift(page, context, identity):
            assert "\n" not in difference.render()


def test_malformed_openapi_documents_never_break_drift(tmp_path: Path) -> None:
    import copy
    import json
    import random

    from generator.vendor_pages.extract import PageError
    from generator.vendor_pages.vendor_openapi import read_openapi

    context = load_context(SPEC_DIR)
    original = json.loads((CORPUS / "crm_v7_openapi.json").read_text(encoding="utf-8"))
    junk: list[Any] = [None, [], {}, "x", 3, {"$ref": "#/nope"}, {"$ref": "#/components"}]
    junk += [{"enum": None}, {"type": "array", "items": None}, {"properties": {"a": None}}]
    rng = random.Random(4)
    target = tmp_path / "doc.json"
    for _ in range(100):
        document = copy.deepcopy(original)
        for _ in range(4):
            containers: list[Any] = []
            stack: list[Any] = [document]
            while stack:
                node = stack.pop()
                if isinstance(node, (dict, list)) and node:
                    containers.append(node)
                    stack.extend(node.values() if isinstance(node, dict) else node)
            node = rng.choice(containers)
            key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
            node[key] = copy.deepcopy(rng.choice(junk))
        target.write_text(json.dumps(document), encoding="utf-8")
        try:
            pages = read_openapi(target)
        except PageError:
            continue
        for page in pages:
            try:
                page_drift(page, context, identify(page, context.spec))
            except IdentifyError:
                continue


def test_an_operation_type_slot_the_page_leaves_open_stands_for_the_operations_own() -> None:
    context = load_context(SPEC_DIR)
    page = extract_page(
        "Request URL\nhttps://www.zohoapis.com/crm/bulk/v3/read\n\nScope\n\n"
        "scope=ZohoCRM.bulk.READ\n(and)\nscope=ZohoCRM.modules.{module_name}.{operation_type}\n",
        "o",
        "o",
    )
    assert page.scopes == (("ZohoCRM.bulk.READ", "ZohoCRM.modules.{module}.{operation_type}"),)
    assert [(d.kind, d.place) for d in page_drift(page, context)] == [
        ("scope", "spec: ZohoCRM.bulk.ALL")
    ]


def test_documented_values_are_compared_with_the_vocabulary() -> None:
    context = load_context(SPEC_DIR)
    page = extract_page(
        "Request URL\n{api-domain}/bigin/bulk/v2/write/{job_id}\n\nResponse JSON keys\n\n"
        "- statusstring - The possible values are: ADDED, IN PROGRESS or COMPLETED.\n"
        "- operationstring - Possible values: insert (default), update, upsert, merge.\n",
        "v",
        "v",
    )
    assert [field.values for field in page.fields] == [
        ("ADDED", "IN PROGRESS", "COMPLETED"),
        ("insert", "update", "upsert", "merge"),
    ]
    found = [(d.kind, d.place, d.message) for d in page_drift(page, context)]
    assert found == [
        ("value", "operation", "the page documents 'merge', not a value of JobOperation")
    ]
