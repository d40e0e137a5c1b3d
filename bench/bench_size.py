"""How many bytes of Python the generator writes, by kind, next to an earlier
commit's tree (issue #11: "generated Python at most half of today's bytes").

Counts the ``.py`` files under ``generated/python``: each version's clients,
models and small modules (callbacks, validation, ``__init__``), the product
packages' top modules, the core's data modules made from the spec, and the
runtime that is copied byte for byte (hand-written, not generated). With
``--against REV`` it reads the same folder at that git revision and prints
each group's ratio; the default revision is the last commit before the
runtime became source (where issue #11 measured 710 KB).

    .venv/bin/python bench/bench_size.py [--against REV]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "generated/python"
BASELINE = "44df417^"
"""The tree issue #11 measured: the last commit whose runtime was templates."""
CORE_DATA = frozenset({"error_codes.py", "spec_data.py", "vocabulary.py"})
"""The core modules made from the spec; the rest of the core is the runtime."""
GROUPS = ("clients", "models", "other version modules", "product modules", "core data", "runtime")


def group_of(path: str, runtime_is_source: bool) -> str:
    """The group a ``.py`` path (relative to generated/python) counts in."""
    parts = PurePosixPath(path).parts
    if parts[0] == "zoho-bulk-core":
        if parts[-1] in CORE_DATA:
            return "core data"
        return "runtime" if runtime_is_source else "core data"
    if len(parts) == 4:
        return {"client.py": "clients", "models.py": "models"}.get(
            parts[-1], "other version modules"
        )
    return "product modules"


def sizes(files: dict[str, int], runtime_is_source: bool) -> Counter[str]:
    """Bytes by group of ``files`` (path under generated/python to size)."""
    totals: Counter[str] = Counter()
    for path, size in files.items():
        if path.endswith(".py"):
            totals[group_of(path, runtime_is_source)] += size
    return totals


def current_files() -> dict[str, int]:
    base = ROOT / FOLDER
    return {path.relative_to(base).as_posix(): path.stat().st_size for path in base.rglob("*.py")}


def files_at(revision: str) -> dict[str, int]:
    """The sizes of the files under generated/python at ``revision``."""
    listing = subprocess.run(
        ["git", "ls-tree", "-r", "-l", revision, "--", FOLDER],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    files = {}
    for line in listing.splitlines():
        meta, path = line.split("\t", 1)
        files[path[len(FOLDER) + 1 :]] = int(meta.split()[3])
    return files


def runtime_is_source_at(revision: str | None) -> bool:
    """Whether the runtime is hand-written source (runtime/ exists) at ``revision``
    (None: the working tree)."""
    if revision is None:
        return (ROOT / "runtime" / "zoho_bulk_core").is_dir()
    found = subprocess.run(
        ["git", "cat-file", "-e", f"{revision}:runtime/zoho_bulk_core"],
        cwd=ROOT,
        capture_output=True,
    )
    return found.returncode == 0


def report(now: Counter[str], before: Counter[str] | None, revision: str) -> str:
    """A table of bytes by group, with the earlier tree's and the ratio."""
    then = before if before is not None else Counter[str]()
    rows = [
        f"| group | bytes now | bytes at {revision} | now / then |",
        "| --- | ---: | ---: | ---: |",
    ]
    total = "generated (all but the runtime)"
    for counts in (now, then):
        counts[total] = sum(counts[group] for group in GROUPS if group != "runtime")
    for group in (*GROUPS, total):
        earlier = f"{then[group]:,}" if before is not None else "-"
        ratio = f"{now[group] / then[group]:.2f}" if then[group] else "-"
        rows.append(f"| {group} | {now[group]:,} | {earlier} | {ratio} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default=BASELINE, help="git revision to compare with")
    args = parser.parse_args(argv)
    now = sizes(current_files(), runtime_is_source_at(None))
    try:
        before = sizes(files_at(args.against), runtime_is_source_at(args.against))
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        print(f"bench_size: cannot read {args.against}: {error}", file=sys.stderr)
        before = None
    print(report(now, before, args.against))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
