"""How long generation takes, and how that grows with the spec.

Builds synthetic specs of about 10, 100 and 1,000 operations (an operation of
one product version counts once; the real spec has 7 operations in 11 versions,
77) from the real spec's own shapes: more versions, more operations with their
own names and paths, and a copy of the types (and overlays) for every seven
operations. Then times, each as a whole process:

- ``zoho-bulkgen generate`` cold (cache off, into an empty folder) and warm
  (a cache filled by an earlier run, into an empty folder);
- ``zoho-bulkgen check`` on the unchanged tree it wrote;
- on the OpenAPI documents that generation wrote (one per product version):
  openapi-python-client (``--meta none``, its ruff hooks on) and
  datamodel-codegen (the pinned one, OpenAPI input, pydantic v2 models), run
  once per document, as a user of those tools would.

openapi-python-client is installed, pinned, into a throwaway virtual
environment under the cache folder (``~/.cache/zoho-bulkgen/bench/``), because
its dependencies need not agree with this project's pins.

    .venv/bin/python bench/bench_generate.py [--sizes 10,100,1000] [--repeat 3]
    .venv/bin/python bench/bench_generate.py --targets [--target-runs 7]

First, on the real spec, issue #11's three figures, each the median of
``--target-runs`` runs (wall clock and CPU), next to their targets, with the
machine and its load average: ``generate`` from nothing (cache off, empty
folder), ``generate`` after a one-line description edit in spec/types.yaml
(a copy of the spec and of the tree it generated, with the content cache an
earlier generate left),
and ``check`` on an unchanged tree. ``--targets`` stops there.

Figures go to stdout; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "spec"
OPC_VERSION = "0.29.1"
# Our schemas give a vocabulary several spellings of one value (IN PROGRESS and
# INPROGRESS), which openapi-python-client's enum classes refuse; it names
# literal_enums as the way out. It reads only application/octet-stream bodies
# as files; the override makes it generate the zip downloads too.
OPC_CONFIG = (
    "literal_enums: true\ncontent_type_overrides:\n  application/zip: application/octet-stream\n"
)
BASE_VERSIONS = {"crm": 8, "bigin": 2, "recruit": 1}


@dataclass(frozen=True)
class Shape:
    """A synthetic spec's size: versions times operations per version."""

    versions: int
    operations: int

    @property
    def total(self) -> int:
        """Operations counted once per product version."""
        return self.versions * self.operations


def shape_for(size: int) -> Shape:
    """About ``size`` operations, versions and operations growing together."""
    versions = max(1, min(round(math.sqrt(size) * 0.8), size))
    return Shape(versions, max(1, round(size / versions)))


def write_synthetic_spec(target: Path, shape: Shape, source: Path = SPEC_DIR) -> Shape:
    """Write a spec of ``shape`` into ``target``, made from the spec in ``source``."""
    docs = {path.name: yaml.safe_load(path.read_text()) for path in sorted(source.glob("*.yaml"))}
    base_ops: dict[str, Any] = docs["operations.yaml"]["operations"]
    types: dict[str, Any] = docs["types.yaml"]["types"]
    overlays: list[dict[str, Any]] = docs["types.yaml"]["overlays"]
    copies = math.ceil(shape.operations / len(base_ops))

    operations: dict[str, Any] = {}
    for copy in range(copies):
        for name, operation in base_ops.items():
            if len(operations) < shape.operations:
                operations[_suffixed(name, copy)] = _operation_copy(operation, copy, types)
    docs["operations.yaml"]["operations"] = operations
    all_types: dict[str, Any] = {}
    all_overlays: list[dict[str, Any]] = []
    for copy in range(copies):
        all_types.update(
            {_type_name(name, copy): _retyped(body, copy, types) for name, body in types.items()}
        )
        all_overlays.extend(_overlay_copy(overlay, copy, types) for overlay in overlays)

    products = _products(docs["products.yaml"]["products"], shape.versions)
    docs["products.yaml"]["products"] = products
    present = {(p["name"], v["name"]) for p in products for v in p["versions"]}
    docs["types.yaml"]["types"] = all_types
    # Overlays of a product or version range that was cut away go with it.
    docs["types.yaml"]["overlays"] = [
        overlay for overlay in all_overlays if _applies(overlay["when"], present)
    ]
    docs["examples.yaml"]["examples"] = [
        e
        for e in docs["examples.yaml"]["examples"]
        if (e["product"], e["version"]) in present and e["operation"] in operations
    ]
    docs["drift.yaml"]["drift"] = [
        d
        for d in docs["drift.yaml"]["drift"]
        if (d["product"], d["version"]) in present and d["operation"] in operations
    ]
    docs["errors.yaml"]["errors"] = {
        code: _error_rules_kept(entry, present, set(operations))
        for code, entry in docs["errors.yaml"]["errors"].items()
    }
    target.mkdir(parents=True)
    for name, document in docs.items():
        (target / name).write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    shutil.copytree(source / "examples", target / "examples")
    return Shape(len(present), len(operations))


