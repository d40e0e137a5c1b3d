"""A tiny Bulk API stand-in on 127.0.0.1 for client tests: real HTTP, canned answers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class RecordedRequest:
    """What the server saw."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class LocalApi:
    """Routes (method, path) to (status, JSON body) and records every request."""

    routes: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    raw_routes: dict[tuple[str, str], tuple[int, bytes, dict[str, str]]] = field(
        default_factory=dict
    )
    requests: list[RecordedRequest] = field(default_factory=list)
    base_url: str = ""

    def answer(self, method: str, path: str, status: int, body: Any) -> None:
        """Serve ``body`` with ``status`` for ``method`` ``path``."""
        self.routes[(method, path)] = (status, body)

    def answer_raw(
        self, method: str, path: str, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        """Serve ``body`` as it is, with ``headers`` (Content-Length is added)."""
        self.raw_routes[(method, path)] = (status, body, headers)


@contextmanager
def serve_local_api() -> Iterator[LocalApi]:
    """Run a LocalApi on an ephemeral port for the duration of the block."""
    api = LocalApi()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            api.requests.append(
                RecordedRequest(
                    self.command,
                    self.path,
                    dict(self.headers.items()),
                    self.rfile.read(length) if length else b"",
                )
            )
            if (self.command, self.path) in api.raw_routes:
                status, raw, headers = api.raw_routes[(self.command, self.path)]
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
                return
            status, body = api.routes.get(
                (self.command, self.path),
                (
                    404,
                    {
                        "code": "INVALID_URL_PATTERN",
                        "message": "no such URL",
                        "status": "error",
                        "details": {},
                    },
                ),
            )
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
