"""The fast payload validator shipped in the packages (zoho_bulk_core.validation
and each version's validate_payload) agrees with jsonschema: on every sample
payload, on hand-made invalid ones (with the same JSON pointer) and on a sweep
of mutated samples."""

from __future__ import annotations

import copy
import importlib
import inspect
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
import rfc3339_validator

from generator.pipeline import BuildResult
from generator.spec.load import to_pointer
from tests.conftest import GENERATED_DIR, SPEC_DIR


def _version_package(product: str, version: str) -> Any:
    module = importlib.import_module(f"zoho_bulk_{product}.{version.replace('.', '_')}")
    assert "site-packages" in Path(module.__file__ or "").parts, (
        f"{module.__name__} is not imported from an installed package; "
        "run the tests with 'python3 dev.py test'"
    )
    return module


def _kind(operation: str, request: bool) -> str:
    if request:
        return "request"
    return "notification" if operation.endswith("_callback") else "response"


def _jsonschema_errors(
    product: str, version: str, operation: str, kind: str, payload: Any, *, strict: bool = False
) -> list[jsonschema.ValidationError]:
    path = GENERATED_DIR / "schemas" / product / version / f"{operation}.{kind}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    if strict:
        from generator.targets.json_schema import to_strict

        schema = to_strict(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return list(validator.iter_errors(payload))


def _fast_pointer(
    product: str, version: str, operation: str, kind: str, payload: Any, *, strict: bool = False
) -> str | None:
    """The pointer the shipped validator reports, or None when it accepts."""
    package = _version_package(product, version)
    try:
        package.validate_payload(operation, payload, kind, strict=strict)
    except package.PayloadError as error:
        pointer: str = error.pointer
        return pointer
    return None


def _examples(built: BuildResult) -> Iterator[tuple[str, str, str, str, Any]]:
    for product in built.spec.products:
        for version in product.versions:
            for example in version.examples:
                kind = _kind(example.operation, example.request)
                yield product.name, version.version, example.operation, kind, example.payload


def test_the_schemas_ship_inside_the_installed_packages(built: BuildResult) -> None:
    for product in built.spec.products:
        for version in product.versions:
            package = _version_package(product.name, version.version)
            shipped = package.validation.validator.operations()
            generated = sorted(
                tuple(path.name.removesuffix(".json").rsplit(".", 1))
                for path in (GENERATED_DIR / "schemas" / product.name / version.version).iterdir()
            )
            assert shipped == generated
            schema = package.validation.validator.schema("get_bulk_write_job")
            on_disk = GENERATED_DIR / "schemas" / product.name / version.version
            assert schema == json.loads((on_disk / "get_bulk_write_job.response.json").read_text())


def test_every_example_is_accepted_by_both(built: BuildResult) -> None:
    count = 0
    for product, version, operation, kind, payload in _examples(built):
        assert _jsonschema_errors(product, version, operation, kind, payload) == []
        assert _fast_pointer(product, version, operation, kind, payload) is None
        count += 1
    assert count == len(list((SPEC_DIR / "examples").glob("*.json")))


def _example(name: str) -> Any:
    return json.loads((SPEC_DIR / "examples" / f"{name}.json").read_text(encoding="utf-8"))


def _set(path: list[str | int], value: Any) -> Callable[[Any], None]:
    def mutate(payload: Any) -> None:
        node = payload
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return mutate


def _delete(key: str) -> Callable[[Any], None]:
    return lambda payload: payload.pop(key)


INVALID = [
    # (product, version, operation, kind, example, mutation, pointer, strict)
    ("crm", "v7", "get_bulk_write_job", "response", "crm-v7-write-completed",
     _set(["resource", 0, "module"], "Deals"), "/resource/0/module", False),
    ("crm", "v2", "get_bulk_write_job", "response", "crm-v2-write-completed",
     _set(["resource", 0, "module"], {"api_name": "Deals"}), "/resource/0/module", False),
    ("crm", "v2", "get_bulk_write_job", "response", "crm-v2-write-completed",
     _delete("id"), "", False),
    ("recruit", "v2", "get_bulk_write_job", "response", "recruit-v2-write-completed",
     _set(["id"], 111111000002308051), "/id", False),
    ("bigin", "v2", "get_bulk_write_job", "response", "bigin-v2-write-completed",
     _set(["resource", 0, "file", "added_count"], "3"), "/resource/0/file/added_count", False),
    ("crm", "v7", "get_bulk_write_job", "response", "crm-v7-write-added",
     _set(["created_time"], "2020-02-30T10:00:00+05:30"), "/created_time", False),
    ("crm", "v7", "get_bulk_write_job", "response", "crm-v7-write-added",
     _set(["created_time"], "2020-02-03 10:00:00"), "/created_time", False),
    ("crm", "v8", "get_bulk_read_job", "response", "crm-v8-read-completed",
     _set(["data", 0, "query", "module"], "Leads"), "/data/0/query/module", False),
    ("crm", "v8", "get_bulk_read_job", "response", "crm-v8-read-completed",
     _set(["data", 0, "state"], 7), "/data/0/state", False),
    ("crm", "v8", "create_bulk_write_job", "request", "crm-v8-create-write-request",
     _set(["operation"], "delete"), "/operation", False),
    ("crm", "v8", "create_bulk_write_job", "request", "crm-v8-create-write-request",
     _set(["surprise"], True), "", False),
    ("crm", "v8", "get_bulk_read_job", "response", "crm-v8-read-completed",
     _set(["data", 0, "surprise"], True), "/data/0", True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("product", "version", "operation", "kind", "example", "mutate", "pointer", "strict"),
    INVALID,
    ids=[f"{case[4]}->{case[6] or '/'}" for case in INVALID],
)
def test_invalid_payloads_are_rejected_by_both_at_the_same_place(
    product: str,
    version: str,
    operation: str,
    kind: str,
    example: str,
    mutate: Callable[[Any], None],
    pointer: str,
    strict: bool,
) -> None:
    payload = _example(example)
    assert _fast_pointer(product, version, operation, kind, payload, strict=strict) is None
    mutate(payload)
    errors = _jsonschema_errors(product, version, operation, kind, payload, strict=strict)
    best = jsonschema.exceptions.best_match(errors)
    assert best is not None
    assert to_pointer(tuple(best.absolute_path)) == pointer
    assert _fast_pointer(product, version, operation, kind, payload, strict=strict) == pointer


def test_unknown_fields_pass_when_reading_leniently() -> None:
    payload = _example("crm-v8-read-completed")
    payload["data"][0]["surprise"] = True
    assert _fast_pointer("crm", "v8", "get_bulk_read_job", "response", payload) is None
    assert _jsonschema_errors("crm", "v8", "get_bulk_read_job", "response", payload) == []


def _wrong_values(value: Any) -> list[Any]:
    """Values of other JSON types than ``value``'s."""
    if isinstance(value, bool):
        return ["true", 1]
    if isinstance(value, int | float):
        return [str(value), None]
    if isinstance(value, str):
        return [17, None, {"api_name": value}]
    if isinstance(value, list):
        return [{}, "x"]
    if isinstance(value, dict):
        return ["x", [value]]
    return [{}]


def _mutations(payload: Any, path: tuple[str | int, ...] = ()) -> Iterator[Any]:
    """Copies of ``payload`` with one value replaced or one key removed."""
    children: list[tuple[str | int, Any]] = []
    if isinstance(payload, dict):
        children = list(payload.items())
    elif isinstance(payload, list):
        children = list(enumerate(payload))
    for key, child in children:
        for wrong in _wrong_values(child):
            yield _replaced(payload, key, wrong)
        if isinstance(payload, dict):
            copy_without = copy.deepcopy(payload)
            del copy_without[key]
            yield copy_without
        for mutated_child in _mutations(child, (*path, key)):
            yield _replaced(payload, key, mutated_child)


def _replaced(container: Any, key: str | int, value: Any) -> Any:
    result = copy.copy(container)
    result[key] = value
    return result


def test_both_agree_on_a_sweep_of_mutated_examples(built: BuildResult) -> None:
    checked = rejected = 0
    for product, version, operation, kind, payload in _examples(built):
        for mutated in _mutations(payload):
            errors = _jsonschema_errors(product, version, operation, kind, mutated)
            fast = _fast_pointer(product, version, operation, kind, mutated)
            assert (fast is None) == (errors == []), (product, version, operation, mutated)
            if fast is not None:
                pointers = {to_pointer(tuple(error.absolute_path)) for error in errors}
                assert fast in pointers, (fast, pointers)
                rejected += 1
            checked += 1
    assert checked > 1000
    assert rejected > checked // 3


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-29T10:00:00Z",
        "2023-02-29T10:00:00Z",
        "2024-04-31T10:00:00+05:30",
        "2024-01-05t10:00:00z",
        "2024-01-05T10:00:00.123456-08:00",
        "2024-01-05T10:00:00+0530",
        "2024-01-05T24:00:00Z",
        "2024-01-05T10:00:60Z",
        "0000-01-05T10:00:00Z",
        "2024-01-05",
        "2024-01-05T10:00:00Z\n",
        "2024-13-05T10:00:00Z",
    ],
)
def test_date_time_is_checked_like_jsonschema_does(text: str) -> None:
    from zoho_bulk_core.validation import is_date_time

    assert is_date_time(text) == rfc3339_validator.validate_rfc3339(text.upper())


