"""`zoho-bulkgen diff` and `release`, and the package versions and changelogs
that follow them (issue 12, section 5)."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.changes.diff import Change, diff_surfaces, worst
from generator.changes.releases import bump, spec_surface
from tests.conftest import GENERATED_DIR, SPEC_DIR, run_cli


@pytest.fixture(scope="module")
def surface() -> dict[str, Any]:
    """The API surface of the real spec."""
    return spec_surface(SPEC_DIR)


def _changed(surface: dict[str, Any], edit: Any) -> list[Change]:
    after = copy.deepcopy(surface)
    edit(after)
    return diff_surfaces(surface, after)


def _version(surface: dict[str, Any], product: str, version: str) -> dict[str, Any]:
    result: dict[str, Any] = surface["products"][product]["versions"][version]
    return result


def _lines(changes: list[Change]) -> list[str]:
    return [change.render() for change in changes]


def test_the_same_spec_has_no_change(surface: dict[str, Any]) -> None:
    assert diff_surfaces(surface, copy.deepcopy(surface)) == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (  # a field users read disappears
            lambda s: _version(s, "bigin", "v2")["types"]["BulkWriteJob"]["fields"].pop("status"),
            ["bigin v2: BREAKING field BulkWriteJob.status removed"],
        ),
        (  # a new optional response field
            lambda s: _version(s, "bigin", "v2")["types"]["BulkWriteJob"]["fields"].update(
                note={"type": "string", "required": False}
            ),
            ["bigin v2: added    field BulkWriteJob.note added (optional, string)"],
        ),
        (  # a new required request field
            lambda s: _version(s, "crm", "v7")["types"]["BulkWriteRequest"]["fields"].update(
                note={"type": "string", "required": True}
            ),
            ["crm v7: BREAKING field BulkWriteRequest.note added (required, string)"],
        ),
        (  # a request field widened: what users sent still goes
            lambda s: _version(s, "crm", "v7")["types"]["BulkWriteResourceRequest"]["fields"][
                "find_by"
            ].update(type="string | null"),
            [
                "crm v7: added    field BulkWriteResourceRequest.find_by changed "
                "(type widened: string -> string | null)"
            ],
        ),
        (  # a request field's type replaced
            lambda s: _version(s, "crm", "v7")["types"]["BulkReadRequest"]["fields"][
                "callback"
            ].update(type="string"),
            [
                "crm v7: BREAKING field BulkReadRequest.callback changed "
                "(type changed: CallbackRequest -> string)"
            ],
        ),
        (  # a response field widened: readers may meet a value they did not expect
            lambda s: _version(s, "recruit", "v2")["types"]["BulkWriteJob"]["fields"]["id"].update(
                type="string | null"
            ),
            [
                "recruit v2: BREAKING field BulkWriteJob.id changed "
                "(type changed: digits -> string | null)"
            ],
        ),
        (
            lambda s: _version(s, "bigin", "v1")["operations"].pop("get_bulk_read_job"),
            ["bigin v1: BREAKING operation get_bulk_read_job removed"],
        ),
        (
            lambda s: _version(s, "bigin", "v1")["vocabularies"]["JobStatus"].pop("QUEUED"),
            ["bigin v1: BREAKING vocabulary value JobStatus.QUEUED removed"],
        ),
        (
            lambda s: _version(s, "bigin", "v1")["vocabularies"]["JobStatus"].update(PAUSED=[]),
            ["bigin v1: added    vocabulary value JobStatus.PAUSED added"],
        ),
        (
            lambda s: _version(s, "bigin", "v1")["errors"].update(RESOURCE_NOT_FOUND=410),
            ["bigin v1: BREAKING error code RESOURCE_NOT_FOUND changed (HTTP 404 -> 410)"],
        ),
        (
            lambda s: s["core"]["errors"].update(SOMETHING_NEW=409),
            ["core: added    error code SOMETHING_NEW added (HTTP 409)"],
        ),
        (
            lambda s: _version(s, "bigin", "v1")["docs"].update({"type BulkWriteJob": "0" * 12}),
            ["bigin v1: docs     type BulkWriteJob changed (description)"],
        ),
    ],
)
def test_each_change_is_judged(surface: dict[str, Any], edit: Any, expected: list[str]) -> None:
    assert _lines(_changed(surface, edit)) == expected


def test_a_narrowed_request_field_breaks(surface: dict[str, Any]) -> None:
    widened = copy.deepcopy(surface)
    field = _version(widened, "crm", "v7")["types"]["BulkWriteResourceRequest"]["fields"]["find_by"]
    field["type"] = "string | null"
    assert _lines(diff_surfaces(widened, surface)) == [
        "crm v7: BREAKING field BulkWriteResourceRequest.find_by changed "
        "(type narrowed: string | null -> string)"
    ]


def test_the_worst_change_sets_the_release() -> None:
    assert bump("1.4.2", "breaking") == "2.0.0"
    assert bump("1.4.2", "additive") == "1.5.0"
    assert bump("1.4.2", "docs") == "1.4.3"
    assert bump("1.4.2", None) == "1.4.2"
    docs = Change("crm v7", "zoho-bulk-crm", "type", "X", "changed", "docs")
    added = Change("crm v7", "zoho-bulk-crm", "type", "Y", "added", "additive")
    assert worst([docs, added]) == "additive" and worst([]) is None


def _edit_spec(spec: Path) -> None:
    """Remove a response field of every version, add an optional one, reword a description."""
    types = spec / "types.yaml"
    text = types.read_text()
    removed = '      message: {type: string, description: "Why the resource failed."}\n'
    assert text.count(removed) == 1
    text = text.replace(removed, "")
    text = text.replace(
        "  BulkWriteFile:\n    description: ",
        "  BulkWriteFile:\n    description: Reworded. ",
        1,
    )
    types.write_text(text)


def test_diff_command_from_a_temp_folder(spec_copy: Path, tmp_path: Path) -> None:
    _edit_spec(spec_copy)
    same = run_cli("diff", str(SPEC_DIR), str(SPEC_DIR), cwd=tmp_path)
    assert (same.returncode, same.stdout) == (0, "diff: no change to the generated API\n")
    result = run_cli("diff", str(SPEC_DIR), str(spec_copy), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert "crm v7: BREAKING field BulkWriteResource.message removed" in lines
    assert "bigin v1: docs     type BulkWriteFile changed (description)" in lines
    assert lines[-1].startswith("diff: 22 changes (11 breaking, 0 additive, 11 docs); releases: ")
    assert "zoho-bulk-crm: major" in lines[-1]
    # Reversed, the field comes back: nothing breaks.
    back = run_cli("diff", str(spec_copy), str(SPEC_DIR), cwd=tmp_path)
    assert back.returncode == 0
    assert (
        "crm v7: added    field BulkWriteResource.message added (optional, string)" in back.stdout
    )
    # NEW_SPEC_DIR defaults to the project's spec.
    default = run_cli("diff", str(spec_copy), cwd=SPEC_DIR / "examples")
    assert default.stdout == back.stdout
    missing = run_cli("diff", str(tmp_path / "nothing"), cwd=tmp_path)
    assert missing.returncode == 2 and "spec folder not found" in missing.stderr


def test_committed_packages_carry_their_recorded_version_and_changelog() -> None:
    history = json.loads((SPEC_DIR / "releases" / "history.json").read_text())
    assert set(history) == {
        path.name for path in (GENERATED_DIR / "python").iterdir() if path.is_dir()
    }
    for name, releases in history.items():
        package = GENERATED_DIR / "python" / name
        pyproject = (package / "pyproject.toml").read_text()
        assert f'version = "{releases[0]["version"]}"' in pyproject
        changelog = (package / "CHANGELOG.md").read_text()
        assert changelog.startswith(f"# Changelog of {name}\n")
        assert re.findall(r"^## (\S+)$", changelog, re.M) == [r["version"] for r in releases]


def _pyproject_version(out: Path, name: str) -> str:
    text = (out / "python" / name / "pyproject.toml").read_text()
    match = re.search(r'^version = "([^"]+)"', text, re.M)
    assert match
    return match.group(1)


def test_versions_follow_the_diff_and_release_changes_no_generated_file(work: Path) -> None:
    spec, out = work / "spec", work / "out"
    _edit_spec(spec)
    assert run_cli("generate", "--spec", str(spec), "--out", str(out)).returncode == 0
    assert _pyproject_version(out, "zoho-bulk-crm") == "1.0.0"
    assert _pyproject_version(out, "zoho-bulk-core") == "0.1.0"
    crm = (out / "python/zoho-bulk-crm/pyproject.toml").read_text()
    assert '"zoho-bulk-core==0.1.0"' in crm
    assert (
        '__version__ = "1.0.0"'
        in (out / "python/zoho-bulk-crm/zoho_bulk_crm/__init__.py").read_text()
    )
    changelog = (out / "python/zoho-bulk-crm/CHANGELOG.md").read_text()
    assert (
        "## 1.0.0\n\nBreaking changes:\n\n"
        "- crm v2, v2.1, v3, v4, v5, v6, v7, v8: field BulkWriteResource.message removed\n\n"
        "Documentation and dependencies:\n\n"
        "- crm v2, v2.1, v3, v4, v5, v6, v7, v8: type BulkWriteFile changed (description)\n\n"
        "## 0.1.0\n\nFirst release.\n"
    ) in changelog
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}

    recorded = run_cli("release", "--spec", str(spec))
    assert recorded.returncode == 0, recorded.stderr
    assert "zoho-bulk-crm 1.0.0: 16 changes recorded" in recorded.stdout
    assert "zoho-bulk-core 0.1.0: no change" in recorded.stdout
    again = run_cli("generate", "--spec", str(spec), "--out", str(out))
    assert again.returncode == 0, again.stderr
    after = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    manifest = out / ".zoho-bulkgen-manifest.json"
    assert {k: v for k, v in before.items() if k != manifest} == {
        k: v for k, v in after.items() if k != manifest
    }
    history = json.loads((spec / "releases/history.json").read_text())
    assert [release["version"] for release in history["zoho-bulk-crm"]] == ["1.0.0", "0.1.0"]
    assert spec_surface(spec) == json.loads((spec / "releases/api.json").read_text())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "history.json:1: invalid JSON: Expecting property name enclosed in double quotes"),
        ('{"zoho-bulk-crm": []}', "must be a non-empty list of releases (at /zoho-bulk-crm)"),
        (
            '{"zoho-bulk-crm": [{"version": "1.0", "changes": []}]}',
            "version must be MAJOR.MINOR.PATCH (at /zoho-bulk-crm/0/version)",
        ),
        (
            '{"zoho-bulk-crm": [{"version": "0.1.0", "changes": []}, '
            '{"version": "0.2.0", "changes": []}]}',
            "releases must be newest first (at /zoho-bulk-crm)",
        ),
    ],
)
def test_a_malformed_release_record_is_one_line_and_exit_2(
    spec_copy: Path, tmp_path: Path, content: str, message: str
) -> None:
    (spec_copy / "releases" / "history.json").write_text(content)
    result = run_cli("generate", "--spec", str(spec_copy), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_spec_without_releases_gives_the_generator_version(spec_copy: Path) -> None:
    shutil.rmtree(spec_copy / "releases")
    from generator.changes.releases import plan_releases, render_changelog
    from generator.spec.load import load_spec
    from generator.spec.normalize import normalize_spec

    plan = plan_releases(spec_copy, normalize_spec(load_spec(spec_copy)))
    assert set(plan.versions.values()) == {__import__("generator").__version__}
    assert "No release is recorded in the spec yet." in render_changelog("zoho-bulk-crm", plan)


def test_a_new_core_is_a_patch_release_of_every_product(spec_copy: Path) -> None:
    from generator.changes.releases import plan_releases, render_changelog
    from generator.spec.load import load_spec
    from generator.spec.normalize import normalize_spec

    errors = spec_copy / "errors.yaml"
    text = errors.read_text()
    meaning = '    meaning: "The access token lacks a scope the operation needs."\n'
    assert text.count(meaning) == 1
    errors.write_text(text.replace(meaning, "    meaning: Reworded.\n"))
    plan = plan_releases(spec_copy, normalize_spec(load_spec(spec_copy)))
    assert plan.versions == {
        "zoho-bulk-core": "0.1.1",
        "zoho-bulk-crm": "0.1.1",
        "zoho-bulk-bigin": "0.1.1",
        "zoho-bulk-recruit": "0.1.1",
    }
    assert "- core: error OAUTH_SCOPE_MISMATCH changed (description)\n" in render_changelog(
        "zoho-bulk-core", plan
    )
    assert (
        "- zoho-bulk-bigin: dependency zoho-bulk-core changed (requires 0.1.1)\n"
        in render_changelog("zoho-bulk-bigin", plan)
    )
