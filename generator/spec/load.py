"""Stage 1, load: read the spec's YAML files and example payloads, remembering
where every value came from so that later stages can point at a file and line."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import SpecError
from generator.spec.strict_json import MAX_JSON_NESTING, JsonInputError, loads_strict

Path_ = tuple[str | int, ...]
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it (several times faster), else
the pure-Python one. They give the same data and line numbers, but libyaml
accepts tabs where the pure-Python parser does not: text with a tab is left to
the latter, and so are the messages of errors, so that what a spec means, and
whether it is valid, never depends on how PyYAML was built."""
_SURROGATE = re.compile("[\ud800-\udfff]")

MAX_SPEC_FILE_BYTES = 4 * 1024 * 1024
"""Size of one spec file (YAML or example JSON); today's largest is about 25 KB."""
MAX_NESTING = MAX_JSON_NESTING
"""Mappings and lists inside one another in a spec file; the spec nests about 6 deep."""
MAX_VALUES = 1_000_000
"""Values one spec file holds once its YAML aliases are expanded (today's: a few thousand)."""
MAX_TEXT_LENGTH = 100_000
"""Characters of one piece of spec text (a description, a key); today's longest is 250."""


@dataclass(frozen=True)
class Origin:
    """A place in a spec file."""

    file: str
    line: int


@dataclass
class SourceMap:
    """Maps a path into the merged spec document to the file and line it came from."""

    origins: dict[Path_, Origin] = field(default_factory=dict)

    def locate(self, path: Path_) -> Origin:
        """The origin of ``path``, or of its nearest ancestor that has one."""
        for length in range(len(path), -1, -1):
            origin = self.origins.get(tuple(path[:length]))
            if origin is not None:
                return origin
        return Origin("spec", 0)

    def error(self, path: Path_, problem: str) -> SpecError:
        """A SpecError located at ``path``."""
        origin = self.locate(path)
        return SpecError(origin.file, origin.line or None, problem, pointer=to_pointer(path))


def to_pointer(path: Path_) -> str:
    """Render a path as a JSON pointer (RFC 6901)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


@dataclass(frozen=True)
class LoadedSpec:
    """The merged spec document, where its parts came from, and its example payloads."""

    spec_dir: Path
    document: dict[str, Any]
    source_map: SourceMap
    payloads: dict[str, Any]


YamlParser = Callable[[str, str, "SourceMap"], Any]
"""``parse_yaml``'s signature: a file's text and display name, and the map to
record each value's line in; returns the file's data."""


def load_spec(spec_dir: Path, parse: YamlParser | None = None) -> LoadedSpec:
    """Read every ``*.yaml`` file directly in ``spec_dir`` and merge their
    top-level keys; ``parse`` reads each file (``parse_yaml`` unless given, as
    the pipeline gives one that remembers files it read before)."""
    parse = parse or parse_yaml
    if not spec_dir.is_dir():
        raise SpecError(str(spec_dir), None, "spec folder not found")
    files = sorted(spec_dir.glob("*.yaml"))
    if not files:
        raise SpecError(str(spec_dir), None, "spec folder holds no .yaml file")
    document: dict[str, Any] = {}
    source_map = SourceMap()
    for path in files:
        display = _display_name(path)
        file_map = SourceMap()
        data = parse(_read_text(path, display), display, file_map)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise SpecError(display, 1, "a spec file must hold a mapping of sections")
        for key, value in data.items():
            if key in document:
                first = source_map.locate((key,))
                raise file_map.error(
                    (key,), f"section '{key}' is already defined in {first.file}:{first.line}"
                )
            document[key] = value
        source_map.origins.update(file_map.origins)
    # Problems with the document as a whole (a missing section) point at the folder.
    source_map.origins[()] = Origin(_display_name(spec_dir), 0)
    payloads = _load_example_payloads(spec_dir, document, source_map)
    return LoadedSpec(spec_dir, document, source_map, payloads)


def _display_name(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read_text(path: Path, display: str) -> str:
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_SPEC_FILE_BYTES + 1)
        if len(raw) > MAX_SPEC_FILE_BYTES:
            raise SpecError(display, None, f"the file is larger than {MAX_SPEC_FILE_BYTES:,} bytes")
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(display, None, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise SpecError(display, None, f"cannot read: {exc.strerror}") from None


def parse_yaml(text: str, display: str, source_map: SourceMap) -> Any:
    """A spec file's data, each value's line recorded in ``source_map``;
    SpecError for text that is not a spec file's YAML (see the limits above)."""
    if _FAST_LOADER is not yaml.SafeLoader and "\t" not in text:
        try:
            return _parse_yaml_with(_FAST_LOADER, text, display, source_map)
        except SpecError:
            pass  # libyaml words errors differently: the message comes from below
    return _parse_yaml_with(yaml.SafeLoader, text, display, source_map)


