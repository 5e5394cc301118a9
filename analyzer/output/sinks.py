"""Where a run's per-document rows go: CSV files streamed to disk, or DataFrames in memory.

Both sinks take the same :class:`~analyzer.types.DocSummary` objects in input order and the
same row texts (the one cell format of :mod:`analyzer.output.io`): :class:`CsvSink`
appends them to ``sentences.csv``, ``matches.csv`` and ``sections.csv`` (atomically, as
each file is renamed into place when the run ends), :class:`FrameSink` keeps them and reads
them with the schemas' dtypes. So the files of a streamed run and the DataFrames of an
in-memory one are the same table, byte for byte, by construction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..schemas import PER_DOCUMENT, Table
from ..types import DocSummary
from .io import AtomicFile, excel_safe_text, header_text, read_table


class FrameSink:
    """Keeps every document's rows; :meth:`frames` reads them as DataFrames."""

    streamed = False

    def __init__(self) -> None:
        self.parts: dict[str, list[str]] = {t.name: [] for t in PER_DOCUMENT}

    def add(self, summary: DocSummary) -> None:
        for table in PER_DOCUMENT:
            text = summary.rows.get(table.name)
            if text:
                self.parts[table.name].append(text)

    def close(self, error: BaseException | None = None) -> None:
        pass

    def frames(self) -> dict[str, Any]:
        return {t.name: read_table(header_text(t) + "".join(self.parts[t.name]), t, text=True)
                for t in PER_DOCUMENT}


class CsvSink:
    """Streams every document's rows into the CSV files of ``outdir``."""

    streamed = True

    def __init__(self, outdir: Path, *, excel_safe: bool = False) -> None:
        self.outdir = Path(outdir)
        self.excel_safe = excel_safe
        self.files = {t.name: AtomicFile(self.outdir / t.file) for t in PER_DOCUMENT}
        self.handles = {}
        try:
            for t in PER_DOCUMENT:
                self.handles[t.name] = self.files[t.name].__enter__()
                self.handles[t.name].write(header_text(t))
        except BaseException as exc:
            self.close(exc)
            raise

    def _text(self, text: str, table: Table) -> str:
        return excel_safe_text(text, table) if self.excel_safe else text

    def add(self, summary: DocSummary) -> None:
        for table in PER_DOCUMENT:
            text = summary.rows.get(table.name)
            if text:
                self.handles[table.name].write(self._text(text, table))

    def close(self, error: BaseException | None = None) -> None:
        """Rename the files into place, or remove them when the run failed."""
        for name in list(self.handles):
            self.handles.pop(name)
            exc_type = type(error) if error is not None else None
            self.files[name].__exit__(exc_type, error, None)

    def paths(self) -> dict[str, Path]:
        return {t.name: self.outdir / t.file for t in PER_DOCUMENT}
