"""One rule for null, and for everything else: the generated model and the
generated schema of a payload give the same verdict on every payload.

Every example of the spec is mutated one place at a time (each value nulled,
each key removed, each value given a value of another JSON type) and checked,
leniently and strictly, by both, as ``zoho-bulkgen validate`` does; a
disagreement is what ``validate`` reports as GENERATOR BUG."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from generator.payloads.check import PayloadChecker
from generator.pipeline import BuildResult
from tests.conftest import GENERATED_DIR


def _other_values(value: Any) -> list[Any]:
    """null, then values of other JSON types than ``value``'s."""
    if isinstance(value, bool):
        return [None, "true", 1]
    if isinstance(value, int | float):
        return [None, str(value), 1.5, float(value), True]
    if isinstance(value, str):
        return [None, 17, {"api_name": value}, [value], value + "\n", ""]
    if isinstance(value, list):
        return [None, {}, "x", []]
    if isinstance(value, dict):
        return [None, "x", [value], {}]
    return [{}, "x"]


def mutants(payload: Any) -> Iterator[Any]:
    """Copies of ``payload`` with one value replaced or one key removed."""
    children: list[tuple[str | int, Any]] = []
    if isinstance(payload, dict):
        children = list(payload.items())
    elif isinstance(payload, list):
        children = list(enumerate(payload))
    for key, child in children:
        for other in _other_values(child):
            yield _with(payload, key, other)
        if isinstance(payload, dict):
            yield {name: value for name, value in payload.items() if name != key}
        for mutated in mutants(child):
            yield _with(payload, key, mutated)


def _with(container: Any, key: str | int, value: Any) -> Any:
    result = copy.copy(container)
    result[key] = value
    return result


def _cases(built: BuildResult) -> Iterator[tuple[str, str, str, bool, Any]]:
    for product in built.spec.products:
        for version in product.versions:
            for example in version.examples:
                yield (
                    product.name,
                    version.version,
                    example.operation,
                    example.request,
                    example.payload,
                )


@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
def test_model_and_schema_agree_on_every_mutant_of_every_example(
    built: BuildResult, strict: bool
) -> None:
    checkers: dict[tuple[str, str, str, bool], PayloadChecker] = {}
    checked = rejected = 0
    disagreements = []
    for product, version, operation, request, payload in _cases(built):
        key = (product, version, operation, request)
        if key not in checkers:
            checkers[key] = PayloadChecker.open(
                GENERATED_DIR, product, version, operation, request=request, strict=strict
            )
        checker = checkers[key]
        for mutant in mutants(payload):
            report = checker.check(f"{product} {version} {operation}", mutant)
            checked += 1
            rejected += not report.valid
            if report.generator_bug:
                disagreements.append((report.file, report.generator_bug, report.errors, mutant))
    assert not disagreements[:3], f"{len(disagreements)} of {checked} mutants"
    assert checked > 3000
    assert rejected > checked // 3


def test_null_is_refused_by_both_where_the_vendor_never_sends_it(built: BuildResult) -> None:
    checker = PayloadChecker.open(
        GENERATED_DIR, "crm", "v8", "create_bulk_read_job", request=True, strict=True
    )
    refused = checker.check(
        "criteria null", {"query": {"module": {"api_name": "Leads"}, "criteria": None}}
    )
    assert not refused.valid and refused.generator_bug is None
    assert refused.errors[0].startswith("/query/criteria:")

    reader = PayloadChecker.open(
        GENERATED_DIR, "bigin", "v2", "get_bulk_write_job", request=False, strict=False
    )
    mapping = {
        "api_name": "Last_Name",
        "index": 0,
        "format": None,
        "find_by": None,
        "default_value": None,
    }
    job = {
        "id": "1",
        "status": "COMPLETED",
        "resource": [{"module": "Contacts", "field_mappings": [mapping]}],
    }
    assert reader.check("documented nulls", job).valid
    job["resource"][0]["file_id"] = None
    refused = reader.check("file_id null", job)
    assert not refused.valid and refused.generator_bug is None
