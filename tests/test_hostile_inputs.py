"""Hostile inputs to ``generate`` and ``validate``: each ends in one located
line and its documented exit code, in bounded time and memory (the CLI runs in
a child process with an address-space limit and a timeout), never a traceback,
a crash or a half-written tree."""

from __future__ import annotations

import builtins
import os
import re
import resource
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from generator.payloads.check import MAX_PAYLOAD_BYTES
from generator.spec.load import MAX_NESTING, MAX_SPEC_FILE_BYTES, MAX_TEXT_LENGTH, MAX_VALUES
from generator.targets.python.names import RESERVED_ERROR_CLASS_NAMES
from tests.conftest import ROOT
from tests.hostile import HostileSpec
from tests.test_hostile_regressions import generate, imported

MEMORY_LIMIT = 1536 * 1024 * 1024
"""The child's address-space limit: the CLI needs a few hundred MB at most."""
TIME_LIMIT = 90


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def bounded_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m generator ARGS`` in ``cwd`` under the memory and time limits."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limit_memory,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def refused_generate(spec_dir: Path) -> str:
    """The one line ``generate`` refuses ``spec_dir`` with (exit 2, nothing written)."""
    out = spec_dir.parent / "out"
    result = bounded_cli("generate", "--spec", "spec", "--out", "out", cwd=spec_dir.parent)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert result.stderr.count("\n") == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not out.exists()
    return result.stderr.strip()


def add_spec_file(spec_dir: Path, name: str, text: str) -> Path:
    path = spec_dir / name
    path.write_text(text, encoding="utf-8")
    return path


