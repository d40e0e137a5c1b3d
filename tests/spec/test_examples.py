"""Every sample payload of the vendor pages is stored in the spec with its
provenance, validates against its generated schema, parses into its installed
model, and round-trips."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import GENERATED_DIR, SEEDS_DIR, SPEC_DIR
from tests.helpers import (
    installed_models,
    load_schema,
    model_for,
    same_modulo_spelling,
    spelling_map,
)

EXAMPLES: list[dict[str, Any]] = yaml.safe_load((SPEC_DIR / "examples.yaml").read_text())[
    "examples"
]
SEED_EXAMPLES = [example for example in EXAMPLES if "seed" in example["source"]]


def _schema(example: dict[str, Any]) -> dict[str, Any]:
    kinds = ["request"] if example.get("request") else ["response", "notification"]
    for kind in kinds:
        path = GENERATED_DIR / "schemas" / example["product"] / example["version"]
        if (path / f"{example['operation']}.{kind}.json").is_file():
            return load_schema(example["product"], example["version"], example["operation"], kind)
    raise AssertionError(f"no schema for {example['file']}")


def _payload(example: dict[str, Any]) -> Any:
    return json.loads((SPEC_DIR / example["file"]).read_text(encoding="utf-8"))


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="../shared/seeds is not beside the repository")
def test_every_seed_sample_is_stored_once() -> None:
    for seed in sorted(SEEDS_DIR.glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        printed = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"Copied\{", text)]
        stored = sorted(
            e["source"]["line"] for e in SEED_EXAMPLES if e["source"]["seed"] == seed.name
        )
        assert stored == printed, seed.name


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="../shared/seeds is not beside the repository")
@pytest.mark.parametrize("example", SEED_EXAMPLES, ids=lambda e: e["file"])
def test_stored_sample_equals_the_printed_one_or_records_its_repair(
    example: dict[str, Any],
) -> None:
    text = (SEEDS_DIR / example["source"]["seed"]).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    line = example["source"]["line"]
    start = sum(len(previous) for previous in lines[: line - 1]) + lines[line - 1].index("{")
    try:
        printed, _ = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError:
        assert example.get("repairs"), "the printed JSON is broken, so the repair must be recorded"
        return
    assert not example.get("repairs")
    assert printed == _payload(example)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["file"])
def test_example_validates_parses_and_round_trips(example: dict[str, Any]) -> None:
    schema = _schema(example)
    payload = _payload(example)
    assert list(_validator(schema).iter_errors(payload)) == []
    assert payload in schema["examples"]

    model = model_for(schema, installed_models(example["product"], example["version"]))
    parsed = model.model_validate(payload)
    dumped = parsed.model_dump(mode="json", exclude_unset=True)
    assert same_modulo_spelling(payload, dumped, spelling_map(schema))
    assert model.model_validate(dumped) == parsed
    assert list(_validator(schema).iter_errors(dumped)) == []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["file"])
def test_example_conforms_to_the_docs_strictly(example: dict[str, Any], tmp_path: Path) -> None:
    from zoho_bulk_core import STRICT

    from generator.targets.json_schema import to_strict

    schema = _schema(example)
    payload = _payload(example)
    assert list(_validator(to_strict(schema)).iter_errors(payload)) == []
    model = model_for(schema, installed_models(example["product"], example["version"]))
    model.model_validate(payload, context=STRICT)


def test_status_spellings_share_one_canonical_value() -> None:
    models = installed_models("bigin", "v2")
    from zoho_bulk_core.vocabulary import JobStatus

    in_progress = json.loads((SPEC_DIR / "examples/bigin-v2-write-in-progress.json").read_text())
    assert in_progress["status"] == "INPROGRESS"
    job = models.BulkWriteJob.model_validate(in_progress)
    assert job.status is JobStatus.IN_PROGRESS
    read = json.loads((SPEC_DIR / "examples/bigin-v2-read-in-progress.json").read_text())
    assert read["data"][0]["state"] == "IN PROGRESS"
    assert models.BulkReadJobEnvelope.model_validate(read).data[0].state is JobStatus.IN_PROGRESS
