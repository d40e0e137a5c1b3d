"""The mock's data: the records a bulk read exports (computed from their index,
so tests can predict them), the files it serves, and the reading of uploads."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TextIO

DEFAULT_FIELDS = ("Id", "Last_Name", "Email", "Created_Time")
"""Fields a bulk read exports when its query names none."""
EVENT_FIELDS = ("Id", "Event_Title", "Start_DateTime", "End_DateTime")
"""Fields an iCalendar export of Events holds when its query names none."""
EVENTS_MODULE = "Events"

RECORD_ID_BASE = 5_725_767_000_000_100_000
"""Record ``i`` of any module has the id ``RECORD_ID_BASE + i`` (19 digits)."""
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

# Surnames cycle through values that need CSV quoting (a comma, a double quote)
# and non-ASCII letters, so that readers of the results are exercised.
_SURNAMES = ("Ng", "Müller, Jr.", 'Kim "KJ"', "Ødegård", "O'Neil")


def record_value(field: str, index: int) -> str:
    """The value of ``field`` in record ``index`` (from 0) of any module."""
    if field == "Id":
        return str(RECORD_ID_BASE + index)
    if field == "Last_Name":
        return f"{_SURNAMES[index % len(_SURNAMES)]} {index}"
    if field == "First_Name":
        return f"Pat {index}"
    if field == "Email":
        return f"user{index}@example.com"
    if field in ("Created_Time", "Modified_Time"):
        return _timestamp(_EPOCH + timedelta(minutes=index))
    if field == "Event_Title":
        return f"Call {index}, Café «{index % 7}»"
    if field == "Start_DateTime":
        return _timestamp(_EPOCH + timedelta(hours=index))
    if field == "End_DateTime":
        return _timestamp(_EPOCH + timedelta(hours=index, minutes=30))
    if field == "Description":
        return f"Line one of {index}\nline two" if index % 3 == 0 else f"About {index}"
    return f"{field} {index}"


def record_row(fields: Iterable[str], index: int) -> dict[str, str]:
    """Record ``index`` restricted to ``fields``, in that order."""
    return {field: record_value(field, index) for field in fields}


def record_rows(fields: tuple[str, ...], start: int, end: int) -> Iterator[list[str]]:
    """The values of records ``start`` to ``end`` (excluded), one list per record."""
    for index in range(start, end):
        yield [record_value(field, index) for field in fields]


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def now_timestamp() -> str:
    """The current time as the vendor writes it: ISO 8601 with an offset."""
    return _timestamp(datetime.now(UTC))


def zip_text(name: str, write: Callable[[TextIO], None]) -> bytes:
    """A zip holding one UTF-8 text file written incrementally by ``write``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zipped:
        with io.TextIOWrapper(
            zipped.open(name, "w", force_zip64=True), encoding="utf-8", newline=""
        ) as text:
            write(text)
    return buffer.getvalue()


def csv_zip(name: str, header: list[str], rows: Iterable[list[str]]) -> bytes:
    """A zip holding the CSV file ``name``: a header row, then ``rows``."""

    def write(text: TextIO) -> None:
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(rows)

    return zip_text(name, write)


def ics_zip(name: str, fields: tuple[str, ...], start: int, end: int) -> bytes:
    """A zip holding the iCalendar file ``name`` with one VEVENT per record."""

    def write(text: TextIO) -> None:
        text.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//zoho-bulkgen//mock//EN\r\n")
        for index in range(start, end):
            row = record_row(fields, index)
            summary = row.get("Event_Title") or next(
                (value for field, value in row.items() if field != "Id"), ""
            )
            lines = [
                "BEGIN:VEVENT",
                f"UID:{record_value('Id', index)}",
                f"DTSTAMP:{_ics_time(_EPOCH)}",
                f"DTSTART:{_ics_time(_EPOCH + timedelta(hours=index))}",
                f"DTEND:{_ics_time(_EPOCH + timedelta(hours=index, minutes=30))}",
                f"SUMMARY:{_ics_escape(summary)}",
                "END:VEVENT",
            ]
            text.write("".join(_ics_fold(line) + "\r\n" for line in lines))
        text.write("END:VCALENDAR\r\n")

    return zip_text(name, write)


def _ics_time(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _ics_escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _ics_fold(line: str, limit: int = 75) -> str:
    """Fold a content line so that no physical line exceeds ``limit`` octets (RFC 5545)."""
    pieces: list[str] = []
    current = ""
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size = " ", 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


class UploadFormatError(ValueError):
    """An uploaded file is not a zip holding CSV files."""


class NotZipError(UploadFormatError):
    """An uploaded file is not a zip at all."""


def read_csv_zip(data: bytes) -> dict[str, list[list[str]]]:
    """The CSV files of an uploaded zip, by name, each as rows (header first)."""
    try:
        zipped = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise NotZipError("the file is not a zip archive") from exc
    tables: dict[str, list[list[str]]] = {}
    with zipped:
        for info in zipped.infolist():
            if info.is_dir():
                continue
            if not info.filename.lower().endswith(".csv"):
                raise UploadFormatError(f"{info.filename} is not a CSV file")
            try:
                text = zipped.read(info).decode("utf-8-sig")
                rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
            except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, RuntimeError) as exc:
                raise UploadFormatError(f"{info.filename} is not readable CSV text") from exc
            if not rows:
                raise UploadFormatError(f"{info.filename} has no header row")
            tables[info.filename] = rows
    if not tables:
        raise UploadFormatError("the zip holds no CSV file")
    return tables


def multipart_fields(content_type: str, body: bytes) -> dict[str, bytes] | None:
    """The fields of a multipart/form-data body by name, or None if it is not one."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    message = email.message_from_bytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body,
        policy=email.policy.HTTP,
    )
    if not message.is_multipart():
        return None
    fields: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields.setdefault(name, payload)
    return fields
