"""The rows of the exports of responses and aggregates, produced lazily.

Rows are read with a server-side iterator in chunks and written out as they come (by
`voxloop.spreadsheets`, which also keeps formula-like text as text), so a million responses
never sit in memory at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from voxloop.analytics import raw_counts, selectors
from voxloop.analytics.selectors import Context
from voxloop.privacy.redaction import mask_answers
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
    respondents wrote is masked (emails, phones, cards, ids) unless an admin exports."""
    ctx.scope.require(Capability.EXPORT)
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
        if ctx.anonymous:
            unit_code = unit = staff = ""  # an employee's unit would name them in a small team
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


def aggregate_rows(ctx: Context, by: str) -> Iterator[list[Any]]:
    ctx.scope.require(Capability.VIEW)
    for row in selectors.by_dimension(ctx, by):
        yield [row.get(k) for k in AGGREGATE_HEADER]
