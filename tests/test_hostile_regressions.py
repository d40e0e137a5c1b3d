"""Plain regression tests, one per bug that hostile spec content exposed (see
tests/spec/test_hostile_spec.py), plus the named cases of the hostile-spec issue:
keywords and colliding names as fields, template syntax in descriptions."""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
import subprocess
import sys
import tomllib
import typing
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from zoho_bulk_core.client import AsyncBaseClient, BaseClient

from generator.errors import SpecError
from generator.output.cache import CACHE_ENV
from generator.pipeline import build
from generator.targets.python.check import MIXIN_ATTRIBUTES
from generator.targets.python.names import BASE_ERROR_CLASSES, member_names
from generator.targets.python.packages import RUNTIME_DIR
from generator.targets.python.text import docstring_text, toml_string
from generator.targets.python.views import CLIENT_MEMBERS, CLIENT_MODULE_NAMES, METHOD_NAMES
from tests.conftest import GENERATED_DIR, SPEC_DIR, run_cli
from tests.hostile import HostileSpec, generated_modules, write_output, write_spec


@pytest.fixture(autouse=True)
def private_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Keep these one-off results out of the user's cache."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path_factory.getbasetemp() / "cache"))


def generate(spec: HostileSpec, root: Path) -> Path:
    """Build ``spec`` in-process and write the result under ``root``."""
    result = build(write_spec(spec, root))
    for path, content in result.files.items():
        if path.endswith(".py"):
            compile(content, path, "exec")
    return write_output(result.files, root)


@contextmanager
def imported(out: Path) -> Iterator[dict[str, ModuleType]]:
    """``generated_modules`` with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with generated_modules(out) as modules:
            yield modules


def refusal(spec_dir: Path) -> str:
    """The message of the SpecError that building ``spec_dir`` raises."""
    with pytest.raises(SpecError) as raised:
        build(spec_dir)
    message = str(raised.value)
    assert "\n" not in message
    return message


def collapse(text: str | None) -> str:
    return " ".join((text or "").split())


# Bug: a docstring whose text ended in three quotes ('x"""') was escaped into
# '\"\"\\"' (the final-quote fix split the last escape), which ends the
# docstring early; every docstring filled from the spec was affected.
def test_text_ending_in_three_quotes_keeps_docstrings_closed(tmp_path: Path) -> None:
    text = 'Ends in quotes """'
    out = generate(
        HostileSpec(
            vocabulary_description=text,
            summary=text,
            description=text,
            error_meaning=text,
            callback_description=text,
            type_description=text,
        ),
        tmp_path,
    )
    with imported(out) as modules:
        assert collapse(modules["vocabulary"].JobStatus.__doc__) == text
        assert collapse(modules["client"].Client.get_record.__doc__).startswith(f"{text} {text}")
        assert collapse(modules["errors"].ERROR_CLASSES["NOT_THERE"].__doc__).startswith(text)
        assert text in collapse(modules["callbacks"].parse_record_callback.__doc__)
        assert collapse(modules["models"].Record.__doc__) == text


def test_docstring_text_reads_back_as_the_collapsed_text() -> None:
    for text in ['"""', '""', '"', 'a""""', '"""""', "a\\", '\\"', '\\"""', 'x"""y"""', "\x00"]:
        literal = f'"""{docstring_text(text)}"""'
        compiled = compile(literal, "<docstring>", "eval")
        assert eval(compiled, {"__builtins__": {}}) == collapse(text), literal  # noqa: S307


# Bug: control characters reached docstrings raw; a NUL made the generated
# module impossible to compile, and escape sequences or bidirectional controls
# would have sat invisibly in the source.
def test_control_and_bidi_characters_are_escaped_in_docstrings(tmp_path: Path) -> None:
    text = "nul\x00 esc\x1b[31m rlo\u202e del\x7f zwsp\u200b end"
    out = generate(HostileSpec(description=text, error_meaning=text), tmp_path)
    client = (out / "python/zoho-bulk-hostile/zoho_bulk_hostile/v1/client.py").read_text("utf-8")
    assert "\\x00" in client and "\\u202e" in client
    assert not any(char in client for char in "\x00\x1b\u202e\x7f\u200b")
    with imported(out) as modules:
        assert text in modules["client"].Client.get_record.__doc__
        assert text in collapse(modules["errors"].ERROR_CLASSES["NOT_THERE"].__doc__)


