"""The comment explorer's reads: comments one by one, for the roles that read records, with
the dashboard's filters (period, survey, unit, channel, sentiment, theme — an analytics
`Context`) plus words to search for and a language; each comment with its theme spans, and,
on request, similar comments grouped across languages by their embeddings.

Only through `analytics.analytics_selectors.responses_of(ctx, shown=True)`, i.e. the responses app's
`visible_responses`: a viewer is refused, a manager sees their units only, and employee
surveys' comments are never listed (an employee's words could name them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.db.models import Prefetch, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from voxloop.analytics import selectors as analytics_selectors
from voxloop.errors import InvalidInput
from voxloop.tenancy.scoping import Capability
from voxloop.textanalytics import emerging, figures, selectors
from voxloop.textanalytics.embeddings import from_bytes
from voxloop.textanalytics.models import CommentAnalysis, CommentTheme, Language

if TYPE_CHECKING:
    from voxloop.analytics.selectors import Context


class _Comment(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def language(self) -> str: ...


Row = TypeVar("Row", bound=_Comment)
MAX_QUERY = 200
GROUP_LIMIT = 200  # comments grouped at once


def search(ctx: Context, q: str = "", language: str = "") -> QuerySet[CommentAnalysis]:
    """The comments matching, newest first."""
    ctx.scope.require(Capability.READ_RECORDS)
    if ctx.anonymous:
        raise InvalidInput("Comments of employee surveys are not shown one by one.", "survey")
    q = " ".join((q or "").split())
    if len(q) > MAX_QUERY:
        raise InvalidInput(f"Search for at most {MAX_QUERY} characters.", "q")
    if language and language not in Language.values and language != "zh":
        raise InvalidInput(f"'language' is one of {', '.join(Language.values)}.", "language")
    shown = analytics_selectors.responses_of(ctx, shown=True).order_by().values("pk")
    rows = CommentAnalysis.objects.filter(
        organization_id=ctx.scope.organization_id, response_id__in=shown
    )
    f = ctx.filters
    if f.theme_id:
        mentions = CommentTheme.objects.filter(
            theme_id__in=figures.subtree_ids(selectors.theme(ctx.scope, f.theme_id))
        )
        if f.sentiment:
            mentions = mentions.filter(sentiment=f.sentiment)
        rows = rows.filter(pk__in=mentions.values("analysis_id"))
    elif f.sentiment:
        rows = rows.filter(sentiment=f.sentiment)
    if language:
        rows = rows.filter(language__startswith=language)
    for word in q.split(" ") if q else ():
        rows = rows.filter(text__icontains=word)
    return rows.order_by("-response_id")


def with_details(rows: QuerySet[CommentAnalysis]) -> QuerySet[CommentAnalysis]:
    return rows.select_related("response__survey", "response__unit").prefetch_related(
        Prefetch("themes", queryset=CommentTheme.objects.select_related("theme"))
    )


def spans(row: CommentAnalysis) -> list[dict[str, Any]]:
    """The comment cut at its sentences: each part with its sentiment and the themes it
    mentions (offsets into the masked text)."""
    out, at = [], 0
    for sentence in sorted(row.sentences or [], key=lambda s: s["start"]):
        start, end = max(sentence["start"], at), min(sentence["end"], len(row.text))
        if start > at:
            out.append({"start": at, "end": start, "sentiment": "", "themes": []})
        if end > start:
            out.append(
                {
                    "start": start,
                    "end": end,
                    "sentiment": sentence.get("sentiment", ""),
                    "themes": list(sentence.get("themes") or []),
                }
            )
            at = end
    if at < len(row.text):
        out.append({"start": at, "end": len(row.text), "sentiment": "", "themes": []})
    return out


def highlighted(row: CommentAnalysis, names: dict[str, str]) -> SafeString:
    """The comment as HTML: every part that mentions a theme marked, with the themes' names
    and its sentiment; all text escaped."""
    html = []
    for part in spans(row):
        words = escape(row.text[part["start"] : part["end"]])
        if part["themes"]:
            title = escape(", ".join(names.get(k, k) for k in part["themes"]))
            css = f"theme-span s-{escape(part['sentiment'])}"
            html.append(f'<mark class="{css}" title="{title}">{words}</mark>')
        else:
            html.append(words)
    return mark_safe("".join(html))  # noqa: S308 - every piece above is escaped


def as_item(row: CommentAnalysis, names: dict[str, str] | None = None) -> dict[str, Any]:
    """One comment as the API lists it."""
    response = row.response
    return {
        "id": row.pk,
        "response_id": row.response_id,
        "question_key": row.question_key,
        "text": row.text,
        "language": row.language,
        "sentiment": row.sentiment,
        "score": row.score,
        "mixed": row.mixed,
        "intents": row.intents,
        "themes": [
            {"theme_id": t.theme_id, "key": t.theme.key, "sentiment": t.sentiment}
            for t in row.themes.all()
        ],
        "spans": spans(row),
        "nps": response.nps,
        "survey_id": response.survey_id,
        "unit_id": response.unit_id,
        "submitted_at": response.submitted_at,
    }


def grouped(rows: Sequence[Row]) -> list[list[Row]]:
    """These comments in groups of similar ones, whatever their language (embeddings,
    centred per language); a comment not embedded yet, or like no other, stands alone.
    Biggest groups first, each in the order given."""
    vectors = dict(
        CommentAnalysis.objects.filter(pk__in=[r.pk for r in rows[:GROUP_LIMIT]])
        .exclude(embedding__isnull=True)
        .values_list("pk", "embedding__vector")
    )
    items = [
        emerging.Item(r.pk, r.language, [], from_bytes(bytes(vectors[r.pk])))
        for r in rows
        if r.pk in vectors
    ]
    by_id = {r.pk: r for r in rows}
    found: list[list[Row]] = []
    if len(items) >= 2:
        x = emerging.centred(items)
        for members in emerging.merge(x @ x.T):
            found.append([by_id[items[i].analysis_id] for i in sorted(members)])
    grouped_ids = {r.pk for group in found for r in group}
    found += [[r] for r in rows if r.pk not in grouped_ids]
    order = {r.pk: i for i, r in enumerate(rows)}
    for group in found:
        group.sort(key=lambda r: order[r.pk])
    found.sort(key=lambda g: (-len(g), order[g[0].pk]))
    return found


def theme_names(rows: Iterable[CommentAnalysis], language: str | None = None) -> dict[str, str]:
    """Theme key → name in the reader's language, for the themes of these comments."""
    ids = {t.theme_id: t.theme.key for r in rows for t in r.themes.all()}
    names = figures.labels(ids, language)
    return {key: names.get(pk, key) for pk, key in ids.items()}
