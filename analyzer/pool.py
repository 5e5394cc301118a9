"""One forked worker pool for every kind of parallel work: the documents of a batch, the
page ranges of one large PDF and the sentence blocks of one large document.

Workers are forked, so they inherit what the parent loaded (pipeline, lexicon, model) and
``func`` may be any callable; items and results travel through pipes (picklable). A worker
over its time limit or that crashes is killed and replaced and its item gets a failure
result; workers are recycled after many items or when their memory grows.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_TASKS_PER_WORKER = 200
WORKER_RSS_LIMIT_MB = 420
"""A worker is replaced after this many tasks, or sooner once its peak resident memory
passes this limit: Python's heap (and spaCy's string store) only grows in a long-lived
process, so recycling keeps memory flat over big batches. Replacing it less often keeps its
caches (lemmas, character n-grams) warm."""
PARALLEL_MIN_PAGES = 100
"""With ``parallel > 1``, a document of at least this many pages has its pages read and its
blocks analysed by that many forked processes (same output)."""


def timeout_reason(timeout: float | None) -> str:
    return f"timed out after {timeout or 0:g} s (per-document limit; raise it with --timeout)"


def _worker(conn, func):  # type: ignore[no-untyped-def]
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        if item is None:
            return
        try:
            result = ("ok", func(item))
        except Exception as exc:  # never lose the worker over one item
            result = ("error", f"{type(exc).__name__}: {exc}")
        conn.send((result, _peak_rss_mb()))


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@dataclass
class _Slot(Generic[T]):
    proc: Any
    conn: Any
    item: tuple[int, T] | None = None
    started: float = 0.0
    done: int = 0


class ForkPool(Generic[T, R]):
    """Forked worker processes running ``func`` over items (see the module docstring).

    ``on_failure(item, reason, seconds)`` makes the result of an item whose worker timed
    out, crashed or raised; by default the failure is raised as a ``RuntimeError``.
    """

    def __init__(self, func: Callable[[T], R], processes: int, *, timeout: float | None = None,
                 on_failure: Callable[[T, str, float], R] | None = None,
                 max_tasks: int = MAX_TASKS_PER_WORKER, rss_limit_mb: float = WORKER_RSS_LIMIT_MB) -> None:
        import multiprocessing as mp

        self.func = func
        self.processes = max(1, processes)
        self.timeout = timeout
        self.on_failure = on_failure
        self.max_tasks = max_tasks
        self.rss_limit_mb = rss_limit_mb
        self.ctx = mp.get_context("fork")

    def _spawn(self) -> _Slot[T]:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(child, self.func), daemon=True)
        proc.start()
        child.close()
        return _Slot(proc=proc, conn=parent)

    def _fail(self, item: T, reason: str, seconds: float) -> R:
        if self.on_failure is None:
            raise RuntimeError(reason)
        return self.on_failure(item, reason, seconds)

    def imap(self, items: Sequence[T]) -> Iterator[tuple[int, R]]:
        """``(position, result)`` for every item, in the order they finish."""
        from multiprocessing.connection import wait

        pending = list(reversed(list(enumerate(items))))
        slots = [self._spawn() for _ in range(min(self.processes, len(pending)) or 1)]

        def start(slot: _Slot[T]) -> None:
            slot.item, slot.started = pending.pop(), time.monotonic()
            slot.conn.send(slot.item[1])

        try:
            while pending or any(s.item is not None for s in slots):
                for s in slots:
                    if s.item is None and pending:
                        start(s)
                busy = [s for s in slots if s.item is not None]
                ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout=0.25)
                now = time.monotonic()
                for i, s in enumerate(slots):
                    if s.item is None:
                        continue
                    position, item = s.item
                    if s.conn in ready:
                        try:
                            (status, value), rss = s.conn.recv()
                        except (EOFError, OSError):
                            pass
                        else:
                            s.item = None
                            s.done += 1
                            if pending and (s.done >= self.max_tasks or rss > self.rss_limit_mb):
                                s.conn.send(None)
                                s.proc.join(5)
                                s.conn.close()
                                s = slots[i] = self._spawn()
                            if pending:  # the next item first, so the worker is busy while we go on
                                start(s)
                            yield position, (value if status == "ok" else self._fail(item, value, now - s.started))
                            continue
                    dead = not s.proc.is_alive()
                    late = self.timeout is not None and now - s.started > self.timeout
                    if dead or late:
                        reason = timeout_reason(self.timeout) if late and not dead \
                            else f"worker crashed (exit code {s.proc.exitcode})"
                        s.proc.kill()
                        s.proc.join(5)
                        s.conn.close()
                        slots[i] = self._spawn()
                        yield position, self._fail(item, reason, now - s.started)
        finally:
            for s in slots:
                try:
                    s.conn.send(None)
                except (OSError, BrokenPipeError):
                    pass
            for s in slots:
                s.proc.join(2)
                if s.proc.is_alive():
                    s.proc.kill()


def fork_map(func: Callable[[T], R], items: Sequence[T], processes: int) -> list[R]:
    """``[func(x) for x in items]`` over forked processes, in input order (a failure raises)."""
    out: list[Any] = [None] * len(items)
    for position, result in ForkPool(func, processes).imap(items):
        out[position] = result
    return out
