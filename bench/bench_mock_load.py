"""Benchmark: the mock Bulk API under many concurrent clients, next to the
standard library's plain threading HTTP server answering one canned JSON body,
in the same run.

    .venv/bin/python bench/bench_mock_load.py [--clients 200] [--requests 20]

Two measurements, each against a fresh server in this process (the clients run
here too, so the figures include the clients' own cost; they are for ratios):

- lifecycles: ``--clients`` generated clients start at once (a barrier), each
  runs a whole read lifecycle (every page) and a whole write lifecycle (upload,
  job, result rows) with retries off. Run against the mock as shipped (listen
  backlog ``LISTEN_BACKLOG``) and against the same mock with the standard
  library's backlog of 5: failed clients and lifecycles per second.
- requests: ``--clients`` threads each send ``--requests`` GETs of one job's
  status (auth, routing, JSON answer) to the mock, and the same number of GETs
  to a bare ``ThreadingHTTPServer`` answering a fixed body: requests per second
  of each and their ratio (what the mock's own work costs).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.mock import server as mock_server  # noqa: E402
from generator.mock.config import MockConfig  # noqa: E402
from generator.mock.server import MockServer, load_normalized_spec  # noqa: E402

TOKEN = "1000.bench-load.0123456789"
AUTH = {"Authorization": f"Zoho-oauthtoken {TOKEN}"}


@contextmanager
def canned_server() -> Iterator[str]:
    """A bare standard-library threading server answering one fixed JSON body."""
    body = json.dumps({"data": [{"id": "1", "state": "COMPLETED"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = mock_server.LISTEN_BACKLOG
        daemon_threads = True

    http = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=http.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_address[1]}"
    finally:
        http.shutdown()
        http.server_close()


def in_threads(count: int, work: Callable[[int], None]) -> tuple[int, float]:
    """Run ``work(i)`` in ``count`` threads started together; failures and seconds."""
    start = threading.Barrier(count)
    failures: list[BaseException] = []

    def one(index: int) -> None:
        start.wait(timeout=60)
        try:
            work(index)
        except BaseException as exc:  # noqa: BLE001 - every failure is counted
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(index,)) for index in range(count)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(failures), time.perf_counter() - began


def lifecycles(spec: Any, clients: int, backlog: int) -> tuple[int, float]:
    """Failed clients and seconds for ``clients`` concurrent full lifecycles."""
    # The clients' lifecycle is the load test's own (tests/mock/test_mock_load.py).
    load_test = importlib.import_module("tests.mock.test_mock_load")
    lifecycles_of = load_test.lifecycles_of

    saved = mock_server._BulkHTTPServer.request_queue_size
    mock_server._BulkHTTPServer.request_queue_size = backlog
    try:
        config = MockConfig(records=load_test.RECORDS, per_page=2, polls_until_complete=0)
        with MockServer(spec, config) as server:
            return in_threads(clients, lambda index: lifecycles_of(index, server.base_url))
    finally:
        mock_server._BulkHTTPServer.request_queue_size = saved


def status_gets(base_url: str, path: str, clients: int, requests: int) -> float:
    """Seconds for ``clients`` threads to GET ``path`` ``requests`` times each."""

    def work(_: int) -> None:
        with httpx.Client(base_url=base_url, headers=AUTH, timeout=120) as http:
            for _ in range(requests):
                http.get(path).raise_for_status()

    failed, seconds = in_threads(clients, work)
    if failed:
        raise SystemExit(f"{failed} clients failed against {base_url}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Measure both ways and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args(argv)
    spec = load_normalized_spec(ROOT / "spec")

    print(f"{args.clients} concurrent clients, each a whole read and write lifecycle, no retries")
    shipped_failed, shipped_s = lifecycles(spec, args.clients, mock_server.LISTEN_BACKLOG)
    small_failed, small_s = lifecycles(spec, args.clients, 5)
    for label, failed, seconds in (
        (f"mock, backlog {mock_server.LISTEN_BACKLOG}", shipped_failed, shipped_s),
        ("mock, backlog 5", small_failed, small_s),
    ):
        rate = (args.clients - failed) / seconds
        print(f"  {label:<20} {failed:>4} failed  {rate:8.1f} lifecycles/s  ({seconds:.2f} s)")

    total = args.clients * args.requests
    print(f"{args.clients} threads x {args.requests} GETs of a job's status")
    config = MockConfig(records=1, polls_until_complete=0)
    with MockServer(spec, config) as server:
        with httpx.Client(base_url=server.base_url, headers=AUTH) as http:
            created = http.post(
                "/crm/bulk/v7/read", json={"query": {"module": {"api_name": "Leads"}}}
            )
            job_id = created.json()["data"][0]["details"]["id"]
        mock_s = status_gets(
            server.base_url, f"/crm/bulk/v7/read/{job_id}", args.clients, args.requests
        )
    with canned_server() as base_url:
        canned_s = status_gets(base_url, "/", args.clients, args.requests)
    print(f"  {'mock':<20} {total / mock_s:8.0f} requests/s")
    print(f"  {'canned stdlib server':<20} {total / canned_s:8.0f} requests/s")
    print(f"  mock / canned: {canned_s / mock_s:.2f}")
    return 0 if shipped_failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
