"""How fast the shipped payload validator is, next to jsonschema-rs used
directly, plain jsonschema and the pydantic models.

Validates the spec's sample payloads plus synthetic variants of them (ids,
counts and states changed; about one in ten made invalid), 100,000 payloads by
default, these ways:

- the packages' ``validate_payload`` (jsonschema-rs, compiled once and cached),
  catching PayloadError, and their ``is_valid_payload``;
- jsonschema-rs used directly: one ``jsonschema_rs.validator_for(schema,
  validate_formats=True)`` per schema, created before timing, its ``validate``
  (catching ValidationError) and its ``is_valid``;
- jsonschema's Draft202012Validator with its format checker, one per schema,
  created before timing, its ``is_valid`` and its ``validate`` (catching
  ValidationError);
- the generated pydantic models (``Model.model_validate``).

Every way must find the same payloads valid.

Needs the generated packages installed (``python3 dev.py test`` does it):

    .venv/bin/python bench/bench_validation.py [--count N] [--seed S] [--repeat R]

Each way checks the first payloads once untimed, then every way makes
``--repeat`` timed passes in turn (so load on a shared machine falls on all of
them alike) and its fastest pass counts. The ratios are printed against
issue 13's targets: ``validate_payload`` at least 0.8x jsonschema-rs's
``validate`` used directly, and at least 100x plain jsonschema, like for like
(``validate_payload`` against jsonschema's ``validate``, both raising an error
that says where; ``is_valid_payload`` against its ``is_valid``). The cross
ratio, ``validate_payload`` against jsonschema's ``is_valid``, is printed too.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pydantic
import yaml

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Case:
    """One payload and what it is a body of."""

    product: str
    version: str
    operation: str
    kind: str
    payload: Any


def seed_cases() -> list[Case]:
    """The sample payloads listed in spec/examples.yaml."""
    listing = yaml.safe_load((ROOT / "spec" / "examples.yaml").read_text(encoding="utf-8"))
    cases = []
    for entry in listing["examples"]:
        payload = json.loads((ROOT / "spec" / entry["file"]).read_text(encoding="utf-8"))
        operation = entry["operation"]
        if entry.get("request"):
            kind = "request"
        elif operation.endswith("_callback"):
            kind = "notification"
        else:
            kind = "response"
        cases.append(Case(entry["product"], entry["version"], operation, kind, payload))
    return cases


def _vary(node: Any, rng: random.Random) -> Any:
    """A copy with digits of ids and integer counts changed (stays valid)."""
    if isinstance(node, dict):
        return {key: _vary(value, rng) for key, value in node.items()}
    if isinstance(node, list):
        return [_vary(item, rng) for item in node]
    if isinstance(node, bool):
        return node
    if isinstance(node, int):
        return rng.randrange(0, 200_000)
    if isinstance(node, str) and node.isdigit():
        return str(rng.randrange(10 ** (len(node) - 1), 10 ** len(node)))
    return node


def _break(payload: Any, rng: random.Random) -> Any:
    """A copy with one value of the wrong JSON type somewhere (often invalid)."""
    broken = copy.deepcopy(payload)
    node = broken
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return broken
        key = rng.choice(keys)
        child = node[key]
        if isinstance(child, dict | list) and child and rng.random() < 0.6:
            node = child
            continue
        node[key] = {"wrong": True} if not isinstance(child, dict) else "wrong"
        return broken


def synthetic_cases(seeds: list[Case], count: int, rng: random.Random) -> list[Case]:
    """``count`` payloads: the seeds, then variants of them, one in ten broken."""
    cases = list(seeds)
    while len(cases) < count:
        seed = rng.choice(seeds)
        payload = _vary(seed.payload, rng)
        if rng.random() < 0.1:
            payload = _break(payload, rng)
        cases.append(Case(seed.product, seed.version, seed.operation, seed.kind, payload))
    return cases[:count]


def _package(case: Case) -> Any:
    return importlib.import_module(f"zoho_bulk_{case.product}.{case.version.replace('.', '_')}")


def shipped_checks(cases: list[Case]) -> list[Callable[[Any], bool]]:
    """The shipped ``validate_payload``, warmed so that every schema is compiled
    before timing."""
    checks: list[Callable[[Any], bool]] = []
    for case in cases:
        package = _package(case)
        package.validation.validator.compiled(case.operation, case.kind)

        def check(payload: Any, package: Any = package, case: Case = case) -> bool:
            try:
                package.validate_payload(case.operation, payload, case.kind)
            except package.PayloadError:
                return False
            return True

        checks.append(check)
    return checks


def shipped_is_valid_checks(cases: list[Case]) -> list[Callable[[Any], bool]]:
    """The shipped ``is_valid_payload``, warmed."""
    checks: list[Callable[[Any], bool]] = []
    for case in cases:
        package = _package(case)
        package.validation.validator.compiled(case.operation, case.kind)

        def check(payload: Any, package: Any = package, case: Case = case) -> bool:
            return bool(package.is_valid_payload(case.operation, payload, case.kind))

        checks.append(check)
    return checks


def _rs_validators(cases: list[Case]) -> list[Any]:
    """One jsonschema-rs validator per schema, as a user would make it."""
    made: dict[tuple[str, str, str, str], Any] = {}
    validators = []
    for case in cases:
        key = (case.product, case.version, case.operation, case.kind)
        if key not in made:
            schema = _package(case).validation.validator.schema(case.operation, case.kind)
            made[key] = jsonschema_rs.validator_for(schema, validate_formats=True)
        validators.append(made[key])
    return validators


def rs_validate_checks(cases: list[Case]) -> list[Callable[[Any], bool]]:
    """jsonschema-rs directly: ``validate``, catching ValidationError."""
    checks: list[Callable[[Any], bool]] = []
    for validator in _rs_validators(cases):

        def check(payload: Any, validate: Any = validator.validate) -> bool:
            try:
                validate(payload)
            except jsonschema_rs.ValidationError:
                return False
            return True

        checks.append(check)
    return checks


def rs_is_valid_checks(cases: list[Case]) -> list[Callable[[Any], bool]]:
    """jsonschema-rs directly: ``is_valid``."""
    return [validator.is_valid for validator in _rs_validators(cases)]


def jsonschema_checks(cases: list[Case]) -> list[Callable[[Any], bool]]:
    """One Draft202012Validator per schema, created before timing."""
    validators: dict[tuple[str, str, str, str], Any] = {}
    checks: list[Callable[[Any], bool]] = []
    for case in cases:
        key = (case.product, case.version, case.operation, case.kind)
        if key not in validators:
            schema = _package(case).validation.validator.schema(case.operation, case.kind)
            validators[key] = jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
        checks.append(validators[key].is_valid)
    return checks


def jsonschema_validate_checks(cases: list[Case]) -> list[Callable[[Any], bool]]:
    """jsonschema's ``validate``, catching ValidationError: like
    ``validate_payload``, it raises an error that says where (its best match)
    instead of answering yes or no."""
    checks: list[Callable[[Any], bool]] = []
    for is_valid in jsonschema_checks(cases):

        def check(payload: Any, validate: Any = is_valid.__self__.validate) -> bool:  # type: ignore[attr-defined]
            try:
                validate(payload)
            except jsonschema.ValidationError:
                return False
            return True

        checks.append(check)
    return checks


def pydantic_checks(cases: list[Case]) -> list[Callable[[Any], bool]]:
    """The generated model of each payload's root type."""
    checks: list[Callable[[Any], bool]] = []
    for case in cases:
        package = _package(case)
        schema = package.validation.validator.schema(case.operation, case.kind)
        model = getattr(package.models, schema["$ref"].rsplit("/", 1)[-1])

        def check(payload: Any, model: Any = model) -> bool:
            try:
                model.model_validate(payload)
            except pydantic.ValidationError:
                return False
            return True

        checks.append(check)
    return checks


