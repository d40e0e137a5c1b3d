"""Where ``schema`` and ``validate`` find the generated JSON Schemas and models.

In order:

1. ``--out DIR``, or the ``generated/`` folder of the project the command runs in:
   schemas from ``schemas/``, models imported from ``python/``;
2. outside a project, the installed product packages (``zoho_bulk_<product>`` ...),
   which carry their schemas as package data beside their models;
3. for a product with no installed package, the schemas shipped inside the
   ``zoho-bulkgen`` distribution itself (``generator/_schemas``, a copy of
   ``generated/schemas`` made when the wheel is built); these have no models,
   so ``validate`` checks with the schema alone and says so.

Only the standard library is imported here.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import paths
from generator.errors import UsageError
from generator.project import unknown
from generator.targets.json_schema import to_strict

GENERATOR_DIR = paths.GENERATOR_DIR
SHIPPED_SCHEMAS = GENERATOR_DIR / "_schemas"
"""The schemas inside an installed zoho-bulkgen wheel."""
CHECKOUT_SCHEMAS = paths.PROJECT_DIR / "generated" / "schemas"
"""The schemas beside the generator in a source checkout (an editable install)."""
PACKAGE_PREFIX = "zoho_bulk_"
CORE_PACKAGE = "zoho_bulk_core"


@dataclass(frozen=True)
class VersionSource:
    """Where one product version's schema files and models are."""

    schemas: Path
    """The folder of ``<operation>.<kind>.json`` files."""
    models_module: str | None
    """The importable models module, or None when only the schemas are at hand."""
    import_roots: tuple[Path, ...] = ()
    """Folders to put first on sys.path before importing ``models_module``."""
    origin: str = ""
    """Where the files come from, for messages."""

    def import_models(self) -> object | None:
        """The models module, ahead of any installed copy when from a tree; None if none."""
        if self.models_module is None:
            return None
        for root in reversed(self.import_roots):
            if str(root) not in sys.path:
                sys.path.insert(0, str(root))
        return importlib.import_module(self.models_module)


Catalog = dict[str, dict[str, VersionSource]]
"""product -> version -> where its files are."""


def version_module(version: str) -> str:
    """The subpackage name of an API version: ``v2.1`` -> ``v2_1``."""
    return version.replace(".", "_")


def scan_schemas(root: Path) -> dict[str, dict[str, Path]]:
    """product -> version -> folder, for a folder laid out as ``generated/schemas``."""
    if not root.is_dir():
        return {}
    return {
        product_dir.name: {
            version_dir.name: version_dir
            for version_dir in sorted(path for path in product_dir.iterdir() if path.is_dir())
        }
        for product_dir in sorted(path for path in root.iterdir() if path.is_dir())
    }


def tree_catalog(out_dir: Path) -> Catalog:
    """The product versions of a generated folder (``generated/``)."""
    python_root = out_dir.resolve() / "python"
    catalog: Catalog = {}
    for product, versions in scan_schemas(out_dir / "schemas").items():
        roots = (
            python_root / "zoho-bulk-core",
            python_root / f"zoho-bulk-{product.replace('_', '-')}",
        )
        catalog[product] = {
            version: VersionSource(
                folder,
                f"{PACKAGE_PREFIX}{product}.{version_module(version)}.models",
                roots,
                str(out_dir),
            )
            for version, folder in versions.items()
        }
    return catalog


def installed_catalog() -> Catalog:
    """The product versions of the installed ``zoho_bulk_*`` packages."""
    catalog: Catalog = {}
    names = sorted(
        module.name
        for module in pkgutil.iter_modules()
        if module.name.startswith(PACKAGE_PREFIX) and module.name != CORE_PACKAGE
    )
    for package in names:
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue
        versions = getattr(module, "VERSIONS", ())
        folder = Path(getattr(module, "__file__", "") or "").parent
        found = {
            version: VersionSource(
                folder / version_module(version) / "schemas",
                f"{package}.{version_module(version)}.models",
                (),
                f"the installed {package} package",
            )
            for version in versions
            if isinstance(version, str) and (folder / version_module(version) / "schemas").is_dir()
        }
        if found:
            catalog[package.removeprefix(PACKAGE_PREFIX)] = found
    return catalog


def shipped_catalog() -> Catalog:
    """The schemas inside the zoho-bulkgen distribution (schemas only, no models)."""
    root = SHIPPED_SCHEMAS if SHIPPED_SCHEMAS.is_dir() else CHECKOUT_SCHEMAS
    return {
        product: {
            version: VersionSource(folder, None, (), "the schemas shipped with zoho-bulkgen")
            for version, folder in versions.items()
        }
        for product, versions in scan_schemas(root).items()
    }


def outside_catalog() -> Catalog:
    """What a command outside any project can use: installed packages first, then
    the shipped schemas for the products with no installed package."""
    catalog = shipped_catalog()
    catalog.update(installed_catalog())
    return catalog


def load_schema(
    source: Path | Catalog,
    product: str,
    version: str,
    operation: str,
    *,
    request: bool,
    strict: bool,
) -> dict[str, Any]:
    """The generated schema of an operation's response (or request) body; for a
    callback, the notification body the vendor posts. ``source`` is a generated
    folder or a catalog of product versions (generator.payloads.schema_store)."""
    found = find_version(source, product, version)
    schema: dict[str, Any] = json.loads(
        _schema_file(found, product, version, operation, request).read_text(encoding="utf-8")
    )
    return to_strict(schema) if strict and not request else schema


def find_version(source: Path | Catalog, product: str, version: str) -> VersionSource:
    """Where ``product`` ``version``'s files are; a usage error naming the
    closest known name when there is no such product or version."""
    catalog = tree_catalog(source) if isinstance(source, Path) else source
    if not catalog:
        where = f"{source / 'schemas'}: " if isinstance(source, Path) else ""
        raise UsageError(f"{where}no generated schemas; run 'zoho-bulkgen generate' first")
    if product not in catalog:
        raise UsageError(unknown("unknown product", product, catalog))
    if version not in catalog[product]:
        raise UsageError(unknown(f"{product} has no version", version, catalog[product]))
    return catalog[product][version]


def _schema_file(
    found: VersionSource, product: str, version: str, operation: str, request: bool
) -> Path:
    kinds = ["request"] if request else ["response", "notification"]
    for kind in kinds:
        path = found.schemas / f"{operation}.{kind}.json"
        if path.is_file():
            return path
    names = {path.name.split(".")[0] for path in found.schemas.glob("*.json")}
    if operation not in names:
        raise UsageError(unknown(f"{product} {version} has no operation", operation, names))
    raise UsageError(f"{product} {version} {operation} has no {kinds[0]} body")