# Bug: the client template wrote the product's custom domain into a docstring
# unescaped (the filter bound to the fallback text only), so a domain holding
# '"""' or a final backslash broke client.py.
def test_custom_domain_with_quotes_and_backslash_stays_inside_the_docstring(
    tmp_path: Path,
) -> None:
    domain = 'https://{domain}/x"""\\'
    out = generate(HostileSpec(custom_domain=domain), tmp_path)
    with imported(out) as modules:
        assert domain in collapse(modules["client"].Client.__doc__)
        assert modules["hosts"].HOSTS.custom_domain_template == domain


# Bug: the models module header took the product title unescaped, so a title
# with '"""' made models.py unparsable; the pyproject.toml description took it
# unescaped too, so a '"' or a backslash made the TOML invalid.
def test_product_title_is_escaped_in_the_models_header_and_pyproject(tmp_path: Path) -> None:
    title = 'Zoho "CRM" """ C:\\path\\'
    out = generate(HostileSpec(title=title), tmp_path)
    pyproject = out / "python/zoho-bulk-hostile/pyproject.toml"
    description = tomllib.loads(pyproject.read_text("utf-8"))["project"]["description"]
    assert title in description
    with imported(out) as modules:
        assert title in modules["models"].__doc__
        assert title in modules["package"].__doc__


def test_toml_string_escapes_quotes_backslashes_and_controls() -> None:
    text = 'a "b" \\ \x00 \x7f \u202e'
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


# Bug: jsonschema checks 'pattern' with Python's re.search, where '$' also
# matches before a final newline, so 'v2\n' passed as a version label (and
# 'crm\n' as a product name, 'id\n' as a field name) and produced unparsable
# imports and file names with a newline in them.
@pytest.mark.parametrize(
    ("spec", "file", "problem"),
    [
        (HostileSpec(version="v2\n"), "products.yaml", "'v2\\n' does not match the pattern"),
        (HostileSpec(product_name="crm\n"), "products.yaml", "'crm\\n' does not match"),
        (
            HostileSpec(fields={"id\n": {"type": "string", "description": "x"}}),
            "types.yaml",
            "'id\\n' does not match",
        ),
        (HostileSpec(version="v2.1.1"), "products.yaml", "'v2.1.1' does not match"),
        (
            HostileSpec(fields={"1st": {"type": "string", "description": "x"}}),
            "types.yaml",
            "'1st' does not match",
        ),
        (
            HostileSpec(fields={"café": {"type": "string", "description": "x"}}),
            "types.yaml",
            "'café' does not match",
        ),
    ],
    ids=["version-newline", "product-newline", "field-newline", "version-3-parts", "digit", "é"],
)
def test_unrepresentable_labels_are_refused_in_one_line(
    spec: HostileSpec, file: str, problem: str, tmp_path: Path
) -> None:
    message = refusal(write_spec(spec, tmp_path))
    assert message.startswith(f"{tmp_path / 'spec' / file}:")
    line = message.split(":", 2)[1]
    assert line.isdigit() and int(line) > 0
    assert problem in message


def test_long_refused_values_are_shortened_in_the_message(tmp_path: Path) -> None:
    message = refusal(write_spec(HostileSpec(version="v" + "x" * 5000), tmp_path))
    assert " ... " in message and len(message) < 400 + len(str(tmp_path))


def test_cli_refuses_a_trailing_newline_version_with_exit_2(tmp_path: Path) -> None:
    write_spec(HostileSpec(version="v2\n"), tmp_path)
    result = run_cli("generate", "--spec", "spec", "--out", "generated", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("zoho-bulkgen: error: spec/products.yaml:")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "generated").exists()


