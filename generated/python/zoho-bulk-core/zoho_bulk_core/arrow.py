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
import struct
import zipfile
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
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
from zoho_bulk_core.results import (
    ResultFileError,
    _reading,
    _result_member,
)
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


_LOCAL_HEADER: Final = struct.Struct("<4s22xHH")
"""A zip member's local header: its signature, then (after 22 bytes) the lengths
of the name and of the extra field that come before the member's data."""

_GZIP_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
"""A minimal gzip member header (deflate, no name, no time, unknown OS)."""


class _DeflateAsGzip(io.RawIOBase):
    """A zip member's deflate data, read from the zip file, framed as a gzip
    stream (a header before, its CRC-32 and size after, both known from the
    zip's directory), so that pyarrow decompresses it natively - outside the
    GIL, beside the CSV parsing - and checks the CRC as zipfile would."""

    def __init__(
        self, file: io.BufferedReader, start: int, member: zipfile.ZipInfo
    ) -> None:
        super().__init__()
        self._file = file
        self._file.seek(start)
        self._left = member.compress_size
        self._head = _GZIP_HEADER
        self._tail = struct.pack("<II", member.CRC, member.file_size & 0xFFFFFFFF)

    def readable(self) -> bool:
        """Always: the stream is read."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` with the next bytes of the gzip stream; 0 at its end."""
        view = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(view), len(self._head))
            view[:size], self._head = self._head[:size], self._head[size:]
            return size
        if self._left:
            size = self._file.readinto(view[: min(len(view), self._left)])
            if not size:
                raise zipfile.BadZipFile("the zip file ends inside its result file")
            self._left -= size
            return size
        size = min(len(view), len(self._tail))
        view[:size], self._tail = self._tail[:size], self._tail[size:]
        return size


def _data_start(file: io.BufferedReader, member: zipfile.ZipInfo) -> int | None:
    """Where ``member``'s compressed data starts in the zip ``file``, or None
    when it cannot be read as plain deflate data (other compression,
    encryption, a damaged local header)."""
    if member.compress_type != zipfile.ZIP_DEFLATED or member.flag_bits & 0x1:
        return None
    file.seek(member.header_offset)
    header = file.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        return None
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        return None
    offset: int = member.header_offset
    return offset + _LOCAL_HEADER.size + int(name_length) + int(extra_length)


def iter_arrow_batches(
    zip_path: str | os.PathLike[str], *, block_bytes: int = DEFAULT_BLOCK_BYTES
) -> Iterator[RecordBatch]:
    """Each ``pyarrow.RecordBatch`` of the CSV file in a result zip.

    Columns are named by the header row and typed as strings holding the CSV's
    values exactly as written (quoted newlines included). The file is
    decompressed and parsed as it is read, ``block_bytes`` at a time, so memory
    stays flat however many rows. A file with a header and no rows yields no
    batch; a malformed file raises UnexpectedResponseError (ResultFileError
    when the zip itself is damaged).

    A deflated member (what the API sends) is decompressed by pyarrow itself,
    natively and beside the parsing; any other is read through zipfile.
    """
    pyarrow = require_pyarrow()
    with _reading(zip_path), zipfile.ZipFile(zip_path) as archive:
        member = _result_member(archive, ".csv")
        header = _header(archive, member)
        if not header:
            return
        string = pyarrow.string()
        options = {
            "read_options": pyarrow.csv.ReadOptions(
                block_size=block_bytes, encoding="utf8"
            ),
            "parse_options": pyarrow.csv.ParseOptions(newlines_in_values=True),
            "convert_options": pyarrow.csv.ConvertOptions(
                column_types={name: string for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        }
        with open(zip_path, "rb") as file:
            start = _data_start(file, member)
            if start is None:
                source: Any = archive.open(member)
            else:
                source = pyarrow.CompressedInputStream(
                    pyarrow.PythonFile(_DeflateAsGzip(file, start, member), mode="r"),
                    "gzip",
                )
            with source:
                yield from _batches(pyarrow, source, options, member, zip_path)


def _batches(
    pyarrow: Any,
    source: Any,
    options: Mapping[str, Any],
    member: zipfile.ZipInfo,
    zip_path: str | os.PathLike[str],
) -> Iterator[RecordBatch]:
    """The batches of pyarrow's CSV reader on ``source``, its errors made the
    library's."""
    try:
        yield from pyarrow.csv.open_csv(source, **options)
    except pyarrow.ArrowInvalid as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else "unreadable"
        raise UnexpectedResponseError(
            f"malformed CSV in {member.filename!r}: {first_line}"
        ) from None
    except OSError as exc:  # pyarrow's inflate: damaged data, a wrong CRC
        first_line = str(exc).splitlines()[0] if str(exc) else "unreadable"
        raise ResultFileError(
            f"{Path(zip_path).name}: {member.filename!r} is damaged ({first_line})"
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
    body = build_request(
        reading.create.request, request, options, version=client._api_version
    )
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
    body = build_request(
        reading.create.request, request, options, version=client._api_version
    )
    return aiter_pages(
        client,
        reading,
        body,
        lambda path, job: iter_arrow_batches(path),
        policy=policy,
        on_progress=on_progress,
        workdir=workdir,
    )
