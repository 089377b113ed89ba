"""Did it work? NPS before and after an action plan started, each with its 95% interval.

The figures and the test are the analytics engine's (`analytics.metrics`, as DESIGN.md
defines them): the dashboards and the action plans must never disagree about a change.
"""

from __future__ import annotations

from dataclasses import dataclass

from voxloop.analytics import metrics
from voxloop.analytics.metrics import Figure


@dataclass(frozen=True)
class NpsChange:
    before: Figure
    after: Figure
    delta: float | None
    z: float | None
    p_value: float | None
    significant: bool


def nps_estimate(promoters: int, passives: int, detractors: int) -> Figure:
    return metrics.nps(promoters, passives, detractors)


def nps_change(before: Figure, after: Figure) -> NpsChange:
    change = metrics.nps_change(after, before)
    return NpsChange(before, after, change.delta, change.z, change.p_value, change.significant)
