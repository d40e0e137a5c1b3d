"""A run takes the Python files an earlier run wrote when their recipe is the
same (reuse.py): it never changes the bytes produced, it skips black and
datamodel-code-generator for what did not change, and it trusts nothing the
tree or its manifest cannot prove."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.output.cache import CACHE_ENV, JOBS_ENV
from generator.output.manifest import MANIFEST, sha256
from generator.output.reuse import read_earlier_outputs
from generator.output.write import read_tree
from tests.conftest import ROOT, run_cli, run_cli_in_process

SLOW_TOOLS = ("black", "datamodel_code_generator")


def _forget_inputs(out: Path) -> None:
    """Make the manifest's input hash stale (as after any edit of the spec,
    templates or generator), so that the next run builds."""
    manifest = out / MANIFEST
    document = json.loads(manifest.read_text())
    document["inputs"] = "0" * 64
    manifest.write_text(json.dumps(document, indent=2) + "\n")


def _generate(base: Path, cache: Path | str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """``generate`` in a fresh interpreter with ``cache`` as its content cache;
    its result and the top-level modules it imported."""
    # One job: the tools then run (and are imported) in this very process.
    env = {**os.environ, CACHE_ENV: str(cache), JOBS_ENV: "1"}
    result, modules = run_cli_in_process("generate", base, env)
    return result, {name.split(".")[0] for name in modules}


def _cold_build(spec: Path, out: Path) -> dict[str, bytes]:
    """The tree a run with no cache and no earlier output writes."""
    env = {**os.environ, CACHE_ENV: "off"}
    result = run_cli("generate", "--spec", str(spec), "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    return read_tree(out)


def _formatted_by_black(cache: Path) -> int:
    """How many files black formatted in runs that used ``cache``."""
    return sum(1 for path in (cache / "black").rglob("*") if path.is_file())


def test_an_unchanged_spec_is_regenerated_without_the_slow_tools(
    work: Path, tmp_path: Path
) -> None:
    before = read_tree(work / "out")
    _forget_inputs(work / "out")
    result, modules = _generate(work, tmp_path / "empty-cache")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert not modules & set(SLOW_TOOLS)
    assert read_tree(work / "out") == before


def test_a_spec_edit_reruns_the_tools_only_where_it_lands_and_matches_a_cold_build(
    work: Path, tmp_path: Path
) -> None:
    # A type's description: models change, clients and core do not.
    types = work / "spec/types.yaml"
    types.write_text(
        types.read_text().replace(
            "One module's part of a bulk write job.", "One module in a bulk write job."
        )
    )
    cache = tmp_path / "cache"
    result, modules = _generate(work, cache)
    assert result.returncode == 0, result.stderr
    assert "changed" in result.stdout
    after = read_tree(work / "out")
    assert after == _cold_build(work / "spec", tmp_path / "cold")
    python_files = [path for path in after if path.endswith(".py")]
    changed_python = [
        path for path in python_files if "One module in a bulk write job." in after[path].decode()
    ]
    assert changed_python  # the edit reached some models
    # The models writer made them again, laid out as black would: neither
    # datamodel-code-generator nor black had to run (docs/generation-speed.md).
    assert not modules & set(SLOW_TOOLS)
    assert _formatted_by_black(cache) == 0


def test_an_output_edited_by_hand_is_made_again(work: Path, tmp_path: Path) -> None:
    client = work / "out/python/zoho-bulk-crm/zoho_bulk_crm/v8/client.py"
    original = client.read_bytes()
    client.write_bytes(original.replace(b"class ", b"class Edited", 1))
    _forget_inputs(work / "out")
    result, modules = _generate(work, tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    assert client.read_bytes() == original
    # Made again from its template, which lays it out as black does.
    assert "black" not in modules


def test_a_manifest_cannot_point_outside_the_tree_or_at_other_bytes(work: Path) -> None:
    out = work / "out"
    document = json.loads((out / MANIFEST).read_text())
    recipe, path = "f" * 64, "../spec/products.yaml"
    outside = (work / "spec/products.yaml").read_bytes()
    document["recipes"] = {
        path: recipe,
        str(work / "outside.py"): "e" * 64,
        "python/zoho-bulk-core/zoho_bulk_core/auth.py": "d" * 64,
    }
    document["files"][path] = sha256(outside)
    absolute = work / "outside.py"
    absolute.write_text("print('not ours')\n")
    document["files"][str(absolute)] = sha256(absolute.read_bytes())
    document["files"]["python/zoho-bulk-core/zoho_bulk_core/auth.py"] = sha256(b"other bytes")
    (out / MANIFEST).write_text(json.dumps(document))
    earlier = read_earlier_outputs(out)
    assert earlier.texts == {}


def test_the_tree_read_once_gives_what_reading_the_folder_gives(work: Path) -> None:
    out = work / "out"
    tree = read_tree(out)
    earlier = read_earlier_outputs(out)
    assert earlier.texts and read_earlier_outputs(out, tree) == earlier
    # A file the tree does not hold is not reused, even though the folder has it.
    client = "python/zoho-bulk-crm/zoho_bulk_crm/v8/client.py"
    without = read_earlier_outputs(out, {p: b for p, b in tree.items() if p != client})
    assert client in tree and len(without.texts) == len(earlier.texts) - 1
    assert tree[client].decode() not in without.texts.values()


@pytest.mark.parametrize("text", ["not json", "[]", '{"format": 2, "recipes": [], "files": {}}'])
def test_a_broken_manifest_means_nothing_to_reuse(work: Path, text: str) -> None:
    (work / "out" / MANIFEST).write_text(text)
    assert read_earlier_outputs(work / "out").texts == {}


def _vouch_for_an_edit(out: Path) -> Path:
    """Append a comment to a client and record its new hash in the manifest,
    so that reuse would take the edited file as an earlier output."""
    client = out / "python/zoho-bulk-crm/zoho_bulk_crm/v8/client.py"
    client.write_bytes(client.read_bytes() + b"# taken from the tree\n")
    manifest = out / MANIFEST
    document = json.loads(manifest.read_text())
    document["files"]["python/zoho-bulk-crm/zoho_bulk_crm/v8/client.py"] = sha256(
        client.read_bytes()
    )
    manifest.write_text(json.dumps(document, indent=2) + "\n")
    _forget_inputs(out)
    return client


def test_cache_off_turns_reuse_off(work: Path, tmp_path: Path) -> None:
    client = _vouch_for_an_edit(work / "out")
    result, _ = _generate(work, "off")
    assert result.returncode == 0, result.stderr
    assert not client.read_bytes().endswith(b"# taken from the tree\n")


def test_reuse_takes_what_the_manifest_vouches_for(work: Path, tmp_path: Path) -> None:
    # The other side of the test above: with the cache on, the (vouched-for)
    # earlier output is taken as it is.
    client = _vouch_for_an_edit(work / "out")
    result, _ = _generate(work, tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    assert client.read_bytes().endswith(b"# taken from the tree\n")


def test_recipes_change_with_the_formatting_code_and_the_tool_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A recipe must capture what acts on the text after it is taken: black's
    # settings live in format.py's code, not only in the strings hashed.
    import generator.output.reuse as reuse
    from generator.output.format import json_recipe, python_recipe

    def recipes() -> tuple[str, str]:
        reuse.step_identity.cache_clear()
        return python_recipe("x = 1\n"), json_recipe({"a": 1})

    before = recipes()
    copy = tmp_path / "generator"
    shutil.copytree(ROOT / "generator", copy)
    (copy / "output" / "format.py").write_text(
        (copy / "output" / "format.py")
        .read_text()
        .replace("line_length=BLACK_LINE_LENGTH", "line_length=99")
    )
    monkeypatch.setattr(reuse, "GENERATOR_DIR", copy)
    changed_code = recipes()
    monkeypatch.undo()
    versions = reuse.tool_versions()
    monkeypatch.setattr(reuse, "tool_versions", lambda: {**versions, "isort": "0.0.1"})
    changed_tool = recipes()
    monkeypatch.undo()
    assert recipes() == before
    assert changed_code[0] != before[0] and changed_code[1] != before[1]
    assert changed_tool[0] != before[0] and changed_tool[1] != before[1]


@pytest.mark.parametrize("module", ["targets/python/shared_models.py", "targets/python/imports.py"])
def test_recipes_change_with_the_code_that_shares_models_and_drops_imports(
    module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both act on texts after their recipes are taken (a shared models.py, a
    # client's pruned imports): a change to either must not let an old text through.
    import generator.output.reuse as reuse

    reuse.step_identity.cache_clear()
    before = reuse.step_identity()
    copy = tmp_path / "generator"
    shutil.copytree(ROOT / "generator", copy)
    (copy / module).write_text((copy / module).read_text() + "\n# changed\n")
    monkeypatch.setattr(reuse, "GENERATOR_DIR", copy)
    reuse.step_identity.cache_clear()
    changed = reuse.step_identity()
    monkeypatch.undo()
    reuse.step_identity.cache_clear()
    assert changed != before and reuse.step_identity() == before
