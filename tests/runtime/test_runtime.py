"""The hand-written runtime (runtime/zoho_bulk_core) is ordinary source: linted,
type-checked and copied into generated/ byte for byte; the spec reaches it only
through the small data modules the generator writes next to it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.pipeline import BuildResult
from generator.targets.python.packages import CORE_ROOT, RUNTIME_DIR
from generator.targets.templating import TEMPLATES_DIR
from tests.conftest import GENERATED_DIR

CORE_PACKAGE = GENERATED_DIR / CORE_ROOT / "zoho_bulk_core"
RUNTIME_MODULES = sorted(RUNTIME_DIR.glob("*.py"))
DATA_MODULES = ("spec_data.py", "error_codes.py", "vocabulary.py")
"""The core modules made from the spec (templates/core/)."""


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_every_runtime_module_is_copied_byte_for_byte(built: BuildResult) -> None:
    for module in RUNTIME_MODULES:
        path = f"{CORE_ROOT}/zoho_bulk_core/{module.name}"
        assert built.files[path] == module.read_bytes(), path


def test_the_core_package_is_the_runtime_and_the_data_modules_only() -> None:
    shipped = {path.name for path in CORE_PACKAGE.glob("*.py")}
    assert shipped == {module.name for module in RUNTIME_MODULES} | set(DATA_MODULES)


def test_the_runtime_does_not_hold_template_syntax() -> None:
    for module in RUNTIME_MODULES:
        text = module.read_text("utf-8")
        assert not re.search(r"\{\{|\{%|\{#", text), module.name


def test_every_template_has_template_syntax() -> None:
    # A file with nothing to fill in is source, and belongs in runtime/.
    for template in sorted(TEMPLATES_DIR.rglob("*.jinja")):
        text = template.read_text("utf-8")
        assert re.search(r"\{\{|\{%", text), template.relative_to(TEMPLATES_DIR)


def test_ruff_and_black_pass_on_the_runtime_with_the_package_settings() -> None:
    ruff = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", "."],
        cwd=RUNTIME_DIR.parent,
        capture_output=True,
        text=True,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    black = subprocess.run(
        [_tool("black"), "--check", "-q", "."],
        cwd=RUNTIME_DIR.parent,
        capture_output=True,
        text=True,
    )
    assert black.returncode == 0, black.stderr


def _assemble(target: Path) -> Path:
    """The runtime's own files (linked, not copied) with the data modules of
    the committed tree: the package as it ships, its code read from runtime/."""
    package = target / "zoho_bulk_core"
    package.mkdir()
    for module in RUNTIME_MODULES:
        (package / module.name).symlink_to(module)
    for name in DATA_MODULES:
        (package / name).symlink_to(CORE_PACKAGE / name)
    (package / "py.typed").write_text("")
    return package


def test_mypy_strict_passes_on_the_runtime_source(tmp_path: Path, mypy_cache: Path) -> None:
    package = _assemble(tmp_path)
    result = subprocess.run(
        [_tool("mypy"), "--strict", "--cache-dir", str(mypy_cache), "--python-version", "3.11"]
        + [str(package / module.name) for module in RUNTIME_MODULES],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"MYPYPATH": str(tmp_path), "PATH": ""},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "check",
    [
        # The error codes are exported by zoho_bulk_core.errors and decoded by code.
        "from zoho_bulk_core.errors import ResourceNotFoundError, error_from_body\n"
        "error = error_from_body(404, {'code': 'RESOURCE_NOT_FOUND', 'message': 'x'})\n"
        "assert type(error) is ResourceNotFoundError, type(error)",
        # Whichever module is imported first, the cycle errors <-> error_codes resolves.
        "import zoho_bulk_core.error_codes as codes\n"
        "assert codes.ERROR_CLASSES['INTERNAL_ERROR'].__name__ == 'InternalError'",
        # Trusted domains and upload hosts come from the data centers' hosts.
        "from zoho_bulk_core.transport import TRUSTED_DOMAINS, UPLOAD_HOSTS, USER_AGENT\n"
        "assert 'zohoapis.eu' in TRUSTED_DOMAINS and 'zohoplatform.com' not in TRUSTED_DOMAINS\n"
        "assert UPLOAD_HOSTS['www.zohoapis.com'] == 'content.zohoapis.com'\n"
        "assert USER_AGENT == 'zoho-bulk-python/' + __import__('zoho_bulk_core').__version__",
        "from zoho_bulk_core.hosts import DATA_CENTERS\n"
        "assert DATA_CENTERS['EU'].api_host('api', 'sandbox') == 'sandbox.zohoapis.eu'\n"
        "assert DATA_CENTERS['US'].host('recruit') == 'recruit.zoho.com'\n"
        "assert DATA_CENTERS['CA'].accounts == 'accounts.zohocloud.ca'",
    ],
    ids=["errors", "error-codes-first", "transport", "hosts"],
)
def test_the_runtime_source_runs_directly(check: str, tmp_path: Path) -> None:
    package = _assemble(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import zoho_bulk_core\nassert zoho_bulk_core.__file__.startswith("
            f"{str(package)!r}), zoho_bulk_core.__file__\n{check}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
