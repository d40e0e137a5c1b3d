"""What the mock remembers between requests: tokens, OAuth clients, uploaded
files, jobs, page tokens, pending faults. Every access goes through one lock."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from generator.mock.config import ROLES, Fault, MockConfig

_ID_BASE = 5_725_767_000_001_000_000
"""Job and file ids count up from here (19 digits, like the vendor's)."""


@dataclass
class Token:
    """An access token the mock handed out."""

    value: str
    scopes: frozenset[str] | None
    """Lower-cased scopes; None grants every scope."""
    role: str
    expires_at: float
    """time.monotonic() after which the token is refused."""


@dataclass(frozen=True)
class OAuthClient:
    """A client registered for the refresh-token grant."""

    client_id: str
    client_secret: str
    refresh_token: str
    scopes: frozenset[str] | None


@dataclass(frozen=True)
class ReadCursor:
    """Where a bulk read continues: the query of a page token."""

    product: str
    version: str
    module: str
    fields: tuple[str, ...] | None
    criteria: Any
    cvid: str | None
    file_type: str
    page: int


@dataclass
class ReadJob:
    """A bulk read job."""

    id: str
    product: str
    version: str
    module: str
    fields: tuple[str, ...] | None
    """Fields asked for (None: the defaults)."""
    criteria: Any
    cvid: str | None
    page: int
    page_token: str | None
    """The page token the job was created with, if any."""
    file_type: str
    callback: Any
    created_time: str
    start: int
    end: int
    """The records the job exports: ``start`` to ``end`` (excluded)."""
    more_records: bool
    polls: int = 0
    next_page_token: str | None = None
    result: bytes | None = None
    build_lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class UploadedFile:
    """A zip stored by the upload operation."""

    id: str
    product: str
    org_id: str
    created_time: str
    tables: dict[str, list[list[str]]]
    """Its CSV files by name, each as rows with the header first."""


@dataclass
class WriteResource:
    """The outcome of one resource of a bulk write job, decided when it is created."""

    request: dict[str, Any]
    module: str
    file_id: str
    file_name: str
    file_names: list[str]
    field_mappings: list[dict[str, Any]]
    failure: str | None
    """Why the resource fails (the job then fails), or None."""
    header: list[str]
    rows: list[list[str]]
    """Result rows: the imported values, then STATUS, RECORD_ID and ERRORS."""
    added: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass
class WriteJob:
    """A bulk write job."""

    id: str
    product: str
    version: str
    request: dict[str, Any]
    resources: list[WriteResource]
    created_time: str
    org_id: str
    download_path: str
    polls: int = 0
    result: bytes | None = None
    build_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def failed(self) -> bool:
        """Whether a resource of the job cannot be imported."""
        return any(resource.failure is not None for resource in self.resources)


@dataclass
class PendingFault:
    """A fault and how many more requests it applies to."""

    fault: Fault
    remaining: int


class MockState:
    """All mutable state, guarded by ``lock``."""

    def __init__(self, config: MockConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.tokens: dict[str, Token] = {}
        self.clients: dict[str, OAuthClient] = {}
        self.token_requests = 0
        self.read_jobs: dict[str, ReadJob] = {}
        self.write_jobs: dict[str, WriteJob] = {}
        self.files: dict[str, UploadedFile] = {}
        self.cursors: dict[str, ReadCursor] = {}
        self.faults: list[PendingFault] = []
        self.downloads: deque[float] = deque()
        self.requests: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self._ids = itertools.count(1)

    def new_id(self) -> str:
        """A fresh job or file id: a string of 19 digits."""
        with self.lock:
            return str(_ID_BASE + next(self._ids) * 1000 + secrets.randbelow(1000))

    def issue_token(self, scopes: Iterable[str] | None, role: str) -> Token:
        """Hand out an access token carrying ``scopes`` (None: all) and ``role``."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; use one of {sorted(ROLES)}")
        value = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        token = Token(
            value,
            None if scopes is None else frozenset(scope.lower() for scope in scopes),
            role,
            time.monotonic() + self.config.token_lifetime,
        )
        with self.lock:
            self.tokens[value] = token
        return token

    def take_fault(self, path: str, kinds: frozenset[str]) -> Fault | None:
        """The first pending fault of one of ``kinds`` that applies to ``path``, used up once."""
        with self.lock:
            for pending in self.faults:
                fault = pending.fault
                if fault.kind not in kinds:
                    continue
                if fault.path_contains is not None and fault.path_contains not in path:
                    continue
                pending.remaining -= 1
                if pending.remaining <= 0:
                    self.faults.remove(pending)
                return fault
        return None

    def download_wait(self) -> int | None:
        """Record a bulk read result download, or the seconds to wait if the limit is hit."""
        limit = self.config.download_rate_limit
        if limit is None:
            return None
        now = time.monotonic()
        with self.lock:
            while self.downloads and now - self.downloads[0] >= 60.0:
                self.downloads.popleft()
            if len(self.downloads) >= limit:
                return max(1, int(60.0 - (now - self.downloads[0]) + 0.999))
            self.downloads.append(now)
        return None


def scope_covers(granted: str, required: str) -> bool:
    """Whether the lower-cased ``granted`` scope satisfies the lower-cased ``required`` one.

    ``X.bulk.ALL`` covers every ``X.bulk.*`` scope, ``X.modules.ALL`` every module
    scope of X, and generally ``A.B.ALL`` covers ``A.B.<anything>``."""
    if granted == required:
        return True
    if not granted.endswith(".all"):
        return False
    return required.startswith(granted[: -len("all")])


def scopes_allow(
    granted: frozenset[str] | None,
    alternatives: tuple[tuple[str, ...], ...],
    modules: Iterable[str],
) -> bool:
    """Whether ``granted`` satisfies one alternative of ``alternatives`` for every
    module in ``modules`` (``{module}`` is the module's name, lower-cased)."""
    if granted is None or not alternatives:
        return True
    names = [module.lower() for module in modules] or [""]
    for module in names:
        needed_any = [
            [scope.replace("{module}", module).lower() for scope in alternative]
            for alternative in alternatives
        ]
        if not any(
            all(any(scope_covers(have, need) for have in granted) for need in alternative)
            for alternative in needed_any
        ):
            return False
    return True