def test_a_compiled_check_is_made_once_and_reused() -> None:
    package = _version_package("crm", "v7")
    validator = package.validation.validator
    first = validator.compiled("get_bulk_write_job")
    assert validator.compiled("get_bulk_write_job") is first
    assert validator.compiled("get_bulk_write_job", strict=True) is not first


def test_an_unknown_operation_names_the_known_ones() -> None:
    package = _version_package("bigin", "v2")
    with pytest.raises(KeyError, match="get_bulk_write_job response"):
        package.validate_payload("get_bulk_wirte_job", {})


_ANNOTATIONS = {"description", "title", "examples", "$defs", "$schema", "$id"}
_DRAFT_2020_ONLY = {"prefixItems", "$dynamicRef", "$dynamicAnchor", "unevaluatedProperties",
                    "unevaluatedItems", "dependentSchemas", "dependentRequired"}  # fmt: skip


def _keyword_problems(node: Any, where: str) -> Iterator[str]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _keyword_problems(item, f"{where}/{index}")
    elif isinstance(node, dict):
        if "$ref" in node and set(node) - {"$ref"} - _ANNOTATIONS:
            yield f"{where}: $ref beside {sorted(set(node) - {'$ref'} - _ANNOTATIONS)}"
        for keyword in _DRAFT_2020_ONLY & set(node):
            yield f"{where}: {keyword}"
        for key, value in node.items():
            if key not in ("examples", "properties"):
                yield from _keyword_problems(value, f"{where}/{key}")
            elif key == "properties":
                for name, schema in value.items():
                    yield from _keyword_problems(schema, f"{where}/properties/{name}")


