"""What a user of the installed packages meets (issue 12): one keyword call for
every version, errors that are the library's own and say why, and progress
events. Clients run over real HTTP against the mock server."""

from __future__ import annotations

import asyncio
import csv
import importlib
import inspect
import io
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import zoho_bulk_core
from zoho_bulk_core import (
    CallbackBodyError,
    InvalidRequestError,
    JobFailedError,
    MissingExtraError,
    ProgressBar,
    ProgressEvent,
    ResultFileError,
    RetryPolicy,
    WaitPolicy,
    ZohoBulkError,
)
from zoho_bulk_core.results import iter_csv_rows, iter_ics_lines

from generator.mock.data import record_row
from generator.mock.operations import module_value
from generator.mock.pytest_plugin import MockFactory
from generator.mock.server import load_normalized_spec
from generator.spec.model import ProductVersion
from generator.targets.python.names import module_name
from tests.conftest import SPEC_DIR
from tests.runtime.test_lifecycle import UPLOAD

SPEC = load_normalized_spec(SPEC_DIR)
VERSIONS = [version for product in SPEC.products for version in product.versions]
TOKEN = "1000.users-test.0123456789"
FAST = WaitPolicy(initial_delay=0.005, multiplier=1.5, max_delay=0.02, timeout=20)
ORG_ID = "4000001"


def _label(version: ProductVersion) -> str:
    return f"{version.product}-{version.version}"


def package(version: ProductVersion) -> Any:
    return importlib.import_module(f"zoho_bulk_{version.product}.{module_name(version.version)}")


def named(version: ProductVersion, type_name: str, module: str) -> Any:
    """``module`` as a keyword call names it for ``version``: by api_name alone."""
    shaped = module_value(version, type_name, module)
    return {"api_name": module} if isinstance(shaped, dict) else module


def client(version: ProductVersion, base_url: str) -> Any:
    return package(version).Client(
        TOKEN,
        base_url=base_url,
        wait=FAST,
        retry=RetryPolicy(max_retries=2, backoff=0.005, max_backoff=0.02),
    )


# --- one call for every version ------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS, ids=_label)
def test_keywords_build_the_versions_own_body(version: ProductVersion) -> None:
    from zoho_bulk_core.requests import build_request

    models = package(version).models
    read = build_request(
        models.BulkReadRequest,
        None,
        {
            "module": "Contacts",
            "fields": ["Id", "Email"],
            "criteria": {"api_name": "Email", "comparator": "ends_with", "value": "@x.org"},
            "page": 2,
            "cvid": None,
            "callback_url": "https://example.com/done",
        },
    )
    assert read == {
        "callback": {"url": "https://example.com/done", "method": "post"},
        "query": {
            "module": named(version, "BulkReadQueryRequest", "Contacts"),
            "fields": ["Id", "Email"],
            "criteria": {"api_name": "Email", "comparator": "ends_with", "value": "@x.org"},
            "page": 2,
        },
    }
    write = build_request(
        models.BulkWriteRequest,
        None,
        {
            "operation": "update",
            "module": "Contacts",
            "file_id": "111",
            "find_by": "Email",
            "field_mappings": [{"api_name": "Email", "index": 1}],
            "character_encoding": "UTF-8",
        },
    )
    assert write == {
        "operation": "update",
        "character_encoding": "UTF-8",
        "resource": [
            {
                "type": "data",
                "module": named(version, "BulkWriteResourceRequest", "Contacts"),
                "file_id": "111",
                "find_by": "Email",
                "field_mappings": [{"api_name": "Email", "index": 1}],
            }
        ],
    }
    # The version's own module shape given as it is passes through too.
    shaped = module_value(version, "BulkReadQueryRequest", "Leads")
    again = build_request(models.BulkReadRequest, None, {"module": shaped})
    assert again == {"query": {"module": shaped}}


@pytest.mark.parametrize("version", VERSIONS, ids=_label)
def test_keyword_calls_run_the_whole_lifecycle_on_every_version(
    version: ProductVersion, zoho_bulk_mock_factory: MockFactory
) -> None:
    server = zoho_bulk_mock_factory(records=3, per_page=2, polls_until_complete=1)
    with client(version, server.base_url) as api:
        rows = list(api.iter_bulk_read_rows(module="Contacts", fields=["Id", "Email"]))
        assert rows == [record_row(["Id", "Email"], index) for index in range(3)]
        uploaded = api.upload_file(("c.zip", UPLOAD), org_id=ORG_ID)
        job = api.create_bulk_write_job(
            operation="insert", module="Contacts", file_id=uploaded.file_id
        )
        done = api.wait_for_bulk_write_job(job.id)
        assert done.resource[0].module_api_name == "Contacts"
        assert len(list(api.iter_bulk_write_result_rows(done))) == 4

    async def export() -> list[dict[str, str]]:
        async with package(version).AsyncClient(TOKEN, base_url=server.base_url, wait=FAST) as api:
            return [row async for row in api.iter_bulk_read_rows(module="Contacts")]

    assert len(asyncio.run(export())) == 3


