"""Counts straight from the responses, for what the rollups do not carry: a segment of
contacts. They come in the same shapes as the rollup reads (a total, counts by day, by hour,
by staff, by language, by child unit), so every panel of a dashboard honours the filter.

Filters by what a comment says (sentiment, theme) are read here too.

The rollups stay the fast path; a segment costs one indexed scan of the scope's responses in
the period, joined to the segment's members.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from voxloop.analytics.filters import Filters
from voxloop.analytics.metrics import Counts
from voxloop.analytics.models import Facet
from voxloop.responses import selectors as response_selectors
from voxloop.surveys.selectors import text_question_keys
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH, OrgUnit

if TYPE_CHECKING:
    from voxloop.analytics.selectors import Context


def score_aggregates(pk: str = "id") -> dict[str, Any]:
    """The counters of `metrics.Counts` but comments, as aggregates over rows carrying the
    scores (responses, or ledger entries keyed by `response_id`)."""
    return {
        "n": Count(pk),
        "nps_n": Count("nps"),
        "promoters": Count(pk, filter=Q(nps__gte=9)),
        "passives": Count(pk, filter=Q(nps__gte=7, nps__lte=8)),
        "detractors": Count(pk, filter=Q(nps__lte=6)),
        "csat_n": Count("csat"),
        "csat_sum": Sum("csat"),
        "csat_sq": Sum(F("csat") * F("csat")),
        "csat_top2": Count(pk, filter=Q(csat__gte=4)),
        "ces_n": Count("ces"),
        "ces_sum": Sum("ces"),
        "ces_sq": Sum(F("ces") * F("ces")),
        "ces_agree": Count(pk, filter=Q(ces__gte=5)),
    }


SCORE_AGGREGATES = score_aggregates()


def responses(
    ctx: Context, period: Filters | None = None, under: OrgUnit | None = None, shown: bool = False
) -> QuerySet:
    """The complete responses the dashboard counts: scope, unit (or `under`), period, surveys,
    channel, origin and segment. `shown`: rows that will be shown one by one (comments), which
    only roles reading records may have."""
    f = period or ctx.filters
    since, until = f.bounds()
    node = under or ctx.node
    unit = node if node.pk != ctx.scope.unit_id else None
    read = response_selectors.visible_responses if shown else response_selectors.counted_responses
    rows = read(ctx.scope, unit=unit, since=since, until=until)
    rows = rows.filter(survey_id__in=ctx.survey_ids, is_complete=True)
    if f.channel:
        rows = rows.filter(channel=f.channel)
    if f.origin:
        rows = rows.filter(origin=f.origin)
    if ctx.segment_members is not None:
        rows = rows.filter(contact_id__in=ctx.segment_members)
    if ctx.narrowed is not None:
        rows = rows.filter(pk__in=ctx.narrowed)
    return rows


def _aggregates(ctx: Context) -> dict[str, Any]:
    keys = sorted({k for ks in text_question_keys(ctx.survey_ids).values() for k in ks})
    if not keys:
        return SCORE_AGGREGATES
    return {**SCORE_AGGREGATES, "comments": Count("id", filter=Q(answers__has_any_keys=keys))}


def total(ctx: Context, period: Filters | None = None) -> Counts:
    return Counts.of(responses(ctx, period).aggregate(**_aggregates(ctx)))


def total_among(ctx: Context, contact_ids: QuerySet) -> Counts:
    """The period's counts of these contacts' responses (a persona's, a tier's)."""
    rows = responses(ctx).filter(contact_id__in=contact_ids)
    return Counts.of(rows.aggregate(**_aggregates(ctx)))


def grouped(ctx: Context, facet: str, *by: str) -> dict[Any, Counts]:
    """Counts keyed like the rollup rows: `day` a date, `value` the facet's text value; days
    and hours in the viewed unit's time zone (in a scope spanning zones, an approximation of
    the rollups' each-answer-in-its-own-zone)."""
    zone = ctx.filters.zone
    tz = ZoneInfo(zone) if zone else timezone.get_current_timezone()
    rows = responses(ctx)
    names = []
    for name in by:
        if name == "day":
            rows = rows.annotate(g_day=TruncDate("submitted_at", tzinfo=tz))
            names.append("g_day")
        elif name == "value":
            column = _facet_column(facet, tz)
            rows = rows.annotate(g_value=column).exclude(g_value__isnull=True)
            names.append("g_value")
        else:
            names.append(name)
    out = {}
    for row in rows.values(*names).annotate(**_aggregates(ctx)).order_by():
        key = tuple(str(row[n]) if n == "g_value" else row[n] for n in names)
        out[key[0] if len(key) == 1 else key] = Counts.of(row)
    return out


def _facet_column(facet: str, tz: tzinfo) -> ExtractHour | F:
    if facet == Facet.HOUR:
        return ExtractHour("submitted_at", tzinfo=tz)
    if facet == Facet.STAFF:
        return F("staff_id")
    if facet == Facet.LOCALE:
        return F("locale")
    raise ValueError(facet)


def children(ctx: Context, parent: OrgUnit) -> dict[str, Counts]:
    """Counts per direct child of `parent`, keyed by the child's path (as the rollups are)."""
    width = len(parent.path) + PATH_SEGMENT_WIDTH
    out: dict[str, Counts] = {}
    rows = responses(ctx, under=parent).exclude(unit_path=parent.path)
    for row in rows.values("unit_path").annotate(**_aggregates(ctx)).order_by():
        out.setdefault(row["unit_path"][:width], Counts()).add(Counts.of(row))
    return out
