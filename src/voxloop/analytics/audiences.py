"""The "By persona" and "By tier" breakdowns: the dashboard's metric for each persona or
service tier (the health app's `audience_groups` hook: segments with a kind), counted from
the responses the dashboard counts (scope, unit, period, filters) of the segment's members.

One bounded aggregate per persona or tier, at most MAX_GROUPS of each kind. Segments may
overlap (a contact can be a persona and in a tier), so no row is tested against "the rest".
"""

from __future__ import annotations

from typing import Any

from voxloop.analytics import hooks, raw_counts, selectors
from voxloop.contacts import selectors as contact_selectors

KINDS = ("persona", "tier")
MAX_GROUPS = 12


def groups_of(ctx: selectors.Context, kind: str) -> list[tuple[int, str]] | None:
    """The (segment_id, name) of the kind's audiences the reader may see; None when none."""
    for group in hooks.call("audience_groups", ctx.scope) or []:
        if getattr(group, "kind", "") == kind:
            return list(group[1])[:MAX_GROUPS]
    return None


def by_audience(ctx: selectors.Context, kind: str) -> list[dict[str, Any]] | None:
    """One row per persona or tier: key (segment id), label and the metric's figure with its
    interval, n and low-sample mark; None when the organisation has none of the kind."""
    selectors.refuse_for_anonymous(ctx, kind)
    found = groups_of(ctx, kind)
    if found is None:
        return None
    rows = []
    for segment_id, name in found:
        members = contact_selectors.segment_member_ids(ctx.scope, segment_id)
        counts = raw_counts.total_among(ctx, members)
        rows.append({"key": segment_id, "label": name, **selectors.cell(ctx, counts)})
    return rows
