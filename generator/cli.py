"""The ``zoho-bulkgen`` command line."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from generator.errors import GeneratorError, UsageError

DEFAULT_SPEC = None
"""``--spec`` not given: the project's ``spec/``, found from the current folder up."""
DEFAULT_OUT = None
"""``--out`` not given: the ``generated/`` beside the spec folder."""

EXIT_CODES = {
    0: "success: up to date, valid, nothing unacknowledged, nothing breaking",
    1: "the answer is no: stale output, an invalid payload, unacknowledged drift, "
    "a breaking change",
    2: "usage error or unreadable input: a bad option or name, a malformed spec or page, "
    "a file that cannot be read, a command run outside a project",
    130: "interrupted",
}
"""The exit codes of every command (also in ``zoho-bulkgen --help``)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        _locate(args)
        result: int = args.run(args)
        return result
    except GeneratorError as exc:
        print(f"zoho-bulkgen: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("zoho-bulkgen: interrupted", file=sys.stderr)
        return 130
    except RecursionError:
        print("zoho-bulkgen: error: the input is nested too deeply to read", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``zoho-bulkgen schema ... | head``): not an error.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the exit flush quiet
        return 0
    except OSError as exc:  # a folder that cannot be read or written, a full disk, ...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"zoho-bulkgen: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


def run() -> None:
    """``zoho-bulkgen`` and ``python -m generator``: main(), then exit with its
    code. What the run made is left out of the collection Python runs as it
    ends (gc.freeze): the process is ending, and walking it took about 20 ms."""
    code = main()
    gc.freeze()
    raise SystemExit(code)


def _parser() -> argparse.ArgumentParser:
    parser = _SuggestingParser(
        prog="zoho-bulkgen",
        description=(
            "Generate JSON Schemas, pydantic models and client packages "
            "from the Zoho Bulk API spec."
        ),
        epilog="exit codes: "
        + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items()),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_SuggestingParser
    )

    generate = commands.add_parser("generate", help="regenerate the output folder from the spec")
    _add_paths(generate)
    generate.set_defaults(run=_run_generate)

    check = commands.add_parser(
        "check", help="exit 1 if the output folder is not what the spec yields"
    )
    _add_paths(check)
    check.set_defaults(run=_run_check)

    schema = commands.add_parser("schema", help="print an operation's JSON Schema")
    _add_operation(schema)
    schema.add_argument("--out", type=Path, default=DEFAULT_OUT, help=_SCHEMA_OUT_HELP)
    schema.add_argument(
        "--request", action="store_true", help="the request body's schema, not the response's"
    )
    schema.add_argument("--strict", action="store_true", help="the docs-conformance variant")
    schema.set_defaults(run=_run_schema)

    validate = commands.add_parser(
        "validate", help="validate JSON payloads with the schema and the model"
    )
    _add_operation(validate)
    validate.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="JSON payload files ('-' for stdin)"
    )
    validate.add_argument("--out", type=Path, default=DEFAULT_OUT, help=_SCHEMA_OUT_HELP)
    validate.add_argument(
        "--request", action="store_true", help="payloads are request bodies (always strict)"
    )
    validate.add_argument(
        "--strict", action="store_true", help="reject unknown fields and values (docs conformance)"
    )
    validate.set_defaults(run=_run_validate)

    mock = commands.add_parser(
        "mock", help="serve a local Bulk API (every product and version) on 127.0.0.1"
    )
    mock.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help=_SPEC_HELP)
    mock.add_argument("--port", type=_port, default=0, help="port to listen on (default: any free)")
    mock.add_argument(
        "--records", type=_count, default=1000, help="records each module holds (default: 1000)"
    )
    mock.add_argument(
        "--per-page",
        type=_count,
        default=200_000,
        help="records a read page holds (default: 200000)",
    )
    mock.add_argument(
        "--polls",
        type=_count,
        default=2,
        help="status polls before a job finishes (default: 2)",
    )
    mock.add_argument(
        "--token-lifetime",
        type=float,
        default=3600.0,
        help="seconds a token from /oauth/v2/token lives (default: 3600)",
    )
    mock.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="KIND[:OPTION=VALUE,...]",
        help=(
            "misbehave on the next requests: KIND is 429, 500, drop, slow, "
            "drop_mid_body or error; options count=N (requests, default 1), path=TEXT "
            "(only paths containing it), retry_after=S (429), delay=S (slow), "
            "code=CODE, shape=plain|wrapped|upload and status=N (error); repeatable, "
            "e.g. --fault 429:count=2,retry_after=1,path=/read or "
            "--fault error:code=LIMIT_REACHED,path=/write"
        ),
    )
    mock.set_defaults(run=_run_mock)

    extract = commands.add_parser(
        "extract", help="draft spec fragments and sample files from vendor pages, for review"
    )
    extract.add_argument("docs", nargs="+", type=Path, metavar="DOC", help="vendor page files")
    extract.add_argument(
        "--out", type=Path, required=True, help="review folder to write the drafts into"
    )
    extract.add_argument(
        "--spec",
        type=Path,
        default=DEFAULT_SPEC,
        help="spec folder whose names the drafts reuse (default: the project's spec/, if any)",
    )
    extract.set_defaults(run=_run_extract)

    drift = commands.add_parser(
        "drift", help="list what vendor pages say that the spec does not; exit 1 if unacknowledged"
    )
    drift.add_argument("docs", nargs="+", type=Path, metavar="DOC", help="vendor page files")
    drift.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help=_SPEC_HELP)
    drift.set_defaults(run=_run_drift)
    _add_release_commands(commands)
    return parser


def _port(text: str) -> int:
    value = _count(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port number")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


_FAULT_OPTIONS = {
    "count": int,
    "retry_after": int,
    "delay": float,
    "path": str,
    "code": str,
    "shape": str,
    "status": int,
}


def _fault(text: str) -> Any:
    """``KIND[:OPTION=VALUE,...]`` as a mock Fault."""
    from generator.mock.config import Fault

    kind, _, options = text.partition(":")
    values: dict[str, Any] = {}
    for item in options.split(",") if options else []:
        name, separator, value = item.partition("=")
        convert = _FAULT_OPTIONS.get(name.strip())
        if not separator or convert is None:
            raise argparse.ArgumentTypeError(
                f"{item!r} in {text!r} is not one of "
                + ", ".join(f"{option}=..." for option in _FAULT_OPTIONS)
            )
        try:
            values["path_contains" if name.strip() == "path" else name.strip()] = convert(
                value.strip()
            )
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name.strip()} in {text!r} must be a number"
            ) from None
    try:
        return Fault(kind, **values)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help=_SPEC_HELP)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output folder (default: generated/ beside the spec folder)",
    )


def _add_operation(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("product", metavar="PRODUCT", help="a product of spec/products.yaml")
    parser.add_argument(
        "version", metavar="VERSION", help="API version as the vendor writes it, e.g. v2.1"
    )
    parser.add_argument(
        "operation", metavar="OPERATION", help="an operation of spec/operations.yaml"
    )


@contextmanager
def _collector_spares_what_exists() -> Iterator[None]:
    """Leave the objects that exist now (the modules just imported) out of
    the garbage collector's passes until the block ends (gc.freeze): a build
    makes enough objects to start a full collection, which would walk them
    all again (about 30 ms of a 0.5 s run), and the process forked for the
    JSON side then shares their pages instead of copying them. Young
    collections run every 10,000 new objects instead of 700 (115 of them took
    about 20 ms; 36 take about 10)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    # Fewer, larger young collections: the build's objects mostly live to its end.
    gc.set_threshold(10_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _run_generate(args: argparse.Namespace) -> int:
    from generator.output.manifest import input_digest, is_current, render_manifest
    from generator.output.write import read_own_tree, remove_leftovers, write_tree

    inputs = input_digest(args.spec)
    count = is_current(args.out, inputs)
    if count is not None:
        remove_leftovers(args.out)  # what a run killed after its swap left
        print(f"{args.out}: up to date ({count} files)")
        return 0

    from generator.output.reuse import reusable_outputs
    from generator.pipeline import build

    current = read_own_tree(args.out)  # read once, for reuse and for the write
    with _collector_spares_what_exists():
        result = build(args.spec, reusable_outputs(args.out, current))
        diff = write_tree(
            args.out, result.files, render_manifest(inputs, result.files, result.recipes), current
        )
    if diff.is_empty:
        print(f"{args.out}: up to date ({len(result.files)} files)")
    else:
        print(
            f"{args.out}: {len(diff.added)} added, {len(diff.changed)} changed, "
            f"{len(diff.removed)} removed ({len(result.files)} files)"
        )
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from generator.output.manifest import input_digest, is_current

    # The fast path: the manifest vouches for the tree, so nothing is built.
    count = is_current(args.out, input_digest(args.spec))
    if count is not None:
        print(f"{args.out}: up to date ({count} files)")
        return 0

    from generator.output.reuse import reusable_outputs
    from generator.output.write import describe_diff, diff_tree, read_tree
    from generator.pipeline import build

    current = read_tree(args.out)  # read once, for reuse and for the comparison
    with _collector_spares_what_exists():
        result = build(args.spec, reusable_outputs(args.out, current))
    diff = diff_tree(current, result.files)
    if diff.is_empty:
        print(f"{args.out}: up to date ({len(result.files)} files)")
        return 0
    print(f"{args.out} is stale; run 'zoho-bulkgen generate':")
    print(describe_diff(diff, current, result.files))
    return 1


def _run_schema(args: argparse.Namespace) -> int:
    from generator.payloads.schema_store import load_schema

    schema = load_schema(
        args.source,
        args.product,
        args.version,
        args.operation,
        request=args.request,
        strict=args.strict,
    )
    json.dump(schema, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _run_validate(args: argparse.Namespace) -> int:
    from generator.payloads.check import PayloadChecker

    checker = PayloadChecker.open(
        args.source,
        args.product,
        args.version,
        args.operation,
        request=args.request,
        strict=args.strict,
    )
    if checker.model is None:
        print(
            f"zoho-bulkgen validate: no {args.product} package installed; "
            "checking with the JSON Schema alone",
            file=sys.stderr,
        )
    all_valid, all_read = True, True
    for path in args.files:
        report = checker.check_file(path)
        for line in report.lines():
            print(line, file=sys.stdout if report.valid else sys.stderr)
        all_valid = all_valid and report.valid
        all_read = all_read and not report.unreadable
    return 0 if all_valid else 1 if all_read else 2


def _run_mock(args: argparse.Namespace) -> int:
    from generator.mock.config import MockConfig
    from generator.mock.server import MockServer, load_normalized_spec

    try:
        config = MockConfig(
            records=args.records,
            per_page=max(args.per_page, 1),
            polls_until_complete=args.polls,
            token_lifetime=args.token_lifetime,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    spec = load_normalized_spec(args.spec)
    try:
        server = MockServer(spec, config, port=args.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}") from None
    server.inject(*args.fault)
    products = ", ".join(product.name for product in spec.products)
    print(f"zoho-bulkgen mock: serving {products} at {server.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _run_extract(args: argparse.Namespace) -> int:
    from generator.vendor_pages.draft import run_extract

    return run_extract(args.docs, args.out, args.spec)


def _run_drift(args: argparse.Namespace) -> int:
    from generator.vendor_pages.drift import run_drift

    return run_drift(args.docs, args.spec)


_SPEC_HELP = "spec folder (default: the spec/ of the project around the current folder)"
_SCHEMA_OUT_HELP = (
    "generated folder to read (default: the project's generated/; outside a project, "
    "the installed zoho-bulk-* packages, then the schemas shipped with zoho-bulkgen)"
)


def _version() -> str:
    from generator import __version__

    return __version__


class _SuggestingParser(argparse.ArgumentParser):
    """An argument parser that names the closest choice when one is mistyped."""

    def error(self, message: str) -> NoReturn:
        import re

        from generator.project import suggestion

        match = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if match:
            choices = re.findall(r"'([^']*)'", match.group(2))
            close = suggestion(match.group(1), choices)
            if close is not None:
                message = f"{message.split(': invalid choice')[0]}: unknown command " + (
                    f"'{match.group(1)}' — did you mean '{close}'?"
                )
        super().error(message)


def _locate(args: argparse.Namespace) -> None:
    """Fill in the folders a command works on, from the project around the current
    folder (as git finds its root) unless given; say so when there is none."""
    from generator.project import find_project_root, project_paths, shown

    cwd = Path.cwd()
    if args.command in ("generate", "check"):
        args.spec, args.out = project_paths(args.spec, args.out, cwd)
    elif args.command in ("mock", "drift", "release"):
        args.spec, _ = project_paths(args.spec, None, cwd)
    elif args.command == "extract" and args.spec is None:
        root = find_project_root(cwd)
        args.spec = shown(root / "spec", cwd) if root else None
        if root is None:
            print(
                "zoho-bulkgen extract: not inside a zoho-bulkgen project; "
                "the drafts do not reuse the spec's names (pass --spec DIR for that)",
                file=sys.stderr,
            )
    elif args.command == "diff":
        args.new, _ = project_paths(args.new, None, cwd)
    elif args.command in ("schema", "validate"):
        args.source = args.out if args.out is not None else _schema_source(cwd)


def _schema_source(cwd: Path) -> Any:
    """The project's generated/ folder, or outside a project what is installed."""
    from generator.payloads.schema_store import outside_catalog
    from generator.project import OUT_FOLDER, find_project_root, shown

    root = find_project_root(cwd)
    if root is not None:
        return shown(root / OUT_FOLDER, cwd)
    catalog = outside_catalog()
    if not catalog:
        raise UsageError(
            "no JSON Schemas found: not inside a zoho-bulkgen project, no zoho-bulk-* "
            "package installed and none shipped with this zoho-bulkgen; pass --out DIR"
        )
    return catalog


def _add_release_commands(commands: Any) -> None:
    diff = commands.add_parser(
        "diff",
        help="list what a spec change does to the generated API; exit 1 if anything breaks",
    )
    diff.add_argument("old", type=Path, metavar="OLD_SPEC_DIR", help="the spec before")
    diff.add_argument(
        "new",
        type=Path,
        nargs="?",
        default=DEFAULT_SPEC,
        metavar="NEW_SPEC_DIR",
        help="the spec after (default: the project's spec/)",
    )
    diff.set_defaults(run=_run_diff)
    release = commands.add_parser(
        "release",
        help="record the API changes since the last release in spec/releases/",
    )
    release.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help=_SPEC_HELP)
    release.set_defaults(run=_run_release)


def _run_diff(args: argparse.Namespace) -> int:
    from generator.changes.diff import LEVELS, diff_surfaces, worst
    from generator.changes.releases import spec_surface

    changes = diff_surfaces(spec_surface(args.old), spec_surface(args.new))
    for change in changes:
        print(change.render())
    if not changes:
        print("diff: no change to the generated API")
        return 0
    counts = ", ".join(
        f"{sum(change.level == level for change in changes)} {level}" for level in LEVELS
    )
    bumps = {"breaking": "major", "additive": "minor", "docs": "patch"}
    releases = ", ".join(
        f"{name}: {bumps[level]}"
        for name in dict.fromkeys(change.distribution for change in changes)
        if (level := worst([c for c in changes if c.distribution == name])) is not None
    )
    print(f"diff: {len(changes)} changes ({counts}); releases: {releases}")
    return 1 if worst(changes) == "breaking" else 0


def _run_release(args: argparse.Namespace) -> int:
    from generator.changes.releases import record_release, spec_surface_and_model

    _, spec = spec_surface_and_model(args.spec)
    plan = record_release(args.spec, spec)
    for name, version in plan.versions.items():
        pending = len(plan.pending.get(name, ()))
        what = f"{pending} changes recorded" if pending else "no change"
        print(f"{name} {version}: {what}")
    print(
        f"{args.spec / 'releases'}: written; generated files do not change "
        "('zoho-bulkgen generate' refreshes the manifest)"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
