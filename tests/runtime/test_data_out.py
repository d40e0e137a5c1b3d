"""Data out (issue 13): result files as Arrow record batches, the clients'
iter_bulk_read_batches, and the ``zoho-bulk`` command end to end against the
mock for CRM, Bigin and Recruit (real HTTP, the installed console script)."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow
import pyarrow.parquet
import pytest
from zoho_bulk_core.arrow import ArrowUnavailableError, iter_arrow_batches
from zoho_bulk_core.errors import UnexpectedResponseError
from zoho_bulk_core.results import ResultFileError, iter_csv_rows

from generator.mock.data import record_row
from generator.mock.pytest_plugin import MockFactory
from tests.runtime.test_lifecycle import (
    FAST,
    FIELDS,
    TOKEN,
    client_module,
    read_request,
    zipped_csv,
)

ZOHO_BULK = Path(sys.executable).with_name("zoho-bulk")
TRICKY = (
    '\ufeffId,Name,Note,Empty\r\n'
    '007,"Müller, Jr.","said ""hi""",\r\n'
    '8,Ng,"line one\r\nline two",\r\n'
    '9,,NULL,""\r\n'
)  # fmt: skip


def _zip(tmp_path: Path, text: str, name: str = "result.csv") -> Path:
    path = tmp_path / "result.zip"
    path.write_bytes(zipped_csv(text, name))
    return path


def _rows_of(batches: list[Any]) -> list[dict[str, str]]:
    return [row for batch in batches for row in batch.to_pylist()]


# --- iter_arrow_batches ----------------------------------------------------


def test_batches_hold_exactly_the_csv_values_as_strings(tmp_path: Path) -> None:
    path = _zip(tmp_path, TRICKY)
    batches = list(iter_arrow_batches(path))
    assert all(batch.schema.names == ["Id", "Name", "Note", "Empty"] for batch in batches)
    assert all(field.type == pyarrow.string() for batch in batches for field in batch.schema)
    assert _rows_of(batches) == list(iter_csv_rows(path))
    assert _rows_of(batches)[0]["Id"] == "007" and _rows_of(batches)[2]["Note"] == "NULL"


def test_results_reexports_the_batches_reader(tmp_path: Path) -> None:
    from zoho_bulk_core import results

    path = _zip(tmp_path, TRICKY)
    assert _rows_of(list(results.iter_arrow_batches(path))) == list(iter_csv_rows(path))


def test_a_big_file_streams_in_many_bounded_batches(tmp_path: Path) -> None:
    lines = ["A,B"] + [f"{index},value {index}" for index in range(20_000)]
    path = _zip(tmp_path, "\r\n".join(lines) + "\r\n")
    batches = list(iter_arrow_batches(path, block_bytes=16 << 10))
    assert len(batches) > 10
    assert max(batch.nbytes for batch in batches) < 64 << 10
    assert sum(batch.num_rows for batch in batches) == 20_000
    assert batches[-1].column("B")[-1].as_py() == "value 19999"


def test_a_header_only_or_empty_file_yields_no_batch(tmp_path: Path) -> None:
    assert list(iter_arrow_batches(_zip(tmp_path, "A,B\r\n"))) == []
    assert list(iter_arrow_batches(_zip(tmp_path, ""))) == []


def test_a_malformed_or_missing_csv_is_the_librarys_error(tmp_path: Path) -> None:
    with pytest.raises(UnexpectedResponseError, match="malformed CSV in 'result.csv'"):
        list(iter_arrow_batches(_zip(tmp_path, "A,B\r\n1,2,3\r\n")))
    with pytest.raises(UnexpectedResponseError, match="no .csv file"):
        list(iter_arrow_batches(_zip(tmp_path, "BEGIN:VCALENDAR", "events.ics")))


