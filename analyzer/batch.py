"""Run many documents: parallel workers, per-document time limit, dedup, resume, cache.

Each document is processed by :func:`analyzer.process.process_document`. With
``jobs > 1`` documents go to forked worker processes (they inherit the loaded
pipeline, lexicon and model); a worker that exceeds the per-document time limit or
crashes is killed and replaced, and its document gets a ``status=error`` row. Results
are collected by input position, so the output does not depend on ``jobs``.

Finished documents are stored one file each (gzip'ed JSON, written atomically) under
a key made of the file's sha256 and the run's fingerprint (pipeline, lexicon, model,
settings). ``resume=True`` reuses those in ``OUTDIR/.parts``; the result cache in the
cache folder makes re-running an unchanged batch cheap.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .ingest import file_sha256
from .process import DocResult, error_result
from .segment import make_doc_id

log = logging.getLogger(__name__)


class ResultStore:
    """A folder of finished per-document results."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _file(self, key: str) -> Path:
        return self.root / f"{key}.json.gz"

    def _light_file(self, key: str) -> Path:
        return self.root / f"{key}.light.json.gz"

    def get_light(self, key: str) -> dict[str, Any] | None:
        """The :func:`~analyzer.process.light_view` stored beside a result, or None."""
        file = self._light_file(key)
        if not file.exists():
            return None
        try:
            return self.decode_light(gzip.decompress(file.read_bytes()))
        except Exception as exc:  # damaged entry: use the full result
            log.warning("ignoring damaged result %s: %s", file, exc)
            return None

    @staticmethod
    def encode_light(view: dict[str, Any]) -> bytes:
        """A light view as stored: a JSON line, then its CSV rows as plain text (no JSON
        string escaping to undo when a re-run copies them)."""
        rows = view.get("rows")
        texts = [rows["sentences"], rows["matches"], rows["sections"]] if rows else []
        head = {**view, "rows": [len(t) for t in texts] if rows else None}
        data = json.dumps(head, ensure_ascii=False) + "\n" + "".join(texts)
        return gzip.compress(data.encode("utf-8"), compresslevel=3, mtime=0)

    @staticmethod
    def decode_light(data: bytes) -> dict[str, Any] | None:
        head_bytes, _, rest = data.partition(b"\n")
        view = json.loads(head_bytes)
        if not isinstance(view, dict) or "document" not in view:
            return None
        if view.get("rows") is not None:
            text = rest.decode("utf-8")
            a, b, c = view["rows"]
            if len(text) != a + b + c:
                raise ValueError("stored rows are truncated")
            view["rows"] = {"sentences": text[:a], "matches": text[a:a + b], "sections": text[a + b:]}
        return view

    def get(self, key: str) -> DocResult | None:
        file = self._file(key)
        if not file.exists():
            return None
        try:
            with gzip.open(file, "rt", encoding="utf-8") as fh:
                return DocResult.from_json(json.load(fh))
        except Exception as exc:  # damaged entry: recompute
            log.warning("ignoring damaged result %s: %s", file, exc)
            return None

    @staticmethod
    def encode(result: DocResult) -> bytes:
        """A result as stored: gzip-compressed JSON (encode once, write to several stores)."""
        data = json.dumps(result.to_json(), ensure_ascii=False).encode("utf-8")
        return gzip.compress(data, compresslevel=3, mtime=0)

    def put(self, key: str, result: DocResult, *, blob: bytes | None = None, light_blob: bytes | None = None) -> None:
        try:
            blob = blob if blob is not None else self.encode(result)
            self.root.mkdir(parents=True, exist_ok=True)
            files = [(self._file(key), blob)]
            if light_blob is not None:  # written second: a light file implies the full one
                files.append((self._light_file(key), light_blob))
            for target, data in files:
                fd, tmp = tempfile.mkstemp(dir=self.root, suffix=".tmp")
                with os.fdopen(fd, "wb") as raw:
                    raw.write(data)
                os.replace(tmp, target)
        except OSError as exc:
            log.warning("cannot store result %s: %s", key, exc)


@dataclass
class Task:
    index: int
    path: Path
    sha256: str
    key: str
    parallel: int = 1
    """Processes for this one document (a batch of one large document with --jobs > 1)."""


def result_key(sha256: str, doc_id: str, fingerprint: dict[str, Any]) -> str:
    blob = json.dumps({"doc_id": doc_id, **fingerprint}, sort_keys=True, default=str)
    return f"{sha256}-{hashlib.sha256(blob.encode()).hexdigest()[:16]}"


class _Timeout(BaseException):
    """Raised by SIGALRM; a BaseException so that no ``except Exception`` in the
    pipeline can swallow it."""


