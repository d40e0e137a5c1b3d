"""Wheels and sdists of the generated packages, as a user installs them: built
by `python3 dev.py dist`, checked by twine, installed from the folder into a
fresh virtual environment and used against the mock (issue 12, section 5)."""

from __future__ import annotations

import email
import re
import subprocess
import sys
import tarfile
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest
from readme_renderer.markdown import render

from generator.mock.server import MockServer
from tests.conftest import GENERATED_DIR, ROOT

PACKAGES = sorted(path.name for path in (GENERATED_DIR / "python").iterdir() if path.is_dir())


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every generated package built by `python3 dev.py dist --out DIR`."""
    folder = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), "dist", "--out", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2 * len(PACKAGES)  # twine check, each file
    return folder


def _version(package: str) -> str:
    pyproject = (GENERATED_DIR / "python" / package / "pyproject.toml").read_text()
    return pyproject.split('version = "', 1)[1].split('"', 1)[0]


def test_dist_builds_a_wheel_and_an_sdist_of_every_package(dist: Path) -> None:
    names = sorted(path.name for path in dist.iterdir())
    expected = sorted(
        name
        for package in PACKAGES
        for stem in [f"{package.replace('-', '_')}-{_version(package)}"]
        for name in (f"{stem}-py3-none-any.whl", f"{stem}.tar.gz")
    )
    assert names == expected
    assert not list((GENERATED_DIR / "python").glob("*/build"))
    assert not list((GENERATED_DIR / "python").glob("*/*.egg-info"))


def test_each_package_page_renders_its_readme_and_changelog(dist: Path) -> None:
    for wheel in sorted(dist.glob("*.whl")):
        with zipfile.ZipFile(wheel) as archive:
            (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
            metadata = email.message_from_bytes(archive.read(name))
        assert metadata["Description-Content-Type"] == "text/markdown"
        html = render(str(metadata.get_payload()))
        assert html is not None, wheel.name
        assert re.search(r"<h1[^>]*>Changelog of", html), wheel.name
        assert re.search(rf"<h2[^>]*>{re.escape(metadata['Version'])}<", html), wheel.name
    for sdist in sorted(dist.glob("*.tar.gz")):
        with tarfile.open(sdist) as archive:
            names = {Path(member).name for member in archive.getnames()}
        assert {"README.md", "CHANGELOG.md", "pyproject.toml"} <= names


def test_pip_installs_bigin_from_the_folder_into_a_fresh_venv_and_it_works(
    dist: Path, tmp_path: Path, zoho_bulk_mock: MockServer
) -> None:
    environment = tmp_path / "venv"
    # A virtual environment with nothing in it, not even pip (installing pip into
    # it would double this test's time); the project's pip installs into it.
    venv.EnvBuilder(with_pip=False).create(environment)
    python = environment / "bin" / "python"
    install = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "-q"),
            *("--find-links", str(dist), "zoho-bulk-bigin"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    script = textwrap.dedent(f"""
        import zoho_bulk_bigin, zoho_bulk_core
        from zoho_bulk_bigin.v2 import Client
        from zoho_bulk_core.waiters import WaitPolicy

        fast = WaitPolicy(initial_delay=0.005, multiplier=1.5, max_delay=0.02, timeout=20)
        with Client("1000.fresh-venv.0123", base_url={zoho_bulk_mock.base_url!r}, wait=fast) as c:
            rows = list(c.iter_bulk_read_rows({{"query": {{"module": "Contacts"}}}}))
        print(zoho_bulk_bigin.__version__, zoho_bulk_core.__version__, len(rows))
        print(zoho_bulk_bigin.__file__)
        """)
    run = subprocess.run(
        [str(python), "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    bigin_version, core_version, rows, location = run.stdout.split()
    assert (bigin_version, core_version) == (
        _version("zoho-bulk-bigin"),
        _version("zoho-bulk-core"),
    )
    assert int(rows) == 1000
    assert str(environment) in location
