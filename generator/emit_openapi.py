"""Stage 4d, emit OpenAPI 3.1: one document per product and version, so that
other tools (code generators, API explorers, mock servers) can use the spec.

The documents reuse the JSON Schemas of emit_schemas: each body schema's
``$defs`` become component schemas (a request's strict variant of a type gets
its own name when it differs from the lenient one), and ``#/$defs/`` references
are rewritten to ``#/components/schemas/``."""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

from generator import __version__
from generator.emit_schemas import emit_schemas, object_schema, payload_bodies, schema_path
from generator.errors import GeneratorError
from generator.spec_model import (
    DataCenter,
    ErrorCode,
    NormalizedSpec,
    Operation,
    Product,
    ProductVersion,
)
from generator.validate import ERROR_TYPE

OPENAPI_VERSION = "3.1.0"
OPENAPI_ROOT = "openapi"
TOKEN_SCHEME = "zohoOAuthToken"
OAUTH2_SCHEME = "zohoOAuth2"
ERROR_SCHEMA = ERROR_TYPE
ERROR_CODE_SCHEMA = "ErrorCode"
ZIP_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "binary",
    "contentMediaType": "application/zip",
}
"""A zip file, as a body or a file part: ``contentMediaType`` for OpenAPI 3.1,
``format: binary`` for the tools that read files the 3.0 way
(openapi-python-client, Schemathesis)."""
WRITE_RESULT_PATH = "/{api_version}/{prefix}/{org}/bulk-write/{job_id}/{file_name}"
"""The layout of a bulk write job's ``result.download_url`` (relative, or on a
download host), split into path parameters that hold no ``/``: a whole URL
cannot be one path parameter that conformant tools send unescaped."""
WRITE_RESULT_PARAMETERS: tuple[tuple[str, str, str], ...] = (
    ("api_version", r"^v[0-9]+(\.[0-9]+)?$", "The version segment of the download URL (v2, v7)."),
    ("org", r"^(org)?[0-9]+$", "The organization segment of the download URL (org6196138)."),
    ("job_id", "", "The bulk write job's id."),
    ("file_name", r"^[0-9]+\.zip$", "The result file's name: the job id and .zip."),
)
DIGITS_PATTERN = "^[0-9]+$"
ID_PARAMETER = "job_id"
"""Every id the Bulk APIs answer with (jobs, files, users, modules, fields) is a
string of digits, as every sample in the spec's examples is: the documents give
each the pattern of the spec's path parameter of this name (the clients send
job ids back in it)."""
_DEFS_PREFIX = "#/$defs/"
_COMPONENTS_PREFIX = "#/components/schemas/"
_STRICT_SUFFIX = "Strict"
_ENVIRONMENT_HOSTS = (("production", "api"), ("sandbox", "sandbox"), ("developer", "developer"))
# Which create operation a callback belongs to: the URL it is posted to is the
# request's callback.url.
_CALLBACK_OWNERS = {
    "bulk_read_callback": "create_bulk_read_job",
    "bulk_write_callback": "create_bulk_write_job",
}
_CALLBACK_URL = "{$request.body#/callback/url}"


def openapi_path(product: str, version: str) -> str:
    """Where a product version's OpenAPI document lives under generated/."""
    return f"{OPENAPI_ROOT}/{product}/{version}.json"


def emit_openapi(
    spec: NormalizedSpec, schemas: dict[str, dict[str, Any]] | None = None
) -> dict[str, dict[str, Any]]:
    """Every OpenAPI document, keyed by its path under generated/.

    ``schemas`` are emit_schemas' output (made here when not given)."""
    schemas = emit_schemas(spec) if schemas is None else schemas
    documents: dict[str, dict[str, Any]] = {}
    for product in spec.products:
        for version in product.versions:
            documents[openapi_path(product.name, version.version)] = openapi_document(
                spec, product, version, schemas
            )
    return documents


