"""SLA statistics: time to first action, time to resolve and the share within SLA, overall,
by unit and by assignee, over the cases a reader may see (scoped like the inbox); and the
dashboards' case figures (`case_metrics`, the analytics `case_metrics` hook's provider)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Q, QuerySet, Sum
from django.utils import timezone

from voxloop.analytics import metrics
from voxloop.analytics.hooks import DashboardFilters
from voxloop.closedloop import resolution_times
from voxloop.closedloop.models import OPEN_STATUSES, Case
from voxloop.closedloop.selectors import only_own_cases, readable_cases
from voxloop.contacts import selectors as contact_selectors
from voxloop.responses import selectors as response_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import subtree_q
from voxloop.tenancy.scoping import Scope


@dataclass
class SlaFigures:
    label: str
    key: int | None = None
    cases: int = 0
    open: int = 0
    overdue: int = 0
    first_action_hours: list[float] = field(default_factory=list, repr=False)
    resolve_hours: list[float] = field(default_factory=list, repr=False)
    within: int = 0
    decided: int = 0  # resolved, or still open past due: cases whose SLA outcome is known

    @property
    def median_first_action_hours(self) -> float | None:
        return (
            round(statistics.median(self.first_action_hours), 1)
            if self.first_action_hours
            else None
        )

    @property
    def median_resolve_hours(self) -> float | None:
        return round(statistics.median(self.resolve_hours), 1) if self.resolve_hours else None

    @property
    def within_sla_pct(self) -> float | None:
        return round(100 * self.within / self.decided, 1) if self.decided else None

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "id": self.key,
            "cases": self.cases,
            "open": self.open,
            "overdue": self.overdue,
            "median_first_action_hours": self.median_first_action_hours,
            "median_resolve_hours": self.median_resolve_hours,
            "within_sla_pct": self.within_sla_pct,
            "decided": self.decided,
        }

    def add(self, case: Case, now: datetime) -> None:
        self.cases += 1
        if case.first_action_at:
            self.first_action_hours.append(_hours(case.first_action_at - case.created_at))
        if case.resolved_at:
            self.resolve_hours.append(_hours(case.resolved_at - case.created_at))
            self.decided += 1
            self.within += case.resolved_at <= case.due_at
        elif case.status in OPEN_STATUSES:
            self.open += 1
            if case.due_at < now:
                self.overdue += 1
                self.decided += 1


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def sla_statistics(
    scope: Scope,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """{"total": {...}, "units": [...], "assignees": [...]} for cases opened in the period."""
    now = now or timezone.now()
    cases = readable_cases(scope).select_related("unit", "assignee")
    if since:
        cases = cases.filter(created_at__gte=since)
    if until:
        cases = cases.filter(created_at__lt=until)
    total = SlaFigures("total")
    units: dict[int, SlaFigures] = {}
    people: dict[int | None, SlaFigures] = {}
    for case in cases.iterator(chunk_size=2000):
        total.add(case, now)
        units.setdefault(case.unit_id, SlaFigures(case.unit.name, case.unit_id)).add(case, now)
        label = case.assignee.get_username() if case.assignee is not None else "—"
        people.setdefault(case.assignee_id, SlaFigures(label, case.assignee_id)).add(case, now)
    order = lambda f: (-f.cases, f.label)  # noqa: E731
    return {
        "total": total.as_dict(),
        "units": [f.as_dict() for f in sorted(units.values(), key=order)],
        "assignees": [f.as_dict() for f in sorted(people.values(), key=order)],
    }


# --- the dashboards' case figures ------------------------------------------------------------


def _cases_for(scope: Scope, filters: DashboardFilters) -> QuerySet[Case]:
    """The cases a reader may read (agents: their own), narrowed to the dashboard's unit, its
    segment (the case's contact) and, through the responses behind them, its survey and
    channel."""
    cases = readable_cases(scope)
    if filters.unit_id:
        unit = tenancy_selectors.unit(scope, filters.unit_id)
        cases = cases.filter(subtree_q(unit.path, "unit_path"))
    if filters.survey_id or filters.channel:
        responses = response_selectors.visible_responses(scope, survey_id=filters.survey_id)
        if filters.channel:
            responses = responses.filter(channel=filters.channel)
        cases = cases.filter(response_id__in=responses.values("pk"))
    if filters.segment_id:
        members = contact_selectors.segment_member_ids(scope, filters.segment_id)
        cases = cases.filter(contact_id__in=members)
    return cases


class _PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont: linear between the two nearest ranks, as
    `metrics.percentile`."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float) -> None:
        super().__init__(expression, fraction=fraction)


@dataclass(frozen=True)
class Resolved:
    """The cases resolved in a period: how many, how many by their due time, the sum and sum
    of squares of their resolution hours, and the median and p90 of those hours."""

    n: int = 0
    met: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    median: float | None = None
    p90: float | None = None
    opened: int = 0  # cases opened in the period, when read with them (the kept histogram)


def _resolved(cases: QuerySet[Case], period: DashboardFilters) -> Resolved:
    """The resolved cases of the period, one index range (`case_org_resolved`). On
    PostgreSQL the database sums and orders them (no row leaves it); elsewhere the hours
    are read and worked out here."""
    low, high = period.bounds()
    rows = cases.filter(resolved_at__gte=low, resolved_at__lt=high, resolved_at__isnull=False)
    if connection.vendor == "postgresql":
        hours = Func(
            F("resolved_at") - F("created_at"),
            template="(EXTRACT(EPOCH FROM %(expressions)s)::float8 / 3600)",
            output_field=FloatField(),
        )
        found = rows.annotate(h=hours).aggregate(
            n=Count("pk"),
            met=Count("pk", filter=Q(resolved_at__lte=F("due_at"))),
            total=Sum("h"),
            total_sq=Sum(F("h") * F("h")),
            median=_PercentileCont("h", 0.5),
            p90=_PercentileCont("h", 0.9),
        )
        return Resolved(
            found["n"],
            found["met"],
            found["total"] or 0.0,
            found["total_sq"] or 0.0,
            found["median"],
            found["p90"],
        )
    hours_of: list[float] = []
    met = 0
    read = rows.values_list("created_at", "resolved_at", "due_at")
    for created, resolved, due in read.iterator(chunk_size=5000):
        if resolved is None:  # excluded by the filter; the column is nullable
            continue
        hours_of.append(_hours(resolved - created))
        met += resolved <= due
    return Resolved(
        len(hours_of),
        met,
        sum(hours_of),
        sum(h * h for h in hours_of),
        metrics.percentile(hours_of, 50),
        metrics.percentile(hours_of, 90),
    )


def _counted_node(scope: Scope, filters: DashboardFilters) -> str | None:
    """The unit whose kept resolution times (`ResolutionBin`) answer the dashboard: its
    subtree's cases are exactly what the reader sees. None when they are not (an agent sees
    only their own cases; a survey, channel or segment narrows the cases to some responses):
    then the cases themselves are read."""
    if only_own_cases(scope) or filters.survey_id or filters.channel or filters.segment_id:
        return None
    if filters.unit_id:
        return tenancy_selectors.unit(scope, filters.unit_id).path
    return scope.unit_path


def _from_bins(organization_id: int, node: str, period: DashboardFilters) -> Resolved:
    found = resolution_times.histogram(organization_id, node, period)
    return Resolved(
        found.n,
        found.met,
        found.total,
        found.total_sq,
        found.percentile(50),
        found.percentile(90),
        found.opened,
    )


def case_metrics(
    scope: Scope, filters: DashboardFilters, now: datetime | None = None
) -> dict[str, Any]:
    """Opened, resolved, open and overdue cases, resolution time (median, mean with its
    interval, p90) and SLA compliance (cases resolved in the period that were resolved by their
    due time, with a Wilson interval), each against the previous period of the same length.

    `filters` is the analytics dashboard's (period, survey, unit, channel, min_n). Raises
    Forbidden for a role without cases (a viewer): the dashboards then leave the panel out."""
    now = now or timezone.now()
    cases = _cases_for(scope, filters)
    low, high = filters.bounds()
    # Open and overdue among the open ones by `case_org_path` (a backlog, not a history);
    # opened and resolved from the kept histogram (decision 0058) or, where the reader's
    # cases are not a subtree's, each its own index range (`case_org_created`, `_resolved`).
    counts = cases.filter(status__in=OPEN_STATUSES, created_at__lt=high).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))
    )
    before = filters.previous()
    node = _counted_node(scope, filters)
    if node is None:
        opened = cases.filter(created_at__gte=low, created_at__lt=high).count()
        now_r, before_r = _resolved(cases, filters), _resolved(cases, before)
    else:
        now_r = _from_bins(scope.organization_id, node, filters)
        before_r = _from_bins(scope.organization_id, node, before)
        opened = now_r.opened
    min_n = filters.min_n
    mean_now = _mean_hours(now_r, min_n)
    mean_before = _mean_hours(before_r, min_n)
    sla_now = metrics.proportion("sla_compliance", now_r.met, now_r.n, min_n)
    sla_before = metrics.proportion("sla_compliance", before_r.met, before_r.n, min_n)
    return {
        "opened": opened,
        "resolved": now_r.n,
        "open": counts["open"],
        "overdue": counts["overdue"],
        "resolution_hours": {
            "n": now_r.n,
            "median": _round(now_r.median),
            "mean": _round(mean_now.value),
            "p90": _round(now_r.p90),
            "low_sample": mean_now.low_sample,
            # Median and p90 from the kept histogram: within this many percent (or a minute).
            "within_pct": None if node is None else resolution_times.BOUND_PCT,
        },
        "resolution_time": mean_now.as_dict(),
        "resolution_time_change": _change(
            metrics.mean_change(mean_now, mean_before), now_r.n, before_r.n, min_n
        ).as_dict(),
        "sla_compliance": sla_now.as_dict(),
        "sla_met": now_r.met,
        "sla_compliance_change": _change(
            metrics.proportion_change(now_r.met, now_r.n, before_r.met, before_r.n),
            now_r.n,
            before_r.n,
            min_n,
        ).as_dict(),
        "previous": {
            "resolved": before_r.n,
            "sla_met": before_r.met,
            "sla_compliance": sla_before.as_dict(),
            "resolution_time": mean_before.as_dict(),
        },
    }


def _change(tested: metrics.Change, n_now: int, n_before: int, min_n: int) -> metrics.Change:
    """The dashboards' rule: a change needs the minimum n of resolved cases on both sides,
    else no comparison and why (a period with 2 resolved cases says nothing about a trend)."""
    if n_now == 0 or n_before == 0:
        return metrics.no_comparison(metrics.NO_DATA)
    if n_now < min_n or n_before < min_n:
        return metrics.no_comparison(metrics.LOW_SAMPLE)
    return tested


def _mean_hours(resolved: Resolved, min_n: int) -> metrics.Figure:
    figure = metrics.mean("resolution_time", resolved.total, resolved.total_sq, resolved.n, min_n)
    # A duration is never negative: a wide normal interval is cut at zero.
    if figure.low is not None and figure.low < 0:
        figure = replace(figure, low=0.0)
    return figure


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
