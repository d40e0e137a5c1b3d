"""The mock's answer to each operation of the spec: jobs are created, advance
ADDED -> IN PROGRESS -> COMPLETED (or FAILED) as they are polled, and their
results are built from predictable records. Shapes that differ between versions
(``module`` as a string or an object, ``code``, ``file_names``, page tokens) are
read from the spec's types of the version asked."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from generator.mock.answers import Answer, ApiFailure
from generator.mock.data import (
    DEFAULT_FIELDS,
    EVENT_FIELDS,
    EVENTS_MODULE,
    NotZipError,
    UploadFormatError,
    csv_zip,
    ics_zip,
    multipart_fields,
    now_timestamp,
    read_csv_zip,
    record_rows,
)
from generator.mock.routes import Match, fill, url_template
from generator.mock.state import (
    MockState,
    ReadCursor,
    ReadJob,
    Token,
    UploadedFile,
    WriteJob,
    WriteResource,
    scopes_allow,
)
from generator.spec.load import to_pointer
from generator.spec.model import ProductVersion
from generator.spec.type_expr import Named
from generator.targets.json_schema import schema_path

MOCK_USER = {"id": "5725767000000411001", "name": "Mock User"}
"""The user every job is created by."""

MODULE_IDS_BASE = 5_725_767_000_000_002_000
"""Module ids are derived from their name, above this base."""


@dataclass(frozen=True)
class Call:
    """A request that reached an operation: who sent it and what it carries."""

    match: Match
    token: Token
    headers: Mapping[str, str]
    """Request headers, by lower-cased name."""
    body: bytes
    base_url: str

    @property
    def version(self) -> ProductVersion:
        """The product version the request is for."""
        return self.match.route.version

    @property
    def product(self) -> str:
        """The product's name."""
        return self.match.route.product.name


Handler = Callable[["MockOperations", Call], Answer]


