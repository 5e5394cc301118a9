"""One content-addressed store: the result cache, a run's parts (``--resume``) and the
extraction cache are all folders of this one layout.

    ROOT/<kind>/<key[:2]>/<key>.gz      kind: "results" or "extraction"

A key is the file's sha256 plus a hash of what produced the entry (settings and versions for
results, extractor version and options for extractions), so a changed input, lexicon,
model or option never serves a stale entry. Entries are written atomically; a damaged
entry is ignored (and rebuilt), never trusted.

A result entry is a :class:`~analyzer.types.DocSummary`: one JSON line (document row,
counts, report data, the lengths of the row texts), then the row texts of the per-document
tables in the one CSV cell format. A re-run copies those texts into the outputs.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from pathlib import Path
from typing import Any

from ..ingest.model import ExtractedDocument
from ..output.io import atomic_write
from ..types import DocSummary, DocumentRow

log = logging.getLogger(__name__)

RESULTS, EXTRACTION = "results", "extraction"


def default_cache_dir() -> Path:
    """``$WAARDENSCAN_CACHE``, else ``$XDG_CACHE_HOME/waardenscan``, else ``~/.cache/waardenscan``."""
    env = os.environ.get("WAARDENSCAN_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "waardenscan"


def encode_summary(summary: DocSummary) -> bytes:
    names = sorted(summary.rows)
    head = {"document": summary.document.to_dict(), "counts": summary.counts, "report": summary.report,
            "rows": [[n, len(summary.rows[n])] for n in names]}
    data = json.dumps(head, ensure_ascii=False) + "\n" + "".join(summary.rows[n] for n in names)
    return gzip.compress(data.encode("utf-8"), compresslevel=3, mtime=0)


def decode_summary(blob: bytes) -> DocSummary:
    head_bytes, _, rest = gzip.decompress(blob).partition(b"\n")
    head = json.loads(head_bytes)
    text = rest.decode("utf-8")
    rows, at = {}, 0
    for name, size in head["rows"]:
        rows[name] = text[at:at + size]
        at += size
    if at != len(text):
        raise ValueError("stored rows are truncated")
    return DocSummary(document=DocumentRow.from_dict(head["document"]), counts=head["counts"],
                      report=head["report"], rows=rows)


class Store:
    """A folder of content-addressed entries (see the module docstring)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.gz"

    def read(self, kind: str, key: str) -> bytes | None:
        try:
            return self.path(kind, key).read_bytes()
        except OSError:
            return None

    def write(self, kind: str, key: str, data: bytes) -> None:
        """Store an entry; a read-only or full store slows the next run, nothing more."""
        target = self.path(kind, key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, data)
        except OSError as exc:
            log.warning("cannot store %s: %s", target, exc)

    def clean(self) -> int:
        """Remove temporary files a killed run left behind; returns how many."""
        removed = 0
        if self.root.is_dir():
            for tmp in self.root.rglob(".*.tmp"):
                tmp.unlink(missing_ok=True)
                removed += 1
        return removed

    # results ------------------------------------------------------------------------
    def get_summary(self, key: str) -> DocSummary | None:
        blob = self.read(RESULTS, key)
        if blob is None:
            return None
        try:
            return decode_summary(blob)
        except Exception as exc:  # a damaged entry is recomputed
            log.warning("ignoring damaged result %s: %s", self.path(RESULTS, key), exc)
            return None

    def put_summary(self, key: str, summary: DocSummary, *, blob: bytes | None = None) -> None:
        self.write(RESULTS, key, blob if blob is not None else encode_summary(summary))

    # extractions (the ingest.ExtractionCache protocol) --------------------------------
    def get_extraction(self, sha256: str, key: str, path: str) -> ExtractedDocument | None:
        blob = self.read(EXTRACTION, f"{sha256}-{key}")
        if blob is None:
            return None
        try:
            return ExtractedDocument.from_json(json.loads(gzip.decompress(blob)), path=path, sha256=sha256)
        except Exception as exc:
            log.warning("ignoring damaged extraction %s: %s", self.path(EXTRACTION, f"{sha256}-{key}"), exc)
            return None

    def put_extraction(self, doc: ExtractedDocument, key: str) -> None:
        data = json.dumps(doc.to_json(), ensure_ascii=False).encode("utf-8")
        self.write(EXTRACTION, f"{doc.sha256}-{key}", gzip.compress(data, compresslevel=3, mtime=0))


class Stores:
    """Where a run reads finished documents from and writes them to: the cache, the run's
    own parts folder (for ``--resume``) and an earlier run's parts."""

    def __init__(self, *, read: list[Store], write: list[Store]) -> None:
        self.read_from = read
        self.write_to = write

    def get(self, key: str) -> DocSummary | None:
        for store in self.read_from:
            found = store.get_summary(key)
            if found is not None:
                return found
        return None

    def put(self, key: str, summary: DocSummary) -> None:
        if not self.write_to:
            return
        blob = encode_summary(summary)
        for store in self.write_to:
            store.put_summary(key, summary, blob=blob)

    def describe(self) -> dict[str, Any]:
        return {"read": [str(s.root) for s in self.read_from], "write": [str(s.root) for s in self.write_to]}
