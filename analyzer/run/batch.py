"""A batch of files -> one :class:`~analyzer.types.DocSummary` per file, in input order.

Every input file gets exactly one summary: unreadable files and files with the same
content as an earlier one get a row saying so; finished documents are served from the
store when their key (file sha256 + run settings) is there; the rest run on the
execution's backend (:mod:`analyzer.run.executor`), where each is processed, summarised and
stored by the process that ran it. Summaries are yielded in input order as soon as they
and all before them are in, so the caller assembles output while later documents run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..ingest import file_sha256
from ..segment import make_doc_id
from ..types import DocSummary, RunSettings
from .document import error_summary
from .executor import Execution, Task, execute, in_input_order
from .store import Stores


def run_batch(paths: list[Path], work: Callable[[Task], DocSummary], *, settings: RunSettings,
              stores: Stores, execution: Execution, prepare: Callable[[], None] | None = None,
              remote: Callable[[], Any] | None = None) -> Iterator[DocSummary]:
    """Summaries of ``paths`` in input order (see the module docstring).

    ``work`` processes, summarises and stores one task; ``prepare`` loads the models once
    before workers fork, and only if something has to be processed."""
    from tqdm import tqdm

    ready: dict[int, DocSummary] = {}
    first_of: dict[str, str] = {}
    tasks: list[Task] = []
    bar = tqdm(total=len(paths), unit="doc", file=sys.stderr, disable=not execution.progress, desc="waardenscan")
    pipeline = settings.pipeline
    for index, path in enumerate(paths):
        try:
            sha = file_sha256(path)
        except OSError as exc:
            reason = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
            if Path(path).is_dir():
                reason = "is a folder"
            ready[index] = error_summary(path, f"{path}: cannot be read ({reason})", pipeline=pipeline)
            continue
        doc_id = make_doc_id(str(path), sha)
        if sha in first_of:
            dup = error_summary(path, f"same content as {first_of[sha]}; scored once", sha256=sha,
                                status="duplicate", pipeline=pipeline)
            ready[index] = replace(dup, document=replace(dup.document, duplicate_of=first_of[sha]))
            continue
        first_of[sha] = doc_id
        key = settings.result_key(sha, doc_id)
        cached = stores.get(key)
        if cached is not None:
            ready[index] = replace(cached, document=replace(cached.document, path=str(path)))
            continue
        tasks.append(Task(index=index, path=Path(path), sha256=sha, key=key))

    def failure(task: Task, reason: str, seconds: float) -> DocSummary:
        return error_summary(task.path, reason, sha256=task.sha256, pipeline=pipeline, seconds=seconds)

    def finished() -> Iterator[tuple[int, DocSummary]]:
        yield from ready.items()
        if tasks and prepare is not None and execution.scheduler is None:
            prepare()
        for task, summary in execute(tasks, work, execution=execution, on_failure=failure, remote=remote):
            if execution.scheduler is not None and summary.document.status in ("ok", "warning"):
                stores.put(task.key, summary)  # remote workers may not see the store
            if summary.document.status == "error":
                error = summary.document.error
                prefix = "" if error.startswith(str(task.path)) else f"{task.path}: "
                bar.write(f"waardenscan: {prefix}{error}", file=sys.stderr)
            yield task.index, summary

    try:
        for summary in in_input_order(len(paths), finished()):
            bar.update(1)
            yield summary
    finally:
        bar.close()
