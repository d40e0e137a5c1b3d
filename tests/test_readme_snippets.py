"""Every Python snippet of the README runs, unchanged but for the version it
imports and the host it talks to, against the mock server for every product
version: the same user code on all of them."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from zoho_bulk_core.retry import RetryPolicy
from zoho_bulk_core.waiters import WaitPolicy

from generator.mock.pytest_plugin import MockFactory
from generator.mock.server import load_normalized_spec
from generator.spec.model import ProductVersion
from generator.targets.python.names import module_name
from tests.conftest import ROOT, SPEC_DIR
from tests.runtime.test_lifecycle import zipped_csv

SPEC = load_normalized_spec(SPEC_DIR)
VERSIONS = [version for product in SPEC.products for version in product.versions]
README_VERSION = "zoho_bulk_crm.v7"
"""The version the README's snippets import; each test swaps in its own."""
FAST = WaitPolicy(initial_delay=0.005, multiplier=1.5, max_delay=0.02, timeout=20)


def readme_snippets() -> list[str]:
    """The README's ```python blocks, in order."""
    text = (ROOT / "README.md").read_text("utf-8")
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


SNIPPETS = readme_snippets()


def for_version(snippet: str, module: str) -> str:
    """``snippet`` importing ``module`` instead of the README's version, and
    making its clients through ``on_mock`` (which points them at the mock)."""
    text = snippet.replace(f"from {README_VERSION} import", f"from {module} import")
    return re.sub(r"(?<![\w.])(Async)?Client\(", r"on_mock(\1Client)(", text)


def mock_maker(base_url: str, bodies: list[dict[str, Any]]) -> Callable[[type], Callable[..., Any]]:
    """``on_mock(Client)``: the class with the mock as host (the data center
    the snippet names is left out) and quick polls and retries; the JSON
    bodies a sync client sends go to ``bodies``."""

    def record(request: httpx.Request) -> None:
        if request.headers.get("content-type") == "application/json" and request.content:
            bodies.append(json.loads(request.content))

    def on_mock(client_class: type) -> Callable[..., Any]:
        def make(*args: Any, **kwargs: Any) -> Any:
            if client_class.__name__ == "Client":
                kwargs["http_client"] = httpx.Client(event_hooks={"request": [record]})
            kwargs.pop("data_center", None)
            kwargs.setdefault("wait", FAST)
            kwargs["wait"] = WaitPolicy(
                initial_delay=FAST.initial_delay,
                multiplier=FAST.multiplier,
                max_delay=FAST.max_delay,
                timeout=min(kwargs["wait"].timeout, FAST.timeout),
            )
            return client_class(
                *args,
                base_url=base_url,
                retry=RetryPolicy(max_retries=2, backoff=0.005, max_backoff=0.02),
                **kwargs,
            )

        return make

    return on_mock


def test_the_readme_has_the_snippets_this_test_runs() -> None:
    assert len(SNIPPETS) >= 6
    assert all(README_VERSION in snippet for snippet in SNIPPETS)
    # The everyday calls use keywords, not a version-shaped body.
    assert any("iter_bulk_read_rows(module=" in snippet for snippet in SNIPPETS)
    assert any("create_bulk_write_job(\n        operation=" in snippet for snippet in SNIPPETS)
    assert not any('"api_name": "Contacts"}' in snippet for snippet in SNIPPETS)


@pytest.mark.parametrize(
    "version", VERSIONS, ids=lambda version: f"{version.product}-{version.version}"
)
def test_every_readme_snippet_runs_on_every_version(
    version: ProductVersion,
    zoho_bulk_mock_factory: MockFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = zoho_bulk_mock_factory(records=3, per_page=2, polls_until_complete=1)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "contacts.zip").write_bytes(
        zipped_csv("Last_Name,Email\r\nNg,ng@example.com\r\nSmith,smith@example.com\r\n")
    )
    module = f"zoho_bulk_{version.product}.{module_name(version.version)}"
    outputs = []
    bodies: list[dict[str, Any]] = []
    for number, snippet in enumerate(SNIPPETS):
        code = compile(for_version(snippet, module), f"README snippet {number}", "exec")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
            exec(code, {"on_mock": mock_maker(server.base_url, bodies), "__name__": "readme"})
        outputs.append(printed.getvalue())
    assert os.listdir(tmp_path) == ["contacts.zip"]
    everything = "".join(outputs)
    # Rows were read, jobs made and written rows reported on this version.
    assert len(outputs[0].splitlines()) == 3
    assert outputs[1].split()[1] == "ADDED"
    assert "COMPLETED" in outputs[2] and "ADDED" in outputs[2]
    assert "('/query/page',)" in everything
    assert "/resource" in outputs[-1]
    # Each body names its module in the version's own shape.
    modules = [body["query"]["module"] for body in bodies if "module" in body.get("query", {})]
    modules += [part["module"] for body in bodies for part in body.get("resource", [])]
    takes_object = version.product == "crm" and version.version != "v2"
    assert len(modules) >= 5
    assert modules == [{"api_name": "Contacts"} if takes_object else "Contacts"] * len(modules)
    # Nothing unset or None is sent.
    assert "null" not in json.dumps(bodies)
