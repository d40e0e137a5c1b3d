"""Stage 6, write: compare the new output with generated/ and replace it as a
whole, so a failed or interrupted run leaves the old tree as it was."""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.errors import OutputError
from generator.manifest import MANIFEST

MARKER = ".zoho-bulkgen"
_DEBRIS_DIRS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "build"})
MARKER_TEXT = b"This folder is written by zoho-bulkgen; edit spec/ and templates/ instead.\n"


@dataclass(frozen=True)
class TreeDiff:
    """How the files on disk differ from the files a run would write."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        """True when disk and output agree byte for byte."""
        return not (self.added or self.changed or self.removed)


def with_marker(files: dict[str, bytes]) -> dict[str, bytes]:
    """The output files plus the marker that says the folder is ours."""
    return {**files, MARKER: MARKER_TEXT}


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative POSIX path -> bytes); empty if absent.

    The manifest is not part of the tree: it describes the tree (see manifest.py)."""
    if not root.exists():
        return {}
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not _is_tool_debris(path.relative_to(root).parts):
            relative = path.relative_to(root).as_posix()
            if relative != MANIFEST:
                files[relative] = path.read_bytes()
    return files


def _is_tool_debris(parts: tuple[str, ...]) -> bool:
    """Caches and build leftovers that tools drop into a package folder."""
    return any(part in _DEBRIS_DIRS or part.endswith(".egg-info") for part in parts[:-1])


def diff_tree(current: dict[str, bytes], desired: dict[str, bytes]) -> TreeDiff:
    """Compare two trees."""
    return TreeDiff(
        added=tuple(sorted(set(desired) - set(current))),
        changed=tuple(sorted(p for p in desired if p in current and current[p] != desired[p])),
        removed=tuple(sorted(set(current) - set(desired))),
    )


def describe_diff(
    diff: TreeDiff, current: dict[str, bytes], desired: dict[str, bytes], max_lines: int = 20
) -> str:
    """A short report: one line per file, and the first lines of each text diff."""
    lines: list[str] = []
    for path in diff.added:
        lines.append(f"missing: {path}")
    for path in diff.removed:
        lines.append(f"not generated (stale): {path}")
    for path in diff.changed:
        lines.append(f"differs: {path}")
        old = current[path].decode("utf-8", "replace").splitlines()
        new = desired[path].decode("utf-8", "replace").splitlines()
        patch = list(
            difflib.unified_diff(
                old, new, f"{path} (on disk)", f"{path} (from spec)", lineterm="", n=1
            )
        )
        lines.extend("    " + line for line in patch[:max_lines])
        if len(patch) > max_lines:
            lines.append(f"    ... {len(patch) - max_lines} more diff lines")
    return "\n".join(lines)


def write_tree(root: Path, desired: dict[str, bytes], manifest: bytes | None = None) -> TreeDiff:
    """Make ``root`` hold exactly ``desired``; write nothing if it already does.

    The new tree is built beside ``root`` (unchanged files are hard-linked, not
    rewritten) and swapped in with two renames, so readers see either the old
    tree or the new one. ``manifest``, when given, goes into the new tree with
    it; when the tree is unchanged, only a differing manifest file is replaced
    (atomically, by a rename).
    """
    current = read_tree(root)
    diff = diff_tree(current, desired)
    if diff.is_empty:
        if manifest is not None:
            _refresh_manifest(root, manifest)
        return diff
    if current and MARKER not in current:
        raise OutputError(
            f"{root}: refusing to replace a folder that zoho-bulkgen did not write "
            f"(no {MARKER} file)"
        )
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
    try:
        if manifest is not None:
            (staging / MANIFEST).write_bytes(manifest)
        for relative, content in desired.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if current.get(relative) == content:
                _keep(root / relative, target, content)
            else:
                target.write_bytes(content)
        _swap(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return diff


def _refresh_manifest(root: Path, manifest: bytes) -> None:
    target = root / MANIFEST
    try:
        if target.read_bytes() == manifest:
            return
    except OSError:
        pass
    # Written beside the tree, not in it, so that an interrupted run leaves no
    # stray file inside the tree; then renamed over the old manifest.
    temporary = root.parent / f".{root.name}.manifest-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        with temporary.open("xb") as stream:
            stream.write(manifest)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _keep(existing: Path, target: Path, content: bytes) -> None:
    """Carry an unchanged file into the new tree without rewriting it."""
    try:
        os.link(existing, target)
    except OSError:  # another file system, or links not supported
        target.write_bytes(content)


def _swap(staging: Path, root: Path) -> None:
    if not root.exists():
        os.replace(staging, root)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=root.parent))
    os.rmdir(retired)
    os.replace(root, retired)
    try:
        os.replace(staging, root)
    except BaseException:
        os.replace(retired, root)
        raise
    shutil.rmtree(retired, ignore_errors=True)
