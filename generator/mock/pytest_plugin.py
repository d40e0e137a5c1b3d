"""Pytest fixtures that run the mock Bulk API for a test.

Load it with ``pytest_plugins = ["generator.mock.pytest_plugin"]``. The spec is
read from the ``zoho_bulk_spec`` ini option (default ``spec``), once per session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.mock.config import MockConfig
from generator.mock.server import MockServer, load_normalized_spec
from generator.spec.model import NormalizedSpec

MockFactory = Callable[..., MockServer]
"""Makes a started MockServer; keyword arguments are MockConfig settings."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("zoho_bulk_spec", "spec folder the mock Bulk API is made from", default="spec")


@pytest.fixture(scope="session")
def zoho_bulk_spec(pytestconfig: pytest.Config) -> NormalizedSpec:
    """The normalized spec the mock serves."""
    folder = Path(str(pytestconfig.getini("zoho_bulk_spec")))
    return load_normalized_spec(pytestconfig.rootpath / folder)


@pytest.fixture
def zoho_bulk_mock_factory(zoho_bulk_spec: NormalizedSpec) -> Iterator[MockFactory]:
    """Start mock servers with given settings; all are stopped after the test.

    Every answer is checked against its JSON Schema; a test fails if one does not match."""
    servers: list[MockServer] = []

    def start(**settings: Any) -> MockServer:
        server = MockServer(zoho_bulk_spec, MockConfig(**settings), check_responses=True)
        servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.stop()
    errors = [error for server in servers for error in server.schema_errors]
    assert not errors, "the mock answered outside its schemas:\n" + "\n".join(errors)


@pytest.fixture
def zoho_bulk_mock(zoho_bulk_mock_factory: MockFactory) -> MockServer:
    """A started mock with the default settings, its jobs finishing on the second poll."""
    return zoho_bulk_mock_factory(polls_until_complete=1)
