"""Repairs of broken sample JSON, one kind of damage at a time."""

from __future__ import annotations

import pytest

from generator.vendor_pages.repair_json import (
    JsonRepairError,
    find_json_end,
    repair_json,
    split_glued_prefix,
    strip_line_continuations,
)


def test_valid_json_needs_no_repair() -> None:
    repaired = repair_json('{"a": [1, 2], "b": "x\\"y"}')
    assert repaired.payload == {"a": [1, 2], "b": 'x"y'}
    assert repaired.repairs == ()


def test_line_continuations_are_dropped_outside_strings_only() -> None:
    text = '{\n  "a": "ends with a backslash \\\\",\\\n  "b": 1\\\n}'
    _, count = strip_line_continuations(text)
    assert count == 2
    assert repair_json(text).payload == {"a": "ends with a backslash \\", "b": 1}


def test_missing_commas_are_inserted_and_counted() -> None:
    repaired = repair_json('{\n"a": 1\n"b": {"c": 2}\n"d": [3 4]\n}')
    assert repaired.payload == {"a": 1, "b": {"c": 2}, "d": [3, 4]}
    assert repaired.repairs == ("inserted 3 missing commas between members",)


def test_markdown_escapes_inside_strings_are_dropped() -> None:
    repaired = repair_json('{"job\\_id": "a\\nb"}')
    assert repaired.payload == {"job_id": "a\nb"}
    assert repaired.repairs == ("removed 1 markdown escape backslash inside strings",)


def test_glued_prefix_is_reported() -> None:
    assert split_glued_prefix('Response:{"a": 1}') == ("Response:", '{"a": 1}')
    assert split_glued_prefix("{") == ("", "{")
    # Code and prose that merely contain a brace are not JSON openings.
    assert split_glued_prefix("class Details {") is None
    assert split_glued_prefix("var token = {") is None
    assert split_glued_prefix("}Sample response") is None
    assert repair_json('{"a": 1}', "Response:").repairs == (
        "dropped the text 'Response:' glued before the JSON",
    )


def test_json_end_is_found_by_brackets_outside_strings() -> None:
    text = 'x{"a": "}]", "b": [1, {"c": 2}]}tail'
    end = find_json_end(text, 1)
    assert end is not None and text[end:] == "tail"
    assert find_json_end('{"a": [1, 2}', 0) is None


def test_unrepairable_json_names_the_place() -> None:
    with pytest.raises(JsonRepairError) as caught:
        repair_json('{\n"a": 1,\n"b": tru\n}')
    assert (caught.value.line, caught.value.problem.startswith("invalid JSON")) == (3, True)


def test_comments_elisions_and_trailing_commas_are_dropped_outside_strings() -> None:
    text = '{\n"url": "https://x.example/a//b", // the address\n"group": [\n{"a": 1},\n.\n.\n]\n}'
    repaired = repair_json(text)
    assert repaired.payload == {"url": "https://x.example/a//b", "group": [{"a": 1}]}
    assert repaired.repairs == (
        "removed 3 comments or elisions",
        "removed 1 trailing comma",
    )
