"""SLA statistics: time to first action, time to resolve and the share within SLA, overall,
by unit and by assignee, over the cases a reader may see (scoped like the inbox)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from voxloop.closedloop.models import OPEN_STATUSES
from voxloop.closedloop.selectors import readable_cases


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

    def add(self, case, now: datetime) -> None:
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


def _hours(delta) -> float:
    return delta.total_seconds() / 3600


def sla_statistics(
    scope, since: datetime | None = None, until: datetime | None = None, now=None
) -> dict:
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
        label = case.assignee.get_username() if case.assignee_id else "—"
        people.setdefault(case.assignee_id, SlaFigures(label, case.assignee_id)).add(case, now)
    order = lambda f: (-f.cases, f.label)  # noqa: E731
    return {
        "total": total.as_dict(),
        "units": [f.as_dict() for f in sorted(units.values(), key=order)],
        "assignees": [f.as_dict() for f in sorted(people.values(), key=order)],
    }
