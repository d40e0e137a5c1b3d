"""Stage 1, load: read the spec's YAML files and example payloads, remembering
where every value came from so that later stages can point at a file and line."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import SpecError

Path_ = tuple[str | int, ...]
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it (several times faster), else
the pure-Python one. They give the same data and line numbers, but libyaml
accepts tabs where the pure-Python parser does not: text with a tab is left to
the latter, and so are the messages of errors, so that what a spec means, and
whether it is valid, never depends on how PyYAML was built."""
_SURROGATE = re.compile("[\ud800-\udfff]")


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


def load_spec(spec_dir: Path) -> LoadedSpec:
    """Read every ``*.yaml`` file directly in ``spec_dir`` and merge their top-level keys."""
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
        data = _parse_yaml(_read_text(path, display), display, file_map)
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
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(display, None, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise SpecError(display, None, f"cannot read: {exc.strerror}") from None


def _parse_yaml(text: str, display: str, source_map: SourceMap) -> Any:
    if _FAST_LOADER is not yaml.SafeLoader and "\t" not in text:
        try:
            return _parse_yaml_with(_FAST_LOADER, text, display, source_map)
        except SpecError:
            pass  # libyaml words errors differently: the message comes from below
    return _parse_yaml_with(yaml.SafeLoader, text, display, source_map)


def _parse_yaml_with(loader_class: Any, text: str, display: str, source_map: SourceMap) -> Any:
    loader = None
    try:
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
    and JSON escapes can produce) has no UTF-8 encoding."""
    if isinstance(value, str):
        bad = _SURROGATE.search(value)
        if bad is not None:
            raise SpecError(
                file,
                line,
                f"text holds a lone surrogate U+{ord(bad.group()):04X}, "
                "which UTF-8 cannot encode",
                to_pointer(path),
            )


def _check_payload_encodable(value: Any, file: str, path: Path_ = ()) -> None:
    """``_check_encodable`` for every key and string of a JSON payload."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_encodable(key, file, None, path)
            _check_payload_encodable(item, file, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_payload_encodable(item, file, (*path, index))
    else:
        _check_encodable(value, file, None, path)


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
            payloads[relative] = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(display, exc.lineno, f"invalid JSON: {exc.msg}") from None
        _check_payload_encodable(payloads[relative], display)
    return payloads