def _deflated(tmp_path: Path, text: str, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    path = tmp_path / f"deflated-{compression}.zip"
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("111111000000542001.csv", text)
    return path


@pytest.mark.parametrize(
    "compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2]
)
def test_deflated_stored_and_other_members_give_the_same_batches(
    tmp_path: Path, compression: int
) -> None:
    from zoho_bulk_core.arrow import _data_start

    lines = ["Id,Note"] + [f'{index},"line {index}\r\nmore, ""quoted"""' for index in range(5000)]
    for text in (TRICKY, "\r\n".join(lines) + "\r\n"):
        path = _deflated(tmp_path, text, compression)
        with zipfile.ZipFile(path) as archive, path.open("rb") as file:
            native = _data_start(file, archive.infolist()[0]) is not None
        # Deflated members (what the API sends) are inflated by pyarrow itself.
        assert native is (compression == zipfile.ZIP_DEFLATED)
        batches = list(iter_arrow_batches(path, block_bytes=32 << 10))
        assert _rows_of(batches) == list(iter_csv_rows(path))
    assert len(batches) > 3


def _patch(path: Path, offset: int, data: bytes) -> None:
    content = bytearray(path.read_bytes())
    content[offset : offset + len(data)] = data
    path.write_bytes(bytes(content))


def test_a_wrong_crc_is_caught_when_pyarrow_inflates(tmp_path: Path) -> None:
    # Big enough that reading the header row does not reach the end (zipfile
    # would check the CRC there); pyarrow's inflate checks it.
    path = _deflated(tmp_path, "Id,Name\r\n" + "".join(f"{i},n {i}\r\n" for i in range(50000)))
    content = path.read_bytes()
    wrong = b"\x00\x00\x00\x00"
    _patch(path, 14, wrong)  # the local header's CRC-32
    _patch(path, content.index(b"PK\x01\x02") + 16, wrong)  # the directory's
    with pytest.raises(
        ResultFileError, match=r"^deflated-8\.zip: '111111000000542001\.csv' is damaged"
    ):
        list(iter_arrow_batches(path))


def test_damaged_deflate_data_is_the_librarys_error(tmp_path: Path) -> None:
    path = _deflated(tmp_path, "Id,Name\r\n" + "".join(f"{i},name {i}\r\n" for i in range(20000)))
    with zipfile.ZipFile(path) as archive, path.open("rb") as file:
        from zoho_bulk_core.arrow import _data_start

        start = _data_start(file, archive.infolist()[0])
    assert start is not None
    _patch(path, start + 200, b"\xff" * 64)
    with pytest.raises(UnexpectedResponseError):
        list(iter_arrow_batches(path))
    # A zip cut short: not a zip any more, said in one line.
    path.write_bytes(path.read_bytes()[: start + 500])
    with pytest.raises(ResultFileError, match="not a zip file, or is cut short"):
        list(iter_arrow_batches(path))


def test_without_pyarrow_the_error_says_how_to_install_it(tmp_path: Path) -> None:
    path = _zip(tmp_path, TRICKY)
    script = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from zoho_bulk_core.results import iter_arrow_batches\n"
        "from zoho_bulk_core.arrow import ArrowUnavailableError\n"
        "from zoho_bulk_core.errors import ZohoBulkError\n"
        "try:\n"
        f"    list(iter_arrow_batches({str(path)!r}))\n"
        "except ZohoBulkError as exc:\n"
        "    assert isinstance(exc, ArrowUnavailableError) and isinstance(exc, ImportError)\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == (
        "Arrow batches and Parquet files need pyarrow: pip install 'zoho-bulk-core[arrow]'"
    )
    assert issubclass(ArrowUnavailableError, ImportError)


# --- the clients' iter_bulk_read_batches -----------------------------------


@pytest.mark.parametrize(
    ("product", "version"), [("crm", "v8"), ("bigin", "v2"), ("recruit", "v2")]
)
def test_clients_export_batches_page_after_page(
    product: str, version: str, zoho_bulk_mock_factory: MockFactory
) -> None:
    from tests.runtime.test_lifecycle import SPEC

    found = SPEC.find_version(product, version)
    assert found is not None
    server = zoho_bulk_mock_factory(records=5, per_page=2, polls_until_complete=0)
    package = client_module(found)
    with package.Client(TOKEN, base_url=server.base_url, wait=FAST) as client:
        batches = list(client.iter_bulk_read_batches(read_request(found)))
    assert _rows_of(batches) == [record_row(FIELDS, index) for index in range(5)]
    assert len(server.state.read_jobs) == 3

    async def export() -> list[Any]:
        async with package.AsyncClient(TOKEN, base_url=server.base_url, wait=FAST) as client:
            return [batch async for batch in client.iter_bulk_read_batches(read_request(found))]

    assert _rows_of(asyncio.run(export())) == [record_row(FIELDS, index) for index in range(5)]


# --- zoho-bulk --------------------------------------------------------------


@dataclass
class Done:
    """What a run of ``zoho-bulk`` did."""

    returncode: int
    stdout: str
    stderr: str