def test_schemas_use_only_keywords_that_fastjsonschema_reads_the_same_way() -> None:
    problems = [
        problem
        for path in sorted((GENERATED_DIR / "schemas").rglob("*.json"))
        for problem in _keyword_problems(json.loads(path.read_text(encoding="utf-8")), path.name)
    ]
    assert problems == []
    bad = {"$ref": "#/$defs/A", "required": ["x"], "$defs": {"A": {"prefixItems": []}}}
    assert list(_keyword_problems(bad, "bad")) == [
        "bad: $ref beside ['required']",
        "bad/$defs/A: prefixItems",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2024-06-30T23:59:60Z",  # a leap second: jsonschema-rs alone accepts it
        "0000-01-05T10:00:00Z",  # year 0000: likewise
        "2024-02-29T10:00:2+Z",  # not digits: likewise
        "2023-02-29T10:00:00Z",
        "2024-01-05t10:00:00z",
        "2024-02-29T10:00:00.5+05:30",
    ],
)
def test_the_shipped_validator_judges_date_times_as_jsonschema_does(text: str) -> None:
    package = _version_package("crm", "v7")
    payload = _example("crm-v7-write-added")
    payload["created_time"] = text
    expected = bool(rfc3339_validator.validate_rfc3339(text.upper()))
    assert package.is_valid_payload("get_bulk_write_job", payload) is expected
    assert (_jsonschema_errors("crm", "v7", "get_bulk_write_job", "response", payload) == []) is (
        expected
    )


