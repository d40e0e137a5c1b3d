"""Clients shared between the versions of a product.

Most methods of a version's client read the same as the version before it:
the operations keep their shape and their errors from one version to the
next, and only their paths move. Such a version's ``Client`` and
``AsyncClient`` subclass the earlier version's, send to its own paths
(zoho_bulk_core.client's ``_paths``, by operation) and define only the
methods that differ: a docstring that lists other errors, a signature or an
answer in one of the version's own models.

A method is inherited when its text is the earlier version's and every model
class it names (``models.BulkReadJob``) is the very class the earlier version
has (shared_models imports it from the same place), and so is every operation
descriptor it uses (``_GET_BULK_READ_JOB``: the same text but for the path,
and the same models). A descriptor the version needs that differs is written
again in the version's module. A version shares when at least half of its
methods are inherited and it has every method of the earlier one; otherwise
it keeps a client of its own.

The rendered modules are read by lines, as the client template lays them out:
a top-level statement starts on an unindented line, a method on a line
indented by four that opens ``def`` or ``async def``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.spec.model import ProductVersion
from generator.targets.python.imports import from_import_lines

_DESCRIPTOR = re.compile(r"(_[A-Z][A-Z0-9_]*) = ")
_METHOD = re.compile(r"    (?:async )?def ([A-Za-z_][A-Za-z0-9_]*)\(")
_MODEL = re.compile(r"\bmodels\.([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"\b_[A-Z][A-Z0-9_]*\b")
_CLASSES = ("Client", "AsyncClient")


@dataclass(frozen=True)
class RenderedClient:
    """A version's whole client module, with where each of its models lives."""

    version: ProductVersion
    module_name: str
    text: str
    model_homes: Mapping[str, str]
    """Each model class name, with the module name of the version defining it
    (shared_models.model_homes)."""


@dataclass(frozen=True)
class SharedClient:
    """A version whose client subclasses an earlier version's."""

    home: str
    """The module name of the version whose client it subclasses."""
    home_version: str
    paths: tuple[tuple[str, str], ...]
    """Each operation's name, with its path in this version."""
    imports: str
    """The import lines the own parts may need (unused ones are dropped
    later), without the last line's newline."""
    descriptors: tuple[str, ...]
    """The texts of the descriptors this version writes again."""
    methods: Mapping[str, tuple[str, ...]]
    """For ``Client`` and ``AsyncClient``, the texts of the methods this
    version defines itself."""
    own: tuple[str, ...]
    """The names of the methods it defines itself, in order."""
    retypes: bool
    """Whether one of them takes or answers other types than the earlier
    version's method of its name (its own models): an override mypy flags."""


@dataclass(frozen=True)
class _Parts:
    """A client module cut into the pieces sharing compares."""

    imports: str
    descriptors: dict[str, str]
    methods: dict[tuple[str, str], str]
    """Each method by (class, name)."""
    heads: dict[str, str]
    """Each class's statements before its first method, its docstring left
    out (``_hosts = HOSTS``): equal in both versions, or no sharing."""


def share_clients(package: str, clients: Sequence[RenderedClient]) -> list[SharedClient | None]:
    """For each version (in order), the client it shares, or None for one of
    its own."""
    shared: list[SharedClient | None] = []
    homes: dict[str, str] = {}
    """Where each descriptor the version before uses is defined."""
    parts = [_parts(client.text) for client in clients]
    for index, client in enumerate(clients):
        ours, theirs = parts[index], parts[index - 1] if index else None
        found = None
        if ours is not None and theirs is not None:
            found = _share(package, client, ours, clients[index - 1], theirs, homes)
        if found is None:
            shared.append(None)
            homes = {name: client.module_name for name in (ours.descriptors if ours else {})}
        else:
            shared.append(found[0])
            homes = found[1]
    return shared


