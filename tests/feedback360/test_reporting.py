"""Which groups a report shows (pure): a group under its floor is never shown on its own,
is pooled with other small groups only when the pool reaches the floor, and no difference
of shown figures gives it back."""

from __future__ import annotations

import itertools

from voxloop.feedback360 import reporting
from voxloop.feedback360.reporting import Sums

FLOORS = {"peer": 3, "report": 3, "customer": 3}


def test_small_groups_are_pooled_or_hidden():
    plan = reporting.plan_groups(
        {"self": 1, "manager": 1, "peer": 2, "customer": 2, "report": 5}, FLOORS
    )
    assert plan.shown == ["self", "manager", "report"] and plan.combined == ["peer", "customer"]
    plan = reporting.plan_groups({"self": 1, "peer": 2, "report": 4}, FLOORS)
    assert plan.combined == [] and plan.hidden == ["peer"] and plan.in_others == ["report"]


def _report(counts: dict[str, int], values: dict[str, int]) -> reporting.Report:
    sums = {
        (g, 1): Sums(n, float(values[g] * n), float(values[g] ** 2 * n))
        for g, n in counts.items()
        if n
    }
    comments = {g: [f"{g} said"] for g, n in counts.items() if n}
    return reporting.build(
        [(1, "Makes decisions")], sums, comments, reporting.plan_groups(counts, FLOORS)
    )


def test_no_difference_of_shown_figures_reveals_a_group_under_its_floor():
    """Every mix of group sizes 0–4: what a report shows does not change with the answers of
    a hidden group, and all others minus the groups shown is the combined group (at or over
    the floor) or nothing."""
    for peer, report, customer in itertools.product(range(5), repeat=3):
        counts = {"self": 1, "manager": 1, "peer": peer, "report": report, "customer": customer}
        plan = reporting.plan_groups(counts, FLOORS)
        low = _report(counts, dict.fromkeys(counts, 1))
        high = _report(counts, dict(dict.fromkeys(counts, 1), **dict.fromkeys(plan.hidden, 5)))
        assert low.rows == high.rows and low.comments == high.comments, counts
        cells = low.rows[0]["cells"]
        separate = sum(cells[g]["n"] for g in plan.shown if g != "self")
        rest = cells.get("others", {"n": 0})["n"] - separate
        assert rest == 0 or rest >= 3, counts
        for group in ("peer", "report", "customer"):
            if 0 < counts[group] < 3:
                assert group not in cells and f"{group} said" not in low.comments.get(group, [])
