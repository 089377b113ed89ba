"""Churn rate: of the customers active when the period began, the share who left during it —
with its Wilson interval, the change against the previous period (two-proportion z-test), and
split by the NPS group of their latest answer, which is what makes it a CX figure: do
detractors leave more than promoters?

Counted from the contacts app's status history (contacts and B2B accounts), in the reader's
scope, unit and segment. Shown only once the organisation has recorded any churn: before that
"0%" would only mean nobody tells us.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voxloop.analytics import metrics
from voxloop.analytics.filters import Filters
from voxloop.contacts import selectors as contact_selectors

if TYPE_CHECKING:
    from voxloop.analytics.selectors import Context

KINDS = ("contact", "account")
GROUPS = {
    "promoter": _("Promoters"),
    "passive": _("Passives"),
    "detractor": _("Detractors"),
    "": _("Never answered"),
}


def _counts(ctx: Context, period: Filters, kind: str, by: str = "") -> dict[str, tuple]:
    return contact_selectors.churn_counts(
        ctx.scope,
        *period.bounds(),
        unit_path=ctx.node.path if ctx.node.pk != ctx.scope.unit_id else "",
        segment_id=ctx.filters.segment_id,
        kind=kind,
        by=by,
    )


def churn(ctx: Context, kind: str = "contact") -> dict[str, Any] | None:
    """The churn figure, its change and (for contacts) the split by NPS group; None for
    employee surveys and for organisations that never recorded churn. No change is given
    when the history began after the previous period did: its "no churn" was only silence."""
    began = None if ctx.anonymous else contact_selectors.churn_history_start(ctx.scope)
    if began is None:
        return None
    f, before = ctx.filters, ctx.filters.previous()
    # Contacts: the split by NPS group and its sum from one read of the contacts, not two.
    split = _counts(ctx, f, kind, by="nps_group") if kind == "contact" else {}
    if kind == "contact":
        at_risk = sum(risk for risk, _ in split.values())
        churned = sum(left for _, left in split.values())
    else:
        at_risk, churned = _counts(ctx, f, kind)[""]
    figure = metrics.proportion("churn_rate", churned, at_risk, f.min_n)
    change = metrics.Change(None, None, None, False)
    if timezone.localdate(began) <= before.start:
        before_at_risk, before_churned = _counts(ctx, before, kind)[""]
        change = metrics.proportion_change(churned, at_risk, before_churned, before_at_risk)
    groups = []
    if kind == "contact":
        for key, label in GROUPS.items():
            risk, left = split.get(key, (0, 0))
            if risk:
                figure_of = metrics.proportion("churn_rate", left, risk, f.min_n).as_dict()
                groups.append({"group": key, "label": str(label), "churned": left, **figure_of})
    return {
        "kind": kind,
        "churned": churned,
        "figure": figure.as_dict(),
        "change": change.as_dict(),
        "by_nps_group": groups,
    }


def kpi_card(result: dict[str, Any]) -> dict[str, Any]:
    """The churn figure as one of the KPI cards (dashboards, digests)."""
    return {"metric": "churn_rate", "figure": result["figure"], "change": result["change"]}
