"""Stage 4c, emit the client packages: Jinja2 templates render the shared
runtime (zoho-bulk-core) and one distribution per product, with one subpackage
per API version. Templates only loop and format; every decision is made here
or in normalize."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from generator import __version__, paths
from generator.output.cache import cache_folder, cached_text
from generator.output.reuse import step_identity
from generator.spec.model import (
    STATUS_VOCABULARY,
    ErrorCode,
    NormalizedSpec,
    Product,
    ProductVersion,
)
from generator.spec.type_expr import Named
from generator.targets.python.imports import drop_unused_imports
from generator.targets.python.names import (
    PythonProduct,
    PythonVersion,
    distribution,
    error_classes,
    module_name,
    package,
    python_product,
    python_vocabulary,
)
from generator.targets.python.shared_clients import RenderedClient, share_clients
from generator.targets.python.text import (
    docstring_text,
    markdown_text,
    python_literal,
    snake_case,
    toml_string,
)
from generator.targets.python.views import (
    call_lines,
    common_raises,
    descriptor_name,
    operation_views,
)
from generator.targets.templating import new_environment

RUNTIME_DIR = paths.RUNTIME_DIR / "zoho_bulk_core"
"""The hand-written runtime (zoho_bulk_core), copied into the tree byte for byte."""
PYTHON_ROOT = "python"
CORE_ROOT = f"{PYTHON_ROOT}/zoho-bulk-core"

_CORE_FILES = {
    "core/pyproject.toml.jinja": "pyproject.toml",
    "core/README.md.jinja": "README.md",
    "core/spec_data.py.jinja": "zoho_bulk_core/spec_data.py",
    "core/error_codes.py.jinja": "zoho_bulk_core/error_codes.py",
    "core/vocabulary.py.jinja": "zoho_bulk_core/vocabulary.py",
}
"""The core files made from the spec: its data modules and the package's metadata.
The rest of zoho_bulk_core is the hand-written runtime, copied as it is."""
_PRODUCT_FILES = {
    "product/pyproject.toml.jinja": "pyproject.toml",
    "product/README.md.jinja": "README.md",
    "product/__init__.py.jinja": "{package}/__init__.py",
    "product/_hosts.py.jinja": "{package}/_hosts.py",
}
_CLIENT_TEMPLATE = "product/version/client.py.jinja"
_SHARED_CLIENT = "product/version/client_shared.py.jinja"
"""The client of a version that is an earlier version's at its own paths."""

_VERSION_FILES = {
    "product/version/__init__.py.jinja": "{package}/{module}/__init__.py",
    _CLIENT_TEMPLATE: "{package}/{module}/client.py",
    "product/version/callbacks.py.jinja": "{package}/{module}/callbacks.py",
    "product/version/validation.py.jinja": "{package}/{module}/validation.py",
}

_PRUNED_IMPORTS = frozenset({_CLIENT_TEMPLATE})
"""Templates that import all their code may need; what a spec's module does
not use is dropped after rendering."""

_LIFECYCLE_ROLES = {
    "read": {
        "create": "create-read-job",
        "fetch": "get-read-job",
        "download": "download-read-result",
    },
    "write": {"fetch": "get-write-job", "download": "download-write-result"},
}
"""The roles of the operations each lifecycle's helpers (a waiter, a row
iterator) are built on: a version has the helpers when it has all of them."""


@dataclass(frozen=True)
class ErrorView:
    """An error code as the errors template needs it."""

    code: str
    http_status: int
    meaning: str
    class_name: str
    base_class: str
    elsewhere: str
    """Where the code comes with another status ("" if nowhere), as a sentence."""


