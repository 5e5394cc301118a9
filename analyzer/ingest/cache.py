"""Extraction cache keyed by the file's sha256 and the extractor version.

Re-running a batch does not re-parse unchanged PDFs. Entries are gzip'ed JSON written
atomically; a corrupt entry is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from .model import ExtractedDocument, Line, Page

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """``$WAARDENSCAN_CACHE``, else ``$XDG_CACHE_HOME/waardenscan``, else ``~/.cache/waardenscan``."""
    env = os.environ.get("WAARDENSCAN_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "waardenscan"


class ExtractionCache:
    """A folder of ``<sha256>-<key>.json.gz`` files."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str, key: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}-{key}.json.gz"

    def get(self, sha256: str, key: str, path: str) -> ExtractedDocument | None:
        file = self._path(sha256, key)
        if not file.exists():
            return None
        try:
            with gzip.open(file, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
            pages = [Page(number=p["number"], lines=[Line(**ln) for ln in p["lines"]],
                          quality=p["quality"], n_chars=p["n_chars"]) for p in data["pages"]]
            return ExtractedDocument(path=path, sha256=sha256, file_type=data["file_type"],
                                     pages=pages, title=data["title"],
                                     text_quality=data["text_quality"],
                                     warnings=data["warnings"], extractor=data["extractor"])
        except Exception as exc:  # a damaged cache entry is rebuilt, never trusted
            log.warning("ignoring damaged cache entry %s: %s", file, exc)
            return None

    def put(self, doc: ExtractedDocument, key: str) -> None:
        file = self._path(doc.sha256, key)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            data = asdict(doc)
            data.pop("path")
            fd, tmp = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8", compresslevel=3) as fh:
                json.dump(data, fh, ensure_ascii=False)
            os.replace(tmp, file)
        except OSError as exc:  # a read-only or full cache slows the next run, nothing more
            log.warning("cannot write extraction cache %s: %s", file, exc)
