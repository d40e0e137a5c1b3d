"""What every generated client shares: construction from the product's hosts,
closing, and performing an operation from its descriptor (an Operation: method,
path, parameters, body, headers, response model and the part of the answer
handed back), the waiters, the paging of a bulk read export and the rows of a
bulk write result. A generated client holds one typed method per operation,
each a call to its base class here.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Final, Generic, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from zoho_bulk_core.auth import RefreshTokenCredentials
from zoho_bulk_core.errors import UnexpectedAnswerError
from zoho_bulk_core.files import read_file_source
from zoho_bulk_core.hosts import Environment, ProductHosts
from zoho_bulk_core.progress import (
    ProgressCallback,
    Reporter,
    download_progress,
    for_job,
)
from zoho_bulk_core.requests import build_request, json_pointer
from zoho_bulk_core.results import (
    PageTracker,
    WriteResultRow,
    iter_csv_rows,
    iter_write_result_rows,
    next_page_request,
)
from zoho_bulk_core.retry import RetryPolicy
from zoho_bulk_core.transport import (
    DEFAULT_TIMEOUT,
    AsyncTransport,
    DownloadLimits,
    Endpoints,
    SyncTransport,
    Target,
    check_path_param,
    present,
)
from zoho_bulk_core.validation import to_pointer
from zoho_bulk_core.waiters import WaitPolicy, async_wait_until_done, wait_until_done

_T = TypeVar("_T")
_Http = TypeVar("_Http", httpx.Client, httpx.AsyncClient)

ORG_ID: Final = r"^[0-9]{1,30}$"
"""Pattern of an organization id (sent in an operation's ``org_header``)."""

UPLOAD_CONTENT_TYPE: Final = "application/zip"
"""Content type of an uploaded file."""

_PLACEHOLDER: Final = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Operation(Generic[_T]):
    """One operation of an API version, as the spec states it."""

    name: str
    method: str
    path: str
    """The path on its host, with a ``{name}`` placeholder per path parameter
    (unused when ``url`` names the parameter holding the whole URL)."""
    result: type[_T]
    """What the client method hands back: a model class, or Path (a download)."""
    params: tuple[tuple[str, str], ...] = ()
    """Each path parameter and the pattern its value must match."""
    host: str = "api"
    """``api`` or ``upload``."""
    url: str | None = None
    """The parameter holding the whole URL (absolute, or relative to the API host)."""
    headers: tuple[tuple[str, str], ...] = ()
    org_header: str | None = None
    """The header that carries the ``org_id`` argument, if any."""
    safe: bool = False
    """Whether the request may be repeated (retries)."""
    request: type[BaseModel] | None = None
    """The JSON body's model (the method's ``request`` and keyword arguments)."""
    multipart: str | None = None
    """The form field of an uploaded file (the method's ``file`` argument)."""
    response: type[BaseModel] | None = None
    """The JSON answer's model; None for a download."""
    returns: tuple[str | int, ...] = ()
    """Where ``result`` is in the answer: field names and list indexes."""


@dataclass(frozen=True)
class Reading:
    """The operations a bulk read export is built on, and the field holding
    the job's state."""

    create: Operation[Any]
    get: Operation[Any]
    state: str
    download: Operation[Path]


def _label(operation: Operation[Any], values: Mapping[str, Any]) -> str:
    """The job a download's progress events name: its first path parameter
    other than a whole URL, else none."""
    names = [name for name, _ in operation.params if name != operation.url]
    return str(values[names[0]]) if names else ""


def _target(
    transport: SyncTransport | AsyncTransport,
    operation: Operation[Any],
    values: Mapping[str, Any],
    paths: Mapping[str, str],
) -> Target:
    """Where the request goes, every path parameter checked first; ``paths``
    (the client's ``_paths``) gives the operation's path when it names it."""
    checked = {
        name: check_path_param(name, values[name], pattern)
        for name, pattern in operation.params
    }
    if operation.url is not None:
        return transport.resolve(checked[operation.url])
    path = _PLACEHOLDER.sub(
        lambda match: checked.get(match[1], match[0]),
        paths.get(operation.name, operation.path),
    )
    return transport.url(operation.host, path)


def _content(
    operation: Operation[Any], values: Mapping[str, Any], version: str
) -> dict[str, Any]:
    """The body and headers of a JSON or upload request (``version``: the
    client's, which request errors name)."""
    content: dict[str, Any] = {"json": None, "files": None}
    if operation.multipart is not None:
        name, data = read_file_source(values["file"])
        content["files"] = {operation.multipart: (name, data, UPLOAD_CONTENT_TYPE)}
    if operation.request is not None:
        options = values.get("options") or {}
        content["json"] = build_request(
            operation.request, values.get("request"), options, version=version
        )
    headers = dict(operation.headers)
    if operation.org_header is not None:
        headers[operation.org_header] = check_path_param(
            "org_id", values["org_id"], ORG_ID
        )
    content["headers"] = headers
    return content


def _checked(operation: Operation[_T], value: object, where: str) -> _T:
    if not isinstance(value, operation.result):
        raise UnexpectedAnswerError(
            operation.name,
            [(where, f"is not a {operation.result.__name__}")],
        )
    return value


def read_answer(operation: Operation[_T], body: object) -> _T:
    """The part of a decoded JSON answer the operation hands back, checked
    against the response model: UnexpectedAnswerError (naming the operation
    and the JSON pointer of each mismatch) when it does not fit."""
    assert operation.response is not None
    try:
        value: Any = operation.response.model_validate(body)
    except ValidationError as exc:
        problems = [
            (json_pointer(body, error["loc"]), str(error["msg"]))
            for error in exc.errors(include_url=False)
        ]
        raise UnexpectedAnswerError(operation.name, problems) from None
    walked: list[str | int] = []
    for step in operation.returns:
        walked.append(step)
        if isinstance(step, int):
            value = value[step] if value and len(value) > step else None
        else:
            value = getattr(value, step, None)
        if value is None:
            raise UnexpectedAnswerError(
                operation.name, [(to_pointer(walked), "the answer holds no value here")]
            )
    return _checked(operation, value, to_pointer(walked))


def _first_request(
    reading: Reading, request: Any, options: Mapping[str, Any], version: str
) -> dict[str, Any]:
    """The create-job body of an export's first page."""
    assert reading.create.request is not None
    return build_request(reading.create.request, request, options, version=version)


class _Base(Generic[_Http]):
    """Construction and the members the sync and async clients share."""

    _hosts: ClassVar[ProductHosts]
    """The product's hosts (set by each generated client)."""

    _paths: ClassVar[Mapping[str, str]] = {}
    """The path of each operation (by name) in place of the one its
    descriptor holds: set by the client of a version that inherits an earlier
    version's methods (a v4 whose methods are v3's sends
    ``create_bulk_read_job`` to ``/bulk/v4/read``)."""

    wait_policy: WaitPolicy
    """How ``wait_for_*`` methods poll unless told otherwise."""

    @property
    def _api_version(self) -> str:
        """The package of the client's API version (``zoho_bulk_crm.v4``): the
        module of the generated class nearest in the MRO (the one setting
        ``_hosts`` or ``_paths``), also for a version that shares an earlier
        version's methods and for a user's subclass."""
        generated = next(
            (
                cls
                for cls in type(self).__mro__
                if "_hosts" in vars(cls) or "_paths" in vars(cls)
            ),
            type(self),
        )
        return generated.__module__.rpartition(".")[0]

    def __init__(
        self,
        access_token: str | None = None,
        *,
        credentials: RefreshTokenCredentials | None = None,
        data_center: str = "US",
        environment: Environment = "production",
        domain: str | None = None,
        base_url: str | None = None,
        accounts_url: str | None = None,
        upload_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        wait: WaitPolicy | None = None,
        http_client: _Http | None = None,
        download_limits: DownloadLimits | None = None,
    ) -> None:
        """Make a client.

        Args:
            access_token: A fixed access token (``1000.…``); or give ``credentials``.
            credentials: Client id, secret and refresh token; access tokens are
                fetched from the accounts host and refreshed before they expire.
            data_center: US, EU, IN, AU, CN, JP, CA or SA.
            environment: production, sandbox or developer.
            domain: A custom domain, where the product offers them (see the
                client's class docstring).
            base_url: An explicit API base URL (a proxy, or a local mock); it also
                serves as the upload and accounts host unless those are given.
            accounts_url: The accounts (OAuth) base URL.
            upload_url: The file upload base URL.
            timeout: Seconds to wait for each answer.
            retry: When to repeat a failed request.
            wait: How ``wait_for_*`` methods poll.
            http_client: An httpx.Client (httpx.AsyncClient for AsyncClient) to
                use instead of a new one.
            download_limits: The deadline and size cap of each download.
        """
        self.wait_policy = wait or WaitPolicy()
        endpoints = self._hosts.endpoints(
            data_center=data_center,
            environment=environment,
            domain=domain,
            base_url=base_url,
            accounts_url=accounts_url,
            upload_url=upload_url,
        )
        self._transport = self._make_transport(
            endpoints=endpoints,
            access_token=access_token,
            credentials=credentials,
            retry=retry,
            timeout=timeout,
            http_client=http_client,
            download_limits=download_limits,
            follow_api_domain=(
                base_url is None
                and domain is None
                and environment == "production"
                and self._hosts.follows_token_domain
            ),
        )

    def _make_transport(self, **settings: Any) -> Any:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        """The API base URL requests go to."""
        endpoints: Endpoints = self._transport.endpoints
        return endpoints.api

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class BaseClient(_Base[httpx.Client]):
    """The base of every generated synchronous client."""

    _transport: SyncTransport

    def _make_transport(self, **settings: Any) -> SyncTransport:
        return SyncTransport(**settings)

    def close(self) -> None:
        """Release the connections of this client."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, operation: Operation[_T], /, **values: Any) -> _T:
        """Perform ``operation`` with the method's arguments ``values``."""
        target = _target(self._transport, operation, values, self._paths)
        if operation.response is None:
            progress = download_progress(
                values.get("on_progress"), _label(operation, values)
            )
            path = self._transport.download(target, values["destination"], progress)
            return _checked(operation, path, "")
        body = self._transport.request_json(
            operation.method,
            target,
            safe=operation.safe,
            **_content(operation, values, self._api_version),
        )
        return read_answer(operation, body)

    def _wait(
        self,
        operation: Operation[_T],
        state: str,
        job_id: str,
        policy: WaitPolicy | None,
        on_progress: ProgressCallback | None,
    ) -> _T:
        """Poll the job ``operation`` gets until its ``state`` is COMPLETED."""
        values = {operation.params[0][0]: job_id}
        return wait_until_done(
            lambda: self._call(operation, **values),
            lambda job: getattr(job, state),
            policy or self.wait_policy,
            on_progress,
        )

    def _read_rows(
        self,
        reading: Reading,
        request: Any,
        options: Mapping[str, Any],
        policy: WaitPolicy | None,
        on_progress: ProgressCallback | None,
        workdir: str | os.PathLike[str] | None,
    ) -> Iterator[dict[str, str]]:
        """Each CSV row of every page of a bulk read export."""
        body = _first_request(reading, request, options, self._api_version)
        rows = Reporter(on_progress)
        yield from iter_pages(
            self,
            reading,
            body,
            lambda path, job: rows.count_rows(iter_csv_rows(path), job),
            policy=policy,
            on_progress=on_progress,
            workdir=workdir,
        )

    def _write_rows(
        self,
        download: Operation[Path],
        job: Any,
        on_progress: ProgressCallback | None,
        workdir: str | os.PathLike[str] | None,
    ) -> Iterator[WriteResultRow]:
        """Download a finished bulk write job's result and yield each row."""
        url = present(present(job.result, "result").download_url, "download_url")
        with tempfile.TemporaryDirectory(dir=workdir, prefix="zoho-bulk-") as folder:
            path = self._call(
                download,
                **{download.url or download.params[0][0]: url},
                destination=Path(folder) / f"{job.id}.zip",
                on_progress=for_job(on_progress, job.id),
            )
            rows = Reporter(on_progress)
            yield from rows.count_rows(iter_write_result_rows(path), job)


class AsyncBaseClient(_Base[httpx.AsyncClient]):
    """The base of every generated asynchronous client."""

    _transport: AsyncTransport

    def _make_transport(self, **settings: Any) -> AsyncTransport:
        return AsyncTransport(**settings)

    async def aclose(self) -> None:
        """Release the connections of this client."""
        await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _call(self, operation: Operation[_T], /, **values: Any) -> _T:
        """Perform ``operation`` with the method's arguments ``values``."""
        target = _target(self._transport, operation, values, self._paths)
        if operation.response is None:
            progress = download_progress(
                values.get("on_progress"), _label(operation, values)
            )
            path = await self._transport.download(
                target, values["destination"], progress
            )
            return _checked(operation, path, "")
        body = await self._transport.request_json(
            operation.method,
            target,
            safe=operation.safe,
            **_content(operation, values, self._api_version),
        )
        return read_answer(operation, body)

    async def _wait(
        self,
        operation: Operation[_T],
        state: str,
        job_id: str,
        policy: WaitPolicy | None,
        on_progress: ProgressCallback | None,
    ) -> _T:
        """Poll the job ``operation`` gets until its ``state`` is COMPLETED."""
        values = {operation.params[0][0]: job_id}
        return await async_wait_until_done(
            lambda: self._call(operation, **values),
            lambda job: getattr(job, state),
            policy or self.wait_policy,
            on_progress,
        )

    async def _read_rows(
        self,
        reading: Reading,
        request: Any,
        options: Mapping[str, Any],
        policy: WaitPolicy | None,
        on_progress: ProgressCallback | None,
        workdir: str | os.PathLike[str] | None,
    ) -> AsyncIterator[dict[str, str]]:
        """Each CSV row of every page of a bulk read export."""
        body = _first_request(reading, request, options, self._api_version)
        rows = Reporter(on_progress)
        pages = aiter_pages(
            self,
            reading,
            body,
            lambda path, job: rows.count_rows(iter_csv_rows(path), job),
            policy=policy,
            on_progress=on_progress,
            workdir=workdir,
        )
        async for row in pages:
            yield row

    async def _write_rows(
        self,
        download: Operation[Path],
        job: Any,
        on_progress: ProgressCallback | None,
        workdir: str | os.PathLike[str] | None,
    ) -> AsyncIterator[WriteResultRow]:
        """Download a finished bulk write job's result and yield each row."""
        url = present(present(job.result, "result").download_url, "download_url")
        with tempfile.TemporaryDirectory(dir=workdir, prefix="zoho-bulk-") as folder:
            path = await self._call(
                download,
                **{download.url or download.params[0][0]: url},
                destination=Path(folder) / f"{job.id}.zip",
                on_progress=for_job(on_progress, job.id),
            )
            rows = Reporter(on_progress)
            for row in rows.count_rows(iter_write_result_rows(path), job):
                yield row


PageReader = Callable[[Path, Any], Iterator[Any]]
"""Reads one page's downloaded result zip (with its job): rows, batches, ..."""


def iter_pages(
    client: BaseClient,
    reading: Reading,
    request: Mapping[str, Any],
    reader: PageReader,
    *,
    policy: WaitPolicy | None = None,
    on_progress: ProgressCallback | None = None,
    workdir: str | os.PathLike[str] | None = None,
) -> Iterator[Any]:
    """What ``reader`` yields of each page's result zip, page after page: creates
    the job, waits, downloads into ``workdir`` (a temporary folder by default),
    reads, deletes the zip and asks for the next page while there are more. A
    server that makes it ask for a page twice raises PagingError."""
    page_request: Mapping[str, Any] | None = request
    pages = PageTracker()
    with tempfile.TemporaryDirectory(dir=workdir, prefix="zoho-bulk-") as folder:
        while page_request is not None:
            pages.check(page_request)
            created = client._call(reading.create, request=page_request)
            job = client._wait(
                reading.get, reading.state, created.id, policy, on_progress
            )
            path = client._call(
                reading.download,
                **{reading.download.params[0][0]: job.id},
                destination=Path(folder) / f"{job.id}.zip",
                on_progress=on_progress,
            )
            yield from reader(path, job)
            path.unlink()
            page_request = next_page_request(page_request, job.result)


async def aiter_pages(
    client: AsyncBaseClient,
    reading: Reading,
    request: Mapping[str, Any],
    reader: PageReader,
    *,
    policy: WaitPolicy | None = None,
    on_progress: ProgressCallback | None = None,
    workdir: str | os.PathLike[str] | None = None,
) -> AsyncIterator[Any]:
    """The async form of iter_pages (each zip is read synchronously)."""
    page_request: Mapping[str, Any] | None = request
    pages = PageTracker()
    with tempfile.TemporaryDirectory(dir=workdir, prefix="zoho-bulk-") as folder:
        while page_request is not None:
            pages.check(page_request)
            created = await client._call(reading.create, request=page_request)
            job = await client._wait(
                reading.get, reading.state, created.id, policy, on_progress
            )
            path = await client._call(
                reading.download,
                **{reading.download.params[0][0]: job.id},
                destination=Path(folder) / f"{job.id}.zip",
                on_progress=on_progress,
            )
            for item in reader(path, job):
                yield item
            path.unlink()
            page_request = next_page_request(page_request, job.result)


__all__ = [
    "ORG_ID",
    "AsyncBaseClient",
    "BaseClient",
    "Operation",
    "Reading",
    "aiter_pages",
    "iter_pages",
    "read_answer",
]
