"""HTTP transport shared by the generated clients: picks the host, sends the
auth header, retries what is safe to retry, refreshes a rejected token once,
streams downloads to disk and turns error answers into typed exceptions.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar
from urllib.parse import SplitResult, urlsplit

import httpx

from zoho_bulk_core import spec_data
from zoho_bulk_core.auth import (
    TOKEN_PATH,
    AccessToken,
    RefreshTokenCredentials,
    TokenProvider,
)
from zoho_bulk_core.errors import (
    ApiError,
    ConfigurationError,
    LocalFileError,
    TransportError,
    UnexpectedResponseError,
    UnsafeUrlError,
    ZohoBulkError,
    error_from_body,
)
from zoho_bulk_core.requests import InvalidRequestError
from zoho_bulk_core.retry import RetryPolicy, is_seconds

AUTH_HEADER: Final = spec_data.AUTH_HEADER
AUTH_SCHEME: Final = spec_data.AUTH_SCHEME
DEFAULT_TIMEOUT: Final = 30.0
USER_AGENT: Final = f"zoho-bulk-python/{spec_data.PACKAGE_VERSION}"

_T = TypeVar("_T")

ByteProgress = Callable[[int, int | None], None]
"""Called during a download with the bytes written so far and the total, if known."""


def _report(
    on_bytes: ByteProgress | None, written: int, response: httpx.Response
) -> None:
    if on_bytes is not None:
        length = response.headers.get("content-length", "")
        on_bytes(written, int(length) if length.isdigit() else None)


@dataclass(frozen=True)
class DownloadLimits:
    """What one download may take, whatever the server does: a body that
    trickles in forever, or one that announces or streams more than the cap,
    ends in DownloadLimitError."""

    deadline: float = 3600.0
    """Seconds for the whole download, every attempt included."""
    max_bytes: int = 4 << 30
    """Largest body accepted (4 GiB)."""

    def __post_init__(self) -> None:
        problems = []
        if not is_seconds(self.deadline) or self.deadline == 0:
            problems.append(f"deadline must be above 0, got {self.deadline!r}")
        if (
            isinstance(self.max_bytes, bool)
            or not isinstance(self.max_bytes, int)
            or self.max_bytes <= 0
        ):
            problems.append(f"max_bytes must be above 0, got {self.max_bytes!r}")
        if problems:
            raise ConfigurationError(f"DownloadLimits: {'; '.join(problems)}")


class DownloadLimitError(TransportError):
    """A download went past its DownloadLimits (too slow or too large)."""


@dataclass(frozen=True)
class Target:
    """Where a request goes: a path on the ``api`` or ``upload`` host, or an
    absolute URL (``host`` None). Made absolute only when the request is sent."""

    host: str | None
    path: str


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of the API, upload and accounts hosts a client talks to."""

    api: str
    upload: str
    accounts: str


def check_path_param(name: str, value: str, pattern: str) -> str:
    """Return ``value`` if it may go into a URL as parameter ``name``."""
    if not isinstance(value, str) or re.fullmatch(pattern, value) is None:
        raise InvalidRequestError(f"{name} {value!r}", [("", f"must match {pattern}")])
    return value


def first_item(items: Sequence[_T] | None, what: str) -> _T:
    """The first element of a one-element envelope list."""
    if not items:
        raise UnexpectedResponseError(f"the answer holds no {what}")
    return items[0]


def present(value: _T | None, what: str) -> _T:
    """``value``, which the answer must hold."""
    if value is None:
        raise UnexpectedResponseError(f"the answer holds no {what}")
    return value


def decode_answer(response: httpx.Response) -> Any:
    """The JSON body of a successful answer; raise the matching ApiError for an
    error answer (also one that arrives with HTTP 200 and ``status: error``)."""
    try:
        body = response.json() if response.content else None
    except (ValueError, RecursionError):
        body = None
        if response.is_success:
            raise UnexpectedResponseError(
                f"HTTP {response.status_code} answer is not JSON",
                http_status=response.status_code,
            ) from None
    if response.is_error or error_fields(body) is not None:
        raise error_for(response.status_code, body)
    return body


_UPLOAD_ERROR_KEYS: Final = ("ERROR_CODE", "ERROR_MESSAGE")
"""Keys of the upload host's own error shape."""


