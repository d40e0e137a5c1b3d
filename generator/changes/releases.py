"""Package versions and changelogs, derived from the spec's record of releases.

``spec/releases/`` records what was released:

- ``history.json``: per distribution, its releases newest first, each with its
  version and the changes it brought (``{"scope", "level", "text"}``);
- ``api.json``: the generated API (surface.py) at the last release, the
  baseline that the current spec is compared with.

Generation never guesses: each distribution's version is its last recorded
version, bumped by the most severe change since the baseline that concerns it
(major for breaking, minor for additive, patch for documentation only), and its
``CHANGELOG.md`` lists that pending section (under the version it will have)
and then every recorded one. ``zoho-bulkgen release`` records the pending
changes into ``history.json`` and the current API into ``api.json``; the
generated files do not change when it does, so what was built before it is
what was released. A spec without ``releases/`` gives every package the
generator's version and a changelog that says no release is recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import __version__
from generator.changes.diff import LEVELS, Change, diff_surfaces, worst
from generator.changes.surface import SURFACE_FORMAT, api_surface
from generator.errors import SpecError
from generator.spec.model import NormalizedSpec
from generator.targets.python.names import distribution as product_distribution

RELEASES_FOLDER = "releases"
HISTORY_FILE = "history.json"
BASELINE_FILE = "api.json"
CORE_DISTRIBUTION = "zoho-bulk-core"
FIRST_VERSION = "0.1.0"
_HEADINGS = {
    "breaking": "Breaking changes",
    "additive": "Additions",
    "docs": "Documentation and dependencies",
}


@dataclass(frozen=True)
class Release:
    """One recorded (or pending) release of a distribution."""

    version: str
    changes: tuple[dict[str, str], ...]
    """Each ``{"scope", "level", "text"}``."""


@dataclass(frozen=True)
class ReleasePlan:
    """Every distribution's version and changelog for the current spec."""

    recorded: bool
    """Whether the spec records releases at all."""
    versions: dict[str, str]
    history: dict[str, tuple[Release, ...]]
    """Newest first, the pending release (if any) included."""
    pending: dict[str, tuple[Change, ...]]


def distributions(spec: NormalizedSpec) -> list[str]:
    """The generated distributions: core, then one per product."""
    return [CORE_DISTRIBUTION, *(product_distribution(product) for product in spec.products)]


def plan_releases(spec_dir: Path, spec: NormalizedSpec) -> ReleasePlan:
    """Versions and changelogs from ``spec_dir/releases`` and the spec's API now."""
    folder = spec_dir / RELEASES_FOLDER
    names = distributions(spec)
    if not folder.is_dir():
        return ReleasePlan(False, {name: __version__ for name in names}, {}, {})
    recorded = read_history(folder / HISTORY_FILE)
    baseline = read_baseline(folder / BASELINE_FILE)
    current = api_surface(spec)
    changes = [] if current == baseline else diff_surfaces(baseline, current)
    versions: dict[str, str] = {}
    history: dict[str, tuple[Release, ...]] = {}
    pending: dict[str, tuple[Change, ...]] = {}
    for name in names:
        mine = tuple(change for change in changes if change.distribution == name)
        past = recorded.get(name, ())
        level = worst(list(mine))
        if past and level is None:
            version = past[0].version
        elif past:
            version = bump(past[0].version, level)
        else:
            version = FIRST_VERSION
        if name != CORE_DISTRIBUTION and versions[CORE_DISTRIBUTION] != _last(
            recorded, CORE_DISTRIBUTION
        ):
            # The package pins the core: a new core is at least a patch release of it.
            core = versions[CORE_DISTRIBUTION]
            mine += (
                Change(
                    name,
                    name,
                    "dependency",
                    CORE_DISTRIBUTION,
                    "changed",
                    "docs",
                    f"requires {core}",
                ),
            )
            version = bump(past[0].version, worst(list(mine))) if past else FIRST_VERSION
        versions[name] = version
        pending[name] = mine
        upcoming = (Release(version, change_records(mine)),) if mine or not past else ()
        history[name] = upcoming + past
    return ReleasePlan(True, versions, history, pending)


def _last(recorded: dict[str, tuple[Release, ...]], name: str) -> str | None:
    releases = recorded.get(name, ())
    return releases[0].version if releases else None


def bump(version: str, level: str | None) -> str:
    """``version`` raised for a change of ``level``: 1.4.2 -> 2.0.0, 1.5.0 or 1.4.3."""
    major, minor, patch = (int(part) for part in version.split("."))
    if level == "breaking":
        return f"{major + 1}.0.0"
    if level == "additive":
        return f"{major}.{minor + 1}.0"
    if level == "docs":
        return f"{major}.{minor}.{patch + 1}"
    return version


def change_records(changes: Iterable[Change]) -> tuple[dict[str, str], ...]:
    """Changes as history.json holds them."""
    return tuple({"scope": c.scope, "level": c.level, "text": c.text()} for c in changes)


def read_history(path: Path) -> dict[str, tuple[Release, ...]]:
    """history.json; a SpecError naming the place of anything malformed."""
    data = _read_json(path)
    if not isinstance(data, dict):
        raise SpecError(str(path), None, "must be an object of distribution names")
    history: dict[str, tuple[Release, ...]] = {}
    for name, releases in data.items():
        if not isinstance(releases, list) or not releases:
            raise SpecError(str(path), None, "must be a non-empty list of releases", f"/{name}")
        history[name] = tuple(
            _release(path, f"/{name}/{index}", entry) for index, entry in enumerate(releases)
        )
        versions = [_version_key(release.version) or (0, 0, 0) for release in history[name]]
        if versions != sorted(versions, reverse=True) or len(set(versions)) != len(versions):
            raise SpecError(str(path), None, "releases must be newest first", f"/{name}")
    return history