def _alarm(signum, frame):  # type: ignore[no-untyped-def]
    raise _Timeout()


def _run_inline(func: Callable[[Task], DocResult], task: Task, timeout: float | None) -> DocResult:
    use_alarm = bool(timeout) and threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM")
    if use_alarm:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, float(timeout))
    try:
        result = func(task)
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return result
    except _Timeout:
        return error_result(task.path, f"timed out after {timeout:g} s (per-document limit; raise it with --timeout)",
                            sha256=task.sha256, seconds=float(timeout or 0))
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def _worker(conn, func):  # type: ignore[no-untyped-def]
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            result = func(task)
        except Exception as exc:  # never lose the worker over one document
            result = error_result(task.path, f"{type(exc).__name__}: {exc}", sha256=task.sha256)
        conn.send((result, _peak_rss_mb()))


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


MAX_TASKS_PER_WORKER = 200
WORKER_RSS_LIMIT_MB = 420
"""A worker is replaced after this many documents, or sooner once its peak resident
memory passes this limit: Python's heap (and spaCy's string store) only grows in a
long-lived process, so recycling keeps memory flat over big batches. Replacing it less
often keeps its caches (lemmas, character n-grams) warm."""


def run_parallel(tasks: list[Task], func: Callable[[Task], DocResult], *, jobs: int, timeout: float | None,
                 on_result: Callable[[Task, DocResult], None]) -> None:
    """Process tasks in forked workers; kill and replace a worker over its time limit."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    ctx = mp.get_context("fork")
    pending = list(reversed(tasks))
    workers: list[dict[str, Any]] = []

    def spawn() -> dict[str, Any]:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, func), daemon=True)
        proc.start()
        child.close()
        return {"proc": proc, "conn": parent, "task": None, "started": 0.0, "done": 0}

    for _ in range(max(1, min(jobs, len(tasks)))):
        workers.append(spawn())
    try:
        while pending or any(w["task"] is not None for w in workers):
            for w in workers:
                if w["task"] is None and pending:
                    task = pending.pop()
                    w["task"], w["started"] = task, time.monotonic()
                    w["conn"].send(task)
            busy = [w for w in workers if w["task"] is not None]
            ready = wait([w["conn"] for w in busy] + [w["proc"].sentinel for w in busy], timeout=0.25)
            now = time.monotonic()
            for i, w in enumerate(workers):
                task = w["task"]
                if task is None:
                    continue
                if w["conn"] in ready:
                    try:
                        data, rss = w["conn"].recv()
                    except (EOFError, OSError):
                        pass
                    else:
                        w["task"] = None
                        w["done"] += 1
                        if pending and (w["done"] >= MAX_TASKS_PER_WORKER or rss > WORKER_RSS_LIMIT_MB):
                            w["conn"].send(None)
                            w["proc"].join(5)
                            w["conn"].close()
                            w = workers[i] = spawn()
                        if pending:  # the next document first, so the worker is busy while we assemble
                            w["task"], w["started"] = pending.pop(), time.monotonic()
                            w["conn"].send(w["task"])
                        on_result(task, data)
                        continue
                dead = not w["proc"].is_alive()
                late = timeout is not None and now - w["started"] > timeout
                if dead or late:
                    reason = (f"timed out after {timeout:g} s (per-document limit; raise it with --timeout)"
                              if late and not dead else f"worker crashed (exit code {w['proc'].exitcode})")
                    w["proc"].kill()
                    w["proc"].join(5)
                    w["conn"].close()
                    on_result(task, error_result(task.path, reason, sha256=task.sha256, seconds=now - w["started"]))
                    workers[i] = spawn()
    finally:
        for w in workers:
            try:
                w["conn"].send(None)
            except (OSError, BrokenPipeError):
                pass
        for w in workers:
            w["proc"].join(2)
            if w["proc"].is_alive():
                w["proc"].kill()


def _cached(stores: list[ResultStore], key: str, *, light: bool) -> DocResult | None:
    """A stored result: with ``light`` a stand-in carrying its light view (or, for an entry
    stored without one, the document row), else the full result."""
    for store in stores:
        view = store.get_light(key) if light else None
        if view is not None:
            return DocResult(document=view["document"], key=key, store=store, light=view)
        full = store.get(key)
        if full is not None:
            # a cached result needs no copy: the store it came from serves it again
            return DocResult(document=full.document, key=key, store=store) if light else full
    return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def run_batch(paths: list[Path], func: Callable[[Task], DocResult], *, fingerprint: dict[str, Any],
              jobs: int = 1, timeout: float | None = None, stores: list[ResultStore] | None = None,
              read_stores: list[ResultStore] | None = None, progress: bool = True,
              pipeline: str = "", scheduler: Any = None, remote_config: dict[str, Any] | None = None,
              keep: bool = True, prepare: Callable[[], None] | None = None,
              on_ready: Callable[[DocResult], None] | None = None) -> list[DocResult]:
    """Process every path once and return results in input order.

    Files with the same sha256 as an earlier file are not processed again: they get a
    ``status=duplicate`` row naming the first one. With ``keep=False`` (and a store) a
    finished document is kept only in the store and the list holds a light stand-in
    (document row and store key), so memory does not grow with the batch. With ``scheduler`` (a Dask scheduler
    address or Client) the documents run on a Dask cluster, see :mod:`analyzer.distributed`.
    ``on_ready`` is called with each result in input order as soon as it and all results
    before it are in (so a caller can assemble output while later documents are scored).
    """
    from tqdm import tqdm

    results: list[DocResult | None] = [None] * len(paths)
    first_of: dict[str, str] = {}
    tasks: list[Task] = []
    stores = stores or []
    read_stores = read_stores if read_stores is not None else stores
    bar = tqdm(total=len(paths), unit="doc", file=sys.stderr, disable=not progress, desc="waardenscan")
    cursor = 0

    def advance() -> None:
        nonlocal cursor
        while on_ready is not None and cursor < len(results) and results[cursor] is not None:
            on_ready(results[cursor])  # type: ignore[arg-type]
            cursor += 1
    for index, path in enumerate(paths):
        try:
            sha = file_sha256(path)
        except OSError as exc:
            reason = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
            if Path(path).is_dir():
                reason = "is a folder"
            results[index] = error_result(path, f"{path}: cannot be read ({reason})", pipeline=pipeline)
            bar.update(1)
            continue
        doc_id = make_doc_id(str(path), sha)
        if sha in first_of:
            dup = error_result(path, f"same content as {first_of[sha]}; scored once", sha256=sha,
                               status="duplicate", pipeline=pipeline)
            dup.document["duplicate_of"] = first_of[sha]
            results[index] = dup
            bar.update(1)
            continue
        first_of[sha] = doc_id
        key = result_key(sha, doc_id, fingerprint)
        cached = _cached(read_stores, key, light=not keep)
        if cached is not None:
            cached.document["path"] = str(path)
            results[index] = cached
            bar.update(1)
            advance()
            cached.light = None  # if it could not be assembled yet, the store serves it again later
            continue
        tasks.append(Task(index=index, path=Path(path), sha256=sha, key=key))

    def finish(task: Task, result: DocResult) -> DocResult:
        """Store a finished document; runs where it was processed (in a worker with --jobs)."""
        from .process import light_view

        result.document["path"] = str(task.path)
        if not result.document.get("pipeline"):
            result.document["pipeline"] = pipeline
        if result.document["status"] in ("ok", "warning") and stores:
            blob = ResultStore.encode(result)
            light = None if keep else light_view(result)
            light_blob = ResultStore.encode_light(light) if light is not None else None
            for store in stores:
                store.put(task.key, result, blob=blob, light_blob=light_blob)
            if not keep:  # the document row and its light view travel back, not every sentence
                return DocResult(document=result.document, key=task.key, store=stores[-1], light=light)
        return result

    def work(task: Task) -> DocResult:
        return finish(task, func(task))

    def done(task: Task, result: DocResult) -> None:
        results[task.index] = result
        advance()
        result.light = None  # not assembled yet (an earlier document is still running): re-read later
        if result.document["status"] == "error":
            error = result.document["error"]
            prefix = "" if error.startswith(str(task.path)) else f"{task.path}: "
            bar.write(f"waardenscan: {prefix}{error}", file=sys.stderr)
        bar.update(1)

    advance()
    if tasks and prepare is not None and scheduler is None:
        prepare()  # load models once, before workers fork, and only if there is work
    try:
        if scheduler is not None and tasks:
            from .distributed import run_dask

            run_dask(tasks, scheduler=scheduler, config=remote_config or {},
                     on_result=lambda task, result: done(task, finish(task, result)))
        elif jobs > 1 and len(tasks) > 1:
            # largest files first, so that no big document starts last while the other workers idle
            tasks.sort(key=lambda t: (-_size(t.path), t.index))
            run_parallel(tasks, work, jobs=jobs, timeout=timeout, on_result=done)
        else:
            for task in tasks:
                task.parallel = jobs  # one document left for several processes: spread its pages
                done(task, finish(task, _run_inline(func, task, timeout)))
    finally:
        bar.close()
    advance()
    return [r for r in results if r is not None]
