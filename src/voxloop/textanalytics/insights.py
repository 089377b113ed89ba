"""Theme impact on NPS and trending themes, by the statistics rules of `analytics.metrics`.

- **Impact**: for each theme (parents counting their children), the NPS of the responses whose
  comment mentions it against the NPS of every other response, each with its 95 % interval,
  the difference tested with `metrics.change` (the dashboard's own test); the share of
  detractors and of promoters who mention it (Wilson intervals, two-proportion test); and the
  points the overall NPS would gain without those responses (NPS of the others − NPS of all).
  A theme is *claimed* only when both groups reach the minimum sample: below it the row says
  how many mentioned it and nothing else — no interval, difference or verdict.
- **Trending**: the share of comments that mention each theme in the period against the
  period before, with the same minimum on both periods' comments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language

from voxloop.analytics import metrics
from voxloop.analytics import selectors as analytics_selectors
from voxloop.analytics.metrics import Counts
from voxloop.textanalytics import figures

if TYPE_CHECKING:
    from voxloop.analytics.selectors import Context

MIN_MENTIONS = 5  # a trend needs at least this many mentions over both periods


def _mentioners(found: figures.Table, parents: dict[int, int | None]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for response_id, themes in found.themes.items():
        if response_id in found.scores:
            for theme_id in figures.rolled_up(themes, parents):
                out.setdefault(theme_id, set()).add(response_id)
    return out


def theme_impact(ctx: Context) -> dict[str, Any]:
    """{"nps": all, "rows": claimed rows, worst first, "too_few": [{theme, name, n}]}."""
    if ctx.anonymous:
        return {"nps": None, "rows": [], "too_few": [], "min_n": ctx.filters.min_n}
    min_n = ctx.filters.min_n
    found = figures.table(ctx, everyone=True)
    everyone = found.everyone
    mentioners = _mentioners(found, figures.ancestry(ctx.scope.organization_id))
    names = figures.labels(mentioners)
    rows: list[dict[str, Any]] = []
    too_few: list[dict[str, Any]] = []
    for theme_id, ids in mentioners.items():
        with_it = figures.counts_of(found.scores[response_id] for response_id in ids)
        without = Counts().add(everyone).add(with_it, -1)
        if with_it.nps_n < min_n or without.nps_n < min_n:
            too_few.append({"theme_id": theme_id, "name": names[theme_id], "n": with_it.nps_n})
            continue
        rows.append(_impact_row(theme_id, names[theme_id], with_it, without, everyone, min_n))
    rows.sort(key=lambda r: (float(r["difference"]["delta"]), -int(r["n"])))
    too_few.sort(key=lambda r: -r["n"])
    return {
        "nps": metrics.figure("nps", everyone, min_n).as_dict(),
        "rows": rows,
        "too_few": too_few,
        "min_n": min_n,
    }


def _impact_row(
    theme_id: int, name: str, with_it: Counts, without: Counts, everyone: Counts, min_n: int
) -> dict[str, Any]:
    change = metrics.change("nps", with_it, without, min_n)
    nps_with = metrics.figure("nps", with_it, min_n)
    nps_without = metrics.figure("nps", without, min_n)
    nps_all = metrics.figure("nps", everyone, min_n)
    detractors = metrics.proportion("detractors", with_it.detractors, everyone.detractors, min_n)
    promoters = metrics.proportion("promoters", with_it.promoters, everyone.promoters, min_n)
    tilt = metrics.proportion_change(
        with_it.detractors, everyone.detractors, with_it.promoters, everyone.promoters
    )
    return {
        "theme_id": theme_id,
        "name": name,
        "n": with_it.nps_n,
        "with": nps_with.as_dict(),
        "without": nps_without.as_dict(),
        "difference": change.as_dict(),
        # What the overall NPS would be without these responses, minus what it is.
        "impact": round((nps_without.value or 0.0) - (nps_all.value or 0.0), 2),
        "of_detractors": detractors.as_dict(),
        "of_promoters": promoters.as_dict(),
        "detractor_tilt": tilt.as_dict(),
        "drives_detractors": bool(
            change.significant and (change.delta or 0) < 0 and tilt.significant
        ),
        "drives_promoters": bool(change.significant and (change.delta or 0) > 0),
    }


def trending(ctx: Context) -> dict[str, Any]:
    """Themes whose share of comments rose or fell against the previous period."""
    if ctx.anonymous:
        return {"rows": [], "comments": 0, "previous_comments": 0}
    min_n = ctx.filters.min_n
    now = figures.table(ctx)
    before = figures.table(ctx, ctx.filters.previous())
    parents = figures.ancestry(ctx.scope.organization_id)
    counts_now = {k: len(v) for k, v in _mentioners(now, parents).items()}
    counts_before = {k: len(v) for k, v in _mentioners(before, parents).items()}
    n_now, n_before = len(now.scores), len(before.scores)
    names = figures.labels(set(counts_now) | set(counts_before))
    rows: list[dict[str, Any]] = []
    for theme_id in set(counts_now) | set(counts_before):
        k1, k2 = counts_now.get(theme_id, 0), counts_before.get(theme_id, 0)
        claimed = n_now >= min_n and n_before >= min_n and k1 + k2 >= MIN_MENTIONS
        change = metrics.proportion_change(k1, n_now, k2, n_before) if claimed else None
        rows.append(
            {
                "theme_id": theme_id,
                "name": names.get(theme_id, str(theme_id)),
                "now": metrics.proportion("share", k1, n_now, min_n).as_dict(),
                "before": metrics.proportion("share", k2, n_before, min_n).as_dict(),
                "mentions": k1,
                "previous_mentions": k2,
                "claimed": claimed,
                "change": change.as_dict() if change else None,
                "direction": _direction(change),
            }
        )
    rows.sort(key=lambda r: (r["direction"] != "rising", -_delta(r["change"])))
    return {"rows": rows, "comments": n_now, "previous_comments": n_before}


def _delta(change: dict[str, Any] | None) -> float:
    return float((change or {}).get("delta") or 0)


def _direction(change: metrics.Change | None) -> str:
    if change is None or not change.significant or change.delta is None:
        return "steady" if change is not None else "unknown"
    return "rising" if change.delta > 0 else "falling"


def emerging_themes(ctx: Context, limit: int = 8, examples: int = 3) -> dict[str, Any]:
    """Groups of recent comments no theme matched, with suggested names per language; a few
    example comments in each for roles that read records (never for a viewer)."""
    from voxloop.tenancy.scoping import Capability
    from voxloop.textanalytics import emerging, selectors
    from voxloop.textanalytics.models import CommentAnalysis

    if ctx.anonymous:
        return {"groups": [], "looked_at": 0}
    counted = analytics_selectors.responses_of(ctx).order_by().values("pk")
    analyses = CommentAnalysis.objects.filter(
        organization_id=ctx.scope.organization_id, response_id__in=counted
    )
    items = emerging.unmatched(analyses)
    groups = emerging.groups_of(items)[:limit]
    texts: dict[int, tuple[str, str]] = {}
    if ctx.scope.can(Capability.READ_RECORDS):
        wanted = [item.analysis_id for g in groups for item in g.members[:examples]]
        readable = selectors.analyses(ctx.scope).filter(pk__in=wanted)
        texts = {
            pk: (text, lang) for pk, text, lang in readable.values_list("pk", "text", "language")
        }
    language = (get_language() or "en").lower()
    return {
        "looked_at": len(items),
        "groups": [
            {
                "name": group.name(language),
                "size": len(group.members),
                "languages": group.languages,
                "names": group.names,
                "by": group.by,
                "examples": [
                    {"text": texts[i.analysis_id][0], "language": texts[i.analysis_id][1]}
                    for i in group.members[:examples]
                    if i.analysis_id in texts
                ]
                if texts
                else None,
            }
            for group in groups
        ],
    }
