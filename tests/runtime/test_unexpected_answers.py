"""An answer that does not fit the operation's response model ends in the
library's own UnexpectedAnswerError, naming the operation and the JSON pointer
of each mismatch; never in pydantic's ValidationError. Over real HTTP, against
the local mock on 127.0.0.1 with its answers bent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from zoho_bulk_core.client import Operation, read_answer
from zoho_bulk_core.errors import (
    UnexpectedAnswerError,
    UnexpectedResponseError,
    ZohoBulkError,
)
from zoho_bulk_core.retry import NO_RETRY

from generator.mock.answers import Answer
from generator.mock.pytest_plugin import MockFactory
from tests.runtime.test_hostile_servers import _hostile
from tests.runtime.test_lifecycle import FAST, VERSIONS, client_module, read_request

TOKEN = "1000.unexpected-answer.0123456789"
V8 = next(v for v in VERSIONS if v.product == "crm" and v.version == "v8")


def _bend_read_job(change: Callable[[dict[str, Any]], None]) -> Callable[[Answer], None]:
    """Pass the first item of every read job answer (``data[0]`` holding a
    ``state``) through ``change``."""

    def bend(answer: Answer) -> None:
        data = answer.body.get("data") if isinstance(answer.body, dict) else None
        if isinstance(data, list) and data and isinstance(data[0], dict):
            if "state" in data[0]:
                change(data[0])

    return bend


def _wrong_types(job: dict[str, Any]) -> None:
    job["state"] = {"not": "a state"}
    job["id"] = ["not", "an", "id"]


def test_a_mistyped_answer_names_the_operation_and_the_pointers(
    zoho_bulk_mock_factory: MockFactory,
) -> None:
    server = zoho_bulk_mock_factory(records=2, per_page=2, polls_until_complete=0)
    package = client_module(V8)
    with package.Client(TOKEN, base_url=server.base_url, wait=FAST, retry=NO_RETRY) as client:
        created = client.create_bulk_read_job(read_request(V8))
        _hostile(server, _bend_read_job(_wrong_types))
        with pytest.raises(UnexpectedAnswerError) as caught:
            client.get_bulk_read_job(created.id)
    error = caught.value
    assert not isinstance(error, ValidationError)
    assert isinstance(error, UnexpectedResponseError) and isinstance(error, ZohoBulkError)
    assert error.operation == "get_bulk_read_job"
    assert "/data/0/state" in error.pointers
    assert any(pointer.startswith("/data/0/id") for pointer in error.pointers)
    assert str(error).startswith("unexpected answer to get_bulk_read_job: ")
    assert "/data/0/state" in str(error)


def test_a_missing_part_names_where_it_should_be(
    zoho_bulk_mock_factory: MockFactory,
) -> None:
    server = zoho_bulk_mock_factory(records=2, per_page=2, polls_until_complete=0)
    package = client_module(V8)

    def empty_data(answer: Answer) -> None:
        data = answer.body.get("data") if isinstance(answer.body, dict) else None
        if isinstance(data, list) and data and "state" in data[0]:
            answer.body["data"] = []

    with package.Client(TOKEN, base_url=server.base_url, wait=FAST, retry=NO_RETRY) as client:
        created = client.create_bulk_read_job(read_request(V8))
        _hostile(server, empty_data)
        with pytest.raises(UnexpectedAnswerError) as caught:
            client.get_bulk_read_job(created.id)
    assert caught.value.operation == "get_bulk_read_job"
    assert caught.value.pointers == ("/data",)


class _Inner(BaseModel):
    id: str


class _Envelope(BaseModel):
    items: list[_Inner] | None = None


def test_a_part_the_model_allows_to_be_absent_is_still_required_where_handed_back() -> None:
    operation = Operation(
        "get_thing", "GET", "/thing", _Inner, response=_Envelope, returns=("items", 0)
    )
    assert read_answer(operation, {"items": [{"id": "7"}]}) == _Inner(id="7")
    for body, pointer in (({}, "/items"), ({"items": []}, "/items/0")):
        with pytest.raises(UnexpectedAnswerError) as caught:
            read_answer(operation, body)
        assert caught.value.pointers == (pointer,)
        assert caught.value.operation == "get_thing"


def test_the_async_client_and_the_waiter_raise_it_too(
    zoho_bulk_mock_factory: MockFactory,
) -> None:
    server = zoho_bulk_mock_factory(records=2, per_page=2, polls_until_complete=0)
    package = client_module(V8)

    async def run() -> UnexpectedAnswerError:
        async with package.AsyncClient(
            TOKEN, base_url=server.base_url, wait=FAST, retry=NO_RETRY
        ) as client:
            created = await client.create_bulk_read_job(read_request(V8))
            _hostile(server, _bend_read_job(_wrong_types))
            with pytest.raises(UnexpectedAnswerError) as caught:
                await client.wait_for_bulk_read_job(created.id)
            return caught.value

    error = asyncio.run(run())
    assert error.operation == "get_bulk_read_job"
    assert "/data/0/state" in error.pointers


class _Tagged(BaseModel):
    id: int | list[int]


def test_a_mismatch_in_a_union_is_named_by_its_place_in_the_answer() -> None:
    # pydantic's locations name each union member tried (``id``, ``int``);
    # the pointer is the place in the answer, as InvalidRequestError's are.
    operation = Operation("get_thing", "GET", "/thing", _Tagged, response=_Tagged)
    with pytest.raises(UnexpectedAnswerError) as caught:
        read_answer(operation, {"id": "seven"})
    assert set(caught.value.pointers) == {"/id"}


def test_many_mismatches_are_counted_not_all_listed() -> None:
    problems = [(f"/data/{index}/id", "wrong") for index in range(8)]
    error = UnexpectedAnswerError("get_bulk_read_job", problems)
    assert len(error.pointers) == 8
    assert str(error).endswith("; and 3 more")