def _share(
    package: str,
    client: RenderedClient,
    ours: _Parts,
    earlier: RenderedClient,
    theirs: _Parts,
    their_homes: Mapping[str, str],
) -> tuple[SharedClient, dict[str, str]] | None:
    """``client``'s shared form over ``earlier``'s, with where each of its
    descriptors is defined (``their_homes``: where ``earlier``'s are); or None."""
    if set(theirs.methods) - set(ours.methods) or ours.heads != theirs.heads:
        return None
    our_paths, their_paths = _paths_by_name(client.version), _paths_by_name(earlier.version)
    same_models = {
        name for name, home in client.model_homes.items() if earlier.model_homes.get(name) == home
    }
    kept = {
        name
        for name, text in ours.descriptors.items()
        if name in theirs.descriptors
        and _without_path(text, our_paths) == _without_path(theirs.descriptors[name], their_paths)
        and _models_in(text) <= same_models
    }
    # A descriptor built on one written again is written again too (_READ).
    while dropped := {
        name for name in kept if _descriptors_in(ours, ours.descriptors[name]) - kept
    }:
        kept -= dropped
    inherited = {
        key
        for key, text in ours.methods.items()
        if theirs.methods.get(key) == text
        and _models_in(text) <= same_models
        and _descriptors_in(ours, text) <= kept
    }
    # A method is the version's own in both classes or in neither, so the
    # async twin's "See Client.x" names the Client beside it.
    own_names = {name for cls, name in ours.methods if (cls, name) not in inherited}
    inherited = {key for key in inherited if key[1] not in own_names}
    if 2 * len(inherited) < len(ours.methods):
        return None
    here = {
        name: their_homes[name] if name in kept else client.module_name for name in ours.descriptors
    }
    own_methods = [key for key in ours.methods if key not in inherited]
    own_parts = [ours.methods[key] for key in own_methods] + [
        text for name, text in ours.descriptors.items() if name not in kept
    ]
    inherited_used = {name for text in own_parts for name in _descriptors_in(ours, text) & kept}
    imports = _imports(package, client, earlier, ours, inherited_used, here)
    shared = SharedClient(
        home=earlier.module_name,
        home_version=earlier.version.version,
        paths=tuple(our_paths.items()),
        imports=imports,
        descriptors=tuple(text for name, text in ours.descriptors.items() if name not in kept),
        methods={
            cls: tuple(ours.methods[key] for key in own_methods if key[0] == cls)
            for cls in _CLASSES
        },
        own=tuple(dict.fromkeys(name for _, name in own_methods)),
        retypes=any(
            _retypes(ours.methods[key], theirs.methods.get(key), same_models) for key in own_methods
        ),
    )
    return shared, here


def _imports(
    package: str,
    client: RenderedClient,
    earlier: RenderedClient,
    ours: _Parts,
    inherited_used: set[str],
    homes: Mapping[str, str],
) -> str:
    """The import lines of ``client``'s shared module, before the unused ones
    are dropped: its own module's (but the hosts, which the earlier client
    sets), the earlier client, and the inherited descriptors its own parts use."""
    lines = [
        statement
        for statement in _import_statements(ours.imports)
        if not statement.startswith(f"from {package}.")
    ]
    local = [f"from {package}.{earlier.module_name} import client as earlier\n"]
    by_module: dict[str, list[str]] = {}
    for name in sorted(inherited_used):
        by_module.setdefault(homes[name], []).append(name)
    local += [
        "".join(from_import_lines(f"{package}.{module}.client", names))
        for module, names in by_module.items()
    ]
    local.append(f"from {package}.{client.module_name} import models\n")
    return "".join(lines).rstrip("\n") + "\n\n" + "".join(sorted(local)).rstrip("\n")


def _import_statements(block: str) -> list[str]:
    """The statements of an import block, each with its lines (an import in
    brackets spans several), blank lines kept as statements of their own."""
    statements: list[str] = []
    for line in block.splitlines(keepends=True):
        if statements and (line.startswith("    ") or line.startswith(")")):
            statements[-1] += line
        else:
            statements.append(line)
    return statements


def _parts(text: str) -> _Parts | None:
    """The pieces of a rendered client module, or None for a layout this
    does not know."""
    lines = text.splitlines(keepends=True)
    statements = _top_level_statements(lines)
    first_descriptor = next(
        (start for start, _ in statements if _DESCRIPTOR.match(lines[start])), None
    )
    if first_descriptor is None:
        return None
    head = "".join(lines[:first_descriptor])
    future = "from __future__ import annotations\n"
    if future not in head:
        return None
    imports = head.split(future, 1)[1].strip("\n") + "\n"
    if not _only_imports(imports):
        return None
    descriptors: dict[str, str] = {}
    methods: dict[tuple[str, str], str] = {}
    heads: dict[str, str] = {}
    for start, stop in statements:
        line = lines[start]
        matched = _DESCRIPTOR.match(line)
        if matched:
            descriptors[matched[1]] = "".join(lines[start:stop]).rstrip("\n") + "\n"
            continue
        cls = next((name for name in _CLASSES if line.startswith(f"class {name}(")), None)
        if cls is None:
            if start >= first_descriptor:
                return None
            continue
        body = lines[start + 1 : stop]
        if any(line.startswith("    @") for line in body):
            return None  # a decorator: not a layout the method cutting knows
        found = _methods(body)
        first_method = next((i for i, line in enumerate(body) if _METHOD.match(line)), len(body))
        heads[cls] = _without_docstring(body[:first_method])
        for name, method in found:
            methods[(cls, name)] = method
    if not methods:
        return None
    return _Parts(imports, descriptors, methods, heads)


