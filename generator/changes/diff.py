"""What a spec change does to the generated API: two surfaces (surface.py)
compared, one Change per operation, type, field, vocabulary value or error code
added, removed or changed, each judged breaking, additive or documentation.

Who is broken depends on which way data flows. A type a request body reaches
is written by users: narrowing it (a removed option, a new required field, a
removed vocabulary value) breaks them, widening does not. A type a response or
callback reaches is read by users: widening it (a new option, a field no longer
required) breaks code that relied on the old shape, narrowing does not. A type
that plays both roles breaks on either. Removing anything users can name (an
operation, a type, a field, a vocabulary value or spelling, an error code) is
breaking; so is changing how an operation is called or an error's HTTP status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Level = Literal["breaking", "additive", "docs"]
LEVELS: tuple[Level, ...] = ("breaking", "additive", "docs")
"""Most severe first; they ask for a major, minor and patch release."""


@dataclass(frozen=True, order=True)
class Change:
    """One difference in the generated API."""

    scope: str
    """``core`` or ``<product> <version>``."""
    distribution: str
    kind: str
    """operation, type, field, vocabulary value, error code, version or dependency."""
    name: str
    action: str
    """added, removed or changed."""
    level: Level
    detail: str = ""

    @property
    def breaking(self) -> bool:
        """Whether users' code may stop working."""
        return self.level == "breaking"

    def text(self) -> str:
        """The change without its scope: ``field BulkWriteResource.code added (optional)``."""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.kind} {self.name} {self.action}{detail}"

    def render(self) -> str:
        """One line for the diff command's output."""
        mark = {"breaking": "BREAKING", "additive": "added", "docs": "docs"}[self.level]
        return f"{self.scope}: {mark:<8} {self.text()}"


