"""Writing outputs: one atomic writer, one cell format, one table reader.

Every file is written to a temporary file in the same folder and renamed into place, so a
killed run leaves either the previous complete file or the new complete file, never half a
CSV. Floats are formatted with a fixed number of decimals so the same numbers give the same
bytes on every machine. Tables are read back with the dtypes of :mod:`analyzer.schemas`, so
what is written and what is read are one contract.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError
from ..schemas import Table

FLOAT_DECIMALS = 6
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def format_cell(value: Any, *, excel_safe: bool = False) -> str:
    """One CSV cell: fixed float format, true/false, empty for missing values; with
    ``excel_safe`` a text or whole number that a spreadsheet would run as a formula gets a
    leading ``'``."""
    kind = type(value)
    if kind is str:  # the common cases first: this runs for every cell of every row
        return "'" + value if excel_safe and value.startswith(_FORMULA_START) else value
    if kind is int and (value >= 0 or not excel_safe):
        return str(value)
    if value is None or value is _NA:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        text = f"{value:.{FLOAT_DECIMALS}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return format_cell(value.item(), excel_safe=excel_safe)
    if _is_missing(value):
        return ""
    text = str(value)
    if excel_safe and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _missing_marker() -> Any:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        return object()
    return pd.NA


_NA = _missing_marker()


def _is_missing(value: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def rows_text(rows: Iterable[Sequence[Any]], *, excel_safe: bool = False) -> str:
    """CSV lines (no header) of rows of Python values, formatted as every table is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([format_cell(v, excel_safe=excel_safe) for v in row])
    return buffer.getvalue()


def header_text(table: Table) -> str:
    return rows_text([table.names])


def excel_safe_text(text: str, table: Table) -> str:
    """Rows formatted without ``excel_safe`` as they would be with it: text and whole-number
    cells that start like a formula get a leading ``'`` (float cells never do, as with
    :func:`format_cell`)."""
    if not text:
        return text
    guard = [d in ("str", "int", "Int64") for d in table.dtypes_list]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in csv.reader(io.StringIO(text)):
        writer.writerow(["'" + cell if g and cell.startswith(_FORMULA_START) else cell
                         for cell, g in zip(row, guard, strict=True)])
    return out.getvalue()


class AtomicFile:
    """A text file written under a temporary name and renamed into place when the ``with``
    block ends without an error (fsync'ed, the umask's permissions); removed otherwise."""

    def __init__(self, path: Path, *, binary: bool = False) -> None:
        self.path = Path(path)
        self.binary = binary
        self.tmp = ""
        self.fh: IO[Any] | None = None

    def __enter__(self) -> IO[Any]:
        fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        os.chmod(self.tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        self.fh = os.fdopen(fd, "wb") if self.binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.fh

    def __exit__(self, exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        assert self.fh is not None
        try:
            if exc_type is None:
                self.fh.flush()
                os.fsync(self.fh.fileno())
            self.fh.close()
            if exc_type is None:
                os.replace(self.tmp, self.path)
        finally:
            if exc_type is not None or os.path.exists(self.tmp):
                Path(self.tmp).unlink(missing_ok=True)


def atomic_write(path: Path, data: str | bytes) -> Path:
    """Write text or bytes to path atomically (temporary file + fsync + rename)."""
    with AtomicFile(Path(path), binary=isinstance(data, bytes)) as fh:
        fh.write(data)
    return Path(path)


def _umask() -> int:
    """The process umask, read from /proc where possible (setting it to read it would race
    with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:  # pragma: no cover - not Linux
        pass
    return 0o022


def frame_rows(frame: Any, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """A DataFrame's rows as tuples of Python values (column lists zipped: much cheaper than
    itertuples on large tables, same values)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"missing columns {missing}")
    return zip(*(frame[c].tolist() for c in columns), strict=True)


def table_text(frame: Any, table: Table, *, excel_safe: bool = False) -> str:
    """A DataFrame as CSV text with exactly the table's columns, header first."""
    return header_text(table) + rows_text(frame_rows(frame, table.names), excel_safe=excel_safe)


def write_table(frame: Any, path: Path, table: Table, *, excel_safe: bool = False) -> Path:
    return atomic_write(path, table_text(frame, table, excel_safe=excel_safe))


def read_table(source: Path | str, table: Table, *, text: bool = False) -> Any:
    """A table written by :func:`write_table` (a path, or CSV text with ``text=True``) as a
    DataFrame with the schema's dtypes; missing columns of an older file are added empty."""
    import pandas as pd

    handle: Any = io.StringIO(source) if text else source
    head = pd.read_csv(handle, nrows=0) if not text else None
    present = table.names if head is None else list(head.columns)
    if text:
        handle = io.StringIO(source)  # type: ignore[arg-type]
    frame = pd.read_csv(handle, dtype=table.read_dtypes(present), keep_default_na=False,
                        na_values={c: [""] for c in present if table.dtype(c) not in ("str", "bool")},
                        true_values=["true"], false_values=["false"])
    for name in table.names:
        if name not in frame.columns:
            frame[name] = pd.Series([None] * len(frame), dtype=table.pandas_dtype(name))
    for name in present:
        if table.dtype(name) == "bool" and frame[name].dtype != bool:
            frame[name] = frame[name].astype(str).str.lower().eq("true")
    return frame


def empty_frame(table: Table) -> Any:
    return table.empty()


def write_json(data: dict[str, Any], path: Path) -> Path:
    return atomic_write(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def prepare_outdir(path: Path) -> Path:
    """Create the output folder and prove it is writable before any work starts."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".waardenscan-write-test"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"{path}: output folder is not writable ({exc.strerror or exc})") from None
    return path
