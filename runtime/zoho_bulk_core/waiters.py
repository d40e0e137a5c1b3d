"""Waiting for a bulk job to end: poll with growing delays until it is
COMPLETED or FAILED, within a time limit, reporting each state seen.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from zoho_bulk_core.errors import ZohoBulkError
from zoho_bulk_core.vocabulary import JobStatus

_J = TypeVar("_J")

DONE_STATES = frozenset({JobStatus.COMPLETED})
FAILED_STATES = frozenset({JobStatus.FAILED})


@dataclass(frozen=True)
class WaitPolicy:
    """How to poll a job: first delay, growth factor, longest delay, time limit (seconds)."""

    initial_delay: float = 2.0
    multiplier: float = 1.5
    max_delay: float = 30.0
    timeout: float = 3600.0


class JobFailedError(ZohoBulkError):
    """The job ended in FAILED (or FAILURE); ``job`` holds its last details."""

    def __init__(self, job: object, state: str) -> None:
        super().__init__(f"bulk job ended in state {state}")
        self.job = job
        self.state = state


class WaitTimeoutError(ZohoBulkError):
    """The job did not end within the time limit; ``job`` holds its last details."""

    def __init__(self, job: object, state: str, timeout: float) -> None:
        super().__init__(f"bulk job still {state} after {timeout:g} s")
        self.job = job
        self.state = state


def _verdict(job: _J, state: object) -> _J | None:
    if state in DONE_STATES:
        return job
    if state in FAILED_STATES:
        raise JobFailedError(job, str(state))
    return None


def wait_until_done(
    fetch: Callable[[], _J],
    state_of: Callable[[_J], object],
    policy: WaitPolicy,
    on_progress: Callable[[_J], None] | None = None,
) -> _J:
    """Poll ``fetch`` until the job is COMPLETED; raise on FAILED or timeout."""
    deadline = time.monotonic() + policy.timeout
    delay = policy.initial_delay
    while True:
        job = fetch()
        if on_progress is not None:
            on_progress(job)
        state = state_of(job)
        done = _verdict(job, state)
        if done is not None:
            return done
        if time.monotonic() + delay > deadline:
            raise WaitTimeoutError(job, str(state), policy.timeout)
        time.sleep(delay)
        delay = min(delay * policy.multiplier, policy.max_delay)


async def async_wait_until_done(
    fetch: Callable[[], Awaitable[_J]],
    state_of: Callable[[_J], object],
    policy: WaitPolicy,
    on_progress: Callable[[_J], None] | None = None,
) -> _J:
    """Poll ``fetch`` until the job is COMPLETED; raise on FAILED or timeout."""
    deadline = time.monotonic() + policy.timeout
    delay = policy.initial_delay
    while True:
        job = await fetch()
        if on_progress is not None:
            on_progress(job)
        state = state_of(job)
        done = _verdict(job, state)
        if done is not None:
            return done
        if time.monotonic() + delay > deadline:
            raise WaitTimeoutError(job, str(state), policy.timeout)
        await asyncio.sleep(delay)
        delay = min(delay * policy.multiplier, policy.max_delay)
