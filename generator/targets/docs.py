"""Stage 4e, emit the docs pages: the version-difference matrix as Markdown and
as a standalone HTML page, both rendered by Jinja2 templates under
templates/docs/ (the HTML one with autoescaping on)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from generator.output.cache import cache_folder
from generator.spec.model import NormalizedSpec
from generator.targets.templating import new_environment
from generator.targets.version_matrix import Matrix, build_matrix

DOCS_ROOT = "docs"
_PAGES = {
    "docs/version-matrix.md.jinja": f"{DOCS_ROOT}/version-matrix.md",
    "docs/version-matrix.html.jinja": f"{DOCS_ROOT}/version-matrix.html",
}


def emit_docs(spec: NormalizedSpec, matrix: Matrix | None = None) -> dict[str, str]:
    """The docs pages, keyed by path under generated/."""
    matrix = build_matrix(spec) if matrix is None else matrix
    context = {"matrix": matrix, "absent": "—"}
    env = docs_environment()
    return {target: env.get_template(name).render(context) for name, target in _PAGES.items()}


def docs_environment() -> jinja2.Environment:
    """The Jinja2 environment of the docs: HTML templates are autoescaped. One
    per content cache folder (ZOHO_BULKGEN_CACHE may change between builds)."""
    return _docs_environment(cache_folder())


@cache
def _docs_environment(folder: Path | None) -> jinja2.Environment:
    env = new_environment(
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.jinja", "html")),
        cache=folder,
    )
    env.filters["md"] = markdown_cell
    return env


def markdown_cell(value: object) -> str:
    """Text that stays inside one Markdown table cell (pipes and newlines escaped)."""
    text = " ".join(str(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