def diff_surfaces(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new``, in a stable order (core first, then
    products and versions as ``new`` lists them, removed ones last)."""
    changes = _diff_core(old["core"], new["core"], _core_distribution(new))
    old_products, new_products = old["products"], new["products"]
    for product in [*new_products, *(p for p in old_products if p not in new_products)]:
        before = old_products.get(product, {"versions": {}})
        after = new_products.get(product, {"versions": {}})
        distribution = after.get("distribution") or before.get("distribution", product)
        versions = [
            *after["versions"],
            *(v for v in before["versions"] if v not in after["versions"]),
        ]
        for version in versions:
            scope = f"{product} {version}"
            old_version = before["versions"].get(version)
            new_version = after["versions"].get(version)
            if old_version is None or new_version is None:
                action = "added" if old_version is None else "removed"
                level: Level = "additive" if old_version is None else "breaking"
                changes.append(Change(scope, distribution, "version", version, action, level))
                continue
            changes.extend(_diff_version(scope, distribution, old_version, new_version))
    return changes


def _core_distribution(surface: dict[str, Any]) -> str:
    return str(surface.get("core_distribution", "zoho-bulk-core"))


def _diff_core(old: dict[str, Any], new: dict[str, Any], distribution: str) -> list[Change]:
    changes = _diff_errors("core", distribution, old["errors"], new["errors"])
    changes += _diff_vocabularies("core", distribution, old["vocabularies"], new["vocabularies"])
    changes += _diff_docs("core", distribution, old["docs"], new["docs"])
    return changes


def _diff_version(
    scope: str, distribution: str, old: dict[str, Any], new: dict[str, Any]
) -> list[Change]:
    changes: list[Change] = []
    for name, before, after in _pairs(old["operations"], new["operations"]):
        if before is None or after is None:
            action = "added" if before is None else "removed"
            level: Level = "additive" if before is None else "breaking"
            changes.append(Change(scope, distribution, "operation", name, action, level))
        elif before != after:
            changes.extend(_diff_operation(scope, distribution, name, before, after))
    for name, before, after in _pairs(old["types"], new["types"]):
        if before is None or after is None:
            action = "added" if before is None else "removed"
            level = "additive" if before is None else "breaking"
            changes.append(Change(scope, distribution, "type", name, action, level))
        else:
            changes.extend(_diff_type(scope, distribution, name, before, after))
    changes += _diff_vocabularies(scope, distribution, old["vocabularies"], new["vocabularies"])
    changes += _diff_errors(scope, distribution, old["errors"], new["errors"])
    changes += _diff_docs(scope, distribution, old["docs"], new["docs"])
    return changes


def _diff_operation(
    scope: str, distribution: str, name: str, before: dict[str, Any], after: dict[str, Any]
) -> list[Change]:
    changes: list[Change] = []
    for key in sorted(set(before) | set(after)):
        old_value, new_value = before.get(key), after.get(key)
        if old_value == new_value:
            continue
        if key == "errors":
            added = sorted(set(new_value or ()) - set(old_value or ()))
            removed = sorted(set(old_value or ()) - set(new_value or ()))
            detail = "; ".join(
                part
                for part in (
                    f"may raise {', '.join(added)}" if added else "",
                    f"no longer raises {', '.join(removed)}" if removed else "",
                )
                if part
            )
            changes.append(
                Change(scope, distribution, "operation", name, "changed", "additive", detail)
            )
        elif key == "scopes" and set(new_value or ()) > set(old_value or ()):
            added_scopes = set(new_value or ()) - set(old_value or ())
            detail = f"also accepts scopes {', '.join(sorted(added_scopes))}"
            changes.append(
                Change(scope, distribution, "operation", name, "changed", "additive", detail)
            )
        else:
            detail = f"{key}: {_show(old_value)} -> {_show(new_value)}"
            changes.append(
                Change(scope, distribution, "operation", name, "changed", "breaking", detail)
            )
    return changes


def _diff_type(
    scope: str, distribution: str, name: str, before: dict[str, Any], after: dict[str, Any]
) -> list[Change]:
    roles = set(before["roles"]) | set(after["roles"])
    read, written = "response" in roles, "request" in roles
    changes: list[Change] = []
    for field, old_field, new_field in _pairs(before["fields"], after["fields"]):
        label = f"{name}.{field}"
        if old_field is None:
            required = new_field["required"]
            level: Level = "breaking" if required and written else "additive"
            detail = f"{'required' if required else 'optional'}, {new_field['type']}"
            changes.append(Change(scope, distribution, "field", label, "added", level, detail))
        elif new_field is None:
            changes.append(Change(scope, distribution, "field", label, "removed", "breaking"))
        else:
            changes.extend(
                _diff_field(scope, distribution, label, old_field, new_field, read, written)
            )
    for key in ("mixins", "require_one_of"):
        if before[key] != after[key]:
            detail = f"{key}: {_show(before[key])} -> {_show(after[key])}"
            changes.append(Change(scope, distribution, "type", name, "changed", "breaking", detail))
    return changes


def _diff_field(
    scope: str,
    distribution: str,
    label: str,
    before: dict[str, Any],
    after: dict[str, Any],
    read: bool,
    written: bool,
) -> list[Change]:
    changes: list[Change] = []
    if before["type"] != after["type"]:
        old_options, new_options = _options(before["type"]), _options(after["type"])
        widened, narrowed = old_options < new_options, new_options < old_options
        breaking = not (widened or narrowed) or (widened and read) or (narrowed and written)
        how = "widened" if widened else "narrowed" if narrowed else "changed"
        detail = f"type {how}: {before['type']} -> {after['type']}"
        level: Level = "breaking" if breaking else "additive"
        changes.append(Change(scope, distribution, "field", label, "changed", level, detail))
    if before["required"] != after["required"]:
        now_required = after["required"]
        breaking = (now_required and written) or (not now_required and read)
        detail = "now required" if now_required else "now optional"
        level = "breaking" if breaking else "additive"
        changes.append(Change(scope, distribution, "field", label, "changed", level, detail))
    return changes


def _diff_vocabularies(
    scope: str, distribution: str, old: dict[str, Any], new: dict[str, Any]
) -> list[Change]:
    changes: list[Change] = []
    for name, before, after in _pairs(old, new):
        before, after = before or {}, after or {}
        for value, old_spellings, new_spellings in _pairs(before, after):
            label = f"{name}.{value}"
            if old_spellings is None or new_spellings is None:
                action = "added" if old_spellings is None else "removed"
                level: Level = "additive" if old_spellings is None else "breaking"
                changes.append(
                    Change(scope, distribution, "vocabulary value", label, action, level)
                )
                continue
            added = sorted(set(new_spellings) - set(old_spellings))
            removed = sorted(set(old_spellings) - set(new_spellings))
            if removed:
                detail = f"spelling {', '.join(removed)} no longer accepted"
                changes.append(
                    Change(
                        scope,
                        distribution,
                        "vocabulary value",
                        label,
                        "changed",
                        "breaking",
                        detail,
                    )
                )
            if added:
                detail = f"also spelled {', '.join(added)}"
                changes.append(
                    Change(
                        scope,
                        distribution,
                        "vocabulary value",
                        label,
                        "changed",
                        "additive",
                        detail,
                    )
                )
    return changes


def _diff_errors(
    scope: str, distribution: str, old: dict[str, int], new: dict[str, int]
) -> list[Change]:
    changes: list[Change] = []
    for code, before, after in _pairs(old, new):
        if before is None:
            changes.append(
                Change(
                    scope, distribution, "error code", code, "added", "additive", f"HTTP {after}"
                )
            )
        elif after is None:
            changes.append(Change(scope, distribution, "error code", code, "removed", "breaking"))
        elif before != after:
            detail = f"HTTP {before} -> {after}"
            changes.append(
                Change(scope, distribution, "error code", code, "changed", "breaking", detail)
            )
    return changes


def _diff_docs(
    scope: str, distribution: str, old: dict[str, str], new: dict[str, str]
) -> list[Change]:
    """Descriptions that changed on things that exist on both sides."""
    return [
        Change(scope, distribution, kind, name, "changed", "docs", "description")
        for key, before, after in _pairs(old, new)
        for kind, _, name in [key.partition(" ")]
        if before is not None and after is not None and before != after
    ]


def _pairs(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(name, old value or None, new value or None), new's order first, then what was removed."""
    names = [*new, *(name for name in old if name not in new)]
    return [(name, old.get(name), new.get(name)) for name in names]


def _options(type_text: str) -> frozenset[str]:
    """The top-level options of a union type text (``string | null``)."""
    depth, options, current = 0, [], ""
    for character in type_text:
        depth += character == "["
        depth -= character == "]"
        if character == "|" and depth == 0:
            options.append(current.strip())
            current = ""
        else:
            current += character
    options.append(current.strip())
    return frozenset(options)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


def worst(changes: list[Change]) -> Level | None:
    """The most severe level among ``changes``; None when there are none."""
    levels = {change.level for change in changes}
    return next((level for level in LEVELS if level in levels), None)
