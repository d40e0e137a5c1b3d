"""Products and operations are data: a product with hosts of its own, an
operation of a known role under a new name, and the types and callback its
role reads renamed, are made by editing spec files only, and the generated
clients, the OpenAPI documents and the mock follow."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import yaml

from generator.mock.config import MockConfig
from generator.mock.server import MockServer
from generator.pipeline import build
from tests.hostile import generated_modules, write_output
from tests.runtime.test_lifecycle import FAST, ORG_ID, UPLOAD, read_request, write_request

TOKEN = "1000.abc.def"
RENAMED = "fetch_export_job"
RENAMED_TYPES = {
    "BulkReadQuery": "ExportQuery",
    "BulkReadResult": "ExportPage",
    "BulkWriteResource": "ImportResource",
    "bulk_read_callback": "export_finished",
}
"""Names the mock's role behaviour and the OpenAPI callback follow, renamed in
the spec (the role's types are stated by ``role_types``, the callback under
the operation that sends it)."""


def _edit(path: Path, change: Any) -> None:
    document = yaml.safe_load(path.read_text("utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")


def _add_product(document: dict[str, Any]) -> None:
    document["host_kinds"]["people"] = {"serves": "api", "upload": "people_upload"}
    document["host_kinds"]["people_upload"] = {"serves": "upload"}
    for center in document["data_centers"]:
        suffix = center["api"].split(".", 1)[1]
        center["people"] = f"people.{suffix}"
        center["people_upload"] = f"people-files.{suffix}"
    crm = next(product for product in document["products"] if product["name"] == "crm")
    document["products"].append(
        {
            **crm,
            "name": "people",
            "title": "Zoho People",
            "path_prefix": "people",
            "scope_prefix": "ZohoPeople",
            "hosts": {"data_center": "people", "upload": "people_upload"},
            "versions": [{"name": "v1", "source": "made up for a test"}],
        }
    )


def _rename_operation(document: dict[str, Any]) -> None:
    operations = document["operations"]
    renamed = {}
    for name, operation in operations.items():
        renamed[RENAMED if name == "get_bulk_read_job" else name] = operation
    document["operations"] = renamed


READ_RESULT_PATH = "/{prefix}/bulk/{version}/exports/{job_id}/file"
WRITE_RESULT_LAYOUT = "/{api_version}/{prefix}/{org}/imports/{job_id}/{file_name}"
"""Where results are downloaded from, moved in the spec: the mock serves them
there and says so in its answers, the OpenAPI documents describe them there."""


def _move_the_results(document: dict[str, Any]) -> None:
    operations = document["operations"]
    operations["download_bulk_read_result"]["path"] = READ_RESULT_PATH
    operations["download_bulk_write_result"]["url_layout"]["path"] = WRITE_RESULT_LAYOUT


def _spec_with_a_new_product(spec_copy: Path) -> Path:
    _edit(spec_copy / "products.yaml", _add_product)
    _edit(spec_copy / "operations.yaml", _move_the_results)
    _edit(spec_copy / "operations.yaml", _rename_operation)
    for name in ("examples.yaml", "drift.yaml"):
        referring = spec_copy / name
        text = referring.read_text("utf-8").replace("get_bulk_read_job", RENAMED)
        referring.write_text(text, "utf-8")
    for path in spec_copy.glob("*.yaml"):
        text = path.read_text("utf-8")
        for old, new in RENAMED_TYPES.items():
            text = re.sub(rf"\b{old}\b", new, text)
        path.write_text(text, "utf-8")
    return spec_copy


def test_a_product_and_a_renamed_operation_need_spec_files_only(
    spec_copy: Path, tmp_path: Path
) -> None:
    spec_dir = _spec_with_a_new_product(spec_copy)
    result = build(spec_dir)
    out = write_output(result.files, tmp_path / "out")
    openapi = json.loads((out / "openapi" / "people" / "v1.json").read_bytes())
    assert openapi["servers"][0]["url"] == "https://people.zohoapis.com"
    assert RENAMED in json.dumps(openapi["paths"])
    upload_servers = json.dumps(openapi)
    assert "https://people-files.zohoapis.eu" in upload_servers
    create = openapi["paths"]["/people/bulk/v1/read"]["post"]
    assert list(create["callbacks"]) == ["export_finished"]
    assert "/people/bulk/v1/exports/{job_id}/file" in openapi["paths"]
    assert "/{api_version}/people/{org}/imports/{job_id}/{file_name}" in openapi["paths"]

    with generated_modules(out, "people") as modules:
        client_module = modules["client"]
        assert (
            client_module.Client(TOKEN, data_center="EU").base_url == "https://people.zohoapis.eu"
        )
        source = Path(client_module.__file__).read_text("utf-8")
        # The waiter is built on the operation of role get-read-job, whatever its name.
        waiter = rf"self\._wait\(\s*_{RENAMED.upper()}, "
        assert re.search(waiter, source)
        assert "def wait_for_bulk_read_job(" in source

    spec = result.spec
    server = MockServer(spec, MockConfig(polls_until_complete=0), check_responses=True).start()
    try:
        created = httpx.post(
            f"{server.base_url}/people/bulk/v1/read",
            headers={"Authorization": f"Zoho-oauthtoken {TOKEN}"},
            json={"query": {"module": "Leads"}},
        )
        assert created.status_code == 201, created.text
        job_id = created.json()["data"][0]["details"]["id"]
        fetched = httpx.get(
            f"{server.base_url}/people/bulk/v1/read/{job_id}",
            headers={"Authorization": f"Zoho-oauthtoken {TOKEN}"},
        )
        assert fetched.status_code == 200, fetched.text
        assert fetched.json()["data"][0]["state"] == "COMPLETED"
        download_url = fetched.json()["data"][0]["result"]["download_url"]
        assert download_url == f"/people/bulk/v1/exports/{job_id}/file"
        with generated_modules(out, "people") as modules:
            _run_jobs(modules["client"], server.base_url, spec.find_version("people", "v1"))
    finally:
        server.stop()
    assert not server.schema_errors


def _run_jobs(client_module: Any, base_url: str, version: Any) -> None:
    """A read job and a write job through the new product's generated client:
    the mock answers its operations by role, shaping them by the renamed types."""
    with client_module.Client(TOKEN, base_url=base_url, wait=FAST) as client:
        created = client.create_bulk_read_job(read_request(version, "Leads"))
        job = client.wait_for_bulk_read_job(created.id)
        assert str(job.state) == "COMPLETED" and job.result is not None
        assert len(list(client.iter_bulk_read_rows(read_request(version, "Leads")))) > 0
        uploaded = client.upload_file(UPLOAD, org_id=ORG_ID)
        request = write_request(version, uploaded.file_id, "insert")
        write_job = client.wait_for_bulk_write_job(client.create_bulk_write_job(request).id)
        assert str(write_job.status) == "COMPLETED"
        assert write_job.resource[0].file.total_count == 4
        assert write_job.result is not None
        assert f"/people/org{ORG_ID}/imports/{write_job.id}/" in write_job.result.download_url
        assert len(list(client.iter_bulk_write_result_rows(write_job))) == 4
