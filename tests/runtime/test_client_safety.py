"""The generated clients are safe with what the server sends: result zips cannot
write outside their folder or blow up memory, absolute URLs in answers do not
carry the token to foreign hosts, and the token shows in no log or repr."""

from __future__ import annotations

import io
import itertools
import logging
import zipfile
from pathlib import Path
from typing import Any

import pytest
from zoho_bulk_core.auth import AccessToken, RefreshTokenCredentials, TokenProvider
from zoho_bulk_core.errors import TransportError, UnexpectedResponseError
from zoho_bulk_core.results import extract_result_file, iter_csv_rows
from zoho_bulk_core.retry import NO_RETRY
from zoho_bulk_core.transport import is_trusted_host
from zoho_bulk_crm.v7 import Client

from generator.mock.server import MockServer
from tests.runtime.test_lifecycle import FAST, SPEC, read_request

V7 = SPEC.find_version("crm", "v7")
assert V7 is not None
TOKEN = "1000.safety-test.5ec2e7"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "bomb.zip", {"result.csv": b"Id\n" + b"0" * 20_000_000})
    assert bomb.stat().st_size < 100_000
    with pytest.raises(UnexpectedResponseError, match="refusing 'result.csv'"):
        next(iter_csv_rows(bomb))
    with pytest.raises(UnexpectedResponseError, match="refusing"):
        extract_result_file(bomb, tmp_path)


@pytest.mark.parametrize("name", ["../../escaped.csv", "..\\..\\escaped.csv", "/tmp/escaped.csv"])
def test_extraction_stays_inside_its_folder(tmp_path: Path, name: str) -> None:
    archive = _zip(tmp_path / "result.zip", {name: b"Id,Last_Name\r\n1,Ng\r\n"})
    folder = tmp_path / "deep" / "inside"
    folder.mkdir(parents=True)

    written = extract_result_file(archive, folder)

    assert written == folder / "escaped.csv"
    assert written.read_bytes() == b"Id,Last_Name\r\n1,Ng\r\n"
    escaped = [path for path in tmp_path.rglob("escaped.csv") if path != written]
    assert escaped == [] and not Path("/tmp/escaped.csv").exists()


def test_a_member_name_that_is_no_file_name_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "result.zip", {"data/..": b"x"})
    with pytest.raises(UnexpectedResponseError):
        extract_result_file(archive, tmp_path)


@pytest.mark.parametrize(
    ("host", "trusted"),
    [
        ("download-accl.zoho.com", True),
        ("www.zohoapis.eu", True),
        ("FILES.ZOHO.SA", True),
        ("zoho.com.evil.example", False),
        ("evilzoho.com", False),
        ("customer.zohoplatform.com", False),
        ("127.0.0.1", False),
    ],
)
def test_trusted_hosts_are_the_vendors_domains(host: str, trusted: bool) -> None:
    assert is_trusted_host(host) is trusted


@pytest.mark.parametrize(
    "url",
    ["https://evil.example.com/v7/crm/org1/bulk-write/1/1.zip", "http://download.zoho.com/x.zip"],
)
def test_download_urls_on_foreign_or_plain_http_hosts_are_refused(
    zoho_bulk_mock: MockServer, url: str, tmp_path: Path
) -> None:
    with Client(TOKEN, base_url=zoho_bulk_mock.base_url) as client:
        with pytest.raises(ValueError, match="refusing"):
            client.download_bulk_write_result(url, tmp_path / "result.zip")
    assert zoho_bulk_mock.state.requests == []


