"""The installed client packages, used as a user would, over real HTTP against
a local server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import SPEC_DIR
from tests.helpers import installed_models
from tests.local_api import LocalApi, serve_local_api

TOKEN = "1000.secret-token-value.abcdef"


@pytest.fixture
def api() -> Iterator[LocalApi]:
    with serve_local_api() as server:
        yield server


def _example(name: str) -> Any:
    return json.loads((SPEC_DIR / "examples" / f"{name}.json").read_text())


def _error(code: str) -> dict[str, Any]:
    return {"code": code, "details": {}, "message": f"{code} happened", "status": "error"}


def test_sync_client_fetches_a_write_job(api: LocalApi) -> None:
    from zoho_bulk_crm.v7 import Client, models

    installed_models("crm", "v7")
    api.answer(
        "GET", "/crm/bulk/v7/write/111111000000541958", 200, _example("crm-v7-write-completed")
    )
    with Client(TOKEN, base_url=api.base_url) as client:
        job = client.get_bulk_write_job("111111000000541958")
    assert isinstance(job, models.BulkWriteJob)
    assert job.id == "111111000000541958"
    assert job.resource and job.resource[0].module_api_name == "Deals"
    assert job.result and job.result.download_url.endswith(".zip")
    assert api.requests[0].headers["Authorization"] == f"Zoho-oauthtoken {TOKEN}"


def test_async_client_fetches_a_read_job(api: LocalApi) -> None:
    from zoho_bulk_bigin.v2 import AsyncClient, models

    api.answer(
        "GET", "/bigin/bulk/v2/read/554023000000568002", 200, _example("bigin-v2-read-completed-2")
    )

    async def fetch() -> Any:
        async with AsyncClient(TOKEN, base_url=api.base_url) as client:
            return await client.get_bulk_read_job("554023000000568002")

    job = asyncio.run(fetch())
    assert isinstance(job, models.BulkReadJob)
    assert job.state == "COMPLETED"
    assert job.query and job.query.module_api_name == "Contacts"
    assert job.result and job.result.more_records is False


@pytest.mark.parametrize(
    ("code", "status", "class_name", "base_name"),
    [
        ("RESOURCE_NOT_FOUND", 404, "ResourceNotFoundError", "NotFoundError"),
        ("OAUTH_SCOPE_MISMATCH", 401, "OauthScopeMismatchError", "AuthenticationError"),
        ("NO_PERMISSION", 403, "NoPermissionError", "PermissionDeniedError"),
        ("INTERNAL_ERROR", 500, "InternalError", "ServerError"),
        ("INVALID_REQUEST_METHOD", 400, "InvalidRequestMethodError", "BadRequestError"),
        ("AUTHORIZATION_FAILED", 400, "AuthorizationFailedError", "BadRequestError"),
        ("INVALID_URL_PATTERN", 404, "InvalidUrlPatternError", "NotFoundError"),
        ("INVALID_TOKEN", 401, "InvalidTokenError", "AuthenticationError"),
        ("SOMETHING_NEW", 409, "ApiError", "ApiError"),
        ("SOMETHING_NEW", 503, "ServerError", "ServerError"),
    ],
)
def test_error_answers_raise_their_exception(
    api: LocalApi, code: str, status: int, class_name: str, base_name: str
) -> None:
    from zoho_bulk_core import errors
    from zoho_bulk_core.retry import RetryPolicy
    from zoho_bulk_recruit.v2 import Client

    api.answer("GET", "/recruit/bulk/v2/write/42", status, _error(code))
    # The default policy's retries, without its waits (a 5xx is asked again).
    policy = RetryPolicy(backoff=0.001, jitter=0)
    with (
        Client(TOKEN, base_url=api.base_url, retry=policy) as client,
        pytest.raises(errors.ApiError) as caught,
    ):
        client.get_bulk_write_job("42")
    asked = 1 + policy.max_retries if status in policy.retry_statuses else 1
    assert len(api.requests) == asked
    assert type(caught.value).__name__ == class_name
    assert isinstance(caught.value, getattr(errors, base_name))
    assert caught.value.code == code
    assert caught.value.http_status == status
    assert caught.value.message == f"{code} happened"
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)


def test_error_body_with_http_200_is_an_error(api: LocalApi) -> None:
    from zoho_bulk_core.errors import ResourceNotFoundError
    from zoho_bulk_crm.v2 import Client

    api.answer("GET", "/crm/bulk/v2/write/7", 200, _error("RESOURCE_NOT_FOUND"))
    with Client(TOKEN, base_url=api.base_url) as client, pytest.raises(ResourceNotFoundError):
        client.get_bulk_write_job("7")


@pytest.mark.parametrize("job_id", ["../../oauth", "12/34", "", "12a", "1 2", "%2e%2e"])
def test_job_ids_are_checked_before_reaching_a_url(api: LocalApi, job_id: str) -> None:
    from zoho_bulk_crm.v7 import Client

    with (
        Client(TOKEN, base_url=api.base_url) as client,
        pytest.raises(ValueError, match="invalid job_id"),
    ):
        client.get_bulk_write_job(job_id)
    assert api.requests == []


def test_hosts_per_data_center_environment_and_custom_domain() -> None:
    from zoho_bulk_core.hosts import DATA_CENTERS
    from zoho_bulk_crm.v7 import Client
    from zoho_bulk_recruit.v2 import Client as RecruitClient

    assert set(DATA_CENTERS) == {"US", "EU", "IN", "AU", "CN", "JP", "CA", "SA", "UK"}
    assert Client(TOKEN, data_center="au").base_url == "https://www.zohoapis.com.au"
    assert (
        Client(TOKEN, data_center="EU", environment="sandbox").base_url
        == "https://sandbox.zohoapis.eu"
    )
    assert Client(TOKEN, domain="zylkercorp").base_url == "https://zylkercorp.zohoplatform.com"
    assert RecruitClient(TOKEN, data_center="IN").base_url == "https://recruit.zoho.in"
    assert Client(TOKEN, data_center="UK").base_url == "https://www.zohoapis.uk"
    assert DATA_CENTERS["UK"].accounts == "accounts.zoho.uk"
    with pytest.raises(ValueError, match="unknown data center 'XX'"):
        Client(TOKEN, data_center="XX")
    with pytest.raises(ValueError, match="invalid custom domain"):
        Client(TOKEN, domain="evil.com/x")
    with pytest.raises(ValueError, match="no custom domains"):
        RecruitClient(TOKEN, domain="zylkercorp")


def test_token_never_shows_in_reprs() -> None:
    from zoho_bulk_crm.v7 import AsyncClient, Client

    client = Client(TOKEN)
    assert TOKEN not in repr(client) and TOKEN not in repr(client._transport)
    assert TOKEN not in repr(AsyncClient(TOKEN))
    client.close()


def test_every_version_has_both_clients_and_both_operations() -> None:
    import importlib

    for product, versions in {
        "crm": ["v2", "v2_1", "v3", "v4", "v5", "v6", "v7", "v8"],
        "bigin": ["v1", "v2"],
        "recruit": ["v2"],
    }.items():
        for version in versions:
            module = importlib.import_module(f"zoho_bulk_{product}.{version}")
            for client_class in (module.Client, module.AsyncClient):
                assert callable(client_class.get_bulk_write_job)
                assert callable(client_class.get_bulk_read_job)
                assert client_class.get_bulk_write_job.__doc__.startswith(
                    "Get the details of a bulk write job."
                )


def test_the_shared_client_sends_to_its_own_versions_paths(api: LocalApi) -> None:
    from zoho_bulk_crm import v3, v4

    assert issubclass(v4.Client, v3.Client) and issubclass(v4.AsyncClient, v3.AsyncClient)
    assert v4.models.BulkWriteJob is v3.models.BulkWriteJob
    api.answer(
        "GET", "/crm/bulk/v4/write/111111000000541958", 200, _example("crm-v7-write-completed")
    )
    with v4.Client(TOKEN, base_url=api.base_url) as client:
        job = client.get_bulk_write_job("111111000000541958")
    assert isinstance(job, v4.models.BulkWriteJob)
    assert api.requests[-1].path == "/crm/bulk/v4/write/111111000000541958"

    async def fetch() -> Any:
        async with v4.AsyncClient(TOKEN, base_url=api.base_url) as client:
            return await client.get_bulk_write_job("111111000000541958")

    assert asyncio.run(fetch()).id == "111111000000541958"
    assert api.requests[-1].path == "/crm/bulk/v4/write/111111000000541958"
    # The earlier version's client still goes to its own paths.
    api.answer(
        "GET", "/crm/bulk/v3/write/111111000000541958", 200, _example("crm-v7-write-completed")
    )
    with v3.Client(TOKEN, base_url=api.base_url) as client:
        client.get_bulk_write_job("111111000000541958")
    assert api.requests[-1].path == "/crm/bulk/v3/write/111111000000541958"


def test_a_client_sharing_some_methods_sends_both_kinds_to_its_own_paths(
    api: LocalApi,
) -> None:
    from zoho_bulk_bigin import v1 as bigin_v1
    from zoho_bulk_bigin import v2 as bigin_v2
    from zoho_bulk_crm import v5, v6, v7

    assert issubclass(v7.Client, v6.Client) and issubclass(v6.Client, v5.Client)
    assert issubclass(bigin_v2.AsyncClient, bigin_v1.AsyncClient)
    # v7 reads its jobs in models of its own, and writes them as v5 does.
    assert "get_bulk_read_job" in vars(v7.Client) and "get_bulk_read_job" in vars(v7.AsyncClient)
    assert "get_bulk_write_job" not in vars(v7.Client)
    read = _example("crm-v8-read-completed")
    read["data"][0]["result"]["download_url"] = "/crm/bulk/v7/read/4876876000001294251/result"
    api.answer("GET", "/crm/bulk/v7/read/4876876000001294251", 200, read)
    api.answer(
        "GET", "/crm/bulk/v7/write/111111000000541958", 200, _example("crm-v7-write-completed")
    )
    with v7.Client(TOKEN, base_url=api.base_url) as client:
        job = client.get_bulk_read_job("4876876000001294251")
        written = client.get_bulk_write_job("111111000000541958")
    assert isinstance(job, v7.models.BulkReadJob) and job.state == "COMPLETED"
    assert isinstance(written, v7.models.BulkWriteJob)
    assert [r.path for r in api.requests] == [
        "/crm/bulk/v7/read/4876876000001294251",
        "/crm/bulk/v7/write/111111000000541958",
    ]


def test_a_request_error_names_the_clients_version_not_the_models(api: LocalApi) -> None:
    from zoho_bulk_core.requests import InvalidRequestError
    from zoho_bulk_crm import v4

    class Mine(v4.Client):
        pass

    for client_class, version in ((v4.Client, "zoho_bulk_crm.v4"), (Mine, "zoho_bulk_crm.v4")):
        with client_class(TOKEN, base_url=api.base_url) as client:
            with pytest.raises(InvalidRequestError) as raised:
                client.create_bulk_read_job(no_such_keyword="x")  # type: ignore[call-arg]
        assert f"({version})" in str(raised.value)
    assert v4.models.BulkReadRequest.__module__ != "zoho_bulk_crm.v4.models"
    assert not api.requests
