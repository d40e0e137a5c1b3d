"""Stage 6, write: compare the new output with generated/ and replace it as a
whole, so a failed or interrupted run leaves the old tree as it was."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.errors import OutputError
from generator.output.manifest import DEBRIS_DIRS, MANIFEST

MARKER = ".zoho-bulkgen"
MARKER_TEXT = (
    b"This folder is written by zoho-bulkgen; edit spec/, templates/ and runtime/ instead.\n"
)


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
    """Every file under ``root`` (relative POSIX path -> bytes, in path order);
    empty if absent. Folders linked from elsewhere are not entered.

    The manifest is not part of the tree: it describes the tree (see manifest.py)."""
    if not root.is_dir():
        return {}
    files: dict[str, bytes] = {}
    _read_folder(str(root), "", files)
    return dict(sorted(files.items(), key=lambda item: item[0].split("/")))


def _read_folder(folder: str, prefix: str, files: dict[str, bytes]) -> None:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not _is_tool_debris(entry.name):
                    _read_folder(entry.path, f"{prefix}{entry.name}/", files)
            elif entry.is_file() and f"{prefix}{entry.name}" != MANIFEST:
                with open(entry.path, "rb") as stream:
                    files[f"{prefix}{entry.name}"] = stream.read()


def read_own_tree(root: Path) -> dict[str, bytes]:
    """``read_tree(root)`` of a folder write_tree may replace; OutputError for
    any other (checked first, so that a wrong ``--out`` is never read)."""
    _check_ours(root)
    return read_tree(root)


def _is_tool_debris(folder: str) -> bool:
    """Caches and build leftovers that tools drop into a package folder."""
    return folder in DEBRIS_DIRS or folder.endswith(".egg-info")


def diff_tree(current: Mapping[str, bytes], desired: Mapping[str, bytes]) -> TreeDiff:
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


def write_tree(
    root: Path,
    desired: dict[str, bytes],
    manifest: bytes | None = None,
    current: Mapping[str, bytes] | None = None,
) -> TreeDiff:
    """Make ``root`` hold exactly ``desired``; write nothing if it already does.

    The new tree is built beside ``root`` (unchanged files are hard-linked, not
    rewritten) and swapped in by one atomic exchange of the two folders where
    the system has one (Linux), else by two renames, so readers see either the
    old tree or the new one. A run killed on the way leaves only hidden
    ``.<name>.new-<pid>-...`` or ``.old-`` folders beside ``root``, which the
    next run removes. ``manifest``, when given, goes into the new tree with
    it; when the tree is unchanged, only a differing manifest file is replaced
    (atomically, by a rename). ``current``, when given, is what
    ``read_tree(root)`` gave earlier in the run, and is not read again.
    """
    _check_ours(root)
    remove_leftovers(root)
    if current is None:
        current = read_tree(root)
    diff = diff_tree(current, desired)
    if diff.is_empty:
        if manifest is not None:
            _refresh_manifest(root, manifest)
        return diff
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = _make_sibling(root, "new")
    try:
        if manifest is not None:
            (staging / MANIFEST).write_bytes(manifest)
        # Each folder once, parents first: a mkdir is a slow call on some file
        # systems, and one per file tried every folder again.
        for folder in sorted({Path(relative).parent for relative in desired}):
            (staging / folder).mkdir(parents=True, exist_ok=True)
        for relative, content in desired.items():
            target = staging / relative
            if current.get(relative) == content:
                _keep(root / relative, target, content)
            else:
                target.write_bytes(content)
        _swap(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return diff


def _check_ours(root: Path) -> None:
    """Refuse to replace anything but a folder zoho-bulkgen wrote, or an empty one."""
    if root.exists() and not root.is_dir():
        raise OutputError(f"{root}: is not a folder; refusing to replace it")
    if root.is_dir() and not (root / MARKER).is_file() and any(root.iterdir()):
        raise OutputError(
            f"{root}: refusing to replace a folder that zoho-bulkgen did not write "
            f"(no {MARKER} file)"
        )


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


def _make_sibling(root: Path, kind: str) -> Path:
    """A new empty folder beside ``root``, named after this process, with the
    permissions a plain mkdir gives (mkdtemp's are owner-only)."""
    folder = Path(tempfile.mkdtemp(prefix=f".{root.name}.{kind}-{os.getpid()}-", dir=root.parent))
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    return folder


def remove_leftovers(root: Path) -> None:
    """Remove the staging and retired folders (and manifest temporaries) that
    runs killed on the way left beside ``root``; those of live processes stay."""
    if not root.parent.is_dir():
        return
    pattern = re.compile(rf"^\.{re.escape(root.name)}\.(new|old|manifest)-(\d+)-")
    for entry in root.parent.iterdir():
        match = pattern.match(entry.name)
        if match is None or _alive(int(match.group(2))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but another user's
        return True
    return True


def _swap(staging: Path, root: Path) -> None:
    if not root.exists():
        os.replace(staging, root)
        return
    if _exchange(staging, root):
        # ``staging`` now holds the old tree.
        shutil.rmtree(staging, ignore_errors=True)
        return
    retired = _make_sibling(root, "old")
    os.rmdir(retired)
    os.replace(root, retired)
    try:
        os.replace(staging, root)
    except BaseException:
        os.replace(retired, root)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE);
    False where the system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # an older C library
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return bool(result == 0)
