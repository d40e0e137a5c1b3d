"""The README stays short, and every relative link in it and in docs/ leads
somewhere: to a file that exists and, with a ``#fragment``, to one of that
file's headings (as GitHub makes their anchors)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
README_LIMIT = 15_000
"""Issue 11: a README for users of at most 15,000 bytes."""

PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+).+?\1", re.DOTALL)
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def prose(text: str) -> str:
    """``text`` without fenced code blocks and inline code, where a link is not
    a link."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def links(page: Path) -> list[str]:
    """The targets of ``page``'s Markdown links and images."""
    return _LINK.findall(prose(page.read_text("utf-8")))


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: its text (links and code marks dropped),
    lower case, without punctuation, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading anchor of ``page``, with GitHub's ``-1``, ``-2`` for repeats."""
    seen: dict[str, int] = {}
    found = set()
    for heading in _HEADING.findall(_FENCE.sub("", page.read_text("utf-8"))):
        slug = anchor(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def test_the_readme_is_at_most_15000_bytes() -> None:
    size = len(README.read_bytes())
    assert size <= README_LIMIT, f"README.md is {size} bytes; move detail into docs/"


def test_the_readme_links_to_every_docs_page() -> None:
    linked = {(README.parent / target.split("#")[0]).resolve() for target in links(README)}
    unlinked = [page.name for page in PAGES[1:] if page.resolve() not in linked]
    assert not unlinked, f"README.md links to no {unlinked}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_a_file_and_heading(page: Path) -> None:
    broken = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # https:, mailto:, ...: not a file of this repository
        path, _, fragment = target.partition("#")
        destination = (page.parent / unquote(path)).resolve() if path else page
        if not destination.is_relative_to(ROOT):
            broken.append(f"{target}: outside the repository")
        elif not destination.exists():
            broken.append(f"{target}: no file {destination.relative_to(ROOT)}")
        elif fragment and destination.suffix == ".md" and fragment not in anchors(destination):
            broken.append(f"{target}: no heading #{fragment} in {destination.name}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_anchor_rule_follows_github() -> None:
    assert anchor("Reading vendor pages: `extract` and `drift`") == (
        "reading-vendor-pages-extract-and-drift"
    )
    assert anchor("The packages' fast validator") == "the-packages-fast-validator"
    assert anchor("Moving data: `zoho-bulk`") == "moving-data-zoho-bulk"
    assert anchor("Validation: `bench/bench_validation.py` (2026-12-01)") == (
        "validation-benchbench_validationpy-2026-12-01"
    )
    assert anchor("Set-up: two commands") == "set-up-two-commands"


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\nSee [there](missing.md), [here](#title), [gone](#nope), "
        "`[code](not-a-link.md)` and [web](https://example.com).\n\n"
        "```\n[fenced](also-not.md)\n```\n",
        "utf-8",
    )
    assert links(page) == ["missing.md", "#title", "#nope", "https://example.com"]
    assert anchors(page) == {"title"}
