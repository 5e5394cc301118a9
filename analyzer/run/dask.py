"""Run a batch on a Dask cluster (``pip install waardenscan[dask]``, ``--scheduler tcp://…``).

The scheduler gets one task per document. A task carries the file path, its sha256 and a
small, picklable *configuration* (pipeline name, lexicon and model paths, settings); each
worker builds its resources once per configuration and reuses them. Input files, the
lexicon and the model must be readable at the same paths on every worker (a shared file
system or object-store mount). Summaries come back encoded as the store keeps them and are
put in input order, so the output equals a local run's. A per-document time limit is not
enforced on Dask workers; Dask's own worker lifetime and memory limits apply.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from ..errors import WaardenscanError
from ..types import DocSummary, RunSettings
from .executor import Task


@lru_cache(maxsize=4)
def _context(config_json: str) -> tuple[Any, RunSettings]:
    from ..scoring.lexicon import load_lexicon
    from .document import Resources

    config = json.loads(config_json)
    settings = RunSettings(**config["settings"])
    resources = Resources(lexicon=load_lexicon(config["lexicon"]), pipeline=config["pipeline"],
                          model_folder=config["model"])
    return resources.load(settings), settings


def process_remote(path: str, sha256: str, config_json: str) -> bytes:
    """The task a Dask worker runs for one document (module-level, so it pickles by name)."""
    from ..run.document import error_summary, process_document, summarize
    from ..run.store import encode_summary

    try:
        resources, settings = _context(config_json)
        result = process_document(path, resources=resources, settings=settings, sha256=sha256)
        summary = summarize(result, lexicon=resources.lexicon, settings=settings)
    except Exception as exc:  # never lose a document to a worker-side bug
        summary = error_summary(path, f"{type(exc).__name__}: {exc}", sha256=sha256)
    return encode_summary(summary)


def remote_config(*, pipeline: str, lexicon: str, model: str | None, settings: RunSettings) -> str:
    from dataclasses import asdict

    return json.dumps({"pipeline": pipeline, "lexicon": lexicon, "model": model, "settings": asdict(settings)},
                      sort_keys=True, default=str)


def run_dask(tasks: Sequence[Task], *, scheduler: Any, work: str,
             on_failure: Callable[[Task, str, float], DocSummary]) -> Iterator[tuple[Task, DocSummary]]:
    """Submit every task to the Dask scheduler and yield summaries as they finish.

    ``work``: the configuration JSON of :func:`remote_config`."""
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise WaardenscanError("--scheduler needs Dask: pip install 'waardenscan[dask]'") from None
    from .store import decode_summary

    client = Client(scheduler) if isinstance(scheduler, str) else scheduler
    try:
        futures = {client.submit(process_remote, str(t.path), t.sha256, work, pure=False,
                                 key=f"waardenscan-{t.key}-{t.index}"): t for t in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                yield task, decode_summary(future.result())
            except Exception as exc:
                yield task, on_failure(task, f"dask task failed: {type(exc).__name__}: {exc}", 0.0)
    finally:
        if isinstance(scheduler, str):
            client.close()
