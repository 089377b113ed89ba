"""What an anonymous survey's figures may show (decision 0016).

The unit of anonymity is a *cycle*: one calendar month of one survey, in which each person
answers at most once (a personal link gives its person one answer per month; see
`voxloop.responses.anonymity`). In a cycle a group's response count is its number of people,
so the floor can be checked on rollup counts; across cycles counts do not add up to people,
which is why every check is made month by month and a figure spanning several months is shown
only if each of its months may show it.

For each cycle, `blocking.hidden_nodes` decides which nodes of the unit tree stay hidden. The
answer is kept per cycle (`AnonymityCycle`, `HiddenNode`) and worked out again only after the
cycle's rollups change, so a dashboard reads a few rows instead of the whole tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from voxloop.analytics import blocking
from voxloop.analytics.filters import Filters, add_months
from voxloop.analytics.metrics import EMPLOYEE_MIN_GROUP
from voxloop.analytics.models import AnonymityCycle, Facet, HiddenNode, Rollup
from voxloop.errors import InvalidInput
from voxloop.surveys.models import ANONYMOUS_KINDS
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH

FLOOR = EMPLOYEE_MIN_GROUP
Cycle = tuple[int, date]  # (survey id, first day of the month)
# What an anonymous survey's figures are broken down by. Never by the time of day or week, the
# channel or the language (each says who answered), nor by staff (answers keep none).
DIMENSIONS = ("unit", "survey", "month", "quarter")


def read_filters(filters: Filters) -> Filters:
    """An anonymous survey's filters: whole closed months, no channel, no count of comments."""
    if filters.channel:
        raise InvalidInput("Anonymous survey results are not split by channel.", field="channel")
    if filters.metric == "comments":
        raise InvalidInput("Anonymous survey results do not count comments.", field="metric")
    return filters.in_whole_months()


def refuse_breakdown(dimension: str, field: str = "by") -> None:
    if dimension not in DIMENSIONS:
        raise InvalidInput(
            f"Anonymous survey results are not broken down by {dimension[:40]}: it could "
            "tell who answered.",
            field=field,
        )


class Release:
    """Which nodes may show which cycles, for one organisation's surveys and months."""

    def __init__(self, fresh: dict[Cycle, set[str]], stored: dict[Cycle, int]) -> None:
        self._fresh = fresh  # cycles worked out in this request: every hidden node
        self._stored = stored  # the other cycles with answers: their row, read on demand
        self._hidden_at: dict[str, set[Cycle]] = {}
        self._cycle_of = {pk: cycle for cycle, pk in stored.items()}

    def prefetch(self, paths: Iterable[str]) -> None:
        """Read at once whether each of these nodes is hidden in any stored cycle."""
        wanted = [p for p in set(paths) if p not in self._hidden_at]
        if not wanted:
            return
        for path in wanted:
            self._hidden_at[path] = set()
        if self._stored:
            rows = HiddenNode.objects.filter(
                cycle_id__in=list(self._stored.values()), node_path__in=wanted
            ).values_list("cycle_id", "node_path")
            for cycle_id, path in rows:
                self._hidden_at[path].add(self._cycle_of[cycle_id])

    def shows(self, path: str, survey_ids: Iterable[int], months: Iterable[date]) -> bool:
        """Whether the node's figures over these surveys and months may be shown: in each of
        those cycles its subtree is a union of whole blocks."""
        self.prefetch([path])
        hidden_stored = self._hidden_at[path]
        for survey_id in survey_ids:
            for month in months:
                cycle = (survey_id, month)
                if cycle in self._fresh:
                    if path in self._fresh[cycle]:
                        return False
                elif cycle in hidden_stored:
                    return False
        return True