def error_fields(body: object) -> dict[str, Any] | None:
    """The error an answer body holds, as ``{code, message, details}`` (plus
    ``stated_status`` when the body states an HTTP status), or None if the body
    is not an error. The vendor sends errors in three shapes:

    - ``{"status": "error", "code", "message", "details"}``;
    - the same wrapped in ``{"data": [...]}`` (the first error counts; any
      others are kept in ``details["other_errors"]``);
    - the upload host's ``{"ERROR_CODE": 400, "ERROR_MESSAGE", "x-error",
      "info"}``, sometimes with HTTP 200: its ERROR_CODE is an HTTP status (or,
      if a string, a code), and its other keys are kept in ``details``.
    """
    if not isinstance(body, Mapping):
        return None
    if any(key in body for key in _UPLOAD_ERROR_KEYS):
        return _upload_error_fields(body)
    if body.get("status") == "error":
        details = body.get("details")
        return {
            "code": body.get("code"),
            "message": body.get("message"),
            "details": dict(details) if isinstance(details, Mapping) else {},
        }
    items = body.get("data")
    if isinstance(items, list) and items:
        errors = [
            fields for item in items if (fields := error_fields(item)) is not None
        ]
        if errors and len(errors) == len(items):
            first = errors[0]
            if len(errors) > 1:
                first["details"]["other_errors"] = errors[1:]
            return first
    return None


def _upload_error_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    stated = body.get("ERROR_CODE")
    code = body.get("code")
    if not isinstance(code, str) and isinstance(stated, str) and not stated.isdigit():
        code = stated
    texts = [body.get(key) for key in ("ERROR_MESSAGE", "x-error", "message")]
    message = ": ".join(text for text in texts if isinstance(text, str) and text)
    details = body.get("details")
    fields: dict[str, Any] = {
        "code": code if isinstance(code, str) else None,
        "message": message or None,
        "details": {
            **(dict(details) if isinstance(details, Mapping) else {}),
            **{
                key: value
                for key, value in body.items()
                if key not in ("code", "message", "details", "status")
            },
        },
    }
    if (
        isinstance(stated, int)
        and not isinstance(stated, bool)
        and 400 <= stated <= 599
    ):
        fields["stated_status"] = stated
    elif isinstance(stated, str) and stated.isdigit() and 400 <= int(stated) <= 599:
        fields["stated_status"] = int(stated)
    return fields


def error_for(http_status: int, body: object) -> ApiError:
    """The typed exception of an error answer in any of the vendor's shapes:
    the class of its code when the code is documented, else of the status it
    states (an upload error sent with HTTP 200 states 400, 401, ...), else of
    the HTTP status. ``http_status`` on the exception is the answer's own."""
    fields = error_fields(body)
    if fields is None:
        fields = dict(body) if isinstance(body, Mapping) else {}
    stated = fields.pop("stated_status", None)
    error = error_from_body(
        stated if http_status < 400 and stated else http_status, fields
    )
    error.http_status = http_status
    return error


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return None
    code = (error_fields(body) or {}).get("code")
    return code if isinstance(code, str) else None


def _rejects_token(response: httpx.Response) -> bool:
    return response.status_code == 401 and _error_code(response) in (
        None,
        "INVALID_TOKEN",
    )


