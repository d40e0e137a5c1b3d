"""Reading result files: the CSV inside a downloaded zip, row by row, in
bounded memory; bulk write results with their STATUS, RECORD_ID and ERRORS
columns; and the next page of a bulk read.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import copy
import csv
import io
import os
import shutil
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from zoho_bulk_core.errors import LocalFileError, UnexpectedResponseError

MAX_MEMBER_BYTES: Final = 8 << 30
"""Largest uncompressed result file read (8 GiB): a guard against zip bombs."""

MAX_COMPRESSION_RATIO: Final = 200
"""Largest uncompressed/compressed size ratio accepted for a member."""

MAX_ROW_CHARS: Final = 4 << 20
"""Longest line of a result CSV read (4 Mi characters): memory per row stays
bounded however many fields a hostile line packs (a line of commas is a row of
empty fields)."""

MAX_FIELDS_PER_ROW: Final = 10_000
"""Most fields a result row may have (a module has a few hundred at most)."""

MAX_FIELD_CHARS: Final = 131_072
"""Longest field read (the csv module's own default limit)."""


class ResultFileError(UnexpectedResponseError):
    """A result file that cannot be read: not a zip, not UTF-8 CSV, or past a
    limit of size, row length, fields per row or field length."""


class PagingError(UnexpectedResponseError):
    """The server asked for a page that was read already (a repeated
    ``next_page_token`` or page number): reading on would never end."""


STATUS_COLUMN: Final = "STATUS"
RECORD_ID_COLUMN: Final = "RECORD_ID"
ERRORS_COLUMN: Final = "ERRORS"


def _result_member(archive: zipfile.ZipFile, suffix: str) -> zipfile.ZipInfo:
    members = [info for info in archive.infolist() if not info.is_dir()]
    chosen = next(
        (info for info in members if info.filename.lower().endswith(suffix)), None
    )
    if chosen is None:
        raise ResultFileError(f"the result zip holds no {suffix} file")
    ratio = chosen.file_size / max(chosen.compress_size, 1)
    if chosen.file_size > MAX_MEMBER_BYTES or ratio > MAX_COMPRESSION_RATIO:
        raise ResultFileError(
            f"refusing {chosen.filename!r}: {chosen.file_size} bytes unpacked (ratio {ratio:.0f})"
        )
    return chosen


@contextmanager
def _reading(zip_path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn what a broken or hostile result file raises into ResultFileError."""
    name = Path(zip_path).name
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ResultFileError(
            f"{name} is not a zip file, or is cut short ({exc})"
        ) from None
    except (NotImplementedError, RuntimeError) as exc:
        # An encrypted member, or a compression method zipfile cannot undo.
        raise ResultFileError(f"{name}: the zip cannot be unpacked ({exc})") from None
    except OSError as exc:
        raise LocalFileError("cannot use the result file", exc) from None
    except UnicodeDecodeError as exc:
        raise ResultFileError(
            f"{name}: the result is not UTF-8 text (byte {exc.start}: {exc.reason})"
        ) from None
    except csv.Error as exc:
        detail = str(exc)
        if "field limit" in detail:
            detail += (
                f"; raise it with csv.field_size_limit() (now {csv.field_size_limit()})"
            )
        raise ResultFileError(
            f"{name}: the result is not readable CSV: {detail}"
        ) from None


def _bounded_lines(text: io.TextIOBase, max_row_chars: int) -> Iterator[str]:
    """The lines of ``text``, refusing one longer than ``max_row_chars``
    before it is read whole."""
    while True:
        line = text.readline(max_row_chars + 1)
        if not line:
            return
        if len(line) > max_row_chars:
            raise ResultFileError(
                f"a result line is longer than {max_row_chars:,} characters"
            )
        yield line


def iter_csv_rows(
    zip_path: str | os.PathLike[str],
    *,
    max_row_chars: int = MAX_ROW_CHARS,
    max_fields_per_row: int = MAX_FIELDS_PER_ROW,
    max_field_chars: int = MAX_FIELD_CHARS,
) -> Iterator[dict[str, str]]:
    """Each row of the CSV file in a result zip, as a dict keyed by the header row.

    The file is decompressed as it is read: memory stays flat however many
    rows, and bounded per row by the limits (a row past one raises
    ResultFileError, as does a file that is not a zip or not UTF-8 CSV).
    """
    with _reading(zip_path), zipfile.ZipFile(zip_path) as archive:
        member = _result_member(archive, ".csv")
        with archive.open(member) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            reader = csv.DictReader(_bounded_lines(text, max_row_chars))
            for row in reader:
                extra = row.get(None)
                count = len(row) - 1 + len(extra) if extra else len(row)
                if count > max_fields_per_row:
                    raise ResultFileError(
                        f"a result row has more than {max_fields_per_row:,} fields"
                    )
                if any(
                    isinstance(value, str) and len(value) > max_field_chars
                    for value in row.values()
                ):
                    raise ResultFileError(
                        f"a result field is longer than {max_field_chars:,} characters"
                    )
                yield row


def iter_arrow_batches(
    zip_path: str | os.PathLike[str], *, block_bytes: int = 1 << 20
) -> Iterator[Any]:
    """Each ``pyarrow.RecordBatch`` of the CSV file in a result zip, every column
    a string; needs ``zoho-bulk-core[arrow]``. See zoho_bulk_core.arrow."""
    from zoho_bulk_core.arrow import iter_arrow_batches as read_batches

    return read_batches(zip_path, block_bytes=block_bytes)


def iter_ics_lines(zip_path: str | os.PathLike[str]) -> Iterator[str]:
    """Each line of the iCalendar file in a result zip (Events exported as ICS)."""
    with _reading(zip_path), zipfile.ZipFile(zip_path) as archive:
        member = _result_member(archive, ".ics")
        with archive.open(member) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            for line in _bounded_lines(text, MAX_ROW_CHARS):
                yield line.rstrip("\r\n")


def extract_result_file(
    zip_path: str | os.PathLike[str], folder: str | os.PathLike[str]
) -> Path:
    """Unpack the result file (CSV, else ICS) of a result zip into ``folder``.

    Only the member's base name is used, so a name such as ``../../x.csv`` in
    the archive cannot write outside ``folder``; the size guards of the readers
    apply, and at most the declared size is written.
    """
    with _reading(zip_path), zipfile.ZipFile(zip_path) as archive:
        members = [info.filename.lower() for info in archive.infolist()]
        suffix = ".csv" if any(name.endswith(".csv") for name in members) else ".ics"
        member = _result_member(archive, suffix)
        name = member.filename.replace("\\", "/").rsplit("/", 1)[-1]
        if name in ("", ".", "..") or ":" in name:
            raise ResultFileError(f"refusing the member name {member.filename!r}")
        target = Path(folder) / name
        with archive.open(member) as source, target.open("wb") as sink:
            shutil.copyfileobj(source, sink, 1 << 16)
    return target


@dataclass(frozen=True)
class WriteResultRow:
    """One row of a bulk write result: the imported columns plus what happened."""

    fields: Mapping[str, str]
    """The row's imported columns, by header."""
    status: str
    """ADDED, UPDATED, SKIPPED, ... as the vendor wrote it."""
    record_id: str | None
    """Id of the record created or updated, if any."""
    errors: tuple[str, ...]
    """Error entries such as ``MANDATORY_NOT_FOUND-Last_Name``."""


def iter_write_result_rows(
    zip_path: str | os.PathLike[str],
) -> Iterator[WriteResultRow]:
    """Each row of a bulk write result zip."""
    for row in iter_csv_rows(zip_path):
        status = row.pop(STATUS_COLUMN, "") or ""
        record_id = row.pop(RECORD_ID_COLUMN, "") or None
        errors = row.pop(ERRORS_COLUMN, "") or ""
        yield WriteResultRow(
            fields=row,
            status=status,
            record_id=record_id,
            errors=tuple(entry for entry in errors.split(":") if entry),
        )


class PageTracker:
    """The pages a paging loop has asked for: asking for one twice is refused
    (a server repeating its ``next_page_token`` or page number)."""

    def __init__(self) -> None:
        self._asked: set[tuple[str, str]] = set()

    def check(self, request: Mapping[str, Any]) -> None:
        """Remember the page ``request`` asks for; PagingError if asked before."""
        query = request.get("query") or {}
        token = query.get("page_token") if isinstance(query, Mapping) else None
        page = query.get("page") if isinstance(query, Mapping) else None
        key = ("page token", str(token)) if token else ("page", str(page or 1))
        if key in self._asked:
            raise PagingError(
                f"the server made the client repeat {key[0]} {key[1][:40]!r}: "
                "stopping instead of reading that page again"
            )
        self._asked.add(key)


def next_page_request(request: Mapping[str, Any], result: Any) -> dict[str, Any] | None:
    """The create-job request for the page after ``result``, or None if it was the last.

    Uses the result's ``next_page_token`` when the API version sends one (the
    token alone is a valid query), else asks for the next page number.
    """
    if not getattr(result, "more_records", False):
        return None
    following: dict[str, Any] = copy.deepcopy(dict(request))
    token = getattr(result, "next_page_token", None)
    if token:
        kept = {key: value for key, value in following.items() if key != "query"}
        return {**kept, "query": {"page_token": token}}
    query = dict(following.get("query") or {})
    page = getattr(result, "page", None) or query.get("page") or 1
    query["page"] = int(page) + 1
    query.pop("page_token", None)
    following["query"] = query
    return following
