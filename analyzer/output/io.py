"""Writing outputs: atomic CSV and JSON, fixed column order and float formatting.

Every file is written to a temporary file in the same folder and renamed into place,
so a killed run leaves either the previous complete file or the new complete file,
never half a CSV. Floats are formatted with a fixed number of decimals so the same
numbers give the same bytes on every machine.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import OutputError

FLOAT_DECIMALS = 6
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UMASK = os.umask(0)
os.umask(_UMASK)


def _format(value: Any, *, excel_safe: bool) -> str:
    kind = type(value)
    if kind is str:  # the common cases first: this runs for every cell of every row
        return "'" + value if excel_safe and value.startswith(_FORMULA_START) else value
    if kind is int and (value >= 0 or not excel_safe):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        text = f"{value:.{FLOAT_DECIMALS}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _format(value.item(), excel_safe=excel_safe)
    text = str(value)
    if excel_safe and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def atomic_write_text(path: Path, text: str) -> None:
    """Write text to path atomically (temporary file + rename)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def csv_text(frame: pd.DataFrame, columns: list[str], *, excel_safe: bool = False) -> str:
    """A DataFrame as CSV text with exactly ``columns``, fixed float format, no index."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"missing columns {missing}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in _rows(frame, columns):
        writer.writerow([_format(v, excel_safe=excel_safe) for v in row])
    return buffer.getvalue()


def _rows(frame: pd.DataFrame, columns: list[str]):  # type: ignore[no-untyped-def]
    """The frame's rows as tuples of Python values (column lists zipped: much cheaper than
    itertuples on large tables, same values)."""
    return zip(*(frame[c].tolist() for c in columns), strict=True)


def write_csv(frame: pd.DataFrame, path: Path, columns: list[str], *, excel_safe: bool = False) -> Path:
    atomic_write_text(path, csv_text(frame, columns, excel_safe=excel_safe))
    return path


def write_json(data: dict[str, Any], path: Path) -> Path:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")
    return path


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


def records_text(records: list[dict], columns: list[str], *, excel_safe: bool = False) -> str:
    """CSV rows (no header) of dicts, formatted as every table of a run is formatted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for record in records:
        writer.writerow([_format(record.get(c), excel_safe=excel_safe) for c in columns])
    return buffer.getvalue()


class CsvStream:
    """Write a CSV row block by row block to a temporary file, renamed into place on success.

    Same header, column order and value formatting as :func:`write_csv`, so a table written
    in pieces is byte-identical to the same table written at once.
    """

    def __init__(self, path: Path, columns: list[str], *, excel_safe: bool = False) -> None:
        self.path = Path(path)
        self.columns = columns
        self.excel_safe = excel_safe
        fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        os.chmod(self.tmp, 0o666 & ~_UMASK)
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.fh, lineterminator="\n")
        self.writer.writerow(columns)

    def write(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        for row in _rows(frame, self.columns):
            self.writer.writerow([_format(v, excel_safe=self.excel_safe) for v in row])

    def write_records(self, records: list[dict]) -> None:
        """Rows as dicts (keys = columns); formatted exactly as :meth:`write` formats a DataFrame."""
        self.fh.write(records_text(records, self.columns, excel_safe=self.excel_safe))

    def write_text(self, text: str) -> None:
        """Rows already formatted by :func:`records_text` with this stream's columns."""
        self.fh.write(text)

    def __enter__(self) -> CsvStream:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        if exc_type is None:
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
            os.replace(self.tmp, self.path)
        else:
            self.fh.close()
            Path(self.tmp).unlink(missing_ok=True)