def release(
    organization_id: int, root_path: str, survey_ids: Iterable[int], months: Iterable[date]
) -> Release:
    """The release for these surveys and months of the organisation whose root unit has this
    path: cycles whose rollups changed since they were last worked out are worked out again
    now (and kept for the next reader)."""
    surveys, wanted = list(survey_ids), list(months)
    if not surveys or not wanted:
        return Release({}, {})
    cycles = AnonymityCycle.objects.filter(
        organization_id=organization_id, survey_id__in=surveys, month__in=wanted
    )
    rows = list(cycles)
    seen = {(r.survey_id, r.month) for r in rows}
    if _mark_unseen(organization_id, root_path, surveys, wanted, seen):
        rows = list(cycles.all())  # read again: the first list is cached
    fresh: dict[Cycle, set[str]] = {}
    stored: dict[Cycle, int] = {}
    for row in rows:
        key = (row.survey_id, row.month)
        if row.computed == row.version:
            stored[key] = row.pk
        else:
            fresh[key] = _work_out(row)
    return Release(fresh, stored)


def _subtotals(row: AnonymityCycle) -> dict[str, tuple[int, ...]]:
    # Annotated by name at run time, so read as plain mappings.
    rows: Iterable[Mapping[str, Any]] = (
        Rollup.objects.filter(
            organization_id=row.organization_id,
            survey_id=row.survey_id,
            facet=Facet.TOTAL,
            day__gte=row.month,
            day__lt=add_months(row.month, 1),
        )
        .values("node_path")
        .annotate(**{name: Sum(name) for name in blocking.SAFETY_FIELDS})
        .order_by()
    )
    return {r["node_path"]: tuple(int(r[f] or 0) for f in blocking.SAFETY_FIELDS) for r in rows}


def _work_out(row: AnonymityCycle) -> set[str]:
    """Hidden nodes of one cycle from its rollups now; kept unless the cycle changed again
    meanwhile (its version was read before the rollups, so a change is never missed)."""
    version = row.version
    subtotals = _subtotals(row)
    hidden = blocking.hidden_nodes(subtotals, FLOOR, PATH_SEGMENT_WIDTH) if subtotals else set()
    with transaction.atomic():
        kept = AnonymityCycle.objects.filter(pk=row.pk, version=version).update(computed=version)
        if kept:
            HiddenNode.objects.filter(cycle_id=row.pk).delete()
            HiddenNode.objects.bulk_create(
                [HiddenNode(cycle_id=row.pk, node_path=p) for p in sorted(hidden)],
                ignore_conflicts=True,
            )
    return hidden


def _mark_unseen(
    organization_id: int, root_path: str, surveys: list[int], months: list[date], seen: set
) -> bool:
    """A month with answers but no cycle row (rollups written some other way than the
    reconcile, or before decision 0016) is worked out too: never shown as if it had
    nothing to hide. True when rows were added. Reads the root node's rows only."""
    days = (
        Rollup.objects.filter(
            organization_id=organization_id,
            node_path=root_path,
            facet=Facet.TOTAL,
            day__gte=min(months),
            day__lt=add_months(max(months), 1),
            survey_id__in=surveys,
        )
        .values_list("survey_id", "day")
        .distinct()
    )
    unseen = {(s, d.replace(day=1)) for s, d in days if d.replace(day=1) in months} - seen
    AnonymityCycle.objects.bulk_create(
        [
            AnonymityCycle(organization_id=organization_id, survey_id=s, month=m, version=1)
            for s, m in sorted(unseen)
        ],
        ignore_conflicts=True,
    )
    return bool(unseen)


def work_out_stale(today: date | None = None, limit: int = 200) -> int:
    """Work out the closed months of anonymous surveys whose rollups changed, ahead of their
    first reader (a month of a 10,000-unit organisation takes a few hundred ms)."""
    this_month = (today or timezone.localdate()).replace(day=1)
    stale = (
        AnonymityCycle.objects.filter(month__lt=this_month, survey__kind__in=ANONYMOUS_KINDS)
        .exclude(computed=F("version"))
        .order_by("-month")[:limit]
    )
    done = 0
    for row in stale:
        _work_out(row)
        done += 1
    return done
