"""Issue 12, as a user meets it: the same keyword call (criteria written in any
version's spelling, ignore_empty) sent over real HTTP to the mock for every
product version arrives in that version's own shape; and every failure a user
can meet outside the API's answers (settings, URLs, local files, unreadable
answers and callback bodies) is one of the library's own exceptions, one line,
importable from the package root of the installed packages."""

from __future__ import annotations

import asyncio
import errno
import gzip
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
import zoho_bulk_core
from zoho_bulk_core import (
    ApiError,
    CallbackBodyError,
    ConfigurationError,
    InvalidRequestError,
    LocalFileError,
    ResultFileError,
    RetryPolicy,
    UnexpectedResponseError,
    UnsafeUrlError,
    WaitPolicy,
    ZohoBulkError,
)
from zoho_bulk_core.auth import AccessToken, FileTokenStore, parse_token_answer
from zoho_bulk_core.results import iter_csv_rows
from zoho_bulk_core.transport import DownloadLimits

from generator.mock.pytest_plugin import MockFactory
from generator.spec.model import ProductVersion
from tests.local_api import serve_local_api
from tests.runtime.test_lifecycle import UPLOAD
from tests.test_users import FAST, ORG_ID, TOKEN, VERSIONS, _label, client, package

# The newest versions' spelling: field objects, a literal ``type``, upper-case
# operators, a field named by a bare string; nested groups.
CRITERIA: dict[str, Any] = {
    "group_operator": "AND",
    "group": [
        {
            "field": {"api_name": "Lead_Source"},
            "comparator": "in",
            "value": ["Web", "Trade Show"],
            "type": "value",
        },
        {
            "group_operator": "or",
            "group": [
                {"api_name": "Email", "comparator": "ends_with", "value": "@example.org"},
                {"field": "Annual_Revenue", "comparator": "greater_equal", "value": 50000},
            ],
        },
    ],
}


def condition_keys(version: ProductVersion) -> set[str]:
    """The keys the version's criteria conditions take (its generated model, from the spec)."""
    return set(package(version).models.CriteriaCondition.model_fields)


def expected_criteria(version: ProductVersion) -> dict[str, Any]:
    """CRITERIA as the version's own body carries it."""
    keys = condition_keys(version)
    first: dict[str, Any] = {"comparator": "in", "value": ["Web", "Trade Show"]}
    if "field" in keys:
        first["field"] = {"api_name": "Lead_Source"}
    else:
        first["api_name"] = "Lead_Source"
    if "type" in keys:
        first["type"] = "value"
    return {
        "group_operator": "and",
        "group": [
            first,
            {
                "group_operator": "or",
                "group": [
                    {"api_name": "Email", "comparator": "ends_with", "value": "@example.org"},
                    {"api_name": "Annual_Revenue", "comparator": "greater_equal", "value": 50000},
                ],
            },
        ],
    }


# --- one keyword call, each version's shape on the wire ------------------------------


@pytest.mark.parametrize("version", VERSIONS, ids=_label)
def test_keyword_criteria_and_ignore_empty_reach_the_server_in_the_versions_shape(
    version: ProductVersion, zoho_bulk_mock_factory: MockFactory
) -> None:
    server = zoho_bulk_mock_factory(records=3, per_page=2, polls_until_complete=1)
    with client(version, server.base_url) as api:
        rows = list(
            api.iter_bulk_read_rows(module="Contacts", fields=["Id", "Email"], criteria=CRITERIA)
        )
        assert len(rows) == 3
        uploaded = api.upload_file(("c.zip", UPLOAD), org_id=ORG_ID)
        job = api.create_bulk_write_job(
            operation="insert", module="Contacts", file_id=uploaded.file_id, ignore_empty=True
        )
        done = api.wait_for_bulk_write_job(job.id)
    # What the mock received (and checked against the version's request schema).
    read_jobs = list(server.state.read_jobs.values())
    assert len(read_jobs) == 2  # two pages, both filtered
    assert all(read.criteria == expected_criteria(version) for read in read_jobs)
    sent = server.state.write_jobs[job.id].request
    assert sent["ignore_empty"] is True
    assert [resource["ignore_empty"] for resource in sent["resource"]] == [True]
    assert done.ignore_empty is True and done.status == "COMPLETED"

    async def create() -> str:
        async with package(version).AsyncClient(TOKEN, base_url=server.base_url, wait=FAST) as api:
            created = await api.create_bulk_read_job(module="Contacts", criteria=CRITERIA)
            return str(created.id)

    job_id = asyncio.run(create())
    assert server.state.read_jobs[job_id].criteria == expected_criteria(version)


