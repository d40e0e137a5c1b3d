"""The OpenAPI 3.1 export: valid documents, faithful to the spec, and usable by
another tool (datamodel-code-generator reads them and its models import)."""

from __future__ import annotations

import importlib.util
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from generator.pipeline import BuildResult
from generator.targets.openapi import openapi_path
from tests.conftest import GENERATED_DIR

DOCUMENTS = sorted((GENERATED_DIR / "openapi").glob("*/*.json"))
VERSIONS = {
    "crm": ["v2", "v2.1", "v3", "v4", "v5", "v6", "v7", "v8"],
    "bigin": ["v1", "v2"],
    "recruit": ["v2"],
}


def _document(built: BuildResult, product: str, version: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(built.files[openapi_path(product, version)])
    return data


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: {**operation, "path": path, "method": method}
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def test_there_is_one_document_per_product_version(built: BuildResult) -> None:
    paths = sorted(path for path in built.files if path.startswith("openapi/"))
    expected = sorted(
        openapi_path(product, version)
        for product, versions in VERSIONS.items()
        for version in versions
    )
    assert paths == expected
    assert [p.relative_to(GENERATED_DIR).as_posix() for p in DOCUMENTS] == expected


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.stem + "-" + path.parent.name)
def test_every_document_is_valid_openapi_3_1(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1")
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.stem + "-" + path.parent.name)
def test_no_two_component_schemas_share_a_title(path: Path) -> None:
    # Client generators (openapi-python-client, datamodel-codegen with
    # use_title_as_name) name classes after titles: a request-only strict copy
    # titled like its lenient type made openapi-python-client drop both, and
    # with them the create operations.
    schemas = json.loads(path.read_text(encoding="utf-8"))["components"]["schemas"]
    titles = [schema["title"] for schema in schemas.values() if "title" in schema]
    assert len(titles) == len(set(titles))
    strict = [name for name in schemas if name.endswith("Strict")]
    assert strict  # the documents do have strict copies
    assert all(schemas[name].get("title", name) == name for name in strict)


def test_the_validator_catches_a_broken_document(built: BuildResult) -> None:
    document = _document(built, "crm", "v7")
    document["paths"]["/crm/bulk/v7/write/{job_id}"]["get"]["parameters"][0]["in"] = "body"
    assert list(OpenAPIV31SpecValidator(document).iter_errors())


def test_operations_match_the_spec(built: BuildResult) -> None:
    for product in built.spec.products:
        for version in product.versions:
            operations = _operations(_document(built, product.name, version.version))
            assert sorted(operations) == sorted(op.name for op in version.operations)
            for operation in version.operations:
                exported = operations[operation.name]
                assert exported["method"] == operation.method.lower()
                catalog = {error.code for error in built.spec.errors}
                codes = {
                    code
                    for response in exported["responses"].values()
                    for code in response.get("content", {})
                    .get("application/json", {})
                    .get("examples", {})
                    if code in catalog
                }
                assert codes == {error.code for error in operation.errors}
                for error in operation.errors:
                    assert (
                        error.code in exported["responses"][str(error.http_status)]["description"]
                    )
                granted = [next(iter(r.values())) for r in exported["security"]]
                assert sorted(map(tuple, granted)) == sorted(list(operation.scopes) * 2)


def test_upload_download_and_callbacks_have_their_shapes(built: BuildResult) -> None:
    document = _document(built, "crm", "v7")
    operations = _operations(document)
    upload = operations["upload_file"]
    assert "file" in upload["requestBody"]["content"]["multipart/form-data"]["schema"]["required"]
    headers = {p["name"]: p for p in upload["parameters"] if p["in"] == "header"}
    assert headers["feature"]["schema"]["enum"] == ["bulk-write"]
    assert headers["X-CRM-ORG"]["required"] is True
    assert upload["servers"][0]["url"] == "https://content.zohoapis.com"
    for name in ("download_bulk_read_result", "download_bulk_write_result"):
        assert "application/zip" in operations[name]["responses"]["200"]["content"]
    read_callbacks = operations["create_bulk_read_job"]["callbacks"]
    write_callbacks = operations["create_bulk_write_job"]["callbacks"]
    assert list(read_callbacks) == ["bulk_read_callback"]
    assert list(write_callbacks) == ["bulk_write_callback"]
    body = write_callbacks["bulk_write_callback"]["{$request.body#/callback/url}"]["post"]
    assert body["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BulkWriteCallback"
    }
    recruit_upload = _operations(_document(built, "recruit", "v2"))["upload_file"]
    assert {p["name"] for p in recruit_upload["parameters"]} == {"feature", "X-RECRUIT-ORG"}
    assert "anyOf" in recruit_upload["responses"]["200"]["content"]["application/json"]["schema"]


