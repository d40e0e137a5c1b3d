"""Benchmark: read a 200,000-row bulk read result from the mock server, through
the generated client and the plain way, in the same run.

    .venv/bin/python bench/bench_read_stream.py [--rows 200000] [--repeat 3]

The mock runs in its own process. Each measured run is a fresh process, so its
peak RSS (ru_maxrss) belongs to that way of reading alone:

- client: ``Client.download_bulk_read_result`` streams the zip to disk, then
  ``zoho_bulk_core.results.iter_csv_rows`` yields each row as a dict;
- plain:  ``httpx.get`` of the whole body, then ``zipfile`` + ``csv.DictReader``
  over it in memory — what a user would write without the client.

Both are timed from the download request to the last row. The job is created
and its zip built (by a warm-up download) before any measured run.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "1000.bench-token.0000"
AUTH = {"Authorization": f"Zoho-oauthtoken {TOKEN}"}


def main() -> int:
    """Start the mock, prepare one finished job, measure both ways, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=["client", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--job", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure = read_with_client if args.child == "client" else read_plainly
        print(json.dumps(measure(args.base_url, args.job)))
        return 0

    mock = subprocess.Popen(
        [sys.executable, "-m", "generator", "mock", "--port", "0", "--polls", "0"]
        + ["--records", str(args.rows)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert mock.stdout is not None
        base_url = mock.stdout.readline().strip().rsplit(" ", 1)[-1]
        job_id = prepare_job(base_url)
        results: dict[str, list[dict[str, float]]] = {"client": [], "plain": []}
        for _ in range(args.repeat):
            for way in results:  # interleaved, so drift in the machine hits both alike
                results[way].append(run_child(way, base_url, job_id))
    finally:
        mock.terminate()
        mock.wait(timeout=10)
    report(results, args.rows)
    return 0


def prepare_job(base_url: str) -> str:
    """Create a CRM v8 read job of every record, wait for it, build its zip."""
    import httpx

    with httpx.Client(base_url=base_url, headers=AUTH, timeout=300) as http:
        body = {"query": {"module": {"api_name": "Leads"}}}
        created = http.post("/crm/bulk/v8/read", json=body).json()
        job_id: str = created["data"][0]["details"]["id"]
        http.get(f"/crm/bulk/v8/read/{job_id}").raise_for_status()
        http.get(f"/crm/bulk/v8/read/{job_id}/result").raise_for_status()
    return job_id


def run_child(way: str, base_url: str, job_id: str) -> dict[str, float]:
    """Measure one way of reading in a fresh process."""
    output = subprocess.run(
        [sys.executable, __file__, "--child", way, "--base-url", base_url, "--job", job_id],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    measured: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return measured


def read_with_client(base_url: str, job_id: str) -> dict[str, float]:
    """The generated client: stream to disk, then rows from the zip."""
    from zoho_bulk_core.results import iter_csv_rows
    from zoho_bulk_crm.v8 import Client

    baseline = peak_rss_mib()
    with tempfile.TemporaryDirectory() as folder, Client(TOKEN, base_url=base_url) as client:
        started = time.perf_counter()
        path = client.download_bulk_read_result(job_id, Path(folder) / "result.zip")
        rows = sum(1 for _ in iter_csv_rows(path))
        seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "peak_mib": peak_rss_mib(), "baseline": baseline}


def read_plainly(base_url: str, job_id: str) -> dict[str, float]:
    """Without the client: the whole body in memory, then zipfile and csv."""
    import httpx

    baseline = peak_rss_mib()
    started = time.perf_counter()
    response = httpx.get(f"{base_url}/crm/bulk/v8/read/{job_id}/result", headers=AUTH, timeout=300)
    response.raise_for_status()
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        with archive.open(archive.namelist()[0]) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            rows = sum(1 for _ in csv.DictReader(text))
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "peak_mib": peak_rss_mib(), "baseline": baseline}


def peak_rss_mib() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(results: dict[str, list[dict[str, float]]], expected_rows: int) -> None:
    """Print rows/s and peak RSS of both ways, and their ratios."""
    summary = {}
    for way, runs in results.items():
        assert all(run["rows"] == expected_rows for run in runs), f"{way} lost rows"
        seconds = statistics.median(run["seconds"] for run in runs)
        summary[way] = {
            "rows_per_s": expected_rows / seconds,
            "seconds": seconds,
            "peak_mib": max(run["peak_mib"] for run in runs),
            "baseline": max(run["baseline"] for run in runs),
        }
    print(f"bulk read result of {expected_rows:,} rows, median of {len(results['client'])} runs")
    print(f"{'way':<8}{'rows/s':>12}{'seconds':>10}{'peak RSS MiB':>15}{'after imports':>15}")
    for way, row in summary.items():
        print(
            f"{way:<8}{row['rows_per_s']:>12,.0f}{row['seconds']:>10.3f}"
            f"{row['peak_mib']:>15.1f}{row['baseline']:>15.1f}"
        )
    client, plain = summary["client"], summary["plain"]
    print(f"time ratio client/plain: {client['seconds'] / plain['seconds']:.2f}x (target <= 1.5x)")
    print(f"peak RSS ratio client/plain: {client['peak_mib'] / plain['peak_mib']:.2f}x")
    print(f"client peak RSS {client['peak_mib']:.1f} MiB (target < 64 MiB)")


if __name__ == "__main__":
    raise SystemExit(main())
