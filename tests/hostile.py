"""A small synthetic spec (one product, one version, a handful of types,
operations, errors and one example) whose every piece of free text and every
name can be chosen by a test, and a way to import what it generates from a
temporary folder. The hostile-spec tests build on it instead of mutating the
real spec, so that each case generates in well under a second."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from tests.helpers import restored_imports

PRODUCT = "hostile"
PACKAGE = f"zoho_bulk_{PRODUCT}"
REQUIRED_STATES: dict[str, dict[str, Any]] = {
    "COMPLETED": {"description": "Finished."},
    "FAILED": {"description": "Gave up."},
}
"""The JobStatus values the core runtime's waiters need."""
YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it, as the generator reads a spec
without tabs (the written files escape every tab), ten times faster than the
pure-Python one."""


@dataclass
class HostileSpec:
    """The choices a test makes; every default is plain and valid."""

    title: str = "Hostile"
    version: str = "v1"
    product_name: str = PRODUCT
    type_description: str = "A record."
    require_one_of: tuple[str, ...] = ()
    """Fields of the Record type of which at least one must be present."""
    record_mixins: tuple[str, ...] = ()
    operation_name: str = "get_record"
    """The name of the GET operation (the POST one is create_record)."""
    param_name: str = "job_id"
    """The name of the GET operation's path parameter."""
    record_type: str = "Record"
    """The name of the type whose fields the test chooses."""
    other_vocabularies: tuple[str, ...] = ()
    """Names of more vocabularies (values ``a`` and ``b``), each the type of an
    Envelope field named after it in lower case."""
    fields: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {"id": {"type": "string", "description": "The id."}}
    )
    vocabulary_description: str = "A state."
    vocabulary_values: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {"DONE": {"description": "Finished, too."}}
    )
    summary: str = "Get a record."
    description: str = "Fetches one record."
    param_description: str = "Id of the record."
    error_meaning: str = "Nothing was found."
    extra_errors: dict[str, dict[str, Any]] = field(default_factory=dict)
    """More error codes (code -> http_status, meaning) that get_record lists."""
    callback_summary: str = "A notification."
    callback_description: str = "Sent when the job ends."
    data_center_description: str = "Test land"
    custom_domain: str | None = None
    example: dict[str, Any] | None = None
    example_label: str = "A sample."
    source: str = "made up for a test"


