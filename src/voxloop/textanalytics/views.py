"""The pages of text analytics: what customers write about (sentiment, themes, their impact
on NPS, trends, emerging themes) and the comment explorer. Filters are the dashboard's own
query parameters (`analytics.filters`), so a view is a shareable URL and moves between the
dashboard and these pages unchanged. The theme editor is in `editor_views`."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from voxloop.analytics import selectors as analytics_selectors
from voxloop.analytics.selectors import Context
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.textanalytics import explorer, figures, insights
from voxloop.textanalytics.models import CommentAnalysis, Language, Sentiment
from voxloop.textanalytics.web import scope_of
from voxloop.web.access import member_required, reads_records, records_required
from voxloop.web.paging import paginate, query_without_page

SENTIMENTS = [(s.value, s.label) for s in Sentiment]
LANGUAGES = [(code, name) for code, name in Language.choices]
DIRECTIONS = {
    "rising": _("rising"),
    "falling": _("falling"),
    "steady": _("steady"),
    "unknown": _("too few to say"),
}


def _context(request: ScopedRequest) -> tuple[Context, QueryDict]:
    ctx = analytics_selectors.context_from(scope_of(request), request.GET)
    return ctx, request.GET


MAX_UNIT_CHOICES = 500  # beyond, units are reached from the dashboard's drill-down


def _filter_choices(request: ScopedRequest) -> dict[str, Any]:
    units = list(
        tenancy_selectors.visible_units(scope_of(request)).only("id", "name", "depth")[
            : MAX_UNIT_CHOICES + 1
        ]
    )
    return {
        "units": [(u.pk, "\u2003" * u.depth + u.name) for u in units]
        if len(units) <= MAX_UNIT_CHOICES
        else [],
        "periods": analytics_selectors.period_choices(),
        "sentiments": SENTIMENTS,
        "surveys": survey_selectors.visible_surveys(scope_of(request)).only("id", "name"),
        "themes": figures.theme_choices(scope_of(request)),
    }


def _query(params: QueryDict) -> str:
    q = params.copy()
    q.pop("page", None)
    return q.urlencode()


@member_required
def insights_page(request: ScopedRequest) -> HttpResponse:
    """Sentiment and themes with the metric beside them, theme impact on NPS, trending and
    emerging themes: figures only, so a viewer has it too."""
    ctx, params = _context(request)
    context = {
        "ctx": ctx,
        "filters": ctx.filters,
        "query": _query(params),
        **_filter_choices(request),
    }
    if not ctx.anonymous:
        context.update(
            sentiment=figures.text_dimension(ctx, "sentiment"),
            themes_rows=figures.text_dimension(ctx, "theme")[:15],
            impact=insights.theme_impact(ctx),
            trending=insights.trending(ctx),
            emerging=insights.emerging_themes(ctx),
            directions=DIRECTIONS,
            reads_records=reads_records(request),
        )
    return render(request, "textanalytics/insights.html", context)


@records_required
def explorer_page(request: ScopedRequest) -> HttpResponse:
    """Comments one by one: search, the dashboard's filters and a language; theme spans
    highlighted; optionally grouped with similar comments in other languages."""
    ctx, _params = _context(request)
    q = request.GET.get("q", "")
    language = request.GET.get("language", "")
    rows = explorer.with_details(explorer.search(ctx, q=q, language=language))
    page = paginate(request, rows, per_page=50)
    shown = list(page.object_list)
    names = explorer.theme_names(shown)
    items = {row.pk: _item(row, names) for row in shown}
    if request.GET.get("group"):
        groups = [[items[r.pk] for r in group] for group in explorer.grouped(shown)]
    else:
        groups = [[items[r.pk]] for r in shown]
    return render(
        request,
        "textanalytics/explorer.html",
        {
            "ctx": ctx,
            "filters": ctx.filters,
            "page": page,
            "groups": groups,
            "grouping": bool(request.GET.get("group")),
            "q": q,
            "language": language,
            "languages": LANGUAGES,
            "query": query_without_page(request),
            **_filter_choices(request),
        },
    )


def _item(row: CommentAnalysis, names: dict[str, str]) -> dict[str, Any]:
    return {
        "row": row,
        "html": explorer.highlighted(row, names),
        "themes": sorted({names.get(t.theme.key, t.theme.key) for t in row.themes.all()}),
    }