def _applies(when: dict[str, str], present: set[tuple[str, str]]) -> bool:
    """Whether the product and the versions an overlay names are all there."""
    product = when["product"]
    return any(name == product for name, _ in present) and all(
        (product, when[bound]) in present for bound in ("from", "until") if bound in when
    )


def _error_rules_kept(
    entry: dict[str, Any], present: set[tuple[str, str]], operations: set[str]
) -> dict[str, Any]:
    """A catalog entry without the status and since rules of a product, version
    or operation that was cut away."""
    result = dict(entry)
    for section in ("statuses", "since"):
        kept = []
        for rule in entry.get(section, []):
            # A since rule's version bounds its range like an overlay's `from`.
            bounds = {"from": rule["version"]} if "version" in rule else {}
            bounds.update({key: rule[key] for key in ("from", "until") if key in rule})
            if "product" in rule and not _applies({"product": rule["product"], **bounds}, present):
                continue
            if "operations" in rule:
                names = [name for name in rule["operations"] if name in operations]
                if not names:
                    continue
                rule = {**rule, "operations": names}
            kept.append(rule)
        if kept:
            result[section] = kept
        else:
            result.pop(section, None)
    return result


def _suffixed(name: str, copy: int) -> str:
    return name if copy == 0 else f"{name}_s{copy}"


def _type_name(name: str, copy: int) -> str:
    return name if copy == 0 else f"{name}S{copy}"


def _retype_expression(expression: str, copy: int, types: dict[str, Any]) -> str:
    return re.sub(
        r"[A-Za-z_][A-Za-z0-9_]*",
        lambda m: _type_name(m.group(), copy) if m.group() in types else m.group(),
        expression,
    )