def openapi_document(
    spec: NormalizedSpec,
    product: Product,
    version: ProductVersion,
    schemas: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of one product version."""
    components = _Components()
    # Lenient bodies first, so that the strict variants of requests are the
    # ones that get suffixed names.
    for body in payload_bodies(version):
        if not body.strict:
            path = schema_path(product.name, version.version, body.operation, body.kind)
            components.add_body(schemas[path])
    paths: dict[str, dict[str, Any]] = {}
    for operation in version.operations:
        path = operation.path or WRITE_RESULT_PATH.replace("{prefix}", product.path_prefix)
        paths.setdefault(path, {})[operation.method.lower()] = _operation(
            spec, product, version, operation, schemas, components
        )
    error_schema = _error_response_schema(version)
    components.schemas[ERROR_CODE_SCHEMA] = _error_code_schema(spec.errors)
    id_pattern = _id_pattern(version)
    for schema in components.schemas.values():
        _state_guarantees(schema, id_pattern)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{product.title} Bulk API",
            "version": version.version,
            "description": (
                f"The Bulk API of {product.title} {version.version}: create bulk read and "
                "write jobs, follow them and download their results. Generated by "
                f"zoho-bulkgen {__version__} from the normalized spec ({version.source})."
            ),
        },
        "servers": _api_servers(spec.data_centers, product),
        "security": [{TOKEN_SCHEME: []}, {OAUTH2_SCHEME: []}],
        "tags": [{"name": "bulk", "description": f"{product.title} Bulk API operations."}],
        "paths": paths,
        "components": {
            "schemas": {**components.schemas, ERROR_SCHEMA: error_schema},
            "securitySchemes": _security_schemes(spec, product, version),
        },
    }


class _Components:
    """Component schemas collected from the body schemas, named without clashes."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def add_body(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Add the ``$defs`` of one body schema; return a reference to its root.

        A definition keeps its name when that name is free, or taken by the same
        schema whose parts are the same too; otherwise (a request's strict
        variant of a lenient type) it gets a suffixed name."""
        defs: dict[str, Any] = schema["$defs"]
        differs = {
            name
            for name, definition in defs.items()
            if name in self.schemas and self.schemas[name] != _rewrite_refs(definition, {})
        }
        changed = True
        while changed:
            changed = False
            for name, definition in defs.items():
                if name not in differs and any(ref in differs for ref in _references(definition)):
                    differs.add(name)
                    changed = True
        renames = {name: f"{name}{_STRICT_SUFFIX}" if name in differs else name for name in defs}
        for name, definition in defs.items():
            rewritten = _rewrite_refs(definition, renames)
            if renames[name] != name and rewritten.get("title") == name:
                # Tools name classes after titles: two shapes, two names.
                rewritten = {**rewritten, "title": renames[name]}
            existing = self.schemas.setdefault(renames[name], rewritten)
            if existing != rewritten:
                raise GeneratorError(
                    f"OpenAPI export: type {name} has more than two shapes in one version "
                    "(generator bug)"
                )
        root = schema["$ref"].removeprefix(_DEFS_PREFIX)
        return {"$ref": _COMPONENTS_PREFIX + renames[root]}


def _id_pattern(version: ProductVersion) -> str:
    """The pattern of the spec's ``job_id`` path parameter (digits), or plain
    digits when the spec has no such parameter or several patterns for it."""
    patterns = {
        param.pattern
        for operation in version.operations
        for param in operation.path_params
        if param.name == ID_PARAMETER
    }
    return patterns.pop() if len(patterns) == 1 else DIGITS_PATTERN


def _state_guarantees(schema: dict[str, Any], id_pattern: str) -> None:
    """Write into a component schema what the vendor guarantees beyond the
    JSON Schemas (which stay lenient, to read what comes): a ``data`` list (the
    envelope of a job or a created job) holds at least one item, and ids are
    digit strings. A mock made from the document (Prism, Schemathesis) then
    answers what the clients accept."""
    for name, field in schema.get("properties", {}).items():
        types = field.get("type")
        if name == "data" and types == "array":
            field.setdefault("minItems", 1)
        elif (name == "id" or name.endswith("_id")) and (
            types == "string" or (isinstance(types, list) and "string" in types)
        ):
            field.setdefault("pattern", id_pattern)


def _references(node: Any) -> list[str]:
    """Names of every ``$defs`` entry ``node`` refers to, transitively within itself."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_DEFS_PREFIX):
                found.append(value.removeprefix(_DEFS_PREFIX))
            else:
                found.extend(_references(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_references(item))
    return found


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    """A copy of ``node`` whose ``$defs`` references point at component schemas."""
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith(_DEFS_PREFIX):
            name = value.removeprefix(_DEFS_PREFIX)
            result[key] = _COMPONENTS_PREFIX + renames.get(name, name)
        elif key == "examples":
            result[key] = copy.deepcopy(value)
        else:
            result[key] = _rewrite_refs(value, renames)
    return result


def _operation(
    spec: NormalizedSpec,
    product: Product,
    version: ProductVersion,
    operation: Operation,
    schemas: dict[str, dict[str, Any]],
    components: _Components,
) -> dict[str, Any]:
    """One operation object."""
    document: dict[str, Any] = {
        "operationId": operation.name,
        "summary": operation.summary,
        "description": operation.description,
        "tags": ["bulk"],
    }
    parameters = _parameters(operation, _id_pattern(version))
    if parameters:
        document["parameters"] = parameters
    if operation.host == "upload":
        document["servers"] = _upload_servers(spec.data_centers, product)
    if operation.request_type is not None:
        body = schemas[schema_path(product.name, version.version, operation.name, "request")]
        document["requestBody"] = {
            "required": True,
            "content": {
                "application/json": _media(
                    components.add_body(body), _examples(version, operation.name, request=True)
                )
            },
        }
    elif operation.multipart_field is not None:
        document["requestBody"] = _multipart_body(operation.multipart_field)
    document["responses"] = _responses(product, version, operation, schemas, components)
    callbacks = _callbacks(product, version, operation, schemas, components)
    if callbacks:
        document["callbacks"] = callbacks
    document["security"] = _operation_security(operation)
    document["x-zoho-retry-safe"] = operation.retry_safe
    return document


def _parameters(operation: Operation, id_pattern: str) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = []
    if operation.url_param is not None:
        parameters.extend(
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": (
                    f"{description} Split from the job's result.{operation.url_param}; "
                    "a relative one is on the API host, an absolute one names its host."
                ),
                "schema": {"type": "string", "pattern": pattern or id_pattern},
            }
            for name, pattern, description in WRITE_RESULT_PARAMETERS
        )
    for param in operation.path_params:
        if param.name == operation.url_param:
            continue
        description = param.description
        parameters.append(
            {
                "name": param.name,
                "in": "path",
                "required": True,
                "description": description,
                "schema": {"type": "string", "pattern": param.pattern},
            }
        )
    for name, value in operation.headers:
        parameters.append(
            {
                "name": name,
                "in": "header",
                "required": True,
                "description": f"Must be {value}.",
                "schema": {"type": "string", "enum": [value]},
            }
        )
    if operation.org_header is not None:
        parameters.append(
            {
                "name": operation.org_header,
                "in": "header",
                "required": True,
                "description": "Id of the organization the file belongs to.",
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
            }
        )
    return parameters


