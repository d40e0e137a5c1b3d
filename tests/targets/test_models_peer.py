"""datamodel-code-generator is the reference for models.py: the models writer
on the generate path (``render_models``) must give, for every product version,
the very bytes that datamodel-code-generator and black give from the same
schema with the same options and post-processing (docs/generation-speed.md)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from generator.mock.server import load_normalized_spec
from generator.output.cache import CACHE_ENV
from generator.spec.model import NormalizedSpec, ProductVersion
from generator.targets.python.models import (
    emit_all_models,
    models_by_datamodel_codegen,
    render_models,
)
from generator.targets.python.models_schema import models_schema
from generator.targets.python.names import module_name, package
from generator.targets.python.packages import models_path
from generator.targets.python.shared_models import share_models
from tests.conftest import GENERATED_DIR, SPEC_DIR
from tests.test_bench import _load_bench

Versions = list[tuple[ProductVersion, dict[str, Any]]]


def _versions(spec: NormalizedSpec) -> Versions:
    return [(v, models_schema(v, spec)) for product in spec.products for v in product.versions]


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # The reference must really run, not come back from an earlier run's cache.
    monkeypatch.setenv(CACHE_ENV, "off")


def test_the_models_writer_equals_datamodel_codegen_for_every_product_version() -> None:
    spec = load_normalized_spec(SPEC_DIR)
    versions = _versions(spec)
    ours = [render_models(version, schema) for version, schema in versions]
    pairs = zip(versions, ours, strict=True)
    declined = [f"{v.product} {v.version}" for (v, _), text in pairs if text is None]
    assert not declined, f"the models writer declined {declined}"
    reference = models_by_datamodel_codegen(versions)
    for (version, _), text, expected in zip(versions, ours, reference, strict=True):
        assert text == expected, f"{version.product} {version.version}"


def test_the_committed_models_are_those_of_both_writers_then_shared() -> None:
    spec = load_normalized_spec(SPEC_DIR)
    for product in spec.products:
        whole = [
            (module_name(version.version), render_models(version, models_schema(version, spec)))
            for version in product.versions
        ]
        assert all(text is not None for _, text in whole)
        shared = share_models(package(product), [(name, text or "") for name, text in whole])
        for version, expected in zip(product.versions, shared, strict=True):
            committed = (GENERATED_DIR / models_path(product, version)).read_text("utf-8")
            assert committed == expected, f"{product.name} {version.version}"


def test_the_writers_agree_on_a_synthetic_spec_with_other_names(tmp_path: Path) -> None:
    # The bench's synthetic specs copy every type under another name (BulkReadJobS1
    # ...), which moves lines across the length limit and classes in the order.
    bench = _load_bench("bench_generate")
    bench.write_synthetic_spec(tmp_path / "spec", bench.Shape(versions=2, operations=14))
    versions = _versions(load_normalized_spec(tmp_path / "spec"))
    ours = [render_models(version, schema) for version, schema in versions]
    assert None not in ours
    assert ours == models_by_datamodel_codegen(versions)


def test_a_schema_the_writer_does_not_know_goes_to_datamodel_codegen() -> None:
    spec = load_normalized_spec(SPEC_DIR)
    version, schema = _versions(spec)[-1]
    schema = copy.deepcopy(schema)
    user = schema["$defs"]["User"]["properties"]
    user["email"] = {**user["email"], "pattern": "^[^@]+@[^@]+$"}
    assert render_models(version, schema) is None
    [source] = emit_all_models([(version, schema)])
    assert "pattern=" in source
    assert source == models_by_datamodel_codegen([(version, schema)])[0]