@pytest.mark.parametrize("version", VERSIONS, ids=_label)
def test_a_criteria_type_a_version_cannot_carry_is_refused_by_pointer(
    version: ProductVersion, zoho_bulk_mock_factory: MockFactory
) -> None:
    criteria = {
        "group_operator": "and",
        "group": [
            {"api_name": "Email", "comparator": "equal", "value": "a@b.c"},
            {"api_name": "Owner", "comparator": "equal", "value": "x", "type": "formula"},
        ],
    }
    server = zoho_bulk_mock_factory()
    with client(version, server.base_url) as api:
        if "type" in condition_keys(version):
            # The version has types: the server is the judge, and says no.
            with pytest.raises(ApiError) as refused:
                api.create_bulk_read_job(module="Contacts", criteria=criteria)
            assert refused.value.code in {"VALUE_TYPE_NOT_SUPPORTED", "INVALID_CRITERIA"}
            return
        with pytest.raises(InvalidRequestError) as caught:
            api.create_bulk_read_job(module="Contacts", criteria=criteria)
    assert caught.value.pointers == ("/query/criteria/group/1/type",)
    assert "literal values only" in str(caught.value) and "\n" not in str(caught.value)
    assert server.state.read_jobs == {}  # nothing was sent


def test_a_field_named_twice_differently_is_refused_where_it_must_become_api_name() -> None:
    crm_v2 = next(v for v in VERSIONS if (v.product, v.version) == ("crm", "v2"))
    api = package(crm_v2).Client(TOKEN, base_url="http://127.0.0.1:9")
    bad = {"field": {"api_name": "Email"}, "api_name": "Phone", "comparator": "equal", "value": 1}
    with pytest.raises(InvalidRequestError) as caught:
        api.create_bulk_read_job(module="Contacts", criteria=bad)
    assert caught.value.pointers == ("/query/criteria/field",)
    with pytest.raises(InvalidRequestError, match="api_name"):
        api.create_bulk_read_job(
            module="Contacts", criteria={"field": {"id": "1"}, "comparator": "equal", "value": 1}
        )


# --- settings and URLs ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "error", "words"),
    [
        ({"data_center": "XX"}, ConfigurationError, "unknown data center 'XX'"),
        ({"base_url": "ftp://files.example.com"}, UnsafeUrlError, "absolute http(s) URL"),
        ({"base_url": "http://example.com"}, UnsafeUrlError, "use https"),
        ({"base_url": "http://[::1"}, UnsafeUrlError, "not a usable URL"),
        ({"base_url": "https://127.0.0.1:99999"}, UnsafeUrlError, "not a usable URL"),
        (
            {"upload_url": "http://example.com", "base_url": "https://a.example"},
            UnsafeUrlError,
            "use https",
        ),
        ({"domain": "not a domain"}, ConfigurationError, "invalid custom domain"),
        ({"access_token": None}, ConfigurationError, "give either access_token or credentials"),
        ({"access_token": "two words"}, ConfigurationError, "without spaces"),
        ({"timeout": -1}, ConfigurationError, "timeout must be a number of seconds above 0"),
        ({"timeout": float("nan")}, ConfigurationError, "got nan"),
    ],
)
def test_unusable_client_settings_are_configuration_errors(
    settings: dict[str, Any], error: type[ZohoBulkError], words: str
) -> None:
    crm = package([version for version in VERSIONS if version.product == "crm"][-1])
    arguments = {"access_token": TOKEN, **settings}
    token = arguments.pop("access_token")
    with pytest.raises(error) as caught:
        crm.Client(token, **arguments)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, ZohoBulkError)
    assert words in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: WaitPolicy(initial_delay=-1), "initial_delay must be a number of 0 or more"),
        (lambda: WaitPolicy(multiplier=0.5), "multiplier must be 1 or more"),
        (lambda: WaitPolicy(timeout=0), "timeout must be above 0"),
        (lambda: WaitPolicy(max_delay=float("nan")), "max_delay"),
        (lambda: RetryPolicy(max_retries=-1), "max_retries must be 0 or more"),
        (lambda: RetryPolicy(backoff=float("inf")), "backoff must be a number"),
        (lambda: RetryPolicy(jitter=2), "jitter must be from 0 to 1"),
        (lambda: DownloadLimits(deadline=0), "deadline must be above 0"),
        (lambda: DownloadLimits(max_bytes=True), "max_bytes must be above 0"),
    ],
)
def test_policies_that_cannot_work_are_configuration_errors(make: Any, words: str) -> None:
    # Before: time.sleep(-1) or an endless wait, deep inside a call.
    with pytest.raises(ConfigurationError, match=words) as caught:
        make()
    assert isinstance(caught.value, ValueError) and "\n" not in str(caught.value)
    assert WaitPolicy(timeout=float("inf")).timeout == float("inf")  # waiting forever is allowed


