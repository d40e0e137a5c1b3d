"""The mock server itself: its command line, its routing of the spec's paths,
and the check that keeps its answers inside the generated schemas."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from generator.mock.answers import Answer
from generator.mock.server import MockServer
from tests.conftest import ROOT
from tests.runtime.test_lifecycle import SPEC

TOKEN = "1000.mock-test.1234"


def test_mock_command_prints_its_base_url_and_serves_every_product() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "mock", "--port", "0", "--polls", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith(
            "zoho-bulkgen mock: serving crm, bigin, recruit at http://127.0.0.1:"
        )
        base_url = line.rsplit(" ", 1)[-1]
        auth = {"Authorization": f"Zoho-oauthtoken {TOKEN}"}
        for path in ["/crm/bulk/v7/read", "/bigin/bulk/v2/read", "/recruit/bulk/v2/read"]:
            created = httpx.post(
                base_url + path, json={"query": {"module": "Contacts"}}, headers=auth
            )
            if path.startswith("/crm"):
                assert created.status_code == 400  # v7 wants the module as an object
                assert created.json()["code"] == "INVALID_DATA"
            else:
                assert created.status_code == 201, created.text
                assert created.json()["data"][0]["details"]["state"] == "ADDED"
        refused = httpx.get(base_url + "/crm/bulk/v7/read/1", headers={"Authorization": "x"})
        assert refused.status_code == 401 and refused.json()["code"] == "INVALID_TOKEN"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_mock_command_injects_the_faults_it_is_given() -> None:
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "generator", "mock", "--port", "0"),
            *("--fault", "429:count=2,retry_after=0,path=/read"),
            *("--fault", "500:path=/bigin/bulk/v2/write/"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
        auth = {"Authorization": f"Zoho-oauthtoken {TOKEN}"}
        read = {"query": {"module": "Contacts"}}
        answers = [
            httpx.post(base_url + "/bigin/bulk/v2/read", json=read, headers=auth) for _ in range(3)
        ]
        assert [answer.status_code for answer in answers] == [429, 429, 201]
        assert answers[0].headers["Retry-After"] == "0"
        assert answers[0].json()["code"] == "TOO_MANY_REQUESTS"
        statuses = [
            httpx.get(base_url + "/bigin/bulk/v2/write/111", headers=auth).status_code
            for _ in range(2)
        ]
        assert statuses == [500, 404]  # once the fault is spent, the job is unknown
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("boom", "unknown fault kind 'boom'"),
        ("429:count=x", "count in '429:count=x' must be a number"),
        ("slow:colour=red", "'colour=red' in 'slow:colour=red' is not one of count=..."),
        ("500:count=0", "a fault must apply to at least one request"),
    ],
)
def test_mock_command_refuses_a_bad_fault_in_one_line(fault: str, message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "mock", "--fault", fault],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr.strip().splitlines()[-1]


def test_mock_command_rejects_bad_options_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "mock", "--port", "99999"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].endswith("99999 is not a port number")


def test_vendor_shaped_tokens_pass_and_others_get_the_documented_401() -> None:
    with MockServer(SPEC) as server:
        for header, status in [
            (f"Zoho-oauthtoken {TOKEN}", 400),  # RESOURCE_NOT_FOUND: 400 in CRM v8
            ("Zoho-oauthtoken 999.not-vendor-shaped", 401),
            (f"Bearer {TOKEN}", 401),
            ("", 401),
        ]:
            answer = httpx.get(
                server.base_url + "/crm/bulk/v8/write/42", headers={"Authorization": header}
            )
            assert answer.status_code == status, header
            assert answer.json()["status"] == "error"


def test_scopes_are_enforced_per_module() -> None:
    with MockServer(SPEC, check_responses=True) as server:
        token = server.issue_token(
            scopes=["ZohoBigin.bulk.READ", "ZohoBigin.modules.Contacts.READ"]
        )
        auth = {"Authorization": f"Zoho-oauthtoken {token}"}
        url = server.base_url + "/bigin/bulk/v2/read"
        allowed = httpx.post(url, json={"query": {"module": "Contacts"}}, headers=auth)
        refused = httpx.post(url, json={"query": {"module": "Deals"}}, headers=auth)
        other_product = httpx.post(
            server.base_url + "/crm/bulk/v2/read",
            json={"query": {"module": "Contacts"}},
            headers=auth,
        )
        assert server.schema_errors == []
    assert allowed.status_code == 201
    assert refused.json()["code"] == other_product.json()["code"] == "OAUTH_SCOPE_MISMATCH"


def test_answers_outside_their_schema_are_reported() -> None:
    server = MockServer(SPEC, check_responses=True)
    try:
        schema = "schemas/crm/v7/get_bulk_write_job.response.json"
        server.check_answer(Answer(200, {"status": "COMPLETED"}, schema=schema))
        server.check_answer(Answer(200, {"status": "COMPLETED", "id": "1"}, schema=schema))
    finally:
        server.stop()
    assert server.schema_errors == [f"{schema}: : 'id' is a required property"]


def test_a_module_is_spelled_as_its_fields_type_declares() -> None:
    import dataclasses

    from generator.mock.operations import module_id, module_value
    from generator.spec.model import ProductVersion
    from generator.spec.type_expr import Named

    version = SPEC.find_version("crm", "v8")
    assert version is not None
    assert module_value(version, "BulkReadQueryRequest", "Leads") == {
        "api_name": "Leads",
        "id": module_id("Leads"),
    }
    field = next(f for f in version.type_named("BulkReadQueryRequest").fields if f.name == "module")
    assert isinstance(field.type, Named)
    reference = field.type.name

    def keeping(names: set[str]) -> ProductVersion:
        """``version`` with the module type's fields cut down to ``names``."""
        types = tuple(
            (
                dataclasses.replace(t, fields=tuple(f for f in t.fields if f.name in names))
                if t.name == reference
                else t
            )
            for t in version.types
        )
        return dataclasses.replace(version, types=types)

    assert module_value(keeping({"api_name"}), "BulkReadQueryRequest", "Leads") == {
        "api_name": "Leads"
    }
    # A type with neither field: the module's name, as a string type has it.
    assert module_value(keeping({"module_name"}), "BulkReadQueryRequest", "Leads") == "Leads"
