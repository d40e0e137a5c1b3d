"""Shared fixtures: the repository's paths, one build of the real spec per
session, and the switch that updates the golden files."""

from __future__ import annotations

import importlib
import os
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.pipeline import BuildResult, build

pytest_plugins = ["generator.mock.pytest_plugin"]

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "spec"
GENERATED_DIR = ROOT / "generated"
SEEDS_DIR = ROOT.parent / "shared" / "seeds"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite generated/ from the spec instead of failing on differences",
    )


@pytest.fixture(scope="session", autouse=True)
def _one_default_tls_context() -> Iterator[None]:
    """Every httpx client made with the default TLS settings (the runtime's
    clients, the tests' own) shares one SSL context per worker: building one
    loads the whole CA bundle, about 20 ms of CPU, and the tests make over a
    thousand clients, all talking plain HTTP to local servers. A context is
    safe to share between connections; any other settings (verify=False, a
    context or CA file of the caller's, a client certificate) still get a
    context of their own, and a change of SSL_CERT_FILE or SSL_CERT_DIR a new one."""
    try:
        from httpx._transports import default as transports
    except ImportError:  # another httpx layout: no sharing, nothing else changes
        yield
        return
    build = getattr(transports, "create_ssl_context", None)
    if build is None:
        yield
        return
    shared: dict[tuple[str | None, str | None], ssl.SSLContext] = {}

    def create_ssl_context(
        verify: Any = True, cert: Any = None, trust_env: bool = True
    ) -> ssl.SSLContext:
        if verify is not True or cert is not None or not trust_env:
            return build(verify=verify, cert=cert, trust_env=trust_env)
        key = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        if key not in shared:
            shared[key] = build(verify=verify, cert=cert, trust_env=trust_env)
        return shared[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transports, "create_ssl_context", create_ssl_context)
        yield


@pytest.fixture(autouse=True)
def _installed_packages_stay() -> Iterator[None]:
    """After a test that put folders on sys.path (PayloadChecker on a generated
    tree imports its models from there), take them off again and forget the
    generated packages imported from outside site-packages: the tests after
    it, in the same worker, must use the installed packages. Costs nothing
    when sys.path is left alone."""
    path = list(sys.path)
    yield
    if sys.path == path:
        return
    sys.path[:] = path
    for name, module in list(sys.modules.items()):
        if (
            name.startswith("zoho_bulk_")
            and "site-packages" not in Path(getattr(module, "__file__", None) or "").parts
        ):
            del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache folder per session and worker, shared by the tests that
    run mypy: the standard library's stubs, pydantic and httpx are analysed
    once instead of in every run. mypy's incremental mode rechecks any module
    whose source, path or options differ from what the cache recorded, so each
    run still checks exactly what it is given."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.fixture(scope="session")
def built() -> BuildResult:
    """The real spec, built once per session (in memory, nothing written)."""
    return build(SPEC_DIR)


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    """A scratch copy of the real spec that a test may break."""
    target = tmp_path / "spec"
    shutil.copytree(SPEC_DIR, target)
    return target


def run_cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m generator`` as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A spec copy (``spec``) and a folder generated from it (``out``), with
    its manifest; made once per test module."""
    base = tmp_path_factory.mktemp("generated")
    shutil.copytree(SPEC_DIR, base / "spec")
    result = run_cli("generate", "--spec", str(base / "spec"), "--out", str(base / "out"))
    assert result.returncode == 0, result.stderr
    return base


@pytest.fixture
def work(generated: Path, tmp_path: Path) -> Path:
    """A scratch copy of ``generated`` that a test may change."""
    shutil.copytree(generated, tmp_path / "w", symlinks=True)
    return tmp_path / "w"


def run_cli_in_process(
    command: str, base: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``command`` on ``base``'s spec and out folders through the CLI's
    main() in a fresh interpreter; its result (stdout without the module list)
    and the names of every module it imported."""
    argv = [command, "--spec", str(base / "spec"), "--out", str(base / "out")]
    code = (
        "import sys\n"
        "from generator.cli import main\n"
        f"rc = main({argv!r})\n"
        "print('MODULES', ' '.join(sorted(sys.modules)))\n"
        "raise SystemExit(rc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    out, _, modules = result.stdout.rpartition("MODULES ")
    result.stdout = out
    return result, set(modules.split())