def _retyped(value: Any, copy: int, types: dict[str, Any]) -> Any:
    """``value`` with every reference to a type renamed for copy ``copy``."""
    if isinstance(value, dict):
        return {
            key: (
                _retype_expression(item, copy, types)
                if key == "type" and isinstance(item, str)
                else _retyped(item, copy, types)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_retyped(item, copy, types) for item in value]
    return value


def _operation_copy(operation: dict[str, Any], copy: int, types: dict[str, Any]) -> Any:
    result = _retyped(operation, copy, types)
    if copy:
        # A role (and the helper and callback that go with it) is played once.
        for key in ("role", "helper", "batch_helper", "callback"):
            result.pop(key, None)
    if copy and "path" in result:
        # /{prefix}/bulk/{version}/read/{job_id} -> /{prefix}/bulk/{version}/s1/read/{job_id}
        head, _, tail = result["path"].partition("{version}")
        result["path"] = f"{head}{{version}}/s{copy}{tail}"
    return result


def _overlay_copy(overlay: dict[str, Any], copy: int, types: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = _retyped(overlay, copy, types)
    result["id"] = f"{overlay['id']}-s{copy}" if copy else overlay["id"]
    for section in ("change", "add", "remove"):
        if isinstance(result.get(section), dict):
            result[section] = {
                _type_name(name, copy): fields for name, fields in result[section].items()
            }
    return result


def _products(products: list[dict[str, Any]], versions: int) -> list[dict[str, Any]]:
    """The real products cut or grown to ``versions`` versions in all: CRM's
    first, then Bigin and Recruit, then more CRM versions (v9, v10, ...)."""
    by_name = {product["name"]: product for product in products}
    chosen: list[dict[str, Any]] = []
    left = versions
    for name in ("crm", "bigin", "recruit"):
        if left <= 0:
            break
        product = dict(by_name[name])
        product["versions"] = product["versions"][:left]
        left -= len(product["versions"])
        chosen.append(product)
    crm = chosen[0]
    for number in range(9, 9 + left):
        crm["versions"] = [
            *crm["versions"],
            {"name": f"v{number}", "source": "synthetic (bench)"},
        ]
    return chosen


# --- timing -----------------------------------------------------------------


def run_timed(command: list[str], env: dict[str, str] | None = None) -> float:
    """Wall-clock seconds of one whole process; stop the bench if it fails."""
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"bench: {' '.join(command[:4])} ... exited {result.returncode}:\n"
            f"{result.stderr[-2000:]}"
        )
    return elapsed


def generator_command(*args: str) -> list[str]:
    """The CLI, as ``python -m generator``, with this interpreter."""
    return [sys.executable, "-m", "generator", *args]


def opc_executable(cache: Path) -> Path:
    """openapi-python-client in its own pinned virtual environment (made once)."""
    home = cache / f"openapi-python-client-{OPC_VERSION}"
    executable = home / "bin" / "openapi-python-client"
    if not executable.exists():
        print(f"bench: installing openapi-python-client=={OPC_VERSION} into {home}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(home)
        pip = [str(home / "bin" / "python"), "-m", "pip", "install", "-q"]
        installed = subprocess.run(
            [*pip, "--disable-pip-version-check", f"openapi-python-client=={OPC_VERSION}"],
            capture_output=True,
            text=True,
        )
        if installed.returncode != 0:
            shutil.rmtree(home, ignore_errors=True)
            raise SystemExit(f"bench: cannot install openapi-python-client:\n{installed.stderr}")
    return executable


@dataclass
class Row:
    """The figures of one spec."""

    label: str
    operations: int
    documents: int
    cold: float
    warm: float
    regen: float
    edit: float
    check: float
    opc: float | None
    datamodel: float | None


def measure(label: str, spec: Path, operations: int, work: Path, args: argparse.Namespace) -> Row:
    """Time every way on one spec; print progress as it goes."""
    runs = args.repeat if operations <= 300 else 1
    off = {**os.environ, "ZOHO_BULKGEN_CACHE": "off"}
    cold = []
    for run in range(runs):
        out = work / f"cold-{run}"
        cold.append(
            run_timed(generator_command("generate", "--spec", str(spec), "--out", str(out)), off)
        )
    cached = {**os.environ, "ZOHO_BULKGEN_CACHE": str(work / "cache")}
    run_timed(
        generator_command("generate", "--spec", str(spec), "--out", str(work / "fill")), cached
    )
    warm = [
        run_timed(
            generator_command("generate", "--spec", str(spec), "--out", str(work / f"warm-{run}")),
            cached,
        )
        for run in range(runs)
    ]
    regen = [time_regenerate(spec, work, run, edit=False) for run in range(runs)]
    edit = [time_regenerate(spec, work, run, edit=True) for run in range(runs)]
    out = work / "cold-0"
    check = [
        run_timed(generator_command("check", "--spec", str(spec), "--out", str(out)), off)
        for _ in range(max(runs, 3))
    ]
    documents = sorted((out / "openapi").rglob("*.json"))
    opc = datamodel = None
    if not args.skip_tools:
        config = work / "opc.yaml"
        config.write_text(OPC_CONFIG)
        executable = opc_executable(args.tool_cache)
        path_env = {**os.environ, "PATH": f"{executable.parent}{os.pathsep}{os.environ['PATH']}"}
        opc = sum(
            run_timed(
                [
                    str(executable),
                    "generate",
                    "--path",
                    str(document),
                    "--output-path",
                    str(work / "opc" / f"{document.parent.name}-{document.stem}"),
                    "--meta",
                    "none",
                    "--config",
                    str(config),
                ],
                path_env,
            )
            for document in documents
        )
        codegen = Path(sys.executable).with_name("datamodel-codegen")
        (work / "dm").mkdir()
        datamodel = sum(
            run_timed(
                [
                    str(codegen),
                    "--input",
                    str(document),
                    "--input-file-type",
                    "openapi",
                    "--output-model-type",
                    "pydantic_v2.BaseModel",
                    "--formatters",
                    "black",
                    "isort",
                    "--output",
                    str(work / "dm" / f"{document.parent.name}-{document.stem}.py"),
                ]
            )
            for document in documents
        )
    row = Row(
        label,
        operations,
        len(documents),
        statistics.median(cold),
        statistics.median(warm),
        statistics.median(regen),
        statistics.median(edit),
        statistics.median(check),
        opc,
        datamodel,
    )
    print(f"bench: {label}: {json.dumps(row.__dict__)}", flush=True)
    return row


def time_regenerate(spec: Path, work: Path, run: int, *, edit: bool) -> float:
    """``generate`` into a copy of the tree a cold run wrote (with its manifest),
    with an empty cache, as on a fresh clone: after a change of the generator's
    own code (every input hash stale, the outputs the same), or, with ``edit``,
    after a maintainer changed one type's description in the spec."""
    kind = "edit" if edit else "regen"
    out = work / f"{kind}-{run}"
    shutil.copytree(work / "cold-0", out)
    manifest = out / ".zoho-bulkgen-manifest.json"
    document = json.loads(manifest.read_text())
    document["inputs"] = "stale"
    manifest.write_text(json.dumps(document))
    if edit:
        edited = work / f"spec-{kind}-{run}"
        shutil.copytree(spec, edited)
        types_file = edited / "types.yaml"
        types = yaml.safe_load(types_file.read_text())
        first = next(t for t in types["types"].values() if "description" in t)
        first["description"] += " Edited."
        types_file.write_text(yaml.safe_dump(types, sort_keys=False, allow_unicode=True))
        spec = edited
    empty = {**os.environ, "ZOHO_BULKGEN_CACHE": str(work / f"empty-cache-{kind}-{run}")}
    return run_timed(generator_command("generate", "--spec", str(spec), "--out", str(out)), empty)


# --- issue #11's targets ------------------------------------------------------

TARGETS = {"cold": 1.0, "edit": 0.5, "check": 0.1}
"""Seconds, wall clock, on the real spec (issue #11)."""
TARGET_LABELS = {
    "cold": "generate from nothing (cache off, empty folder)",
    "edit": "generate after a one-line description edit in spec/types.yaml",
    "edit_unsettled": "the same edit, started while the set-up's writes are still flushed",
    "check": "check on an unchanged tree",
}
SETTLE_SECONDS = 1.0
"""How long the edit figure waits, after flushing the writes of its set-up
(copying a spec and a tree, filling a cache: about 10 MB), before it starts:
a maintainer's tree was written well before the edit, and a run started at
once pays for the set-up's writeback (0.1-0.15 s here). The figure that does
not wait is printed beside it."""


@dataclass(frozen=True)
class Timing:
    """One figure: the median wall-clock and CPU (user + system) seconds of
    its runs, and the wall-clock seconds of the slowest."""

    wall: float
    cpu: float
    runs: int
    slowest: float


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, the process and its children)
    of one whole process; stop the bench if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run_timed(command, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _median(samples: list[tuple[float, float]]) -> Timing:
    return Timing(
        statistics.median(wall for wall, _ in samples),
        statistics.median(cpu for _, cpu in samples),
        len(samples),
        max(wall for wall, _ in samples),
    )


def edit_one_description(spec: Path) -> None:
    """Change one line of ``spec/types.yaml``: the first type description, as a
    maintainer would (a text edit; the rest of the file stays byte for byte)."""
    types_file = spec / "types.yaml"
    lines = types_file.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.lstrip().startswith("description:") and line.rstrip().endswith("."):
            lines[index] = line.rstrip()[:-1] + " (edited).\n"
            types_file.write_text("".join(lines), encoding="utf-8")
            return
    raise SystemExit(f"bench: no one-line description in {types_file}")


def measure_targets(work: Path, repeat: int, spec: Path = SPEC_DIR) -> dict[str, Timing]:
    """The three figures of issue #11 on ``spec``, and the edit started before
    its set-up's writes are flushed; each the median of ``repeat`` runs."""
    off = {**os.environ, "ZOHO_BULKGEN_CACHE": "off"}
    cold = []
    for run in range(repeat):
        out = work / f"target-cold-{run}"
        cold.append(
            run_measured(generator_command("generate", "--spec", str(spec), "--out", str(out)), off)
        )
    base = work / "target-cold-0"
    edit, unsettled = [], []
    for run in range(repeat):  # in turn, so that both see the same minutes
        edit.append(_time_edit(work, spec, base, f"settled-{run}", settle=True))
        unsettled.append(_time_edit(work, spec, base, f"unsettled-{run}", settle=False))
    # The tree cold-0 was written from ``spec``: it is up to date.
    check = [
        run_measured(generator_command("check", "--spec", str(spec), "--out", str(base)), off)
        for _ in range(repeat)
    ]
    return {
        "cold": _median(cold),
        "edit": _median(edit),
        "edit_unsettled": _median(unsettled),
        "check": _median(check),
    }


def _time_edit(
    work: Path, spec: Path, base: Path, name: str, *, settle: bool
) -> tuple[float, float]:
    """One edit run, timed. A maintainer's clone: the spec, the tree it
    generated (with its manifest) and the content cache an earlier generate
    left (filled here by one generate of the unedited spec into a scratch
    folder); then one line of the spec changes. With ``settle``, the set-up's
    writes are flushed and left SETTLE_SECONDS to finish first."""
    edited, out = work / f"target-spec-{name}", work / f"target-edit-{name}"
    shutil.copytree(spec, edited)
    shutil.copytree(base, out)
    edit_one_description(edited)
    warm = {**os.environ, "ZOHO_BULKGEN_CACHE": str(work / f"target-cache-{name}")}
    scratch = work / f"target-scratch-{name}"
    run_timed(generator_command("generate", "--spec", str(spec), "--out", str(scratch)), warm)
    if settle:
        os.sync()
        time.sleep(SETTLE_SECONDS)
    command = generator_command("generate", "--spec", str(edited), "--out", str(out))
    return run_measured(command, warm)


def machine() -> str:
    """Where the figures were taken: cores, CPU model, Python, load average."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        load = "unknown"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores ({model}), Python {platform.python_version()}, "
        f"load average {load} (1, 5, 15 min)"
    )


def targets_report(timings: dict[str, Timing]) -> str:
    """The three figures next to their targets."""
    lines = [
        "| issue #11 target (real spec) | wall s (median) | CPU s (median) | wall s (slowest) "
        "| target s | runs | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for key, timing in timings.items():
        target = TARGETS.get(key)
        met = "-" if target is None else "yes" if timing.wall <= target else "no"
        lines.append(
            f"| {TARGET_LABELS[key]} | {timing.wall:.2f} | {timing.cpu:.2f} | "
            f"{timing.slowest:.2f} | {'-' if target is None else f'{target:.1f}'} | "
            f"{timing.runs} | {met} |"
        )
    return "\n".join(lines)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _ratio(numerator: float | None, denominator: float) -> str:
    return "-" if numerator is None else f"{numerator / denominator:.1f}×"


def report(rows: list[Row]) -> str:
    """The table of seconds and ratios, and how cost grows with size."""
    lines = [
        "| spec | ops | docs | generate cold s | warm s | regen s | edit s | check s "
        "| openapi-python-client s | datamodel-codegen s | OPC/cold | OPC/warm | OPC/regen "
        "| OPC/edit | dmcg/cold | cold ms/op |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row.label} | {row.operations} | {row.documents} | {row.cold:.2f} | "
            f"{row.warm:.2f} | {row.regen:.2f} | {row.edit:.2f} | {row.check:.2f} | "
            f"{_seconds(row.opc)} | {_seconds(row.datamodel)} | {_ratio(row.opc, row.cold)} | "
            f"{_ratio(row.opc, row.warm)} | {_ratio(row.opc, row.regen)} | "
            f"{_ratio(row.opc, row.edit)} | {_ratio(row.datamodel, row.cold)} | "
            f"{1000 * row.cold / row.operations:.0f} |"
        )
    synthetic = sorted(
        (r for r in rows if r.label.startswith("synthetic")), key=lambda r: r.operations
    )
    for small, large in zip(synthetic, synthetic[1:], strict=False):
        growth = math.log(large.cold / small.cold) / math.log(large.operations / small.operations)
        warm = math.log(large.warm / small.warm) / math.log(large.operations / small.operations)
        lines.append(
            f"cost grows as ops^{growth:.2f} cold, ops^{warm:.2f} warm from {small.operations} "
            f"to {large.operations} operations (1.00 is linear; below 1, fixed costs still weigh)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10,100,1000", help="synthetic sizes, in operations")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (1 above 300 ops)")
    parser.add_argument("--skip-tools", action="store_true", help="only time zoho-bulkgen")
    parser.add_argument("--no-real", action="store_true", help="skip the real spec")
    parser.add_argument(
        "--targets",
        action="store_true",
        help="only issue #11's three figures on the real spec (see --target-runs)",
    )
    parser.add_argument(
        "--target-runs", type=int, default=7, help="runs per target figure (median)"
    )
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    parser.add_argument(
        "--tool-cache",
        type=Path,
        default=cache_home / "zoho-bulkgen" / "bench",
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    # The generator as dev.py's set-up leaves it: its bytecode written, so that
    # no timed run pays for compiling it (PYTHONDONTWRITEBYTECODE may be set).
    compileall.compile_dir(ROOT / "generator", quiet=2)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="zoho-bulkgen-bench-") as temp:
        base = Path(temp)
        if not args.no_real:
            (base / "targets").mkdir()
            timings = measure_targets(base / "targets", args.target_runs)
            print(f"\n{machine()}\n{targets_report(timings)}\n", flush=True)
            if args.targets:
                return 0

            real_ops = sum(
                len(yaml.safe_load((SPEC_DIR / "operations.yaml").read_text())["operations"])
                for _ in range(sum(BASE_VERSIONS.values()))
            )
            (base / "real").mkdir()
            rows.append(measure("real spec", SPEC_DIR, real_ops, base / "real", args))
        for size in sizes:
            spec = base / f"spec-{size}"
            shape = write_synthetic_spec(spec, shape_for(size))
            label = f"synthetic {shape.versions}v×{shape.operations}"
            (base / f"work-{size}").mkdir()
            rows.append(measure(label, spec, shape.total, base / f"work-{size}", args))
    print(
        f"\n{os.cpu_count()} cores; medians of {args.repeat} runs "
        "(1 run above 300 operations); OPC and datamodel-codegen: "
        "one run per OpenAPI document, summed"
    )
    print(report(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
