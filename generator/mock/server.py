"""A local Bulk API server on 127.0.0.1, made from the spec: every product and
version under the real paths, the accounts host's token endpoint, the upload
host and write-result downloads, all on one base URL.

It checks the auth header and scopes, runs jobs through their lifecycle, builds
result zips, answers documented error codes in their documented situations and
can be told to misbehave (429, 500, dropped connections, slow answers)."""

from __future__ import annotations

import json
import math
import re
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema

from generator.mock.answers import Answer, ApiFailure, ErrorCatalog, error_body
from generator.mock.config import Fault, MockConfig
from generator.mock.operations import Call, MockOperations, handled_roles
from generator.mock.routes import TOKEN_PATH, Router
from generator.mock.state import MockState, OAuthClient, PendingFault, Token
from generator.spec.load import load_spec, to_pointer
from generator.spec.model import NormalizedSpec
from generator.spec.normalize import normalize_spec
from generator.spec.validate import validate_spec
from generator.targets.json_schema import emit_schemas

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""The only hosts the mock posts callback notifications to."""

LISTEN_BACKLOG = 1024
"""Connections the kernel queues before the mock accepts them (the standard
library's default, 5, resets clients when a few dozen connect at once)."""


class _BulkHTTPServer(ThreadingHTTPServer):
    """One thread per connection, a deep listen backlog, daemon threads."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is not the mock's error; anything else is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def load_normalized_spec(spec_dir: Path) -> NormalizedSpec:
    """The spec in ``spec_dir``, checked and normalized (no code generated)."""
    loaded = load_spec(spec_dir)
    validate_spec(loaded)
    return normalize_spec(loaded)


class MockServer:
    """The mock Bulk API. Use it as a context manager, or call start() and stop()."""

    def __init__(
        self,
        spec: NormalizedSpec,
        config: MockConfig | None = None,
        *,
        port: int = 0,
        check_responses: bool = False,
    ) -> None:
        self.spec = spec
        self.state = MockState(config or MockConfig())
        self.router = Router(spec)
        self.schemas = emit_schemas(spec)
        self.operations = MockOperations(self.state, self.schemas)
        self.catalog = ErrorCatalog(spec)
        self.check_responses = check_responses
        self.notifications: list[tuple[str, Any, int | str]] = []
        """Callback posts made: URL, body, and the HTTP status or error met."""
        self._validators: dict[str, jsonschema.Draft202012Validator] = {}
        self._token_pattern = spec.auth.token_pattern
        self._http = _BulkHTTPServer(("127.0.0.1", port), _handler_class(self))
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: the API, upload and accounts host at once."""
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    @property
    def config(self) -> MockConfig:
        """The current settings."""
        return self.state.config

    def configure(self, **changes: Any) -> None:
        """Change settings (records, polls_until_complete, token_lifetime, ...)."""
        with self.state.lock:
            self.state.config = replace(self.state.config, **changes)

    def start(self) -> MockServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="zoho-bulk-mock",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._http.serve_forever()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join()
            self._thread = None
        self._http.server_close()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests arrange ----------------------------------------------------------

    def issue_token(self, scopes: Iterable[str] | None = None, role: str = "user") -> str:
        """A new access token with ``scopes`` (None: every scope) and ``role``."""
        return self.state.issue_token(scopes, role).value

    def expire_tokens(self) -> None:
        """Make every token handed out so far expired."""
        with self.state.lock:
            for token in self.state.tokens.values():
                token.expires_at = 0.0

    def register_client(
        self,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        scopes: Iterable[str] | None = None,
    ) -> None:
        """Accept the refresh-token grant for these credentials (and only known ones)."""
        frozen = None if scopes is None else frozenset(scopes)
        with self.state.lock:
            self.state.clients[client_id] = OAuthClient(
                client_id, client_secret, refresh_token, frozen
            )

    def inject(self, *faults: Fault) -> None:
        """Misbehave on the next requests, as ``faults`` say."""
        for fault in faults:
            if fault.code is not None and not self.catalog.knows(fault.code):
                raise ValueError(f"error code {fault.code!r} is not in the spec's error catalog")
        with self.state.lock:
            self.state.faults.extend(PendingFault(fault, fault.count) for fault in faults)

    @property
    def token_requests(self) -> int:
        """How many token grants the accounts endpoint has answered."""
        return self.state.token_requests

    @property
    def schema_errors(self) -> list[str]:
        """Answers that did not match their JSON Schema (with check_responses)."""
        return list(self.state.errors)

    # -- serving ---------------------------------------------------------------------

    def answer(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Answer:
        """The answer to one request (faults aside)."""
        path = urlsplit(target).path
        if path == TOKEN_PATH:
            return self._token_grant(method, target, headers, body)
        operation = None
        try:
            matches = self.router.match(path)
            if not matches:
                raise ApiFailure("INVALID_URL_PATTERN", "no endpoint has this URL", {})
            for_method = [match for match in matches if match.route.operation.method == method]
            if not for_method:
                operation = matches[0].route.operation
                raise ApiFailure("INVALID_REQUEST_METHOD", f"{method} is not allowed here", {})
            match = for_method[0]
            operation = match.route.operation
            if not match.params_valid:
                raise ApiFailure("INVALID_URL_PATTERN", "a path parameter is not valid", {})
            if match.route.operation.role not in handled_roles():
                raise ApiFailure("INVALID_URL_PATTERN", "the mock does not serve this", {})
            token = self._authenticate(headers)
            call = Call(match, token, headers, body, self.base_url)
            answer = self.operations.handle(call)
        except ApiFailure as failure:
            return self.catalog.answer(failure, operation)
        except Exception as exc:  # noqa: BLE001 - a bug of the mock: answered and recorded
            with self.state.lock:
                self.state.errors.append(f"{method} {path}: mock failed: {exc!r}")
            return self.catalog.answer(
                ApiFailure("INTERNAL_ERROR", "the mock failed", {}), operation
            )
        if self.check_responses and answer.schema is not None:
            self.check_answer(answer)
        return answer

    def _authenticate(self, headers: Mapping[str, str]) -> Token:
        scheme, _, value = headers.get(self.spec.auth.header.lower(), "").partition(" ")
        if scheme != self.spec.auth.scheme or re.fullmatch(self._token_pattern, value) is None:
            raise ApiFailure("INVALID_TOKEN", "the access token is missing or malformed", {})
        with self.state.lock:
            token = self.state.tokens.get(value)
        if token is None:
            return Token(value, None, "user", math.inf)
        if token.expires_at <= time.monotonic():
            raise ApiFailure("INVALID_TOKEN", "the access token has expired", {})
        return token

    def _token_grant(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Answer:
        if method != "POST":
            return Answer(405, {"error": "invalid_request"})
        form = dict(parse_qsl(urlsplit(target).query))
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form.update(parse_qsl(body.decode("utf-8", "replace")))
        if form.get("grant_type") != "refresh_token":
            return Answer(200, {"error": "unsupported_grant_type"})
        with self.state.lock:
            known = self.state.clients.get(form.get("client_id", ""))
            if self.state.clients:
                if known is None or known.client_secret != form.get("client_secret"):
                    return Answer(200, {"error": "invalid_client"})
                if known.refresh_token != form.get("refresh_token"):
                    return Answer(200, {"error": "invalid_code"})
            elif not form.get("refresh_token", "").startswith("1000."):
                return Answer(200, {"error": "invalid_code"})
            self.state.token_requests += 1
        token = self.state.issue_token(known.scopes if known else None, "user")
        lifetime = self.state.config.token_lifetime
        return Answer(
            200,
            {
                "access_token": token.value,
                "api_domain": self.state.config.api_domain or self.base_url,
                "token_type": "Bearer",
                "expires_in": int(lifetime) if lifetime == int(lifetime) else lifetime,
            },
        )

    def check_answer(self, answer: Answer) -> None:
        """Record in schema_errors where ``answer`` leaves its JSON Schema."""
        assert answer.schema is not None
        validator = self._validators.get(answer.schema)
        if validator is None:
            validator = jsonschema.Draft202012Validator(
                self.schemas[answer.schema],
                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
            )
            self._validators[answer.schema] = validator
        for error in validator.iter_errors(answer.body):
            where = to_pointer(tuple(error.absolute_path))
            with self.state.lock:
                self.state.errors.append(f"{answer.schema}: {where}: {error.message}")

    def fault_answer(self, fault: Fault, method: str, path: str) -> Answer:
        """The answer of an ``error`` fault on ``method`` ``path``: its code, with
        the status the spec gives it in the operation there, in its shape."""
        matches = [m for m in self.router.match(path) if m.route.operation.method == method]
        operation = matches[0].route.operation if matches else None
        if fault.status is not None:
            status = fault.status
        elif fault.code is not None:
            status = self.catalog.status(fault.code, operation)
        else:
            status = 400
        stated = self.catalog.status(fault.code, operation) if fault.code else status
        body = error_body(fault.code, "injected fault", {}, fault.shape, stated)
        return Answer(status, body)

    def take_fault(self, path: str, kinds: frozenset[str]) -> Fault | None:
        """A pending fault of ``kinds`` for ``path``, used up once."""
        return self.state.take_fault(path, kinds)

    def post_notifications(self, answer: Answer) -> None:
        """Post the answer's callback notifications, to loopback URLs only."""
        for url, body in answer.notify:
            if urlsplit(url).hostname not in LOOPBACK_HOSTS:
                self.notifications.append((url, body, "not a loopback URL"))
                continue
            request = urllib.request.Request(
                url,
                data=json.dumps(body).encode("utf-8"),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    self.notifications.append((url, body, response.status))
            except OSError as exc:
                self.notifications.append((url, body, type(exc).__name__))


_BEFORE_FAULTS = frozenset({"429", "500", "drop", "slow", "error"})


def _handler_class(server: MockServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "zoho-bulk-mock"
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = urlsplit(self.path).path
            with server.state.lock:
                server.state.requests.append((self.command, path))
            fault = server.take_fault(path, _BEFORE_FAULTS)
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay)
                fault = None
            if fault is not None and fault.kind == "drop":
                self._drop()
                return
            if fault is not None and fault.kind == "error":
                answer = server.fault_answer(fault, self.command, path)
            elif fault is not None:
                code = "TOO_MANY_REQUESTS" if fault.kind == "429" else "INTERNAL_ERROR"
                retry_after = (
                    (("Retry-After", str(fault.retry_after)),) if fault.kind == "429" else ()
                )
                answer = server.catalog.answer(
                    ApiFailure(code, "injected fault", {}, headers=retry_after)
                )
            else:
                headers = {name.lower(): value for name, value in self.headers.items()}
                answer = server.answer(self.command, self.path, headers, body)
            self._send(answer, path)
            if answer.notify:
                threading.Thread(
                    target=server.post_notifications, args=(answer,), daemon=True
                ).start()

        def _send(self, answer: Answer, path: str) -> None:
            payload = answer.payload()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers:
                self.send_header(name, value)
            self.end_headers()
            if self.command == "HEAD":
                return
            cut = (
                answer.content is not None
                and server.take_fault(path, frozenset({"drop_mid_body"})) is not None
            )
            if cut:
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                self._drop()
                return
            self.wfile.write(payload)

        def _drop(self) -> None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def __getattr__(self, name: str) -> Any:
            """Every method is served (``do_TRACE``, ``do_PROPFIND``, ...): one the
            spec does not declare gets the vendor's JSON INVALID_REQUEST_METHOD."""
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def send_error(
            self, code: int, message: str | None = None, explain: str | None = None
        ) -> None:
            """A request the HTTP layer refuses (a request line too long, a bad
            header) is answered in the vendor's JSON error shape, not HTML."""
            body = {
                "code": "INVALID_REQUEST",
                "details": {},
                "message": message or "",
                "status": "error",
            }
            self.close_connection = True
            try:
                self._send(Answer(code, body, headers=(("Connection", "close"),)), "")
            except OSError:
                pass

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests and benchmarks read the recorded requests instead."""

    return Handler