# Bug: a lone surrogate (YAML's "\ud800" or JSON's "\ud800" escape) loaded
# fine and then crashed writing (UnicodeEncodeError traceback).
def test_lone_surrogate_in_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    spec_dir = write_spec(HostileSpec(), tmp_path)
    errors = spec_dir / "errors.yaml"
    errors.write_text(
        errors.read_text("utf-8").replace('"Nothing was found."', '"Nothing \\ud800 found."'),
        "utf-8",
    )
    message = refusal(spec_dir)
    assert message.startswith(f"{errors}:")
    assert "lone surrogate U+D800" in message
    assert message.endswith("(at /errors/NOT_THERE/meaning)")


def test_lone_surrogate_in_an_example_is_refused(tmp_path: Path) -> None:
    spec_dir = write_spec(HostileSpec(example={"id": "x"}), tmp_path)
    (spec_dir / "examples" / "record.json").write_text('{"id": "\\udc00"}', "utf-8")
    message = refusal(spec_dir)
    assert message.startswith(f"{spec_dir / 'examples' / 'record.json'}: ")
    assert "lone surrogate U+DC00" in message and message.endswith("(at /id)")


# Bug: a spec without an ErrorResponse type died with KeyError in the OpenAPI
# stage, and one without JobStatus COMPLETED/FAILED generated a core package
# that could not be imported (its waiters use both).
def test_spec_without_the_error_type_is_refused(tmp_path: Path) -> None:
    spec_dir = write_spec(HostileSpec(), tmp_path)
    types = spec_dir / "types.yaml"
    types.write_text(types.read_text("utf-8").replace('"ErrorResponse"', '"ErrorBody"'), "utf-8")
    message = refusal(spec_dir)
    assert message.startswith(f"{types}:")
    assert "type 'ErrorResponse' (the body of an error answer) is not defined" in message


def test_job_status_without_completed_is_refused(tmp_path: Path) -> None:
    spec_dir = write_spec(HostileSpec(), tmp_path)
    types = spec_dir / "types.yaml"
    types.write_text(types.read_text("utf-8").replace('"COMPLETED"', '"DONE_NOW"'), "utf-8")
    message = refusal(spec_dir)
    assert message.startswith(f"{types}:")
    assert "vocabulary 'JobStatus' lacks the value 'COMPLETED'" in message


# Bug: a product named 'core' would have been written over the shared runtime
# package (zoho-bulk-core / zoho_bulk_core).
def test_product_named_core_is_refused(tmp_path: Path) -> None:
    message = refusal(write_spec(HostileSpec(product_name="core"), tmp_path))
    assert "product name 'core' is taken" in message
    assert message.startswith(f"{tmp_path / 'spec' / 'products.yaml'}:")


# Bug: a field whose Python name starts like pydantic's own methods
# (model_dump_json -> model_dump_json_, model_validate_at) drew a UserWarning
# at import, an error for anyone running with -W error.
def test_fields_named_like_pydantic_methods_import_without_warnings(tmp_path: Path) -> None:
    names = ["model_dump_json", "model_validate_at", "model_config", "model_fields"]
    fields = {name: {"type": "string", "description": name} for name in names}
    out = generate(HostileSpec(fields=fields), tmp_path)
    with imported(out) as modules:
        payload = {name: name.upper() for name in names}
        record = modules["models"].Record.model_validate(
            payload, context={"zoho_bulk_strict": True}
        )
        assert record.model_dump(mode="json", exclude_unset=True) == payload
        assert callable(record.model_dump_json)


# A vocabulary value already spelled as its member name keeps that name, even
# when an earlier value would map to it (the waiters need JobStatus.COMPLETED).
def test_exact_member_spelling_wins_over_an_earlier_lookalike() -> None:
    assert member_names(["completed", "COMPLETED", "in progress", "IN_PROGRESS"]) == [
        "COMPLETED_",
        "COMPLETED",
        "IN_PROGRESS_",
        "IN_PROGRESS",
    ]