# --- the fast path and what the compiled schemas are rewritten to (issue 13) -----------------


def _direct_error(
    product: str, version: str, operation: str, kind: str, payload: Any
) -> jsonschema_rs.ValidationError | None:
    """jsonschema-rs's first error on the schema as shipped (not rewritten), with
    is_date_time as its date-time check; None when it accepts."""
    package = _version_package(product, version)
    schema = package.validation.validator.schema(operation, kind)
    validator = jsonschema_rs.Draft202012Validator(
        schema, validate_formats=True, formats={"date-time": is_date_time_upper}
    )
    try:
        validator.validate(payload)
    except jsonschema_rs.ValidationError as error:
        return error
    return None


def is_date_time_upper(value: str) -> bool:
    return bool(rfc3339_validator.validate_rfc3339(value.upper())) and not value.endswith("\n")


def test_the_rewritten_schemas_report_what_jsonschema_rs_reports_on_the_shipped_ones(
    built: BuildResult,
) -> None:
    """validate_payload and is_valid_payload check a rewritten schema (date-time
    pattern, no look-ahead): their verdict, pointer and message are still those
    of jsonschema-rs on the schema as shipped."""
    checked = rejected = 0
    for product, version, operation, kind, payload in _examples(built):
        package = _version_package(product, version)
        for mutated in _mutations(payload):
            direct = _direct_error(product, version, operation, kind, mutated)
            assert package.is_valid_payload(operation, mutated, kind) is (direct is None)
            try:
                package.validate_payload(operation, mutated, kind)
            except package.PayloadError as error:
                assert direct is not None
                assert error.pointer == to_pointer(tuple(direct.instance_path))
                if " is not a " not in direct.message:
                    assert error.message == direct.message
                rejected += 1
            else:
                assert direct is None
            checked += 1
    assert rejected > checked // 3 > 300


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12a", '"12a" does not match "^[0-9]+(?!\n)$"'),
        ("123\n", '"123\\n" does not match "^[0-9]+(?!\n)$"'),
        (12, '12 is not of type "string"'),
    ],
)
def test_a_simplified_pattern_is_quoted_as_shipped(value: Any, message: str) -> None:
    package = _version_package("crm", "v7")
    payload = _example("crm-v7-write-added")
    payload["id"] = value
    with pytest.raises(package.PayloadError) as raised:
        package.validate_payload("get_bulk_write_job", payload)
    assert (raised.value.pointer, raised.value.message) == ("/id", message)


@pytest.mark.parametrize(
    "text", ["2023-02-29T10:00:00Z", "2024-06-30T23:59:60Z", "0000-01-01T00:00:00Z"]
)
def test_a_refused_date_time_is_said_to_be_no_date_time(text: str) -> None:
    package = _version_package("crm", "v7")
    payload = _example("crm-v7-write-added")
    payload["created_time"] = text
    with pytest.raises(package.PayloadError) as raised:
        package.validate_payload("get_bulk_write_job", payload)
    assert str(raised.value) == f'/created_time: "{text}" is not a "date-time"'


