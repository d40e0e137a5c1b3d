"""Request bodies as the vendor's SDKs build them are accepted, and bodies the
vendor refuses are refused at the right place, for each version's shape.

The accepted bodies are the spec's examples (each written after one official
SDK's classes, with its source in examples.yaml); the refused ones are small
edits of them, each breaking one documented rule."""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from generator.payloads.check import PayloadChecker
from generator.pipeline import BuildResult
from tests.conftest import GENERATED_DIR, SPEC_DIR
from tests.helpers import installed_models, restored_imports


def _example(name: str) -> Any:
    return json.loads((SPEC_DIR / "examples" / f"{name}.json").read_text(encoding="utf-8"))


def _pointer(product: str, version: str, operation: str, body: Any) -> str | None:
    """Where the installed package's validator refuses ``body``, or None."""
    package = importlib.import_module(f"zoho_bulk_{product}.{version.replace('.', '_')}")
    try:
        package.validate_payload(operation, body, "request", strict=True)
    except package.PayloadError as error:
        pointer: str = error.pointer
        return pointer
    return None


def test_every_sdk_shaped_body_is_accepted_by_schema_model_and_validator(
    built: BuildResult,
) -> None:
    sdk_examples = [
        (product.name, version.version, example)
        for product in built.spec.products
        for version in product.versions
        for example in version.examples
        if example.request and "SDK builds it" in example.source
    ]
    assert len(sdk_examples) >= 9
    versions_covered = {(product, version) for product, version, _ in sdk_examples}
    assert {("crm", "v2"), ("crm", "v2.1"), ("crm", "v5"), ("crm", "v6"), ("crm", "v8")} <= (
        versions_covered
    )
    for product, version, example in sdk_examples:
        checker = PayloadChecker.open(
            GENERATED_DIR, product, version, example.operation, request=True, strict=True
        )
        report = checker.check(example.name, example.payload)
        assert report.valid, report.lines()
        assert _pointer(product, version, example.operation, example.payload) is None


def _set(path: str, value: Any) -> Callable[[Any], None]:
    def edit(body: Any) -> None:
        *parents, last = path.strip("/").split("/")
        node = body
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value

    return edit


def _drop(path: str) -> Callable[[Any], None]:
    def edit(body: Any) -> None:
        *parents, last = path.strip("/").split("/")
        node = body
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]

    return edit


