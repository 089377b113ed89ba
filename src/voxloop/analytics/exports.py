"""The rows of the exports of responses and aggregates, produced lazily.

Rows are read with a server-side iterator in chunks and written out as they come (by
`voxloop.spreadsheets`, which also keeps formula-like text as text), so a million responses
never sit in memory at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from voxloop.analytics import raw_counts, selectors
from voxloop.analytics.filters import add_months
from voxloop.analytics.selectors import Context
from voxloop.errors import InvalidInput
from voxloop.privacy.redaction import mask_answers
from voxloop.responses import selectors as response_selectors
from voxloop.surveys.selectors import text_question_keys
from voxloop.tenancy.scoping import Capability

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
    "origin",  # last, so the columns people's sheets rely on keep their places
]
AGGREGATE_HEADER = ["key", "label", "n", "value", "low", "high", "low_sample", "suppressed"]


def response_rows(ctx: Context) -> Iterator[list[Any]]:
    """The responses of the dashboard's scope and filters, one list per row, lazily; what
    respondents wrote is masked (emails, phones, cards, ids) unless an admin exports. Checked
    before the first row: an anonymous survey's answers are never read by unit."""
    ctx.scope.require(Capability.EXPORT)
    if ctx.anonymous:
        if ctx.node.pk != ctx.scope.unit_id:
            raise InvalidInput(
                "Single answers to an anonymous survey are never read by unit.", field="unit"
            )
        return _anonymous_rows(ctx)
    return _rows(ctx)


def _rows(ctx: Context) -> Iterator[list[Any]]:
    originals = ctx.scope.can(Capability.CONFIGURE)
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
        "origin",
    )
    rows = raw_counts.responses(ctx, shown=True).order_by("submitted_at", "id")
    rows = rows.values_list(*columns)
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
        origin,
    ) in rows.iterator(chunk_size=CHUNK):
        if not originals:
            answers = mask_answers(answers)
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
            origin,
        ]


def released_cycles(ctx: Context) -> list[tuple[int, date]]:
    """The (survey, month) cycles of the period whose single answers the reader's whole scope
    may read: those in which the scope's unit is shown (a union of whole blocks, decision
    0016), so two such readings never differ by a group under the floor."""
    release = ctx.release
    if release is None:
        raise ValueError("the context was built without its release")
    cycles = [(s, m) for s in ctx.survey_ids for m in ctx.filters.months()]
    return [c for c in cycles if release.shows(ctx.node.path, (c[0],), (c[1],))]


def _anonymous_rows(ctx: Context) -> Iterator[list[Any]]:
    """Released cycles only; no id, time, unit, staff, channel, device or language (each
    could tell who answered), only the month; in the order of the answers' random tokens."""
    comment_keys = text_question_keys(ctx.survey_ids)
    originals = ctx.scope.can(Capability.CONFIGURE)
    tz = timezone.get_current_timezone()
    for survey_id, month in released_cycles(ctx):
        since = datetime.combine(month, time.min, tzinfo=tz)
        until = datetime.combine(add_months(month, 1), time.min, tzinfo=tz)
        answers = response_selectors.anonymous_answers(ctx.scope, survey_id, since, until)
        rows = answers.values_list(
            "survey__name", "nps", "nps_group", "csat", "ces", "answers", "origin"
        )
        for survey, nps, group, csat, ces, given, origin in rows.iterator(chunk_size=CHUNK):
            if not originals:
                given = mask_answers(given)
            keys = comment_keys.get(survey_id, ())
            comment = next((given[k] for k in keys if given.get(k)), "")
            yield [
                *("", f"{month:%Y-%m}", survey, "", "", "", "", ""),
                *(nps, group, csat, ces, comment, json.dumps(given, ensure_ascii=False), origin),
            ]


def aggregate_rows(ctx: Context, by: str) -> Iterator[list[Any]]:
    ctx.scope.require(Capability.VIEW)
    for row in selectors.by_dimension(ctx, by):
        yield [row.get(k) for k in AGGREGATE_HEADER]
