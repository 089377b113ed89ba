"""Comments in the dashboards: what text analytics plugs into `analytics.hooks` — a filter by
comment sentiment or theme, breakdowns by both, the themes to choose from, a digest's top
themes — and the per-response table that theme impact and trends are computed from.

Everything starts from an analytics `Context` and its counted responses
(`analytics.raw_counts.responses`): the same scope, unit, period, surveys, channel, origin
and segment as the rest of the dashboard. Nothing here hands out a comment's words, so every
role that views figures (a viewer too) may have it."""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import get_language

from voxloop.analytics import selectors as analytics_selectors
from voxloop.analytics.metrics import Counts
from voxloop.tenancy.scoping import Scope
from voxloop.textanalytics import selectors
from voxloop.textanalytics.models import CommentAnalysis, CommentTheme, Sentiment, Theme, ThemeTerm

if TYPE_CHECKING:
    from voxloop.analytics.selectors import Context, Filters

MAX_ROWS = 20_000 * 5  # comments read per table (the drivers' cap, as choice effects)
_last = threading.local()


# --- the filter ------------------------------------------------------------------------------


def subtree_ids(theme: Theme) -> list[int]:
    """The theme and every theme under it (taxonomies nest three deep)."""
    ids, level = [theme.pk], [theme.pk]
    while level:
        level = list(Theme.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        ids += level
    return ids


def text_filter(scope: Scope, filters: Filters) -> QuerySet:
    """Ids of the responses with a comment of the filters' sentiment, about their theme (a
    theme and sentiment together: the theme mentioned with that sentiment). Unscoped ids of
    the organisation: analytics intersects them with the scope's responses."""
    if filters.theme_id:
        ids = subtree_ids(selectors.theme(scope, filters.theme_id))
        mentions = CommentTheme.objects.filter(
            organization_id=scope.organization_id, theme_id__in=ids
        )
        if filters.sentiment:
            mentions = mentions.filter(sentiment=filters.sentiment)
        return mentions.values("analysis__response_id")
    return CommentAnalysis.objects.filter(
        organization_id=scope.organization_id, sentiment=filters.sentiment
    ).values("response_id")


# --- the per-response table ------------------------------------------------------------------


Scores = tuple[int | None, int | None, int | None]  # a response's nps, csat, ces


@dataclass
class Table:
    """The counted responses with a comment: each one's scores, overall sentiment and the
    themes mentioned (with the mention's sentiment)."""

    scores: dict[int, Scores] = field(default_factory=dict)  # (nps, csat, ces)
    sentiment: dict[int, str] = field(default_factory=dict)
    themes: dict[int, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))
    everyone: Counts = field(default_factory=Counts)  # every counted response, comment or not


def table(ctx: Context, period: Filters | None = None, everyone: bool = False) -> Table:
    """The table for the context (and period); `everyone`: with the counts of every counted
    response too. The last one read in this thread is kept, so the panels of one page read
    it once."""
    cached = getattr(_last, "value", None)
    if cached and cached[0]() is ctx and cached[1] == (period, everyone):
        return cached[2]
    out = _read(ctx, period, everyone)
    _last.value = (weakref.ref(ctx), (period, everyone), out)
    return out


def _read(ctx: Context, period: Filters | None, everyone: bool) -> Table:
    out = Table()
    counted = analytics_selectors.responses_of(ctx, period)
    if everyone:
        out.everyone = analytics_selectors.response_counts(ctx, period)
    analyses = CommentAnalysis.objects.filter(
        organization_id=ctx.scope.organization_id, response_id__in=counted.order_by().values("pk")
    )
    rank: dict[str, int] = {"negative": 0, "positive": 1, "neutral": 2}
    rows = analyses.values_list(
        "response_id", "sentiment", "response__nps", "response__csat", "response__ces"
    )
    for response_id, sentiment, nps, csat, ces in rows[:MAX_ROWS]:
        if response_id not in out.scores:
            out.scores[response_id] = (nps, csat, ces)
        # Two comments in one response: the more telling verdict wins (negative first).
        old = out.sentiment.get(response_id)
        if old is None or rank[sentiment] < rank[old]:
            out.sentiment[response_id] = sentiment
    mentions = CommentTheme.objects.filter(analysis__in=analyses.values("pk")).values_list(
        "analysis__response_id", "theme_id", "sentiment"
    )
    for response_id, theme_id, sentiment in mentions:
        out.themes[response_id].setdefault(theme_id, sentiment)
    return out


def ancestry(organization_id: int) -> dict[int, int | None]:
    """Every theme's parent, for rolling mentions up the tree."""
    return dict(
        Theme.objects.filter(taxonomy__organization_id=organization_id).values_list(
            "pk", "parent_id"
        )
    )


def rolled_up(themes: dict[int, str], parents: dict[int, int | None]) -> dict[int, str]:
    """A response's themes with every ancestor added (a parent counts its children)."""
    out = dict(themes)
    for theme_id, sentiment in themes.items():
        parent = parents.get(theme_id)
        while parent is not None and parent not in out:
            out[parent] = sentiment
            parent = parents.get(parent)
    return out


