"""Which product, version and operation a request path belongs to, read from
the spec's operations (their path templates and path parameter patterns)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.spec.model import NormalizedSpec, Operation, Product, ProductVersion

TOKEN_PATH = "/oauth/v2/token"
"""The accounts server's token endpoint (refresh-token grants)."""

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
                    template = operation.path or url_template(operation)
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


def url_template(operation: Operation) -> str | None:
    """Where the mock serves what ``operation``'s whole-URL parameter points
    at (its url_layout, each part filled as the spec says, on the mock's own
    host), ``{org_id}`` and ``{job_id}`` open; None without a layout."""
    layout = operation.url_layout
    if layout is None:
        return None
    return fill(layout.path, **{part.name: part.value for part in layout.parts})


def fill(template: str, **values: str) -> str:
    """``template`` with the placeholders named in ``values`` filled; the others stay."""
    return _PLACEHOLDER.sub(lambda found: values.get(found[1], found[0]), template)


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