def timed(cases: list[Case], checks: list[Callable[[Any], bool]]) -> tuple[float, int]:
    """CPU seconds taken to check every case (this process, one thread: steadier
    than the wall clock on a machine shared with other work), and how many were
    valid."""
    start = time.process_time()
    valid = 0
    for case, check in zip(cases, checks, strict=True):
        valid += check(case.payload)
    return time.process_time() - start, valid


SHIPPED = "shipped validate_payload"
SHIPPED_IS_VALID = "shipped is_valid_payload"
RS_VALIDATE = "jsonschema-rs validate, directly"
RS_IS_VALID = "jsonschema-rs is_valid, directly"
JSONSCHEMA = "jsonschema Draft202012Validator is_valid"
JSONSCHEMA_VALIDATE = "jsonschema Draft202012Validator validate"
PYDANTIC = "pydantic models"
WAYS: list[tuple[str, Callable[[list[Case]], list[Callable[[Any], bool]]]]] = [
    (SHIPPED, shipped_checks),
    (SHIPPED_IS_VALID, shipped_is_valid_checks),
    (RS_VALIDATE, rs_validate_checks),
    (RS_IS_VALID, rs_is_valid_checks),
    (JSONSCHEMA, jsonschema_checks),
    (JSONSCHEMA_VALIDATE, jsonschema_validate_checks),
    (PYDANTIC, pydantic_checks),
]
RATIOS: list[tuple[str, str, float | None]] = [
    (SHIPPED, RS_VALIDATE, 0.8),
    (SHIPPED_IS_VALID, RS_IS_VALID, None),
    (SHIPPED, JSONSCHEMA_VALIDATE, 100.0),
    (SHIPPED_IS_VALID, JSONSCHEMA, 100.0),
    (SHIPPED, JSONSCHEMA, None),
    (SHIPPED, PYDANTIC, None),
]
"""(shipped way, other way, issue 13's target or None): the speed ratios printed."""
WARM_UP = 2_000
"""Payloads each way checks once, untimed, before its timed passes (first calls
fill jsonschema-rs's regex caches and the allocator's pools)."""


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print payloads per second and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="payloads in all")
    parser.add_argument("--seed", type=int, default=20261127, help="random seed")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per way, best kept")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    seeds = seed_cases()
    cases = synthetic_cases(seeds, args.count, rng)
    print(
        f"{len(cases)} payloads ({len(seeds)} samples and variants of them), "
        f"best of {max(args.repeat, 1)} passes, the ways taking turns"
    )
    made = {name: make(cases) for name, make in WAYS}
    for checks in made.values():
        timed(cases[:WARM_UP], checks[:WARM_UP])
    results: dict[str, tuple[float, int]] = {}
    for _ in range(max(args.repeat, 1)):
        for name, checks in made.items():
            seconds, valid = timed(cases, checks)
            if name not in results or seconds < results[name][0]:
                results[name] = (seconds, valid)
    for name, (seconds, valid) in results.items():
        rate = len(cases) / seconds
        print(f"{name:40} {rate:12,.0f} payloads/s  {seconds:7.2f} s CPU  {valid} valid")
    for shipped, other, target in RATIOS:
        ratio = results[other][0] / results[shipped][0]
        verdict = ""
        if target is not None:
            verdict = f"  (target >= {target:g}x: {'met' if ratio >= target else 'NOT met'})"
        print(f"{shipped} speed / {other} speed: {ratio:.2f}x{verdict}")
    verdicts = {valid for _, valid in results.values()}
    if len(verdicts) != 1:
        print("the ways disagree on how many payloads are valid", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