def test_the_token_shows_in_no_log_record_and_no_repr(
    zoho_bulk_mock: MockServer, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    secret, refresh = "very-secret-client-secret", "1000.refresh.never-logged"
    zoho_bulk_mock.register_client("client-9", secret, refresh)
    credentials = RefreshTokenCredentials("client-9", secret, refresh)
    caplog.set_level(logging.DEBUG)
    with Client(credentials=credentials, base_url=zoho_bulk_mock.base_url, wait=FAST) as client:
        rows = list(client.iter_bulk_read_rows(read_request(V7), workdir=tmp_path))
        zoho_bulk_mock.expire_tokens()  # a refresh on a 401 is logged too
        client.get_bulk_read_job(next(iter(zoho_bulk_mock.state.read_jobs)))
        shown = [repr(client), repr(credentials), repr(client._transport)]
    assert rows and zoho_bulk_mock.token_requests == 2
    assert caplog.records, "httpx logs its requests at this level"
    logged = [record.getMessage() for record in caplog.records]
    secrets = [secret, refresh, *zoho_bulk_mock.state.tokens]
    for text in logged + shown:
        assert not any(value in text for value in secrets), text


def test_token_objects_do_not_show_their_value() -> None:
    token = AccessToken(TOKEN, expires_at=1.0, api_domain="https://www.zohoapis.com")
    provider = TokenProvider(access_token=TOKEN, credentials=None, token_url="https://a/t")
    for text in [repr(token), str(token), repr(provider), str(provider)]:
        assert TOKEN not in text


def test_result_rows_stream_without_reading_the_whole_member(tmp_path: Path) -> None:
    import tracemalloc

    body = io.StringIO()
    body.write("Id,Note\r\n")
    for index in range(300_000):
        body.write(f'{index},"row {index}, with a comma"\r\n')
    text = body.getvalue().encode()
    archive = _zip(tmp_path / "rows.zip", {"rows.csv": text})
    del body
    tracemalloc.start()
    try:
        rows = iter_csv_rows(archive)
        assert next(rows) == {"Id": "0", "Note": "row 0, with a comma"}
        # Traced over the first fifth (tracing every allocation is slow): reading
        # the whole member, or keeping what was read, would pass the bound there.
        assert sum(1 for _ in itertools.islice(rows, 59_999)) == 59_999
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(1 for _ in rows) == 240_000
    assert len(text) > 9_000_000
    assert peak < len(text) / 10  # a small window of the member, never all of it


def _refreshing_client(server: MockServer, package: object = None, **options: object) -> Client:
    server.register_client("client-7", "secret-7", "1000.refresh-7")
    credentials = RefreshTokenCredentials("client-7", "secret-7", "1000.refresh-7")
    client_class = getattr(package, "Client", Client)
    return client_class(
        credentials=credentials,
        accounts_url=server.base_url,
        retry=NO_RETRY,
        timeout=2,
        **options,
    )


@pytest.mark.parametrize(
    ("package_name", "options", "host"),
    [
        ("zoho_bulk_crm.v7", {"environment": "sandbox"}, "https://sandbox.zohoapis.com"),
        ("zoho_bulk_crm.v7", {"environment": "developer"}, "https://developer.zohoapis.com"),
        ("zoho_bulk_recruit.v2", {"data_center": "EU"}, "https://recruit.zoho.eu"),
    ],
)
def test_only_production_api_clients_follow_the_token_api_domain(
    zoho_bulk_mock: MockServer, package_name: str, options: dict[str, str], host: str
) -> None:
    import importlib

    package = importlib.import_module(package_name)
    with _refreshing_client(zoho_bulk_mock, package, **options) as client:
        with pytest.raises(TransportError):  # the real host is out of reach here
            client.get_bulk_read_job("1")
        assert client.base_url == host
    assert zoho_bulk_mock.token_requests == 1
    assert [request for request in zoho_bulk_mock.state.requests if "bulk" in request[1]] == []


@pytest.mark.parametrize(
    "domain", ["https://evil.example.com", "http://www.zohoapis.com", "not a url"]
)
def test_an_api_domain_off_the_vendors_domains_is_not_followed(
    zoho_bulk_mock_factory: Any, domain: str
) -> None:
    server = zoho_bulk_mock_factory(api_domain=domain)
    with _refreshing_client(server, data_center="EU") as client:
        with pytest.raises(TransportError):
            client.get_bulk_read_job("1")
        assert client.base_url == "https://www.zohoapis.eu"


def test_a_download_answered_with_json_raises_and_leaves_no_file(tmp_path: Path) -> None:
    from zoho_bulk_core.errors import ResourceNotFoundError

    from tests.local_api import serve_local_api

    error = {"code": "RESOURCE_NOT_FOUND", "details": {}, "message": "gone", "status": "error"}
    with serve_local_api() as api, Client(TOKEN, base_url=api.base_url, retry=NO_RETRY) as client:
        api.answer("GET", "/crm/bulk/v7/read/1/result", 200, error)
        api.answer("GET", "/crm/bulk/v7/read/2/result", 200, {"status": "success"})
        with pytest.raises(ResourceNotFoundError):
            client.download_bulk_read_result("1", tmp_path / "one.zip")
        with pytest.raises(UnexpectedResponseError, match="holds no file"):
            client.download_bulk_read_result("2", tmp_path / "two.zip")
    assert list(tmp_path.iterdir()) == []


def test_a_data_center_api_domain_brings_its_upload_host_along(
    zoho_bulk_mock_factory: Any,
) -> None:
    server = zoho_bulk_mock_factory(api_domain="https://www.zohoapis.eu")
    with _refreshing_client(server, data_center="US") as client:
        assert client._transport.endpoints.upload == "https://content.zohoapis.com"
        with pytest.raises(TransportError):  # the real host is out of reach here
            client.get_bulk_read_job("1")
        assert client.base_url == "https://www.zohoapis.eu"
        assert client._transport.endpoints.upload == "https://content.zohoapis.eu"
        assert client._transport.endpoints.accounts == server.base_url
