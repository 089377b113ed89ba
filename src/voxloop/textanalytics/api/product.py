"""The API behind the product pages: the comment explorer (roles that read records, cursor
paging), theme impact, trends and emerging themes (every role that views figures), and the
theme editor's merge, split, accept and live matches (admins). Filters are the dashboard's."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from voxloop.analytics import selectors as analytics_selectors
from voxloop.api import pages
from voxloop.api.context import actor
from voxloop.api.schemas import Id
from voxloop.errors import InvalidInput
from voxloop.textanalytics import editing, explorer, insights, selectors
from voxloop.textanalytics.presenting import theme_out
from voxloop.textanalytics.schemas import ThemeOut
from voxloop.textanalytics.schemas_product import (
    AcceptIn,
    CommentPage,
    CommentQuery,
    EmergingOut,
    ImpactOut,
    MatchesOut,
    MatchQuery,
    MergeIn,
    SplitIn,
    TrendOut,
)

router = Router(tags=["text analytics"])
PASSED_ON = ("q", "language", "limit", "offset", "after", "group")


def _context(request: HttpRequest) -> analytics_selectors.Context:
    params = request.GET.copy()
    for name in PASSED_ON:
        params.pop(name, None)
    return analytics_selectors.context_from(actor(request), params, role_defaults=False)


@router.get("/text/comments", response=CommentPage, url_name="text_comments")
def comments(
    request: HttpRequest, query: Query[CommentQuery], group: bool = False
) -> dict[str, Any]:
    """Comments one by one (newest first) with the dashboard's filters, words and a language;
    each with its sentences' spans and themes. `group=true` numbers groups of similar
    comments across languages on the page."""
    ctx = _context(request)
    rows = explorer.with_details(explorer.search(ctx, q=query.q, language=query.language))
    body = pages.page(rows, query, explorer.as_item)
    if group:
        found = explorer.grouped([_Row(item) for item in body["items"]])
        for number, members in enumerate(found, start=1):
            for member in members:
                member.item["group"] = number
    return body


class _Row:
    """An API item dressed as the analysis row `explorer.grouped` reads."""

    def __init__(self, item: dict[str, Any]) -> None:
        self.item, self.pk, self.language = item, item["id"], item["language"]


@router.get("/text/impact", response=ImpactOut, url_name="text_impact")
def impact(request: HttpRequest, query: Query[CommentQuery]) -> dict[str, Any]:
    """Which themes drive detractors: NPS when mentioned vs the others, with intervals and a
    test; themes below the minimum sample are listed apart without a claim."""
    return insights.theme_impact(_context(request))


@router.get("/text/trending", response=TrendOut, url_name="text_trending")
def trending(request: HttpRequest, query: Query[CommentQuery]) -> dict[str, Any]:
    """Each theme's share of comments against the period before, tested."""
    return insights.trending(_context(request))


@router.get("/text/emerging", response=EmergingOut, url_name="text_emerging")
def emerging(request: HttpRequest, query: Query[CommentQuery]) -> dict[str, Any]:
    """Groups of recent comments no theme matched, with suggested names per language."""
    return insights.emerging_themes(_context(request))


@router.post("/text/themes/{int:theme_id}/merge", response=ThemeOut, url_name="text_merge")
def merge(request: HttpRequest, theme_id: Id, payload: MergeIn) -> dict[str, Any]:
    """Fold this theme into another: its terms, sub-themes and mentions move; it is deleted."""
    scope = actor(request)
    source = selectors.theme(scope, theme_id)
    target = selectors.theme(scope, payload.into_id)
    editing.merge_themes(scope=scope, source=source, target=target)
    return theme_out(selectors.theme(scope, target.pk))


@router.post("/text/themes/{int:theme_id}/split", response={201: ThemeOut}, url_name="text_split")
def split(request: HttpRequest, theme_id: Id, payload: SplitIn) -> Status:
    """A new theme beside this one, taking the chosen keywords and examples."""
    scope = actor(request)
    theme = selectors.theme(scope, theme_id)
    created = editing.split_theme(
        scope=scope, theme=theme, name=payload.name, term_ids=payload.term_ids
    )
    return Status(201, theme_out(selectors.theme(scope, created.pk)))


@router.post(
    "/text/taxonomies/{int:taxonomy_id}/accept", response={201: ThemeOut}, url_name="text_accept"
)
def accept(request: HttpRequest, taxonomy_id: Id, payload: AcceptIn) -> Status:
    """Make a suggested (emerging) theme real, with its keywords per language."""
    scope = actor(request)
    taxonomy = selectors.taxonomy(scope, taxonomy_id)
    parent = selectors.theme(scope, payload.parent_id) if payload.parent_id else None
    if parent is not None and parent.taxonomy_id != taxonomy.pk:
        raise InvalidInput("The parent theme is in another taxonomy.", field="parent_id")
    if sum(len(words) for words in payload.keywords.values()) > 100:
        raise InvalidInput("At most 100 keywords.", field="keywords")
    theme = editing.accept_suggestion(
        scope=scope, taxonomy=taxonomy, name=payload.name, keywords=payload.keywords, parent=parent
    )
    return Status(201, theme_out(selectors.theme(scope, theme.pk)))


@router.get("/text/themes/{int:theme_id}/matches", response=MatchesOut, url_name="text_matches")
def matches(request: HttpRequest, theme_id: Id, query: Query[MatchQuery]) -> dict[str, Any]:
    """The recent comments this theme matches with a draft keyword or example added."""
    scope = actor(request)
    theme = selectors.theme(scope, theme_id)
    found = editing.live_matches(
        scope, theme, language=query.language, kind=query.kind, text=query.text
    )
    found["matches"] = [
        {
            "id": m["row"].pk,
            "text": m["row"].text,
            "language": m["row"].language,
            "start": m["sentence"]["start"],
            "end": m["sentence"]["end"],
            "new": m["new"],
        }
        for m in found["matches"]
    ]
    return found