@pytest.mark.parametrize("header", ["\u00b2", "Mon, 99 Foo 99999 99:99:99 GMT", "9" * 400])
def test_odd_retry_after_headers_never_escape(header: str) -> None:
    from zoho_bulk_core.retry import parse_retry_after

    delay = RetryPolicy().delay(0, header)
    assert 0 <= delay <= RetryPolicy().max_retry_after
    assert parse_retry_after(header) is None or parse_retry_after(header) >= 0


def test_a_custom_domain_on_a_product_without_them_is_a_configuration_error() -> None:
    bigin = next(v for v in VERSIONS if v.product == "bigin")
    with pytest.raises(ConfigurationError, match="no custom domains"):
        package(bigin).Client(TOKEN, domain="acme")


def test_a_result_url_on_a_foreign_host_is_an_unsafe_url_error(tmp_path: Path) -> None:
    with serve_local_api() as local:
        api = package(VERSIONS[-1]).Client(TOKEN, base_url=local.base_url)
        with pytest.raises(UnsafeUrlError, match="refusing to send the token to files.example.net"):
            api.download_bulk_write_result("https://files.example.net/r.zip", tmp_path / "r.zip")
        assert local.requests == []


# --- local files ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_an_upload_source_that_cannot_be_read_is_a_local_file_error(
    kind: str, tmp_path: Path
) -> None:
    source = tmp_path / ("nothing.zip" if kind == "missing" else "")
    with serve_local_api() as local:
        api = package(VERSIONS[-1]).Client(TOKEN, base_url=local.base_url)
        with pytest.raises(LocalFileError) as caught:
            api.upload_file(source, org_id=ORG_ID)
        assert local.requests == []  # refused before anything was sent
    error = caught.value
    assert isinstance(error, OSError) and isinstance(error, ZohoBulkError)
    assert error.errno == (errno.ENOENT if kind == "missing" else errno.EISDIR)
    assert error.filename == str(source)
    assert str(error).startswith(f"cannot read the file to upload {str(source)!r}: ")
    assert "\n" not in str(error)


@pytest.mark.parametrize("source", [("only-a-name.zip",), ("a.zip", "text, not bytes"), 42])
def test_an_upload_source_of_no_known_kind_is_an_invalid_request_error(source: Any) -> None:
    api = package(VERSIONS[0]).Client(TOKEN, base_url="http://127.0.0.1:9")
    with pytest.raises(InvalidRequestError, match=r"file to upload: give a path, the bytes"):
        api.upload_file(source, org_id=ORG_ID)


def test_a_download_into_a_missing_folder_is_a_local_file_error(
    tmp_path: Path, zoho_bulk_mock_factory: MockFactory
) -> None:
    server = zoho_bulk_mock_factory(records=2, polls_until_complete=1)
    with client(VERSIONS[-1], server.base_url) as api:
        created = api.create_bulk_read_job(module="Contacts")
        job_id = created.id
        api.wait_for_bulk_read_job(job_id)
        destination = tmp_path / "no-such-folder" / "result.zip"
        with pytest.raises(LocalFileError, match="cannot write the download to") as caught:
            api.download_bulk_read_result(job_id, destination)
        assert caught.value.errno == errno.ENOENT
        # The same call into a folder that exists works: nothing was left half done.
        assert api.download_bulk_read_result(job_id, tmp_path / "result.zip").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["result.zip"]


