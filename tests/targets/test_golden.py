"""Golden files: the committed generated/ must be exactly what the spec yields.

Run ``python3 dev.py test --update-golden`` (or ``zoho-bulkgen generate``) to
accept a change on purpose."""

from __future__ import annotations

import pytest

from generator.output.manifest import input_digest, is_current, render_manifest
from generator.output.reuse import read_earlier_outputs
from generator.output.write import describe_diff, diff_tree, read_tree, write_tree
from generator.pipeline import BuildResult
from tests.conftest import GENERATED_DIR, SPEC_DIR


def test_generated_tree_matches_spec(built: BuildResult, request: pytest.FixtureRequest) -> None:
    current = read_tree(GENERATED_DIR)
    diff = diff_tree(current, built.files)
    if diff.is_empty:
        return
    if request.config.getoption("--update-golden"):
        inputs = input_digest(SPEC_DIR)
        write_tree(GENERATED_DIR, built.files, render_manifest(inputs, built.files, built.recipes))
        return
    pytest.fail(
        "generated/ differs from what the spec yields "
        "(rerun with --update-golden to accept):\n" + describe_diff(diff, current, built.files),
        pytrace=False,
    )


def test_a_fresh_clone_regenerates_without_black_or_datamodel_codegen(
    built: BuildResult,
) -> None:
    # The committed manifest records what every Python file was made from, so a
    # clone's first `generate` takes them all from the tree (see reuse.py).
    # After an intended change: `zoho-bulkgen generate` rewrites the manifest.
    earlier = read_earlier_outputs(GENERATED_DIR)
    stale = sorted(path for path, recipe in built.recipes.items() if earlier.find(recipe) is None)
    assert not stale, f"generated/ manifest is stale for {stale[:3]}; run zoho-bulkgen generate"


def test_the_committed_manifest_vouches_for_generated() -> None:
    # What makes `check` and `generate` answer a fresh clone in a tenth of a
    # second. After any change to spec/, templates/ or generator/, run
    # `zoho-bulkgen generate` (it rewrites the manifest even when no output
    # changes) and commit the manifest with the change.
    assert (
        is_current(GENERATED_DIR, input_digest(SPEC_DIR)) is not None
    ), "generated/.zoho-bulkgen-manifest.json is stale; run zoho-bulkgen generate"


def test_every_product_version_has_its_outputs(built: BuildResult) -> None:
    expected = {
        "crm": ["v2", "v2.1", "v3", "v4", "v5", "v6", "v7", "v8"],
        "bigin": ["v1", "v2"],
        "recruit": ["v2"],
    }
    for product, versions in expected.items():
        for version in versions:
            module = version.replace(".", "_")
            for operation in ("get_bulk_write_job", "get_bulk_read_job"):
                assert f"schemas/{product}/{version}/{operation}.response.json" in built.files
            package = f"python/zoho-bulk-{product}/zoho_bulk_{product}/{module}"
            for name in ("__init__.py", "models.py", "client.py", "validation.py"):
                assert f"{package}/{name}" in built.files
            shipped = f"{package}/schemas/get_bulk_write_job.response.json"
            schema = f"schemas/{product}/{version}/get_bulk_write_job.response.json"
            assert built.files[shipped] == built.files[schema]
            assert f"openapi/{product}/{version}.json" in built.files
    for distribution in ("zoho-bulk-core", "zoho-bulk-crm", "zoho-bulk-bigin", "zoho-bulk-recruit"):
        assert f"python/{distribution}/pyproject.toml" in built.files
    assert "python/zoho-bulk-core/zoho_bulk_core/validation.py" in built.files
    for page in ("docs/version-matrix.md", "docs/version-matrix.html"):
        assert page in built.files
