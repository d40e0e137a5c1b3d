"""Property-based tests: spec text and names drawn from hostile alphabets
(quotes and triple quotes, backslashes, newlines, Jinja2 syntax, control and
bidirectional characters, Python keywords and builtins as field names, names
that collide once snake-cased, unicode, very long strings).

For every drawn spec, generation either succeeds, and then every generated
module compiles, is left unchanged by black, imports without a warning, carries
each piece of spec text literally (never evaluated, never rendered as template
syntax) and round-trips a payload under its original JSON keys; or the spec is
refused with one line naming the file, the line and the problem.

Each case is a small synthetic spec (tests/hostile.py) generated in-process."""

from __future__ import annotations

import ast
import inspect
import json
import keyword
import os
import re
import tempfile
import tomllib
import typing
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.errors import SpecError
from generator.output.cache import CACHE_ENV
from generator.pipeline import BuildResult, build
from generator.targets.python.check import RESERVED_MODEL_NAMES, RESERVED_VOCABULARY_NAMES
from generator.targets.python.names import BASE_ERROR_CLASSES
from generator.targets.python.text import snake_case
from generator.targets.python.views import CLIENT_MEMBERS, METHOD_NAMES
from tests.helpers import black_leaves_unchanged
from tests.hostile import REQUIRED_STATES, HostileSpec, generated_modules, write_output, write_spec

CASES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Pieces that have broken code generators somewhere: string and docstring
# delimiters, escapes, template and format syntax, code, control characters.
SNIPPETS = [
    '"""',
    "'''",
    '"',
    "'",
    "\\",
    "\\n",
    "\\x00",
    "\\u",
    "\n",
    "\r\n",
    "\t",
    "{{ 7*7 }}",
    "{{",
    "}}",
    "{% if true %}x{% endif %}",
    "{%",
    "{# note #}",
    "{0}",
    "{title}",
    "%(x)s",
    "${HOME}",
    "`id`",
    "# not a comment",
    "__import__('os').system('exit 1')",
    "); import os; (",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\u2028",
    "\x85",
    "é",
    "日本語",
    "😀",
    "a-b",
    " ",
    "|",
    "<b>&amp;</b>",
]

_CHARACTERS = st.characters(exclude_categories=("Cs",))
_PIECE = st.one_of(st.sampled_from(SNIPPETS), st.text(_CHARACTERS, max_size=6))
_SHORT_TEXT = st.lists(_PIECE, min_size=1, max_size=8).map("".join).filter(bool)
_LONG_TEXT = st.tuples(st.sampled_from(SNIPPETS), st.integers(200, 1200)).map(
    lambda pair: ("word" + pair[0]) * pair[1]
)
TEXT = st.one_of(_SHORT_TEXT, _SHORT_TEXT, _SHORT_TEXT, _LONG_TEXT)
"""Spec free text: usually short and dense with hostile pieces, sometimes very long."""

NAME_POOL = [
    *keyword.kwlist,
    *["id", "type", "json", "dict", "copy", "schema", "validate", "construct", "fields"],
    *["model_config", "model_dump", "model_validate", "model_fields", "model_extra"],
    *["model_dump_json", "model_validate_at", "str", "int", "list", "bool", "float", "self"],
    *["Record", "Envelope", "BulkModel", "Field", "Annotated", "Timestamp", "JobStatusValue"],
    *["Deal_Name", "deal_name", "DealName", "dealName", "deal-name", "deal.name", "$deal_name"],
    *["_deal_name", "__deal_name__", "deal_name_1", "_", "$", "__root__", "root", "field"],
]
FIELD_NAME = st.one_of(
    st.sampled_from(NAME_POOL),
    st.from_regex(
        r"(model_|Model_|__)(dump|validate|config|fields|extra)[a-z_]{0,4}", fullmatch=True
    ),
    st.from_regex(r"[A-Za-z_$][A-Za-z0-9_$.-]{0,12}", fullmatch=True),
)
"""Field names the meta-schema allows, biased to keywords, builtins and collisions."""

