"""The generated clients against a hostile server: paging that never ends,
downloads that trickle forever or announce a terabyte, result files built to
exhaust memory or that are not zips or CSV at all, a token answer that points
the client at plain http. Each ends in one of the library's own exceptions, in
bounded time and memory."""

from __future__ import annotations

import csv
import io
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from zoho_bulk_core.errors import TransportError, UnexpectedResponseError, ZohoBulkError
from zoho_bulk_core.results import (
    MAX_FIELDS_PER_ROW,
    MAX_ROW_CHARS,
    PagingError,
    ResultFileError,
    iter_csv_rows,
    iter_write_result_rows,
)
from zoho_bulk_core.retry import NO_RETRY
from zoho_bulk_core.transport import DownloadLimitError, DownloadLimits

from generator.mock.answers import Answer
from generator.mock.pytest_plugin import MockFactory
from generator.mock.server import MockServer
from tests.runtime.test_lifecycle import FAST, VERSIONS, client_module, read_request

TOKEN = "1000.hostile-server.0123456789"


def _hostile(server: MockServer, change: Callable[[Answer], None]) -> None:
    """Make ``server`` pass every answer through ``change`` before sending it."""
    honest = server.answer

    def answer(*args: Any) -> Answer:
        result = honest(*args)
        change(result)
        return result

    server.answer = answer  # type: ignore[method-assign]


def _repeat_paging() -> Callable[[Answer], None]:
    """Read job results that always say more records follow, naming the first
    page token ever sent (versions that have tokens) and page 1."""
    first_token: list[str] = []

    def change(answer: Answer) -> None:
        data = answer.body.get("data") if isinstance(answer.body, dict) else None
        result = data[0].get("result") if isinstance(data, list) and data else None
        if isinstance(result, dict):
            result["more_records"] = True
            result["page"] = 1
            if result.get("next_page_token") or first_token:
                first_token[:] = first_token or [result["next_page_token"]]
                result["next_page_token"] = first_token[0]

    return change


# Bug: a server repeating next_page_token (or the page number) made
# iter_bulk_read_rows create jobs and yield their rows forever.
@pytest.mark.parametrize(
    "version",
    [v for v in VERSIONS if v.product == "crm" and v.version in ("v2", "v8")],
    ids=lambda v: f"{v.product}-{v.version}",
)
def test_paging_that_repeats_itself_is_detected(
    zoho_bulk_mock_factory: MockFactory, version: Any
) -> None:
    server = zoho_bulk_mock_factory(records=4, per_page=2, polls_until_complete=0)
    _hostile(server, _repeat_paging())
    package = client_module(version)
    rows = []
    with package.Client(TOKEN, base_url=server.base_url, wait=FAST, retry=NO_RETRY) as client:
        with pytest.raises(PagingError, match="repeat"):
            for row in client.iter_bulk_read_rows(read_request(version)):
                rows.append(row)
                assert len(rows) < 100, "paging did not stop"
    assert len(server.state.read_jobs) == 2
    assert len(rows) == 4


# Bug: the Arrow batches kept their own paging loop without the check above,
# so the same server made iter_bulk_read_batches create jobs forever.
def test_batch_paging_that_repeats_itself_is_detected(
    zoho_bulk_mock_factory: MockFactory,
) -> None:
    pytest.importorskip("pyarrow")
    version = next(v for v in VERSIONS if v.product == "crm" and v.version == "v8")
    server = zoho_bulk_mock_factory(records=4, per_page=2, polls_until_complete=0)
    _hostile(server, _repeat_paging())
    package = client_module(version)
    batches = []
    with package.Client(TOKEN, base_url=server.base_url, wait=FAST, retry=NO_RETRY) as client:
        with pytest.raises(PagingError, match="repeat"):
            for batch in client.iter_bulk_read_batches(read_request(version)):
                batches.append(batch)
                assert len(batches) < 100, "paging did not stop"
    assert len(server.state.read_jobs) == 2


@contextmanager
def raw_server(respond: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 whose GET answers are written by ``respond``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            try:
                respond(self)
            except OSError:
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    http = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=http.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_address[1]}"
    finally:
        http.shutdown()
        http.server_close()


def _trickle(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/zip")
    handler.send_header("Content-Length", "10000")
    handler.end_headers()
    for _ in range(600):
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.05)


