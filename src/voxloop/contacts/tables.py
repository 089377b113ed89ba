"""Reading CSV and XLSX files row by row (openpyxl's read-only mode), for imports."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voxloop.errors import InvalidInput


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, Any]]  # (line number, list of values or a RowInvalid)
    fraction: Callable[[], float | None]  # how far through the file, for a progress bar


def read_table(path: str | os.PathLike[str], file_format: str | None = None) -> Table:
    path = Path(path)
    kind = (file_format or path.suffix.lstrip(".")).lower()
    if not path.is_file():
        raise InvalidInput(f"No such file: {path}", field="file")
    if kind == "csv":
        return _csv(path)
    if kind in {"xlsx", "xlsm"}:
        return _xlsx(path)
    raise InvalidInput("Import a .csv or .xlsx file.", field="file")


def _csv(path: Path) -> Table:
    from voxloop.contacts.importing import RowInvalid

    size = max(os.path.getsize(path), 1)
    # Undecodable bytes become U+FFFD, so that row is reported and the rest still import.
    raw = open(path, "rb")  # noqa: SIM115
    handle = io.TextIOWrapper(raw, newline="", encoding="utf-8-sig", errors="replace")
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise InvalidInput("The file is empty.", field="file") from None
    except csv.Error as error:
        handle.close()
        raise InvalidInput(f"Unreadable header: {error}", field="file") from None

    def rows() -> Iterator[tuple[int, Any]]:
        with handle:
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    yield reader.line_num, RowInvalid("", f"malformed CSV: {error}")
                    continue
                if values:
                    yield reader.line_num, values

    def fraction() -> float | None:
        try:
            return min(raw.tell() / size, 1.0)
        except (ValueError, OSError):
            return None

    return Table(header=header, rows=rows(), fraction=fraction)


def _xlsx(path: Path) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput(f"Not a readable XLSX file ({type(error).__name__}).", "file") from None
    sheet = book.active
    iterator = sheet.iter_rows(values_only=True)
    try:
        header = ["" if v is None else str(v) for v in next(iterator)]
    except StopIteration:
        book.close()
        raise InvalidInput("The file is empty.", field="file") from None
    total = sheet.max_row or 0
    position = {"line": 1}

    def rows() -> Iterator[tuple[int, Any]]:
        try:
            for line, values in enumerate(iterator, start=2):
                position["line"] = line
                if values and any(v is not None and v != "" for v in values):
                    yield line, list(values)
        finally:
            book.close()

    def fraction() -> float | None:
        return min(position["line"] / total, 1.0) if total else None

    return Table(header=header, rows=rows(), fraction=fraction)
