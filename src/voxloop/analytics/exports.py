"""Exports of responses and aggregates as CSV and XLSX, streamed in constant memory.

Rows are read with a server-side iterator in chunks and written out as they come, so a
million responses never sit in memory at once. Every text cell that a spreadsheet would take
for a formula (starting with = + - @, a tab or a carriage return) is prefixed with an
apostrophe, so an exported comment can never run in the analyst's spreadsheet.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from voxloop.analytics import raw_counts, selectors
from voxloop.analytics.selectors import Context
from voxloop.surveys.selectors import text_question_keys
from voxloop.tenancy.scoping import Capability

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000
RESPONSE_HEADER = [
    "id",
    "submitted_at",
    "survey",
    "unit_code",
    "unit",
    "staff",
    "channel",
    "locale",
    "nps",
    "nps_group",
    "csat",
    "ces",
    "comment",
    "answers",
]
AGGREGATE_HEADER = ["key", "label", "n", "value", "low", "high", "low_sample", "suppressed"]


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet should store it: text that looks like a formula stays text."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def response_rows(ctx: Context) -> Iterator[list[Any]]:
    """The responses of the dashboard's scope and filters, one list per row, lazily."""
    ctx.scope.require(Capability.EXPORT)
    comment_keys = text_question_keys(ctx.survey_ids)
    columns = (
        "id",
        "submitted_at",
        "survey_id",
        "survey__name",
        "unit__code",
        "unit__name",
        "staff__name",
        "channel",
        "locale",
        "nps",
        "nps_group",
        "csat",
        "ces",
        "answers",
    )
    rows = raw_counts.responses(ctx).order_by("submitted_at", "id").values_list(*columns)
    for (
        pk,
        at,
        survey_id,
        survey,
        unit_code,
        unit,
        staff,
        channel,
        locale,
        nps,
        group,
        csat,
        ces,
        answers,
    ) in rows.iterator(chunk_size=CHUNK):
        if ctx.anonymous:
            unit_code = unit = staff = ""  # an employee's unit would name them in a small team
        comment = next((answers[k] for k in comment_keys.get(survey_id, ()) if answers.get(k)), "")
        yield [
            pk,
            at.isoformat(),
            survey,
            unit_code,
            unit,
            staff,
            channel,
            locale,
            nps,
            group,
            csat,
            ces,
            comment,
            json.dumps(answers, ensure_ascii=False),
        ]


def aggregate_rows(ctx: Context, by: str) -> Iterator[list[Any]]:
    ctx.scope.require(Capability.VIEW)
    for row in selectors.by_dimension(ctx, by):
        yield [row.get(k) for k in AGGREGATE_HEADER]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text piece by piece (UTF-8 with a BOM so spreadsheets read the accents)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])


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
