"""The whole bulk job lifecycle with the installed clients, over real HTTP
against the mock server: for every product and version, sync and async."""

from __future__ import annotations

import asyncio
import importlib
import io
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from zoho_bulk_core.retry import RetryPolicy
from zoho_bulk_core.waiters import JobFailedError, WaitPolicy

from generator.mock.data import record_row
from generator.mock.operations import module_value
from generator.mock.pytest_plugin import MockFactory
from generator.mock.server import load_normalized_spec
from generator.spec.model import ProductVersion
from generator.targets.python.names import module_name
from tests.conftest import SPEC_DIR

SPEC = load_normalized_spec(SPEC_DIR)
VERSIONS = [version for product in SPEC.products for version in product.versions]
TOKEN = "1000.lifecycle-test.0123456789"
FAST = WaitPolicy(initial_delay=0.005, multiplier=1.5, max_delay=0.02, timeout=20)
QUICK_RETRY = RetryPolicy(max_retries=4, backoff=0.005, max_backoff=0.02)
FIELDS = ["Id", "Last_Name", "Email"]
ORG_ID = "4000001"


def _label(version: ProductVersion) -> str:
    return f"{version.product}-{version.version}"


def client_module(version: ProductVersion) -> Any:
    """The installed package of ``version`` (zoho_bulk_crm.v2_1, ...)."""
    return importlib.import_module(f"zoho_bulk_{version.product}.{module_name(version.version)}")


def read_request(version: ProductVersion, module: str = "Contacts") -> dict[str, Any]:
    """A create-read-job body naming ``module`` as ``version`` wants it."""
    return {
        "query": {
            "module": module_value(version, "BulkReadQueryRequest", module),
            "fields": FIELDS,
        }
    }


def write_request(version: ProductVersion, file_id: str, operation: str) -> dict[str, Any]:
    """A create-write-job body importing ``file_id`` into Contacts."""
    return {
        "operation": operation,
        "resource": [
            {
                "type": "data",
                "module": module_value(version, "BulkWriteResourceRequest", "Contacts"),
                "file_id": file_id,
                "find_by": "Id",
            }
        ],
    }


