"""Every documented error code, caused for real against the mock, surfaces as
its own exception class; the token never shows in what an error says."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import zoho_bulk_core.errors as core_errors
from zoho_bulk_core.retry import NO_RETRY
from zoho_bulk_core.transport import decode_answer
from zoho_bulk_crm.v7 import AsyncClient, Client
from zoho_bulk_crm.v8 import Client as ClientV8

from generator.mock.config import Fault
from generator.mock.pytest_plugin import MockFactory
from generator.mock.server import MockServer
from generator.targets.python.names import error_classes
from tests.runtime.test_lifecycle import (
    FAST,
    ORG_ID,
    SPEC,
    UPLOAD,
    read_request,
    write_request,
    zipped_csv,
)

TOKEN = "1000.errors-test.feedfacecafe"
V7 = SPEC.find_version("crm", "v7")
V8 = SPEC.find_version("crm", "v8")
assert V7 is not None and V8 is not None


def _client(server: MockServer, token: str = TOKEN, **options: Any) -> Any:
    options.setdefault("retry", NO_RETRY)
    client_class = options.pop("client_class", Client)
    base_url = options.pop("base_url", server.base_url)
    return client_class(token, base_url=base_url, wait=FAST, **options)


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


def _raw(server: MockServer, method: str, path: str, **options: Any) -> None:
    """Send a request no generated client would send (its models refuse it, as
    the vendor does) and read the answer the way the clients do."""
    headers = {"Authorization": f"Zoho-oauthtoken {TOKEN}", **options.pop("headers", {})}
    response = httpx.request(method, server.base_url + path, headers=headers, **options)
    decode_answer(response)


def _read_with_criteria(criteria: Any) -> Callable[[MockServer, Path], None]:
    def cause(server: MockServer, scratch: Path) -> None:
        body = read_request(V7)
        body["query"]["criteria"] = criteria
        _raw(server, "POST", "/crm/bulk/v7/read", json=body)

    return cause


def _condition(comparator: str = "equal", value: Any = "x", **more: Any) -> dict[str, Any]:
    return {"field": {"api_name": "Last_Name"}, "comparator": comparator, "value": value, **more}


def _read_with_callback(callback: dict[str, Any]) -> Callable[[MockServer, Path], None]:
    def cause(server: MockServer, scratch: Path) -> None:
        _raw(server, "POST", "/crm/bulk/v7/read", json={**read_request(V7), "callback": callback})

    return cause


def _read_body(content: bytes, content_type: str) -> Callable[[MockServer, Path], None]:
    def cause(server: MockServer, scratch: Path) -> None:
        headers = {"Content-Type": content_type}
        _raw(server, "POST", "/crm/bulk/v7/read", content=content, headers=headers)

    return cause


def _request_body_not_supported(server: MockServer, scratch: Path) -> None:
    _raw(server, "POST", "/crm/bulk/v7/read", json={**read_request(V7), "unknown_key": 1})


def _missing_required_key(server: MockServer, scratch: Path) -> None:
    body = write_request(V7, _uploaded_file(server), "insert")
    del body["operation"]
    _raw(server, "POST", "/crm/bulk/v7/write", json=body)


def _coexistence_not_allowed(server: MockServer, scratch: Path) -> None:
    body = write_request(V7, _uploaded_file(server), "insert")
    body["resource"][0]["field_mappings"] = [
        {"api_name": "Last_Name", "index": 0, "default_value": {"value": "Doe"}}
    ]
    _raw(server, "POST", "/crm/bulk/v7/write", json=body)


def _file_not_found(server: MockServer, scratch: Path) -> None:
    with _client(server, client_class=ClientV8) as client:
        file_id = client.upload_file(UPLOAD, org_id=ORG_ID).file_id
    body = write_request(V8, file_id, "insert")
    body["resource"][0]["file_names"] = ["Elsewhere.csv"]
    _raw(server, "POST", "/crm/bulk/v8/write", json=body)


def _file_not_supported(server: MockServer, scratch: Path) -> None:
    with _client(server) as client:
        client.upload_file(zipped_csv("just text", name="notes.txt"), org_id=ORG_ID)


@dataclass(frozen=True)
class Situation:
    """Where a code is met: the operation answering it, in which version, and
    what makes the mock answer it."""

    operation: str
    cause: Callable[[MockServer, Path], None]
    version: str = "v7"


SITUATIONS: dict[str, Situation] = {
    "INVALID_URL_PATTERN": Situation("get_bulk_read_job", _invalid_url_pattern),
    "INVALID_REQUEST_METHOD": Situation("download_bulk_write_result", _invalid_request_method),
    "OAUTH_SCOPE_MISMATCH": Situation("get_bulk_read_job", _oauth_scope_mismatch),
    "NO_PERMISSION": Situation("get_bulk_read_job", _no_permission),
    "INTERNAL_ERROR": Situation("get_bulk_read_job", _internal_error),
    "AUTHORIZATION_FAILED": Situation("create_bulk_read_job", _authorization_failed),
    "RESOURCE_NOT_FOUND": Situation("get_bulk_write_job", _resource_not_found),
    "INVALID_TOKEN": Situation("get_bulk_read_job", _invalid_token),
    "INVALID_DATA": Situation("create_bulk_read_job", _invalid_data),
    "MANDATORY_NOT_FOUND": Situation("create_bulk_write_job", _mandatory_not_found),
    "TOO_MANY_REQUESTS": Situation("download_bulk_read_result", _too_many_requests),
    "INVALID_FILE_FORMAT": Situation("upload_file", _invalid_file_format),
    "FILE_TOO_LARGE": Situation("upload_file", _file_too_large),
    "NOT_SUPPORTED_FEATURE": Situation("upload_file", _not_supported_feature),
    "INVALID_FILE_ID": Situation("create_bulk_write_job", _invalid_file_id),
    "FILE_NOT_SUPPORTED": Situation("upload_file", _file_not_supported),
    "AMBIGUOUS_CRITERIA": Situation(
        "create_bulk_read_job",
        _read_with_criteria({**_condition(), "group_operator": "and", "group": [_condition()]}),
    ),
    "AMBIGUOUS_GROUP_IN_CRITERIA": Situation(
        "create_bulk_read_job", _read_with_criteria({"group": [_condition(), _condition()]})
    ),
    "GROUP_OPERATOR_NOT_SUPPORTED": Situation(
        "create_bulk_read_job",
        _read_with_criteria({"group_operator": "xor", "group": [_condition(), _condition()]}),
    ),
    "CRITERIA_LIMIT_EXCEEDED": Situation(
        "create_bulk_read_job",
        _read_with_criteria({"group_operator": "or", "group": [_condition()] * 26}),
    ),
    "VALUE_LIMIT_EXCEEDED_IN_CRITERIA": Situation(
        "create_bulk_read_job",
        _read_with_criteria(_condition("in", [str(n) for n in range(201)])),
    ),
    "COMPARATOR_AND_VALUE_IN_CRITERIA_NOT_COMPATIBLE": Situation(
        "create_bulk_read_job", _read_with_criteria(_condition("in", "only one"))
    ),
    "VALUE_TYPE_NOT_SUPPORTED": Situation(
        "create_bulk_read_job", _read_with_criteria(_condition(type="formula"))
    ),
    "INVALID_CRITERIA": Situation("create_bulk_read_job", _read_with_criteria("Last_Name = x")),
    "INVALID_CALLBACK_URL": Situation(
        "create_bulk_read_job",
        _read_with_callback({"url": "ftp://127.0.0.1/hook", "method": "post"}),
    ),
    "INVALID_CALLBACK_METHOD": Situation(
        "create_bulk_read_job",
        _read_with_callback({"url": "https://127.0.0.1/hook", "method": "get"}),
    ),
    "REQUEST_BODY_IS_EMPTY": Situation("create_bulk_read_job", _read_body(b"", "application/json")),
    "REQUEST_BODY_NOT_READABLE": Situation(
        "create_bulk_read_job", _read_body(b'{"query": ', "application/json")
    ),
    "MEDIA_TYPE_NOT_SUPPORTED": Situation(
        "create_bulk_read_job", _read_body(b"module=Contacts", "text/plain")
    ),
    "REQUEST_BODY_NOT_SUPPORTED": Situation("create_bulk_read_job", _request_body_not_supported),
    "MISSING_REQUIRED_KEY": Situation("create_bulk_write_job", _missing_required_key),
    "COEXISTENCE_NOT_ALLOWED": Situation("create_bulk_write_job", _coexistence_not_allowed),
    "FILE_NOT_FOUND": Situation("create_bulk_write_job", _file_not_found, version="v8"),
}
"""Codes a request causes (or, for INTERNAL_ERROR and TOO_MANY_REQUESTS, the
mock's existing 500 fault and download rate limit)."""

SERVER_SIDE = frozenset(
    {
        # The account, its limits and its licence.
        "ALREADY_USED",
        "AUTHENTICATION_FAILURE",
        "BAD_REQUEST",
        "INTERNAL_SERVER_ERROR",
        "INVALID_SERVICE_NAME",
        "JOB_NOT_SUPPORTED",
        "LIMIT_REACHED",
        "NOT_ALLOWED",
        "CALLBACK_FAILURE",
        "EXPIRED_VALUE",
        # The organization's modules, fields, views and layouts, which the mock does not model.
        "COMPARATOR_AND_ENCRYPTED_VALUE_IN_CRITERIA_NOT_COMPATIBLE",
        "CRITERIA_NOT_SUPPORTED",
        "CVID_NOT_SUPPORTED",
        "FIELD_AND_COMPARATOR_IN_CRITERIA_NOT_COMPATIBLE",
        "FIELD_AND_VALUE_IN_CRITERIA_NOT_COMPATIBLE",
        "FIELD_COMPARATOR_IN_CRITERIA_NOT_SUPPORTED",
        "FIELD_IN_CRITERIA_NOT_AVAILABLE",
        "FIELD_IN_CRITERIA_NOT_SUPPORTED",
        "FIELD_NOT_AVAILABLE",
        "FIELD_NOT_SUPPORTED",
        "INVALID_BULK_OPERATION",
        "INVALID_FIELD",
        "INVALID_FIELD_NAME",
        "INVALID_FORMAT",
        "INVALID_REQUEST",
        "JOIN_LIMIT_EXCEEDED",
        "MANDATORY_FIELDS_NOT_MAPPED",
        "MODULE_NOT_AVAILABLE",
        "MODULE_NOT_SUPPORTED",
        "PAGE_NOT_SUPPORTED",
        "PAGE_RANGE_EXCEEDED",
        "QUERY_NOT_SUPPORTED",
        "VALUE_IN_CRITERIA_NOT_SUPPORTED",
        # The records imported (in a result file these are row outcomes).
        "BLOCKED_RECORD",
        "CANNOT_PROCESS",
        "COLUMN_INDEX_NOT_FOUND",
        "DUPLICATE_DATA",
        "HEADER_LIMIT_EXCEEDED",
        "LIMIT_EXCEEDED",
        "NOT_APPROVED",
    }
)
"""Codes that depend on what the server holds, which the mock does not model:
a test injects them (Fault kind ``error``) into an operation that lists them."""

_CALLS: dict[str, Callable[[Client, Path], object]] = {
    "create_bulk_read_job": lambda client, scratch: client.create_bulk_read_job(read_request(V7)),
    "get_bulk_read_job": lambda client, scratch: client.get_bulk_read_job("111"),
    "download_bulk_read_result": lambda client, scratch: client.download_bulk_read_result(
        "111", scratch / "result.zip"
    ),
    "upload_file": lambda client, scratch: client.upload_file(UPLOAD, org_id=ORG_ID),
    "create_bulk_write_job": lambda client, scratch: client.create_bulk_write_job(
        write_request(V7, "4000000000000000001", "insert")
    ),
    "get_bulk_write_job": lambda client, scratch: client.get_bulk_write_job("111"),
}
"""One call of each operation a fault can be injected into (v7)."""

_PATHS = {
    "create_bulk_read_job": "/crm/bulk/v7/read",
    "get_bulk_read_job": "/crm/bulk/v7/read/111",
    "download_bulk_read_result": "/crm/bulk/v7/read/111/result",
    "upload_file": "/crm/v7/upload",
    "create_bulk_write_job": "/crm/bulk/v7/write",
    "get_bulk_write_job": "/crm/bulk/v7/write/111",
}


def _injected_situation(code: str) -> Situation:
    """The first operation (in spec order) that lists ``code`` in v7 or, failing
    that, in v8, with the code injected into its next answer."""
    for version in ("v7", "v8"):
        found = SPEC.find_version("crm", version)
        assert found is not None
        for operation in found.operations:
            listed = {error.code for error in operation.errors}
            if code in listed and operation.name in _CALLS:
                return Situation(operation.name, _inject(code, operation.name), version)
    raise AssertionError(f"no operation lists {code}")


def _inject(code: str, operation: str) -> Callable[[MockServer, Path], None]:
    def cause(server: MockServer, scratch: Path) -> None:
        server.inject(Fault("error", code=code, path_contains=_PATHS[operation]))
        with _client(server) as client:
            _CALLS[operation](client, scratch)

    return cause


def _situation(code: str) -> Situation:
    return SITUATIONS[code] if code in SITUATIONS else _injected_situation(code)


def test_every_documented_error_code_has_a_situation() -> None:
    assert not set(SITUATIONS) & SERVER_SIDE
    assert set(SITUATIONS) | SERVER_SIDE == {error.code for error in SPEC.errors}


@pytest.mark.parametrize("code", sorted(error.code for error in SPEC.errors))
def test_error_code_surfaces_as_its_exception(
    code: str, zoho_bulk_mock_factory: MockFactory, tmp_path: Path
) -> None:
    server = zoho_bulk_mock_factory(polls_until_complete=0)
    situation = _situation(code)
    version = SPEC.find_version("crm", situation.version)
    assert version is not None
    operation = next(op for op in version.operations if op.name == situation.operation)
    listed = {error.code: error for error in operation.errors}
    assert code in listed, f"{situation.operation} does not list {code} in crm {version.version}"
    expected = getattr(core_errors, error_classes(SPEC)[listed[code].code])

    with pytest.raises(core_errors.ApiError) as raised:
        situation.cause(server, tmp_path)

    assert type(raised.value) is expected
    assert raised.value.code == code
    assert raised.value.http_status == listed[code].http_status
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