_IMPORT_LINE = re.compile(
    r"(?:import |from |    [A-Za-z_][A-Za-z0-9_]*(?: as [A-Za-z_]\w*)?,$|\)$|$)"
)
"""A line of an import block: an import, a name inside its brackets, its
closing bracket, or a blank."""
_MODELS_BY_NAME = re.compile(r"^from \S+\.models import ", re.MULTILINE)


def _only_imports(block: str) -> bool:
    """Whether the text between ``from __future__`` and the first descriptor
    holds only imports, none of them of model classes by name (which the
    comparison of ``models.X`` would not see)."""
    if _MODELS_BY_NAME.search(block):
        return False
    return all(_IMPORT_LINE.match(line) for line in block.splitlines())


def _without_docstring(lines: list[str]) -> str:
    """A class body's lines before its first method, without its docstring."""
    text = "".join(lines)
    stripped = text.lstrip()
    if stripped.startswith('"""'):
        end = stripped.find('"""', 3)
        if end == -1:
            return text
        stripped = stripped[end + 3 :]
    return stripped.strip()


def _top_level_statements(lines: list[str]) -> list[tuple[int, int]]:
    """(first line, end) of each statement that starts unindented (a closing
    bracket there ends the statement before it)."""
    statements: list[tuple[int, int]] = []
    in_docstring = False
    for index, line in enumerate(lines):
        if index == 0 and line.startswith('"""'):
            in_docstring = line.count('"""') == 1
            continue
        if in_docstring:
            in_docstring = '"""' not in line
            continue
        if line[:1] in ("", " ", "\n", ")", "]", "}"):
            continue
        if statements:
            statements[-1] = (statements[-1][0], index)
        statements.append((index, len(lines)))
    return statements


def _methods(body: list[str]) -> list[tuple[str, str]]:
    """Each method of a class body, by name, with its text (from its ``def``
    line to the next one)."""
    starts = [(i, m[1]) for i, line in enumerate(body) if (m := _METHOD.match(line))]
    found = []
    for (start, name), (stop, _) in zip(starts, [*starts[1:], (len(body), "")], strict=True):
        found.append((name, "".join(body[start:stop]).rstrip("\n") + "\n"))
    return found


def _retypes(method: str, earlier: str | None, same_models: set[str]) -> bool:
    """Whether ``method`` overrides ``earlier`` (the earlier version's method
    of its name, None for a method new in this version) with other types."""
    if earlier is None:
        return False
    signature = _signature(method)
    return signature != _signature(earlier) or not _models_in(signature) <= same_models


def _signature(method: str) -> str:
    """A method's text up to the colon ending its ``def``."""
    lines = method.splitlines(keepends=True)
    end = next((i for i, line in enumerate(lines) if line.endswith(":\n")), len(lines) - 1)
    return "".join(lines[: end + 1])


def _paths_by_name(version: ProductVersion) -> dict[str, str]:
    """Each operation's path in ``version``, by operation name."""
    return {op.name: op.path for op in version.operations if op.path is not None}


def _without_path(descriptor: str, paths: Mapping[str, str]) -> str:
    """A descriptor's text without the line of its path (the version's
    ``_paths`` gives it), when the lines are the operation's name, its method
    and its path as the client template writes them; else the whole text, so
    that any other difference keeps the descriptor the version's own."""
    lines = descriptor.splitlines(keepends=True)
    if len(lines) < 5 or not lines[0].endswith("Operation(\n"):
        return descriptor
    name = lines[1].strip().removesuffix(",").strip('"')
    path = paths.get(name)
    if path is None or lines[3] != f'    "{path}",\n':
        return descriptor
    return "".join(lines[:3] + lines[4:])


def _models_in(text: str) -> set[str]:
    return set(_MODEL.findall(text))


def _descriptors_in(parts: _Parts, text: str) -> set[str]:
    """The descriptors of ``parts`` that ``text`` names."""
    return {name for name in _NAME.findall(text) if name in parts.descriptors}
