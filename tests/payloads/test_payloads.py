"""Payload checking: lenient by default for responses, strict on request, and
negative payloads rejected by schema and model alike with the right pointer."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from generator.payloads.check import PayloadChecker
from tests.conftest import GENERATED_DIR, SPEC_DIR


def _example(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((SPEC_DIR / "examples" / f"{name}.json").read_text())
    return payload


def _checker(product: str, version: str, operation: str, *, strict: bool = False) -> PayloadChecker:
    return PayloadChecker.open(
        GENERATED_DIR, product, version, operation, request=False, strict=strict
    )


def _pointers(errors: list[str]) -> list[str]:
    return [error.split(":", 1)[0] for error in errors]


def test_object_module_is_rejected_in_crm_v2() -> None:
    payload = _example("crm-v2-write-completed")
    payload["resource"][0]["module"] = {"api_name": "Deals", "id": "1"}
    report = _checker("crm", "v2", "get_bulk_write_job").check("p.json", payload)
    assert not report.valid and report.generator_bug is None
    assert _pointers(report.errors) == ["/resource/0/module"]


def test_string_module_is_rejected_in_crm_v7() -> None:
    payload = _example("crm-v7-write-completed")
    payload["resource"][0]["module"] = "Deals"
    report = _checker("crm", "v7", "get_bulk_write_job").check("p.json", payload)
    assert not report.valid and report.generator_bug is None
    assert _pointers(report.errors) == ["/resource/0/module"]
    assert 'not of type "object"' in report.errors[0]


def test_string_query_module_is_rejected_from_crm_v2_1_on() -> None:
    payload = _example("crm-v8-read-completed")
    payload["data"][0]["query"]["module"] = "Leads"
    report = _checker("crm", "v8", "get_bulk_read_job").check("p.json", payload)
    assert _pointers(report.errors) == ["/data/0/query/module"]


@pytest.mark.parametrize(
    ("mutate", "pointer"),
    [
        (lambda p: p.pop("id"), "/"),
        (lambda p: p.__setitem__("id", 111111000002308051), "/id"),
        (
            lambda p: p["resource"][0]["file"].__setitem__("added_count", "0"),
            "/resource/0/file/added_count",
        ),
        (lambda p: p.__setitem__("resource", {"module": "Deals"}), "/resource"),
        (lambda p: p["created_by"].pop("id"), "/created_by"),
        (lambda p: p.__setitem__("created_time", "yesterday"), "/created_time"),
        (lambda p: p.__setitem__("status", 3), "/status"),
    ],
    ids=[
        "missing-id",
        "integer-id",
        "string-count",
        "resource-not-a-list",
        "user-without-id",
        "bad-datetime",
        "numeric-status",
    ],
)
def test_wrong_types_and_shapes_are_rejected(mutate: Any, pointer: str) -> None:
    payload = copy.deepcopy(_example("bigin-v2-write-completed"))
    mutate(payload)
    report = _checker("bigin", "v2", "get_bulk_write_job").check("p.json", payload)
    assert not report.valid
    assert report.generator_bug is None
    assert _pointers(report.errors) == [pointer]


def test_unknown_status_and_field_are_kept_when_lenient_and_rejected_when_strict() -> None:
    payload = _example("crm-v7-write-completed")
    payload["status"] = "ARCHIVED"
    payload["brand_new_field"] = {"x": 1}
    assert _checker("crm", "v7", "get_bulk_write_job").check("p.json", payload).valid
    strict = _checker("crm", "v7", "get_bulk_write_job", strict=True).check("p.json", payload)
    assert not strict.valid and strict.generator_bug is None
    assert sorted(_pointers(strict.errors)) == ["/", "/status"]


def test_lenient_model_keeps_unknown_values() -> None:
    from zoho_bulk_crm.v7.models import BulkWriteJob

    payload = _example("crm-v7-write-completed")
    payload["status"] = "ARCHIVED"
    payload["brand_new_field"] = {"x": 1}
    job = BulkWriteJob.model_validate(payload)
    assert job.status == "ARCHIVED"
    assert job.model_extra == {"brand_new_field": {"x": 1}}
    assert job.model_dump(mode="json", exclude_unset=True)["brand_new_field"] == {"x": 1}


def test_version_agnostic_module_access() -> None:
    from zoho_bulk_crm.v2.models import BulkWriteJob as V2Job
    from zoho_bulk_crm.v7.models import BulkWriteJob as V7Job

    v2 = V2Job.model_validate(_example("crm-v2-write-completed"))
    v7 = V7Job.model_validate(_example("crm-v7-write-completed"))
    assert v2.resource and v7.resource
    assert v2.resource[0].module_api_name == v7.resource[0].module_api_name == "Deals"
    assert v2.resource[0].module_id is None
    assert v7.resource[0].module_id == "3652397000000002181"