def _multipart_body(field: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        field: {
                            **ZIP_SCHEMA,
                            "description": "The zip holding the CSV file (at most 25 MB).",
                        }
                    },
                    "required": [field],
                },
                "encoding": {field: {"contentType": "application/zip"}},
            }
        },
    }


def _media(schema: dict[str, Any], examples: dict[str, Any]) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if examples:
        media["examples"] = examples
    return media


def _examples(version: ProductVersion, operation: str, *, request: bool) -> dict[str, Any]:
    """The spec's samples of one body, as named OpenAPI examples."""
    return {
        example.name: {"summary": example.source, "value": copy.deepcopy(example.payload)}
        for example in version.examples
        if example.operation == operation and example.request == request
    }


def _responses(
    product: Product,
    version: ProductVersion,
    operation: Operation,
    schemas: dict[str, dict[str, Any]],
    components: _Components,
) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    success: dict[str, Any] = {"description": operation.summary}
    if operation.response_content is not None:
        success["content"] = {operation.response_content: {"schema": dict(ZIP_SCHEMA)}}
    elif operation.response_type is not None:
        body = schemas[schema_path(product.name, version.version, operation.name, "response")]
        reference = components.add_body(body)
        schema: dict[str, Any] = reference
        if operation.errors_with_http_200:
            schema = {"anyOf": [reference, {"$ref": _COMPONENTS_PREFIX + ERROR_SCHEMA}]}
            success[
                "description"
            ] += " In this version some errors also arrive with HTTP 200 and status error."
        success["content"] = {
            "application/json": _media(schema, _examples(version, operation.name, request=False))
        }
    responses[str(operation.success_status)] = success
    by_status: dict[int, list[ErrorCode]] = defaultdict(list)
    for error in operation.errors:
        by_status[error.http_status].append(error)
    for status in sorted(by_status):
        codes = by_status[status]
        responses[str(status)] = {
            "description": "; ".join(f"{error.code}: {error.meaning}" for error in codes),
            "content": {
                "application/json": {
                    "schema": {"$ref": _COMPONENTS_PREFIX + ERROR_SCHEMA},
                    "examples": {
                        error.code: {
                            "summary": error.meaning,
                            "value": {
                                "code": error.code,
                                "details": {},
                                "message": error.meaning,
                                "status": "error",
                            },
                        }
                        for error in codes
                    },
                }
            },
        }
    return responses


