"""A content-addressed cache for the slow, pure steps of the pipeline (black,
datamodel-code-generator). Their output depends only on their input, their
settings and the tool's version, so all of those make the key and a result is
computed once per machine. The cache is best effort: any problem reading or
writing it is a miss, never an error, and it never changes the bytes produced.

``ZOHO_BULKGEN_CACHE`` names another folder, or ``off`` to disable it.

``cached_texts`` runs a whole batch: each distinct input is computed once, and
the misses are spread over worker processes (``ZOHO_BULKGEN_JOBS``, default one
per core), since black and datamodel-code-generator are pure Python and hold
the GIL. Which process computed a result never changes it."""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

CACHE_ENV = "ZOHO_BULKGEN_CACHE"
JOBS_ENV = "ZOHO_BULKGEN_JOBS"
FORMAT_VERSION = "1"
"""Bumped when what is stored, or how keys are made, changes."""


def cache_folder() -> Path | None:
    """Where results are kept, or None when caching is off."""
    setting = os.environ.get(CACHE_ENV, "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zoho-bulkgen"


def cache_key(step: str, *parts: str) -> str:
    """The key of ``step`` run on ``parts`` (its input and settings)."""
    digest = hashlib.sha256(f"{FORMAT_VERSION}\0{step}".encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def cached_text(step: str, parts: tuple[str, ...], compute: Callable[[], str]) -> str:
    """``compute()``, or the text it gave before for the same ``step`` and ``parts``."""
    folder = cache_folder()
    if folder is None:
        return compute()
    key = cache_key(step, *parts)
    entry = folder / step / key[:2] / key[2:]
    try:
        return entry.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    value = compute()
    _store(entry, value)
    return value


def cached_texts(
    step: str,
    requests: Sequence[tuple[tuple[str, ...], tuple[str, ...]]],
    compute: Callable[..., str],
) -> list[str]:
    """``[compute(*arguments) for parts, arguments in requests]``, where each
    result is taken from the cache when ``step`` ran on the same ``parts`` before.

    ``parts`` must determine the result. Requests with equal parts are computed
    once; the misses run in parallel worker processes when there are several
    and more than one core, so ``compute`` must be a module-level function."""
    folder = cache_folder()
    keys = [cache_key(step, *parts) for parts, _ in requests]
    results: dict[str, str] = {}
    missing: dict[str, tuple[str, ...]] = {}
    for key, (_, arguments) in zip(keys, requests, strict=True):
        if key in results or key in missing:
            continue
        if folder is not None:
            try:
                results[key] = (folder / step / key[:2] / key[2:]).read_text(encoding="utf-8")
                continue
            except (OSError, UnicodeDecodeError):
                pass
        missing[key] = arguments
    computed = run_parallel(compute, list(missing.values()))
    for key, value in zip(missing, computed, strict=True):
        results[key] = value
        if folder is not None:
            _store(folder / step / key[:2] / key[2:], value)
    return [results[key] for key in keys]


def worker_count() -> int:
    """How many processes a batch may use: ``ZOHO_BULKGEN_JOBS``, else one per core."""
    setting = os.environ.get(JOBS_ENV, "")
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def run_parallel(compute: Callable[..., str], calls: list[tuple[str, ...]]) -> list[str]:
    """``[compute(*arguments) for arguments in calls]``, in worker processes when
    that can help; the biggest calls start first, and results keep call order."""
    workers = min(worker_count(), len(calls))
    if workers < 2:
        return [compute(*arguments) for arguments in calls]
    # Imported here: a batch without misses (or a serial one) does not need them.
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    # Forking is cheapest, but only safe while this process has no other thread
    # (the CLI has none; a test runner may).
    methods = multiprocessing.get_all_start_methods()
    method = "fork" if "fork" in methods and threading.active_count() == 1 else "spawn"
    order = sorted(range(len(calls)), key=lambda i: -sum(len(part) for part in calls[i]))
    results: list[str] = [""] * len(calls)
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_end_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        futures = {index: pool.submit(compute, *calls[index]) for index in order}
        for index, future in futures.items():
            results[index] = future.result()
    return results


def _end_with_parent(parent: int) -> None:
    """In a worker: end when the process that started it ends, however it ends
    (``kill -9`` included), instead of living on as an orphan. Linux tells the
    worker by a signal (``PR_SET_PDEATHSIG``); elsewhere a thread watches."""
    import signal
    import threading

    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent ended before the call
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="zoho-bulkgen-parent-watch", daemon=True).start()


def _store(entry: Path, value: str) -> None:
    store_bytes(entry, value.encode("utf-8"))


def store_bytes(entry: Path, value: bytes) -> None:
    """Write a cache entry whole (a temporary file renamed over it), or
    nothing: a problem writing is only a later miss."""
    try:
        try:
            handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        except FileNotFoundError:  # the entry's folder, made only when missing
            entry.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(value)
        os.replace(temporary, entry)
    except OSError:
        pass


def _widen(pipe: int) -> None:
    """Let ``pipe`` hold up to 1 MiB (Linux; the default is 64 KiB), so that a
    result of a few MiB crosses in a few large reads rather than in dozens of
    small ones, each waiting for the other process (about 4 ms of 5)."""
    import fcntl

    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_size is None:
        return
    try:
        fcntl.fcntl(pipe, set_size, 1 << 20)
    except OSError:  # above the system's limit for this user: keep the default
        pass


class Beside:
    """``compute()`` run in a forked child process while this one goes on,
    when that can help (several cores allowed, ``fork`` available, no other
    thread in this process); its result comes back through a pipe. Whenever
    the child cannot give it (no fork, a failure of any kind), ``result()``
    computes it here instead, so errors are raised as a serial run raises
    them and the bytes never depend on which process made them.

    Use as a context manager: leaving it ends a child whose result was not
    taken."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute = compute
        self._pid = 0
        self._read = -1
        if worker_count() < 2 or not hasattr(os, "fork"):
            return
        import threading

        if threading.active_count() != 1:
            return
        parent = os.getpid()
        read, write = os.pipe()
        _widen(write)
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and end without cleanups
            status = 1
            try:
                os.close(read)
                _end_with_parent(parent)
                import pickle

                data = pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as stream:
                    stream.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Any:
        """The child's result, or ``compute()`` run here."""
        if self._pid:
            import pickle

            with os.fdopen(self._read, "rb") as stream:
                data = stream.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = 0
            if status == 0 and data:
                try:
                    return pickle.loads(data)
                except Exception:  # a result that does not come back: compute it here
                    pass
        return self._compute()

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, *_: object) -> None:
        if self._pid:
            import signal

            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            os.close(self._read)
            self._pid = 0