def test_the_client_methods_take_the_keywords_as_typed_options() -> None:
    from zoho_bulk_core.requests import BulkReadOptions, BulkWriteOptions

    client_class = package(VERSIONS[0]).Client
    for name, options in [
        ("create_bulk_read_job", BulkReadOptions),
        ("iter_bulk_read_rows", BulkReadOptions),
        ("create_bulk_write_job", BulkWriteOptions),
    ]:
        parameters = inspect.signature(getattr(client_class, name)).parameters
        assert parameters["request"].default is None
        assert parameters["options"].kind is inspect.Parameter.VAR_KEYWORD
        assert options.__name__ in str(parameters["options"].annotation)
    assert {"module", "fields", "criteria", "page", "callback_url"} <= set(
        BulkReadOptions.__annotations__
    )
    assert {"operation", "module", "file_id", "find_by", "field_mappings"} <= set(
        BulkWriteOptions.__annotations__
    )


# --- errors that explain ----------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "pointers", "words"),
    [
        ({"module": "Contacts", "page": 0}, ("/query/page",), "greater than or equal to 1"),
        ({"modul": "Contacts"}, ("",), "unknown keyword 'modul'"),
        ({"module": "Contacts", "fields": "Id"}, ("/query/fields",), "valid list"),
    ],
)
def test_bad_keywords_raise_invalid_request_error_with_pointers(
    call: dict[str, Any], pointers: tuple[str, ...], words: str
) -> None:
    api = package(VERSIONS[-1]).Client(TOKEN, base_url="http://127.0.0.1:9")
    with pytest.raises(InvalidRequestError) as caught:
        api.create_bulk_read_job(**call)
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, ZohoBulkError)
    assert error.pointers == pointers
    assert words in str(error) and "\n" not in str(error)


def test_a_keyword_the_version_lacks_is_named_with_what_it_takes() -> None:
    crm_v2 = next(v for v in VERSIONS if (v.product, v.version) == ("crm", "v2"))
    api = package(crm_v2).Client(TOKEN, base_url="http://127.0.0.1:9")
    with pytest.raises(InvalidRequestError, match=r"unknown keyword 'page_token'.*takes: "):
        api.create_bulk_read_job(module="Contacts", page_token="abc")


def test_a_mistyped_key_in_a_whole_body_is_an_invalid_request_error() -> None:
    api = package(VERSIONS[0]).Client(TOKEN, base_url="http://127.0.0.1:9")
    with pytest.raises(InvalidRequestError) as caught:
        api.create_bulk_read_job({"query": {"module": "Contacts", "feilds": ["Id"]}})
    assert caught.value.pointers == ("/query",)
    assert "feilds" in str(caught.value)
    with pytest.raises(InvalidRequestError, match="not both"):
        api.create_bulk_read_job({"query": {"module": "Contacts"}}, page=2)
    with pytest.raises(InvalidRequestError, match="job_id"):
        api.get_bulk_read_job("../../oauth")


@pytest.mark.parametrize("version", VERSIONS, ids=_label)
def test_a_failed_job_says_why(
    version: ProductVersion, zoho_bulk_mock_factory: MockFactory
) -> None:
    server = zoho_bulk_mock_factory(polls_until_complete=1)
    with client(version, server.base_url) as api:
        uploaded = api.upload_file(("c.zip", UPLOAD), org_id=ORG_ID)
        job = api.create_bulk_write_job(
            operation="insert",
            module="Contacts",
            file_id=uploaded.file_id,
            field_mappings=[{"api_name": "Last_Name", "index": 9}],
        )
        with pytest.raises(JobFailedError) as caught:
            api.wait_for_bulk_write_job(job.id)
    message = str(caught.value)
    assert message.startswith(f"bulk job {job.id} ended in state FAILED: Contacts: ")
    assert "File index not found. Last_Name - 9" in message
    assert caught.value.reasons and caught.value.job.id == job.id


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{", b"{not json", b'{"state": 7}', "[]"],
    ids=["not-utf8", "not-json", "wrong-type", "not-object"],
)
def test_unreadable_callback_bodies_raise_callback_body_error(body: bytes | str) -> None:
    parse = package(VERSIONS[-1]).parse_bulk_read_callback
    with pytest.raises(CallbackBodyError) as caught:
        parse(body)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, ZohoBulkError)
    assert "BulkReadCallback body" in str(caught.value)
    if body == b'{"state": 7}':
        assert caught.value.pointers[0] == "/state"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"<html>not a zip</html>", "is not a zip file"),
        (_zip({"notes.txt": b"x"}), "holds no .csv file"),
        (_zip({"r.csv": b"Id,Name\r\n1,\xff\xfe\r\n"}), "not UTF-8"),
        (_zip({"r.csv": b'Id,Name\r\n1,"' + b"x" * 200_000 + b'"\r\n'}), "field limit"),
    ],
    ids=["not-zip", "no-csv", "not-utf8", "field-too-long"],
)
def test_unreadable_results_raise_result_file_error(
    content: bytes, words: str, tmp_path: Path
) -> None:
    path = tmp_path / "result.zip"
    path.write_bytes(content)
    with pytest.raises(ResultFileError, match=words) as caught:
        list(iter_csv_rows(path))
    assert isinstance(caught.value, ZohoBulkError)
    assert csv.field_size_limit() == 131072