# Bug: nine nested aliases (under 500 bytes) expand to 387 million values and
# grew ``generate`` past 7 GB.
def test_a_yaml_alias_bomb_is_refused_at_its_line(spec_copy: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    add_spec_file(spec_copy, "zz_bomb.yaml", "\n".join(lines) + "\n")
    message = refused_generate(spec_copy)
    assert message.startswith("zoho-bulkgen: error: spec/zz_bomb.yaml:")
    assert f"more than {MAX_VALUES:,} values" in message


def test_a_recursive_alias_is_refused(spec_copy: Path) -> None:
    add_spec_file(spec_copy, "zz_loop.yaml", "loop: &me [1, *me]\n")
    message = refused_generate(spec_copy)
    assert message.startswith("zoho-bulkgen: error: spec/zz_loop.yaml:1: ")
    assert "'*me'" in message


# Bug: 30,000 nested brackets crashed the C loader (segmentation fault).
@pytest.mark.parametrize(
    "text",
    [
        "deep: " + "[" * 30_000 + "]" * 30_000 + "\n",
        "deep: " + "{a: " * 30_000 + "1" + "}" * 30_000 + "\n",
        "deep:\n" + "".join("  " * level + f"k{level}:\n" for level in range(500)) + "  x\n",
    ],
    ids=["flow-sequences", "flow-mappings", "block-mappings"],
)
def test_deep_nesting_is_refused_at_its_line(spec_copy: Path, text: str) -> None:
    add_spec_file(spec_copy, "zz_deep.yaml", text)
    message = refused_generate(spec_copy)
    assert message.startswith("zoho-bulkgen: error: spec/zz_deep.yaml:")
    assert f"nested more than {MAX_NESTING} levels deep" in message


# Bug: a 1 MB description took 40 s to generate from.
def test_a_megabyte_description_is_refused_at_its_line(spec_copy: Path) -> None:
    errors = spec_copy / "errors.yaml"
    text = errors.read_text("utf-8")
    assert "meaning:" in text
    errors.write_text(text.replace("meaning: ", f"meaning: {'x' * 1_000_000} ", 1), "utf-8")
    line = text[: text.index("meaning: ")].count("\n") + 1
    message = refused_generate(spec_copy)
    assert message.startswith(f"zoho-bulkgen: error: spec/errors.yaml:{line}: ")
    assert f"at most {MAX_TEXT_LENGTH:,} characters" in message and "(at /errors/" in message


def test_an_oversized_spec_file_is_refused_before_it_is_read(spec_copy: Path) -> None:
    add_spec_file(spec_copy, "zz_big.yaml", "# padding\n" * (MAX_SPEC_FILE_BYTES // 10 + 1))
    message = refused_generate(spec_copy)
    assert message == (
        f"zoho-bulkgen: error: spec/zz_big.yaml: the file is larger than "
        f"{MAX_SPEC_FILE_BYTES:,} bytes"
    )


@pytest.mark.parametrize(
    "payload, problem",
    [
        ("[" * 30_000 + "]" * 30_000, f"nested more than {MAX_NESTING} levels deep"),
        ('{"n": ' + "7" * 5_000 + "}", "integer has more than"),
        ('{"n": NaN}', "NaN"),
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
    ],
    ids=["deep", "long-integer", "nan", "duplicate-key"],
)
def test_a_hostile_example_file_is_refused_in_one_line(
    spec_copy: Path, payload: str, problem: str
) -> None:
    examples = sorted((spec_copy / "examples").glob("*.json"))
    examples[0].write_text(payload, "utf-8")
    message = refused_generate(spec_copy)
    assert message.startswith(f"zoho-bulkgen: error: spec/examples/{examples[0].name}:")
    assert problem in message


def validate_files(*files: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return bounded_cli("validate", "crm", "v7", "get_bulk_write_job", *files, cwd=cwd)


# Bug: validate read a whole file first, so /dev/zero grew it to 9 GB.
def test_validate_reads_at_most_its_documented_size() -> None:
    result = validate_files("/dev/zero")
    assert result.returncode == 2  # a file that cannot be read, as README documents
    assert result.stderr == (f"/dev/zero: cannot read: larger than {MAX_PAYLOAD_BYTES:,} bytes\n")


# Bugs: duplicate keys, NaN and lone surrogates were accepted; a 5,000-digit
# integer ended in a ValueError traceback.
@pytest.mark.parametrize(
    "payload, problem",
    [
        ('{"data": [], "data": []}', "invalid JSON: duplicate key 'data'"),
        ('{"data": [{"id": NaN}]}', "invalid JSON: NaN is not a JSON value"),
        ('{"data": [{"id": -Infinity}]}', "invalid JSON: -Infinity is not a JSON value"),
        ('{"data": [{"id": 1e999}]}', "invalid JSON: the number 1e999 is out of range"),
        ('{"data": [{"id": "\\ud800"}]}', "invalid JSON: text holds a lone surrogate U+D800"),
        ('{"data": [{"id": ' + "9" * 5_000 + "}]}", "invalid JSON: an integer has more than"),
        ("[" * 30_000 + "]" * 30_000, "invalid JSON: nested more than 64 levels deep"),
        ("[" * 100 + "]" * 100, "invalid JSON: nested more than 64 levels deep"),
    ],
    ids=["duplicate", "nan", "infinity", "overflow", "surrogate", "long-int", "deep", "deep-100"],
)
def test_validate_refuses_what_json_does_not_allow_in_one_line(
    tmp_path: Path, payload: str, problem: str
) -> None:
    path = tmp_path / "payload.json"
    path.write_text(payload, "utf-8")
    result = validate_files(str(path))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{path}") and problem in result.stderr


# Bug: VALUE made a class ValueError in zoho_bulk_core.errors (hiding the
# builtin there and for star importers), JOB_FAILED one named like the
# waiters' JobFailedError.
def test_error_codes_never_take_builtin_or_runtime_class_names(tmp_path: Path) -> None:
    extra = {
        code: {"http_status": 400, "meaning": "Hostile."}
        for code in ["VALUE", "KEY", "CONNECTION", "JOB_FAILED", "WAIT_TIMEOUT", "PAYLOAD"]
    }
    out = generate(HostileSpec(extra_errors=extra), tmp_path)
    with imported(out) as modules:
        errors = modules["errors"]
        names = {code: errors.ERROR_CLASSES[code].__name__ for code in extra}
        assert names == {
            "VALUE": "ValueCodeError",
            "KEY": "KeyCodeError",
            "CONNECTION": "ConnectionCodeError",
            "JOB_FAILED": "JobFailedCodeError",
            "WAIT_TIMEOUT": "WaitTimeoutCodeError",
            "PAYLOAD": "PayloadCodeError",
        }
        assert not hasattr(errors, "ValueError") and not hasattr(errors, "JobFailedError")


def test_reserved_error_class_names_cover_every_runtime_class() -> None:
    import zoho_bulk_core

    package = Path(zoho_bulk_core.__file__).parent
    defined = set()
    for path in package.glob("*.py"):
        defined |= set(re.findall(r"^class (\w+)\b", path.read_text("utf-8"), re.MULTILINE))
    from zoho_bulk_core.errors import ERROR_CLASSES

    runtime = {name for name in defined if name.endswith("Error")} - {
        cls.__name__ for cls in ERROR_CLASSES.values()
    }
    assert runtime <= RESERVED_ERROR_CLASS_NAMES
    builtin_errors = {name for name in dir(builtins) if name.endswith("Error")}
    assert builtin_errors <= RESERVED_ERROR_CLASS_NAMES


# Bug: the product title went into the package README raw (Markdown and HTML
# in it were rendered as markup).
def test_product_title_reaches_the_readme_and_wheel_metadata_as_literal_text(
    tmp_path: Path,
) -> None:
    from markdown_it import MarkdownIt

    title = 'Zoho <img src=x onerror="alert(1)"> [site](https://e.example) *b* `c` \\ &amp;'
    out = generate(HostileSpec(title=title + "\n# Heading"), tmp_path)
    distribution = next((out / "python").glob("zoho-bulk-hostile"))
    readme = (distribution / "README.md").read_text("utf-8")
    tokens = MarkdownIt("commonmark").parse(readme)
    inline = [child for token in tokens for child in token.children or []]
    assert [token.type for token in tokens if token.type == "heading_open"] == ["heading_open"]
    assert not [token for token in inline if token.type in ("html_inline", "link_open", "em_open")]
    text = "".join(token.content for token in inline if token.type == "text")
    assert f"{title} # Heading Bulk API" in text
    html = MarkdownIt("commonmark").render(readme)
    assert "<img" not in html and "<a " not in html
    metadata = tomllib.loads((distribution / "pyproject.toml").read_text("utf-8"))["project"]
    assert f"{title} # Heading Bulk API." in metadata["description"]


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its reaper does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


# Bug: killing generate while black or datamodel-codegen ran in worker
# processes left the workers running, orphaned.
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_killed_generate_leaves_no_worker_processes(spec_copy: Path) -> None:
    # Black on every file: the only step of the real spec's build that runs
    # in worker processes (the templates need no black otherwise).
    env = {
        **os.environ,
        "ZOHO_BULKGEN_CACHE": "off",
        "ZOHO_BULKGEN_JOBS": "2",
        "ZOHO_BULKGEN_BLACK": "always",
    }
    env["PYTHONPATH"] = str(ROOT)
    out = spec_copy.parent / "out"
    command = [sys.executable, "-m", "generator", "generate", "--spec", str(spec_copy)]
    process = subprocess.Popen([*command, "--out", str(out)], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while not workers and process.poll() is None and time.monotonic() < deadline:
            workers = _children(process.pid)
            time.sleep(0.01)
        assert workers, "generate ended before it started worker processes"
        time.sleep(0.3)
        workers |= _children(process.pid)
        process.kill()
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if _alive(pid)]
    finally:
        process.kill()
        process.wait()


def test_the_errors_module_exports_exactly_its_exceptions_and_helpers() -> None:
    import zoho_bulk_core.errors as errors

    exported = set(errors.__all__)
    assert len(exported) == len(errors.__all__)
    assert {cls.__name__ for cls in errors.ERROR_CLASSES.values()} <= exported
    assert {"ZohoBulkError", "ApiError", "ERROR_CLASSES", "error_from_body"} <= exported
    assert not exported & {"Mapping", "Any", "Final", "ClassVar", "annotations"}
    namespace: dict[str, object] = {}
    exec("from zoho_bulk_core.errors import *", namespace)  # noqa: S102 - the test's own text
    assert set(namespace) - {"__builtins__"} == exported