def _parse_yaml_with(loader_class: Any, text: str, display: str, source_map: SourceMap) -> Any:
    loader = None
    try:
        _check_shape(loader_class, text, display)
        loader = loader_class(text)  # the pure-Python reader checks characters here
        node = loader.get_single_node()
        if node is None:
            return None
        return _construct(node, (), display, loader, source_map)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(display, line, f"YAML syntax error: {problem}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise SpecError(display, line, f"character U+{code:04X} is not allowed in YAML") from None
    except yaml.YAMLError as exc:
        raise SpecError(display, None, f"YAML error: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_shape(loader_class: Any, text: str, display: str) -> None:
    """Refuse, before anything is built, a document nested deeper than
    MAX_NESTING (libyaml's composer recurses in C and crashes) or holding more
    than MAX_VALUES values once its aliases are expanded (an alias bomb), and
    an alias to an anchor that is not complete (a document holding itself).
    Reads the parser's events, which takes no recursion and little memory."""
    expanded = 0
    sizes: dict[str, int] = {}
    open_collections: list[tuple[str | None, int]] = []
    for event in yaml.parse(text, Loader=loader_class):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_collections) >= MAX_NESTING:
                raise SpecError(display, line, f"nested more than {MAX_NESTING} levels deep")
            if event.anchor is not None:
                sizes.pop(event.anchor, None)
            open_collections.append((event.anchor, expanded))
            expanded += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, start = open_collections.pop()
            if anchor is not None:
                sizes[anchor] = expanded - start
        elif isinstance(event, yaml.ScalarEvent):
            expanded += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            size = sizes.get(event.anchor or "")
            if size is None:
                raise SpecError(
                    display,
                    line,
                    f"alias '*{event.anchor}' refers to no complete anchor "
                    "(undefined, or inside itself)",
                )
            expanded += size
        if expanded > MAX_VALUES:
            raise SpecError(
                display,
                line,
                f"the document holds more than {MAX_VALUES:,} values once its aliases "
                "are expanded",
            )


def _construct(
    node: yaml.Node, path: Path_, file: str, loader: yaml.SafeLoader, source_map: SourceMap
) -> Any:
    """Build plain data from a YAML node, recording the line of every value."""
    source_map.origins.setdefault(path, Origin(file, node.start_mark.line + 1))
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                key = str(key)
            _check_encodable(key, file, key_node.start_mark.line + 1, path)
            if key in result:
                raise SpecError(
                    file, key_node.start_mark.line + 1, f"duplicate key '{key}'", to_pointer(path)
                )
            key_path = (*path, key)
            source_map.origins[key_path] = Origin(file, key_node.start_mark.line + 1)
            result[key] = _construct(value_node, key_path, file, loader, source_map)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, (*path, index), file, loader, source_map)
            for index, item in enumerate(node.value)
        ]
    value = loader.construct_object(node, deep=True)
    _check_encodable(value, file, node.start_mark.line + 1, path)
    return value


def _check_encodable(value: object, file: str, line: int | None, path: Path_) -> None:
    """Refuse text that no output file could hold: a lone surrogate (which YAML
    and JSON escapes can produce) has no UTF-8 encoding; and text longer than
    MAX_TEXT_LENGTH, which no description needs and every later stage pays for."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT_LENGTH:
            raise SpecError(
                file,
                line,
                f"text of {len(value):,} characters; at most {MAX_TEXT_LENGTH:,} characters "
                "are allowed",
                to_pointer(path),
            )
        bad = _SURROGATE.search(value)
        if bad is not None:
            raise SpecError(
                file,
                line,
                f"text holds a lone surrogate U+{ord(bad.group()):04X}, "
                "which UTF-8 cannot encode",
                to_pointer(path),
            )


def _load_example_payloads(
    spec_dir: Path, document: dict[str, Any], source_map: SourceMap
) -> dict[str, Any]:
    """Read the JSON payload of every example the spec lists, keyed by its file entry."""
    payloads: dict[str, Any] = {}
    examples = document.get("examples")
    if not isinstance(examples, list):
        return payloads
    for index, entry in enumerate(examples):
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            continue  # the validate stage reports the malformed entry
        relative = entry["file"]
        path = (spec_dir / relative).resolve()
        if spec_dir.resolve() not in path.parents:
            raise source_map.error(
                ("examples", index, "file"),
                f"example file '{relative}' lies outside the spec folder",
            )
        if not path.is_file():
            raise source_map.error(
                ("examples", index, "file"), f"example file '{relative}' not found"
            )
        display = _display_name(path)
        text = _read_text(path, display)
        try:
            payloads[relative] = loads_strict(text)
        except JsonInputError as exc:
            raise SpecError(display, exc.line, f"invalid JSON: {exc.message}") from None
    return payloads
