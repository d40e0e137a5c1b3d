"""Result files as Apache Arrow record batches: the CSV inside a result zip,
read by pyarrow's streaming CSV reader, every column a string holding exactly
the CSV's text (nothing is guessed: ``"007"`` stays ``"007"``, an empty cell is
``""``), in bounded memory; and the pages of a bulk read export as batches.

pyarrow is an optional dependency: ``pip install 'zoho-bulk-core[arrow]'``.
Without it these functions raise ArrowUnavailableError, which says so.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
import zipfile
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, Final

from zoho_bulk_core.client import (
    AsyncBaseClient,
    BaseClient,
    Reading,
    aiter_pages,
    iter_pages,
)
from zoho_bulk_core.errors import UnexpectedResponseError, ZohoBulkError
from zoho_bulk_core.progress import ProgressCallback
from zoho_bulk_core.requests import build_request
from zoho_bulk_core.results import _result_member
from zoho_bulk_core.waiters import WaitPolicy

DEFAULT_BLOCK_BYTES: Final = 1 << 20
"""CSV bytes parsed into one record batch (about 1 MiB: a few thousand rows)."""

INSTALL_HINT: Final = "pip install 'zoho-bulk-core[arrow]'"

RecordBatch = Any
"""A ``pyarrow.RecordBatch`` (pyarrow is optional, so it is not named in types)."""


class ArrowUnavailableError(ZohoBulkError, ImportError):
    """pyarrow, needed for Arrow batches and Parquet files, is not installed."""


def require_pyarrow() -> Any:
    """The ``pyarrow`` module, or ArrowUnavailableError saying how to install it."""
    try:
        pyarrow = importlib.import_module("pyarrow")
        importlib.import_module("pyarrow.csv")
    except ImportError:
        raise ArrowUnavailableError(
            f"Arrow batches and Parquet files need pyarrow: {INSTALL_HINT}"
        ) from None
    return pyarrow


def _header(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> list[str] | None:
    """The CSV's header row, or None for an empty file."""
    with archive.open(member) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        return next(csv.reader(text), None)


def iter_arrow_batches(
    zip_path: str | os.PathLike[str], *, block_bytes: int = DEFAULT_BLOCK_BYTES
) -> Iterator[RecordBatch]:
    """Each ``pyarrow.RecordBatch`` of the CSV file in a result zip.

    Columns are named by the header row and typed as strings holding the CSV's
    values exactly as written (quoted newlines included). The file is
    decompressed and parsed as it is read, ``block_bytes`` at a time, so memory
    stays flat however many rows. A file with a header and no rows yields no
    batch; a malformed file raises UnexpectedResponseError.
    """
    pyarrow = require_pyarrow()
    with zipfile.ZipFile(zip_path) as archive:
        member = _result_member(archive, ".csv")
        header = _header(archive, member)
        if not header:
            return
        string = pyarrow.string()
        with archive.open(member) as raw:
            try:
                reader = pyarrow.csv.open_csv(
                    raw,
                    read_options=pyarrow.csv.ReadOptions(
                        block_size=block_bytes, encoding="utf8"
                    ),
                    parse_options=pyarrow.csv.ParseOptions(newlines_in_values=True),
                    convert_options=pyarrow.csv.ConvertOptions(
                        column_types={name: string for name in header},
                        strings_can_be_null=False,
                        quoted_strings_can_be_null=False,
                    ),
                )
                yield from reader
            except pyarrow.ArrowInvalid as exc:
                first_line = str(exc).splitlines()[0] if str(exc) else "unreadable"
                raise UnexpectedResponseError(
                    f"malformed CSV in {member.filename!r}: {first_line}"
                ) from None


def iter_read_batches(
    client: BaseClient,
    reading: Reading,
    request: Any,
    options: Mapping[str, Any],
    *,
    policy: WaitPolicy | None = None,
    on_progress: ProgressCallback | None = None,
    workdir: str | os.PathLike[str] | None = None,
) -> Iterator[RecordBatch]:
    """Record batches of every page of a bulk read export, paged as the
    client's row iterator pages (pyarrow and the request are checked first,
    before any job is created)."""
    require_pyarrow()
    assert reading.create.request is not None
    body = build_request(reading.create.request, request, options)
    return iter_pages(
        client,
        reading,
        body,
        lambda path, job: iter_arrow_batches(path),
        policy=policy,
        on_progress=on_progress,
        workdir=workdir,
    )


def aiter_read_batches(
    client: AsyncBaseClient,
    reading: Reading,
    request: Any,
    options: Mapping[str, Any],
    *,
    policy: WaitPolicy | None = None,
    on_progress: ProgressCallback | None = None,
    workdir: str | os.PathLike[str] | None = None,
) -> AsyncIterator[RecordBatch]:
    """The async form of iter_read_batches."""
    require_pyarrow()
    assert reading.create.request is not None
    body = build_request(reading.create.request, request, options)
    return aiter_pages(
        client,
        reading,
        body,
        lambda path, job: iter_arrow_batches(path),
        policy=policy,
        on_progress=on_progress,
        workdir=workdir,
    )