def emit_packages(
    spec: NormalizedSpec,
    models: dict[tuple[str, str], str],
    versions: Mapping[str, str] | None = None,
    model_homes: Mapping[tuple[str, str], Mapping[str, str]] | None = None,
) -> dict[str, str]:
    """Every file of the Python packages, keyed by path under generated/.

    ``models`` holds the models source per (product, version); ``versions`` each
    distribution's version (generator.changes.releases), the generator's own by
    default; ``model_homes`` where each (product, version)'s model classes are
    defined (shared_models.model_homes), which decides what clients share
    (shared_clients); without it, no version shares an earlier one's client.
    """
    env = template_environment()
    versions = versions or {}
    homes = model_homes or {}
    core_version = versions.get("zoho-bulk-core", __version__)
    common: dict[str, Any] = {"package_version": core_version, "auth": spec.auth}
    files: dict[str, str] = {}
    classes = error_classes(spec)
    listed = _statuses_listed(spec)
    errors = [_error_view(error, classes[error.code], listed) for error in spec.errors]
    core_context = {
        **common,
        "data_centers": spec.data_centers,
        "host_kinds": spec.host_kinds,
        "environments": environments(spec),
        "accounts_kind": spec.kinds_serving("accounts")[0].name,
        "token_domain_kind": next(
            (kind.name for kind in spec.host_kinds if kind.token_domain), None
        ),
        "vocabularies": [python_vocabulary(vocabulary) for vocabulary in spec.vocabularies],
        "products": [python_product(product) for product in spec.products],
        "errors": errors,
        "error_bases": sorted({"ApiError", *(error.base_class for error in errors)}),
    }
    for template, target in _CORE_FILES.items():
        files[f"{CORE_ROOT}/{target}"] = env.get_template(template).render(core_context)
    files.update(runtime_files())
    files[f"{CORE_ROOT}/zoho_bulk_core/py.typed"] = ""
    for product in map(python_product, spec.products):
        root = f"{PYTHON_ROOT}/{product.distribution}"
        context = {
            **common,
            "product": product,
            "package_version": versions.get(product.distribution, __version__),
            "core_version": core_version,
            "examples": example_operations(product.versions[-1].ir),
        }
        for template, target in _PRODUCT_FILES.items():
            files[f"{root}/{target.format(package=product.package)}"] = env.get_template(
                template
            ).render(context)
        files[f"{root}/{product.package}/py.typed"] = ""
        rendered: list[RenderedClient] = []
        for version in product.versions:
            operations = operation_views(version.ir, classes)
            version_context = {
                **context,
                "version": version,
                "operations": operations,
                "common_raises": common_raises(version.ir, classes),
                "lifecycle": {name: lifecycle_view(version.ir, name) for name in _LIFECYCLE_ROLES},
                "keyword_types": sorted({op.options for op in operations if op.options}),
                "call": call_lines,
                "examples": example_operations(version.ir),
            }
            for template, target in _VERSION_FILES.items():
                path = target.format(package=product.package, module=version.module_name)
                text = env.get_template(template).render(version_context)
                if template in _PRUNED_IMPORTS:
                    text = _without_unused_imports(text)
                files[f"{root}/{path}"] = text
            rendered.append(
                RenderedClient(
                    version.ir,
                    version.module_name,
                    files[_client_path(root, product, version)],
                    homes.get((product.name, version.version), {}),
                )
            )
            files[models_path(product.ir, version.ir)] = models[(product.name, version.version)]
        if not model_homes:
            continue
        for version, shared in zip(
            product.versions, share_clients(product.package, rendered), strict=True
        ):
            if shared is not None:
                text = env.get_template(_SHARED_CLIENT).render(
                    {
                        **context,
                        "version": version,
                        "shared": shared,
                        "common_raises": common_raises(version.ir, classes),
                    }
                )
                files[_client_path(root, product, version)] = _without_unused_imports(text)
    return files


def _client_path(root: str, product: PythonProduct, version: PythonVersion) -> str:
    """Where ``version``'s client.py goes, under the distribution's ``root``."""
    target = _VERSION_FILES[_CLIENT_TEMPLATE]
    return f"{root}/" + target.format(package=product.package, module=version.module_name)


def _without_unused_imports(text: str) -> str:
    """``drop_unused_imports(text)``, kept in the content cache under the text
    and what shapes every step's output, the pruning code included (an edit
    of the spec that leaves a client's text alone does not parse it again)."""
    parts = (step_identity(), text)
    return cached_text("imports", parts, lambda: drop_unused_imports(text))


def models_path(product: Product, version: ProductVersion) -> str:
    """Where ``version``'s models.py goes, under generated/."""
    return (
        f"{PYTHON_ROOT}/{distribution(product)}/{package(product)}/"
        f"{module_name(version.version)}/models.py"
    )


def lifecycle_view(version: ProductVersion, lifecycle: str) -> dict[str, str] | None:
    """What the client template needs to write ``lifecycle``'s helpers: the
    descriptors of the operations they perform, the helpers' names (the spec's
    ``helper`` and ``batch_helper``), the job type, the field holding its state
    and, for reading, the request type and its keyword arguments; None when the
    version lacks one."""
    operations = {
        step: version.operation_with_role(role)
        for step, role in _LIFECYCLE_ROLES[lifecycle].items()
    }
    get, download = operations["fetch"], operations["download"]
    if any(op is None for op in operations.values()) or get is None or download is None:
        return None
    if get.helper is None or download.helper is None or get.returns_type is None:
        return None
    state_field = _state_field(version, get.returns_type)
    if state_field is None or not get.path_params:
        return None
    view = {step: descriptor_name(op) for step, op in operations.items() if op is not None}
    view |= {"wait": get.helper, "iterate": download.helper, "job_type": get.returns_type}
    view |= {"state_field": state_field, "batches": download.batch_helper or ""}
    create = operations.get("create")
    if create is not None:
        if create.request_type is None or not download.path_params:
            return None
        view["request_type"] = create.request_type
        view["options"] = create.request_keywords or ""
    return view


