"""Clients under injected faults (429, 500, dropped connections, slow answers),
the OAuth refresh-token flow with concurrent callers, and callback
notifications, all over real HTTP against the mock."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from zoho_bulk_core.auth import FileTokenStore, RefreshTokenCredentials
from zoho_bulk_core.errors import AuthenticationError, InternalError, TransportError
from zoho_bulk_crm.v7 import AsyncClient, Client, parse_bulk_read_callback
from zoho_bulk_crm.v7 import parse_bulk_write_callback as parse_v7_write_callback

from generator.mock.config import Fault
from generator.mock.data import record_row
from generator.mock.pytest_plugin import MockFactory
from generator.mock.server import MockServer
from tests.runtime.test_lifecycle import (
    FAST,
    FIELDS,
    ORG_ID,
    QUICK_RETRY,
    SPEC,
    UPLOAD,
    read_request,
    write_request,
)

TOKEN = "1000.resilience-test.0badc0de"
V7 = SPEC.find_version("crm", "v7")
assert V7 is not None
SECRET = "client-secret-never-shown"
REFRESH = "1000.refresh-token-never-shown"


def _expected(count: int) -> list[dict[str, str]]:
    return [record_row(FIELDS, index) for index in range(count)]


def test_reads_survive_every_kind_of_fault_without_losing_or_repeating_rows(
    zoho_bulk_mock_factory: MockFactory,
) -> None:
    server = zoho_bulk_mock_factory(records=7, per_page=3, polls_until_complete=1)
    server.inject(
        Fault("429", retry_after=0, count=2, path_contains="/read/"),
        Fault("500", count=2, path_contains="/read/"),
        Fault("drop", count=1, path_contains="/result"),
        Fault("drop_mid_body", count=2, path_contains="/result"),
        Fault("slow", delay=0.05, count=3),
    )
    with Client(TOKEN, base_url=server.base_url, wait=FAST, retry=QUICK_RETRY) as client:
        rows = list(client.iter_bulk_read_rows(read_request(V7)))
    assert rows == _expected(7)
    assert server.state.faults == []  # every fault was met
    assert len(server.state.read_jobs) == 3


def test_async_reads_survive_faults(zoho_bulk_mock_factory: MockFactory) -> None:
    server = zoho_bulk_mock_factory(records=4, per_page=4, polls_until_complete=1)
    server.inject(
        Fault("500", count=1, path_contains="/read/"),
        Fault("drop_mid_body", count=1, path_contains="/result"),
        Fault("429", retry_after=0, count=1, path_contains="/result"),
    )

    async def export() -> list[dict[str, str]]:
        async with AsyncClient(
            TOKEN, base_url=server.base_url, wait=FAST, retry=QUICK_RETRY
        ) as client:
            return [row async for row in client.iter_bulk_read_rows(read_request(V7))]

    assert asyncio.run(export()) == _expected(4)
    assert server.state.faults == []


def test_retry_after_is_honored(zoho_bulk_mock: MockServer) -> None:
    zoho_bulk_mock.inject(Fault("429", retry_after=1, path_contains="/write/"))
    with Client(TOKEN, base_url=zoho_bulk_mock.base_url, retry=QUICK_RETRY) as client:
        started = time.monotonic()
        with pytest.raises(Exception, match="RESOURCE_NOT_FOUND|no bulk write job"):
            client.get_bulk_write_job("1234")
        waited = time.monotonic() - started
    assert waited >= 0.9  # the backoff alone would be a few milliseconds


def test_a_create_is_not_repeated_after_a_server_error(zoho_bulk_mock: MockServer) -> None:
    zoho_bulk_mock.inject(Fault("500", path_contains="/bulk/v7/read"))
    with Client(TOKEN, base_url=zoho_bulk_mock.base_url, retry=QUICK_RETRY) as client:
        with pytest.raises(InternalError):
            client.create_bulk_read_job(read_request(V7))
    creates = [r for r in zoho_bulk_mock.state.requests if r[0] == "POST"]
    assert len(creates) == 1
    assert zoho_bulk_mock.state.read_jobs == {}


def test_a_create_is_repeated_after_429_because_nothing_was_done(
    zoho_bulk_mock: MockServer,
) -> None:
    zoho_bulk_mock.inject(Fault("429", retry_after=0, path_contains="/bulk/v7/read"))
    with Client(TOKEN, base_url=zoho_bulk_mock.base_url, retry=QUICK_RETRY) as client:
        created = client.create_bulk_read_job(read_request(V7))
    assert list(zoho_bulk_mock.state.read_jobs) == [created.id]


def test_a_dropped_upload_is_not_repeated(zoho_bulk_mock: MockServer) -> None:
    zoho_bulk_mock.inject(Fault("drop", path_contains="/upload"))
    with Client(TOKEN, base_url=zoho_bulk_mock.base_url, retry=QUICK_RETRY) as client:
        with pytest.raises(TransportError) as raised:
            client.upload_file(UPLOAD, org_id=ORG_ID)
    assert TOKEN not in str(raised.value)
    assert [r for r in zoho_bulk_mock.state.requests if r[0] == "POST"] == [
        ("POST", "/crm/v7/upload")
    ]


def test_a_slow_answer_times_out(zoho_bulk_mock: MockServer) -> None:
    zoho_bulk_mock.inject(Fault("slow", delay=1.0, count=5))
    with Client(TOKEN, base_url=zoho_bulk_mock.base_url, timeout=0.2, retry=QUICK_RETRY) as client:
        with pytest.raises(TransportError, match="ReadTimeout"):
            client.get_bulk_write_job("1234")


# -- OAuth refresh-token flow ------------------------------------------------------------


def _credentials(server: MockServer, **options: Any) -> RefreshTokenCredentials:
    server.register_client("client-1", SECRET, REFRESH)
    return RefreshTokenCredentials("client-1", SECRET, REFRESH, **options)


def test_refresh_happens_once_when_many_threads_find_the_token_expired(
    zoho_bulk_mock: MockServer,
) -> None:
    credentials = _credentials(zoho_bulk_mock, refresh_margin=0)
    with Client(credentials=credentials, base_url=zoho_bulk_mock.base_url) as client:
        created = client.create_bulk_read_job(read_request(V7))
        assert zoho_bulk_mock.token_requests == 1
        zoho_bulk_mock.expire_tokens()
        barrier = threading.Barrier(16)
        states: list[str] = []

        def poll() -> None:
            barrier.wait()
            states.append(str(client.get_bulk_read_job(created.id).state))

        threads = [threading.Thread(target=poll) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(states) == 16
    assert zoho_bulk_mock.token_requests == 2


def test_refresh_happens_once_when_many_tasks_find_the_token_expired(
    zoho_bulk_mock: MockServer,
) -> None:
    credentials = _credentials(zoho_bulk_mock, refresh_margin=0)

    async def run() -> int:
        async with AsyncClient(credentials=credentials, base_url=zoho_bulk_mock.base_url) as client:
            created = await client.create_bulk_read_job(read_request(V7))
            zoho_bulk_mock.expire_tokens()
            jobs = await asyncio.gather(*(client.get_bulk_read_job(created.id) for _ in range(16)))
            return len(jobs)

    assert asyncio.run(run()) == 16
    assert zoho_bulk_mock.token_requests == 2


def test_token_is_refreshed_before_it_expires(zoho_bulk_mock_factory: MockFactory) -> None:
    # Tokens live 4 s; the margin is 1.9 s (under half the lifetime, so used
    # as given): the first calls have 2 s to finish, the last one comes with
    # 1.7 s of the first token left.
    server = zoho_bulk_mock_factory(token_lifetime=4.0)
    credentials = _credentials(server, refresh_margin=1.9)
    with Client(credentials=credentials, base_url=server.base_url) as client:
        with pytest.raises(Exception, match="no bulk write job"):
            client.get_bulk_write_job("1")
        # Not yet within the margin: the token is kept.
        with pytest.raises(Exception, match="no bulk write job"):
            client.get_bulk_write_job("1")
        assert server.token_requests == 1
        time.sleep(2.3)  # now within the margin, though the token still works
        with pytest.raises(Exception, match="no bulk write job"):
            client.get_bulk_write_job("1")
    assert server.token_requests == 2
    assert all(token.expires_at > time.monotonic() for token in server.state.tokens.values())


def test_a_margin_longer_than_the_token_lifetime_does_not_refresh_every_call(
    zoho_bulk_mock_factory: MockFactory,
) -> None:
    # Tokens that live 30 s, under the default 60 s margin: the token is
    # renewed once half its life has passed, not before every request.
    server = zoho_bulk_mock_factory(token_lifetime=30.0)
    with Client(credentials=_credentials(server), base_url=server.base_url) as client:
        for _ in range(5):
            with pytest.raises(Exception, match="no bulk write job"):
                client.get_bulk_write_job("1")
    assert server.token_requests == 1


def test_file_token_store_is_shared_between_clients(
    zoho_bulk_mock: MockServer, tmp_path: Path
) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    for _ in range(3):
        credentials = _credentials(zoho_bulk_mock, store=store)
        with Client(credentials=credentials, base_url=zoho_bulk_mock.base_url) as client:
            client.create_bulk_read_job(read_request(V7))
    assert zoho_bulk_mock.token_requests == 1
    assert (tmp_path / "token.json").stat().st_mode & 0o777 == 0o600


def test_refused_credentials_raise_without_the_secrets(zoho_bulk_mock: MockServer) -> None:
    zoho_bulk_mock.register_client("client-1", "another secret", REFRESH)
    credentials = RefreshTokenCredentials("client-1", SECRET, REFRESH)
    with Client(credentials=credentials, base_url=zoho_bulk_mock.base_url) as client:
        with pytest.raises(AuthenticationError, match="invalid_client") as raised:
            client.get_bulk_read_job("1")
        shown = [str(raised.value), repr(raised.value), repr(client), repr(credentials)]
    assert not any(SECRET in text or REFRESH in text for text in shown)


def test_api_domain_from_the_token_answer_is_followed(zoho_bulk_mock: MockServer) -> None:
    credentials = _credentials(zoho_bulk_mock)
    # Only the accounts host is local: the API host comes from the token answer.
    with Client(
        credentials=credentials,
        data_center="EU",
        accounts_url=zoho_bulk_mock.base_url,
    ) as client:
        assert client.base_url == "https://www.zohoapis.eu"
        created = client.create_bulk_read_job(read_request(V7))
        assert client.base_url == zoho_bulk_mock.base_url
    assert list(zoho_bulk_mock.state.read_jobs) == [created.id]


# -- callbacks ---------------------------------------------------------------------------


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[bytes]]]:
    """A local receiver of callback notifications: its URL and the bodies it got."""
    received: list[bytes] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/bulk", received
    server.shutdown()
    server.server_close()


def _wait_for(received: list[bytes]) -> bytes:
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.01)
    assert received, "no notification arrived"
    return received[0]


def test_read_callback_is_posted_and_parses_in_one_line(
    zoho_bulk_mock: MockServer, webhook: tuple[str, list[bytes]]
) -> None:
    url, received = webhook
    request = {**read_request(V7), "callback": {"url": url, "method": "post"}}
    with Client(TOKEN, base_url=zoho_bulk_mock.base_url, wait=FAST) as client:
        created = client.create_bulk_read_job(request)
        job = client.wait_for_bulk_read_job(created.id)

    notification = parse_bulk_read_callback(_wait_for(received))

    assert notification.job_id == job.id
    assert str(notification.state) == "COMPLETED"
    assert notification.result is not None and notification.result.count == job.result.count
    assert notification.query is not None and notification.query.module_api_name == "Contacts"


def test_write_callback_reports_a_failure(
    zoho_bulk_mock: MockServer, webhook: tuple[str, list[bytes]]
) -> None:
    url, received = webhook
    with Client(TOKEN, base_url=zoho_bulk_mock.base_url, wait=FAST) as client:
        uploaded = client.upload_file(UPLOAD, org_id=ORG_ID)
        request = write_request(V7, uploaded.file_id, "insert")
        request["callback"] = {"url": url, "method": "post"}
        request["resource"][0]["field_mappings"] = [{"api_name": "Last_Name", "index": 9}]
        created = client.create_bulk_write_job(request)
        with pytest.raises(Exception, match="FAILED"):
            client.wait_for_bulk_write_job(created.id)

    notification = parse_v7_write_callback(_wait_for(received))

    assert notification.job_id == created.id
    assert str(notification.status) == "FAILED"
    assert notification.resource and notification.resource[0].message


def test_callback_parsers_reject_what_is_not_a_notification() -> None:
    with pytest.raises(ValueError):
        parse_bulk_read_callback(b"{not json")
    with pytest.raises(ValueError):
        parse_bulk_read_callback(json.dumps({"job_id": "1"}))  # no state


def test_one_token_provider_serves_one_event_loop_after_another(
    zoho_bulk_mock: MockServer,
) -> None:
    # asyncio locks belong to one loop: a provider kept for the next loop (say,
    # a script calling asyncio.run several times) must give each loop its own,
    # or waiting on the lock fails there ("bound to a different event loop").
    from zoho_bulk_core.auth import TOKEN_PATH, TokenProvider

    credentials = _credentials(zoho_bulk_mock, refresh_margin=0)
    provider = TokenProvider(
        access_token=None,
        credentials=credentials,
        token_url=zoho_bulk_mock.base_url + TOKEN_PATH,
    )

    async def refresh_together() -> set[str]:
        async with httpx.AsyncClient() as http:
            first = await provider.atoken(http)
            tokens = await asyncio.gather(
                *(provider.atoken(http, failed=first.value) for _ in range(8))
            )
        return {token.value for token in tokens}

    for _ in range(4):
        assert len(asyncio.run(refresh_together())) == 1
    # The first token, then one refresh per loop.
    assert zoho_bulk_mock.token_requests == 5
