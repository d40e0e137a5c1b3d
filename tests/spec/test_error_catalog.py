"""The error catalog: one exception class per code, the statuses the spec gives
a code per product, version and operation (in the normalized spec and over
real HTTP from the mock), every error body shape the vendor sends mapped to
the typed exception, and the vendor's v8 OpenAPI codes all listed."""

from __future__ import annotations

import builtins
import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zoho_bulk_core
import zoho_bulk_core.errors as core_errors
from zoho_bulk_core.retry import NO_RETRY

from generator.mock.config import Fault
from generator.mock.pytest_plugin import MockFactory
from generator.mock.server import MockServer
from generator.spec.model import Operation
from generator.targets.python.names import python_errors
from tests.local_api import serve_local_api
from tests.runtime.test_lifecycle import FAST, ORG_ID, SPEC, UPLOAD, zipped_csv

TOKEN = "1000.catalog-test.0badc0de"
REPO = Path(__file__).resolve().parent.parent.parent
VENDOR_OAS = REPO.parent / "shared" / "vendor" / "crm-oas-v8"


def _operation(product: str, version: str, name: str) -> Operation:
    found = SPEC.find_version(product, version)
    assert found is not None
    return next(operation for operation in found.operations if operation.name == name)


def _status(product: str, version: str, operation: str, code: str) -> int | None:
    """The status of ``code`` in an operation, None if it does not list the code there."""
    listed = {error.code: error for error in _operation(product, version, operation).errors}
    return listed[code].http_status if code in listed else None


def _client(product: str, version: str, base_url: str, **options: Any) -> Any:
    package = importlib.import_module(f"zoho_bulk_{product}.{version.replace('.', '_')}")
    options.setdefault("retry", NO_RETRY)
    return package.Client(TOKEN, base_url=base_url, wait=FAST, **options)


# -- classes -----------------------------------------------------------------------


def test_every_code_has_its_own_class() -> None:
    classes = {error.class_name for error in python_errors(SPEC)}
    assert len(classes) == len(SPEC.errors)
    assert len(SPEC.errors) >= 70
    for error in python_errors(SPEC):
        error_class = getattr(core_errors, error.class_name)
        assert core_errors.ERROR_CLASSES[error.code] is error_class
        assert issubclass(error_class, core_errors.ApiError)
        assert error_class.documented_status == error.http_status
        assert error.class_name not in dir(builtins), error.class_name
        assert error.class_name not in vars(zoho_bulk_core) or (
            vars(zoho_bulk_core)[error.class_name] is error_class
        )


def test_a_code_named_like_a_builtin_gets_a_safe_class() -> None:
    error = next(error for error in python_errors(SPEC) if error.code == "FILE_NOT_FOUND")
    assert error.class_name == "FileNotFoundCodeError"
    assert core_errors.FileNotFoundCodeError is not FileNotFoundError
    assert core_errors.InternalServerError.__mro__[1] is core_errors.ServerError


def test_the_sdks_not_modified_value_is_not_a_code() -> None:
    # The SDKs' "Not Modified" is the HTTP 304 reason phrase, not a code.
    assert all(error.code.isupper() and " " not in error.code for error in SPEC.errors)


# -- statuses per product, version and operation -----------------------------------