def zipped_csv(text: str, name: str = "Contacts.csv") -> bytes:
    """A zip holding one CSV file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


# Two rows to add, one to update (its Id is filled), one skipped (no Last_Name).
UPLOAD = zipped_csv(
    "Last_Name,Email,Id\r\nNg,ng@example.com,\r\n,nobody@example.com,\r\n"
    'Smith,smith@example.com,5725767000000100007\r\n"Müller, Jr.",m@example.com,\r\n'
)


@pytest.mark.parametrize("version", VERSIONS, ids=_label)
def test_sync_read_lifecycle_pages_through_every_record(
    version: ProductVersion, zoho_bulk_mock_factory: MockFactory
) -> None:
    server = zoho_bulk_mock_factory(records=5, per_page=2, polls_until_complete=2)
    package = client_module(version)
    states: list[str] = []
    with package.Client(TOKEN, base_url=server.base_url, wait=FAST) as client:
        rows = list(
            client.iter_bulk_read_rows(
                read_request(version), on_progress=lambda job: states.append(str(job.state))
            )
        )
    assert rows == [record_row(FIELDS, index) for index in range(5)]
    jobs = list(server.state.read_jobs.values())
    assert [job.page for job in jobs] == [1, 2, 3]
    has_tokens = "next_page_token" in {
        field.name for field in version.type_named("BulkReadResult").fields
    }
    assert [job.page_token is not None for job in jobs] == [False, has_tokens, has_tokens]
    assert states[:3] == ["ADDED", "IN PROGRESS", "COMPLETED"]


@pytest.mark.parametrize("version", VERSIONS, ids=_label)
def test_async_read_lifecycle_pages_through_every_record(
    version: ProductVersion, zoho_bulk_mock_factory: MockFactory
) -> None:
    server = zoho_bulk_mock_factory(records=5, per_page=3, polls_until_complete=1)
    package = client_module(version)

    async def export() -> list[dict[str, str]]:
        async with package.AsyncClient(TOKEN, base_url=server.base_url, wait=FAST) as client:
            return [row async for row in client.iter_bulk_read_rows(read_request(version))]

    assert asyncio.run(export()) == [record_row(FIELDS, index) for index in range(5)]
    assert len(server.state.read_jobs) == 2


def _check_write_outcome(job: Any, rows: list[Any]) -> None:
    resource = job.resource[0]
    assert resource.module_api_name == "Contacts"
    assert (resource.file.added_count, resource.file.updated_count) == (2, 1)
    assert (resource.file.skipped_count, resource.file.total_count) == (1, 4)
    statuses = Counter(row.status for row in rows)
    assert statuses == {"ADDED": 2, "UPDATED": 1, "SKIPPED": 1}
    updated = next(row for row in rows if row.status == "UPDATED")
    assert updated.record_id == "5725767000000100007"
    skipped = next(row for row in rows if row.status == "SKIPPED")
    assert skipped.record_id is None and skipped.errors == ("MANDATORY_NOT_FOUND-Last_Name",)
    assert [row.fields["Last_Name"] for row in rows] == ["Ng", "", "Smith", "Müller, Jr."]


@pytest.mark.parametrize("version", VERSIONS, ids=_label)
def test_sync_write_lifecycle_reports_counts_and_rows(
    version: ProductVersion, zoho_bulk_mock_factory: MockFactory
) -> None:
    server = zoho_bulk_mock_factory(polls_until_complete=1)
    package = client_module(version)
    with package.Client(TOKEN, base_url=server.base_url, wait=FAST) as client:
        uploaded = client.upload_file(UPLOAD, org_id=ORG_ID)
        created = client.create_bulk_write_job(write_request(version, uploaded.file_id, "upsert"))
        job = client.wait_for_bulk_write_job(created.id)
        rows = list(client.iter_bulk_write_result_rows(job))
    assert job.id == created.id and str(job.status) == "COMPLETED"
    _check_write_outcome(job, rows)


@pytest.mark.parametrize("version", VERSIONS, ids=_label)
def test_async_write_lifecycle_reports_counts_and_rows(
    version: ProductVersion, zoho_bulk_mock_factory: MockFactory
) -> None:
    server = zoho_bulk_mock_factory(polls_until_complete=2)
    package = client_module(version)

    async def run() -> tuple[Any, list[Any]]:
        async with package.AsyncClient(TOKEN, base_url=server.base_url, wait=FAST) as client:
            uploaded = await client.upload_file(UPLOAD, org_id=ORG_ID)
            request = write_request(version, uploaded.file_id, "upsert")
            created = await client.create_bulk_write_job(request)
            job = await client.wait_for_bulk_write_job(created.id)
            return job, [row async for row in client.iter_bulk_write_result_rows(job)]

    job, rows = asyncio.run(run())
    _check_write_outcome(job, rows)


def test_a_bad_mapping_makes_the_write_job_fail(zoho_bulk_mock: Any) -> None:
    from zoho_bulk_crm.v7 import Client

    version = SPEC.find_version("crm", "v7")
    assert version is not None
    with Client(TOKEN, base_url=zoho_bulk_mock.base_url, wait=FAST) as client:
        uploaded = client.upload_file(UPLOAD, org_id=ORG_ID)
        request = write_request(version, uploaded.file_id, "insert")
        request["resource"][0]["field_mappings"] = [{"api_name": "Last_Name", "index": 42}]
        created = client.create_bulk_write_job(request)
        with pytest.raises(JobFailedError) as failure:
            client.wait_for_bulk_write_job(created.id)
    job = failure.value.job
    assert failure.value.state == "FAILED"
    assert job.resource[0].message == "File index not found. Last_Name - 42"


def test_events_export_as_icalendar(zoho_bulk_mock_factory: MockFactory, tmp_path: Path) -> None:
    from zoho_bulk_core.results import iter_ics_lines
    from zoho_bulk_crm.v8 import Client

    server = zoho_bulk_mock_factory(records=3, polls_until_complete=0)
    with Client(TOKEN, base_url=server.base_url, wait=FAST) as client:
        created = client.create_bulk_read_job(
            {"query": {"module": {"api_name": "Events"}}, "file_type": "ics"}
        )
        job = client.wait_for_bulk_read_job(created.id)
        assert str(job.file_type) == "ics"
        path = client.download_bulk_read_result(job.id, tmp_path / "events.zip")
    lines = list(iter_ics_lines(path))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 3
    assert "SUMMARY:Call 1\\, Café «1»" in lines
