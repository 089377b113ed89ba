"""The theme editor's writes beyond single terms: merging two themes, splitting terms off into
a new theme, accepting a suggested (emerging) theme — each audited and each bumping the
taxonomy's version, so `voxloop text backfill` (or "Re-read comments" on the editor) reads
the stored comments again against the new taxonomy. And the editor's one read: which recent
comments a theme matches with a keyword or example added ("live matches")."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db import transaction

from voxloop.errors import InvalidInput
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit
from voxloop.textanalytics import matching, selectors
from voxloop.textanalytics.engine.pii import unmasked_words
from voxloop.textanalytics.engine.text import fold
from voxloop.textanalytics.engine.themes import ThemeMatcher, ThemeSpec
from voxloop.textanalytics.models import (
    CommentTheme,
    Language,
    Taxonomy,
    TermKind,
    Theme,
    ThemeTerm,
)
from voxloop.textanalytics.services import (
    EXAMPLE_MAX,
    KEYWORD_MAX,
    MAX_DEPTH,
    _bump,
    _depth,
    _require_editable,
    add_term,
    create_theme,
)

PREVIEW_SAMPLE = 300  # recent comments a preview reads
PREVIEW_SHOWN = 20


def _height(theme: Theme) -> int:
    """Levels from this theme down to its deepest descendant (1: no children)."""
    children = list(theme.children.all())
    return 1 + max((_height(child) for child in children), default=0)


def merge_themes(*, scope: Scope, source: Theme, target: Theme) -> Theme:
    """Fold `source` into `target`: its keywords and examples, its sub-themes and the
    comments found to mention it move to `target`; `source` is deleted."""
    taxonomy = target.taxonomy
    _require_editable(scope, taxonomy)
    if source.taxonomy_id != target.taxonomy_id:
        raise InvalidInput("Both themes must be in the same taxonomy.", field="into_id")
    if source.pk == target.pk:
        raise InvalidInput("A theme cannot be merged into itself.", field="into_id")
    ancestor = target.parent
    while ancestor is not None:
        if ancestor.pk == source.pk:
            raise InvalidInput(
                "A theme cannot be merged into one of its own sub-themes.", "into_id"
            )
        ancestor = ancestor.parent
    children = list(source.children.all())
    if children and _depth(target) + max(_height(c) for c in children) > MAX_DEPTH:
        raise InvalidInput(f"Themes nest at most {MAX_DEPTH} deep.", field="into_id")
    with transaction.atomic():
        have = set(target.terms.values_list("language", "kind", "text"))
        moved = 0
        for term in source.terms.exclude(kind=TermKind.LABEL):
            if (term.language, term.kind, term.text) not in have:
                ThemeTerm.objects.filter(pk=term.pk).update(theme=target)
                moved += 1
        Theme.objects.filter(parent=source).update(parent=target)
        both = CommentTheme.objects.filter(theme=target).values("analysis_id")
        CommentTheme.objects.filter(theme=source, analysis_id__in=both).delete()
        CommentTheme.objects.filter(theme=source).update(theme=target)
        record_audit(
            actor=scope,
            action="textanalytics.theme.merge",
            target=target,
            changes={"from": source.key, "into": target.key, "terms": moved},
        )
        source.delete()
        _bump(taxonomy)
    return target


def split_theme(*, scope: Scope, theme: Theme, name: str, term_ids: list[int]) -> Theme:
    """A new theme beside `theme` (same parent) taking the chosen keywords and examples."""
    _require_editable(scope, theme.taxonomy)
    terms = list(theme.terms.filter(pk__in=term_ids).exclude(kind=TermKind.LABEL))
    if not terms or len(terms) != len(set(term_ids)):
        raise InvalidInput("Choose keywords or examples of this theme to move.", "term_ids")
    with transaction.atomic():
        created = create_theme(
            scope=scope,
            taxonomy=theme.taxonomy,
            name=name,
            parent=theme.parent,
            position=theme.position + 1,
        )
        ThemeTerm.objects.filter(pk__in=[t.pk for t in terms]).update(theme=created)
        _bump(theme.taxonomy)
        record_audit(
            actor=scope,
            action="textanalytics.theme.split",
            target=created,
            changes={"from": theme.key, "terms": [t.text for t in terms]},
        )
    return created


def accept_suggestion(
    *,
    scope: Scope,
    taxonomy: Taxonomy,
    name: str,
    keywords: dict[str, list[str]],
    parent: Theme | None = None,
) -> Theme:
    """A suggested theme made real: named, with the suggested keywords in each language."""
    _require_editable(scope, taxonomy)
    wanted = {
        language: [w for w in dict.fromkeys(" ".join(k.split()) for k in words) if w]
        for language, words in keywords.items()
    }
    unknown = [language for language in wanted if language not in Language.values]
    if unknown:
        raise InvalidInput(f"Language is one of {', '.join(Language.values)}.", "keywords")
    if not any(wanted.values()):
        raise InvalidInput("A suggested theme needs at least one keyword.", "keywords")
    with transaction.atomic():
        theme = create_theme(scope=scope, taxonomy=taxonomy, name=name, parent=parent)
        for language, words in wanted.items():
            for word in words[:20]:
                add_term(scope=scope, theme=theme, language=language, kind="keyword", text=word)
        record_audit(
            actor=scope,
            action="textanalytics.theme.accept",
            target=theme,
            changes={"keywords": wanted},
        )
    return theme


def live_matches(
    scope: Scope, theme: Theme, *, language: str = "", kind: str = "", text: str = ""
) -> dict[str, Any]:
    """The recent comments (matched against this theme's taxonomy, in the member's units)
    that the theme matches once the draft keyword or example is added; `new`: those it did
    not match before."""
    scope.require(Capability.CONFIGURE)
    scope.require(Capability.READ_RECORDS)
    text = " ".join((text or "").split())
    draft = bool(text)
    if draft:
        if language not in Language.values:
            raise InvalidInput(f"Language is one of {', '.join(Language.values)}.", "language")
        if kind not in (TermKind.KEYWORD, TermKind.EXAMPLE):
            raise InvalidInput("Kind is keyword or example.", field="kind")
        if len(text) > (EXAMPLE_MAX if kind == TermKind.EXAMPLE else KEYWORD_MAX):
            raise InvalidInput("The text is too long.", field="text")
    specs = matching.specs_from_rows(selectors.themes_with_terms([theme.taxonomy_id]))
    if draft:
        specs = [_with_draft(s, language, kind, text) if s.key == theme.key else s for s in specs]
    matcher = ThemeMatcher(specs, "preview")
    recent = (
        selectors.analyses(scope)
        .filter(taxonomy_id=theme.taxonomy_id)
        .order_by("-response_id")
        .only("pk", "text", "language", "sentences")[:PREVIEW_SAMPLE]
    )
    found: list[dict[str, Any]] = []
    looked_at = 0
    for row in recent:
        looked_at += 1
        for sentence in row.sentences or []:
            part = row.text[sentence["start"] : sentence["end"]]
            hits = matcher.match(fold(unmasked_words(part), row.language), row.language)
            if any(hit.key == theme.key for hit in hits):
                before = theme.key in (sentence.get("themes") or [])
                found.append({"row": row, "sentence": sentence, "new": not before})
                break
    return {
        "looked_at": looked_at,
        "matched": len(found),
        "new": sum(1 for f in found if f["new"]),
        "matches": sorted(found, key=lambda f: not f["new"])[:PREVIEW_SHOWN],
    }


def _with_draft(spec: ThemeSpec, language: str, kind: str, text: str) -> ThemeSpec:
    if kind == TermKind.KEYWORD:
        keywords = dict(spec.keywords)
        keywords[language] = (*keywords.get(language, ()), text)
        return replace(spec, keywords=keywords)
    examples = dict(spec.examples)
    examples[language] = (*examples.get(language, ()), text)
    return replace(spec, examples=examples)
