"""``zoho-bulk``: move data in and out of Zoho with the installed product
packages, without writing code.

    zoho-bulk export crm v8 Leads -o leads.parquet --fields Last_Name,Email
    zoho-bulk import crm v8 Contacts contacts.csv --operation upsert --find-by Email
    zoho-bulk job crm v8 4876876000006855001 --download result.zip

Exit codes: 0 done; 1 the API, the network or the job failed (one line says
why); 2 the command line or the environment is wrong (unknown product,
no credentials, unreadable input, pyarrow missing for Parquet); 3 an import
finished but some rows failed (see FILE.result.csv); 130 interrupted.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.metadata
import io
import json
import os
import re
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Final

from zoho_bulk_core.arrow import ArrowUnavailableError, require_pyarrow
from zoho_bulk_core.auth import FileTokenStore, RefreshTokenCredentials
from zoho_bulk_core.errors import ZohoBulkError
from zoho_bulk_core.hosts import DATA_CENTERS
from zoho_bulk_core.waiters import WaitPolicy

PROG: Final = "zoho-bulk"
EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_ROWS_FAILED: Final = 3
EXIT_INTERRUPTED: Final = 130

EXPORT_FORMATS: Final = (".csv", ".jsonl", ".parquet")
TOKEN_STORE_ENV: Final = "ZOHO_TOKEN_STORE"
_NAME: Final = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_VERSION: Final = re.compile(r"^v[0-9]{1,3}(\.[0-9]{1,3})?$")
_RESULT_COLUMNS: Final = ("STATUS", "RECORD_ID", "ERRORS")
_OUTCOMES: Final = {"ADDED": "added", "UPDATED": "updated", "SKIPPED": "skipped"}

EXAMPLES: Final = """examples:
  export ZOHO_ACCESS_TOKEN=1000.xxxx
  zoho-bulk export crm v8 Leads -o leads.parquet --fields Last_Name,Email,Company
  zoho-bulk export bigin v2 Contacts -o contacts.jsonl \\
      --criteria '{"api_name": "Email", "comparator": "contains", "value": "@example.com"}'
  zoho-bulk import crm v8 Contacts contacts.csv --operation upsert --find-by Email \\
      --map "E-mail=Email" --org-id 4000001
  zoho-bulk job crm v8 4876876000006855001 --download result.zip

credentials: --access-token or ZOHO_ACCESS_TOKEN; or ZOHO_CLIENT_ID,
ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN (access tokens are kept in the file
ZOHO_TOKEN_STORE, default ~/.config/zoho-bulk/token.json, readable by you only).

