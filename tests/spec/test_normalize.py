"""Normalize: overlays resolve into one concrete set of types per product and version."""

from __future__ import annotations

from pathlib import Path

from generator.pipeline import BuildResult, build
from generator.spec.load import load_spec
from generator.spec.normalize import normalize_spec
from generator.spec.type_expr import Named, Primitive
from generator.spec.validate import validate_spec
from generator.targets.python.names import error_class_name, member_name, module_name


def _field_type(
    built: BuildResult, product: str, version: str, type_name: str, field: str
) -> object:
    product_version = built.spec.find_version(product, version)
    assert product_version is not None
    fields = {f.name: f.type for f in product_version.type_named(type_name).fields}
    return fields.get(field)


def test_module_is_a_string_in_v2_and_an_object_from_v2_1_on(built: BuildResult) -> None:
    for product, version in [("crm", "v2"), ("bigin", "v1"), ("bigin", "v2"), ("recruit", "v2")]:
        assert _field_type(built, product, version, "BulkWriteResource", "module") == Primitive(
            "string"
        )
        assert _field_type(built, product, version, "BulkReadQuery", "module") == Primitive(
            "string"
        )
        assert _field_type(built, product, version, "BulkWriteResource", "code") is None
    for version in ["v2.1", "v3", "v4", "v5", "v6", "v7", "v8"]:
        assert _field_type(built, "crm", version, "BulkWriteResource", "module") == Named(
            "ModuleRef"
        )
        assert _field_type(built, "crm", version, "BulkReadQuery", "module") == Named("ModuleRef")
        assert _field_type(built, "crm", version, "BulkWriteResource", "code") == Primitive(
            "string"
        )


def test_file_names_appear_from_crm_v5_and_page_token_from_v7(built: BuildResult) -> None:
    has_file_names = [
        version
        for version in ["v2", "v2.1", "v3", "v4", "v5", "v6", "v7", "v8"]
        if _field_type(built, "crm", version, "BulkWriteResource", "file_names") is not None
    ]
    assert has_file_names == ["v5", "v6", "v7", "v8"]
    assert _field_type(built, "crm", "v6", "BulkReadResult", "next_page_token") is None
    assert _field_type(built, "crm", "v7", "BulkReadResult", "next_page_token") is not None


def test_changed_fields_keep_their_place(built: BuildResult) -> None:
    v7 = built.spec.find_version("crm", "v7")
    assert v7 is not None
    names = [field.name for field in v7.type_named("BulkWriteResource").fields]
    assert names[:3] == ["status", "type", "module"]
    assert names[-2:] == ["code", "file_names"]


def test_adding_crm_v9_is_one_line(spec_copy: Path, tmp_path: Path) -> None:
    products = spec_copy / "products.yaml"
    text = products.read_text()
    marker = (
        '      - name: v8\n        source: "zohocrmsdk8-0 json_details.json; zoho/crm-oas v8"\n'
    )
    assert marker in text
    products.write_text(text.replace(marker, marker + '      - name: v9\n        source: "test"\n'))
    result = build(spec_copy)
    assert "schemas/crm/v9/get_bulk_write_job.response.json" in result.files
    assert "python/zoho-bulk-crm/zoho_bulk_crm/v9/client.py" in result.files
    v9 = result.spec.find_version("crm", "v9")
    assert v9 is not None
    fields = {field.name: field.type for field in v9.type_named("BulkWriteResource").fields}
    assert fields["module"] == Named("ModuleRef") and "file_names" in fields


def test_names() -> None:
    assert error_class_name("RESOURCE_NOT_FOUND") == "ResourceNotFoundError"
    assert error_class_name("INTERNAL_ERROR") == "InternalError"
    assert member_name("IN PROGRESS") == "IN_PROGRESS"
    assert member_name("in") == "IN"
    assert member_name("2fa") == "V_2FA"
    assert module_name("v2.1") == "v2_1"


def test_source_map_points_at_lines(spec_copy: Path) -> None:
    loaded = load_spec(spec_copy)
    validate_spec(loaded)
    origin = loaded.source_map.locate(("operations", "get_bulk_read_job", "method"))
    lines = (spec_copy / "operations.yaml").read_text().splitlines()
    assert origin.file.endswith("operations.yaml")
    assert lines[origin.line - 1].strip() == "method: GET"
    assert normalize_spec(loaded).find_version("crm", "v2.1") is not None
