"""The whole pipeline, stage after stage: load -> validate -> normalize ->
emit (schemas, models, packages, OpenAPI, docs) -> format. Writing is left to the caller."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.changes.releases import emit_changelogs, plan_releases
from generator.errors import SpecError
from generator.output.cache import Beside
from generator.output.format import format_outputs
from generator.output.reuse import EarlierOutputs
from generator.output.spec_cache import cached_parse_yaml
from generator.output.write import with_marker
from generator.spec.load import load_spec, to_pointer
from generator.spec.model import NormalizedSpec
from generator.spec.normalize import normalize_spec
from generator.spec.validate import validate_spec
from generator.targets.docs import emit_docs
from generator.targets.json_schema import emit_schemas, schema_path
from generator.targets.openapi import emit_openapi
from generator.targets.python.check import check_python_names
from generator.targets.python.models import emit_all_models, models_recipe
from generator.targets.python.models_schema import models_schema
from generator.targets.python.names import module_name, package
from generator.targets.python.packages import (
    PYTHON_ROOT,
    emit_packages,
    models_path,
    package_schemas,
    runtime_paths,
)
from generator.targets.python.shared_models import (
    model_homes,
    share_models,
    shared_models_recipes,
)


@dataclass(frozen=True)
class BuildResult:
    """The normalized spec and every output file it yields."""

    spec: NormalizedSpec
    files: dict[str, bytes]
    recipes: dict[str, str]
    """The recipe of every JSON and Python file (see reuse.py), for the manifest."""


@dataclass(frozen=True)
class Rendered:
    """Every output before formatting: JSON documents, and the text files
    (Python not yet through black, except models.py)."""

    spec: NormalizedSpec
    documents: dict[str, dict[str, Any]]
    sources: dict[str, str]
    model_recipes: dict[str, str]
    """The recipe of every models.py (see reuse.py)."""


def build(spec_dir: Path, earlier: EarlierOutputs | None = None) -> BuildResult:
    """Run every stage up to formatting; raise SpecError on a malformed spec.

    Python files that ``earlier`` holds for their recipe are taken from it
    rather than made again. The JSON side (the JSON Schemas and the examples'
    check against them, the OpenAPI documents, the layout of every JSON file,
    and the docs) runs in a forked process beside the Python side when there are two
    cores (cache.Beside); the files, and the error a bad example gives, are
    the same either way."""
    earlier = earlier or EarlierOutputs()
    spec = _normalized_spec(spec_dir)

    def json_side() -> tuple[dict[str, bytes], dict[str, str]]:
        documents = _documents(spec, _checked_schemas(spec, spec_dir))
        return format_outputs(documents, emit_docs(spec), earlier=earlier)

    with Beside(json_side) as json:
        sources, model_recipes = _sources(spec, spec_dir, earlier)
        files, recipes = format_outputs(
            {},
            sources,
            recipes=model_recipes,
            earlier=earlier,
            # The models writer lays the models out as black; the runtime is kept formatted.
            formatted=model_recipes.keys() | runtime_paths(),
        )
        json_files, json_recipes = json.result()
    files = dict(sorted({**files, **json_files}.items()))
    recipes = dict(sorted({**recipes, **json_recipes}.items()))
    return BuildResult(spec, with_marker(files), recipes)


def render(spec_dir: Path, earlier: EarlierOutputs | None = None) -> Rendered:
    """Load, validate, normalize and emit (models.py left empty where
    ``earlier`` holds it); raise SpecError on a malformed spec."""
    earlier = earlier or EarlierOutputs()
    spec = _normalized_spec(spec_dir)
    schemas = _checked_schemas(spec, spec_dir)
    sources, model_recipes = _sources(spec, spec_dir, earlier)
    sources = {**sources, **emit_docs(spec)}
    return Rendered(spec, _documents(spec, schemas), sources, model_recipes)


def _normalized_spec(spec_dir: Path) -> NormalizedSpec:
    """The spec loaded, checked against its meta-schema and normalized, its
    names checked for the Python target."""
    loaded = load_spec(spec_dir, cached_parse_yaml)
    validate_spec(loaded, cached_parse_yaml)
    spec = normalize_spec(loaded)
    check_python_names(loaded)
    return spec


def _checked_schemas(spec: NormalizedSpec, spec_dir: Path) -> dict[str, dict[str, Any]]:
    """The spec's JSON Schemas, its examples checked against them."""
    schemas = emit_schemas(spec)
    check_examples(spec, schemas, spec_dir)
    return schemas