def test_the_date_time_pattern_knows_the_calendar() -> None:
    from zoho_bulk_core.validation import DATE_TIME_PATTERN

    check = jsonschema_rs.Draft202012Validator({"pattern": DATE_TIME_PATTERN}).is_valid
    texts = [
        f"{year:04d}-{month:02d}-{day:02d}T10:00:00Z"
        for year in range(10000)
        for month, day in ((2, 28), (2, 29), (2, 30), (4, 30), (4, 31), (12, 31), (13, 1))
    ]
    texts += ["2024-01-05t10:00:00z", "2024-01-05T10:00:00.5+23:59", "2024-01-05T10:00:00Z\n"]
    assert [check(text) for text in texts] == [is_date_time_upper(text) for text in texts]


@pytest.mark.parametrize(
    ("pattern", "simplified"),
    [
        ("^[0-9]+(?!\n)$", "^[0-9]+$"),
        ("^[0-9]+(?!\\n)$", "^[0-9]+$"),
        ("^a\\\\(?!\n)$", "^a\\\\$"),
        ("^a\\(?!\n)$", "^a\\(?!\n)$"),  # an escaped parenthesis: no look-ahead
        ("^[0-9]+$", "^[0-9]+$"),
        ("(?!\n)x$", "(?!\n)x$"),
    ],
)
def test_only_a_final_newline_look_ahead_is_dropped(pattern: str, simplified: str) -> None:
    from zoho_bulk_core.validation import for_jsonschema_rs

    schema = {"properties": {"pattern": {"type": "string", "pattern": pattern}}}
    assert for_jsonschema_rs(schema)["properties"]["pattern"]["pattern"] == simplified
    if simplified != pattern:
        before = jsonschema_rs.Draft202012Validator({"pattern": pattern}).is_valid
        after = jsonschema_rs.Draft202012Validator({"pattern": simplified}).is_valid
        for text in ["1", "12\n", "1\n2", "\n", "", "a\\", "a\\\n", "x"]:
            assert before(text) is after(text), text


def test_date_time_beside_a_pattern_keeps_both() -> None:
    from zoho_bulk_core.validation import DATE_TIME_PATTERN, for_jsonschema_rs

    schema = for_jsonschema_rs({"type": "string", "format": "date-time", "pattern": "^2"})
    assert schema == {"type": "string", "pattern": "^2", "allOf": [{"pattern": DATE_TIME_PATTERN}]}
    check = jsonschema_rs.Draft202012Validator(schema).is_valid
    assert check("2024-01-05T10:00:00Z") and not check("1999-01-05T10:00:00Z")
    assert not check("2023-02-29T10:00:00Z")


@pytest.mark.parametrize(
    ("parts", "pointer"),
    [
        ([], ""),
        (["a"], "/a"),
        (["data", 0, "id"], "/data/0/id"),
        (["a/b", "c~d", 3], "/a~1b/c~0d/3"),
    ],
)
def test_to_pointer_escapes_slash_and_tilde(parts: list[str | int], pointer: str) -> None:
    from zoho_bulk_core.validation import to_pointer as runtime_to_pointer

    assert runtime_to_pointer(parts) == pointer


def test_validate_payload_is_a_plain_function_sharing_the_cache() -> None:
    package = _version_package("crm", "v8")
    validator = package.validation.validator
    assert inspect.isfunction(package.validate_payload)
    assert inspect.isfunction(package.is_valid_payload)
    payload = _example("crm-v8-read-completed")
    assert validator.validate("get_bulk_read_job", payload) is None
    assert validator.is_valid("get_bulk_read_job", payload) is True
    payload["data"][0]["state"] = 7
    assert package.is_valid_payload("get_bulk_read_job", payload) is False
    with pytest.raises(package.PayloadError, match="^/data/0/state: "):
        validator.validate("get_bulk_read_job", payload)
    assert ("get_bulk_read_job", "response", False) in validator._compiled