# Named cases of the issue: keywords, builtins and snake-case collisions as
# field names, template syntax in text, every string kind in vocabulary values.
def test_keywords_builtins_and_colliding_names_round_trip(tmp_path: Path) -> None:
    names = ["class", "from", "import", "None", "id", "type", "json", "int", "Deal_Name"]
    names += ["deal_name", "deal_name_1", "dealName", "deal-name", "$deal", "_deal", "a.b"]
    fields = {name: {"type": "integer", "description": f"field {name}"} for name in names}
    out = generate(HostileSpec(fields=fields), tmp_path)
    with imported(out) as modules:
        record = modules["models"].Record
        aliases = {
            attribute: info.alias or attribute for attribute, info in record.model_fields.items()
        }
        assert sorted(aliases.values()) == sorted(names)
        assert aliases["class_"] == "class" and aliases["from_"] == "from"
        payload = {name: index for index, name in enumerate(names)}
        parsed = record.model_validate_json(json.dumps(payload), context={"zoho_bulk_strict": True})
        assert json.loads(parsed.model_dump_json(exclude_unset=True)) == payload
        assert parsed.class_ == 0 and parsed.from_ == 1


def test_template_syntax_in_text_appears_literally(tmp_path: Path) -> None:
    text = "{{ 7*7 }} {{ 12345*9 }} {% for x in 'QZ' %}<{{ x }}>{% endfor %} {# c #} {0} %(a)s"
    spec = HostileSpec(
        title=text,
        description=text,
        summary=text,
        error_meaning=text,
        vocabulary_values={text: {"description": text}},
        data_center_description=text,
        example={"id": text},
        example_label=text,
    )
    out = generate(spec, tmp_path)
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".toml", ".md", ".json"):
            content = path.read_text("utf-8")
            # What rendering the text as a template would have produced:
            assert "111105" not in content and "<Q><Z>" not in content, path
    with imported(out) as modules:
        assert text in collapse(modules["client"].Client.get_record.__doc__)
        assert modules["vocabulary"].JobStatus(text).value == text
        assert modules["core_hosts"].DATA_CENTERS["US"].description == text
    schema = json.loads((out / "schemas/hostile/v1/create_record.request.json").read_text("utf-8"))
    assert schema["examples"] == [{"id": text}]


