"""Clients shared between the versions of a product.

A version whose models are those of the version before it (the same schema,
so shared_models imports every class from where that version has it) and
whose client module would read the same but for its paths and its version
label needs no client of its own: its ``Client`` and ``AsyncClient``
subclass the earlier version's and send to its own paths
(zoho_bulk_core.client's ``_paths``).

The decision is made on the rendered text, so anything that differs (a
docstring, a scope, an error code) keeps the version's own client."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.spec.model import ProductVersion
from generator.targets.python.text import python_literal


@dataclass(frozen=True)
class RenderedClient:
    """A version's whole client module, with what names the version in it."""

    version: ProductVersion
    module_name: str
    text: str


@dataclass(frozen=True)
class SharedClient:
    """A version whose client is an earlier one's at other paths."""

    home: str
    """The module name of the version whose client it subclasses."""
    home_version: str
    root: str
    """The module name of the version that defines the methods (``home``'s
    own root when ``home`` is shared too): the paths its descriptors hold are
    the ones to replace."""
    paths: tuple[tuple[str, str], ...]
    """The root's operation paths that differ, each with this version's."""


def share_clients(
    package: str,
    clients: Sequence[RenderedClient],
    same_models: Sequence[bool],
) -> list[SharedClient | None]:
    """For each version (in order), the client it shares, or None for one of
    its own. ``same_models[k]`` says version k's models schema is version
    k-1's."""
    shared: list[SharedClient | None] = []
    for index, client in enumerate(clients):
        found = None
        if index and same_models[index]:
            earlier = clients[index - 1]
            if _as_earlier(package, client, earlier) == earlier.text:
                before = shared[index - 1]
                root = clients[index - 1 if before is None else _index(clients, before.root)]
                paths = _moved_paths(root.version, client.version)
                if _maps_every_operation(root.version, client.version, dict(paths)):
                    found = SharedClient(
                        earlier.module_name, earlier.version.version, root.module_name, paths
                    )
        shared.append(found)
    return shared


def _index(clients: Sequence[RenderedClient], module_name: str) -> int:
    return next(i for i, client in enumerate(clients) if client.module_name == module_name)


def _as_earlier(package: str, client: RenderedClient, earlier: RenderedClient) -> str:
    """``client``'s text with its version label, models import and paths
    those of ``earlier``: equal to earlier's text when the two differ only
    there."""
    text = client.text.replace(
        f"Bulk API {client.version.version}.", f"Bulk API {earlier.version.version}."
    ).replace(
        f"from {package}.{client.module_name} import models",
        f"from {package}.{earlier.module_name} import models",
    )
    for ours, theirs in _moved_paths(client.version, earlier.version):
        text = text.replace(f"    {python_literal(ours)},\n", f"    {python_literal(theirs)},\n")
    return text


def _maps_every_operation(
    root: ProductVersion, version: ProductVersion, paths: Mapping[str, str]
) -> bool:
    """Whether ``paths`` (keyed by path, as the runtime looks them up) sends
    each of ``root``'s operations to ``version``'s path for it: not so when
    two operations share a path that only one of them leaves."""
    ours = {op.name: op.path for op in version.operations}
    return all(
        paths.get(op.path, op.path) == ours.get(op.name)
        for op in root.operations
        if op.path is not None
    )


def _moved_paths(version: ProductVersion, other: ProductVersion) -> tuple[tuple[str, str], ...]:
    """(``version``'s path, ``other``'s) of each operation both have, by name,
    where the two differ (an operation sent to a URL it is given has none)."""
    theirs: Mapping[str, str] = {op.name: op.path for op in other.operations if op.path is not None}
    return tuple(
        (op.path, theirs[op.name])
        for op in version.operations
        if op.path is not None and op.name in theirs and theirs[op.name] != op.path
    )
