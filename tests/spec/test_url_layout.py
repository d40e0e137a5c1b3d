"""A whole-URL parameter's layout (``url_layout``) is checked like the rest of
the spec: every mistake is one short line naming the file, the line and the
place, and an operation that takes a whole URL must give its layout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import SpecError
from generator.spec.load import load_spec
from generator.spec.validate import validate_spec

OPERATION = "download_bulk_write_result"


def _layout(document: dict[str, Any]) -> dict[str, Any]:
    layout: dict[str, Any] = document["operations"][OPERATION]["url_layout"]
    return layout


def _without_layout(document: dict[str, Any]) -> None:
    del document["operations"][OPERATION]["url_layout"]


def _path_and_url(document: dict[str, Any]) -> None:
    document["operations"][OPERATION]["path"] = "/{prefix}/bulk/{version}/write/result"


def _repeated_part(document: dict[str, Any]) -> None:
    _layout(document)["path"] = "/{api_version}/{prefix}/{org}/{job_id}/{job_id}/{file_name}"


def _prefix_as_part(document: dict[str, Any]) -> None:
    _layout(document)["parts"]["prefix"] = {"value": "{version}", "description": "No."}


def _unbalanced_value(document: dict[str, Any]) -> None:
    _layout(document)["parts"]["file_name"]["value"] = "{job_id.zip"


def _unanchored_pattern(document: dict[str, Any]) -> None:
    _layout(document)["parts"]["org"]["pattern"] = "(org)?[0-9]+"


def _bad_regex(document: dict[str, Any]) -> None:
    _layout(document)["parts"]["org"]["pattern"] = "^(org[0-9]+$"


CASES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "url without its layout": (_without_layout, "'url_layout' is a dependency of 'url'"),
    "both path and url": (_path_and_url, "give exactly one of: path, url"),
    "a part twice in the path": (_repeated_part, "'{job_id}' appears more than once"),
    "prefix as a part": (_prefix_as_part, "'prefix' is the product's path prefix, not a part"),
    "an unbalanced brace": (_unbalanced_value, "does not match the pattern"),
    "an unanchored pattern": (_unanchored_pattern, "does not match the pattern"),
    "a pattern that does not compile": (_bad_regex, "is not a valid regular expression"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_bad_layout_is_one_short_line(spec_copy: Path, case: str) -> None:
    change, expected = CASES[case]
    operations = spec_copy / "operations.yaml"
    document = yaml.safe_load(operations.read_text("utf-8"))
    change(document)
    operations.write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    with pytest.raises(SpecError) as raised:
        validate_spec(load_spec(spec_copy))
    message = str(raised.value)
    assert expected in message
    assert "\n" not in message and len(message) < 400, message
    assert message.startswith(f"{operations}:") or "operations.yaml:" in message
    assert f"/operations/{OPERATION}" in message