class _Base:
    """What the sync and async transports share: hosts, headers and URL checks."""

    def __init__(
        self,
        *,
        endpoints: Endpoints,
        access_token: str | None,
        credentials: RefreshTokenCredentials | None,
        retry: RetryPolicy | None,
        timeout: float,
        follow_api_domain: bool,
        download_limits: DownloadLimits | None = None,
    ) -> None:
        if timeout is not None and (not is_seconds(timeout) or timeout == 0):
            raise ConfigurationError(
                f"timeout must be a number of seconds above 0, got {timeout!r}"
            )
        self.endpoints = endpoints
        self.retry = retry or RetryPolicy()
        self.download_limits = download_limits or DownloadLimits()
        self._timeout = timeout
        self._follow_api_domain = follow_api_domain
        self._tokens = TokenProvider(
            access_token=access_token,
            credentials=credentials,
            token_url=endpoints.accounts + TOKEN_PATH,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api={self.endpoints.api!r})"

    def _adopt(self, token: AccessToken) -> AccessToken:
        # The token answer names the production API domain of the account's data
        # center; clients of other environments or hosts do not follow it, and a
        # domain that is not the vendor's (or loopback) is never taken.
        if self._follow_api_domain and token.api_domain:
            domain = token.api_domain.rstrip("/")
            # Plain http only when the token itself came over plain http
            # from a loopback accounts host (a local test), never otherwise.
            if domain != self.endpoints.api and acceptable_api_domain(
                domain, https_only=urlsplit(self.endpoints.accounts).scheme == "https"
            ):
                # The upload host of that domain's data center goes with it.
                upload_host = UPLOAD_HOSTS.get(urlsplit(domain).hostname or "")
                upload = (
                    f"https://{upload_host}" if upload_host else self.endpoints.upload
                )
                self.endpoints = Endpoints(domain, upload, self.endpoints.accounts)
        return token

    def url(self, host: str, path: str) -> Target:
        """Where ``path`` on the ``api`` or ``upload`` host is."""
        return Target(host, path)

    def resolve(self, url: str) -> Target:
        """Where ``url`` is: an absolute URL, or a path relative to the API host.

        An absolute URL must be on one of this client's hosts or on a vendor
        domain (``TRUSTED_DOMAINS``): the access token goes with the request.
        """
        parts = split_url(url)
        if parts.scheme:
            check_base_url(f"{parts.scheme}://{parts.netloc}")
            own_hosts = {
                urlsplit(base).netloc for base in vars(self.endpoints).values()
            }
            if parts.netloc not in own_hosts and not is_trusted_host(
                parts.hostname or ""
            ):
                raise UnsafeUrlError(f"refusing to send the token to {parts.hostname}")
            return Target(None, url)
        return Target("api", "/" + url.lstrip("/"))

    def absolute(self, target: Target) -> str:
        """The URL of ``target`` with the hosts as they are now (the token answer
        may have named another API host since the target was made)."""
        if target.host is None:
            return target.path
        base = self.endpoints.upload if target.host == "upload" else self.endpoints.api
        return base + target.path

    def headers(
        self, token: AccessToken, extra: Mapping[str, str] | None
    ) -> dict[str, str]:
        """Request headers: auth, user agent and the operation's own."""
        headers = {
            AUTH_HEADER: f"{AUTH_SCHEME} {token.value}",
            "User-Agent": USER_AGENT,
        }
        headers.update(extra or {})
        return headers


_LOOPBACK: Final = ("127.0.0.1", "localhost", "::1")

UPLOAD_HOSTS: Final = {
    hosts[kind]: hosts[upload_kind]
    for _, hosts in spec_data.DATA_CENTERS.values()
    for kind, upload_kind in spec_data.UPLOAD_KINDS.items()
    if kind in hosts and upload_kind in hosts
}
"""The upload host that goes with each API host (by their kinds, UPLOAD_KINDS)."""

TRUSTED_DOMAINS: Final = tuple(
    sorted(
        {
            host.split(".", 1)[1]
            for _, hosts in spec_data.DATA_CENTERS.values()
            for host in hosts.values()
            if "." in host
        }
    )
)
"""The vendor's domains: absolute URLs in answers are followed only to these
(or to the client's own hosts). Each is a data center's host less its first
label (``www.zohoapis.eu`` gives ``zohoapis.eu``); custom domains
(``*.zohoplatform.com``) belong to single customers and are trusted only as a
client's own host."""


def acceptable_api_domain(domain: str, *, https_only: bool = True) -> bool:
    """Whether an ``api_domain`` from a token answer may become the API host:
    a vendor domain (or loopback) over https; plain http to loopback only for a
    client whose accounts host is itself plain-http loopback (a local test)."""
    try:
        check_base_url(domain)
    except (ValueError, RecursionError):
        return False
    if https_only and urlsplit(domain).scheme != "https":
        return False
    host = urlsplit(domain).hostname or ""
    return is_trusted_host(host) or host in _LOOPBACK