class MockOperations:
    """One handler per operation name; each returns an Answer or raises ApiFailure."""

    def __init__(self, state: MockState, schemas: Mapping[str, dict[str, Any]]) -> None:
        self.state = state
        self._request_validators = {
            path: jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
            for path, schema in schemas.items()
            if path.endswith(".request.json")
        }

    def handle(self, call: Call) -> Answer:
        """Answer ``call`` with the handler of its operation."""
        handler = _HANDLERS[call.match.route.operation.role or ""]
        return handler(self, call)

    # -- helpers -----------------------------------------------------------------------

    def _json_request(self, call: Call) -> dict[str, Any]:
        """The request body, parsed and checked against the operation's request
        schema; a refusal carries the code the vendor gives that mistake."""
        if not call.body.strip():
            code = listed_code(call, "REQUEST_BODY_IS_EMPTY", "MISSING_REQUIRED_KEY")
            raise ApiFailure(code, "the request has no body", {})
        media_type = call.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type and not media_type.endswith("json"):
            code = listed_code(call, "MEDIA_TYPE_NOT_SUPPORTED", "INVALID_DATA")
            raise ApiFailure(code, "the body must be JSON", {"supported": ["application/json"]})
        try:
            body = json.loads(call.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            code = listed_code(call, "REQUEST_BODY_NOT_READABLE", "INVALID_DATA")
            raise ApiFailure(code, "the body is not JSON", {}) from None
        operation = call.match.route.operation.name
        query = body.get("query") if isinstance(body, dict) else None
        if isinstance(query, dict):
            _check_criteria(call, query.get("criteria"))
        path = schema_path(call.product, call.version.version, operation, "request")
        error = jsonschema.exceptions.best_match(self._request_validators[path].iter_errors(body))
        if error is not None:
            raise _schema_failure(call, error)
        assert isinstance(body, dict)
        _check_callback(call, body.get("callback"))
        return body

    def _read_job(self, call: Call) -> ReadJob:
        job = self.state.read_jobs.get(call.match.params["job_id"])
        if job is None or job.product != call.product or job.version != call.version.version:
            raise ApiFailure("RESOURCE_NOT_FOUND", "no bulk read job has this id", {})
        _check_role_may_see(call.token)
        return job

    def _write_job(self, call: Call, job_id: str) -> WriteJob:
        job = self.state.write_jobs.get(job_id)
        if job is None or job.product != call.product or job.version != call.version.version:
            raise ApiFailure("RESOURCE_NOT_FOUND", "no bulk write job has this id", {})
        _check_role_may_see(call.token)
        return job

    # -- bulk read -----------------------------------------------------------------------

    def create_read_job(self, call: Call) -> Answer:
        """Schedule an export of one page of a module's records."""
        _check_role_may_create(call.token)
        request = self._json_request(call)
        query = request["query"]
        token = query.get("page_token")
        if token is not None:
            cursor = self.state.cursors.get(token)
            if cursor is None or (cursor.product, cursor.version) != (
                call.product,
                call.version.version,
            ):
                raise ApiFailure("INVALID_DATA", "the page token is not valid", {"param": "page"})
            module, fields, criteria = cursor.module, cursor.fields, cursor.criteria
            cvid, file_type, page = cursor.cvid, cursor.file_type, cursor.page
        else:
            module = module_api_name(query["module"])
            fields = tuple(query["fields"]) if query.get("fields") else None
            criteria, cvid = query.get("criteria"), query.get("cvid")
            file_type, page = request.get("file_type", "csv"), int(query.get("page", 1))
        require_scopes(call, [module])
        if file_type == "ics" and module != EVENTS_MODULE:
            raise ApiFailure("INVALID_DATA", "ics exports only Events", {"param": "file_type"})
        config = self.state.config
        start = min((page - 1) * config.per_page, config.records)
        end = min(start + config.per_page, config.records)
        job = ReadJob(
            id=self.state.new_id(),
            product=call.product,
            version=call.version.version,
            module=module,
            fields=fields,
            criteria=criteria,
            cvid=cvid,
            page=page,
            page_token=token,
            file_type=file_type,
            callback=request.get("callback"),
            created_time=now_timestamp(),
            start=start,
            end=end,
            more_records=end < config.records,
        )
        with self.state.lock:
            self.state.read_jobs[job.id] = job
        details = {
            "id": job.id,
            "operation": "read",
            "state": "ADDED",
            "created_by": MOCK_USER,
            "created_time": job.created_time,
        }
        body = {
            "data": [
                {
                    "status": "success",
                    "code": "ADDED_SUCCESSFULLY",
                    "message": "Added successfully.",
                    "details": details,
                }
            ],
            "info": {},
        }
        return Answer(201, body, schema=_schema(call, "response"))

    def get_read_job(self, call: Call) -> Answer:
        """The job's state; each poll moves it along its lifecycle."""
        job = self._read_job(call)
        require_scopes(call, [job.module])
        with self.state.lock:
            state = _advance(job, self.state.config.polls_until_complete)
            finishing = job.polls == self.state.config.polls_until_complete + 1
            if state == "COMPLETED" and job.more_records and job.next_page_token is None:
                if "next_page_token" in role_fields(call, "result"):
                    job.next_page_token = self._next_cursor(job)
        description = self._read_job_body(call, job, state)
        notify: tuple[tuple[str, Any], ...] = ()
        if state == "COMPLETED" and finishing:
            notify = self._read_notification(call, job, description)
        return Answer(200, {"data": [description]}, schema=_schema(call, "response"), notify=notify)

    def _next_cursor(self, job: ReadJob) -> str:
        token = secrets.token_hex(24)
        self.state.cursors[token] = ReadCursor(
            job.product,
            job.version,
            job.module,
            job.fields,
            job.criteria,
            job.cvid,
            job.file_type,
            job.page + 1,
        )
        return token

    def _read_job_body(self, call: Call, job: ReadJob, state: str) -> dict[str, Any]:
        query_type = call.match.route.operation.role_type("query")
        query: dict[str, Any] = {"module": module_value(call.version, query_type, job.module)}
        if job.fields is not None:
            query["fields"] = list(job.fields)
        if job.criteria is not None:
            query["criteria"] = job.criteria
        if job.cvid is not None:
            query["cvid"] = job.cvid
        query["page"] = job.page
        if job.page_token is not None and "page_token" in role_fields(call, "query"):
            query["page_token"] = job.page_token
        body: dict[str, Any] = {
            "id": job.id,
            "operation": "read",
            "state": state,
            "query": query,
            "created_by": MOCK_USER,
            "created_time": job.created_time,
            "file_type": job.file_type,
        }
        if job.callback is not None:
            body["callback"] = job.callback
        if state == "COMPLETED":
            download = call.version.operation_with_role("download-read-result")
            result: dict[str, Any] = {
                "page": job.page,
                "per_page": self.state.config.per_page,
                "count": job.end - job.start,
            }
            if download is not None:  # a version without one has nothing to download
                if download.path is None:
                    raise ApiFailure(
                        "INTERNAL_ERROR", "the spec gives no path for this version's result", {}
                    )
                result["download_url"] = fill(download.path, job_id=job.id)
            result["more_records"] = job.more_records
            if "next_page_token" in role_fields(call, "result"):
                result["next_page_token"] = job.next_page_token
            body["result"] = result
        return body

    def _read_notification(
        self, call: Call, job: ReadJob, description: dict[str, Any]
    ) -> tuple[tuple[str, Any], ...]:
        url = (job.callback or {}).get("url")
        if not url:
            return ()
        body = {key: description[key] for key in ("operation", "state", "query", "result")}
        return ((url, {"job_id": job.id, **body}),)

    def download_read_result(self, call: Call) -> Answer:
        """The finished job's zip: one CSV (or ICS for Events) file."""
        job = self._read_job(call)
        require_scopes(call, [job.module])
        if job.polls <= self.state.config.polls_until_complete:
            raise ApiFailure("RESOURCE_NOT_FOUND", "the job has not finished", {})
        wait = self.state.download_wait()
        if wait is not None:
            raise ApiFailure(
                "TOO_MANY_REQUESTS",
                "too many downloads in a minute",
                {},
                headers=(("Retry-After", str(wait)),),
            )
        with job.build_lock:
            if job.result is None:
                job.result = _read_result_zip(job)
        return Answer(200, content=job.result, content_type="application/zip")

    # -- bulk write ----------------------------------------------------------------------

    def store_upload(self, call: Call) -> Answer:
        """Store an uploaded zip of CSV files and answer with its id."""
        operation = call.match.route.operation
        if call.headers.get("feature", "").lower() != "bulk-write":
            raise ApiFailure("NOT_SUPPORTED_FEATURE", "the feature header must be bulk-write", {})
        org_header = (operation.org_header or "").lower()
        org_id = call.headers.get(org_header, "")
        if not org_id.isdigit():
            raise ApiFailure(
                "AUTHORIZATION_FAILED", f"the {operation.org_header} header must name the org", {}
            )
        fields = multipart_fields(call.headers.get("content-type", ""), call.body)
        content = (fields or {}).get(operation.multipart_field or "file")
        if content is None:
            raise ApiFailure("INVALID_FILE_FORMAT", "no file in the request", {})
        if len(content) > self.state.config.max_upload_bytes:
            raise ApiFailure("FILE_TOO_LARGE", "the file is larger than allowed", {})
        try:
            tables = read_csv_zip(content)
        except NotZipError as exc:
            raise ApiFailure("INVALID_FILE_FORMAT", str(exc), {}) from None
        except UploadFormatError as exc:
            # A zip, but what it holds cannot be imported.
            code = listed_code(call, "FILE_NOT_SUPPORTED", "INVALID_FILE_FORMAT")
            raise ApiFailure(code, str(exc), {}) from None
        stored = UploadedFile(self.state.new_id(), call.product, org_id, now_timestamp(), tables)
        with self.state.lock:
            self.state.files[stored.id] = stored
        body = {
            "status": "success",
            "code": "FILE_UPLOAD_SUCCESS",
            "message": "file uploaded.",
            "details": {"file_id": stored.id, "created_time": stored.created_time},
        }
        return Answer(200, body, schema=_schema(call, "response"))

    def create_write_job(self, call: Call) -> Answer:
        """Schedule an import of uploaded files; their rows are decided at once."""
        _check_role_may_create(call.token)
        request = self._json_request(call)
        if not request["resource"]:
            raise ApiFailure(
                "MANDATORY_NOT_FOUND", "a write job needs a resource", {"json_path": "/resource"}
            )
        modules = [module_api_name(resource["module"]) for resource in request["resource"]]
        require_scopes(call, modules)
        job_id = self.state.new_id()
        resources = []
        org_ids = set()
        for index, resource in enumerate(request["resource"]):
            stored = self.state.files.get(resource["file_id"])
            if stored is None or stored.product != call.product:
                raise ApiFailure(
                    "INVALID_FILE_ID",
                    "no uploaded file has this id",
                    {"json_path": f"/resource/{index}/file_id"},
                )
            if request["operation"] != "insert" and not resource.get("find_by"):
                raise ApiFailure(
                    "MANDATORY_NOT_FOUND",
                    "update and upsert need find_by",
                    {"json_path": f"/resource/{index}/find_by"},
                )
            _check_resource(call, index, resource, stored)
            org_ids.add(stored.org_id)
            resources.append(
                _plan_resource(request["operation"], resource, stored, self.state.new_id)
            )
        download = call.version.operation_with_role("download-write-result")
        template = None if download is None else url_template(download)
        if template is None:
            raise ApiFailure(
                "INTERNAL_ERROR", "the spec gives no layout for this version's result URL", {}
            )
        path = fill(template, org_id=sorted(org_ids)[0], job_id=job_id)
        job = WriteJob(
            id=job_id,
            product=call.product,
            version=call.version.version,
            request=request,
            resources=resources,
            created_time=now_timestamp(),
            org_id=sorted(org_ids)[0],
            download_path=path,
        )
        with self.state.lock:
            self.state.write_jobs[job.id] = job
        body = {
            "status": "success",
            "code": "SUCCESS",
            "message": "success",
            "details": {"id": job.id, "created_by": MOCK_USER},
        }
        return Answer(201, body, schema=_schema(call, "response"))

    def get_write_job(self, call: Call) -> Answer:
        """The job's details; each poll moves it along its lifecycle."""
        job = self._write_job(call, call.match.params["job_id"])
        require_scopes(call, [resource.module for resource in job.resources])
        with self.state.lock:
            state = _advance(job, self.state.config.polls_until_complete)
            finished = job.polls == self.state.config.polls_until_complete + 1
        if state == "COMPLETED" and job.failed:
            state = "FAILED"
        body = self._write_job_body(call, job, state)
        notify: tuple[tuple[str, Any], ...] = ()
        url = (job.request.get("callback") or {}).get("url")
        if url and finished and state in ("COMPLETED", "FAILED"):
            keys = ("operation", "status", "resource", "result")
            notify = ((url, {"job_id": job.id, **{k: body[k] for k in keys if k in body}}),)
        return Answer(200, body, schema=_schema(call, "response"), notify=notify)

    def _write_job_body(self, call: Call, job: WriteJob, state: str) -> dict[str, Any]:
        wire_state = "INPROGRESS" if state == "IN PROGRESS" else state
        version = call.version
        resource_type = call.match.route.operation.role_type("resource")
        resource_fields = field_names(version, resource_type)
        resources = []
        for planned in job.resources:
            resource_state = wire_state
            if state == "FAILED":
                resource_state = "FAILED" if planned.failure else "SKIPPED"
            entry: dict[str, Any] = {
                "status": resource_state,
                "type": "data",
                "module": module_value(version, resource_type, planned.module),
            }
            if "code" in resource_fields:
                entry["code"] = "SUCCESS" if state == "COMPLETED" else resource_state
            if state == "FAILED" and planned.failure:
                entry["message"] = planned.failure
            entry["field_mappings"] = planned.field_mappings
            if planned.request.get("find_by"):
                entry["find_by"] = planned.request["find_by"]
            entry["file_id"] = planned.file_id
            if "file_names" in resource_fields:
                entry["file_names"] = planned.file_names
            file: dict[str, Any] = {"status": resource_state, "name": planned.file_name}
            if state == "COMPLETED":
                file.update(
                    added_count=planned.added,
                    skipped_count=planned.skipped,
                    updated_count=planned.updated,
                    total_count=len(planned.rows),
                )
            entry["file"] = file
            resources.append(entry)
        body: dict[str, Any] = {
            "status": wire_state,
            "character_encoding": job.request.get("character_encoding", "UTF-8"),
            "resource": resources,
            "id": job.id,
            "created_by": MOCK_USER,
            "operation": job.request["operation"],
            "created_time": job.created_time,
        }
        if job.request.get("callback"):
            body["callback"] = job.request["callback"]
        if "ignore_empty" in job.request:
            body["ignore_empty"] = job.request["ignore_empty"]
        if state == "COMPLETED":
            url = job.download_path
            if absolute_download_urls(call):
                url = call.base_url + url
            body["result"] = {"download_url": url}
        return body

    def download_write_result(self, call: Call) -> Answer:
        """The finished job's zip: its rows with STATUS, RECORD_ID and ERRORS."""
        job = self._write_job(call, call.match.params["job_id"])
        require_scopes(call, [resource.module for resource in job.resources])
        if job.polls <= self.state.config.polls_until_complete or job.failed:
            raise ApiFailure("RESOURCE_NOT_FOUND", "the job has no result", {})
        with job.build_lock:
            if job.result is None:
                job.result = _write_result_zip(job)
        return Answer(200, content=job.result, content_type="application/zip")


_HANDLERS: dict[str, Handler] = {
    "create-read-job": MockOperations.create_read_job,
    "get-read-job": MockOperations.get_read_job,
    "download-read-result": MockOperations.download_read_result,
    "upload-file": MockOperations.store_upload,
    "create-write-job": MockOperations.create_write_job,
    "get-write-job": MockOperations.get_write_job,
    "download-write-result": MockOperations.download_write_result,
}
"""What the mock does for an operation, by the role the spec gives it (never by
its name): an operation of a known role is served whatever it is called."""


def handled_roles() -> frozenset[str]:
    """The roles the mock answers."""
    return frozenset(_HANDLERS)


def _schema(call: Call, kind: str) -> str:
    operation = call.match.route.operation.name
    return schema_path(call.product, call.version.version, operation, kind)


def _advance(job: ReadJob | WriteJob, polls_until_complete: int) -> str:
    """Count a poll of ``job`` and return its state: ADDED at first, then IN
    PROGRESS, COMPLETED once ``polls_until_complete`` polls came before."""
    seen = job.polls
    job.polls += 1
    if seen >= polls_until_complete:
        return "COMPLETED"
    return "ADDED" if seen == 0 else "IN PROGRESS"


def absolute_download_urls(call: Call) -> bool:
    """Whether write results are linked by absolute URL (the spec's
    ``absolute_download_urls`` of the version); else relative to the API host."""
    return call.version.absolute_download_urls


def role_fields(call: Call, part: str) -> frozenset[str]:
    """The fields of the type that plays ``part`` for the called operation's
    role (its ``role_types`` in the spec)."""
    return field_names(call.version, call.match.route.operation.role_type(part))


def field_names(version: ProductVersion, type_name: str) -> frozenset[str]:
    """The fields ``type_name`` has in ``version``."""
    return frozenset(field.name for field in version.type_named(type_name).fields)


def module_value(version: ProductVersion, type_name: str, module: str) -> Any:
    """A module as ``type_name`` spells it in ``version``: its API name, or,
    where the field's type is an object type, an object of that type's
    ``api_name`` and ``id`` fields (whichever it has)."""
    field = next(f for f in version.type_named(type_name).fields if f.name == "module")
    reference = field.type
    if not isinstance(reference, Named):
        return module
    try:
        fields = {f.name for f in version.type_named(reference.name).fields}
    except KeyError:  # a vocabulary, not a type: the name itself
        return module
    known = {"api_name": module, "id": module_id(module)}
    spelled = {name: value for name, value in known.items() if name in fields}
    return spelled or module  # a type with neither field: the name, as a string type


def module_id(module: str) -> str:
    """A stable id for a module name."""
    return str(MODULE_IDS_BASE + sum(ord(char) for char in module) % 1000)


def module_api_name(module: Any) -> str:
    """The API name of a module given as a string or as ``{api_name, id}``."""
    if isinstance(module, dict):
        return str(module.get("api_name", ""))
    return str(module)


def _check_resource(call: Call, index: int, resource: dict[str, Any], stored: UploadedFile) -> None:
    """Refuse a resource the way the vendor does at creation: a mapping with
    both a column index and a default value (from the versions that answer
    COEXISTENCE_NOT_ALLOWED), a file name the zip does not hold (from the
    versions that answer FILE_NOT_FOUND; older ones fail the job instead)."""
    listed = {error.code for error in call.match.route.operation.errors}
    for number, mapping in enumerate(resource.get("field_mappings") or []):
        both = mapping.get("index") is not None and mapping.get("default_value") is not None
        if both and "COEXISTENCE_NOT_ALLOWED" in listed:
            raise ApiFailure(
                "COEXISTENCE_NOT_ALLOWED",
                "a mapping takes a column index or a default value, not both",
                {
                    "api_name": mapping.get("api_name"),
                    "json_path": f"/resource/{index}/field_mappings/{number}",
                },
            )
    if "FILE_NOT_FOUND" in listed:
        for number, name in enumerate(resource.get("file_names") or []):
            if name not in stored.tables:
                raise ApiFailure(
                    "FILE_NOT_FOUND",
                    f"the uploaded zip holds no file {name}",
                    {"json_path": f"/resource/{index}/file_names/{number}"},
                )


def listed_code(call: Call, *codes: str) -> str:
    """The first of ``codes`` the operation answers with in the version asked
    (the catalog's ``since`` decides); the last one if none is listed."""
    listed = {error.code for error in call.match.route.operation.errors}
    return next((code for code in codes if code in listed), codes[-1])


MAX_CRITERIA = 25
"""Conditions one bulk read's criteria may hold (the vendor's OpenAPI
description of bulk read, v8.0: max_limit 25)."""
MAX_CRITERIA_VALUES = 200
"""Values one condition may hold (the vendor's OpenAPI description of bulk
read, v8.0: max_limit 200)."""
GROUP_OPERATORS = ("and", "or")
LIST_COMPARATORS = frozenset({"in", "not_in"})
RANGE_COMPARATORS = frozenset({"between", "not_between"})


def _conditions(criteria: Any) -> list[dict[str, Any]]:
    """The single conditions of a criteria tree, in order."""
    if not isinstance(criteria, dict):
        return []
    if isinstance(criteria.get("group"), list):
        return [leaf for item in criteria["group"] for leaf in _conditions(item)]
    return [criteria]


def _check_criteria(call: Call, criteria: Any) -> None:
    """Refuse criteria the way the vendor does, before the schema's verdict:
    a node that is both a condition and a group, a group that does not say how
    its conditions combine, too many conditions or values, a value that does
    not suit its comparator."""
    if not isinstance(criteria, dict):
        return
    _check_criteria_node(call, criteria, "/query/criteria")
    conditions = _conditions(criteria)
    if len(conditions) > MAX_CRITERIA:
        raise ApiFailure(
            "CRITERIA_LIMIT_EXCEEDED",
            "the criteria hold too many conditions",
            {"max_limit": MAX_CRITERIA},
        )
    for condition in conditions:
        value = condition.get("value")
        comparator = condition.get("comparator")
        if isinstance(value, list) and len(value) > MAX_CRITERIA_VALUES:
            raise ApiFailure(
                "VALUE_LIMIT_EXCEEDED_IN_CRITERIA",
                "a condition holds too many values",
                {"max_limit": MAX_CRITERIA_VALUES, "comparator": comparator},
            )
        if not isinstance(comparator, str):
            continue  # not a comparator at all: the schema's verdict says why
        wants_list = comparator in LIST_COMPARATORS or comparator in RANGE_COMPARATORS
        pair = not isinstance(value, list) or len(value) == 2
        if (wants_list and not isinstance(value, list)) or (
            comparator in RANGE_COMPARATORS and not pair
        ):
            raise ApiFailure(
                "COMPARATOR_AND_VALUE_IN_CRITERIA_NOT_COMPATIBLE",
                f"{comparator} needs a list of values",
                {"comparator": comparator},
            )
        kind = condition.get("type")
        if kind is not None and kind != "value":
            code = listed_code(call, "VALUE_TYPE_NOT_SUPPORTED", "INVALID_CRITERIA")
            raise ApiFailure(
                code, "the condition's type is not supported", {"supported": ["value"]}
            )


def _check_criteria_node(call: Call, node: dict[str, Any], pointer: str) -> None:
    group_keys = {"group", "group_operator"} & set(node)
    condition_keys = {"field", "comparator", "value"} & set(node)
    if group_keys and condition_keys:
        raise ApiFailure(
            "AMBIGUOUS_CRITERIA",
            "a criteria node is both a condition and a group",
            {"json_path": pointer},
        )
    group = node.get("group")
    if not isinstance(group, list):
        return
    operator = node.get("group_operator")
    if operator is None and len(group) > 1:
        raise ApiFailure(
            "AMBIGUOUS_GROUP_IN_CRITERIA",
            "a group does not say how its conditions combine",
            {"json_path": pointer},
        )
    if operator is not None and str(operator).lower() not in GROUP_OPERATORS:
        raise ApiFailure(
            "GROUP_OPERATOR_NOT_SUPPORTED",
            "the group operator is not one of and, or",
            {"supported": list(GROUP_OPERATORS), "json_path": f"{pointer}/group_operator"},
        )
    for index, item in enumerate(group):
        if isinstance(item, dict):
            _check_criteria_node(call, item, f"{pointer}/group/{index}")


def _check_callback(call: Call, callback: Any) -> None:
    """A callback must name an http(s) URL and the post method."""
    if not isinstance(callback, dict):
        return
    url = callback.get("url")
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        code = listed_code(call, "INVALID_CALLBACK_URL", "INVALID_DATA")
        raise ApiFailure(
            code, "the callback URL is not an http(s) URL", {"json_path": "/callback/url"}
        )
    method = callback.get("method")
    if method is not None and str(method).lower() != "post":
        code = listed_code(call, "INVALID_CALLBACK_METHOD", "INVALID_DATA")
        raise ApiFailure(
            code,
            "the callback method must be post",
            {"supported_callback_methods": ["post"], "json_path": "/callback/method"},
        )


def _schema_failure(call: Call, error: jsonschema.exceptions.ValidationError) -> ApiFailure:
    """The vendor's code for a request that leaves its schema, by where it does."""
    path = tuple(error.absolute_path)
    keys = [step for step in path if isinstance(step, str)]
    pointer = to_pointer(path)
    missing: str | None = None
    if error.validator == "required" and isinstance(error.instance, dict):
        required = error.validator_value if isinstance(error.validator_value, list) else []
        missing = next((str(key) for key in required if key not in error.instance), None)
    place = missing or (keys[-1] if keys else "")
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = (
            set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
        )
        unknown = sorted(str(key) for key in error.instance if key not in allowed)
        code = listed_code(call, "REQUEST_BODY_NOT_SUPPORTED", "INVALID_DATA")
        extra = {"json_path": pointer, **({"api_name": unknown[0]} if unknown else {})}
        return ApiFailure(code, "the body holds a key this does not accept", extra)
    if "callback" in keys:
        code = "INVALID_CALLBACK_METHOD" if place == "method" else "INVALID_CALLBACK_URL"
        return ApiFailure(
            listed_code(call, code, "INVALID_DATA"),
            "the callback is not valid",
            {"json_path": pointer},
        )
    if "criteria" in keys:
        code = {
            "group_operator": "GROUP_OPERATOR_NOT_SUPPORTED",
            "type": "VALUE_TYPE_NOT_SUPPORTED",
        }.get(place, "INVALID_CRITERIA")
        return ApiFailure(
            listed_code(call, code, "INVALID_CRITERIA"),
            "the criteria are not valid",
            {"json_path": pointer},
        )
    if error.validator == "minItems":
        # An empty list names nothing to work on: the key might as well be missing.
        return ApiFailure("MANDATORY_NOT_FOUND", "the list is empty", {"json_path": pointer})
    if missing is not None:
        # Writes name a missing key MISSING_REQUIRED_KEY, reads MANDATORY_NOT_FOUND.
        return ApiFailure(
            listed_code(call, "MISSING_REQUIRED_KEY", "MANDATORY_NOT_FOUND"),
            f"the required key {missing} is missing",
            {"json_path": pointer, "api_name": missing},
        )
    details: dict[str, Any] = {"json_path": pointer}
    if place == "file_type" and isinstance(error.validator_value, list):
        details["supported_values"] = list(error.validator_value)
    return ApiFailure("INVALID_DATA", "a value is not valid", details)


def require_scopes(call: Call, modules: list[str]) -> None:
    """Refuse with OAUTH_SCOPE_MISMATCH unless the token has the operation's scopes."""
    alternatives = call.match.route.operation.scopes
    if not scopes_allow(call.token.scopes, alternatives, modules):
        raise ApiFailure("OAUTH_SCOPE_MISMATCH", "the token lacks a scope this needs", {})


def _check_role_may_see(token: Token) -> None:
    if token.role == "no_permission":
        raise ApiFailure("NO_PERMISSION", "the user may not see this job", {})


def _check_role_may_create(token: Token) -> None:
    if token.role == "unauthorized":
        raise ApiFailure("AUTHORIZATION_FAILED", "the user may not create bulk jobs", {})


def _read_result_zip(job: ReadJob) -> bytes:
    if job.file_type == "ics":
        return ics_zip(f"{job.id}.ics", job.fields or EVENT_FIELDS, job.start, job.end)
    fields = job.fields or DEFAULT_FIELDS
    return csv_zip(f"{job.id}.csv", list(fields), record_rows(fields, job.start, job.end))


def _write_result_zip(job: WriteJob) -> bytes:
    first = job.resources[0]
    rows = [row for resource in job.resources for row in resource.rows]
    return csv_zip(f"{job.id}.csv", first.header, rows)


def _plan_resource(
    operation: str,
    resource: dict[str, Any],
    stored: UploadedFile,
    new_id: Callable[[], str],
) -> WriteResource:
    """Decide what happens to each row of the resource's file.

    The mock's rules: a row whose first mapped column is empty is SKIPPED
    (MANDATORY_NOT_FOUND); update and upsert find a record when the find_by
    column is filled (UPDATED, keeping that id); other rows of an upsert, and
    every row of an insert, are ADDED with a new record id. A mapping whose
    column index is not in the file makes the whole job fail."""
    names = resource.get("file_names") or sorted(stored.tables)[:1]
    file_name = names[0]
    table = stored.tables.get(file_name)
    module = module_api_name(resource["module"])
    header = table[0] if table else []
    mappings = resource.get("field_mappings") or [
        {"api_name": name, "index": index} for index, name in enumerate(header)
    ]
    planned = WriteResource(
        request=resource,
        module=module,
        file_id=resource["file_id"],
        file_name=file_name,
        file_names=list(names),
        field_mappings=[_full_mapping(mapping) for mapping in mappings],
        failure=None,
        header=[*header, "STATUS", "RECORD_ID", "ERRORS"],
        rows=[],
    )
    if table is None:
        planned.failure = f"File {file_name} not found in the uploaded zip"
        return planned
    bad = [m for m in mappings if m.get("index") is not None and m["index"] >= len(header)]
    if bad:
        planned.failure = f"File index not found. {bad[0]['api_name']} - {bad[0]['index']}"
        return planned
    find_by = resource.get("find_by")
    find_index = next(
        (
            m.get("index")
            for m in mappings
            if m["api_name"] == find_by and m.get("index") is not None
        ),
        None,
    )
    first = mappings[0]
    for row in table[1:]:
        cells = row + [""] * (len(header) - len(row))
        mandatory = cells[first["index"]] if first.get("index") is not None else "x"
        key = cells[find_index] if find_index is not None else ""
        if not mandatory:
            status, record, errors = "SKIPPED", "", f"MANDATORY_NOT_FOUND-{first['api_name']}"
            planned.skipped += 1
        elif operation in ("update", "upsert") and key:
            status, record, errors = "UPDATED", key, ""
            planned.updated += 1
        elif operation == "update":
            status, record, errors = "SKIPPED", "", f"RESOURCE_NOT_FOUND-{find_by}"
            planned.skipped += 1
        else:
            status, record, errors = "ADDED", new_id(), ""
            planned.added += 1
        planned.rows.append([*cells[: len(header)], status, record, errors])
    return planned


def _full_mapping(mapping: dict[str, Any]) -> dict[str, Any]:
    return {
        "api_name": mapping["api_name"],
        "index": mapping.get("index"),
        "format": mapping.get("format"),
        "find_by": mapping.get("find_by"),
        "default_value": mapping.get("default_value"),
    }
