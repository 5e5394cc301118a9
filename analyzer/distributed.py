"""Run a batch on a Dask cluster (``pip install waardenscan[dask]``, ``--scheduler tcp://…``).

The scheduler gets one task per document. A task carries the file path, its sha256 and a
small, picklable *configuration* (pipeline name, lexicon and model paths, settings); each
worker builds the pipeline, lexicon and model once per configuration and reuses them. Input
files, the lexicon and the model must be readable at the same paths on every worker (a shared
file system or object-store mount). Results come back as plain dicts and are put in input
order, so the output equals a local run's. A per-document time limit is not enforced on Dask
workers; Dask's own worker lifetime and memory limits apply.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .batch import Task
from .process import DocResult, error_result


@lru_cache(maxsize=4)
def _context(config_json: str) -> dict[str, Any]:
    from .ingest import ExtractionCache
    from .scoring.lexicon import Matcher, load_lexicon
    from .nlp import build_pipeline, pipeline_name
    from .process import Settings

    config = json.loads(config_json)
    nlp = build_pipeline(config["pipeline"])
    lexicon = load_lexicon(config["lexicon"])
    model = None
    if config["model"]:
        from .scoring.classifier.model import load_model

        model = load_model(config["model"], lexicon=lexicon)
    cache = ExtractionCache(config["cache"]) if config.get("cache") else None
    return {"nlp": nlp, "pipeline": pipeline_name(nlp), "matcher": Matcher(lexicon), "model": model,
            "settings": Settings(**config["settings"]), "cache": cache}


def process_remote(path: str, sha256: str, config_json: str) -> dict[str, Any]:
    """The task a Dask worker runs for one document (module-level, so it pickles by name)."""
    from .process import process_document

    ctx = _context(config_json)
    try:
        result = process_document(path, nlp=ctx["nlp"], pipeline=ctx["pipeline"], matcher=ctx["matcher"],
                                  model=ctx["model"], settings=ctx["settings"], cache=ctx["cache"], sha256=sha256)
    except Exception as exc:  # never lose a document to a worker-side bug
        result = error_result(path, f"{type(exc).__name__}: {exc}", sha256=sha256)
    return result.to_json()


def run_dask(tasks: list[Task], *, scheduler: str, config: dict[str, Any],
             on_result: Callable[[Task, DocResult], None]) -> None:
    """Submit every task to the Dask scheduler and hand results back as they finish."""
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - depends on the optional extra
        from .errors import WaardenscanError

        raise WaardenscanError("--scheduler needs Dask: pip install 'waardenscan[dask]'") from None
    config_json = json.dumps(config, sort_keys=True, default=str)
    client = Client(scheduler) if isinstance(scheduler, str) else scheduler
    try:
        futures = {client.submit(process_remote, str(t.path), t.sha256, config_json, pure=False, key=f"waardenscan-{t.key}-{t.index}"): t
                   for t in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                data = future.result()
                on_result(task, DocResult.from_json(data))
            except Exception as exc:
                on_result(task, error_result(task.path, f"dask task failed: {type(exc).__name__}: {exc}",
                                             sha256=task.sha256))
    finally:
        if isinstance(scheduler, str):
            client.close()