def _callbacks(
    product: Product,
    version: ProductVersion,
    operation: Operation,
    schemas: dict[str, dict[str, Any]],
    components: _Components,
) -> dict[str, Any]:
    callbacks: dict[str, Any] = {}
    for callback in version.callbacks:
        if _CALLBACK_OWNERS.get(callback.name) != operation.name:
            continue
        body = schemas[schema_path(product.name, version.version, callback.name, "notification")]
        callbacks[callback.name] = {
            _CALLBACK_URL: {
                "post": {
                    "summary": callback.summary,
                    "description": callback.description,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": _media(
                                components.add_body(body),
                                _examples(version, callback.name, request=False),
                            )
                        },
                    },
                    "responses": {
                        "200": {"description": "The receiver accepted the notification."}
                    },
                    "security": [],
                }
            }
        }
    return callbacks


def _operation_security(operation: Operation) -> list[dict[str, list[str]]]:
    """Each scope alternative, with either way of sending the token."""
    requirements: list[dict[str, list[str]]] = []
    for alternative in operation.scopes:
        requirements.append({OAUTH2_SCHEME: list(alternative)})
    for alternative in operation.scopes:
        requirements.append({TOKEN_SCHEME: list(alternative)})
    return requirements


def _security_schemes(
    spec: NormalizedSpec, product: Product, version: ProductVersion
) -> dict[str, Any]:
    scopes = sorted({scope for op in version.operations for alt in op.scopes for scope in alt})
    accounts = spec.data_centers[0].accounts
    others = ", ".join(f"{dc.name} {dc.accounts}" for dc in spec.data_centers[1:])
    return {
        TOKEN_SCHEME: {
            "type": "apiKey",
            "in": "header",
            "name": spec.auth.header,
            "description": (
                f"An OAuth access token in the {spec.auth.header} header, written "
                f"'{spec.auth.scheme} <token>'. The operation's scopes must have been granted."
            ),
        },
        OAUTH2_SCHEME: {
            "type": "oauth2",
            "description": (
                f"Zoho accounts OAuth 2.0 ({accounts} shown; the other data centers use their "
                f"own accounts host: {others}). Tokens are sent as '{spec.auth.scheme} <token>', "
                "not 'Bearer'. In scopes, {module} stands for a module's API name."
            ),
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": f"https://{accounts}/oauth/v2/auth",
                    "tokenUrl": f"https://{accounts}/oauth/v2/token",
                    "refreshUrl": f"https://{accounts}/oauth/v2/token",
                    "scopes": {scope: _scope_description(scope) for scope in scopes},
                }
            },
        },
    }