def file_answer_error(response: httpx.Response) -> ZohoBulkError:
    """Why an answer that should carry a file does not (its body already read):
    an error status, an error body sent with HTTP 200, or no file at all."""
    if response.is_error:
        return decode_error(response)
    try:
        decode_answer(response)
    except ZohoBulkError as exc:
        return exc
    kind = response.headers.get("content-type", "no content type")
    return UnexpectedResponseError(
        f"HTTP {response.status_code} answer holds no file ({kind})",
        http_status=response.status_code,
    )


def carries_file(response: httpx.Response) -> bool:
    """Whether a download answer is a file: a success that is not JSON."""
    kind = response.headers.get("content-type", "").lower()
    return response.is_success and not kind.startswith("application/json")


class _DownloadBudget:
    """Counts a download's time and bytes against its DownloadLimits."""

    def __init__(self, limits: DownloadLimits, what: str) -> None:
        self.limits = limits
        self.what = what
        self.ends_at = time.monotonic() + limits.deadline

    def check_time(self) -> None:
        """DownloadLimitError once the deadline has passed."""
        if time.monotonic() >= self.ends_at:
            raise DownloadLimitError(
                f"{self.what} took longer than {self.limits.deadline:g} s"
            )

    def check_announced(self, response: httpx.Response) -> None:
        """DownloadLimitError if the answer announces more than the cap."""
        announced = response.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > self.limits.max_bytes:
            raise DownloadLimitError(
                f"{self.what} is larger than {self.limits.max_bytes:,} bytes "
                f"({int(announced):,} announced)"
            )

    def check_received(self, received: int) -> None:
        """DownloadLimitError past the cap or the deadline."""
        if received > self.limits.max_bytes:
            raise DownloadLimitError(
                f"{self.what} is larger than {self.limits.max_bytes:,} bytes"
            )
        self.check_time()


def is_trusted_host(host: str) -> bool:
    """Whether ``host`` is a vendor domain or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(
        host == domain or host.endswith("." + domain) for domain in TRUSTED_DOMAINS
    )


def split_url(url: str) -> SplitResult:
    """``url`` split into its parts; UnsafeUrlError when it cannot be (a bad
    IPv6 literal, a port out of range, not text)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks the port
    except (ValueError, TypeError, AttributeError) as exc:
        raise UnsafeUrlError(f"not a usable URL {url!r}: {exc}") from None
    return parts