FIELD_NAME_PATTERN = re.compile(r"[A-Za-z_$][A-Za-z0-9_$.-]*")
LOWER_NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
VERSION_PATTERN = re.compile(r"v[0-9]+(\.[0-9]+)?")

_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "string": st.text(_CHARACTERS, max_size=12),
    "integer": st.integers(-(2**40), 2**40),
    "boolean": st.booleans(),
    "list[string]": st.lists(st.text(_CHARACTERS, max_size=6), max_size=3),
}


@pytest.fixture(scope="module", autouse=True)
def private_cache() -> Iterator[None]:
    """Keep the many one-off results of these cases out of the user's cache."""
    before = os.environ.get(CACHE_ENV)
    with tempfile.TemporaryDirectory(prefix="zoho-bulkgen-hostile-cache-") as folder:
        os.environ[CACHE_ENV] = folder
        try:
            yield
        finally:
            if before is None:
                del os.environ[CACHE_ENV]
            else:
                os.environ[CACHE_ENV] = before


def collapse(text: str) -> str:
    """``text`` with whitespace runs made one space, as docstrings carry it."""
    return " ".join(text.split())


@st.composite
def hostile_specs(draw: st.DrawFn) -> tuple[HostileSpec, dict[str, Any]]:
    """A spec whose every text and name is hostile, and a request payload that
    uses every field of its Record type."""
    names = draw(st.lists(FIELD_NAME, min_size=1, max_size=6, unique=True))
    kinds = draw(
        st.lists(st.sampled_from([*_VALUES, "JobStatus"]), min_size=len(names), max_size=len(names))
    )
    fields = {
        name: {"type": kind, "required": draw(st.booleans()), "description": draw(TEXT)}
        for name, kind in zip(names, kinds, strict=True)
    }
    canonicals = draw(
        st.lists(
            st.text(_CHARACTERS, min_size=1, max_size=40) | st.sampled_from(SNIPPETS),
            min_size=1,
            max_size=4,
            unique=True,
        ).filter(lambda values: not set(values) & set(REQUIRED_STATES))
    )
    taken = set(canonicals) | set(REQUIRED_STATES)
    values: dict[str, dict[str, Any]] = {}
    for value in canonicals:
        spellings = draw(
            st.lists(
                st.text(_CHARACTERS, min_size=1, max_size=20).filter(
                    lambda text, excluded=frozenset(taken): text not in excluded
                ),
                max_size=2,
                unique=True,
            )
        )
        taken |= set(spellings)
        values[value] = {
            "description": draw(TEXT),
            **({"spellings": spellings} if spellings else {}),
        }
    payload = {
        name: (draw(st.sampled_from(canonicals)) if kind == "JobStatus" else draw(_VALUES[kind]))
        for name, kind in zip(names, kinds, strict=True)
    }
    spec = HostileSpec(
        title=draw(TEXT),
        type_description=draw(TEXT),
        fields=fields,
        vocabulary_description=draw(TEXT),
        vocabulary_values=values,
        summary=draw(TEXT),
        description=draw(TEXT),
        param_description=draw(TEXT),
        error_meaning=draw(TEXT),
        callback_summary=draw(TEXT),
        callback_description=draw(TEXT),
        data_center_description=draw(TEXT),
        custom_domain=draw(
            st.builds(
                lambda before, after: f"https://{before}{{domain}}{after}",
                st.text(st.sampled_from("ab\"'\\{}%$.`/"), max_size=6),
                st.text(st.sampled_from("ab\"'\\{}%$.`/"), max_size=6),
            )
        ),
        example=payload,
        example_label=draw(TEXT),
        require_one_of=tuple(names[:2]) if len(names) > 1 else (),
    )
    return spec, payload