def _scope_description(scope: str) -> str:
    parts = scope.split(".")
    return f"{parts[-1]} access to {'.'.join(parts[1:-1])} ({parts[0]})."


def _api_servers(data_centers: tuple[DataCenter, ...], product: Product) -> list[dict[str, Any]]:
    """One server per data center, the environment a variable where hosts follow one pattern."""
    servers: list[dict[str, Any]] = []
    for center in data_centers:
        if product.host_kind == "recruit":
            if center.recruit is not None:
                servers.append(
                    {"url": f"https://{center.recruit}", "description": center.description}
                )
            continue
        servers.extend(_environment_servers(center))
    if product.custom_domain is not None:
        servers.append(
            {
                "url": product.custom_domain,
                "description": "A vertical-solution domain on zohoplatform.com.",
                "variables": {
                    "domain": {
                        "default": "example",
                        "description": "The solution's subdomain.",
                    }
                },
            }
        )
    return servers


def _environment_servers(center: DataCenter) -> list[dict[str, Any]]:
    hosts = [
        (environment, getattr(center, attribute))
        for environment, attribute in _ENVIRONMENT_HOSTS
        if getattr(center, attribute) is not None
    ]
    suffixes = {host.split(".", 1)[1] for _, host in hosts}
    if len(suffixes) == 1:
        labels = [host.split(".", 1)[0] for _, host in hosts]
        return [
            {
                "url": f"https://{{environment}}.{suffixes.pop()}",
                "description": f"{center.description} ({center.name})",
                "variables": {
                    "environment": {
                        "default": labels[0],
                        "enum": labels,
                        "description": ", ".join(
                            f"{label}: {environment}"
                            for label, (environment, _) in zip(labels, hosts, strict=True)
                        ),
                    }
                },
            }
        ]
    return [
        {"url": f"https://{host}", "description": f"{center.description} ({center.name}) {env}"}
        for env, host in hosts
    ]


def _upload_servers(data_centers: tuple[DataCenter, ...], product: Product) -> list[dict[str, Any]]:
    servers = []
    for center in data_centers:
        host = center.recruit_upload if product.upload_kind == "recruit_upload" else center.upload
        if host is not None:
            servers.append(
                {"url": f"https://{host}", "description": f"{center.description} upload host"}
            )
    return servers


def _error_response_schema(version: ProductVersion) -> dict[str, Any]:
    """The error body shape, from the spec's ErrorResponse type."""
    schema = object_schema(version.type_named(ERROR_SCHEMA))
    code = schema["properties"].get("code")
    if code is not None:
        code[
            "description"
        ] += f" The documented codes are listed in {ERROR_CODE_SCHEMA}; others may appear."
    return schema


def _error_code_schema(errors: tuple[ErrorCode, ...]) -> dict[str, Any]:
    return {
        "type": "string",
        "title": ERROR_CODE_SCHEMA,
        "description": "The documented error codes; x-zoho-errors gives each one's HTTP "
        "status and meaning.",
        "enum": [error.code for error in errors],
        "x-zoho-errors": {
            error.code: {"http_status": error.http_status, "meaning": error.meaning}
            for error in errors
        },
    }
