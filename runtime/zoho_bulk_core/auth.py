"""Access tokens: a fixed token, or the OAuth refresh-token flow with a
pluggable token store, refreshed shortly before expiry and at most once at a
time, from threads and from asyncio tasks alike.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import httpx

from zoho_bulk_core.errors import (
    AuthenticationError,
    ConfigurationError,
    LocalFileError,
    TransportError,
)

TOKEN_PATH: Final = "/oauth/v2/token"
"""Path of the token endpoint on the accounts host."""

DEFAULT_REFRESH_MARGIN: Final = 60.0
"""Seconds before expiry at which a token is refreshed."""


@dataclass(frozen=True)
class AccessToken:
    """An access token, when it expires and when it was issued (seconds since
    the epoch)."""

    value: str = field(repr=False)
    expires_at: float | None = None
    api_domain: str | None = None
    issued_at: float | None = None

    def expires_within(self, seconds: float) -> bool:
        """Whether the token is expired, or will be within ``seconds``."""
        return self.expires_at is not None and self.expires_at - seconds <= time.time()

    def refresh_due(self, margin: float) -> bool:
        """Whether to replace the token: it expires within ``margin``, or within
        half its lifetime when that is shorter. A margin as long as the
        lifetime would otherwise refresh on every call, and the accounts server
        limits how often a refresh token may be used."""
        if self.issued_at is not None and self.expires_at is not None:
            margin = min(margin, (self.expires_at - self.issued_at) / 2)
        return self.expires_within(margin)


class TokenStore(Protocol):
    """Where refreshed access tokens are kept between uses."""

    def load(self) -> AccessToken | None:
        """The stored token, or None."""
        ...

    def save(self, token: AccessToken) -> None:
        """Replace the stored token."""
        ...


class MemoryTokenStore:
    """Keeps the token in this process only (the default)."""

    def __init__(self) -> None:
        self._token: AccessToken | None = None

    def load(self) -> AccessToken | None:
        """The stored token, or None."""
        return self._token

    def save(self, token: AccessToken) -> None:
        """Replace the stored token."""
        self._token = token

    def __repr__(self) -> str:
        return "MemoryTokenStore()"


class FileTokenStore:
    """Keeps the token in a JSON file readable by its owner only, replaced atomically."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self) -> AccessToken | None:
        """The stored token, or None when the file is missing or unreadable."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return AccessToken(
                value=str(data["access_token"]),
                expires_at=(
                    float(data["expires_at"]) if data.get("expires_at") else None
                ),
                api_domain=data.get("api_domain"),
                issued_at=(float(data["issued_at"]) if data.get("issued_at") else None),
            )
        except (
            OSError,
            ValueError,
            KeyError,
            TypeError,
            OverflowError,
            RecursionError,
        ):
            return None

    def save(self, token: AccessToken) -> None:
        """Replace the stored token; LocalFileError (also an OSError) when the
        file or its folder cannot be written."""
        data = {
            "access_token": token.value,
            "expires_at": token.expires_at,
            "api_domain": token.api_domain,
            "issued_at": token.issued_at,
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".token-", dir=self.path.parent)
        except OSError as exc:
            raise LocalFileError("cannot write the token file", exc) from None
        try:
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream)
            os.replace(temporary, self.path)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            raise LocalFileError("cannot write the token file", exc) from None
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"


@dataclass
class RefreshTokenCredentials:
    """OAuth client credentials and a refresh token, exchanged for access tokens
    at the accounts host's token endpoint."""

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    store: TokenStore = field(default_factory=MemoryTokenStore)
    refresh_margin: float = DEFAULT_REFRESH_MARGIN


def _seconds(value: object) -> float | None:
    """A finite number of seconds, or None (a number too large for a float,
    NaN, infinity, or not a number at all)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except OverflowError:
        return None
    return seconds if math.isfinite(seconds) else None


def parse_token_answer(response: httpx.Response) -> AccessToken:
    """Read the token endpoint's answer; raise AuthenticationError on refusal."""
    try:
        body: Any = response.json()
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        reason = body.get("error") if isinstance(body, dict) else None
        raise AuthenticationError(
            f"token refresh refused: {reason or 'unexpected answer'}",
            code=str(reason) if reason else None,
            http_status=response.status_code,
        )
    expires_in = body.get("expires_in")
    issued_at = time.time()
    lifetime = _seconds(expires_in)
    expires_at = issued_at + lifetime if lifetime is not None else None
    api_domain = body.get("api_domain")
    return AccessToken(
        value=body["access_token"],
        expires_at=expires_at,
        api_domain=api_domain if isinstance(api_domain, str) else None,
        issued_at=issued_at,
    )