def write_spec(spec: HostileSpec, root: Path) -> Path:
    """Write ``spec`` as YAML files (and its example) under ``root/spec``."""
    folder = root / "spec"
    (folder / "examples").mkdir(parents=True, exist_ok=True)
    hosts: dict[str, Any] = {"data_center": "api", "upload": "upload"}
    if spec.custom_domain is not None:
        hosts["custom_domain"] = spec.custom_domain
    products = {
        "auth": {"header": "Authorization", "scheme": "Zoho-oauthtoken", "source": spec.source},
        "host_kinds": {
            "api": {"serves": "api", "upload": "upload", "token_domain": True},
            "accounts": {"serves": "accounts"},
            "upload": {"serves": "upload"},
        },
        "data_centers": [
            {
                "name": "US",
                "description": spec.data_center_description,
                "api": "api.example.com",
                "accounts": "accounts.example.com",
                "upload": "upload.example.com",
            }
        ],
        "products": [
            {
                "name": spec.product_name,
                "title": spec.title,
                "path_prefix": "crm",
                "scope_prefix": "ZohoCRM",
                "org_header": "X-CRM-ORG",
                "hosts": hosts,
                "source": spec.source,
                "versions": [{"name": spec.version, "source": spec.source}],
            }
        ],
    }
    types = {
        "vocabularies": {
            "JobStatus": {
                "description": spec.vocabulary_description,
                "values": {**REQUIRED_STATES, **spec.vocabulary_values},
                "source": spec.source,
            },
            **{
                name: {
                    "description": f"The {name} values.",
                    "values": {"a": {"description": "A."}, "b": {"description": "B."}},
                    "source": spec.source,
                }
                for name in spec.other_vocabularies
            },
        },
        "types": {
            spec.record_type: {
                "description": spec.type_description,
                "fields": spec.fields,
                **({"require_one_of": list(spec.require_one_of)} if spec.require_one_of else {}),
                **({"mixins": list(spec.record_mixins)} if spec.record_mixins else {}),
            },
            "ErrorResponse": {
                "description": "The body of an error answer.",
                "fields": {
                    "code": {"type": "string", "required": True, "description": "The code."},
                    "message": {"type": "string", "description": "What went wrong."},
                },
            },
            "Envelope": {
                "description": "The answer around records.",
                "fields": {
                    "data": {
                        "type": f"list[{spec.record_type}]",
                        "required": True,
                        "description": "The records.",
                    },
                    "state": {"type": "JobStatus", "description": spec.vocabulary_description},
                    **{
                        name.lower(): {"type": name, "description": f"A {name}."}
                        for name in spec.other_vocabularies
                    },
                },
            },
        },
    }
    operations = {
        "operations": {
            spec.operation_name: {
                "summary": spec.summary,
                "description": spec.description,
                "method": "GET",
                "path": f"/{{prefix}}/bulk/{{version}}/records/{{{spec.param_name}}}",
                "path_params": {
                    spec.param_name: {"type": "JobId", "description": spec.param_description}
                },
                "scopes": [["{scope}.bulk.READ"]],
                "response": {"type": "Envelope", "returns": "data[0]"},
                "retry": "safe",
                "errors": ["NOT_THERE", *spec.extra_errors],
                "source": spec.source,
            },
            "create_record": {
                "summary": spec.summary,
                "description": spec.description,
                "method": "POST",
                "path": "/{prefix}/bulk/{version}/records",
                "scopes": [["{scope}.bulk.CREATE"]],
                "request": {"type": spec.record_type},
                "response": {"type": "Envelope", "http_status": 201},
                "retry": "unsafe",
                "errors": ["NOT_THERE"],
                "source": spec.source,
                "callback": {
                    "name": "record_callback",
                    "summary": spec.callback_summary,
                    "description": spec.callback_description,
                    "body": {"type": spec.record_type},
                    "source": spec.source,
                },
            },
        },
        "path_param_types": {
            "JobId": {"description": "Digits.", "pattern": "^[0-9]{1,30}$"},
        },
    }
    errors = {
        "errors": {
            "NOT_THERE": {"http_status": 404, "meaning": spec.error_meaning, "source": spec.source},
            **{code: {**entry, "source": spec.source} for code, entry in spec.extra_errors.items()},
        }
    }
    examples: list[dict[str, Any]] = []
    if spec.example is not None:
        (folder / "examples" / "record.json").write_text(
            json.dumps(spec.example, ensure_ascii=False), encoding="utf-8"
        )
        examples.append(
            {
                "file": "examples/record.json",
                "product": spec.product_name,
                "version": spec.version,
                "operation": "create_record",
                "request": True,
                "source": {"label": spec.example_label},
            }
        )
    for name, document in [
        ("products", products),
        ("types", types),
        ("operations", operations),
        ("errors", errors),
        ("examples", {"examples": examples}),
    ]:
        # Every scalar double-quoted: plain YAML would fold a NEL or a line
        # separator into a space, and the spec would not say what the test means.
        text = yaml.safe_dump(
            document, allow_unicode=True, sort_keys=False, width=1000, default_style='"'
        )
        assert yaml.load(text, Loader=YAML_LOADER) == document, f"{name}.yaml does not round-trip"
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def write_output(files: Mapping[str, bytes], root: Path) -> Path:
    """Write a build's files under ``root/generated``."""
    out = root / "generated"
    for path, content in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return out


@contextmanager
def generated_modules(out: Path, product: str = PRODUCT) -> Iterator[dict[str, ModuleType]]:
    """Import the generated core and product packages from ``out``; afterwards
    put ``sys.path`` and ``sys.modules`` back as they were (so the installed
    packages that other tests use are untouched)."""
    package = f"zoho_bulk_{product}"
    with restored_imports():
        for name in [name for name in sys.modules if name.startswith("zoho_bulk_")]:
            del sys.modules[name]
        product_root = out / "python" / f"zoho-bulk-{product.replace('_', '-')}"
        sys.path[:0] = [str(out / "python" / "zoho-bulk-core"), str(product_root)]
        importlib.invalidate_caches()
        modules: dict[str, ModuleType] = {}
        version_dir = next((product_root / package).glob("v*"))
        for name in ["models", "client", "callbacks", "validation"]:
            modules[name] = importlib.import_module(f"{package}.{version_dir.name}.{name}")
        modules["package"] = importlib.import_module(f"{package}.{version_dir.name}")
        modules["vocabulary"] = importlib.import_module("zoho_bulk_core.vocabulary")
        modules["errors"] = importlib.import_module("zoho_bulk_core.errors")
        modules["hosts"] = importlib.import_module(f"{package}._hosts")
        modules["core_hosts"] = importlib.import_module("zoho_bulk_core.hosts")
        yield modules