def test_an_ics_result_that_is_not_a_zip_is_a_result_file_error(tmp_path: Path) -> None:
    (tmp_path / "r.zip").write_bytes(b"BEGIN:VCALENDAR")
    with pytest.raises(ResultFileError):
        list(iter_ics_lines(tmp_path / "r.zip"))


def test_policies_and_every_runtime_exception_come_from_the_package_root() -> None:
    assert zoho_bulk_core.WaitPolicy is WaitPolicy and zoho_bulk_core.RetryPolicy is RetryPolicy
    found = set()
    for name in ["errors", "waiters", "results", "requests", "notifications", "progress"]:
        module = importlib.import_module(f"zoho_bulk_core.{name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and value.__module__.startswith("zoho_bulk_core")
            ):
                assert issubclass(value, ZohoBulkError), value
                found.add(value)
    validation = importlib.import_module("zoho_bulk_core.validation")
    assert issubclass(validation.PayloadError, ZohoBulkError)
    exported = {
        value
        for value in (getattr(zoho_bulk_core, name) for name in zoho_bulk_core.__all__)
        if isinstance(value, type)
    }
    coded = set(importlib.import_module("zoho_bulk_core.error_codes").ERROR_CLASSES.values())
    assert found - coded <= exported


# --- progress ------------------------------------------------------------------------


def test_progress_events_cover_waits_downloads_and_rows(
    zoho_bulk_mock_factory: MockFactory,
) -> None:
    server = zoho_bulk_mock_factory(records=5, per_page=3, polls_until_complete=1)
    events: list[ProgressEvent] = []
    with client(VERSIONS[-1], server.base_url) as api:
        rows = list(api.iter_bulk_read_rows(module="Contacts", on_progress=events.append))
    assert len(rows) == 5
    assert {event.stage for event in events} == {"wait", "download", "rows"}
    waits = [event for event in events if event.stage == "wait"]
    assert [event.state for event in waits][:2] == ["ADDED", "COMPLETED"]
    assert all(event.job_id.isdigit() for event in events)
    downloads = [event for event in events if event.stage == "download"]
    assert downloads and all(event.bytes_read == event.total_bytes for event in downloads[-1:])
    assert [event.rows for event in events if event.stage == "rows"] == [3, 5]
    assert [event.page for event in events if event.stage == "rows"] == [1, 2]
    for event in events:
        line = str(event)
        assert "\n" not in line and len(line) < 120 and line.startswith("job ")
        assert event.elapsed >= 0
    assert "COMPLETED" in str(waits[1]) and "page 1" in str(waits[1])
    assert "5 rows read (page 2)" in str(events[-1])


def test_write_progress_names_the_job(zoho_bulk_mock_factory: MockFactory) -> None:
    server = zoho_bulk_mock_factory(polls_until_complete=1)
    events: list[ProgressEvent] = []
    with client(VERSIONS[0], server.base_url) as api:
        uploaded = api.upload_file(("c.zip", UPLOAD), org_id=ORG_ID)
        job = api.create_bulk_write_job(
            operation="insert", module="Contacts", file_id=uploaded.file_id
        )
        done = api.wait_for_bulk_write_job(job.id, on_progress=events.append)
        list(api.iter_bulk_write_result_rows(done, on_progress=events.append))
    assert [event.stage for event in events][-1] == "rows" and events[-1].rows == 4
    assert {event.job_id for event in events} == {job.id}
    assert str(events[-1]).startswith(f"job {job.id}: 4 rows read")


def test_progress_bar_draws_waits_bytes_and_rows(zoho_bulk_mock_factory: MockFactory) -> None:
    server = zoho_bulk_mock_factory(records=4, per_page=2, polls_until_complete=1)
    screen = io.StringIO()
    with client(VERSIONS[-1], server.base_url) as api, ProgressBar(file=screen) as bar:
        rows = list(api.iter_bulk_read_rows(module="Contacts", on_progress=bar))
    assert len(rows) == 4
    drawn = screen.getvalue()
    assert "COMPLETED" in drawn and "download" in drawn
    assert "4.00 rows" in drawn or "4 rows" in drawn


def test_progress_bar_without_tqdm_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    with pytest.raises(MissingExtraError, match=r"zoho-bulk-core\[progress\]") as caught:
        ProgressBar()
    assert isinstance(caught.value, ImportError)


def test_the_progress_extra_is_pinned() -> None:
    from tests.conftest import GENERATED_DIR

    text = (GENERATED_DIR / "python/zoho-bulk-core/pyproject.toml").read_text()
    assert 'progress = ["tqdm==4.70.1"]' in text