def _release(path: Path, pointer: str, entry: Any) -> Release:
    if not isinstance(entry, dict) or set(entry) != {"version", "changes"}:
        raise SpecError(str(path), None, "a release has exactly 'version' and 'changes'", pointer)
    version = entry["version"]
    if not isinstance(version, str) or _version_key(version) is None:
        raise SpecError(str(path), None, "version must be MAJOR.MINOR.PATCH", f"{pointer}/version")
    changes = entry["changes"]
    if not isinstance(changes, list) or not all(
        isinstance(change, dict)
        and set(change) == {"scope", "level", "text"}
        and change["level"] in LEVELS
        and all(isinstance(value, str) for value in change.values())
        for change in changes
    ):
        raise SpecError(
            str(path),
            None,
            "changes must be a list of {scope, level (breaking, additive or docs), text}",
            f"{pointer}/changes",
        )
    return Release(version, tuple(changes))


def _version_key(version: str) -> tuple[int, int, int] | None:
    parts = version.split(".")
    if len(parts) != 3 or not all(part.isdigit() and part.isascii() for part in parts):
        return None
    return int(parts[0]), int(parts[1]), int(parts[2])


def read_baseline(path: Path) -> dict[str, Any]:
    """api.json; a SpecError when it is not a surface this generator writes."""
    data = _read_json(path)
    if (
        not isinstance(data, dict)
        or data.get("format") != SURFACE_FORMAT
        or not isinstance(data.get("core"), dict)
        or not isinstance(data.get("products"), dict)
    ):
        raise SpecError(
            str(path),
            None,
            f"not an API record of format {SURFACE_FORMAT}; "
            "rewrite it with 'zoho-bulkgen release'",
        )
    return data


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(str(path), None, "missing; 'zoho-bulkgen release' writes it") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(str(path), None, f"cannot read: {exc}") from None
    import orjson

    try:  # orjson reads api.json four times faster; what it refuses, json reads or explains
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(str(path), exc.lineno, f"invalid JSON: {exc.msg}") from None


def render_changelog(distribution: str, plan: ReleasePlan) -> str:
    """The CHANGELOG.md of one distribution."""
    lines = [
        f"# Changelog of {distribution}",
        "",
        "Generated by zoho-bulkgen from the spec's record of releases and the API "
        "changes since the last one; each version follows the most severe change "
        "(major: breaking, minor: additions, patch: documentation only).",
    ]
    releases = plan.history.get(distribution, ())
    if not plan.recorded:
        lines += ["", "No release is recorded in the spec yet."]
    for release in releases:
        lines += ["", f"## {release.version}", ""]
        lines += _release_lines(release) or ["First release."]
    return "\n".join(lines) + "\n"


def _release_lines(release: Release) -> list[str]:
    """One list per level; the same change in several versions of a product on one line."""
    lines: list[str] = []
    for level in LEVELS:
        grouped: dict[str, list[str]] = {}
        for change in release.changes:
            if change["level"] == level:
                grouped.setdefault(change["text"], []).append(change["scope"])
        if not grouped:
            continue
        if lines:
            lines.append("")
        lines += [f"{_HEADINGS[level]}:", ""]
        lines += [f"- {_scopes(scopes)}: {text}" for text, scopes in grouped.items()]
    return lines


def _scopes(scopes: list[str]) -> str:
    """``a v2, v2.1, v3; b v2`` from ``["a v2", "a v2.1", ...]``."""
    by_product: dict[str, list[str]] = {}
    for scope in scopes:
        product, _, version = scope.partition(" ")
        by_product.setdefault(product, [])
        if version:
            by_product[product].append(version)
    return "; ".join(
        f"{product} {', '.join(versions)}" if versions else product
        for product, versions in by_product.items()
    )


def emit_changelogs(plan: ReleasePlan, python_root: str) -> dict[str, str]:
    """``CHANGELOG.md`` of every distribution, keyed by path under generated/."""
    return {
        f"{python_root}/{name}/CHANGELOG.md": render_changelog(name, plan) for name in plan.versions
    }


def record_release(spec_dir: Path, spec: NormalizedSpec) -> ReleasePlan:
    """Write the pending changes into history.json and the current API into api.json.

    The versions and changelogs generated afterwards are the same as before."""
    plan = plan_releases(spec_dir, spec)
    folder = spec_dir / RELEASES_FOLDER
    folder.mkdir(exist_ok=True)
    history = (
        {
            name: [
                {"version": release.version, "changes": list(release.changes)}
                for release in plan.history[name]
            ]
            for name in distributions(spec)
        }
        if plan.recorded
        else {
            name: [{"version": plan.versions[name], "changes": []}] for name in distributions(spec)
        }
    )
    _write_json(folder / HISTORY_FILE, history)
    _write_json(folder / BASELINE_FILE, api_surface(spec))
    return plan


def _write_json(path: Path, data: Any) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)


def spec_surface_and_model(spec_dir: Path) -> tuple[dict[str, Any], NormalizedSpec]:
    """Load, check and normalize a spec folder; its API surface and normalized spec."""
    from generator.spec.load import load_spec
    from generator.spec.normalize import normalize_spec
    from generator.spec.validate import validate_spec

    loaded = load_spec(spec_dir)
    validate_spec(loaded)
    spec = normalize_spec(loaded)
    return api_surface(spec), spec


def spec_surface(spec_dir: Path) -> dict[str, Any]:
    """The API surface of a spec folder."""
    return spec_surface_and_model(spec_dir)[0]