class TokenProvider:
    """Hands out a valid access token, refreshing it when needed.

    At most one refresh runs at a time: threads share a lock, asyncio tasks of
    one event loop share another, and whoever waited re-checks the store first.
    """

    def __init__(
        self,
        *,
        access_token: str | None,
        credentials: RefreshTokenCredentials | None,
        token_url: str,
    ) -> None:
        if (access_token is None) == (credentials is None):
            raise ConfigurationError("give either access_token or credentials")
        if access_token is not None and (
            not access_token or any(char.isspace() for char in access_token)
        ):
            raise ConfigurationError(
                "access_token must be a non-empty string without spaces"
            )
        self._static = AccessToken(access_token) if access_token is not None else None
        self._credentials = credentials
        self._token_url = token_url
        self._thread_lock = threading.Lock()
        # One lock per event loop, forgotten with its loop (a new loop can
        # reuse a dead one's id, so ids will not do).
        self._async_locks: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Lock
        ] = weakref.WeakKeyDictionary()
        self._async_locks_guard = threading.Lock()

    def __repr__(self) -> str:
        kind = "static token" if self._static else "refresh-token credentials"
        return f"TokenProvider({kind})"

    @property
    def can_refresh(self) -> bool:
        """Whether a rejected token can be replaced."""
        return self._credentials is not None

    def current(self) -> AccessToken | None:
        """The token in use, without refreshing."""
        if self._static is not None:
            return self._static
        assert self._credentials is not None
        return self._credentials.store.load()

    def _needs_refresh(self, failed: str | None) -> bool:
        assert self._credentials is not None
        token = self._credentials.store.load()
        if token is None:
            return True
        if failed is not None:
            return token.value == failed
        return token.refresh_due(self._credentials.refresh_margin)

    def _form(self) -> dict[str, str]:
        assert self._credentials is not None
        return {
            "grant_type": "refresh_token",
            "client_id": self._credentials.client_id,
            "client_secret": self._credentials.client_secret,
            "refresh_token": self._credentials.refresh_token,
        }

    def token(self, client: httpx.Client, *, failed: str | None = None) -> AccessToken:
        """A valid token; ``failed`` names one the server just rejected."""
        if self._static is not None:
            return self._static
        assert self._credentials is not None
        if not self._needs_refresh(failed):
            token = self._credentials.store.load()
            assert token is not None
            return token
        with self._thread_lock:
            if self._needs_refresh(failed):
                try:
                    response = client.post(self._token_url, data=self._form())
                except httpx.TransportError as exc:
                    raise TransportError(
                        f"token refresh failed: {type(exc).__name__}"
                    ) from None
                self._credentials.store.save(parse_token_answer(response))
            token = self._credentials.store.load()
            assert token is not None
            return token

    async def atoken(
        self, client: httpx.AsyncClient, *, failed: str | None = None
    ) -> AccessToken:
        """A valid token, for asyncio code; ``failed`` names one just rejected."""
        if self._static is not None:
            return self._static
        assert self._credentials is not None
        if not self._needs_refresh(failed):
            token = self._credentials.store.load()
            assert token is not None
            return token
        loop = asyncio.get_running_loop()
        with self._async_locks_guard:  # loops in other threads share the map
            lock = self._async_locks.setdefault(loop, asyncio.Lock())
        async with lock:
            if self._needs_refresh(failed):
                try:
                    response = await client.post(self._token_url, data=self._form())
                except httpx.TransportError as exc:
                    raise TransportError(
                        f"token refresh failed: {type(exc).__name__}"
                    ) from None
                self._credentials.store.save(parse_token_answer(response))
            token = self._credentials.store.load()
            assert token is not None
            return token
