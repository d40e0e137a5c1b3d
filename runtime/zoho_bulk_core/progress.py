"""Progress of long calls: waiting for a job, downloading its result, reading
its rows. ``on_progress`` callbacks receive a small ``ProgressEvent`` whose
``str()`` is one readable line (``on_progress=print`` works); ``ProgressBar``
draws them as terminal progress bars (the ``progress`` extra: tqdm).

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import dataclasses
import importlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, Any, Final, Literal, Self, TypeVar

from zoho_bulk_core.errors import ZohoBulkError

Stage = Literal["wait", "download", "rows"]

ROWS_STEP: Final = 10_000
"""Rows read between two ``rows`` events (one more comes at the end of each page)."""

BYTES_INTERVAL: Final = 0.5
"""Least seconds between two ``download`` events of one file (the last one always comes)."""

_T = TypeVar("_T")


@dataclass(frozen=True)
class ProgressEvent:
    """What a long call has done so far.

    ``stage`` is ``wait`` (a job's state after a poll), ``download`` (bytes of
    a result file) or ``rows`` (rows read from results)."""

    stage: Stage
    job_id: str
    """Id of the job, or empty when the call does not know it."""
    state: str
    """The job's state at the last poll (``IN PROGRESS``, ``COMPLETED``, ...)."""
    elapsed: float
    """Seconds since the call began."""
    page: int | None = None
    """The page of a bulk read, when known."""
    rows: int | None = None
    """Rows read so far (``rows`` events)."""
    bytes_read: int | None = None
    """Bytes downloaded so far (``download`` events)."""
    total_bytes: int | None = None
    """Size of the file being downloaded, when the server says."""
    job: Any = field(default=None, repr=False, compare=False)
    """The job details of the last poll (``wait`` events)."""

    def __str__(self) -> str:
        who = f"job {self.job_id}" if self.job_id else "job"
        page = f" page {self.page}" if self.page is not None else ""
        if self.stage == "download":
            total = (
                f" of {_size(self.total_bytes)}" if self.total_bytes is not None else ""
            )
            done = _size(self.bytes_read or 0)
            what = f"downloading{page}: {done}{total}"
        elif self.stage == "rows":
            what = f"{self.rows or 0:,} rows read" + (
                f" ({page.strip()})" if page else ""
            )
        else:
            what = self.state + (f" ({page.strip()})" if page else "")
        return f"{who}: {what}, {self.elapsed:.1f} s"


ProgressCallback = Callable[[ProgressEvent], None]
"""Called with each ProgressEvent."""


def _size(count: int) -> str:
    amount = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    raise AssertionError("unreachable")


def job_page(job: object) -> int | None:
    """The page a bulk read job exports (its result's, else its query's), if any."""
    for part in ("result", "query"):
        page = getattr(getattr(job, part, None), "page", None)
        if isinstance(page, int):
            return page
    return None


class Reporter:
    """Turns what a call does into ProgressEvents for ``on_progress`` (or nothing)."""

    def __init__(self, on_progress: ProgressCallback | None, job_id: str = "") -> None:
        self.on_progress = on_progress
        self.job_id = job_id
        self.state = ""
        self.page: int | None = None
        self.rows = 0
        self._started = time.monotonic()

    def elapsed(self) -> float:
        """Seconds since the reporter was made."""
        return time.monotonic() - self._started

    def polled(self, job: object, state: object) -> None:
        """Report a job's state after a poll."""
        self.job_id = str(getattr(job, "id", None) or self.job_id)
        self.state = str(state)
        self.page = job_page(job)
        self._emit("wait", job=job)

    def bytes_callback(self) -> Callable[[int, int | None], None] | None:
        """A callback for a download's (bytes so far, total), or None if no one listens."""
        if self.on_progress is None:
            return None
        last = [0.0]

        def _downloaded(done: int, total: int | None) -> None:
            now = time.monotonic()
            if now - last[0] >= BYTES_INTERVAL or (total is not None and done >= total):
                last[0] = now
                self._emit("download", bytes_read=done, total_bytes=total)

        return _downloaded

    def count_rows(self, rows: Iterator[_T], job: object = None) -> Iterator[_T]:
        """``rows`` (of ``job``'s result, if given), reporting every ROWS_STEP
        of them and at the end; the count goes on over later pages."""
        if job is not None:
            self.job_id = str(getattr(job, "id", None) or self.job_id)
            state = getattr(job, "state", None) or getattr(job, "status", None)
            self.state = str(state or self.state)
            self.page = job_page(job)
        if self.on_progress is None:
            yield from rows
            return
        for row in rows:
            self.rows += 1
            if self.rows % ROWS_STEP == 0:
                self._emit("rows", rows=self.rows)
            yield row
        self._emit("rows", rows=self.rows)

    def _emit(self, stage: Stage, **facts: Any) -> None:
        if self.on_progress is not None:
            event = ProgressEvent(
                stage=stage,
                job_id=self.job_id,
                state=self.state,
                elapsed=self.elapsed(),
                page=self.page,
                **facts,
            )
            self.on_progress(event)


