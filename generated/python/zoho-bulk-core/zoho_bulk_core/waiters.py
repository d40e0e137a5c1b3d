"""Waiting for a bulk job to end: poll with growing delays until it is
COMPLETED or FAILED, within a time limit, reporting each state seen (as a
``zoho_bulk_core.progress.ProgressEvent``).

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from zoho_bulk_core.errors import ConfigurationError, ZohoBulkError
from zoho_bulk_core.progress import ProgressCallback, Reporter
from zoho_bulk_core.retry import is_seconds
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

    def __post_init__(self) -> None:
        problems = [
            f"{name} must be a number of 0 or more, got {value!r}"
            for name, value in (
                ("initial_delay", self.initial_delay),
                ("max_delay", self.max_delay),
            )
            if not is_seconds(value)
        ]
        if not is_seconds(self.multiplier) or self.multiplier < 1:
            problems.append(f"multiplier must be 1 or more, got {self.multiplier!r}")
        if not is_seconds(self.timeout, endless=True) or self.timeout == 0:
            problems.append(f"timeout must be above 0, got {self.timeout!r}")
        if problems:
            raise ConfigurationError(f"WaitPolicy: {'; '.join(problems)}")


class JobFailedError(ZohoBulkError):
    """The job ended in FAILED (or FAILURE); ``job`` holds its last details and
    ``reasons`` what it says about why (each resource's code and message)."""

    def __init__(self, job: object, state: str) -> None:
        self.job = job
        self.state = state
        self.reasons = failure_reasons(job)
        job_id = getattr(job, "id", None)
        name = f"bulk job {job_id}" if job_id else "bulk job"
        why = "; ".join(self.reasons) if self.reasons else "the job gives no reason"
        super().__init__(f"{name} ended in state {state}: {why}")


def failure_reasons(job: object) -> tuple[str, ...]:
    """What a failed job's details say about why: ``module: CODE message`` of
    each resource that failed or carries a message, and the result's
    ``error_message``."""
    reasons: list[str] = []
    for resource in getattr(job, "resource", None) or ():
        code = getattr(resource, "code", None)
        message = getattr(resource, "message", None)
        status = getattr(resource, "status", None)
        if not message and status not in FAILED_STATES:
            continue
        module = getattr(resource, "module_api_name", None)
        words = [
            str(word) for word in (code or status, message) if word not in (None, "")
        ]
        reasons.append(f"{module or 'resource'}: {' '.join(words)}")
    error_message = getattr(getattr(job, "result", None), "error_message", None)
    if error_message:
        reasons.append(str(error_message))
    return tuple(reasons)


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
    on_progress: ProgressCallback | None = None,
) -> _J:
    """Poll ``fetch`` until the job is COMPLETED; raise on FAILED or timeout.

    ``on_progress`` gets a ``wait`` ProgressEvent after every poll."""
    deadline = time.monotonic() + policy.timeout
    delay = policy.initial_delay
    reporter = Reporter(on_progress)
    while True:
        job = fetch()
        state = state_of(job)
        reporter.polled(job, state)
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
    on_progress: ProgressCallback | None = None,
) -> _J:
    """Poll ``fetch`` until the job is COMPLETED; raise on FAILED or timeout.

    ``on_progress`` gets a ``wait`` ProgressEvent after every poll."""
    deadline = time.monotonic() + policy.timeout
    delay = policy.initial_delay
    reporter = Reporter(on_progress)
    while True:
        job = await fetch()
        state = state_of(job)
        reporter.polled(job, state)
        done = _verdict(job, state)
        if done is not None:
            return done
        if time.monotonic() + delay > deadline:
            raise WaitTimeoutError(job, str(state), policy.timeout)
        await asyncio.sleep(delay)
        delay = min(delay * policy.multiplier, policy.max_delay)
