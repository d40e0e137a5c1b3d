#!/usr/bin/env python3
"""Set-up and the everyday commands, needing nothing but Python 3.11+:

    python3 dev.py generate   # create .venv if needed, regenerate generated/
    python3 dev.py test       # create .venv if needed, install generated packages, run all tests
    python3 dev.py dist       # build a wheel and an sdist of every generated package into dist/
                              # (--out DIR for another folder), then `twine check` them

Extra arguments go to the command underneath (zoho-bulkgen generate, or pytest).
`python3 dev.py --help` prints this; exit codes: 0 success, 2 unknown command,
otherwise the command's own.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".zoho-bulkgen-deps"
COMMANDS = ("generate", "test", "dist")


def main(argv: list[str]) -> int:
    """Dispatch ``generate`` or ``test``."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may run under an old python3
        print("dev.py: Python 3.11 or newer is needed", file=sys.stderr)
        return 2
    if argv and argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        print(_unknown_command(argv[0]) if argv else "dev.py: a command is needed", file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv()
    compile_generator()
    if command == "generate":
        return run([str(PYTHON), "-m", "generator", "generate", *rest])
    if command == "dist":
        if rest not in ([], ["--out", *rest[1:2]]) or rest == ["--out"]:
            print("dev.py: usage: python3 dev.py dist [--out DIR]", file=sys.stderr)
            return 2
        return build_distributions(Path(rest[1]).resolve() if rest else ROOT / "dist")
    install_generated_packages()
    # Spread the tests over every core unless the caller chose (-n, or -p no:xdist).
    parallel = (
        []
        if any(arg.startswith(("-n", "--numprocesses", "-p")) for arg in rest)
        else ["-n", "auto"]
    )
    return run([str(PYTHON), "-m", "pytest", *parallel, *rest])


def _unknown_command(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, COMMANDS, n=1)
    hint = f" — did you mean {close[0]!r}?" if close else f" (known: {', '.join(COMMANDS)})"
    return f"dev.py: unknown command {name!r}{hint}"


def ensure_venv() -> None:
    """Create .venv and install the project with its dev tools, once per pyproject change."""
    if not PYTHON.exists():
        print("dev.py: creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("dev.py: installing dependencies into .venv", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    check(pip + ["--upgrade", "pip", "setuptools>=68", "wheel"])
    check(pip + ["-e", f"{ROOT}[dev]"])
    STAMP.write_text(wanted)


def compile_generator() -> None:
    """Write the generator's bytecode, as a regular (not editable) install
    does: Python rereads it instead of compiling every module on each run,
    which matters where PYTHONDONTWRITEBYTECODE keeps Python from writing it
    itself (about 0.05 s of a regeneration). Files already current are
    skipped. Only a saving: a module that does not compile, or a folder that
    cannot be written, is left for the command itself to meet and report."""
    subprocess.run(
        [str(PYTHON), "-m", "compileall", "-q", "-q", str(ROOT / "generator")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def install_generated_packages() -> None:
    """Install generated/python/* into .venv as a user would (not editable).

    They are built from a copy so that the build leaves nothing in generated/."""
    sources = generated_packages()
    with tempfile.TemporaryDirectory(prefix="zoho-bulk-install-") as temp:
        copies = []
        for source in sources:
            copy = Path(temp) / source.name
            shutil.copytree(
                source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
            )
            copies.append(str(copy))
        check(
            [
                str(PYTHON),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "--no-deps",
                "--no-build-isolation",
                "--force-reinstall",
                *copies,
            ]
        )


def generated_packages() -> list[Path]:
    """The folders of the generated distributions, core first."""
    return sorted(
        (path.parent for path in (ROOT / "generated" / "python").glob("*/pyproject.toml")),
        key=lambda path: (path.name != "zoho-bulk-core", path.name),
    )


def build_distributions(target: Path) -> int:
    """Build a wheel and an sdist of every generated package into ``target`` (the
    earlier builds of these packages there are removed first), then check them
    with twine. Built from copies, so that nothing is written into generated/."""
    target.mkdir(exist_ok=True)
    sources = generated_packages()
    for source in sources:
        stem = source.name.replace("-", "_")
        for old in [*target.glob(f"{stem}-*.whl"), *target.glob(f"{stem}-*.tar.gz")]:
            old.unlink()
    with tempfile.TemporaryDirectory(prefix="zoho-bulk-dist-") as temp:
        copies = []
        for source in sources:
            copy = Path(temp) / source.name
            shutil.copytree(
                source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
            )
            copies.append(copy)
        outputs = [Path(temp) / f"out-{copy.name}" for copy in copies]
        commands = [
            [str(PYTHON), "-m", "build", "--no-isolation", "--outdir", str(out), str(copy)]
            for copy, out in zip(copies, outputs, strict=True)
        ]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            codes = list(pool.map(lambda command: run(command, quiet=True), commands))
        for source, code in zip(sources, codes, strict=True):
            if code != 0:
                print(f"dev.py: building {source.name} failed", file=sys.stderr)
                return code
        built = []
        for out in outputs:
            for path in sorted(out.iterdir()):
                built.append(str(shutil.move(str(path), target / path.name)))
    code = run([str(PYTHON), "-m", "twine", "check", "--strict", *built])
    if code == 0:
        for path in built:
            print(path)
    return code


def check(command: list[str]) -> None:
    """Run a command; stop with its exit code if it fails."""
    code = run(command)
    if code != 0:
        raise SystemExit(code)


def run(command: list[str], quiet: bool = False) -> int:
    """Run a command from the repository root and return its exit code; ``quiet``
    shows its output only when it fails."""
    if not quiet:
        return subprocess.run(command, cwd=ROOT).returncode
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