def labels(theme_ids: Iterable[int], language: str | None = None) -> dict[int, str]:
    """Each theme's name in the reader's language (its label term), else its own name."""
    language = (language or get_language() or "en").lower()
    names = dict(Theme.objects.filter(pk__in=list(theme_ids)).values_list("pk", "name"))
    terms = ThemeTerm.objects.filter(theme_id__in=list(names), kind="label", language=language)
    for theme_id, text in terms.values_list("theme_id", "text"):
        names[theme_id] = text
    return names


# --- breakdowns ------------------------------------------------------------------------------


def text_dimension(ctx: Context, dimension: str) -> list[dict[str, Any]]:
    """The metric by comment sentiment, or by theme mentioned (a response counts once per
    theme, parents counting their children), biggest first."""
    from voxloop.analytics.selectors import cell

    found = table(ctx)
    members: dict[Any, list[Scores]] = defaultdict(list)
    if dimension == "sentiment":
        for response_id, sentiment in found.sentiment.items():
            if response_id in found.scores:
                members[sentiment].append(found.scores[response_id])
        names: dict[Any, str] = {s.value: str(s.label) for s in Sentiment}
        order: list[Any] = [s.value for s in Sentiment if s.value in members]
    else:
        parents = ancestry(ctx.scope.organization_id)
        for response_id, themes in found.themes.items():
            if response_id in found.scores:
                for theme_id in rolled_up(themes, parents):
                    members[theme_id].append(found.scores[response_id])
        names = dict(labels(members))
        order = sorted(members, key=lambda k: -len(members[k]))
    groups = {k: counts_of(members[k]) for k in order}
    return [{"key": k, "label": names.get(k, str(k)), **cell(ctx, groups[k])} for k in order]


def counts_of(scores: Iterable[Scores]) -> Counts:
    """The counts of these responses' scores (all with a comment), summed in one pass: the
    breakdowns sum tens of thousands of them per page."""
    n = nps_n = promoters = passives = 0
    csat_n = csat_sum = csat_sq = csat_top2 = ces_n = ces_sum = ces_sq = ces_agree = 0
    for nps, csat, ces in scores:
        n += 1
        if nps is not None:
            nps_n += 1
            if nps >= 9:
                promoters += 1
            elif nps >= 7:
                passives += 1
        if csat is not None:
            csat_n, csat_sum, csat_sq = csat_n + 1, csat_sum + csat, csat_sq + csat * csat
            csat_top2 += csat >= 4
        if ces is not None:
            ces_n, ces_sum, ces_sq = ces_n + 1, ces_sum + ces, ces_sq + ces * ces
            ces_agree += ces >= 5
    return Counts(
        n=n,
        nps_n=nps_n,
        promoters=promoters,
        passives=passives,
        detractors=nps_n - promoters - passives,
        csat_n=csat_n,
        csat_sum=csat_sum,
        csat_sq=csat_sq,
        csat_top2=csat_top2,
        ces_n=ces_n,
        ces_sum=ces_sum,
        ces_sq=ces_sq,
        ces_agree=ces_agree,
        comments=n,
    )


def theme_choices(scope: Scope) -> list[tuple[int, str]]:
    """The themes a member may filter by, in taxonomy order, children indented."""
    out: list[tuple[int, str]] = []
    taxonomies = list(selectors.visible_taxonomies(scope))
    for taxonomy in taxonomies:
        themes = list(Theme.objects.filter(taxonomy=taxonomy))
        names = labels([t.pk for t in themes])
        by_parent: dict[int | None, list[Theme]] = defaultdict(list)
        for theme in themes:
            by_parent[theme.parent_id].append(theme)
        prefix = f"{taxonomy.name} · " if len(taxonomies) > 1 else ""
        stack = [(theme, 0) for theme in reversed(by_parent[None])]
        while stack:
            theme, depth = stack.pop()
            out.append(
                (theme.pk, "\u2003" * depth + (prefix if not depth else "") + names[theme.pk])
            )
            stack += [(child, depth + 1) for child in reversed(by_parent[theme.pk])]
    return out


def top_themes(ctx: Context, limit: int = 5) -> list[dict[str, Any]]:
    """The themes mentioned most in the period (as found, not rolled up), with how many of
    the mentions were negative: a digest's "what customers talked about"."""
    if ctx.anonymous:
        return []
    found = table(ctx)
    n: dict[int, int] = defaultdict(int)
    negative: dict[int, int] = defaultdict(int)
    for themes in found.themes.values():
        for theme_id, sentiment in themes.items():
            n[theme_id] += 1
            negative[theme_id] += sentiment == Sentiment.NEGATIVE
    chosen = sorted(n, key=lambda k: -n[k])[:limit]
    names = labels(chosen)
    comments = len(found.sentiment)
    return [
        {
            "theme_id": k,
            "name": names.get(k, str(k)),
            "n": n[k],
            "share": n[k] / comments if comments else 0.0,
            "negative": negative[k],
        }
        for k in chosen
    ]
