"""Reviews from a file: CSV, XLSX or JSON (a list of objects, or {"reviews": [...]}), for any
site without a connector or an export a vendor gives.

Columns (case-insensitive; only id, location, rating and date are required):
`id`, `location`, `rating`, `scale` (the rating's maximum, 5 unless given; 10 and 100 are
common), `date` (ISO 8601), `edited`, `author`, `title`, `text`, `language`, `reply`,
`reply_date`, `url`, `removed` (yes/true/1). A row that cannot be read is reported by its line
and field, and the rest are still imported."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from voxloop.reviews.connectors.base import Fetched, parse_time, stars
from voxloop.uploads import BadFile, open_zip, text_of

REQUIRED = ("id", "location", "rating", "date")
ALIASES = {
    "external_id": "id",
    "review_id": "id",
    "location_id": "location",
    "stars": "rating",
    "posted_at": "date",
    "created": "date",
    "edited_at": "edited",
    "author_name": "author",
    "body": "text",
    "comment": "text",
    "reply_text": "reply",
    "reply_at": "reply_date",
}
MAX_ROWS = 200_000
TRUE = {"1", "yes", "true", "y", "x", "removed"}


@dataclass
class RowProblem:
    line: int
    field: str
    message: str


def _key(name: Any) -> str:
    key = str(name or "").strip().lower().replace(" ", "_")
    return ALIASES.get(key, key)


def records(name: str, data: bytes) -> Iterator[dict[str, Any]]:
    """The file's rows as {column: value}, by its extension (or its first character)."""
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        yield from _xlsx(data)
        return
    text = text_of(data)
    if lowered.endswith(".json") or text.lstrip()[:1] in ("[", "{"):
        yield from _json(text)
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        yield {_key(k): v for k, v in row.items() if k is not None}


def _json(text: str) -> Iterator[dict[str, Any]]:
    try:
        body = json.loads(text)
    except ValueError as error:
        raise BadFile(f"The file is not valid JSON ({error}).", "file") from None
    rows = body.get("reviews") if isinstance(body, dict) else body
    if not isinstance(rows, list):
        raise BadFile('A JSON file holds a list of reviews, or {"reviews": [...]}.', "file")
    for row in rows:
        yield {_key(k): v for k, v in row.items()} if isinstance(row, dict) else {}


def _xlsx(data: bytes) -> Iterator[dict[str, Any]]:
    from openpyxl import load_workbook

    open_zip(data, "workbook")  # bounds first: a zip bomb is refused before openpyxl opens it
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise BadFile("The workbook cannot be read.", "file") from None
    rows = sheet.iter_rows(values_only=True)
    header = [_key(cell) for cell in next(rows, ())]
    for values in rows:
        if any(v not in (None, "") for v in values):
            yield dict(zip(header, values, strict=False))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _time(value: Any) -> datetime | None:
    if hasattr(value, "isoformat") and not isinstance(value, str):
        value = value.isoformat()  # openpyxl gives datetimes
    return parse_time(_text(value))


def reviews_in(name: str, data: bytes) -> tuple[list[Fetched], list[RowProblem]]:
    """Every readable row as a review, and what was wrong with the others."""
    found: list[Fetched] = []
    problems: list[RowProblem] = []
    for line, row in enumerate(records(name, data), start=2):
        if line - 1 > MAX_ROWS:
            raise BadFile(f"A file holds at most {MAX_ROWS} reviews.", "file")
        missing = [f for f in REQUIRED if not _text(row.get(f))]
        if missing:
            problems.append(RowProblem(line, missing[0], "required"))
            continue
        try:
            scale = float(_text(row.get("scale")) or 5)
            rating = stars(float(_text(row["rating"])), 1 if scale <= 10 else 0, scale)
        except ValueError:
            problems.append(RowProblem(line, "rating", "not a number on the scale"))
            continue
        posted = _time(row["date"])
        if posted is None:
            problems.append(RowProblem(line, "date", "not an ISO 8601 date"))
            continue
        found.append(
            Fetched(
                external_id=_text(row["id"])[:300],
                location_id=_text(row["location"]),
                rating=rating,
                posted_at=posted,
                edited_at=_time(row.get("edited")),
                author_name=_text(row.get("author"))[:200],
                title=_text(row.get("title"))[:500],
                text=_text(row.get("text")),
                language=_text(row.get("language"))[:12],
                reply_text=_text(row.get("reply")),
                reply_at=_time(row.get("reply_date")),
                url=_text(row.get("url"))[:1000],
                removed=_text(row.get("removed")).lower() in TRUE,
            )
        )
    return found, problems