def _sources(
    spec: NormalizedSpec, spec_dir: Path, earlier: EarlierOutputs
) -> tuple[dict[str, str], dict[str, str]]:
    """Every text file of the packages (changelogs included), and the recipe
    of every models.py."""
    models, model_recipes, homes = _models(spec, earlier)
    plan = plan_releases(spec_dir, spec)
    sources = {
        **emit_packages(spec, models, plan.versions, homes),
        **emit_changelogs(plan, PYTHON_ROOT),
    }
    return sources, model_recipes


def _documents(
    spec: NormalizedSpec, schemas: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Every JSON document: the schemas, the packages' copies, the OpenAPI documents."""
    return {**schemas, **package_schemas(spec, schemas), **emit_openapi(spec, schemas)}


def _models(
    spec: NormalizedSpec, earlier: EarlierOutputs
) -> tuple[dict[tuple[str, str], str], dict[str, str], dict[tuple[str, str], dict[str, str]]]:
    """The models source of every (product, version), the recipe of every
    models.py, and where each (product, version)'s model classes are defined
    (shared_models.model_homes: versions whose classes have one home share
    them, and their clients may share methods).

    A product's models are written (shared_models: whole, then the classes an
    earlier version has imported from it) only when ``earlier`` lacks one of
    its versions' files; otherwise each gets an empty source, which formatting
    replaces with the earlier file."""
    models: dict[tuple[str, str], str] = {}
    recipes: dict[str, str] = {}
    homes: dict[tuple[str, str], dict[str, str]] = {}
    for product in spec.products:
        schemas = [(version, models_schema(version, spec)) for version in product.versions]
        whole = [models_recipe(version, schema) for version, schema in schemas]
        shared = shared_models_recipes(package(product), whole)
        texts = [earlier.find(recipe) for recipe in shared]
        for version, recipe in zip(product.versions, shared, strict=True):
            recipes[models_path(product, version)] = recipe
            models[(version.product, version.version)] = ""
        if any(text is None for text in texts):
            sources = emit_all_models(schemas)
            modules = [
                (module_name(v.version), s) for v, s in zip(product.versions, sources, strict=True)
            ]
            made = share_models(package(product), modules)
            for version, source in zip(product.versions, made, strict=True):
                models[(version.product, version.version)] = source
            texts = list(made)
        for version, text in zip(product.versions, texts, strict=True):
            homes[(version.product, version.version)] = model_homes(
                package(product), module_name(version.version), text or ""
            )
    return models, recipes, homes


def check_examples(
    spec: NormalizedSpec, schemas: dict[str, dict[str, Any]], spec_dir: Path
) -> None:
    """Every example must validate against the schema of its product, version and operation.

    The compiled validator (jsonschema-rs, with the date-time check of
    ``zoho-bulkgen validate``) clears the valid examples; jsonschema, slow to
    import and to run, gives the verdict and the message for the others."""
    for product in spec.products:
        for version in product.versions:
            for example in version.examples:
                kinds = ["request"] if example.request else ["response", "notification"]
                paths = [
                    schema_path(product.name, version.version, example.operation, kind)
                    for kind in kinds
                ]
                path = next((p for p in paths if p in schemas), paths[0])
                schema = schemas.get(path)
                kind = kinds[0]
                if schema is None:
                    raise SpecError(
                        str(spec_dir / "examples" / f"{example.name}.json"),
                        None,
                        f"{example.operation} has no {kind} body to validate this example against",
                    )
                if not _quickly_valid(schema, example.payload):
                    _check_example(
                        schema,
                        example.payload,
                        path,
                        spec_dir / "examples" / f"{example.name}.json",
                    )


def _quickly_valid(schema: dict[str, Any], payload: Any) -> bool:
    """Whether the compiled validator finds ``payload`` valid (False on any doubt)."""
    import jsonschema_rs

    from generator.payloads.formats import is_date_time

    try:
        validator = jsonschema_rs.Draft202012Validator(
            schema, validate_formats=True, formats={"date-time": is_date_time}
        )
        return bool(validator.is_valid(payload))
    except Exception:  # a schema or value it cannot take: let jsonschema decide
        return False


def _check_example(schema: dict[str, Any], payload: Any, path: str, source: Path) -> None:
    """Raise SpecError with jsonschema's best message if ``payload`` is invalid."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    error = jsonschema.exceptions.best_match(validator.iter_errors(payload))
    if error is not None:
        raise SpecError(
            str(source),
            None,
            f"example does not validate against {path}: {error.message}",
            pointer=to_pointer(tuple(error.absolute_path)),
        )