def zoho_bulk(*args: str, env: dict[str, str] | None = None) -> Done:
    """Run ``zoho-bulk`` in this process (its ``main``), with only ``env`` of the
    ZOHO_* variables set (default: an access token)."""
    from zoho_bulk_core.cli import main

    environment = {key: value for key, value in os.environ.items() if not key.startswith("ZOHO_")}
    environment.update(env if env is not None else {"ZOHO_ACCESS_TOKEN": TOKEN})
    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:
                code = int(exit_.code or 0)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return Done(code, out.getvalue(), err.getvalue())


def zoho_bulk_script(*args: str) -> Done:
    """Run the installed console script in a process of its own."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("ZOHO_")}
    environment["ZOHO_ACCESS_TOKEN"] = TOKEN
    done = subprocess.run(
        [str(ZOHO_BULK), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return Done(done.returncode, done.stdout, done.stderr)


def _mock(factory: MockFactory, **settings: Any) -> list[str]:
    server = factory(polls_until_complete=1, **settings)
    return ["--base-url", server.base_url, "--poll", "0.01", "--timeout", "20"]


PRODUCTS = [("crm", "v8"), ("crm", "v4"), ("crm", "v2"), ("bigin", "v2"), ("recruit", "v2")]
"""CRM v4 is there for its client, which is v3's at v4's paths."""


@pytest.mark.parametrize(("product", "version"), PRODUCTS)
def test_export_writes_every_page_as_csv_jsonl_and_parquet(
    product: str, version: str, zoho_bulk_mock_factory: MockFactory, tmp_path: Path
) -> None:
    where = _mock(zoho_bulk_mock_factory, records=5, per_page=3)
    expected = [record_row(FIELDS, index) for index in range(5)]
    fields = ["--fields", ",".join(FIELDS)]
    for suffix in (".csv", ".jsonl", ".parquet"):
        output = tmp_path / f"contacts{suffix}"
        done = zoho_bulk("export", product, version, "Contacts", "-o", str(output), *fields, *where)
        assert done.returncode == 0, done.stderr
        assert done.stderr == f"zoho-bulk: exported 5 Contacts records to {output}\n"
        assert done.stdout == ""
        if suffix == ".csv":
            with output.open(encoding="utf-8", newline="") as stream:
                assert list(csv.DictReader(stream)) == expected
        elif suffix == ".jsonl":
            lines = output.read_text(encoding="utf-8").splitlines()
            assert [json.loads(line) for line in lines] == expected
        else:
            table = pyarrow.parquet.read_table(output)
            assert table.schema.names == FIELDS
            assert table.to_pylist() == expected
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "contacts.csv", "contacts.jsonl", "contacts.parquet",
    ]  # fmt: skip


def test_export_sends_fields_criteria_and_page(
    zoho_bulk_mock_factory: MockFactory, tmp_path: Path
) -> None:
    server = zoho_bulk_mock_factory(records=7, per_page=3, polls_until_complete=0)
    criteria = {"api_name": "Email", "comparator": "contains", "value": "@example.com"}
    done = zoho_bulk(
        "export", "bigin", "v2", "Contacts", "-o", str(tmp_path / "c.csv"),
        "--fields", "Id,Email", "--criteria", json.dumps(criteria), "--page", "2",
        "--base-url", server.base_url, "--poll", "0.01",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    jobs = list(server.state.read_jobs.values())
    assert [job.page for job in jobs] == [2, 3]
    with (tmp_path / "c.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert rows == [record_row(["Id", "Email"], index) for index in range(3, 7)]


@pytest.mark.parametrize(
    ("product", "version"), [("crm", "v8"), ("bigin", "v1"), ("recruit", "v2")]
)
def test_import_uploads_waits_and_writes_the_outcome_next_to_the_input(
    product: str, version: str, zoho_bulk_mock_factory: MockFactory, tmp_path: Path
) -> None:
    where = _mock(zoho_bulk_mock_factory)
    source = tmp_path / "contacts.csv"
    source.write_text(
        "Surname,Email,Id\r\nNg,ng@example.com,\r\n,nobody@example.com,\r\n"
        'Smith,smith@example.com,5725767000000100007\r\n"Müller, Jr.",m@example.com,\r\n',
        encoding="utf-8",
    )
    done = zoho_bulk(
        "import", product, version, "Contacts", str(source), "--operation", "upsert",
        "--find-by", "Id", "--map", "Surname=Last_Name", "--org-id", "4000001", *where,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = tmp_path / "contacts.result.csv"
    assert done.stderr.startswith("zoho-bulk: imported contacts.csv into Contacts (job ")
    assert done.stderr.endswith(f"2 added, 1 updated, 1 skipped, 0 failed; rows in {result}\n")
    with result.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["Surname", "Email", "Id", "STATUS", "RECORD_ID", "ERRORS"]
    assert [row["STATUS"] for row in rows] == ["ADDED", "SKIPPED", "UPDATED", "ADDED"]
    assert rows[1]["ERRORS"] == "MANDATORY_NOT_FOUND-Last_Name"
    assert rows[2]["RECORD_ID"] == "5725767000000100007"
    assert [row["Surname"] for row in rows] == ["Ng", "", "Smith", "Müller, Jr."]


def test_job_shows_a_job_and_downloads_its_result(
    zoho_bulk_mock_factory: MockFactory, tmp_path: Path
) -> None:
    server = zoho_bulk_mock_factory(records=4, polls_until_complete=0)
    package = client_module(_version("crm", "v8"))
    with package.Client(TOKEN, base_url=server.base_url, wait=FAST) as client:
        read = client.wait_for_bulk_read_job(
            client.create_bulk_read_job(read_request(_version("crm", "v8"))).id
        )
    where = ["--base-url", server.base_url]
    shown = zoho_bulk("job", "crm", "v8", read.id, *where)
    assert shown.returncode == 0, shown.stderr
    details = json.loads(shown.stdout)
    assert (details["kind"], details["id"], details["state"]) == ("read", read.id, "COMPLETED")
    target = tmp_path / "result.zip"
    saved = zoho_bulk("job", "crm", "v8", read.id, "--download", str(target), *where)
    assert saved.returncode == 0, saved.stderr
    assert list(iter_csv_rows(target)) == [record_row(FIELDS, index) for index in range(4)]

    missing = zoho_bulk("job", "crm", "v8", "1234567890", *where)
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1 and missing.stderr.startswith("zoho-bulk job: ")


def _version(product: str, version: str) -> Any:
    from tests.runtime.test_lifecycle import SPEC

    found = SPEC.find_version(product, version)
    assert found is not None
    return found


def test_job_shows_a_write_job(zoho_bulk_mock_factory: MockFactory, tmp_path: Path) -> None:
    where = _mock(zoho_bulk_mock_factory)
    source = tmp_path / "leads.csv"
    source.write_text("Last_Name,Email\r\nNg,ng@example.com\r\n", encoding="utf-8")
    done = zoho_bulk(
        "import", "crm", "v7", "Leads", str(source), "--operation", "insert",
        "--org-id", "4000001", *where,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    job_id = done.stderr.split("(job ", 1)[1].split(")", 1)[0]
    shown = zoho_bulk("job", "crm", "v7", job_id, *where[:2])
    assert shown.returncode == 0, shown.stderr
    details = json.loads(shown.stdout)
    assert (details["kind"], details["status"]) == ("write", "COMPLETED")
    target = tmp_path / "outcome.zip"
    saved = zoho_bulk("job", "crm", "v7", job_id, "--download", str(target), *where[:2])
    assert saved.returncode == 0, saved.stderr
    with zipfile.ZipFile(target) as archive:
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text)))[-3:] == ["STATUS", "RECORD_ID", "ERRORS"]


def test_failed_rows_give_exit_code_3(zoho_bulk_mock_factory: MockFactory, tmp_path: Path) -> None:
    where = _mock(zoho_bulk_mock_factory)
    source = tmp_path / "leads.csv"
    source.write_text("Id,Last_Name\r\n999,Ng\r\n", encoding="utf-8")
    done = zoho_bulk(
        "import", "crm", "v8", "Leads", str(source), "--operation", "update",
        "--find-by", "Id", "--org-id", "4000001", *where,
    )  # fmt: skip
    assert done.returncode in (0, 3), done.stderr
    summary = done.stderr.splitlines()[-1]
    failed = int(summary.split(" skipped, ")[1].split(" failed")[0])
    assert done.returncode == (3 if failed else 0)


def test_command_line_mistakes_are_one_line_with_exit_code_2(tmp_path: Path) -> None:
    base = ["--base-url", "http://127.0.0.1:9"]
    cases = [
        (["export", "crm", "v99", "Leads", "-o", str(tmp_path / "x.csv"), *base],
         "zoho-bulk export: no installed package for crm v99 (installed: bigin v1, v2; crm v2,"),
        (["export", "crm", "v8", "Leads", "-o", str(tmp_path / "x.xlsx"), *base],
         "zoho-bulk export: "),
        (["export", "crm", "v8", "Leads", "-o", str(tmp_path / "x.csv"), "--criteria", "{", *base],
         "zoho-bulk export: --criteria is not JSON: "),
        (["export", "crm", "v8", "Leads", "-o", str(tmp_path / "x.csv"), "--criteria", "[]", *base],
         "zoho-bulk export: the create_bulk_read_job request is not valid: /query/criteria: "),
        (["import", "crm", "v8", "Leads", str(tmp_path / "none.csv"), "--operation", "insert"],
         f"zoho-bulk import: {tmp_path / 'none.csv'}: no such file"),
        (["export", "crm", "v8", "Leads", "-o", str(tmp_path / "x.csv"), "--data-center", "MARS"],
         "zoho-bulk export: unknown data center 'MARS'"),
    ]  # fmt: skip
    for args, start in cases:
        done = zoho_bulk(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith(start), (args, done.stderr)
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    no_token = zoho_bulk("job", "crm", "v8", "1", *base, env={})
    assert no_token.returncode == 2
    assert no_token.stderr == (
        "zoho-bulk job: no credentials: give --access-token or set ZOHO_ACCESS_TOKEN, or set "
        "ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN\n"
    )
    source = tmp_path / "in.csv"
    source.write_text("A,B\r\n1,2\r\n", encoding="utf-8")
    bad_map = zoho_bulk("import", "crm", "v8", "Leads", str(source), "--operation", "insert",
                        "--map", "C=Last_Name", *base)  # fmt: skip
    assert bad_map.returncode == 2
    assert bad_map.stderr == (
        "zoho-bulk import: --map 'C=Last_Name': the file has no column 'C' (columns: A, B)\n"
    )
    assert list(tmp_path.iterdir()) == [source]


def test_a_refused_token_is_exit_code_1_and_leaves_no_file(
    zoho_bulk_mock_factory: MockFactory, tmp_path: Path
) -> None:
    where = _mock(zoho_bulk_mock_factory)
    output = tmp_path / "x.csv"
    done = zoho_bulk(
        "export", "crm", "v8", "Leads", "-o", str(output), *where,
        env={"ZOHO_ACCESS_TOKEN": "not-a-token"},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("zoho-bulk export: ") and done.stderr.count("\n") == 1
    assert "not-a-token" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_refresh_token_credentials_keep_the_token_in_the_file_store(
    zoho_bulk_mock_factory: MockFactory, tmp_path: Path
) -> None:
    where = _mock(zoho_bulk_mock_factory, records=2)
    store = tmp_path / "store" / "token.json"
    env = {
        "ZOHO_CLIENT_ID": "1000.CLIENT",
        "ZOHO_CLIENT_SECRET": "secret-value",
        "ZOHO_REFRESH_TOKEN": "1000.refresh.token",
        "ZOHO_TOKEN_STORE": str(store),
    }
    output = tmp_path / "x.jsonl"
    done = zoho_bulk("export", "crm", "v8", "Leads", "-o", str(output), *where, env=env)
    assert done.returncode == 0, done.stderr
    assert "secret-value" not in done.stderr + done.stdout
    assert json.loads(store.read_text(encoding="utf-8"))["access_token"]
    assert store.stat().st_mode & 0o077 == 0
    assert len(output.read_text(encoding="utf-8").splitlines()) == 2


def test_help_shows_examples_and_exit_codes() -> None:
    for command in ("export", "import", "job"):
        done = zoho_bulk(command, "--help")
        assert done.returncode == 0
        assert "zoho-bulk export crm v8 Leads -o leads.parquet" in done.stdout
    done = zoho_bulk("export")
    assert done.returncode == 2 and "the following arguments are required" in done.stderr


def test_the_console_script_is_installed_and_exports(
    zoho_bulk_mock_factory: MockFactory, tmp_path: Path
) -> None:
    shown = zoho_bulk_script("--help")
    assert shown.returncode == 0
    assert "exit codes: 0 done" in shown.stdout
    where = _mock(zoho_bulk_mock_factory, records=3)
    output = tmp_path / "leads.parquet"
    done = zoho_bulk_script("export", "crm", "v8", "Leads", "-o", str(output), *where)
    assert done.returncode == 0, done.stderr
    assert pyarrow.parquet.read_table(output).num_rows == 3
