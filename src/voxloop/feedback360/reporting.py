"""Which rater groups a 360 report may show, and its figures: pure arithmetic on counts.

Self and manager are shown as such. Each anonymous group (peers, direct reports, customers)
is shown on its own only with at least its floor of answers; the groups under their floor are
pooled as "Others (combined)" when the pool reaches the highest floor among them, otherwise
they are left out of every figure — "All others" included. So anything one can subtract from
the figures shown (all others minus the groups shown) is the combined group or nothing: never
a group under its floor. Decision 0043."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from voxloop.analytics import metrics
from voxloop.feedback360.models import ANONYMOUS_GROUPS, SCALE, Relationship

COMBINED = "combined"
ALL_OTHERS = "others"
NAMED = (Relationship.SELF.value, Relationship.MANAGER.value)
# Below this many answers a figure is marked "low sample" (it is still shown: n is small by
# design in a 360, the interval says how little it tells).
MIN_N = 5


@dataclass(frozen=True)
class GroupPlan:
    shown: list[str]  # groups shown on their own, in order
    combined: list[str]  # anonymous groups under their floor, pooled and shown together
    hidden: list[str]  # under their floor and not poolable: in no figure at all

    @property
    def in_others(self) -> list[str]:
        """The groups "All others" is made of: everyone shown except self."""
        return [g for g in self.shown if g != Relationship.SELF] + self.combined


def plan_groups(counts: Mapping[str, int], floors: Mapping[str, int]) -> GroupPlan:
    shown = [g for g in NAMED if counts.get(g, 0) > 0]
    small: list[str] = []
    for group in (g.value for g in ANONYMOUS_GROUPS):
        n = counts.get(group, 0)
        if n >= floors[group]:
            shown.append(group)
        elif n > 0:
            small.append(group)
    pooled = sum(counts.get(g, 0) for g in small)
    if small and pooled >= max(floors[g] for g in small):
        return GroupPlan(shown, small, [])
    return GroupPlan(shown, [], small)


@dataclass
class Sums:
    """Sums of one group's ratings of one competency."""

    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0

    def add(self, other: Sums) -> None:
        self.n += other.n
        self.total += other.total
        self.total_sq += other.total_sq


def figure(sums: Sums) -> dict:
    f = metrics.mean("f360", sums.total, sums.total_sq, sums.n, MIN_N, scale=SCALE)
    return {
        "value": None if f.value is None else round(f.value, 2),
        "low": None if f.low is None else round(f.low, 2),
        "high": None if f.high is None else round(f.high, 2),
        "n": f.n,
        "low_sample": f.low_sample,
    }


@dataclass
class Report:
    columns: list[str]  # group keys in order: shown groups, "combined", "others"
    rows: list[dict] = field(default_factory=list)  # competency → {"text", "cells": {key: fig}}
    comments: dict[str, list[str]] = field(default_factory=dict)


def build(
    competencies: list[tuple[int, str]],
    sums: Mapping[tuple[str, int], Sums],
    comments: Mapping[str, list[str]],
    plan: GroupPlan,
) -> Report:
    """The report from each group's sums per competency and its comments (already masked)."""
    columns = list(plan.shown) + ([COMBINED] if plan.combined else [])
    if plan.in_others:
        columns.append(ALL_OTHERS)
    report = Report(columns)
    for competency_id, text in competencies:
        cells: dict[str, dict] = {}
        for group in plan.shown:
            cells[group] = figure(sums.get((group, competency_id), Sums()))
        pooled, others = Sums(), Sums()
        for group in plan.combined:
            pooled.add(sums.get((group, competency_id), Sums()))
        for group in plan.in_others:
            others.add(sums.get((group, competency_id), Sums()))
        if plan.combined:
            cells[COMBINED] = figure(pooled)
        if plan.in_others:
            cells[ALL_OTHERS] = figure(others)
        report.rows.append({"id": competency_id, "text": text, "cells": cells})
    for group in plan.shown:
        report.comments[group] = sorted(comments.get(group, []))
    if plan.combined:
        # Sorted, so the order says nothing about which group a comment came from.
        report.comments[COMBINED] = sorted(c for g in plan.combined for c in comments.get(g, []))
    return report
