"""Extraction from vendor pages: the five seed pages (checked against the spec's
stored, hand-repaired examples) and small fixture pages of each layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from generator.spec.validate import meta_schema
from generator.vendor_pages.drift import load_context
from generator.vendor_pages.extract import Page, PageError, PageField, extract_page, read_page
from tests.conftest import SEEDS_DIR, SPEC_DIR, run_cli

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
CORPUS = Path(__file__).parent.parent / "pages"
SEEDS = sorted(SEEDS_DIR.glob("*.txt"))


def spec_examples() -> list[dict[str, Any]]:
    """The examples spec/examples.yaml takes from seed pages."""
    entries = yaml.safe_load((SPEC_DIR / "examples.yaml").read_text(encoding="utf-8"))
    return [entry for entry in entries["examples"] if "seed" in entry["source"]]


def tree(fields: tuple[PageField, ...]) -> list[Any]:
    """A field tree as nested (name, kind, children) lists, for comparison."""
    return [
        (
            (field.name, field.kind, tree(field.children))
            if field.children
            else (field.name, field.kind)
        )
        for field in fields
    ]


@pytest.fixture(scope="module")
def seed_pages() -> dict[str, Page]:
    assert len(SEEDS) == 5, f"expected the five seed pages in {SEEDS_DIR}"
    return {path.name: read_page(path) for path in SEEDS}


def test_seed_samples_equal_the_spec_examples(seed_pages: dict[str, Page]) -> None:
    entries = spec_examples()
    assert {entry["source"]["seed"] for entry in entries} == set(seed_pages)
    extracted = {
        (name, sample.line): sample for name, page in seed_pages.items() for sample in page.samples
    }
    # Every sample on a seed page is in the spec, and every seed example is extracted.
    assert sorted(extracted) == sorted(
        (entry["source"]["seed"], entry["source"]["line"]) for entry in entries
    )
    for entry in entries:
        sample = extracted[(entry["source"]["seed"], entry["source"]["line"])]
        stored = json.loads((SPEC_DIR / entry["file"]).read_text(encoding="utf-8"))
        assert sample.payload == stored, entry["file"]
        assert sample.label == entry["source"]["label"], entry["file"]
        assert list(sample.repairs) == entry.get("repairs", []), entry["file"]


def test_seed_operations_agree_with_the_spec(seed_pages: dict[str, Page]) -> None:
    spec = load_context(SPEC_DIR).spec
    catalog = {error.code: error.http_status for error in spec.errors}
    for name, page in seed_pages.items():
        assert page.method == "GET", name
        assert page.path is not None and page.path.endswith("/{job_id}"), name
        assert page.path_params == ("job_id",), name
        assert page.scopes, name
        for error in page.errors:
            assert catalog[error.code] == error.http_status, (name, error.code)
    urls = {name: page.url for name, page in seed_pages.items()}
    assert urls["001_ff9ce18bc6d9f6da.txt"] == (
        "https://{your-domain}.zohoplatform.com/crm/bulk/v2/write/{job_id}"
    )
    assert urls["002_bd6d11a18d64d738.txt"] == "{api-domain}/crm/bulk/{version}/write/{job_id}"
    assert seed_pages["002_bd6d11a18d64d738.txt"].version_mentions == ("v7",)
    assert len(seed_pages["000_f8a9037035b4fe34.txt"].errors) == 7
    assert seed_pages["003_ebb5947bcca7d5ba.txt"].scopes == (
        ("ZohoBigin.bulk.READ", "ZohoBigin.modules.{module}.ALL"),
        ("ZohoBigin.bulk.READ", "ZohoBigin.modules.{module}.READ"),
    )


def test_seed_field_lists_nest_like_their_samples(seed_pages: dict[str, Page]) -> None:
    # The same write-job field list in four layouts (plain, inline bullets,
    # markdown, table) yields the same nesting; only Recruit's table lists
    # no module for the file and types id as an integer.
    write_pages = ["000_f8a9037035b4fe34.txt", "001_ff9ce18bc6d9f6da.txt"]
    write_pages += ["002_bd6d11a18d64d738.txt", "004_8bf09e04c9958359.txt"]
    resources = []
    for name in write_pages:
        fields = {field.name: field for field in seed_pages[name].fields}
        assert set(fields) == {
            "status",
            "character_encoding",
            "id",
            "result",
            "created_by",
            "operation",
            "created_time",
            "resource",
        }, name
        resources.append(tree(fields["resource"].children))
    assert resources[0] == resources[1] == resources[2]
    assert resources[0] == [
        ("status", "string"),
        ("type", "string"),
        ("module", "string"),
        (
            "field_mappings",
            "object",
            [
                ("api_name", "string"),
                ("find_by", "string"),
                ("index", "integer"),
                ("default_value", "object"),
            ],
        ),
        (
            "file",
            "object",
            [
                ("status", "string"),
                ("name", "string"),
                ("module", "string"),
                ("added_count", "integer"),
                ("skipped_count", "integer"),
                ("updated_count", "integer"),
                ("total_count", "integer"),
            ],
        ),
    ]
    read = seed_pages["003_ebb5947bcca7d5ba.txt"]
    assert read.envelope == ("data",)
    assert tree(read.fields)[-1] == (
        "result",
        "object",
        [
            ("page", "integer"),
            ("count", "integer"),
            ("download_url", "string"),
            ("more_records", "boolean"),
        ],
    )


def test_plain_fixture_page() -> None:
    page = read_page(PAGES / "plain_bigin_write.txt")
    assert (page.method, page.path) == ("GET", "/bigin/bulk/v2/write/{job_id}")
    assert page.scopes == (("ZohoBigin.bulk.CREATE",), ("ZohoBigin.bulk.ALL",))
    # created_time follows the file's fields but belongs to the job, as the sample shows.
    assert tree(page.fields) == [
        ("status", "string"),
        ("id", "string"),
        (
            "resource",
            "object",
            [
                ("status", "string"),
                ("module", "string"),
                ("file", "object", [("status", "string"), ("added_count", "integer")]),
            ],
        ),
        ("created_time", "datetime"),
    ]
    assert [(e.code, e.http_status, e.line) for e in page.errors] == [
        ("RESOURCE_NOT_FOUND", 404, 30),
        ("INVALID_URL_PATTERN", 404, 31),
    ]
    assert [(s.line, s.label, s.repairs) for s in page.samples] == [
        (38, "Sample response: job that finished", ()),
        (
            53,
            "Sample response: job just added",
            ("dropped the text 'Body:' glued before the JSON",),
        ),
    ]
    assert page.samples[1].payload == {"status": "ADDED", "id": "5550002"}
    assert page.samples[0].payload["resource"][0]["file"] == {
        "status": "COMPLETED",
        "added_count": 3,
    }


def test_markdown_fixture_page() -> None:
    page = read_page(PAGES / "markdown_crm_write.md")
    assert page.path == "/crm/bulk/{version}/write/{job_id}"
    assert page.version_mentions == ("v7",)
    assert [(e.code, e.http_status) for e in page.errors] == [("NO_PERMISSION", 403)]
    assert tree(page.fields) == [
        ("status", "string"),
        (
            "resource",
            "object",
            [
                ("status", "string"),
                ("module", "object"),
                ("field_mappings", "object", [("api_name", "string"), ("index", "integer")]),
            ],
        ),
        ("id", "string"),
    ]
    (sample,) = page.samples
    assert sample.repairs == (
        "removed 9 markdown line-continuation backslashes",
        "removed 1 markdown escape backslash inside strings",
        "inserted 2 missing commas between members",
    )
    assert sample.payload["resource"][0] == {
        "status": "ADDED",
        "code": "ADDED",
        "module": {"api_name": "Deals", "id": "42"},
        "field_mappings": [{"api_name": "Deal_Name", "index": 0}],
    }


def test_table_fixture_page() -> None:
    page = read_page(PAGES / "table_recruit_write.txt")
    assert (page.method, page.url) == (
        "GET",
        "https://recruit.zoho.com/recruit/bulk/v2/write/{job_id}",
    )
    assert [field.type_text for field in page.fields] == ["String", "JSON Object", "String"]
    assert tree(page.fields) == [
        ("status", "string"),
        (
            "resource",
            "object",
            [
                ("module", "string"),
                ("file", "object", [("name", "string"), ("total_count", "integer")]),
            ],
        ),
        ("id", "string"),
    ]
    assert [sample.label for sample in page.samples] == ["Sample Response"]


def test_pages_that_yield_nothing_are_one_line_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("Just prose, nothing to extract.\n", encoding="utf-8")
    with pytest.raises(PageError, match=r"empty\.txt: no request URL, fields"):
        read_page(empty)
    with pytest.raises(PageError, match=r"missing\.txt: cannot read"):
        read_page(tmp_path / "missing.txt")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(PageError, match="not UTF-8"):
        read_page(binary)


def test_a_broken_sample_is_kept_with_its_reason_and_the_page_read_on() -> None:
    page = extract_page(
        'Sample response\nx\nCopied{\n"a": [1,\nSample response two\nCopied{"b": 2}\n',
        "page.txt",
        "page.txt",
    )
    assert [(s.line, s.broken, s.payload) for s in page.samples] == [
        (3, "is cut off: its JSON never closes", None),
        (6, None, {"b": 2}),
    ]
    page = extract_page('Sample response\nCopied{\n"a": 1,\n"b": nope\n}\n', "p", "p")
    (sample,) = page.samples
    assert sample.broken == "is not JSON even after repairs (line 4: invalid JSON: Expecting value)"


def test_request_fields_nest_by_indentation_by_samples_and_by_tables() -> None:
    bullets = read_page(CORPUS / "crm_v3_create_write.txt")
    assert tree(bullets.request_fields) == [
        ("character_encoding", "string"),
        ("operation", "string"),
        ("priority", "integer"),
        ("ignore_empty", "boolean"),
        ("callback", "object", [("url", "string"), ("method", "string")]),
        (
            "resource",
            "array",
            [
                ("type", "string"),
                ("module", "object"),
                ("file_id", "string"),
                ("find_by", "string"),
                (
                    "field_mappings",
                    "array",
                    [("api_name", "string"), ("index", "integer"), ("format", "string")],
                ),
            ],
        ),
    ]
    fields = {field.name: field for field in bullets.request_fields}
    assert fields["operation"].required is True
    assert fields["operation"].values == ("insert", "update", "upsert", "delete")
    assert fields["character_encoding"].required is False
    assert fields["callback"].children[1].values == ("post",)
    assert fields["resource"].children[0].values == ("data",)
    # A flat copy: the repeated line counts once, the samples place the keys.
    flat = read_page(CORPUS / "crm_v2_create_read.txt")
    callback, query = flat.request_fields
    assert [f.name for f in callback.children] == ["url", "method"]
    assert [f.name for f in query.children][:5] == ["module", "cvid", "fields", "page", "criteria"]
    assert query.children[-1].required is None  # "mandatory when ..." depends on something
    assert query.children[-1].values == ("csv", "ics")
    # Recruit's tables: "X Properties" opens X again, whatever came in between.
    table = read_page(CORPUS / "recruit_v2_create_read_table.txt")
    assert tree(table.request_fields) == [
        ("callback", "object", [("url", "string"), ("method", "string")]),
        (
            "query",
            "object",
            [("module", "string"), ("fields", "array"), ("page", "integer"), ("cvid", "string")],
        ),
    ]
    # Markdown tables name the nesting with dots.
    dotted = read_page(CORPUS / "bigin_v1_create_read.md")
    assert [f.name for f in dotted.request_fields] == ["callback", "query"]
    assert dotted.request_fields[1].required is False


def test_samples_are_classified_by_label_and_by_shape() -> None:
    page = read_page(CORPUS / "crm_v2_create_read.txt")
    assert [(s.label, s.role) for s in page.samples] == [
        ("Sample Input", "request"),
        ("Sample Response", "response"),
        ("Sample Error Response", "error"),
        ("Sample Callback Body", "callback"),
    ]
    oas = read_page(CORPUS / "crm_v8_read_details_oas.md")
    assert [(s.label, s.role) for s in oas.samples] == [
        ("200", "response"),
        ("400", "error"),
        ("404", "error"),
    ]
    assert [(e.code, e.http_status) for e in oas.errors] == [
        ("JOB_ID_MALFORMED", 400),
        ("RESOURCE_NOT_FOUND", 404),
    ]


def test_error_tables_with_the_status_first_are_read() -> None:
    codes = load_context(SPEC_DIR).error_codes
    page = read_page(CORPUS / "recruit_v2_upload.txt", codes)
    assert [(e.code, e.http_status) for e in page.errors] == [
        ("INVALID_FILE_FORMAT", 200),
        ("FILE_TOO_LARGE", 200),
        ("INVALID_URL_PATTERN", 404),
        ("OAUTH_SCOPE_MISMATCH", 404),
        ("NO_PERMISSION", 403),
        ("INTERNAL_ERROR", 500),
        ("INVALID_REQUEST_METHOD", 400),
    ]
    # Without the catalog, a code glued to a capitalized message keeps a letter too many.
    assert read_page(CORPUS / "recruit_v2_upload.txt").errors[1].code == "FILE_TOO_LARGET"


def test_extract_cli_writes_a_reviewable_draft(tmp_path: Path) -> None:
    out = tmp_path / "review"
    docs = [str(path) for path in SEEDS] + [str(PAGES / "table_recruit_write.txt")]
    result = run_cli("extract", *docs, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == len(docs)
    # Each seed sample file equals the spec's stored example of the same name.
    for entry in spec_examples():
        written = json.loads((out / entry["file"]).read_text(encoding="utf-8"))
        assert written == json.loads((SPEC_DIR / entry["file"]).read_text(encoding="utf-8"))
    # The drafts have the spec's sections and shapes; their seed examples are
    # the spec's entries (file name, operation, place on the page, repairs).
    schema = meta_schema()
    drafted = []
    for draft_path in sorted(out.glob("*.yaml")):
        draft = yaml.safe_load(draft_path.read_text(encoding="utf-8"))
        drafted += draft.get("examples", [])
        assert set(draft) <= {"operations", "types", "errors", "examples"}
        for section, value in draft.items():
            jsonschema.validate(value, {**schema["properties"][section], "$defs": schema["$defs"]})
    by_file = {entry["file"]: entry for entry in drafted}
    for entry in spec_examples():
        assert by_file[entry["file"]] == entry, entry["file"]
    seed_v7 = yaml.safe_load((out / "002_bd6d11a18d64d738.yaml").read_text(encoding="utf-8"))
    operation = seed_v7["operations"]["get_bulk_write_job"]
    assert operation["path"] == "/{prefix}/bulk/{version}/write/{job_id}"
    assert operation["scopes"] == [["{scope}.bulk.CREATE"], ["{scope}.bulk.ALL"]]
    assert seed_v7["types"]["BulkWriteJob"]["fields"]["resource"]["type"] == (
        "list[BulkWriteResource]"
    )
    assert seed_v7["examples"][0]["version"] == "v7"
    # Output is deterministic: a second run writes the same bytes.
    again = tmp_path / "again"
    assert run_cli("extract", *docs, "--out", str(again)).returncode == 0
    for path in sorted(out.rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (again / path.relative_to(out)).read_bytes(), path


def test_extract_cli_reports_a_bad_page_in_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    result = run_cli("extract", str(empty), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"zoho-bulkgen: error: {empty}: "
        "no request URL, fields, error codes, scopes or samples found"
    )
    assert not (tmp_path / "out").exists()
    missing_out = run_cli("extract", str(empty))
    assert missing_out.returncode == 2 and "--out" in missing_out.stderr


def test_extract_writes_drafts_only_for_pages_it_can_identify(tmp_path: Path) -> None:
    out = tmp_path / "review"
    vague = tmp_path / "vague.txt"
    vague.write_text("Bulk jobs\n\nscope=ZohoCRM.bulk.ALL\n", encoding="utf-8")
    docs = [
        CORPUS / "crm_v7_upload.txt",
        vague,
        SEEDS_DIR / "003_ebb5947bcca7d5ba.txt",
        CORPUS / "crm_v7_openapi.json",
        CORPUS / "crm_v3_create_write.txt",
    ]
    result = run_cli("extract", *(str(path) for path in docs), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"zoho-bulkgen: error: {vague}: no request URL, and the title 'Bulk jobs' names no "
        "operation of the spec; cannot tell the operation"
    ]
    assert sorted(path.name for path in out.glob("*.yaml")) == [
        "003_ebb5947bcca7d5ba.yaml",
        "crm_v3_create_write.yaml",
        "crm_v7_openapi-create_bulk_read_job.yaml",
        "crm_v7_openapi-get_bulk_write_job.yaml",
        "crm_v7_upload.yaml",
    ]
    schema = meta_schema()
    drafts = {}
    for path in out.glob("*.yaml"):
        drafts[path.stem] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section, value in drafts[path.stem].items():
            jsonschema.validate(value, {**schema["properties"][section], "$defs": schema["$defs"]})
    # A scope of another service stays literal; the product's own becomes {scope}.
    upload = drafts["crm_v7_upload"]["operations"]["upload_file"]
    assert upload["scopes"] == [["ZohoFiles.files.ALL"]]
    assert upload["path"] == "/{prefix}/{version}/upload"
    write = drafts["crm_v3_create_write"]
    assert write["operations"]["create_bulk_write_job"]["scopes"][0] == [
        "{scope}.bulk.CREATE",
        "{scope}.modules.ALL",
    ]
    # Request fields go into the request type, with their required flags.
    request = write["types"]["BulkWriteRequest"]["fields"]
    assert request["operation"]["required"] is True
    assert request["resource"]["type"] == "list[BulkWriteResourceRequest]"
    assert write["examples"][0]["request"] is True
    # Job fields go under the envelope the samples show (data[]).
    read = drafts["003_ebb5947bcca7d5ba"]["types"]
    assert read["BulkReadJobEnvelope"]["fields"]["data"]["type"] == "list[BulkReadJob]"
    assert "state" in read["BulkReadJob"]["fields"]
    assert all(
        entry["product"] == "bigin" and entry["version"] == "v2"
        for entry in drafts["003_ebb5947bcca7d5ba"]["examples"]
    )


def test_openapi_markdown_headings_and_labelled_lines() -> None:
    page = extract_page(
        "## Create Bulk Write Job\n\n**Method:** POST\n\n**Path:** `/crm/bulk/v8/write`\n\n"
        "**Scopes:** `ZohoCRM.bulk.CREATE`, `ZohoCRM.modules.{module_name}.CREATE`\n\n"
        "### Request body (application/json)\n\n| Field | Type | Required |\n| --- | --- | --- |\n"
        "| operation | string | yes |\n| resource | array | yes |\n"
        "| resource[].file_id | string | yes |\n\n"
        "### Response 201\n\n| Field | Type |\n| --- | --- |\n| details | object |\n"
        "| details.id | string |\n\n### Errors\n\n| Code | Status |\n| --- | --- |\n"
        "| INVALID_DATA | 400 |\n",
        "m.md",
        "m.md",
    )
    assert (page.method, page.path) == ("POST", "/crm/bulk/v8/write")
    assert page.scopes == (("ZohoCRM.bulk.CREATE", "ZohoCRM.modules.{module}.CREATE"),)
    assert tree(page.request_fields) == [
        ("operation", "string"),
        ("resource", "array", [("file_id", "string")]),
    ]
    assert tree(page.fields) == [("details", "object", [("id", "string")])]
    assert [(e.code, e.http_status) for e in page.errors] == [("INVALID_DATA", 400)]
