"""The ``zoho-bulkgen`` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.errors import GeneratorError, UsageError

DEFAULT_SPEC = Path("spec")
DEFAULT_OUT = Path("generated")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zoho-bulkgen",
        description=(
            "Generate JSON Schemas, pydantic models and client packages "
            "from the Zoho Bulk API spec."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
    schema.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="generated folder (default: generated)"
    )
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
    validate.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="generated folder (default: generated)"
    )
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
    mock.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="spec folder (default: spec)")
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
        help="spec folder whose names the drafts reuse (default: spec)",
    )
    extract.set_defaults(run=_run_extract)

    drift = commands.add_parser(
        "drift", help="list what vendor pages say that the spec does not; exit 1 if unacknowledged"
    )
    drift.add_argument("docs", nargs="+", type=Path, metavar="DOC", help="vendor page files")
    drift.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC, help="spec folder (default: spec)"
    )
    drift.set_defaults(run=_run_drift)
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
    parser.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC, help="spec folder (default: spec)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (default: generated)"
    )


def _add_operation(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("product", metavar="PRODUCT", help="crm, bigin or recruit")
    parser.add_argument(
        "version", metavar="VERSION", help="API version as the vendor writes it, e.g. v2.1"
    )
    parser.add_argument("operation", metavar="OPERATION", help="e.g. get_bulk_write_job")


def _run_generate(args: argparse.Namespace) -> int:
    from generator.manifest import input_digest, is_current, render_manifest
    from generator.write import remove_leftovers, write_tree

    inputs = input_digest(args.spec)
    count = is_current(args.out, inputs)
    if count is not None:
        remove_leftovers(args.out)  # what a run killed after its swap left
        print(f"{args.out}: up to date ({count} files)")
        return 0

    from generator.pipeline import build
    from generator.reuse import reusable_outputs

    result = build(args.spec, reusable_outputs(args.out))
    diff = write_tree(args.out, result.files, render_manifest(inputs, result.files, result.recipes))
    if diff.is_empty:
        print(f"{args.out}: up to date ({len(result.files)} files)")
    else:
        print(
            f"{args.out}: {len(diff.added)} added, {len(diff.changed)} changed, "
            f"{len(diff.removed)} removed ({len(result.files)} files)"
        )
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from generator.manifest import input_digest, is_current

    # The fast path: the manifest vouches for the tree, so nothing is built.
    count = is_current(args.out, input_digest(args.spec))
    if count is not None:
        print(f"{args.out}: up to date ({count} files)")
        return 0

    from generator.pipeline import build
    from generator.reuse import reusable_outputs
    from generator.write import describe_diff, diff_tree, read_tree

    result = build(args.spec, reusable_outputs(args.out))
    current = read_tree(args.out)
    diff = diff_tree(current, result.files)
    if diff.is_empty:
        print(f"{args.out}: up to date ({len(result.files)} files)")
        return 0
    print(f"{args.out} is stale; run 'zoho-bulkgen generate':")
    print(describe_diff(diff, current, result.files))
    return 1


def _run_schema(args: argparse.Namespace) -> int:
    from generator.payloads import load_schema

    schema = load_schema(
        args.out,
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
    from generator.payloads import PayloadChecker

    checker = PayloadChecker.open(
        args.out,
        args.product,
        args.version,
        args.operation,
        request=args.request,
        strict=args.strict,
    )
    all_valid = True
    for path in args.files:
        report = checker.check_file(path)
        for line in report.lines():
            print(line, file=sys.stdout if report.valid else sys.stderr)
        all_valid = all_valid and report.valid
    return 0 if all_valid else 1


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
    from generator.draft import build_draft, write_draft
    from generator.drift import load_context
    from generator.extract import read_page

    pages = [read_page(path) for path in args.docs]
    spec = load_context(args.spec).spec if args.spec.is_dir() else None
    for page in pages:
        draft = build_draft(page, spec)
        written = write_draft(draft, page, args.out)
        print(f"{page.file}: {draft.summary} -> {written[0]} (+{len(written) - 1} sample files)")
    return 0


def _run_drift(args: argparse.Namespace) -> int:
    from generator.drift import drift_report, load_context
    from generator.extract import read_page

    pages = [read_page(path) for path in args.docs]
    differences, stale = drift_report(pages, load_context(args.spec))
    for difference in differences:
        print(difference.render())
    for ack in stale:
        print(
            f"{args.spec / 'drift.yaml'}: {ack.product} {ack.version} {ack.operation}: "
            f"{ack.kind} {ack.place}: acknowledged, but the page no longer shows this "
            "difference; remove the entry"
        )
    unacknowledged = sum(1 for difference in differences if difference.acknowledged is None)
    print(
        f"drift: {len(pages)} pages, {unacknowledged} unacknowledged, "
        f"{len(differences) - unacknowledged} acknowledged differences, "
        f"{len(stale)} stale acknowledgments"
    )
    return 1 if unacknowledged or stale else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