@pytest.mark.parametrize(
    ("product", "version", "operation", "code", "status"),
    [
        ("crm", "v7", "get_bulk_write_job", "RESOURCE_NOT_FOUND", 404),
        ("crm", "v8", "get_bulk_write_job", "RESOURCE_NOT_FOUND", 400),
        ("crm", "v8", "download_bulk_read_result", "RESOURCE_NOT_FOUND", 400),
        ("crm", "v8", "get_bulk_read_job", "RESOURCE_NOT_FOUND", 404),
        ("bigin", "v2", "get_bulk_write_job", "RESOURCE_NOT_FOUND", 404),
        ("crm", "v2", "upload_file", "INVALID_FILE_FORMAT", 200),
        ("crm", "v2.1", "upload_file", "INVALID_FILE_FORMAT", 200),
        ("crm", "v3", "upload_file", "INVALID_FILE_FORMAT", 400),
        ("bigin", "v1", "upload_file", "INVALID_FILE_FORMAT", 200),
        ("bigin", "v2", "upload_file", "INVALID_FILE_FORMAT", 400),
        ("recruit", "v2", "upload_file", "INVALID_FILE_FORMAT", 200),
        ("recruit", "v2", "upload_file", "FILE_TOO_LARGE", 200),
        ("crm", "v7", "upload_file", "FILE_TOO_LARGE", 413),
        ("recruit", "v2", "upload_file", "OAUTH_SCOPE_MISMATCH", 404),
        ("recruit", "v2", "get_bulk_write_job", "OAUTH_SCOPE_MISMATCH", 401),
        # since: codes of a later version's features are not listed before it
        ("crm", "v2", "create_bulk_read_job", "CVID_NOT_SUPPORTED", None),
        ("crm", "v5", "create_bulk_read_job", "CVID_NOT_SUPPORTED", 400),
        ("bigin", "v1", "create_bulk_read_job", "CVID_NOT_SUPPORTED", 400),
        ("crm", "v5", "create_bulk_write_job", "INVALID_CALLBACK_METHOD", None),
        ("crm", "v6", "create_bulk_write_job", "INVALID_CALLBACK_METHOD", 400),
        ("crm", "v2", "create_bulk_read_job", "INVALID_CALLBACK_METHOD", 400),
        ("crm", "v2", "get_bulk_read_job", "INTERNAL_SERVER_ERROR", 500),
        ("crm", "v2.1", "get_bulk_write_job", "INTERNAL_SERVER_ERROR", None),
        ("crm", "v7", "create_bulk_write_job", "FILE_NOT_FOUND", None),
        ("crm", "v8", "create_bulk_write_job", "FILE_NOT_FOUND", 400),
    ],
)
def test_status_of_a_code_per_product_version_and_operation(
    product: str, version: str, operation: str, code: str, status: int | None
) -> None:
    assert _status(product, version, operation, code) == status


def test_operations_that_answer_errors_with_http_200_say_so() -> None:
    flagged = {
        (product.name, version.version, operation.name)
        for product in SPEC.products
        for version in product.versions
        for operation in version.operations
        if operation.errors_with_http_200
    }
    assert flagged == {
        ("crm", "v2", "upload_file"),
        ("crm", "v2.1", "upload_file"),
        ("bigin", "v1", "upload_file"),
        ("recruit", "v2", "upload_file"),
    }


def test_result_row_codes_are_marked() -> None:
    marked = {error.code for error in SPEC.errors if error.result_row}
    assert {"DUPLICATE_DATA", "NOT_APPROVED", "MANDATORY_NOT_FOUND"} <= marked
    assert "INVALID_TOKEN" not in marked


@pytest.mark.parametrize(
    ("version", "status"), [("v7", 404), ("v8", 400)], ids=["crm-v7", "crm-v8"]
)
def test_the_mock_answers_a_missing_write_job_with_the_versions_status(
    version: str, status: int, zoho_bulk_mock: MockServer
) -> None:
    with _client("crm", version, zoho_bulk_mock.base_url) as client:
        with pytest.raises(core_errors.ResourceNotFoundError) as raised:
            client.get_bulk_write_job("404404")
    assert (
        raised.value.http_status
        == status
        == _status("crm", version, "get_bulk_write_job", "RESOURCE_NOT_FOUND")
    )


@pytest.mark.parametrize(
    ("product", "version"),
    [("crm", "v2"), ("crm", "v3"), ("bigin", "v1"), ("bigin", "v2"), ("recruit", "v2")],
)
def test_the_mock_answers_upload_errors_with_the_products_status(
    product: str, version: str, zoho_bulk_mock_factory: MockFactory
) -> None:
    server = zoho_bulk_mock_factory(max_upload_bytes=64)
    with _client(product, version, server.base_url) as client:
        with pytest.raises(core_errors.InvalidFileFormatError) as not_zip:
            client.upload_file(b"not a zip", org_id=ORG_ID)
        with pytest.raises(core_errors.FileTooLargeError) as too_large:
            client.upload_file(UPLOAD, org_id=ORG_ID)
    assert not_zip.value.http_status == _status(
        product, version, "upload_file", "INVALID_FILE_FORMAT"
    )
    assert too_large.value.http_status == _status(product, version, "upload_file", "FILE_TOO_LARGE")


# -- error body shapes -----------------------------------------------------------