def test_servers_cover_data_centers_environments_and_custom_domains(built: BuildResult) -> None:
    crm = _document(built, "crm", "v7")["servers"]
    urls = [server["url"] for server in crm]
    assert "https://{environment}.zohoapis.eu" in urls
    assert "https://{domain}.zohoplatform.com" in urls
    eu = next(s for s in crm if s["url"] == "https://{environment}.zohoapis.eu")
    assert eu["variables"]["environment"]["enum"] == ["www", "sandbox", "developer"]
    recruit = [server["url"] for server in _document(built, "recruit", "v2")["servers"]]
    assert "https://recruit.zoho.com" in recruit and "https://recruit.zohocloud.ca" in recruit
    assert not any("zohoplatform" in url for url in recruit)
    schemes = _document(built, "bigin", "v2")["components"]["securitySchemes"]
    assert schemes["zohoOAuthToken"] == {**schemes["zohoOAuthToken"], "in": "header"}
    flow = schemes["zohoOAuth2"]["flows"]["authorizationCode"]
    assert flow["tokenUrl"] == "https://accounts.zoho.com/oauth/v2/token"
    assert "ZohoBigin.bulk.READ" in flow["scopes"]


def test_module_is_a_string_in_v2_and_an_object_in_v7(built: BuildResult) -> None:
    v2 = _document(built, "crm", "v2")["components"]["schemas"]["BulkWriteResource"]
    v7 = _document(built, "crm", "v7")["components"]["schemas"]["BulkWriteResource"]
    assert v2["properties"]["module"]["type"] == "string"
    assert v7["properties"]["module"]["$ref"] == "#/components/schemas/ModuleRef"


def _media_types(document: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "schema" in node and "examples" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document["paths"])
    return found


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.stem + "-" + path.parent.name)
def test_examples_in_the_document_match_their_schemas(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    media_types = _media_types(document)
    assert media_types
    for media in media_types:
        schema = {**media["schema"], "components": document["components"]}
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        for name, example in media["examples"].items():
            errors = [error.message for error in validator.iter_errors(example["value"])]
            assert errors == [], name


def test_the_strict_request_variant_rejects_what_the_lenient_type_allows(
    built: BuildResult,
) -> None:
    document = _document(built, "crm", "v7")
    schemas = document["components"]["schemas"]
    assert schemas["ModuleRefStrict"]["additionalProperties"] is False
    assert "additionalProperties" not in schemas["ModuleRef"]
    request = _operations(document)["create_bulk_write_job"]["requestBody"]
    assert request["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BulkWriteRequestStrict"
    }


def _import_file(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.stem + "-" + path.parent.name)
def test_datamodel_code_generator_reads_every_document(path: Path, tmp_path: Path) -> None:
    from datamodel_code_generator import DataModelType, InputFileType, PythonVersion, generate

    output = tmp_path / "models.py"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        generate(
            path.read_text(encoding="utf-8"),
            input_file_type=InputFileType.OpenAPI,
            output=output,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            disable_timestamp=True,
        )
    source = output.read_text(encoding="utf-8")
    compile(source, str(output), "exec")
    models = _import_file(output, f"openapi_models_{path.parent.name}_{path.stem}")
    document = json.loads(path.read_text(encoding="utf-8"))
    get_write = document["paths"][
        next(p for p in document["paths"] if p.endswith("/write/{job_id}"))
    ]
    for example in (
        get_write["get"]["responses"]["200"]["content"]["application/json"]
        .get("examples", {})
        .values()
    ):
        job = models.BulkWriteJob.model_validate(example["value"])
        assert job.id == example["value"]["id"]
    assert issubclass(models.ErrorResponse, models.BaseModel)