def for_job(
    on_progress: ProgressCallback | None, job_id: str
) -> ProgressCallback | None:
    """``on_progress`` with ``job_id`` filled into events that lack one."""
    if on_progress is None:
        return None
    listener = on_progress

    def _report(event: ProgressEvent) -> None:
        listener(event if event.job_id else dataclasses.replace(event, job_id=job_id))

    return _report


def download_progress(
    on_progress: ProgressCallback | None, job_id: str = ""
) -> Callable[[int, int | None], None] | None:
    """A download's byte callback that reports to ``on_progress``, or None."""
    return Reporter(on_progress, job_id).bytes_callback()


class MissingExtraError(ZohoBulkError, ImportError):
    """An optional feature needs a package that is not installed."""


class ProgressBar:
    """Draws ProgressEvents as progress bars on a terminal (tqdm): the job's
    state while it runs, bytes while its result downloads, rows as they are read.

    Needs the ``progress`` extra: ``pip install "zoho-bulk-core[progress]"``.
    Use it as ``on_progress``, and close it (or use ``with``) when done::

        with ProgressBar() as bar:
            for row in client.iter_bulk_read_rows(module="Leads", on_progress=bar):
                ...
    """

    def __init__(self, file: IO[str] | None = None, *, disable: bool = False) -> None:
        try:
            self._tqdm: Any = importlib.import_module("tqdm").tqdm
        except ImportError:
            raise MissingExtraError(
                'ProgressBar needs tqdm: pip install "zoho-bulk-core[progress]"'
            ) from None
        self._file = file
        self._disable = disable
        self._bar: Any = None
        self._key: tuple[str, str, int | None] | None = None

    def __call__(self, event: ProgressEvent) -> None:
        # One bar per job state and per download; rows count on across pages.
        key = (
            (event.stage, event.job_id, event.page)
            if event.stage != "rows"
            else ("rows", "", None)
        )
        if key != self._key:
            self.close()
            self._key = key
            self._bar = self._new_bar(event)
        bar = self._bar
        if event.stage == "download":
            bar.total = event.total_bytes
            bar.n = event.bytes_read or 0
        elif event.stage == "rows":
            bar.n = event.rows or 0
        bar.set_description_str(_label(event), refresh=False)
        bar.refresh()

    def _new_bar(self, event: ProgressEvent) -> Any:
        options: dict[str, Any] = {"file": self._file, "disable": self._disable}
        if event.stage == "download":
            options.update(unit="B", unit_scale=True, unit_divisor=1024)
        elif event.stage == "rows":
            options.update(unit=" rows", unit_scale=True)
        else:
            options.update(bar_format="{desc} [{elapsed}]")
        return self._tqdm(total=None, **options)

    def close(self) -> None:
        """Finish the bar on screen."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            self._key = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _label(event: ProgressEvent) -> str:
    who = f"job {event.job_id}" if event.job_id else "job"
    page = f" page {event.page}" if event.page is not None else ""
    if event.stage == "download":
        return f"{who}{page} download"
    if event.stage == "rows":
        return f"{who} rows"
    return f"{who}{page} {event.state}"
