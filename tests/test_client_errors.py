"""Every documented error code, caused for real against the mock, surfaces as
its own exception class; the token never shows in what an error says."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import zoho_bulk_core.errors as core_errors
from zoho_bulk_core.retry import NO_RETRY
from zoho_bulk_crm.v7 import AsyncClient, Client

from generator.mock.config import Fault
from generator.mock.pytest_plugin import MockFactory
from generator.mock.server import MockServer
from tests.test_lifecycle import FAST, ORG_ID, SPEC, UPLOAD, read_request, write_request

TOKEN = "1000.errors-test.feedfacecafe"
V7 = SPEC.find_version("crm", "v7")
assert V7 is not None


def _client(server: MockServer, token: str = TOKEN, **options: Any) -> Client:
    options.setdefault("retry", NO_RETRY)
    return Client(token, base_url=options.pop("base_url", server.base_url), wait=FAST, **options)


def _finished_read_job(server: MockServer) -> str:
    with _client(server) as client:
        created = client.create_bulk_read_job(read_request(V7))
        return client.wait_for_bulk_read_job(created.id).id


def _uploaded_file(server: MockServer) -> str:
    with _client(server) as client:
        return client.upload_file(UPLOAD, org_id=ORG_ID).file_id


def _invalid_url_pattern(server: MockServer, scratch: Path) -> None:
    with _client(server, base_url=server.base_url + "/elsewhere") as client:
        client.get_bulk_read_job("111")


def _invalid_request_method(server: MockServer, scratch: Path) -> None:
    with _client(server) as client:  # a GET where only POST is served
        client.download_bulk_write_result("/crm/bulk/v7/write", scratch / "unused.zip")


def _oauth_scope_mismatch(server: MockServer, scratch: Path) -> None:
    job_id = _finished_read_job(server)
    token = server.issue_token(scopes=["ZohoCRM.bulk.CREATE"])
    with _client(server, token) as client:
        client.get_bulk_read_job(job_id)


def _no_permission(server: MockServer, scratch: Path) -> None:
    job_id = _finished_read_job(server)
    with _client(server, server.issue_token(role="no_permission")) as client:
        client.get_bulk_read_job(job_id)


def _internal_error(server: MockServer, scratch: Path) -> None:
    server.inject(Fault("500", path_contains="/read/"))
    with _client(server) as client:
        client.get_bulk_read_job("111")


def _authorization_failed(server: MockServer, scratch: Path) -> None:
    with _client(server, server.issue_token(role="unauthorized")) as client:
        client.create_bulk_read_job(read_request(V7))


def _resource_not_found(server: MockServer, scratch: Path) -> None:
    with _client(server) as client:
        client.get_bulk_write_job("123456789")


def _invalid_token(server: MockServer, scratch: Path) -> None:
    token = server.issue_token()
    server.expire_tokens()
    with _client(server, token) as client:
        client.get_bulk_read_job("111")


def _invalid_data(server: MockServer, scratch: Path) -> None:
    with _client(server) as client:
        client.create_bulk_read_job({"query": {"page_token": "not-a-token-the-server-gave"}})


def _mandatory_not_found(server: MockServer, scratch: Path) -> None:
    request = write_request(V7, _uploaded_file(server), "update")
    del request["resource"][0]["find_by"]
    with _client(server) as client:
        client.create_bulk_write_job(request)


def _too_many_requests(server: MockServer, scratch: Path) -> None:
    job_id = _finished_read_job(server)
    server.configure(download_rate_limit=1)
    with _client(server) as client:
        client.download_bulk_read_result(job_id, scratch / "first.zip")
        client.download_bulk_read_result(job_id, scratch / "second.zip")


def _invalid_file_format(server: MockServer, scratch: Path) -> None:
    with _client(server) as client:
        client.upload_file(b"this is not a zip", org_id=ORG_ID)


def _file_too_large(server: MockServer, scratch: Path) -> None:
    server.configure(max_upload_bytes=64)
    with _client(server) as client:
        client.upload_file(UPLOAD, org_id=ORG_ID)


def _not_supported_feature(server: MockServer, scratch: Path) -> None:
    # A proxy that strips the feature header: the request itself is real.
    def strip_feature(request: httpx.Request) -> None:
        del request.headers["feature"]

    http = httpx.Client(event_hooks={"request": [strip_feature]})
    with _client(server, http_client=http) as client:
        client.upload_file(UPLOAD, org_id=ORG_ID)
    http.close()


def _invalid_file_id(server: MockServer, scratch: Path) -> None:
    with _client(server) as client:
        client.create_bulk_write_job(write_request(V7, "4000000000000000001", "insert"))


SITUATIONS: dict[str, Callable[[MockServer, Path], None]] = {
    "INVALID_URL_PATTERN": _invalid_url_pattern,
    "INVALID_REQUEST_METHOD": _invalid_request_method,
    "OAUTH_SCOPE_MISMATCH": _oauth_scope_mismatch,
    "NO_PERMISSION": _no_permission,
    "INTERNAL_ERROR": _internal_error,
    "AUTHORIZATION_FAILED": _authorization_failed,
    "RESOURCE_NOT_FOUND": _resource_not_found,
    "INVALID_TOKEN": _invalid_token,
    "INVALID_DATA": _invalid_data,
    "MANDATORY_NOT_FOUND": _mandatory_not_found,
    "TOO_MANY_REQUESTS": _too_many_requests,
    "INVALID_FILE_FORMAT": _invalid_file_format,
    "FILE_TOO_LARGE": _file_too_large,
    "NOT_SUPPORTED_FEATURE": _not_supported_feature,
    "INVALID_FILE_ID": _invalid_file_id,
}


def test_every_documented_error_code_has_a_situation() -> None:
    assert set(SITUATIONS) == {error.code for error in SPEC.errors}


@pytest.mark.parametrize("code", sorted(SITUATIONS))
def test_error_code_surfaces_as_its_exception(
    code: str, zoho_bulk_mock_factory: MockFactory, tmp_path: Path
) -> None:
    server = zoho_bulk_mock_factory(polls_until_complete=0)
    error = next(error for error in SPEC.errors if error.code == code)
    expected = getattr(core_errors, error.class_name)

    with pytest.raises(core_errors.ApiError) as raised:
        SITUATIONS[code](server, tmp_path)

    assert type(raised.value) is expected
    assert raised.value.code == code
    assert raised.value.http_status == error.http_status
    assert raised.value.message
    assert isinstance(raised.value.details, dict)
    for secret in [TOKEN, *server.state.tokens]:
        assert secret not in str(raised.value) and secret not in repr(raised.value)


@pytest.mark.parametrize(("product", "version"), [("bigin", "v1"), ("recruit", "v2")])
def test_upload_errors_sent_with_http_200_still_raise(
    product: str, version: str, zoho_bulk_mock: MockServer
) -> None:
    import importlib

    package = importlib.import_module(f"zoho_bulk_{product}.{version}")
    with package.Client(TOKEN, base_url=zoho_bulk_mock.base_url) as client:
        with pytest.raises(core_errors.InvalidFileFormatError) as raised:
            client.upload_file(b"not a zip", org_id=ORG_ID)
    assert raised.value.http_status == 200


def test_async_client_raises_the_same_classes(zoho_bulk_mock: MockServer) -> None:
    async def fetch() -> None:
        async with AsyncClient(TOKEN, base_url=zoho_bulk_mock.base_url) as client:
            await client.get_bulk_write_job("404404")

    with pytest.raises(core_errors.ResourceNotFoundError):
        asyncio.run(fetch())


def test_job_ids_are_checked_before_they_reach_a_url(zoho_bulk_mock: MockServer) -> None:
    with _client(zoho_bulk_mock) as client:
        for bad in ["../../oauth/v2/token", "12/34", "", "１２３"]:
            with pytest.raises(ValueError, match="invalid job_id"):
                client.get_bulk_read_job(bad)
    assert zoho_bulk_mock.state.requests == []


def test_plain_http_is_refused_except_on_loopback() -> None:
    with pytest.raises(ValueError, match="refusing plain http"):
        Client(TOKEN, base_url="http://api.example.com")
    with Client(TOKEN, base_url="http://127.0.0.1:9") as client:
        assert client.base_url == "http://127.0.0.1:9"