REFUSED = [
    # (case, product, version, operation, example, edit, pointer)
    (
        "v2 names a module by string, not object",
        "crm",
        "v2",
        "create_bulk_read_job",
        "crm-v2-sdk-create-read-request",
        _set("/query/module", {"api_name": "Leads"}),
        "/query/module",
    ),
    (
        "v2.1 on names a module by object, not string",
        "crm",
        "v2.1",
        "create_bulk_read_job",
        "crm-v2.1-sdk-create-read-request",
        _set("/query/module", "Contacts"),
        "/query/module",
    ),
    (
        "a callback needs its method",
        "crm",
        "v8",
        "create_bulk_read_job",
        "crm-v8-sdk-create-read-request",
        _drop("/callback/method"),
        "/callback",
    ),
    (
        "a callback needs its url",
        "crm",
        "v2",
        "create_bulk_read_job",
        "crm-v2-sdk-create-read-request",
        _drop("/callback/url"),
        "/callback",
    ),
    (
        "criteria may not be null",
        "crm",
        "v8",
        "create_bulk_read_job",
        "crm-v8-sdk-create-read-request",
        _set("/query/criteria", None),
        "/query/criteria",
    ),
    (
        "a group is never empty",
        "crm",
        "v2",
        "create_bulk_read_job",
        "crm-v2-sdk-create-read-request",
        _set("/query/criteria/group/1/group", []),
        "/query/criteria",
    ),
    (
        "a condition needs a comparator",
        "crm",
        "v6",
        "create_bulk_read_job",
        "crm-v6-sdk-create-read-request",
        _drop("/query/criteria/group/0/comparator"),
        "/query/criteria",
    ),
    (
        "comparators are the documented ones",
        "crm",
        "v2.1",
        "create_bulk_read_job",
        "crm-v2.1-sdk-create-read-request",
        _set("/query/criteria/comparator", "like"),
        "/query/criteria",
    ),
    (
        "v2 custom view ids are strings",
        "crm",
        "v2",
        "create_bulk_read_job",
        "crm-v2-sdk-create-read-request",
        _set("/query/cvid", 3652397000000087501),
        "/query/cvid",
    ),
    (
        "a custom view id is digits",
        "crm",
        "v5",
        "create_bulk_read_job",
        "crm-v5-sdk-create-read-request",
        _set("/query/cvid", "all-leads"),
        "/query/cvid",
    ),
    (
        "pages count from 1",
        "crm",
        "v2",
        "create_bulk_read_job",
        "crm-v2-sdk-create-read-request",
        _set("/query/page", 0),
        "/query/page",
    ),
    (
        "query.file_type arrived in v5",
        "crm",
        "v4",
        "create_bulk_read_job",
        "crm-v2.1-sdk-create-read-request",
        _set("/query/file_type", "ics"),
        "/query",
    ),
    (
        "a write job imports at least one resource",
        "crm",
        "v5",
        "create_bulk_write_job",
        "crm-v5-sdk-create-write-request",
        _set("/resource", []),
        "/resource",
    ),
    (
        "a resource names its uploaded file",
        "recruit",
        "v2",
        "create_bulk_write_job",
        "recruit-v2-sdk-create-write-request",
        _drop("/resource/0/file_id"),
        "/resource/0",
    ),
    (
        "column indexes are not negative",
        "crm",
        "v2.1",
        "create_bulk_write_job",
        "crm-v2.1-sdk-create-write-request",
        _set("/resource/0/field_mappings/0/index", -1),
        "/resource/0/field_mappings/0/index",
    ),
    (
        "operations are insert, update and upsert",
        "bigin",
        "v1",
        "create_bulk_write_job",
        "bigin-v1-sdk-create-write-request",
        _set("/operation", "delete"),
        "/operation",
    ),
    (
        "unknown keys are refused in requests",
        "crm",
        "v5",
        "create_bulk_write_job",
        "crm-v5-sdk-create-write-request",
        _set("/resource/0/field_mappings/0/parent_column", 0),
        "/resource/0/field_mappings/0",
    ),
]


@pytest.mark.parametrize(
    ("product", "version", "operation", "example", "edit", "pointer"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_documented_invalid_bodies_are_refused_at_the_right_place(
    product: str,
    version: str,
    operation: str,
    example: str,
    edit: Callable[[Any], None],
    pointer: str,
) -> None:
    body = copy.deepcopy(_example(example))
    assert _pointer(product, version, operation, body) is None
    edit(body)
    assert _pointer(product, version, operation, body) == pointer
    checker = PayloadChecker.open(
        GENERATED_DIR, product, version, operation, request=True, strict=True
    )
    report = checker.check(example, body)
    assert not report.valid and report.generator_bug is None, report.lines()
    # jsonschema's best match may look inside a union, below the package's pointer.
    first = report.errors[0].split(": ", 1)[0]
    assert first == pointer or first.startswith(f"{pointer}/"), report.errors


def test_a_checker_on_the_tree_leaves_the_installed_packages_to_the_next_tests() -> None:
    import sys

    with restored_imports():
        for name in [name for name in sys.modules if name.startswith("zoho_bulk_")]:
            del sys.modules[name]
        PayloadChecker.open(
            GENERATED_DIR, "crm", "v8", "get_bulk_read_job", request=False, strict=False
        )
        tree = sys.modules["zoho_bulk_crm.v8.models"].__file__ or ""
        assert tree.startswith(str(GENERATED_DIR))
    assert str(GENERATED_DIR / "python" / "zoho-bulk-crm") not in sys.path
    installed_models("crm", "v8")