def test_nothing_from_the_spec_runs_during_generation(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    spec = HostileSpec(
        title=code,
        description=f"{{{{ {code} }}}}",
        fields={"id": {"type": "string", "description": f'"""; {code}; """'}},
        vocabulary_values={f"'); {code}; ('": {"description": code}},
        example={"id": code},
    )
    out = generate(spec, tmp_path)
    with imported(out):
        pass
    assert not marker.exists()


# Bug: error codes whose class name equals a base class of the errors module
# (NOT_FOUND -> NotFoundError, API_ERROR -> ApiError) or another code's
# (A_B and A__B -> ABError) redefined that class: the base fallback and the
# earlier code's class were silently replaced.
def test_error_codes_never_replace_base_or_earlier_classes(tmp_path: Path) -> None:
    extra = {
        "NOT_FOUND": {"http_status": 404, "meaning": "Gone."},
        "API_ERROR": {"http_status": 400, "meaning": "Bad."},
        "SERVER": {"http_status": 503, "meaning": "Down."},
        "A_B": {"http_status": 409, "meaning": "One."},
        "A__B": {"http_status": 409, "meaning": "Two."},
    }
    out = generate(HostileSpec(extra_errors=extra), tmp_path)
    with imported(out) as modules:
        errors = modules["errors"]
        classes = errors.ERROR_CLASSES
        assert len(set(classes.values())) == len(classes) == 1 + len(extra)
        assert errors.status_class(404) is errors.NotFoundError
        assert classes["NOT_FOUND"] is not errors.NotFoundError
        assert issubclass(classes["NOT_FOUND"], errors.NotFoundError)
        assert classes["API_ERROR"] is not errors.ApiError
        assert issubclass(classes["API_ERROR"], errors.BadRequestError)
        assert errors.BadRequestError.__bases__ == (errors.ApiError,)
        assert issubclass(classes["SERVER"], errors.ServerError)
        assert classes["A_B"] is not classes["A__B"]
        raised = errors.error_from_body(404, {"code": "NOT_FOUND", "message": "x"})
        assert type(raised) is classes["NOT_FOUND"]
        raised = errors.error_from_body(404, {"code": "OTHER", "message": "x"})
        assert type(raised) is errors.NotFoundError


def test_base_error_classes_match_the_runtime_errors_module() -> None:
    template = (RUNTIME_DIR / "errors.py").read_text("utf-8")
    defined = set(re.findall(r"^class (\w+)\(", template, flags=re.MULTILINE))
    assert defined == BASE_ERROR_CLASSES


# Bug: a type named like something the models module imports was renamed by
# datamodel-code-generator (Field -> FieldModel) while the clients kept using
# models.Field, pydantic's function; a type named Timestamp was silently
# replaced by the date-time definition; one named None or True produced
# 'models.None' in callbacks.py, a syntax error at import.
@pytest.mark.parametrize("name", ["Field", "Timestamp", "BulkModel", "None", "True", "StateValue"])
def test_type_names_taken_in_the_models_module_are_refused(name: str, tmp_path: Path) -> None:
    message = refusal(
        write_spec(HostileSpec(record_type=name, other_vocabularies=("State",)), tmp_path)
    )
    assert message.startswith(f"{tmp_path / 'spec' / 'types.yaml'}:")
    assert f"type name '{name}' is taken in the generated models" in message


# Bug: a vocabulary named like an import of the vocabulary module (Annotated)
# broke its import; two whose snake-case forms agree (JOBKind and Jobkind are
# both jobkind) shared the helper that holds their spellings.
@pytest.mark.parametrize(
    ("names", "problem"),
    [
        (("Annotated",), "vocabulary name 'Annotated' is taken"),
        (("StrEnum",), "vocabulary name 'StrEnum' is taken"),
        (("Kind", "KindValue"), "vocabulary name 'KindValue' is taken"),
        (("JOBKind", "Jobkind"), "vocabulary 'Jobkind' and 'JOBKind' are both 'jobkind'"),
    ],
)
def test_vocabulary_names_taken_in_the_vocabulary_module_are_refused(
    names: tuple[str, ...], problem: str, tmp_path: Path
) -> None:
    message = refusal(write_spec(HostileSpec(other_vocabularies=names), tmp_path))
    assert message.startswith(f"{tmp_path / 'spec' / 'types.yaml'}:")
    assert problem in message


def test_clients_refer_to_the_model_of_each_type(tmp_path: Path) -> None:
    out = generate(
        HostileSpec(record_type="FieldRef", other_vocabularies=("Final2", "JobKind")), tmp_path
    )
    with imported(out) as modules:
        models, client = modules["models"], modules["client"]
        hints = typing.get_type_hints(client.Client.get_record, vars(client))
        assert hints["return"] is models.FieldRef
        envelope = models.Envelope.model_validate({"data": [], "final2": "a", "jobkind": "b"})
        assert envelope.final2.value == "a" and envelope.jobkind.value == "b"


# Bug: a path parameter pattern that is not a valid regular expression was
# generated as is, so every call of the operation failed with re.error.
def test_invalid_path_parameter_pattern_is_refused(tmp_path: Path) -> None:
    spec_dir = write_spec(HostileSpec(), tmp_path)
    operations = spec_dir / "operations.yaml"
    text = operations.read_text("utf-8")
    operations.write_text(text.replace('"^[0-9]{1,30}$"', '"^[0-9$"'), "utf-8")
    message = refusal(spec_dir)
    assert message.startswith(f"{operations}:")
    assert "'^[0-9$' is not a valid regular expression: unterminated character set" in message
    assert message.endswith("(at /path_param_types/JobId/pattern)")


# Bug: the at-least-one-of check looked for the JSON keys among the model's
# attribute names, so a group naming 'class' or 'Deal_Name' (attributes
# class_ and deal_name) refused every payload, even one holding both.
def test_require_one_of_works_with_keys_that_are_not_attribute_names(tmp_path: Path) -> None:
    fields = {name: {"type": "string", "description": name} for name in ("class", "Deal_Name", "x")}
    out = generate(HostileSpec(fields=fields, require_one_of=("class", "Deal_Name")), tmp_path)
    with imported(out) as modules:
        record = modules["models"].Record
        assert record.model_validate({"class": "a"}).class_ == "a"
        assert record.model_validate({"Deal_Name": "b"}, context={"zoho_bulk_strict": True})
        with pytest.raises(ValueError, match="one of these fields is required: class, Deal_Name"):
            record.model_validate({"x": "c"})


# Bug: a field named like a property of the type's mixin (module_api_name on
# a ModuleAccess type) hid that property and drew a warning at import.
@pytest.mark.parametrize("name", ["module_api_name", "module_id"])
def test_fields_hiding_a_mixin_property_are_refused(name: str, tmp_path: Path) -> None:
    fields = {"module": {"type": "string", "description": "m"}}
    fields[name] = {"type": "string", "description": "x"}
    spec_dir = write_spec(HostileSpec(fields=fields, record_mixins=("ModuleAccess",)), tmp_path)
    message = refusal(spec_dir)
    assert message.startswith(f"{spec_dir / 'types.yaml'}:")
    assert f"field '{name}' of Record would hide the ModuleAccess property" in message
    assert message.endswith(f"(at /types/Record/fields/{name})")


def test_mixin_properties_match_the_runtime_models_module() -> None:
    template = (RUNTIME_DIR / "models.py").read_text("utf-8")
    body = template.split("class ModuleAccess(BulkModel):", 1)[1].split("\n\n\n", 1)[0]
    properties = set(re.findall(r"@property\n    def (\w+)\(", body))
    assert properties == MIXIN_ATTRIBUTES["ModuleAccess"]


def _edit_operations(spec_dir: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    path = spec_dir / "operations.yaml"
    document = yaml.safe_load(path.read_text("utf-8"))
    edit(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def _rename_operation(document: dict[str, Any], name: str) -> None:
    operations = document["operations"]
    operations[name] = operations.pop("get_record")


def _rename_path_param(document: dict[str, Any], name: str) -> None:
    operation = document["operations"]["get_record"]
    operation["path"] = operation["path"].replace("{job_id}", f"{{{name}}}")
    operation["path_params"] = {name: operation["path_params"]["job_id"]}


# Bug: an operation named like a keyword ('class') made client.py unparsable;
# one named like a client member ('close') silently replaced that member.
@pytest.mark.parametrize(
    ("name", "problem"),
    [("class", "is a Python keyword"), ("close", "is a member the clients define")],
)
def test_operation_names_taken_in_the_clients_are_refused(
    name: str, problem: str, tmp_path: Path
) -> None:
    spec_dir = write_spec(HostileSpec(), tmp_path)
    path = _edit_operations(spec_dir, lambda document: _rename_operation(document, name))
    message = refusal(spec_dir)
    assert message.startswith(f"{path}:")
    assert f"operation name '{name}' {problem}" in message


# Bug: a path parameter named 'self' was a duplicate argument (SyntaxError at
# import); one named 'models' or 'options' hid what the method body uses.
@pytest.mark.parametrize("name", ["self", "models", "options", "destination", "lambda", "request"])
def test_path_parameter_names_taken_in_the_client_methods_are_refused(
    name: str, tmp_path: Path
) -> None:
    spec_dir = write_spec(HostileSpec(), tmp_path)
    path = _edit_operations(spec_dir, lambda document: _rename_path_param(document, name))
    message = refusal(spec_dir)
    assert message.startswith(f"{path}:")
    assert f"path parameter name '{name}' is taken in the client methods" in message


def test_plain_path_parameter_and_operation_names_work(tmp_path: Path) -> None:
    spec_dir = write_spec(HostileSpec(), tmp_path)

    def edit(document: dict[str, Any]) -> None:
        _rename_path_param(document, "id")
        _rename_operation(document, "type")

    _edit_operations(spec_dir, edit)
    out = write_output(build(spec_dir).files, tmp_path)
    with imported(out) as modules:
        method = modules["client"].Client.type
        assert list(inspect.signature(method).parameters) == ["self", "id"]


# Bug: a callback named 'notification' made a parse_notification that
# replaced the imported helper of that name and so called itself forever.
def test_callback_named_notification_is_refused(tmp_path: Path) -> None:
    spec_dir = write_spec(HostileSpec(), tmp_path)

    def edit(document: dict[str, Any]) -> None:
        document["operations"]["create_record"]["callback"]["name"] = "notification"

    path = _edit_operations(spec_dir, edit)
    message = refusal(spec_dir)
    assert message.startswith(f"{path}:")
    assert "callback name 'notification' would make parse_notification" in message


# Bug: a spec without callbacks generated 'from ... import ()' in each
# version's __init__.py, which does not parse.
def test_spec_without_callbacks_generates_importable_packages(tmp_path: Path) -> None:
    spec_dir = write_spec(HostileSpec(), tmp_path)
    _edit_operations(
        spec_dir, lambda document: document["operations"]["create_record"].pop("callback")
    )
    out = write_output(build(spec_dir).files, tmp_path)
    with imported(out) as modules:
        assert "parse_record_callback" not in modules["package"].__all__
        assert modules["package"].Client is modules["client"].Client


def test_client_name_sets_match_a_generated_client() -> None:
    client = GENERATED_DIR / "python/zoho-bulk-crm/zoho_bulk_crm/v8/client.py"
    tree = ast.parse(client.read_text("utf-8"))
    spec_operations = yaml.safe_load((SPEC_DIR / "operations.yaml").read_text("utf-8"))
    operations = set(spec_operations["operations"])
    helpers = {
        op[key]
        for op in spec_operations["operations"].values()
        for key in ("helper", "batch_helper")
        if key in op
    }
    keyword_types = {
        op["request"]["keywords"]
        for op in spec_operations["operations"].values()
        if "keywords" in op.get("request", {})
    }
    module_names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            module_names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            module_names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            module_names |= {target.id for target in targets if isinstance(target, ast.Name)}
    # Private names cannot clash: spec names start with a letter.
    public_names = {name for name in module_names if not name.startswith("_")}
    assert public_names == CLIENT_MODULE_NAMES | keyword_types
    members: set[str] = set()
    method_names: set[str] = set()
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        for function in cls.body:
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if function.name in operations:
                method_names |= {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
                method_names |= {n.arg for n in ast.walk(function) if isinstance(n, ast.arg)}
            elif not function.name.startswith("_"):
                members.add(function.name)
            for node in ast.walk(function):
                if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                    if not node.attr.startswith("_"):
                        members.add(node.attr)
    # What the runtime's base classes give every client.
    for base in (BaseClient, AsyncBaseClient):
        members |= {name for name in dir(base) if not name.startswith("_")}
        for klass in base.__mro__:
            annotated = vars(klass).get("__annotations__", {})
            members |= {name for name in annotated if not name.startswith("_")}
    assert members == CLIENT_MEMBERS | helpers
    path_params = {"job_id", "download_url"}
    public = {name for name in method_names if not name.startswith("_")}
    assert public - path_params <= METHOD_NAMES | keyword_types


def test_a_spec_without_lifecycle_or_upload_yields_no_unused_imports(
    tmp_path: Path, mypy_cache: Path
) -> None:
    # The hostile spec has one GET and one POST operation: no upload, no
    # download and neither read nor write lifecycle, so most of what the client
    # template imports has no use (and ruff's F401 refused it).
    out = write_output(build(write_spec(HostileSpec(), tmp_path)).files, tmp_path)
    ruff = str(Path(sys.executable).with_name("ruff"))
    for distribution in sorted((out / "python").iterdir()):
        result = subprocess.run(
            [ruff, "check", "--no-cache", "."], cwd=distribution, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
    mypy = str(Path(sys.executable).with_name("mypy"))
    packages = [str(path.parent) for path in (out / "python").glob("*/*/py.typed")]
    result = subprocess.run(
        [mypy, "--strict", "--cache-dir", str(mypy_cache), *packages],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": os.pathsep.join(str(p) for p in (out / "python").iterdir())},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    client = next((out / "python").rglob("client.py")).read_text(encoding="utf-8")
    assert "WriteResultRow" not in client and "Reading" not in client
    assert "from zoho_bulk_core.client import AsyncBaseClient, BaseClient, Operation" in client