def check_base_url(base_url: str) -> str:
    """``base_url`` without a trailing slash, if it is https (or http on loopback);
    UnsafeUrlError (also a ValueError) otherwise."""
    parts = split_url(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrlError(
            f"base URL must be an absolute http(s) URL, got {base_url!r}"
        )
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise UnsafeUrlError(f"refusing plain http to {parts.hostname}: use https")
    return base_url.rstrip("/")


class SyncTransport(_Base):
    """Sends requests with httpx.Client."""

    def __init__(
        self,
        *,
        endpoints: Endpoints,
        access_token: str | None = None,
        credentials: RefreshTokenCredentials | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        http_client: httpx.Client | None = None,
        follow_api_domain: bool = True,
        download_limits: DownloadLimits | None = None,
    ) -> None:
        super().__init__(
            endpoints=endpoints,
            access_token=access_token,
            credentials=credentials,
            retry=retry,
            timeout=timeout,
            follow_api_domain=follow_api_domain,
            download_limits=download_limits,
        )
        self._owns_client = http_client is None
        self._client = http_client or httpx.Client(timeout=timeout)

    def _token(self, failed: str | None = None) -> AccessToken:
        return self._adopt(self._tokens.token(self._client, failed=failed))

    def _send(
        self,
        method: str,
        target: Target,
        *,
        safe: bool,
        stream: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send with retries and one token refresh; the caller reads the answer."""
        attempt = 0
        refreshed = False
        extra_headers = kwargs.pop("headers", None)
        while True:
            token = self._token()
            request = self._client.build_request(
                method,
                self.absolute(target),
                headers=self.headers(token, extra_headers),
                timeout=self._timeout,
                **kwargs,
            )
            try:
                response = self._client.send(request, stream=stream)
                if response.status_code >= 400 or not stream:
                    response.read()
            except httpx.TransportError as exc:
                if self.retry.should_retry_error(exc, safe=safe, attempt=attempt):
                    time.sleep(self.retry.delay(attempt))
                    attempt += 1
                    continue
                raise TransportError(
                    f"{method} {urlsplit(target.path).path} failed: {type(exc).__name__}"
                ) from None
            except httpx.HTTPError as exc:
                raise unreadable_answer(method, target, exc) from None
            if not refreshed and self._tokens.can_refresh and _rejects_token(response):
                response.close()
                self._token(failed=token.value)
                refreshed = True
                continue
            if self.retry.should_retry_status(
                response.status_code, safe=safe, attempt=attempt
            ):
                response.close()
                time.sleep(
                    self.retry.delay(attempt, response.headers.get("Retry-After"))
                )
                attempt += 1
                continue
            return response

    def request_json(
        self,
        method: str,
        target: Target,
        *,
        safe: bool,
        json: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send a request and return its decoded JSON answer."""
        response = self._send(
            method, target, safe=safe, json=json, files=files, headers=headers
        )
        return decode_answer(response)

    def download(
        self,
        target: Target,
        destination: str | os.PathLike[str],
        on_bytes: ByteProgress | None = None,
    ) -> Path:
        """Stream a GET answer into ``destination`` (never whole in memory).

        A download cut short is started over, into a fresh file, so the result
        holds each byte once; the file appears only when complete. ``on_bytes``
        is called with the bytes written so far and the size the server gives.
        """
        final = Path(destination)
        partial = final.with_name(final.name + ".part")
        budget = _DownloadBudget(
            self.download_limits, f"download of {urlsplit(target.path).path}"
        )
        attempt = 0
        while True:
            response = self._send("GET", target, safe=True, stream=True)
            try:
                if not carries_file(response):
                    response.read()
                    raise file_answer_error(response)
                budget.check_announced(response)
                received = 0
                with partial.open("wb") as sink:
                    # As the bytes arrive (no chunk size: httpx would wait to
                    # fill one), so that the deadline is checked as they come.
                    for chunk in response.iter_bytes():
                        received += len(chunk)
                        budget.check_received(received)
                        sink.write(chunk)
                        _report(on_bytes, received, response)
            except httpx.TransportError as exc:
                partial.unlink(missing_ok=True)
                if self.retry.should_retry_error(exc, safe=True, attempt=attempt):
                    time.sleep(self.retry.delay(attempt))
                    attempt += 1
                    continue
                raise TransportError(
                    f"download of {urlsplit(target.path).path} failed: {type(exc).__name__}"
                ) from None
            except httpx.HTTPError as exc:
                partial.unlink(missing_ok=True)
                raise unreadable_answer("GET", target, exc) from None
            except OSError as exc:
                partial.unlink(missing_ok=True)
                raise LocalFileError("cannot write the download to", exc) from None
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            finally:
                response.close()
            return _move_into_place(partial, final)

    def close(self) -> None:
        """Close the HTTP client if this transport created it."""
        if self._owns_client:
            self._client.close()


class AsyncTransport(_Base):
    """Sends requests with httpx.AsyncClient."""

    def __init__(
        self,
        *,
        endpoints: Endpoints,
        access_token: str | None = None,
        credentials: RefreshTokenCredentials | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        http_client: httpx.AsyncClient | None = None,
        follow_api_domain: bool = True,
        download_limits: DownloadLimits | None = None,
    ) -> None:
        super().__init__(
            endpoints=endpoints,
            access_token=access_token,
            credentials=credentials,
            retry=retry,
            timeout=timeout,
            follow_api_domain=follow_api_domain,
            download_limits=download_limits,
        )
        self._owns_client = http_client is None
        self._client = http_client or httpx.AsyncClient(timeout=timeout)

    async def _token(self, failed: str | None = None) -> AccessToken:
        return self._adopt(await self._tokens.atoken(self._client, failed=failed))

    async def _send(
        self,
        method: str,
        target: Target,
        *,
        safe: bool,
        stream: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send with retries and one token refresh; the caller reads the answer."""
        attempt = 0
        refreshed = False
        extra_headers = kwargs.pop("headers", None)
        while True:
            token = await self._token()
            request = self._client.build_request(
                method,
                self.absolute(target),
                headers=self.headers(token, extra_headers),
                timeout=self._timeout,
                **kwargs,
            )
            try:
                response = await self._client.send(request, stream=stream)
                if response.status_code >= 400 or not stream:
                    await response.aread()
            except httpx.TransportError as exc:
                if self.retry.should_retry_error(exc, safe=safe, attempt=attempt):
                    await asyncio.sleep(self.retry.delay(attempt))
                    attempt += 1
                    continue
                raise TransportError(
                    f"{method} {urlsplit(target.path).path} failed: {type(exc).__name__}"
                ) from None
            except httpx.HTTPError as exc:
                raise unreadable_answer(method, target, exc) from None
            if not refreshed and self._tokens.can_refresh and _rejects_token(response):
                await response.aclose()
                await self._token(failed=token.value)
                refreshed = True
                continue
            if self.retry.should_retry_status(
                response.status_code, safe=safe, attempt=attempt
            ):
                await response.aclose()
                await asyncio.sleep(
                    self.retry.delay(attempt, response.headers.get("Retry-After"))
                )
                attempt += 1
                continue
            return response

    async def request_json(
        self,
        method: str,
        target: Target,
        *,
        safe: bool,
        json: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send a request and return its decoded JSON answer."""
        response = await self._send(
            method, target, safe=safe, json=json, files=files, headers=headers
        )
        return decode_answer(response)

    async def download(
        self,
        target: Target,
        destination: str | os.PathLike[str],
        on_bytes: ByteProgress | None = None,
    ) -> Path:
        """Stream a GET answer into ``destination``; see SyncTransport.download."""
        final = Path(destination)
        partial = final.with_name(final.name + ".part")
        budget = _DownloadBudget(
            self.download_limits, f"download of {urlsplit(target.path).path}"
        )
        attempt = 0
        while True:
            response = await self._send("GET", target, safe=True, stream=True)
            try:
                if not carries_file(response):
                    await response.aread()
                    raise file_answer_error(response)
                budget.check_announced(response)
                received = 0
                with partial.open("wb") as sink:
                    remaining = max(budget.ends_at - time.monotonic(), 0.0)
                    try:
                        async with asyncio.timeout(remaining):
                            async for chunk in response.aiter_bytes():
                                received += len(chunk)
                                budget.check_received(received)
                                sink.write(chunk)
                                _report(on_bytes, received, response)
                    except TimeoutError:
                        raise DownloadLimitError(
                            f"{budget.what} took longer than"
                            f" {budget.limits.deadline:g} s"
                        ) from None
            except httpx.TransportError as exc:
                partial.unlink(missing_ok=True)
                if self.retry.should_retry_error(exc, safe=True, attempt=attempt):
                    await asyncio.sleep(self.retry.delay(attempt))
                    attempt += 1
                    continue
                raise TransportError(
                    f"download of {urlsplit(target.path).path} failed: {type(exc).__name__}"
                ) from None
            except httpx.HTTPError as exc:
                partial.unlink(missing_ok=True)
                raise unreadable_answer("GET", target, exc) from None
            except OSError as exc:
                partial.unlink(missing_ok=True)
                raise LocalFileError("cannot write the download to", exc) from None
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            finally:
                await response.aclose()
            return _move_into_place(partial, final)

    async def aclose(self) -> None:
        """Close the HTTP client if this transport created it."""
        if self._owns_client:
            await self._client.aclose()


def unreadable_answer(
    method: str, target: Target, error: httpx.HTTPError
) -> UnexpectedResponseError:
    """The error for an answer httpx could not read (a body that does not
    decode as its Content-Encoding says, too many redirects, ...)."""
    return UnexpectedResponseError(
        f"{method} {urlsplit(target.path).path}: the answer cannot be read"
        f" ({type(error).__name__}: {_first_line(str(error))})"
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no detail"


def _move_into_place(partial: Path, final: Path) -> Path:
    """Rename the finished ``partial`` download to ``final``."""
    try:
        os.replace(partial, final)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise LocalFileError("cannot write the download to", exc) from None
    return final


def decode_error(response: httpx.Response) -> ApiError:
    """The exception for an error answer that was already read."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    return error_for(response.status_code, body)