def test_a_wrapped_error_raises_the_class_of_its_code(zoho_bulk_mock: MockServer) -> None:
    zoho_bulk_mock.inject(
        Fault("error", code="INVALID_CRITERIA", shape="wrapped", path_contains="/v7/read")
    )
    with _client("crm", "v7", zoho_bulk_mock.base_url) as client:
        with pytest.raises(core_errors.InvalidCriteriaError) as raised:
            client.create_bulk_read_job({"query": {"module": {"api_name": "Contacts"}}})
    assert raised.value.code == "INVALID_CRITERIA"
    assert raised.value.http_status == 400


def test_an_upload_host_error_sent_with_http_200_raises_by_its_stated_status(
    zoho_bulk_mock: MockServer,
) -> None:
    zoho_bulk_mock.inject(Fault("error", shape="upload", status=200, path_contains="/upload"))
    with _client("crm", "v8", zoho_bulk_mock.base_url) as client:
        with pytest.raises(core_errors.BadRequestError) as raised:
            client.upload_file(UPLOAD, org_id=ORG_ID)
    assert type(raised.value) is core_errors.BadRequestError
    assert raised.value.code is None
    assert raised.value.http_status == 200
    assert raised.value.details["ERROR_CODE"] == 400
    assert "Bad Request" in raised.value.message


def test_an_upload_host_error_with_a_code_raises_the_class_of_its_code(
    zoho_bulk_mock: MockServer,
) -> None:
    zoho_bulk_mock.inject(
        Fault("error", code="NOT_SUPPORTED_FEATURE", shape="upload", path_contains="/upload")
    )
    with _client("crm", "v7", zoho_bulk_mock.base_url) as client:
        with pytest.raises(core_errors.NotSupportedFeatureError) as raised:
            client.upload_file(UPLOAD, org_id=ORG_ID)
    assert raised.value.code == "NOT_SUPPORTED_FEATURE"
    assert raised.value.http_status == 400


@pytest.fixture
def local_api() -> Iterator[Any]:
    with serve_local_api() as api:
        yield api


@pytest.mark.parametrize(
    ("status", "body", "expected", "code"),
    [
        # a plain error answered with HTTP 200
        (
            200,
            {"status": "error", "code": "INVALID_DATA", "message": "m", "details": {}},
            core_errors.InvalidDataError,
            "INVALID_DATA",
        ),
        # two wrapped errors: the first counts, the other is kept
        (
            400,
            {
                "data": [
                    {"status": "error", "code": "INVALID_CRITERIA", "message": "a", "details": {}},
                    {"status": "error", "code": "INVALID_DATA", "message": "b", "details": {}},
                ]
            },
            core_errors.InvalidCriteriaError,
            "INVALID_CRITERIA",
        ),
        # the upload shape answering a bad token with HTTP 401 and no code
        (
            401,
            {"ERROR_CODE": 401, "ERROR_MESSAGE": "Unauthorized"},
            core_errors.AuthenticationError,
            None,
        ),
        # the upload shape naming a code in ERROR_CODE, with HTTP 200
        (
            200,
            {"ERROR_CODE": "INVALID_FILE_FORMAT", "ERROR_MESSAGE": "Bad Request"},
            core_errors.InvalidFileFormatError,
            "INVALID_FILE_FORMAT",
        ),
        # the upload shape stating a 403 inside an HTTP 200
        (
            200,
            {"ERROR_CODE": 403, "ERROR_MESSAGE": "Forbidden", "info": "Forbidden"},
            core_errors.PermissionDeniedError,
            None,
        ),
        # an unknown code falls back on the HTTP status
        (
            413,
            {"status": "error", "code": "SOMETHING_NEW", "message": "m", "details": {}},
            core_errors.PayloadTooLargeError,
            "SOMETHING_NEW",
        ),
    ],
    ids=[
        "plain-200",
        "wrapped-two",
        "upload-401",
        "upload-code-200",
        "upload-403-in-200",
        "unknown-code",
    ],
)
def test_every_error_shape_maps_to_its_exception(
    local_api: Any, status: int, body: dict[str, Any], expected: type, code: str | None
) -> None:
    local_api.answer("POST", "/crm/v7/upload", status, body)
    with _client("crm", "v7", local_api.base_url) as client:
        with pytest.raises(core_errors.ApiError) as raised:
            client.upload_file(zipped_csv("Last_Name\r\nNg\r\n"), org_id=ORG_ID)
    assert type(raised.value) is expected
    assert raised.value.code == code
    assert raised.value.http_status == status
    assert raised.value.message
    if "data" in body:
        assert raised.value.details["other_errors"][0]["code"] == "INVALID_DATA"


