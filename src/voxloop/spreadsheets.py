"""Rows out to spreadsheets: CSV streamed piece by piece and XLSX written row by row, both in
constant memory, and every text cell that a spreadsheet would run as a formula kept as text
(exports of responses, aggregates, non-responder lists)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_CHARS = frozenset(FORMULA_START)
ROWS_PER_PIECE = 500  # streamed pieces of some 100 KB, not one per row


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet should store it: text that looks like a formula stays text."""
    if value is None:
        return ""
    if value.__class__ is str:  # the common case first: a million rows pass through here
        return "'" + value if value[:1] in FORMULA_CHARS else value
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_stream(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text piece by piece (UTF-8 with a BOM so spreadsheets read the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(v) for v in row])
        if count % ROWS_PER_PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(header: list[str], rows: Iterable[list[Any]], title: str = "Export"):
    """An XLSX workbook written row by row (openpyxl's write-only mode streams to disk),
    returned as an open temporary file positioned at its start."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(handle)
    handle.seek(0)
    return handle