def example_operations(version: ProductVersion) -> dict[str, str | None]:
    """The operations the docs' examples call: a job getter (or the first
    operation) and a creator whose request they check, with the job's state field."""
    get = version.operation_with_role("get-write-job") or version.operation_with_role(
        "get-read-job"
    )
    get = get or version.operations[0]
    create = version.operation_with_role("create-write-job") or version.operation_with_role(
        "create-read-job"
    )
    return {
        "fetch": get.name,
        "create": create.name if create is not None else None,
        "state_field": _state_field(version, get.returns_type) if get.returns_type else None,
    }


def _state_field(version: ProductVersion, type_name: str) -> str | None:
    """The field of ``type_name`` that holds the job's status vocabulary."""
    for field in version.type_named(type_name).fields:
        if isinstance(field.type, Named) and field.type.name == STATUS_VOCABULARY:
            return field.name
    return None


def runtime_files() -> dict[str, str]:
    """The hand-written runtime's modules, keyed by their path under generated/
    (already laid out as black does: they are copied byte for byte)."""
    return {
        f"{CORE_ROOT}/zoho_bulk_core/{path.name}": path.read_bytes().decode("utf-8")
        for path in sorted(RUNTIME_DIR.glob("*.py"))
    }


def runtime_paths() -> frozenset[str]:
    """The paths under generated/ of the runtime's modules."""
    return frozenset(f"{CORE_ROOT}/zoho_bulk_core/{path.name}" for path in RUNTIME_DIR.glob("*.py"))


def environments(spec: NormalizedSpec) -> list[str]:
    """Every environment a client may choose: production, then those the host
    kinds name, in the spec's order."""
    named = [name for kind in spec.host_kinds for name, _ in kind.environments]
    return list(dict.fromkeys(["production", *named]))


def package_schemas(
    spec: NormalizedSpec, schemas: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The payload schemas again, inside each product package (``<version>/schemas/``),
    so that an installed package validates payloads without the repository."""
    shipped: dict[str, dict[str, Any]] = {}
    for product in spec.products:
        for version in product.versions:
            prefix = f"schemas/{product.name}/{version.version}/"
            target = (
                f"{PYTHON_ROOT}/{distribution(product)}/{package(product)}/"
                f"{module_name(version.version)}/schemas/"
            )
            for path, schema in schemas.items():
                if path.startswith(prefix):
                    shipped[target + path.removeprefix(prefix)] = schema
    return shipped


def template_environment() -> jinja2.Environment:
    """The Jinja2 environment of the package templates (code: no autoescaping;
    spec text goes through the filters below), one per content cache folder
    (which ZOHO_BULKGEN_CACHE may change between two builds in one process)."""
    return _template_environment(cache_folder())


@cache
def _template_environment(folder: Path | None) -> jinja2.Environment:
    env = new_environment(autoescape=False, cache=folder)
    env.filters["pyrepr"] = python_literal
    env.filters["docstring"] = docstring_text
    env.filters["snake"] = snake_case
    env.filters["toml"] = toml_string
    env.filters["md"] = markdown_text
    return env


_Listed = dict[str, list[tuple[str, int, str]]]
"""Each error code's listings in the operations: (product and version,
HTTP status, operation), in spec order."""


def _statuses_listed(spec: NormalizedSpec) -> _Listed:
    listed: _Listed = {}
    for product in spec.products:
        for version in product.versions:
            where = f"{product.name} {version.version}"
            for operation in version.operations:
                for error in operation.errors:
                    listed.setdefault(error.code, []).append(
                        (where, error.http_status, operation.name)
                    )
    return listed


def _error_view(error: ErrorCode, class_name: str, listed: _Listed) -> ErrorView:
    return ErrorView(
        code=error.code,
        http_status=error.http_status,
        meaning=error.meaning,
        class_name=class_name,
        base_class=_status_base_class(error.http_status),
        elsewhere=_other_statuses(error, listed.get(error.code, [])),
    )


def _other_statuses(error: ErrorCode, listings: list[tuple[str, int, str]]) -> str:
    """``Also HTTP 400 in <operation> of <product> v8.``: where the spec gives
    the code another status, grouped by status and operations."""
    by_version: dict[str, dict[int, list[str]]] = {}
    for where, status, operation in listings:
        if status != error.http_status:
            by_version.setdefault(where, {}).setdefault(status, []).append(operation)
    places: dict[tuple[int, tuple[str, ...]], list[str]] = {}
    for where, statuses in by_version.items():
        for status, operations in statuses.items():
            places.setdefault((status, tuple(sorted(operations))), []).append(where)
    return " ".join(
        f"Also HTTP {status} in {', '.join(operations)} of {', '.join(versions)}."
        for (status, operations), versions in sorted(places.items())
    )


def _status_base_class(http_status: int) -> str:
    if http_status >= 500:
        return "ServerError"
    return {
        400: "BadRequestError",
        401: "AuthenticationError",
        403: "PermissionDeniedError",
        404: "NotFoundError",
        413: "PayloadTooLargeError",
        429: "RateLimitError",
    }.get(http_status, "ApiError")
