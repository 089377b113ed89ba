"""A node's own responses in the facets kept at its ancestors only, read from the ledger.

The rows of `BELOW_FACETS` (hour, language, score, hour of the week) at a node hold the
responses of the units below it; what was answered at the unit itself is read here, from its
ledger entries (`Counted`, one per response, decision 0059). A store has only its own: about
1,000 entries a year through the `counted_unit_days` index, where its rows were about four
per response. A region or the company usually has none, and this is one empty index probe.

Keys come in the rollup rows' shapes (`value` the facet's text, `day` a date, `weekday`
ISO, Monday 1), so the selectors add these counts to the rows' without converting anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractIsoWeekDay

from voxloop.analytics import raw_counts
from voxloop.analytics.metrics import COUNT_FIELDS, Counts
from voxloop.analytics.models import BELOW_FACETS, Counted, Facet

if TYPE_CHECKING:
    from voxloop.analytics.selectors import Context

# What the ledger entries add to each counter (metrics.Counts.of_scores, summed).
LEDGER_SUMS = {
    **raw_counts.score_aggregates("response_id"),
    "comments": Count("response_id", filter=Q(comment=True)),
}
assert tuple(LEDGER_SUMS) == COUNT_FIELDS
# The ledger column each facet's `value` is.
_VALUE: dict[str, str] = {Facet.HOUR: "hour", Facet.LOCALE: "locale", Facet.SCORE: "nps"}
_GROUPS = {"day": F("day"), "weekday": ExtractIsoWeekDay("day")}


def grouped(ctx: Context, facet: str, *by: str) -> dict[Any, Counts]:
    """The node's own responses in the context's period grouped as `_grouped` groups rollup
    rows of `facet`: by "value" (its text), "day" or "weekday"."""
    assert facet in BELOW_FACETS and facet != Facet.WEEK_HOUR_MONTH, facet
    f = ctx.filters
    entries = Counted.objects.filter(
        organization_id=ctx.scope.organization_id,
        unit_path=ctx.node.path,
        day__gte=f.start,
        day__lte=f.end,
        survey_id__in=ctx.survey_ids,
    )
    if f.channel:
        entries = entries.filter(channel=f.channel)
    if f.origin:
        entries = entries.filter(origin=f.origin)
    column = _VALUE[facet]
    entries = entries.exclude(**{f"{column}__isnull": True})
    names = {name: (F(column) if name == "value" else _GROUPS[name]) for name in by}
    out: dict[Any, Counts] = {}
    rows = entries.annotate(**{f"g_{n}": e for n, e in names.items()})
    for row in rows.values(*(f"g_{n}" for n in by)).annotate(**LEDGER_SUMS).order_by():
        key = tuple(str(row[f"g_{n}"]) if n == "value" else row[f"g_{n}"] for n in by)
        out[key[0] if len(key) == 1 else key] = Counts.of(row)
    return out


def add(into: dict[Any, Counts], more: dict[Any, Counts]) -> dict[Any, Counts]:
    """`into` with `more`'s counts added key by key."""
    for key, counts in more.items():
        if key in into:
            into[key].add(counts)
        else:
            into[key] = counts
    return into
