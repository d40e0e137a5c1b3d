"""Which product, version and operation a request path belongs to, read from
the spec's operations (their path templates and path parameter patterns)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.spec.model import NormalizedSpec, Operation, Product, ProductVersion

TOKEN_PATH = "/oauth/v2/token"
"""The accounts server's token endpoint (refresh-token grants)."""

WRITE_RESULT_PATH = "/{version}/{prefix}/org{org_id}/bulk-write/{job_id}/{job_id}.zip"
"""Where the mock serves a finished bulk write job's result: the layout of the
vendor's download URLs, on the mock's own host."""

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Route:
    """An operation of one product version and the paths it answers."""

    product: Product
    version: ProductVersion
    operation: Operation
    pattern: re.Pattern[str]
    param_patterns: dict[str, re.Pattern[str]]
    """Each path parameter's own pattern, checked after the path matched."""


@dataclass(frozen=True)
class Match:
    """A route whose path matched, and the path parameters it captured."""

    route: Route
    params: dict[str, str]

    @property
    def params_valid(self) -> bool:
        """Whether every captured parameter matches its documented pattern."""
        return all(
            pattern.fullmatch(self.params.get(name, "")) is not None
            for name, pattern in self.route.param_patterns.items()
        )


class Router:
    """Every route of every product version in the spec."""

    def __init__(self, spec: NormalizedSpec) -> None:
        self.routes: list[Route] = []
        for product in spec.products:
            for version in product.versions:
                for operation in version.operations:
                    template = operation.path
                    if template is None and operation.url_param is not None:
                        template = write_result_template(product, version)
                    if template is None:
                        continue
                    self.routes.append(_route(product, version, operation, template))

    def match(self, path: str) -> list[Match]:
        """Every route whose path template matches ``path``."""
        found = []
        for route in self.routes:
            result = route.pattern.fullmatch(path)
            if result is not None:
                found.append(Match(route, result.groupdict()))
        return found


def write_result_template(product: Product, version: ProductVersion) -> str:
    """The result download path of ``product`` ``version``, ``{org_id}`` and ``{job_id}`` open."""
    return WRITE_RESULT_PATH.replace("{version}", version.version).replace(
        "{prefix}", product.path_prefix
    )


def _route(product: Product, version: ProductVersion, operation: Operation, template: str) -> Route:
    declared = {param.name: param.pattern for param in operation.path_params}
    param_patterns = {
        name: re.compile(_unanchored(pattern))
        for name, pattern in declared.items()
        if "{" + name + "}" in template
    }
    pieces: list[str] = []
    seen: set[str] = set()
    position = 0
    for placeholder in _PLACEHOLDER.finditer(template):
        pieces.append(re.escape(template[position : placeholder.start()]))
        name = placeholder.group(1)
        if name in seen:
            pieces.append(f"(?P={name})")
        else:
            seen.add(name)
            pieces.append(f"(?P<{name}>[^/]+)")
        position = placeholder.end()
    pieces.append(re.escape(template[position:]))
    return Route(product, version, operation, re.compile("".join(pieces)), param_patterns)


def _unanchored(pattern: str) -> str:
    """A documented pattern without its ``^``/``$`` anchors (fullmatch anchors it)."""
    return pattern.removeprefix("^").removesuffix("$")
