"""The mock under load: many clients at once, each running whole read and write
lifecycles with retries off, all succeed (no connection refused or reset).

The generated packages are imported before the clients start, so the time goes
to the lifecycles, not to imports racing in 200 threads (the clients' TLS context
is shared, as in every test: tests/conftest.py)."""

from __future__ import annotations

import threading
import time
from collections import Counter

from zoho_bulk_core.retry import NO_RETRY

from generator.mock.data import record_row
from generator.mock.pytest_plugin import MockFactory
from tests.runtime.test_lifecycle import (
    FAST,
    FIELDS,
    ORG_ID,
    UPLOAD,
    VERSIONS,
    client_module,
    read_request,
    write_request,
)

CLIENTS = 200
RECORDS = 3


def lifecycles_of(index: int, base_url: str) -> None:
    """Client number ``index``'s read lifecycle (every page) and write lifecycle
    (result rows), on one of the products and versions in turn, retries off."""
    version = VERSIONS[index % len(VERSIONS)]
    package = client_module(version)
    with package.Client(
        "1000.load-test.0123456789", base_url=base_url, wait=FAST, retry=NO_RETRY
    ) as client:
        rows = list(client.iter_bulk_read_rows(read_request(version)))
        assert rows == [record_row(FIELDS, index) for index in range(RECORDS)]
        uploaded = client.upload_file(UPLOAD, org_id=ORG_ID)
        created = client.create_bulk_write_job(write_request(version, uploaded.file_id, "upsert"))
        job = client.wait_for_bulk_write_job(created.id)
        statuses = Counter(row.status for row in client.iter_bulk_write_result_rows(job))
        assert statuses == {"ADDED": 2, "UPDATED": 1, "SKIPPED": 1}


def run_clients(base_url: str, count: int) -> tuple[list[str], float]:
    """Run ``count`` clients at once; what went wrong in each failed one, and the seconds taken."""
    for version in VERSIONS:
        client_module(version)
    start = threading.Barrier(count)
    failures: list[str] = []

    def one(index: int) -> None:
        start.wait(timeout=60)
        try:
            lifecycles_of(index, base_url)
        except BaseException as exc:  # noqa: BLE001 - every failure is counted
            failures.append(f"client {index}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=one, args=(index,)) for index in range(count)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return failures, time.perf_counter() - began


def test_two_hundred_concurrent_clients_all_succeed_without_retries(
    zoho_bulk_mock_factory: MockFactory,
) -> None:
    server = zoho_bulk_mock_factory(records=RECORDS, per_page=2, polls_until_complete=0)
    failures, _ = run_clients(server.base_url, CLIENTS)
    assert not failures, f"{len(failures)} of {CLIENTS} clients failed:\n" + "\n".join(
        failures[:10]
    )
    assert len(server.state.write_jobs) == CLIENTS
