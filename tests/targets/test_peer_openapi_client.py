"""A client that openapi-python-client generates from the project's OpenAPI
document runs the whole bulk job lifecycle against the mock: a read job to its
result zip, a file upload (a multipart file part), a write job and its result
download (the download URL split into the document's path parameters).

The tool is configured only as its users would: enums as literals (the spec's
vocabularies carry several spellings of one value, ``IN PROGRESS`` and
``INPROGRESS``), no formatting hooks, and zip bodies read as files."""

from __future__ import annotations

import importlib
import io
import json
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from generator.mock.operations import module_value
from generator.mock.pytest_plugin import MockFactory
from tests.conftest import GENERATED_DIR
from tests.runtime.test_lifecycle import UPLOAD

TOKEN = "1000.openapi-client.0123456789"
ORG_ID = "4000001"
DOCUMENTS = {
    "crm": "v8",
    "bigin": "v2",
    "recruit": "v2",
}
CONFIG = """\
literal_enums: true
post_hooks: []
package_name_override: {package}
content_type_overrides:
  application/zip: application/octet-stream
"""


def generate_client(product: str, version: str, folder: Path) -> Any:
    """The package openapi-python-client makes of ``product`` ``version``'s document."""
    package = f"peer_{product}_{version.replace('.', '_')}"
    config = folder / "config.yaml"
    config.write_text(CONFIG.format(package=package), "utf-8")
    document = GENERATED_DIR / "openapi" / product / f"{version}.json"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            "--path",
            str(document),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(folder / package),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(folder))


def _until(poll: Any, job_id: str, state_of: Any) -> Any:
    """Poll a job until it has finished."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job = poll(job_id)
        if state_of(job) == "COMPLETED":
            return job
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.mark.parametrize("product, version", DOCUMENTS.items(), ids=lambda value: str(value))
def test_an_openapi_python_client_runs_the_whole_lifecycle(
    product: str, version: str, tmp_path: Path, zoho_bulk_mock_factory: MockFactory
) -> None:
    server = zoho_bulk_mock_factory(records=3, polls_until_complete=1)
    client_package = generate_client(product, version, tmp_path)
    api = importlib.import_module(f"{client_package.__name__}.api.bulk")
    models = importlib.import_module(f"{client_package.__name__}.models")
    types = importlib.import_module(f"{client_package.__name__}.types")
    for name in [
        "create_bulk_read_job",
        "get_bulk_read_job",
        "download_bulk_read_result",
        "upload_file",
        "create_bulk_write_job",
        "get_bulk_write_job",
        "download_bulk_write_result",
    ]:
        importlib.import_module(f"{api.__name__}.{name}")
    client = client_package.AuthenticatedClient(
        base_url=server.base_url, token=TOKEN, prefix="Zoho-oauthtoken"
    )
    version_info = next(
        v
        for p in server.spec.products
        if p.name == product
        for v in p.versions
        if v.version == version
    )
    # Read: create, poll, download the zip.
    read_body = {
        "query": {
            "module": module_value(version_info, "BulkReadQueryRequest", "Contacts"),
            "fields": ["Last_Name"],
        }
    }
    request_model = _model(models, "create_bulk_read_job", api)
    created = api.create_bulk_read_job.sync_detailed(
        client=client, body=request_model.from_dict(read_body)
    )
    assert created.status_code == 201, created.content
    job_id = created.parsed.data[0].details.id
    job = _until(
        lambda i: api.get_bulk_read_job.sync_detailed(i, client=client).parsed.data[0],
        job_id,
        lambda job: job.state,
    )
    assert job.id == job_id
    download = api.download_bulk_read_result.sync_detailed(job_id, client=client)
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert archive.read(archive.namelist()[0]).decode().startswith("Last_Name")

    # Write: upload a file part, create, poll, download the result by its parts.
    upload_operation = api.upload_file
    org_parameter = next(
        name for name in upload_operation.sync_detailed.__annotations__ if name.endswith("_org")
    )
    file_part = types.File(
        payload=io.BytesIO(UPLOAD), file_name="contacts.zip", mime_type="application/zip"
    )
    uploaded = upload_operation.sync_detailed(
        client=client,
        body=models.UploadFileBody(file=file_part),
        feature=_feature(models),
        **{org_parameter: ORG_ID},
    )
    assert uploaded.status_code == 200, uploaded.content
    file_id = uploaded.parsed.details.file_id
    write_body = {
        "operation": "insert",
        "resource": [
            {
                "type": "data",
                "module": module_value(version_info, "BulkWriteResourceRequest", "Contacts"),
                "file_id": file_id,
            }
        ],
    }
    write_model = _model(models, "create_bulk_write_job", api)
    created_write = api.create_bulk_write_job.sync_detailed(
        client=client, body=write_model.from_dict(write_body)
    )
    assert created_write.status_code == 201, created_write.content
    write_id = created_write.parsed.details.id
    write_job = _until(
        lambda i: api.get_bulk_write_job.sync_detailed(i, client=client).parsed,
        write_id,
        lambda job: job.status,
    )
    download_url = write_job.result.download_url
    path = urlsplit(download_url).path
    api_version, _prefix, org, _, job_part, file_name = path.strip("/").split("/")
    result = api.download_bulk_write_result.sync_detailed(
        api_version, org, job_part, file_name, client=client
    )
    assert result.status_code == 200, result.content
    with zipfile.ZipFile(io.BytesIO(result.content)) as archive:
        rows = archive.read(archive.namelist()[0]).decode().splitlines()
    assert rows[0].startswith("Last_Name") and len(rows) == 5


def _model(models: Any, operation: str, api: Any) -> Any:
    """The request body model the generated function of ``operation`` takes."""
    function = getattr(api, operation).sync_detailed
    annotation = function.__annotations__["body"]
    return getattr(models, annotation) if isinstance(annotation, str) else annotation


def _feature(models: Any) -> Any:
    """The upload's ``feature`` header value, as the generated client spells it."""
    feature = models.UploadFileFeature
    return feature.BULK_WRITE if hasattr(feature, "BULK_WRITE") else "bulk-write"


@pytest.mark.parametrize(
    "document", sorted((GENERATED_DIR / "openapi").glob("*/*.json")), ids=lambda p: p.stem
)
def test_response_schemas_state_the_vendors_guarantees(document: Path) -> None:
    """A mock made from the document answers only what the clients accept: a job
    envelope holds a job (the clients read ``data[0]``) and a job id fits the
    path parameter the clients send it back in."""
    openapi = json.loads(document.read_text("utf-8"))
    checked = 0
    for name, schema in openapi["components"]["schemas"].items():
        for field_name, field in schema.get("properties", {}).items():
            if field_name == "data" and field.get("type") == "array":
                assert field.get("minItems") == 1, f"{name}.data"
                checked += 1
            if field_name == "id" or field_name.endswith("_id"):
                strings = [
                    option
                    for option in [field, *field.get("anyOf", [])]
                    if option.get("type") == "string"
                    or (isinstance(option.get("type"), list) and "string" in option["type"])
                ]
                for option in strings:
                    pattern = option.get("pattern")
                    assert pattern, f"{name}.{field_name}"
                    assert re.fullmatch(pattern, "5725767000000100007"), f"{name}.{field_name}"
                    assert not re.fullmatch(pattern, "12a/"), f"{name}.{field_name}"
                    checked += 1
    assert checked >= 5