def _terabyte(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/zip")
    handler.send_header("Content-Length", str(10**12))
    handler.end_headers()
    handler.wfile.write(b"x" * 1000)
    time.sleep(5)


def _unannounced(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/zip")
    handler.send_header("Connection", "close")
    handler.end_headers()
    for _ in range(100):
        handler.wfile.write(b"x" * 1000)


@pytest.mark.parametrize(
    "respond, problem",
    [(_trickle, "took longer than"), (_terabyte, "larger than"), (_unannounced, "larger than")],
    ids=["trickle", "terabyte", "unannounced"],
)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_downloads_have_a_deadline_and_a_size_cap(
    tmp_path: Path, respond: Callable[[BaseHTTPRequestHandler], None], problem: str, mode: str
) -> None:
    import asyncio

    from zoho_bulk_crm.v7 import AsyncClient, Client

    limits = DownloadLimits(deadline=1.0, max_bytes=50_000)
    target = tmp_path / "result.zip"
    started = time.monotonic()
    with raw_server(respond) as base_url:
        with pytest.raises(DownloadLimitError, match=problem) as raised:
            if mode == "sync":
                with Client(TOKEN, base_url=base_url, retry=NO_RETRY, download_limits=limits) as c:
                    c.download_bulk_read_result("1", target)
            else:

                async def download() -> None:
                    async with AsyncClient(
                        TOKEN, base_url=base_url, retry=NO_RETRY, download_limits=limits
                    ) as client:
                        await client.download_bulk_read_result("1", target)

                asyncio.run(download())
    assert isinstance(raised.value, TransportError)
    assert time.monotonic() - started < 5
    assert list(tmp_path.iterdir()) == []


def _zip(name: str, text: str, *, stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


# Bug: one row of millions of empty fields was read into a list of millions of
# strings (a 2 MB zip cost 3.3 GB).
def test_a_row_longer_than_the_cap_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "wide.zip"
    path.write_bytes(_zip("wide.csv", "A,B\r\n" + "," * (MAX_ROW_CHARS + 1_000_000), stored=True))
    tracemalloc.start()
    try:
        with pytest.raises(ResultFileError, match="longer than"):
            list(iter_csv_rows(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_ROW_CHARS


def test_a_row_with_more_fields_than_the_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    header = ",".join(f"C{index}" for index in range(3))
    rows = f"{header}\r\n" + "x," * (MAX_FIELDS_PER_ROW + 5) + "\r\n"
    path.write_bytes(_zip("many.csv", rows, stored=True))
    with pytest.raises(ResultFileError, match=f"more than {MAX_FIELDS_PER_ROW:,} fields"):
        list(iter_csv_rows(path))


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"<html>not a zip</html>", "not a zip"),
        (
            _zip("r.csv", 'A,B\r\n"open,1\r\n' + "x" * (csv.field_size_limit() + 9), stored=True),
            "CSV",
        ),
        (_zip("r.csv", "A,B\r\n1,2\r\n")[:-30], "not a zip"),
        (_zip("r.txt", "A,B\r\n1,2\r\n"), "no .csv file"),
    ],
    ids=["html", "oversize-field", "truncated", "no-csv"],
)
def test_bad_result_files_raise_library_errors(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "bad.zip"
    path.write_bytes(content)
    for reader in (iter_csv_rows, iter_write_result_rows):
        with pytest.raises(ResultFileError, match=problem) as raised:
            list(reader(path))
        assert isinstance(raised.value, ZohoBulkError)


def test_undecodable_csv_is_a_library_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("r.csv", b"A\r\n" + "Müller\r\n".encode("latin-1"))
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ResultFileError, match="UTF-8"):
        list(iter_csv_rows(path))


# Bug: a production client took a token answer's api_domain over plain http
# when it named a loopback host.
def test_a_production_client_follows_api_domain_only_over_https() -> None:
    from zoho_bulk_core.auth import AccessToken, RefreshTokenCredentials
    from zoho_bulk_crm.v7 import Client

    credentials = RefreshTokenCredentials("id", "secret", "1000.refresh")
    with Client(credentials=credentials, data_center="EU") as client:
        transport = client._transport
        transport._adopt(AccessToken(TOKEN, expires_at=1e12, api_domain="http://127.0.0.1:9"))
        assert client.base_url == "https://www.zohoapis.eu"
        transport._adopt(AccessToken(TOKEN, expires_at=1e12, api_domain="https://127.0.0.1:9"))
        assert client.base_url == "https://127.0.0.1:9"


def test_paging_error_and_result_file_error_are_unexpected_responses() -> None:
    assert issubclass(PagingError, UnexpectedResponseError)
    assert issubclass(ResultFileError, UnexpectedResponseError)
