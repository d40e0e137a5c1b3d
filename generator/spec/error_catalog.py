"""The error catalog's rules per product, version and operation: which HTTP
status a code comes with there (``statuses``) and whether it is returned there
at all (``since``). Shared by the validate stage, which checks the rules name
real products, versions and operations without overlapping, and the normalize
stage, which resolves them for each operation."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.spec.load import Path_, SourceMap

VersionNames = Mapping[str, list[str]]
"""Each product's version names, oldest first."""


def _covers(
    rule: Mapping[str, Any], product: str, version: str, versions: VersionNames, operation: str
) -> bool:
    """Whether a ``statuses`` rule applies to ``operation`` of ``product`` ``version``."""
    if "operations" in rule and operation not in rule["operations"]:
        return False
    if "product" not in rule:
        return True
    if rule["product"] != product:
        return False
    names = versions[product]
    position = names.index(version)
    start = names.index(rule["from"]) if "from" in rule else 0
    end = names.index(rule["until"]) if "until" in rule else len(names) - 1
    return start <= position <= end


def status_of(
    entry: Mapping[str, Any], product: str, version: str, versions: VersionNames, operation: str
) -> int:
    """The HTTP status of a catalog entry's code for one operation of a product version."""
    for rule in entry.get("statuses", ()):
        if _covers(rule, product, version, versions, operation):
            return int(rule["http_status"])
    return int(entry["http_status"])


def returned_by(
    entry: Mapping[str, Any], product: str, version: str, versions: VersionNames, operation: str
) -> bool:
    """Whether the code is returned by ``operation`` of ``product`` ``version``
    (``since`` limits a code to the versions from the one it names on)."""
    for rule in entry.get("since", ()):
        if rule["product"] != product:
            continue
        if "operations" in rule and operation not in rule["operations"]:
            continue
        names = versions[product]
        return names.index(version) >= names.index(rule["version"])
    return True


def check_error_rules(document: dict[str, Any], source_map: SourceMap) -> None:
    """Check every ``statuses`` and ``since`` rule of the error catalog: known
    products, versions in order, operations that list the code, a status other
    than the code's own, and no two rules of one code covering the same place."""
    versions = {
        product["name"]: [v["name"] for v in product["versions"]]
        for product in document["products"]
    }
    operations: dict[str, Any] = document["operations"]
    for code, entry in document["errors"].items():
        where: Path_ = ("errors", code)
        for index, rule in enumerate(entry.get("statuses", ())):
            rule_where = (*where, "statuses", index)
            _check_place(code, rule, rule_where, versions, operations, source_map)
            if rule["http_status"] == entry["http_status"]:
                raise source_map.error(
                    (*rule_where, "http_status"),
                    f"{code}: the status {rule['http_status']} is already the code's own",
                )
        _check_no_overlap(code, entry, where, versions, operations, source_map)
        seen: list[tuple[str, frozenset[str] | None, int]] = []
        for index, rule in enumerate(entry.get("since", ())):
            rule_where = (*where, "since", index)
            _check_place(code, rule, rule_where, versions, operations, source_map)
            scope = frozenset(rule["operations"]) if "operations" in rule else None
            for product, other_scope, other in seen:
                if product == rule["product"] and (
                    scope is None or other_scope is None or scope & other_scope
                ):
                    raise source_map.error(
                        rule_where,
                        f"{code}: since rules {other} and {index} both cover {product}",
                    )
            seen.append((rule["product"], scope, index))
    _check_http_200_flags(document, versions, source_map)


def _check_place(
    code: str,
    rule: Mapping[str, Any],
    where: Path_,
    versions: VersionNames,
    operations: Mapping[str, Any],
    source_map: SourceMap,
) -> None:
    product = rule.get("product")
    if product is not None and product not in versions:
        raise source_map.error((*where, "product"), f"{code}: unknown product '{product}'")
    for key in ("from", "until", "version"):
        if key in rule and rule[key] not in versions[str(product)]:
            raise source_map.error(
                (*where, key), f"{code}: product '{product}' has no version '{rule[key]}'"
            )
    if "from" in rule and "until" in rule:
        names = versions[str(product)]
        if names.index(rule["from"]) > names.index(rule["until"]):
            raise source_map.error(
                (*where, "until"), f"{code}: until {rule['until']} comes before from {rule['from']}"
            )
    for index, name in enumerate(rule.get("operations", ())):
        if name not in operations:
            raise source_map.error(
                (*where, "operations", index), f"{code}: unknown operation '{name}'"
            )
        if code not in operations[name]["errors"]:
            raise source_map.error(
                (*where, "operations", index),
                f"{code}: operation '{name}' does not list this code in its errors",
            )


def _places(
    versions: VersionNames, operations: Mapping[str, Any]
) -> Iterator[tuple[str, str, str]]:
    for product, names in versions.items():
        for version in names:
            for operation in operations:
                yield product, version, operation


def _check_no_overlap(
    code: str,
    entry: Mapping[str, Any],
    where: Path_,
    versions: VersionNames,
    operations: Mapping[str, Any],
    source_map: SourceMap,
) -> None:
    rules = entry.get("statuses", ())
    if len(rules) < 2:
        return
    for product, version, operation in _places(versions, operations):
        covering = [
            index
            for index, rule in enumerate(rules)
            if _covers(rule, product, version, versions, operation)
        ]
        if len(covering) > 1:
            raise source_map.error(
                (*where, "statuses", covering[1]),
                f"{code}: statuses rules {covering[0]} and {covering[1]} both cover "
                f"{operation} of {product} {version}",
            )


def _check_http_200_flags(
    document: dict[str, Any], versions: VersionNames, source_map: SourceMap
) -> None:
    """A version marked ``upload_errors_with_http_200`` must have an upload error
    the catalog gives HTTP 200 there (the catalog says which codes)."""
    uploads = [
        name
        for name, operation in document["operations"].items()
        if operation.get("host") == "upload"
    ]
    if not uploads:
        return
    for p_index, product in enumerate(document["products"]):
        for v_index, version in enumerate(product["versions"]):
            if not version.get("upload_errors_with_http_200"):
                continue
            has_200 = any(
                status_of(document["errors"][code], product["name"], version["name"], versions, op)
                == 200
                for op in uploads
                for code in document["operations"][op]["errors"]
                if code in document["errors"]
            )
            if not has_200:
                raise source_map.error(
                    ("products", p_index, "versions", v_index, "upload_errors_with_http_200"),
                    f"{product['name']} {version['name']} says upload errors arrive with HTTP 200, "
                    "but no upload error has HTTP 200 there in the error catalog (statuses)",
                )
