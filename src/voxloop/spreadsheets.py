"""Rows out to spreadsheets: CSV streamed piece by piece and XLSX written row by row, both in
constant memory, and no text cell that a spreadsheet could run as a formula (exports of
responses, aggregates, non-responder lists).

CSV (OWASP "CSV injection"): a text cell that starts with a formula trigger, after any
whitespace or control characters, or that holds a list separator followed by one (`x;=1+1`
splits into `=1+1` where Excel's list separator is `;`, as in Romanian, German or French), is
prefixed with an apostrophe, and every text cell is quoted, so a separator inside it never
starts a new cell in a spreadsheet that honours quotes. XLSX has cell types: text is written
as a string cell, exactly as it was, and a string cell is never evaluated.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

# Formula triggers, with the full-width forms that CJK spreadsheets also accept.
TRIGGERS = "=+\\-@＝＋－＠"
# A tab or carriage return first (OWASP's list), a trigger at the start (after blanks or
# control characters), or one after a list separator (comma, semicolon, tab, pipe, line
# break, their full-width forms) and any blanks or quotes.
RISKY = re.compile(
    rf"^(?:[\t\r]|[\s\x00-\x1f]*[{TRIGGERS}])|[,;\t|\r\n\uff0c\uff1b][\s\"']*[{TRIGGERS}]"
)
# Characters an XLSX file cannot hold (openpyxl refuses them; a comment must not break
# the export).
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
ROWS_PER_PIECE = 500  # streamed pieces of some 100 KB, not one per row


def safe_cell(value: Any) -> Any:
    """A value as a CSV should hold it: numbers as numbers, risky text behind an apostrophe."""
    if value is None:
        return ""
    if value.__class__ is str:  # the common case first: a million rows pass through here
        return "'" + value if RISKY.search(value) else value
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return "'" + text if RISKY.search(text) else text


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text piece by piece (UTF-8 with a BOM so spreadsheets read the accents); text
    quoted, numbers bare."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    buffer.write("\ufeff")
    writer.writerow([safe_cell(v) for v in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(v) for v in row])
        if count % ROWS_PER_PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(header: list[str], rows: Iterable[list[Any]], title: str = "Export") -> IO[bytes]:
    """An XLSX workbook written row by row (openpyxl's write-only mode streams to disk),
    returned as an open temporary file positioned at its start."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_xlsx_cell(sheet, v) for v in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


def _xlsx_cell(sheet: Any, value: Any) -> Any:  # openpyxl is untyped
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if value.__class__ is str else str(value)
    if XLSX_ILLEGAL.search(text):
        text = XLSX_ILLEGAL.sub("", text)
    if not text.startswith("="):
        return text  # openpyxl stores any other text as a string cell
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl took it for a formula; it is the respondent's text
    return cell
