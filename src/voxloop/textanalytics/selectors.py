"""Scoped reads of text analytics: taxonomies a member may see, and what was found in the
comments of the responses they may read (through `responses.selectors`, so anonymity and
subtree rules are the responses app's own)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from django.db.models import Prefetch, Q, QuerySet

from voxloop.errors import NotFound
from voxloop.responses.selectors import counted_responses, visible_responses
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH, subtree_q
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.textanalytics.models import (
    CommentAnalysis,
    CommentTheme,
    Taxonomy,
    Theme,
    ThemeTerm,
)


def _ancestor_paths(path: str) -> list[str]:
    return [path[:end] for end in range(PATH_SEGMENT_WIDTH, len(path) + 1, PATH_SEGMENT_WIDTH)]


def visible_taxonomies(scope: Scope) -> QuerySet[Taxonomy]:
    """Taxonomies that apply to the member's units: the whole organisation's, those of units
    above theirs, and those inside their subtree."""
    scope.require(Capability.VIEW)
    return (
        Taxonomy.objects.filter(organization_id=scope.organization_id)
        .filter(
            Q(unit__isnull=True)
            | Q(unit__path__in=_ancestor_paths(scope.unit_path))
            | subtree_q(scope.unit_path, "unit__path")
        )
        .select_related("unit")
        .order_by("id")
    )


def taxonomy(scope: Scope, taxonomy_id: int) -> Taxonomy:
    found = visible_taxonomies(scope).filter(pk=taxonomy_id).first()
    if found is None:
        raise NotFound("No such taxonomy.", field="taxonomy_id")
    return found


def taxonomy_with_themes(scope: Scope, taxonomy_id: int) -> tuple[Taxonomy, list[Theme]]:
    found = taxonomy(scope, taxonomy_id)
    themes = list(
        Theme.objects.filter(taxonomy=found).prefetch_related(
            Prefetch("terms", queryset=ThemeTerm.objects.order_by("language", "kind", "id"))
        )
    )
    return found, themes


def theme(scope: Scope, theme_id: int) -> Theme:
    found = (
        Theme.objects.filter(pk=theme_id, taxonomy__in=visible_taxonomies(scope))
        .select_related("taxonomy", "taxonomy__unit", "parent")
        .first()
    )
    if found is None:
        raise NotFound("No such theme.", field="theme_id")
    return found


def term(scope: Scope, term_id: int) -> ThemeTerm:
    found = (
        ThemeTerm.objects.filter(pk=term_id, theme__taxonomy__in=visible_taxonomies(scope))
        .select_related("theme", "theme__taxonomy", "theme__taxonomy__unit")
        .first()
    )
    if found is None:
        raise NotFound("No such term.", field="term_id")
    return found


def taxonomy_for_unit_path(organization_id: int, unit_path: str) -> Taxonomy | None:
    """The taxonomy a response at this unit is matched against: the deepest one above it
    (system read, for the analysis task)."""
    candidates = Taxonomy.objects.filter(organization_id=organization_id).filter(
        Q(unit__isnull=True) | Q(unit__path__in=_ancestor_paths(unit_path))
    )
    best = None
    for found in candidates.select_related("unit"):
        depth = len(found.unit.path) if found.unit is not None else 0
        if best is None or depth > best[0]:
            best = (depth, found)
    return best[1] if best else None


def taxonomies_of(organization_id: int) -> list[Taxonomy]:
    return list(Taxonomy.objects.filter(organization_id=organization_id).select_related("unit"))


def themes_with_terms(taxonomy_ids: Iterable[int]) -> list[Theme]:
    return list(Theme.objects.filter(taxonomy_id__in=list(taxonomy_ids)).prefetch_related("terms"))


# --- what was found in comments, for people who may read the responses -------------------


def analyses(scope: Scope, **response_filters: Any) -> QuerySet[CommentAnalysis]:
    """Analyses of the comments of every response the member may read (filters as
    `responses.selectors.visible_responses`)."""
    readable = visible_responses(scope, **response_filters).order_by().values("pk")
    return CommentAnalysis.objects.filter(
        organization_id=scope.organization_id, response_id__in=readable
    )


def analyses_by_response(scope: Scope, response_ids: Iterable[int]) -> dict[int, list[dict]]:
    """What was found in each of these responses' comments, as the API shows it; the caller
    has already read the responses through its scope (the ids narrow, never widen)."""
    ids = list(response_ids)
    if not ids:
        return {}
    rows = (
        analyses(scope)
        .filter(response_id__in=ids)
        .prefetch_related(Prefetch("themes", queryset=CommentTheme.objects.select_related("theme")))
        .order_by("response_id", "question_key")
    )
    out: dict[int, list[dict]] = {}
    for row in rows:
        out.setdefault(row.response_id, []).append(as_dict(row))
    return out


def as_dict(row: CommentAnalysis) -> dict:
    return {
        "question_key": row.question_key,
        "language": row.language,
        "sentiment": row.sentiment,
        "score": row.score,
        "mixed": row.mixed,
        "themes": [
            {
                "key": found.theme.key,
                "name": found.theme.name,
                "sentiment": found.sentiment,
                "score": found.score,
                "confidence": found.confidence,
                "matched_by": found.matched_by,
            }
            for found in row.themes.all()
        ],
        "sentences": row.sentences,
        "keywords": row.keywords,
        "intents": row.intents,
        "emotions": row.emotions,
        "summary": row.summary,
        "model_version": row.model_version,
        "taxonomy_version": row.taxonomy_version,
        "analysed_at": row.analysed_at,
    }


def _counted(scope: Scope, **response_filters: Any) -> QuerySet[CommentAnalysis]:
    """Analyses to count, never to show one by one: every role that views figures (a viewer
    too) may have the counts (filters as `responses.selectors.counted_responses`)."""
    counted = counted_responses(scope, **response_filters).order_by().values("pk")
    return CommentAnalysis.objects.filter(
        organization_id=scope.organization_id, response_id__in=counted
    )


def sentiment_counts(scope: Scope, **response_filters: Any) -> dict[str, int]:
    """Comments by overall sentiment (for dashboards' breakdowns)."""
    from django.db.models import Count

    rows = _counted(scope, **response_filters).values("sentiment").annotate(n=Count("id"))
    return {row["sentiment"]: row["n"] for row in rows}


class ThemeCount(TypedDict):
    theme_id: int
    theme__key: str
    theme__name: str
    sentiment: str
    n: int


def theme_counts(scope: Scope, **response_filters: Any) -> list[ThemeCount]:
    """Mentions per theme and sentiment (for dashboards' breakdowns and theme impact)."""
    from django.db.models import Count

    return list(
        CommentTheme.objects.filter(analysis__in=_counted(scope, **response_filters).values("pk"))
        .values("theme_id", "theme__key", "theme__name", "sentiment")
        .annotate(n=Count("id"))
        .order_by("theme_id", "sentiment")
    )


# --- system reads (tasks, the closed loop's rule evaluation) ---------------------------------


def analysed_response_ids(response_ids: Iterable[int]) -> list[int]:
    return sorted(
        set(
            CommentAnalysis.objects.filter(response_id__in=list(response_ids)).values_list(
                "response_id", flat=True
            )
        )
    )


def findings_of_response(response_id: int) -> dict | None:
    """What was read in one response's comments, for alert rules: the comments' sentiments,
    the themes mentioned (keys, ancestors included) with the sentiments they were mentioned
    with, and the intents. None until the comments are analysed."""
    rows = list(
        CommentAnalysis.objects.filter(response_id=response_id).values_list(
            "pk", "sentiment", "intents"
        )
    )
    if not rows:
        return None
    themes: dict[str, set[str]] = {}
    mentions = CommentTheme.objects.filter(analysis_id__in=[r[0] for r in rows]).select_related(
        "theme__parent__parent"
    )
    for found in mentions:
        theme: Theme | None = found.theme
        while theme is not None:
            themes.setdefault(theme.key, set()).add(found.sentiment)
            theme = theme.parent
    return {
        "sentiments": {r[1] for r in rows},
        "themes": themes,
        "intents": {intent for r in rows for intent in (r[2] or [])},
    }


def theme_keys_for_rules(scope: Scope) -> list[tuple[str, str]]:
    """(key, name) of the themes of the taxonomies a member sees, for alert-rule forms."""
    seen: dict[str, str] = {}
    for key, name in Theme.objects.filter(taxonomy__in=visible_taxonomies(scope)).values_list(
        "key", "name"
    ):
        seen.setdefault(key, name)
    return sorted(seen.items(), key=lambda kv: kv[1].casefold())


def sentiment_of_contacts(
    organization_id: int, contact_ids: Iterable[int], since: Any, until: Any
) -> dict[int, dict[str, int]]:
    """Per contact, how many of their comments in [since, until) read positive, negative…
    (system work: health scores, which keep the counts only)."""
    rows = (
        CommentAnalysis.objects.filter(
            organization_id=organization_id,
            response__contact_id__in=list(contact_ids),
            response__submitted_at__gte=since,
            response__submitted_at__lt=until,
        )
        .values_list("response__contact_id", "sentiment")
        .order_by()
    )
    counts: dict[int, dict[str, int]] = {}
    for contact_id, sentiment in rows:
        found = counts.setdefault(contact_id, {})
        found[sentiment] = found.get(sentiment, 0) + 1
    return counts


def comment_figures(scope: Scope, responses: QuerySet) -> tuple[dict[str, int], list[ThemeCount]]:
    """Comments by sentiment and theme mentions of these responses (a subquery of ids the
    caller counted in its own scope; narrowed to the scope again here): figures only."""
    from django.db.models import Count

    counted = _counted(scope).filter(response_id__in=responses)
    sentiments = {
        row["sentiment"]: row["n"]
        for row in counted.values("sentiment").annotate(n=Count("id")).order_by()
    }
    themes = list(
        CommentTheme.objects.filter(analysis__in=counted.values("pk"))
        .values("theme_id", "theme__key", "theme__name", "sentiment")
        .annotate(n=Count("id"))
        .order_by("theme_id", "sentiment")
    )
    return sentiments, themes