def test_a_token_file_that_cannot_be_written_is_a_local_file_error(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("not a folder")
    store = FileTokenStore(tmp_path / "plain-file" / "token.json")
    with pytest.raises(LocalFileError, match="cannot write the token file") as caught:
        store.save(AccessToken("1000.abc", expires_at=None))
    assert isinstance(caught.value, OSError) and "1000.abc" not in str(caught.value)
    assert store.load() is None


def _encrypted_zip() -> bytes:
    """A zip whose member is marked encrypted (flag bit 0 in both headers)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("r.csv", b"Id\r\n1\r\n")
    data = bytearray(buffer.getvalue())
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 6] |= 1
    data[central + 8] |= 1
    return bytes(data)


def test_result_files_missing_or_locked_raise_the_librarys_errors(tmp_path: Path) -> None:
    with pytest.raises(LocalFileError, match="cannot use the result file") as caught:
        list(iter_csv_rows(tmp_path / "none.zip"))
    assert caught.value.errno == errno.ENOENT
    (tmp_path / "locked.zip").write_bytes(_encrypted_zip())
    with pytest.raises(ResultFileError, match="cannot be unpacked"):
        list(iter_csv_rows(tmp_path / "locked.zip"))


# --- answers and callback bodies that cannot be read ---------------------------------------


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"this is not gzip", {"Content-Encoding": "gzip"}),
        (b"[" * 100_000 + b"]" * 100_000, {}),
        (gzip.compress(b'{"data": [1]}')[:-12], {"Content-Encoding": "gzip"}),
    ],
    ids=["bad-gzip", "deep-json", "cut-gzip"],
)
def test_an_answer_that_cannot_be_read_is_an_unexpected_response_error(
    body: bytes, headers: dict[str, str]
) -> None:
    version = VERSIONS[-1]
    path = f"/{version.product}/bulk/{version.version}/read/123"
    with serve_local_api() as local:
        local.answer_raw("GET", path, 200, body, headers)
        with package(version).Client(TOKEN, base_url=local.base_url) as api:
            with pytest.raises(UnexpectedResponseError) as caught:
                api.get_bulk_read_job("123")

        async def fetch() -> None:
            async with package(version).AsyncClient(TOKEN, base_url=local.base_url) as api:
                await api.get_bulk_read_job("123")

        with pytest.raises(UnexpectedResponseError):
            asyncio.run(fetch())
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"state": ' + b"1" * 5000 + b"}"],
    ids=["too-deep", "too-many-digits"],
)
def test_callback_bodies_past_pythons_limits_are_callback_body_errors(body: bytes) -> None:
    parse = package(VERSIONS[-1]).parse_bulk_read_callback
    with pytest.raises(CallbackBodyError, match="is not readable JSON"):
        parse(body)


def test_a_token_answer_with_an_absurd_lifetime_is_read_without_overflow() -> None:
    huge = b'{"access_token": "1000.x", "expires_in": 1' + b"0" * 400 + b"}"
    token = parse_token_answer(httpx.Response(200, content=huge))
    assert token.value == "1000.x" and token.expires_at is None
    fine = parse_token_answer(
        httpx.Response(200, json={"access_token": "1000.y", "expires_in": 60})
    )
    assert fine.expires_at is not None and fine.issued_at is not None
    assert fine.expires_at - fine.issued_at == 60


# --- as installed, from a folder outside the project ------------------------------------------


def test_the_new_errors_come_from_the_installed_package_root_in_any_folder(tmp_path: Path) -> None:
    script = """
import errno, json, zoho_bulk_core
from zoho_bulk_core import ConfigurationError, LocalFileError, UnsafeUrlError, ZohoBulkError
from zoho_bulk_bigin.v2 import Client
LOCAL = "http://127.0.0.1:9"
seen = {}
for name, call in [
    ("data_center", lambda: Client("1000.t", data_center="XX")),
    ("base_url", lambda: Client("1000.t", base_url="http://example.com")),
    ("upload", lambda: Client("1000.t", base_url=LOCAL).upload_file("missing.zip", org_id="1")),
]:
    try:
        call()
    except ZohoBulkError as error:
        seen[name] = [type(error).__name__, isinstance(error, (ValueError, OSError)), str(error)]
print(json.dumps({"file": zoho_bulk_core.__file__, "seen": seen}))
"""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert "/runtime/" not in report["file"]
    seen = report["seen"]
    assert seen["data_center"][:2] == ["ConfigurationError", True]
    assert seen["base_url"][:2] == ["UnsafeUrlError", True]
    assert seen["upload"][:2] == ["LocalFileError", True]
    assert "missing.zip" in seen["upload"][2]
    exported = {"ConfigurationError", "UnsafeUrlError", "LocalFileError"}
    assert exported <= set(zoho_bulk_core.__all__)