def test_a_successful_enveloped_answer_is_not_an_error(local_api: Any) -> None:
    module = {"api_name": "Contacts", "id": "5725767000000002001"}
    job = {"id": "111", "operation": "read", "state": "ADDED", "query": {"module": module}}
    local_api.answer("GET", "/crm/bulk/v7/read/111", 200, {"data": [job]})
    with _client("crm", "v7", local_api.base_url) as client:
        assert client.get_bulk_read_job("111").id == "111"


# -- the vendor's OpenAPI --------------------------------------------------------

_VENDOR_OPERATIONS = {
    "Create Bulk Read Job": "create_bulk_read_job",
    "Get Bulk Read Job Details": "get_bulk_read_job",
    "Download Result": "download_bulk_read_result",
    "Upload File": "upload_file",
    "Create Bulk Write Job": "create_bulk_write_job",
    "Get Bulk Write Job Details": "get_bulk_write_job",
    "Download Bulk Write Result": "download_bulk_write_result",
}
"""The vendor's operationId of each operation (the facts, not its text)."""


def _error_schemas(document: dict[str, Any], node: Any, seen: frozenset[str]) -> Iterator[Any]:
    """Every object schema under ``node`` whose ``status`` is ``error``."""
    if isinstance(node, list):
        for item in node:
            yield from _error_schemas(document, item, seen)
        return
    if not isinstance(node, dict):
        return
    reference = node.get("$ref")
    if isinstance(reference, str):
        if reference.startswith("#/") and reference not in seen:
            target: Any = document
            for part in reference[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            yield from _error_schemas(document, target, seen | {reference})
        return
    status = node.get("properties", {}).get("status", {})
    if isinstance(status, dict) and "error" in status.get("enum", []):
        yield node
    for value in node.values():
        yield from _error_schemas(document, value, seen)


def _vendor_codes() -> dict[str, dict[str, dict[int, set[str]]]]:
    """Per operation, per HTTP status: the error codes of each error schema, by
    schema kind: ``dedicated`` (a schema of one or two codes) or ``listed`` (all)."""
    if not VENDOR_OAS.is_dir():
        pytest.skip("../shared/vendor/crm-oas-v8 is not present")
    found: dict[str, dict[str, dict[int, set[str]]]] = {}
    for path in sorted(VENDOR_OAS.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for item in document.get("paths", {}).values():
            for method in ("get", "post", "put", "patch", "delete"):
                vendor = item.get(method)
                if vendor is None:
                    continue
                name = _VENDOR_OPERATIONS[vendor["operationId"]]
                kinds = found.setdefault(name, {"listed": {}, "dedicated": {}})
                for status, response in vendor.get("responses", {}).items():
                    for schema in _error_schemas(document, response, frozenset()):
                        codes = set(schema["properties"].get("code", {}).get("enum", []))
                        kinds["listed"].setdefault(int(status), set()).update(codes)
                        if 0 < len(codes) <= 2:
                            kinds["dedicated"].setdefault(int(status), set()).update(codes)
    assert set(found) == set(_VENDOR_OPERATIONS.values())
    return found


def test_every_code_the_vendor_openapi_states_is_listed_for_its_operation() -> None:
    for operation, kinds in _vendor_codes().items():
        listed = {error.code for error in _operation("crm", "v8", operation).errors}
        stated = set().union(*kinds["listed"].values())
        assert stated, operation
        missing = stated - listed
        assert not missing, f"crm v8 {operation} lacks {sorted(missing)}"


def test_codes_with_their_own_vendor_schema_have_the_vendors_status() -> None:
    # A schema made for one or two codes states their status; the catch-all
    # lists (every write code under each write operation) do not.
    checked = 0
    for operation, kinds in _vendor_codes().items():
        for status, codes in kinds["dedicated"].items():
            if status < 400:
                continue
            for code in codes:
                assert _status("crm", "v8", operation, code) == status, (operation, code)
                checked += 1
    assert checked >= 15
