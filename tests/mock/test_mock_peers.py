"""What independent tools found in the mock: every method gets a JSON answer
in the vendor's error shape, never the standard library's HTML page, and no
request drops the connection."""

from __future__ import annotations

import socket

import httpx
import pytest

from generator.mock.pytest_plugin import MockFactory

TOKEN = "1000.peer-test.0123456789"
AUTH = {"Authorization": f"Zoho-oauthtoken {TOKEN}"}


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "HEAD", "PROPFIND", "PUT"])
def test_undeclared_methods_get_the_vendors_json_error(
    zoho_bulk_mock_factory: MockFactory, method: str
) -> None:
    server = zoho_bulk_mock_factory()
    response = httpx.request(method, f"{server.base_url}/crm/bulk/v7/read", headers=AUTH)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    if method == "HEAD":
        assert response.content == b""
        return
    body = response.json()
    assert body["code"] == "INVALID_REQUEST_METHOD" and body["status"] == "error"


def test_a_malformed_request_line_gets_a_json_error(zoho_bulk_mock_factory: MockFactory) -> None:
    server = zoho_bulk_mock_factory()
    port = int(server.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414") and b"application/json" in head
    assert b'"status": "error"' in body and b"<html" not in body.lower()


# Bug: a write job with an empty resource list ended the connection
# (sorted(org_ids)[0] on nothing) instead of answering.
def test_a_write_job_without_resources_is_answered_with_a_documented_error(
    zoho_bulk_mock_factory: MockFactory,
) -> None:
    server = zoho_bulk_mock_factory()
    response = httpx.post(
        f"{server.base_url}/crm/bulk/v7/write",
        headers=AUTH,
        json={"operation": "insert", "resource": []},
    )
    assert response.status_code == 400
    # The request schema may refuse the empty list first (INVALID_DATA).
    assert response.json()["code"] in ("MANDATORY_NOT_FOUND", "INVALID_DATA")
    assert response.json()["details"] == {"json_path": "/resource"}