exit codes: 0 done, 1 the API, network or job failed, 2 bad command line or
environment, 3 an import finished with failed rows, 130 interrupted."""


class UsageError(Exception):
    """The command line or the environment is wrong (exit code 2)."""


# --- the command line ------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The ``zoho-bulk`` argument parser."""
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_argument_group("where and who")
    where.add_argument(
        "--data-center",
        default="US",
        help=f"data center (default US; one of {', '.join(sorted(DATA_CENTERS))})",
    )
    where.add_argument(
        "--environment",
        default="production",
        choices=["production", "sandbox", "developer"],
        help="environment (default production)",
    )
    where.add_argument(
        "--domain", help="a zohoplatform domain, where the product has them"
    )
    where.add_argument("--base-url", help="API base URL (overrides the data center)")
    where.add_argument("--accounts-url", help="accounts base URL, for refresh tokens")
    where.add_argument(
        "--access-token",
        help="OAuth access token (default: $ZOHO_ACCESS_TOKEN); never printed",
    )
    waiting = common.add_argument_group("waiting for jobs")
    waiting.add_argument(
        "--poll", type=float, default=2.0, metavar="SECONDS",
        help="first delay between polls of a job, growing 1.5x up to 30 s (default 2)",
    )  # fmt: skip
    waiting.add_argument(
        "--timeout", type=float, default=3600.0, metavar="SECONDS",
        help="give up on a job still running after this long (default 3600)",
    )  # fmt: skip

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Export and import Zoho records with the Bulk APIs.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    export = commands.add_parser(
        "export",
        parents=[common],
        help="export every page of a module to .csv, .jsonl or .parquet",
        description="Export every page of a module; the format follows the suffix of -o.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_target(export)
    export.add_argument("module", metavar="MODULE", help="module API name, e.g. Leads")
    export.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FILE",
        help="file to write: .csv, .jsonl or .parquet (needs zoho-bulk-core[arrow])",
    )  # fmt: skip
    export.add_argument(
        "--fields", help="comma-separated field API names (default: all)"
    )
    export.add_argument("--criteria", help="filter, as the API's criteria JSON")
    export.add_argument("--page", type=int, default=1, help="first page (default 1)")
    export.set_defaults(run=run_export)

    imports = commands.add_parser(
        "import",
        parents=[common],
        help="import a CSV file and write the per-row outcome next to it",
        description="Zip and upload a CSV file, create the write job, wait for it and "
        "write the outcome of every row to FILE.result.csv.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_target(imports)
    imports.add_argument(
        "module", metavar="MODULE", help="module API name, e.g. Contacts"
    )
    imports.add_argument(
        "file", type=Path, metavar="FILE.csv", help="CSV file with a header"
    )
    imports.add_argument(
        "--operation", required=True, choices=["insert", "update", "upsert"]
    )
    imports.add_argument(
        "--find-by", metavar="F", help="field that identifies existing records"
    )
    imports.add_argument(
        "--map", action="append", default=[], metavar="COLUMN=FIELD",
        help="import COLUMN into FIELD (repeatable; other columns go to the field they name)",
    )  # fmt: skip
    imports.add_argument("--org-id", metavar="ID", help="organization id, for uploads")
    imports.set_defaults(run=run_import)

    job = commands.add_parser(
        "job",
        parents=[common],
        help="show a bulk read or write job, or download its result",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_target(job)
    job.add_argument("job_id", metavar="JOB_ID")
    job.add_argument(
        "--download", type=Path, metavar="FILE", help="save the result zip"
    )
    job.set_defaults(run=run_job)
    return parser


def _add_target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("product", metavar="PRODUCT", help="crm, bigin, recruit, ...")
    parser.add_argument("version", metavar="VERSION", help="API version, e.g. v8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``zoho-bulk``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except UsageError as exc:
        print(f"{PROG} {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ArrowUnavailableError as exc:
        print(f"{PROG} {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ZohoBulkError as exc:
        print(f"{PROG} {args.command}: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"{PROG} {args.command}: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "failed"


# --- packages and clients --------------------------------------------------


def installed_products() -> dict[str, list[str]]:
    """Installed product packages and their versions: ``{"crm": ["v2", "v2.1"]}``."""
    found: dict[str, list[str]] = {}
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if not name.startswith("zoho-bulk-") or name == "zoho-bulk-core":
            continue
        product = name.removeprefix("zoho-bulk-")
        try:
            package = importlib.import_module(f"zoho_bulk_{product}")
        except ImportError:
            continue
        folder = Path(package.__file__ or ".").parent
        versions = [
            entry.name.replace("_", ".")
            for entry in folder.iterdir()
            if entry.is_dir() and _VERSION.match(entry.name.replace("_", "."))
        ]
        found[product] = sorted(versions, key=_version_key)
    return dict(sorted(found.items()))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version[1:].split("."))


def version_package(product: str, version: str) -> Any:
    """The installed package of a product version, or UsageError naming those installed."""
    if _NAME.match(product) and _VERSION.match(version):
        try:
            return importlib.import_module(
                f"zoho_bulk_{product}.{version.replace('.', '_')}"
            )
        except ModuleNotFoundError:
            pass
    installed = installed_products()
    listing = "; ".join(f"{name} {', '.join(vs)}" for name, vs in installed.items())
    raise UsageError(
        f"no installed package for {product} {version} "
        f"(installed: {listing or 'none; pip install zoho-bulk-crm, ...'})"
    )


def credentials_from(args: argparse.Namespace) -> dict[str, Any]:
    """Client keyword arguments for the credentials, from options or environment."""
    token = args.access_token or os.environ.get("ZOHO_ACCESS_TOKEN")
    if token:
        return {"access_token": token}
    names = ("ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN")
    values = [os.environ.get(name, "") for name in names]
    if all(values):
        default = Path.home() / ".config" / "zoho-bulk" / "token.json"
        store = FileTokenStore(os.environ.get(TOKEN_STORE_ENV) or default)
        client_id, client_secret, refresh_token = values
        return {
            "credentials": RefreshTokenCredentials(
                client_id, client_secret, refresh_token, store=store
            )
        }
    missing = [name for name, value in zip(names, values, strict=True) if not value]
    if len(missing) < len(names):
        raise UsageError(f"no credentials: {', '.join(missing)} not set")
    raise UsageError(
        "no credentials: give --access-token or set ZOHO_ACCESS_TOKEN, or set "
        "ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN"
    )


def open_client(package: Any, args: argparse.Namespace) -> Any:
    """A sync client of ``package`` set up from the common options."""
    if args.data_center.upper() not in DATA_CENTERS:
        raise UsageError(
            f"unknown data center {args.data_center!r} "
            f"(known: {', '.join(sorted(DATA_CENTERS))})"
        )
    if not (0 < args.poll <= 3600 and 0 < args.timeout):
        raise UsageError("--poll must be in (0, 3600] and --timeout above 0")
    wait = WaitPolicy(
        initial_delay=args.poll, max_delay=max(args.poll, 30.0), timeout=args.timeout
    )
    try:
        return package.Client(
            wait=wait,
            data_center=args.data_center,
            environment=args.environment,
            domain=args.domain,
            base_url=args.base_url,
            accounts_url=args.accounts_url,
            **credentials_from(args),
        )
    except (ValueError, TypeError) as exc:
        raise UsageError(_one_line(str(exc))) from None


def shaped_request(
    package: Any, operation: str, build: Callable[[Any], dict[str, Any]], module: str
) -> dict[str, Any]:
    """The request ``build`` makes, with the module named as this version's schema
    wants it (a plain name, or ``{"api_name": ...}``); UsageError if it matches
    neither, with the schema's complaint."""
    complaints: list[str] = []
    for shape in (module, {"api_name": module}):
        body = build(shape)
        try:
            package.validate_payload(operation, body, "request")
        except package.PayloadError as exc:
            complaints.append(f"{exc.pointer or '/'}: {exc.message}")
            continue
        return body
    # The shape the version takes fails elsewhere: that is the complaint to show.
    elsewhere = [text for text in complaints if "/module: " not in text]
    raise UsageError(
        f"the {operation} request is not valid: {(elsewhere or complaints)[0]}"
    )


class Progress:
    """A one-line progress display on stderr, drawn only when it is a terminal."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.drawn = False

    def show(self, text: str) -> None:
        """Replace the line with ``text``."""
        if self.live:
            self.stream.write(f"\r\x1b[2K{text}")
            self.stream.flush()
            self.drawn = True

    def job(self, job: Any) -> None:
        """An ``on_progress`` callback: the job's id and state."""
        state = getattr(job, "state", None) or getattr(job, "status", None)
        self.show(f"job {getattr(job, 'id', '?')}: {getattr(state, 'value', state)}")

    def done(self) -> None:
        """End the line, so that what follows starts on its own."""
        if self.drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.drawn = False


# --- export ----------------------------------------------------------------


def read_request(
    package: Any, module: str, fields: str | None, criteria: str | None, page: int
) -> dict[str, Any]:
    """The create-read-job body of an export."""
    query: dict[str, Any] = {}
    if fields:
        query["fields"] = [name.strip() for name in fields.split(",") if name.strip()]
    if criteria:
        try:
            query["criteria"] = json.loads(criteria)
        except ValueError as exc:
            raise UsageError(f"--criteria is not JSON: {exc}") from None
    if page < 1:
        raise UsageError("--page must be 1 or more")
    if page > 1:
        query["page"] = page

    def build(shape: Any) -> dict[str, Any]:
        """The request with the module named as ``shape``."""
        return {"query": {"module": shape, **query}}

    return shaped_request(package, "create_bulk_read_job", build, module)


def run_export(args: argparse.Namespace) -> int:
    """``zoho-bulk export``."""
    output: Path = args.output
    suffix = output.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise UsageError(
            f"{output}: unknown format {suffix or '(no suffix)'!r}; "
            f"use {', '.join(EXPORT_FORMATS)}"
        )
    if suffix == ".parquet":
        require_pyarrow()
    package = version_package(args.product, args.version)
    if not hasattr(package.Client, "iter_bulk_read_rows"):
        raise UsageError(f"{args.product} {args.version} has no bulk read (export)")
    body = read_request(package, args.module, args.fields, args.criteria, args.page)
    progress = Progress()
    with open_client(package, args) as client, _replacing(output) as partial:
        if suffix == ".parquet":
            batches = client.iter_bulk_read_batches(body, on_progress=progress.job)
            count = write_parquet(batches, partial, progress)
        else:
            rows = client.iter_bulk_read_rows(body, on_progress=progress.job)
            write = write_csv if suffix == ".csv" else write_jsonl
            count = write(rows, partial, progress)
    progress.done()
    print(
        f"{PROG}: exported {count:,} {args.module} records to {output}", file=sys.stderr
    )
    return EXIT_OK


class _replacing:
    """A temporary file beside ``target`` that replaces it only on success, so
    that a failed export never leaves a half-written file."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.partial = target

    def __enter__(self) -> Path:
        folder = self.target.parent
        if not folder.is_dir():
            raise UsageError(f"{self.target}: no folder {folder}")
        handle, name = tempfile.mkstemp(
            prefix=f".{self.target.name}.", suffix=".partial", dir=folder
        )
        os.close(handle)
        self.partial = Path(name)
        return self.partial

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        if exc_type is None:
            os.replace(self.partial, self.target)
        else:
            self.partial.unlink(missing_ok=True)


def _counted(
    rows: Iterator[Mapping[str, str]], progress: Progress
) -> Iterator[Mapping[str, str]]:
    for count, row in enumerate(rows, 1):
        if count % 10_000 == 0:
            progress.show(f"{count:,} records")
        yield row


def write_csv(rows: Iterator[Mapping[str, str]], path: Path, progress: Progress) -> int:
    """Write dict rows as CSV (header from the first row); returns the count."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer: csv.DictWriter[str] | None = None
        for row in _counted(rows, progress):
            if writer is None:
                writer = csv.DictWriter(
                    stream, fieldnames=list(row), extrasaction="raise"
                )
                writer.writeheader()
            writer.writerow(row)
            count += 1
    return count


def write_jsonl(
    rows: Iterator[Mapping[str, str]], path: Path, progress: Progress
) -> int:
    """Write dict rows as JSON lines; returns the count."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        for row in _counted(rows, progress):
            stream.write(json.dumps(row, ensure_ascii=False))
            stream.write("\n")
            count += 1
    return count


def write_parquet(batches: Iterator[Any], path: Path, progress: Progress) -> int:
    """Write record batches to a Parquet file (string columns); returns the row count."""
    pyarrow = require_pyarrow()
    parquet = importlib.import_module("pyarrow.parquet")

    count = 0
    writer: Any = None
    try:
        for batch in batches:
            if writer is None:
                writer = parquet.ParquetWriter(path, batch.schema)
            elif batch.schema != writer.schema:
                raise ZohoBulkError(
                    "a later page has other columns than the first: "
                    f"{batch.schema.names} after {writer.schema.names}"
                )
            writer.write_batch(batch)
            count += batch.num_rows
            progress.show(f"{count:,} records")
        if writer is None:
            parquet.write_table(pyarrow.table({}), path)
    finally:
        if writer is not None:
            writer.close()
    return count


# --- import ----------------------------------------------------------------


def parse_mappings(pairs: list[str], header: list[str]) -> dict[str, str]:
    """``--map COLUMN=FIELD`` options as {column: field}, checked against the header."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sign, field = pair.partition("=")
        if not sign or not column or not field:
            raise UsageError(f"--map {pair!r}: expected COLUMN=FIELD")
        if column not in header:
            raise UsageError(
                f"--map {pair!r}: the file has no column {column!r} "
                f"(columns: {', '.join(header)})"
            )
        mapping[column] = field
    return mapping


def read_header(path: Path) -> list[str]:
    """The header row of a CSV file, or UsageError."""
    if path.suffix.lower() != ".csv":
        raise UsageError(f"{path}: expected a .csv file")
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            header = next(csv.reader(stream), None)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"{path}: cannot read: {_one_line(str(exc))}") from None
    if not header or not any(header):
        raise UsageError(f"{path}: no header row")
    return header


def write_request(
    package: Any,
    args: argparse.Namespace,
    header: list[str],
    mapping: Mapping[str, str],
    file_id: str,
) -> dict[str, Any]:
    """The create-write-job body of an import."""
    resource: dict[str, Any] = {"type": "data", "file_id": file_id}
    if args.find_by:
        resource["find_by"] = args.find_by
    if mapping:
        resource["field_mappings"] = [
            {"api_name": mapping.get(column, column), "index": index}
            for index, column in enumerate(header)
            if column
        ]

    def build(shape: Any) -> dict[str, Any]:
        """The request with the module named as ``shape``."""
        return {
            "operation": args.operation,
            "resource": [{**resource, "module": shape}],
        }

    return shaped_request(package, "create_bulk_write_job", build, args.module)


def zipped(path: Path) -> bytes:
    """A zip holding the CSV file under its own name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, arcname=path.name)
    return buffer.getvalue()


def result_path(path: Path) -> Path:
    """Where an import's per-row outcome goes: ``contacts.csv`` -> ``contacts.result.csv``."""
    return path.with_name(f"{path.stem}.result.csv")


def upload_options(client: Any, org_id: str | None, label: str) -> dict[str, Any]:
    """Keyword arguments of ``upload_file``: the org id where the version wants one."""
    import inspect

    parameters = inspect.signature(client.upload_file).parameters
    if "org_id" not in parameters:
        return {}
    if org_id is None:
        if parameters["org_id"].default is inspect.Parameter.empty:
            raise UsageError(f"{label} uploads need --org-id")
        return {}
    return {"org_id": org_id}


def run_import(args: argparse.Namespace) -> int:
    """``zoho-bulk import``."""
    path: Path = args.file
    header = read_header(path)
    mapping = parse_mappings(args.map, header)
    package = version_package(args.product, args.version)
    label = f"{args.product} {args.version}"
    if not hasattr(package.Client, "upload_file"):
        raise UsageError(f"{label} has no bulk write (import)")
    # Checked before anything is sent; the real file id replaces the placeholder.
    write_request(package, args, header, mapping, "1")
    progress = Progress()
    with open_client(package, args) as client:
        options = upload_options(client, args.org_id, label)
        progress.show(f"uploading {path.name}")
        uploaded = client.upload_file(zipped(path), **options)
        body = write_request(package, args, header, mapping, str(uploaded.file_id))
        created = client.create_bulk_write_job(body)
        job = client.wait_for_bulk_write_job(created.id, on_progress=progress.job)
        target = result_path(path)
        with _replacing(target) as partial:
            counts = write_outcome(client.iter_bulk_write_result_rows(job), partial)
    progress.done()
    failed = counts["failed"]
    print(
        f"{PROG}: imported {path.name} into {args.module} (job {job.id}): "
        f"{counts['added']} added, {counts['updated']} updated, "
        f"{counts['skipped']} skipped, {failed} failed; rows in {target}",
        file=sys.stderr,
    )
    return EXIT_ROWS_FAILED if failed else EXIT_OK


def write_outcome(rows: Iterator[Any], path: Path) -> Counter[str]:
    """Write the write result rows (columns, STATUS, RECORD_ID, ERRORS) as CSV;
    returns the count of each outcome: added, updated, skipped, failed."""
    counts: Counter[str] = Counter(added=0, updated=0, skipped=0, failed=0)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        for index, row in enumerate(rows):
            if index == 0:
                writer.writerow([*row.fields, *_RESULT_COLUMNS])
            writer.writerow(
                [
                    *row.fields.values(),
                    row.status,
                    row.record_id or "",
                    ":".join(row.errors),
                ]
            )
            counts[_OUTCOMES.get(row.status.upper(), "failed")] += 1
    return counts


# --- job -------------------------------------------------------------------


def find_job(client: Any, job_id: str) -> tuple[str, Any]:
    """("read" or "write", the job): asks as a read job first, then as a write job."""
    from zoho_bulk_core.errors import ApiError

    kinds = [
        kind for kind in ("read", "write") if hasattr(client, f"get_bulk_{kind}_job")
    ]
    refusal: ApiError | None = None
    for kind in kinds:
        try:
            return kind, getattr(client, f"get_bulk_{kind}_job")(job_id)
        except ApiError as exc:
            if exc.http_status not in (400, 404):
                raise
            refusal = refusal or exc
    assert refusal is not None
    raise refusal


def run_job(args: argparse.Namespace) -> int:
    """``zoho-bulk job``."""
    package = version_package(args.product, args.version)
    with open_client(package, args) as client:
        kind, job = find_job(client, args.job_id)
        if args.download is None:
            details = job.model_dump(mode="json", exclude_none=True, by_alias=True)
            print(json.dumps({"kind": kind, **details}, indent=2, ensure_ascii=False))
            return EXIT_OK
        state = getattr(job, "state" if kind == "read" else "status", None)
        state = getattr(state, "value", state)
        if state != "COMPLETED":
            raise ZohoBulkError(
                f"{kind} job {job.id} is {state}: no result to download yet"
            )
        with _replacing(args.download) as partial:
            if kind == "read":
                client.download_bulk_read_result(job.id, partial)
            else:
                url = job.result.download_url if job.result else None
                if not url:
                    raise ZohoBulkError(f"write job {job.id} has no download_url")
                client.download_bulk_write_result(url, partial)
    print(
        f"{PROG}: saved the result of {kind} job {job.id} to {args.download}",
        file=sys.stderr,
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
