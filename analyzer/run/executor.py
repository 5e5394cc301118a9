"""Running the documents of a batch: one interface, three backends.

:func:`execute` maps a work function over tasks and yields ``(task, result)`` as they
finish, on one of three backends:

* inline, in this process, with a per-task time limit (SIGALRM);
* :class:`~analyzer.pool.ForkPool`, forked worker processes that inherit the loaded
  pipeline and models (time limits, crash replacement, recycling);
* Dask (``--scheduler``), see :mod:`analyzer.run.dask`.

The same pool also spreads the pages and the sentence blocks of one large document over
processes (:func:`~analyzer.pool.fork_map`): three kinds of work, one pool implementation.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..pool import MAX_TASKS_PER_WORKER, WORKER_RSS_LIMIT_MB, ForkPool, timeout_reason

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Task:
    """One document of a batch."""

    index: int
    path: Path
    sha256: str
    key: str
    parallel: int = 1
    """Processes for this one document (a batch of one large document with --jobs > 1)."""


@dataclass(frozen=True)
class Execution:
    """How a run is executed (never what it produces): parallelism, limits, progress."""

    jobs: int = 1
    timeout: float | None = 300.0
    progress: bool = False
    scheduler: Any = None
    """A Dask scheduler address (``tcp://host:8786``) or ``distributed.Client``."""
    max_tasks_per_worker: int = MAX_TASKS_PER_WORKER
    worker_rss_limit_mb: float = WORKER_RSS_LIMIT_MB


class _Timeout(BaseException):
    """Raised by SIGALRM; a BaseException so that no ``except Exception`` in the pipeline
    can swallow it."""


def _alarm(signum, frame):  # type: ignore[no-untyped-def]
    raise _Timeout()


def run_inline(func: Callable[[T], R], item: T, timeout: float | None,
               on_failure: Callable[[T, str, float], R]) -> R:
    """``func(item)`` in this process, stopped after ``timeout`` seconds where SIGALRM works."""
    use_alarm = bool(timeout) and threading.current_thread() is threading.main_thread() \
        and hasattr(signal, "SIGALRM")
    started = time.monotonic()
    if use_alarm:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, float(timeout))  # type: ignore[arg-type]
    try:
        return func(item)
    except _Timeout:
        return on_failure(item, timeout_reason(timeout), time.monotonic() - started)
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def execute(tasks: Sequence[Task], work: Callable[[Task], R], *, execution: Execution,
            on_failure: Callable[[Task, str, float], R], remote: Callable[[], Any] | None = None
            ) -> Iterator[tuple[Task, R]]:
    """``(task, work(task))`` for every task, as they finish, on the execution's backend.

    ``remote`` builds a Dask work function when ``execution.scheduler`` is set."""
    if not tasks:
        return
    if execution.scheduler is not None:
        from .dask import run_dask

        assert remote is not None
        yield from run_dask(tasks, scheduler=execution.scheduler, work=remote(), on_failure=on_failure)
    elif execution.jobs > 1 and len(tasks) > 1:
        # largest files first, so that no big document starts last while the other workers idle
        ordered = sorted(tasks, key=lambda t: (-_size(t.path), t.index))
        pool = ForkPool(work, execution.jobs, timeout=execution.timeout, on_failure=on_failure,
                        max_tasks=execution.max_tasks_per_worker, rss_limit_mb=execution.worker_rss_limit_mb)
        for position, result in pool.imap(ordered):
            yield ordered[position], result
    else:
        for task in tasks:
            if len(tasks) == 1 and execution.jobs > 1:  # one document left for several processes
                from dataclasses import replace

                task = replace(task, parallel=execution.jobs)
            yield task, run_inline(work, task, execution.timeout, on_failure)


def in_input_order(n: int, ready: Iterable[tuple[int, R]]) -> Iterator[R]:
    """Results keyed by input position, yielded in input order as soon as each and all
    before it are in (so output is assembled while later items are still running)."""
    buffer: dict[int, R] = {}
    cursor = 0
    for position, result in ready:
        buffer[position] = result
        while cursor in buffer:
            yield buffer.pop(cursor)
            cursor += 1
    while cursor < n and cursor in buffer:  # pragma: no cover - every position arrives once
        yield buffer.pop(cursor)
        cursor += 1


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
