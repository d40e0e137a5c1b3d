"""The CLI as a user meets it away from the repository root: from a temp folder,
from a subfolder of a project, and from an installed wheel (issue 12, section 1)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import generator
from generator.payloads.check import PayloadChecker
from generator.payloads.schema_store import shipped_catalog
from tests.conftest import GENERATED_DIR, ROOT, SEEDS_DIR, SPEC_DIR, run_cli

GOOD_WRITE_JOB = SPEC_DIR / "examples/crm-v7-write-completed.json"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder in no project."""
    folder = tmp_path / "elsewhere" / "deeper"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project of our own: the spec and its committed output, with the manifest."""
    root = tmp_path / "project"
    shutil.copytree(SPEC_DIR, root / "spec")
    shutil.copytree(GENERATED_DIR, root / "generated", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_version_from_anywhere(outside: Path) -> None:
    result = run_cli("--version", cwd=outside)
    assert result.returncode == 0
    assert result.stdout.strip() == f"zoho-bulkgen {generator.__version__}"


def test_schema_and_validate_work_outside_a_project(outside: Path) -> None:
    schema = run_cli("schema", "crm", "v2.1", "get_bulk_write_job", cwd=outside)
    assert schema.returncode == 0, schema.stderr
    committed = GENERATED_DIR / "schemas/crm/v2.1/get_bulk_write_job.response.json"
    assert json.loads(schema.stdout) == json.loads(committed.read_text())

    bad = outside / "bad.json"
    payload = json.loads(GOOD_WRITE_JOB.read_text())
    payload["resource"][0]["module"] = "Deals"
    bad.write_text(json.dumps(payload))
    valid = run_cli("validate", "crm", "v7", "get_bulk_write_job", str(GOOD_WRITE_JOB), cwd=outside)
    assert valid.returncode == 0, valid.stderr
    assert "valid BulkWriteJob" in valid.stdout
    invalid = run_cli("validate", "crm", "v7", "get_bulk_write_job", "bad.json", cwd=outside)
    assert invalid.returncode == 1
    assert 'bad.json: /resource/0/module: "Deals" is not of type "object"' in invalid.stderr


def test_an_unreadable_payload_file_is_exit_2_after_checking_the_others(outside: Path) -> None:
    result = run_cli(
        "validate",
        "crm",
        "v7",
        "get_bulk_write_job",
        str(GOOD_WRITE_JOB),
        "missing.json",
        cwd=outside,
    )
    assert result.returncode == 2
    assert "valid BulkWriteJob" in result.stdout
    assert result.stderr.strip() == "missing.json: cannot read: No such file or directory"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("schema", "crmm", "v7", "get_bulk_write_job"),
            "unknown product 'crmm' — did you mean 'crm'?",
        ),
        (
            ("schema", "crm", "7", "get_bulk_write_job"),
            "crm has no version '7' — did you mean 'v7'?",
        ),
        (
            ("schema", "bigin", "v2", "get_bulk_writ_job"),
            "bigin v2 has no operation 'get_bulk_writ_job' — did you mean 'get_bulk_write_job'?",
        ),
        (
            ("schema", "zoho", "v7", "get_bulk_write_job"),
            "unknown product 'zoho' (known: bigin, crm, recruit)",
        ),
        (("generat",), "unknown command 'generat' — did you mean 'generate'?"),
    ],
)
def test_typos_get_a_suggestion_and_exit_2(
    outside: Path, args: tuple[str, ...], message: str
) -> None:
    result = run_cli(*args, cwd=outside)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [("generate",), ("check",), ("check", "--out", "x"), ("mock",), ("drift", "page.txt")],
)
def test_project_commands_outside_a_project_say_so(outside: Path, args: tuple[str, ...]) -> None:
    result = run_cli(*args, cwd=outside)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "zoho-bulkgen: error: not inside a zoho-bulkgen project: no spec/products.yaml in "
        f"{outside.resolve()} or any folder above it; run the command inside the project "
        "or pass --spec DIR"
    )
    assert not (outside / "generated").exists()


def test_project_commands_find_the_root_from_a_subfolder(project: Path) -> None:
    result = run_cli("check", cwd=project / "spec" / "examples")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(f"{Path('../../generated')}: up to date")
    schema = run_cli("schema", "bigin", "v1", "get_bulk_read_job", cwd=project / "generated")
    assert schema.returncode == 0, schema.stderr

    # The project's own generated/ is what schema reads, not an installed package.
    target = project / "generated/schemas/bigin/v1/get_bulk_read_job.response.json"
    edited = json.loads(target.read_text())
    edited["title"] = "from the project"
    target.write_text(json.dumps(edited))
    schema = run_cli("schema", "bigin", "v1", "get_bulk_read_job", cwd=project / "spec")
    assert json.loads(schema.stdout)["title"] == "from the project"
    stale = run_cli("check", cwd=project / "generated")
    assert stale.returncode == 1
    assert "differs: schemas/bigin/v1/get_bulk_read_job.response.json" in stale.stdout


def test_extract_outside_a_project_drafts_without_the_spec(outside: Path) -> None:
    page = outside / "page.txt"
    shutil.copy(sorted(SEEDS_DIR.glob("*.txt"))[0], page)
    result = run_cli("extract", "page.txt", "--out", "review", cwd=outside)
    assert result.returncode == 0, result.stderr
    assert "not inside a zoho-bulkgen project" in result.stderr
    assert (outside / "review" / "page.yaml").is_file()


def test_the_wheel_ships_every_schema_and_schema_runs_from_it(tmp_path: Path) -> None:
    # Built from a copy of what the wheel is made of, so the build leaves nothing here.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "generator", source / "generator", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(GENERATED_DIR / "schemas", source / "generated" / "schemas")
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("zoho_bulkgen-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    committed = sorted(
        path.relative_to(GENERATED_DIR / "schemas")
        for path in (GENERATED_DIR / "schemas").rglob("*.json")
    )
    shipped_root = site / "generator" / "_schemas"
    assert (
        sorted(path.relative_to(shipped_root) for path in shipped_root.rglob("*.json")) == committed
    )
    for relative in committed:
        assert (shipped_root / relative).read_bytes() == (
            GENERATED_DIR / "schemas" / relative
        ).read_bytes()

    # No site-packages at all (-S): neither the project nor a product package is
    # reachable, and `schema` needs nothing but the wheel and the standard library.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-S", "-m", "generator", "schema", "recruit", "v2", "get_bulk_write_job"],
        cwd=elsewhere,
        env={"PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(
        (GENERATED_DIR / "schemas/recruit/v2/get_bulk_write_job.response.json").read_text()
    )


def test_validate_with_the_shipped_schemas_alone_checks_the_schema() -> None:
    checker = PayloadChecker.open(
        shipped_catalog(), "crm", "v7", "get_bulk_write_job", request=False, strict=False
    )
    assert checker.model is None
    payload = json.loads(GOOD_WRITE_JOB.read_text())
    assert checker.check("good.json", payload).lines() == ["good.json: valid BulkWriteJob"]
    payload["resource"][0]["module"] = "Deals"
    report = checker.check("bad.json", payload)
    assert report.errors == ['/resource/0/module: "Deals" is not of type "object"']


def test_dev_py_help_exits_0_and_an_unknown_command_exits_2() -> None:
    help_ = subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert help_.returncode == 0
    assert "python3 dev.py test" in help_.stdout
    unknown = subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), "tset"], capture_output=True, text=True, timeout=60
    )
    assert unknown.returncode == 2
    assert "dev.py: unknown command 'tset' — did you mean 'test'?" in unknown.stderr


def test_every_generated_package_has_its_version() -> None:
    for package in sorted((GENERATED_DIR / "python").iterdir()):
        pyproject = (package / "pyproject.toml").read_text()
        version = pyproject.split('\nversion = "', 1)[1].split('"', 1)[0]
        module = package / package.name.replace("-", "_")
        # The core's __init__ is hand-written runtime: its version comes from spec_data.
        text = (module / "__init__.py").read_text()
        if "__version__ = PACKAGE_VERSION" in text:
            text = (module / "spec_data.py").read_text().replace("PACKAGE_VERSION: Final", "")
            assert f'\n = "{version}"\n' in text, package.name
        else:
            assert f'\n__version__ = "{version}"\n' in text, package.name


def test_help_documents_the_exit_codes() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for code in ("0 success", "1 the answer is no", "2 usage error or unreadable input"):
        assert code in " ".join(result.stdout.split())


def test_the_installed_command_exits_with_the_code_of_main(outside: Path) -> None:
    script = Path(sys.executable).with_name("zoho-bulkgen")
    if not script.is_file():
        pytest.skip("the zoho-bulkgen script is not installed beside this interpreter")
    shown = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert shown.returncode == 0 and shown.stdout.strip()
    missing = subprocess.run(
        [str(script), "generate", "--spec", str(outside / "absent"), "--out", str(outside / "o")],
        capture_output=True,
        text=True,
        check=False,
        cwd=outside,
    )
    assert missing.returncode == 2, missing.stderr
    assert missing.stderr.startswith("zoho-bulkgen: error: ") and "Traceback" not in missing.stderr


def test_the_command_freezes_what_the_run_made_before_it_ends() -> None:
    # The collection Python runs at exit then skips the run's objects (run()).
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n"
        "sys.argv = ['zoho-bulkgen', 'check']\n"
        "from generator.cli import run\n"
        "run()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    frozen = int(result.stdout.rsplit("frozen", 1)[1])
    assert frozen > 10_000