def _black_leaves_unchanged(result: BuildResult) -> None:
    for path, content in result.files.items():
        if not path.endswith(".py"):
            continue
        source = content.decode("utf-8")
        compile(source, path, "exec")
        if "/zoho_bulk_core/" not in path or path.rsplit("/", 1)[-1] in (
            "vocabulary.py",
            "errors.py",
            "hosts.py",
        ):
            assert black_leaves_unchanged(source), f"black would change {path}"


def _attribute_docstrings(module: ModuleType, class_name: str) -> dict[str, str]:
    """The docstring under every attribute of a class, read from the source
    (``ast`` evaluates the literals: escapes come back as the characters)."""
    tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    body = next(
        node.body
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == class_name
    )
    docs = {}
    for statement, following in zip(body, body[1:], strict=False):
        target = getattr(statement, "target", None) or next(
            iter(getattr(statement, "targets", [])), None
        )
        if (
            isinstance(target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[target.id] = following.value.value
    return docs


@CASES
@given(case=hostile_specs())
def test_hostile_text_and_names_are_carried_as_data(
    case: tuple[HostileSpec, dict[str, Any]],
) -> None:
    spec, payload = case
    with tempfile.TemporaryDirectory(prefix="zoho-bulkgen-hostile-") as temp:
        root = Path(temp)
        result = build(write_spec(spec, root))
        _black_leaves_unchanged(result)
        out = write_output(result.files, root)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with generated_modules(out) as modules:
                _check_models(modules, spec, payload)
                _check_texts(modules, spec)
        _check_documents(out, spec, payload)


def _check_models(
    modules: dict[str, ModuleType], spec: HostileSpec, payload: dict[str, Any]
) -> None:
    record = modules["models"].Record
    aliases = {name: (info.alias or name) for name, info in record.model_fields.items()}
    assert sorted(aliases.values()) == sorted(spec.fields)
    for attribute in aliases:
        assert attribute.isidentifier() and not keyword.iskeyword(attribute)
    from_json = record.model_validate_json(json.dumps(payload))
    assert from_json.model_dump(mode="json", exclude_unset=True) == payload
    checked = record.model_validate(payload, context={"zoho_bulk_strict": True})
    assert checked.model_dump(mode="json", exclude_unset=True, by_alias=True) == payload
    assert not checked.model_extra
    for attribute, alias in aliases.items():
        value = getattr(checked, attribute)
        assert (value.value if hasattr(value, "value") else value) == payload[alias]
    docs = _attribute_docstrings(modules["models"], "Record")
    for attribute, alias in aliases.items():
        # A description that is only whitespace leaves the field without a docstring.
        assert collapse(docs.get(attribute, "")) == collapse(spec.fields[alias]["description"])
    assert collapse(record.__doc__ or "") == collapse(spec.type_description)

    states = modules["vocabulary"].JobStatus
    canonical = [*REQUIRED_STATES, *spec.vocabulary_values]
    assert [member.value for member in states] == canonical
    envelope = modules["models"].Envelope
    spellings = {
        spelling: value
        for value, entry in spec.vocabulary_values.items()
        for spelling in [value, *entry.get("spellings", [])]
    }
    for spelling, value in {**{state: state for state in REQUIRED_STATES}, **spellings}.items():
        parsed = envelope.model_validate(
            {"data": [], "state": spelling}, context={"zoho_bulk_strict": True}
        )
        assert parsed.state is states(value)
        assert parsed.model_dump(mode="json")["state"] == value
    member_docs = _attribute_docstrings(modules["vocabulary"], "JobStatus")
    for member in states:
        description = {**REQUIRED_STATES, **spec.vocabulary_values}[member.value]["description"]
        assert collapse(member_docs[member.name]) == collapse(description)
    assert collapse(states.__doc__ or "") == collapse(spec.vocabulary_description)


def _check_texts(modules: dict[str, ModuleType], spec: HostileSpec) -> None:
    for client in (modules["client"].Client, modules["client"].AsyncClient):
        for method in (client.get_record, client.create_record):
            doc = collapse(method.__doc__ or "")
            assert doc.startswith(collapse(spec.summary))
            if client is modules["client"].Client:
                assert collapse(spec.description) in doc
            else:  # the async method's docstring points to the sync one
                assert doc.endswith(f"See Client.{method.__name__}.")
        assert collapse(spec.title) in collapse(client.__doc__ or "")
    client = modules["client"].Client
    assert collapse(spec.param_description) in collapse(client.get_record.__doc__ or "")
    assert collapse(spec.custom_domain or "") in collapse(client.__doc__ or "")
    callback = modules["callbacks"].parse_record_callback
    assert collapse(callback.__doc__ or "").startswith(collapse(spec.callback_summary))
    assert collapse(spec.callback_description) in collapse(callback.__doc__ or "")
    error = modules["errors"].ERROR_CLASSES["NOT_THERE"]
    assert collapse(error.__doc__ or "").startswith(collapse(spec.error_meaning))
    assert modules["hosts"].HOSTS.custom_domain_template == spec.custom_domain
    assert modules["core_hosts"].DATA_CENTERS["US"].description == spec.data_center_description
    for module in (modules["models"], modules["client"], modules["package"], modules["validation"]):
        assert collapse(spec.title) in collapse(module.__doc__ or "")


def _check_documents(out: Path, spec: HostileSpec, payload: dict[str, Any]) -> None:
    product_root = out / "python" / f"zoho-bulk-{spec.product_name}"
    project = tomllib.loads((product_root / "pyproject.toml").read_text(encoding="utf-8"))
    assert collapse(spec.title) in project["project"]["description"]
    request = json.loads(
        (
            out / "schemas" / spec.product_name / spec.version / "create_record.request.json"
        ).read_text(encoding="utf-8")
    )
    assert request["examples"] == [payload]
    assert request["$defs"]["Record"]["description"] == spec.type_description
    for name, field in spec.fields.items():
        assert request["$defs"]["Record"]["properties"][name]["description"] == field["description"]


@st.composite
def labels(draw: st.DrawFn) -> tuple[str, str]:
    """A product name and a version label: valid about half the time, else
    one or both replaced by a near miss or by hostile text."""
    name = draw(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True))
    version = draw(st.from_regex(r"v[0-9]{1,3}(\.[0-9]{1,2})?", fullmatch=True))
    broken = draw(st.sampled_from(["", "", "", "name", "version", "both"]))
    near_names = ["core", "class", "import", "json", "crm\n", "Crm", "1crm", "crm-x", "crm "]
    near_versions = ["v2\n", "v2.", "v2.1.1", "V2", "v2_1", "v\u0663", "v2 ", "2", "v"]
    if broken in ("name", "both"):
        name = draw(st.one_of(st.sampled_from(near_names), TEXT))
    if broken in ("version", "both"):
        version = draw(st.one_of(st.sampled_from(near_versions), TEXT))
    return name, version


def _assert_one_line_error(error: SpecError, file: str) -> None:
    message = str(error)
    assert "\n" not in message and "\r" not in message
    assert re.match(rf".*/spec/{re.escape(file)}:\d+: \S", message), message


@settings(CASES, max_examples=15)
@given(label=labels())
def test_product_and_version_labels_are_accepted_only_when_representable(
    label: tuple[str, str],
) -> None:
    name, version = label
    representable = (
        LOWER_NAME_PATTERN.fullmatch(name) is not None
        and name != "core"
        and VERSION_PATTERN.fullmatch(version) is not None
    )
    with tempfile.TemporaryDirectory(prefix="zoho-bulkgen-hostile-") as temp:
        root = Path(temp)
        spec_dir = write_spec(HostileSpec(product_name=name, version=version), root)
        event("representable" if representable else "refused")
        if not representable:
            with pytest.raises(SpecError) as refused:
                build(spec_dir)
            _assert_one_line_error(refused.value, "products.yaml")
            return
        result = build(spec_dir)
        out = write_output(result.files, root)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with generated_modules(out, product=name) as modules:
                assert modules["package"].API_VERSION == version
                package = modules["package"].__name__.rsplit(".", 1)[0]
                assert package == f"zoho_bulk_{name}"


@settings(CASES, max_examples=25)
@given(
    name=st.one_of(
        st.text(_CHARACTERS, min_size=1, max_size=10),
        st.sampled_from(["1st", "2_x", "é", "a b", "a\n", "a:b"]),
    )
)
def test_field_names_are_accepted_only_when_representable(name: str) -> None:
    representable = FIELD_NAME_PATTERN.fullmatch(name) is not None
    with tempfile.TemporaryDirectory(prefix="zoho-bulkgen-hostile-") as temp:
        spec_dir = write_spec(
            HostileSpec(fields={name: {"type": "string", "description": "A field."}}), Path(temp)
        )
        if not representable:
            with pytest.raises(SpecError) as refused:
                build(spec_dir)
            _assert_one_line_error(refused.value, "types.yaml")
            return
        result = build(spec_dir)
        out = write_output(result.files, Path(temp))
        with generated_modules(out) as modules:
            record = modules["models"].Record
            assert record.model_validate({name: "x"}).model_dump(exclude_unset=True) == {name: "x"}


ERROR_CODE = st.one_of(
    st.from_regex(r"[A-Z][A-Z0-9_]{0,12}", fullmatch=True),
    st.sampled_from(["NOT_FOUND", "API_ERROR", "ERROR", "A_B", "A__B", "ZOHO_BULK", "TRANSPORT"]),
    st.sampled_from(["SERVER", "NOT_FOUND_CODE", "RATE_LIMIT", "NOT_THERE_"]),
)


@settings(CASES, max_examples=12)
@given(
    errors=st.dictionaries(
        ERROR_CODE.filter(lambda code: code != "NOT_THERE"),
        st.tuples(st.integers(200, 599), TEXT),
        min_size=1,
        max_size=6,
    )
)
def test_every_error_code_gets_its_own_class(errors: dict[str, tuple[int, str]]) -> None:
    extra = {
        code: {"http_status": status, "meaning": text} for code, (status, text) in errors.items()
    }
    with tempfile.TemporaryDirectory(prefix="zoho-bulkgen-hostile-") as temp:
        root = Path(temp)
        out = write_output(build(write_spec(HostileSpec(extra_errors=extra), root)).files, root)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with generated_modules(out) as modules:
                module = modules["errors"]
                classes = module.ERROR_CLASSES
                assert len(set(classes.values())) == len(classes) == len(errors) + 1
                bases = {name: getattr(module, name) for name in BASE_ERROR_CLASSES}
                assert not set(bases.values()) & set(classes.values())
                for code, (status, text) in errors.items():
                    assert issubclass(classes[code], module.status_class(status))
                    assert classes[code].documented_status == status
                    assert collapse(classes[code].__doc__ or "").startswith(collapse(text))
                    raised = module.error_from_body(status, {"code": code, "message": "m"})
                    assert type(raised) is classes[code] and raised.code == code


TYPE_NAME = st.one_of(
    st.from_regex(r"[A-Z][A-Za-z0-9]{0,10}", fullmatch=True),
    st.sampled_from(sorted(RESERVED_MODEL_NAMES | RESERVED_VOCABULARY_NAMES)),
    st.sampled_from(["JobStatusValue", "StateValue", "State", "STATE", "Client", "Models", "Self"]),
)
_FIXED_NAMES = {"JobStatus", "Envelope", "ErrorResponse"}


@st.composite
def type_and_vocabulary_names(draw: st.DrawFn) -> tuple[str, tuple[str, ...]]:
    """A name for the Record type and for up to three more vocabularies."""
    record = draw(TYPE_NAME.filter(lambda name: name not in _FIXED_NAMES))
    vocabularies = draw(
        st.lists(
            TYPE_NAME.filter(
                lambda name: name not in _FIXED_NAMES | {record}
                and name.lower() not in ("data", "state")
            ),
            max_size=3,
            unique_by=str.lower,
        )
    )
    return record, tuple(vocabularies)


@settings(CASES, max_examples=15)
@given(names=type_and_vocabulary_names())
def test_type_and_vocabulary_names_work_or_are_refused(names: tuple[str, tuple[str, ...]]) -> None:
    record, vocabularies = names
    aliases = {f"{name}Value" for name in (*vocabularies, "JobStatus")}
    helpers = [snake_case(name) for name in (*vocabularies, "JobStatus")]
    plain = (
        record not in RESERVED_MODEL_NAMES | aliases
        and not set(vocabularies) & (RESERVED_VOCABULARY_NAMES | aliases)
        and len(set(helpers)) == len(helpers)
    )
    with tempfile.TemporaryDirectory(prefix="zoho-bulkgen-hostile-") as temp:
        root = Path(temp)
        spec_dir = write_spec(
            HostileSpec(record_type=record, other_vocabularies=vocabularies), root
        )
        event("plain" if plain else "taken")
        if not plain:
            with pytest.raises(SpecError) as refused:
                build(spec_dir)
            _assert_one_line_error(refused.value, "types.yaml")
            return
        out = write_output(build(spec_dir).files, root)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with generated_modules(out) as modules:
                models, client = modules["models"], modules["client"]
                hints = typing.get_type_hints(client.Client.get_record, vars(client))
                assert hints["return"] is getattr(models, record)
                assert issubclass(getattr(models, record), models.BulkModel)
                payload = {"data": [{"id": "1"}], **{name.lower(): "b" for name in vocabularies}}
                envelope = models.Envelope.model_validate(
                    payload, context={"zoho_bulk_strict": True}
                )
                assert envelope.model_dump(mode="json", exclude_unset=True) == payload
                for name in vocabularies:
                    value = getattr(envelope, name.lower())
                    assert type(value) is getattr(modules["vocabulary"], name)


IDENTIFIER = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True),
    st.sampled_from(sorted(set(keyword.kwlist) | set(keyword.softkwlist))),
    st.sampled_from(sorted(CLIENT_MEMBERS | METHOD_NAMES)),
    st.sampled_from(["id", "type", "format", "json", "print", "data", "job_id", "org"]),
)


@settings(CASES, max_examples=15)
@given(
    operation=IDENTIFIER.filter(lambda name: name != "create_record"),
    parameter=IDENTIFIER,
)
def test_operation_and_parameter_names_work_or_are_refused(operation: str, parameter: str) -> None:
    with tempfile.TemporaryDirectory(prefix="zoho-bulkgen-hostile-") as temp:
        root = Path(temp)
        spec_dir = write_spec(HostileSpec(operation_name=operation, param_name=parameter), root)
        try:
            result = build(spec_dir)
        except SpecError as refused:
            event("refused")
            _assert_one_line_error(refused, "operations.yaml")
            assert (
                keyword.iskeyword(operation)
                or operation in CLIENT_MEMBERS
                or keyword.iskeyword(parameter)
                or parameter in METHOD_NAMES
                or LOWER_NAME_PATTERN.fullmatch(operation) is None
                or LOWER_NAME_PATTERN.fullmatch(parameter) is None
            ), str(refused)
            return
        event("accepted")
        out = write_output(result.files, root)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with generated_modules(out) as modules:
                for client in (modules["client"].Client, modules["client"].AsyncClient):
                    method = getattr(client, operation)
                    assert list(inspect.signature(method).parameters) == ["self", parameter]
                    assert callable(client.create_record)
                with modules["client"].Client(
                    access_token="1000.x", base_url="http://127.0.0.1:9"
                ) as client:
                    with pytest.raises(ValueError, match=f"invalid {parameter} 'x/y'"):
                        getattr(client, operation)("x/y")
