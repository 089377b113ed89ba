"""Analysing responses' comments and storing what was found (system services: they run in
tasks and `voxloop text backfill`, never for a person, so they take no scope).

Idempotent: a comment is analysed again only when its text, the engine's model version or
its taxonomy's version differs from what is stored, so a backfill interrupted at any point
simply carries on where it stopped."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from voxloop.responses.selectors import ids_for_counting, rows_for_counting
from voxloop.surveys.selectors import text_question_keys
from voxloop.textanalytics import matching, selectors
from voxloop.textanalytics.engine.pii import Masker
from voxloop.textanalytics.engine.pipeline import Analysis, Analyzer, FastAnalyzer
from voxloop.textanalytics.models import CommentAnalysis, CommentTheme, Taxonomy, Theme
from voxloop.textanalytics.services import settings_for

CHUNK = 500


@dataclass(frozen=True)
class Comment:
    response_id: int
    organization_id: int
    unit_path: str
    locale: str
    question_key: str
    text: str

    @property
    def digest(self) -> str:
        return digest(text=self.text)


def digest(*, text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def masker() -> Masker:
    """The personal-data masker named by settings.TEXT_PII_MASKER (the privacy module's, once
    it is wired; the engine's basic one until then)."""
    return import_string(settings.TEXT_PII_MASKER)


@cache
def _analyzer(languages: tuple[str, ...], masker_path: str, light: bool = False) -> FastAnalyzer:
    return FastAnalyzer(
        languages=languages,
        masker=import_string(masker_path),
        with_keywords=not light,
        with_cues=not light,
    )


def core_analyzer_for(*, organization_id: int) -> FastAnalyzer:
    """The organisation's offline analyzer reading only language, sentiment and themes (no
    keywords, intents, emotions or language-model summary): the same values for those as
    `analyzer_for`, at about two thirds of the time, for texts that keep nothing else."""
    chosen = settings_for(organization_id=organization_id)
    return _analyzer(chosen.language_list, settings.TEXT_PII_MASKER, light=True)


def analyzer_for(*, organization_id: int) -> Analyzer:
    """The organisation's analyzer: the offline one, wrapped by its own language model
    endpoint for summaries when it turned that on."""
    chosen = settings_for(organization_id=organization_id)
    engine = _analyzer(chosen.language_list, settings.TEXT_PII_MASKER)
    if chosen.llm_enabled and chosen.llm_base_url and chosen.llm_model:
        from voxloop.textanalytics.engine.llm import OpenAICompatibleSummaries
        from voxloop.textanalytics.outbound import post_json

        return OpenAICompatibleSummaries(
            engine, chosen.llm_base_url, chosen.llm_model, chosen.llm_api_key, post_json
        )
    return engine


def comments_in(*, rows: Iterable[dict]) -> list[Comment]:
    rows = list(rows)
    keys = text_question_keys({row["survey_id"] for row in rows})
    found = []
    for row in rows:
        answers = row.get("answers") or {}
        for key in keys.get(row["survey_id"], ()):
            value = answers.get(key)
            if isinstance(value, str) and value.strip():
                found.append(
                    Comment(
                        row["id"],
                        row["organization_id"],
                        row["unit_path"] or "",
                        row["locale"] or "",
                        key,
                        value,
                    )
                )
    return found


class _Taxonomies:
    """The taxonomy for each unit path of one organisation, looked up once per path."""

    def __init__(self, organization_id: int) -> None:
        self.all = selectors.taxonomies_of(organization_id)
        self._by_path: dict[str, Taxonomy | None] = {}

    def for_path(self, unit_path: str) -> Taxonomy | None:
        if unit_path not in self._by_path:
            best = None
            for taxonomy in self.all:
                path = taxonomy.unit.path if taxonomy.unit is not None else ""
                if unit_path.startswith(path) and (best is None or len(path) > best[0]):
                    best = (len(path), taxonomy)
            self._by_path[unit_path] = best[1] if best else None
        return self._by_path[unit_path]


def _stored(comments: list[Comment]) -> dict[tuple[int, str], tuple]:
    ids = {c.response_id for c in comments}
    rows = CommentAnalysis.objects.filter(response_id__in=ids).values_list(
        "response_id",
        "question_key",
        "source_digest",
        "model_version",
        "taxonomy_id",
        "taxonomy_version",
    )
    return {(r[0], r[1]): r[2:] for r in rows}


def analyse_comments(*, comments: list[Comment], force: bool = False) -> int:
    """Analyse and store these comments (all of one organisation or many); returns how many
    were (re)analysed, skipping those whose stored result is current."""
    by_org: dict[int, list[Comment]] = {}
    for comment in comments:
        by_org.setdefault(comment.organization_id, []).append(comment)
    done = 0
    for organization_id, group in by_org.items():
        done += _analyse_org(organization_id, group, force)
    return done


def _analyse_org(organization_id: int, comments: list[Comment], force: bool) -> int:
    engine = analyzer_for(organization_id=organization_id)
    taxonomies = _Taxonomies(organization_id)
    stored = {} if force else _stored(comments)
    todo: list[tuple[Comment, Taxonomy | None]] = []
    for comment in comments:
        taxonomy = taxonomies.for_path(comment.unit_path)
        current = (
            comment.digest,
            engine.version,
            taxonomy.pk if taxonomy else None,
            taxonomy.version if taxonomy else 0,
        )
        if stored.get((comment.response_id, comment.question_key)) != current:
            todo.append((comment, taxonomy))
    if not todo:
        return 0
    results = [
        engine.analyse_one(comment.text, comment.locale, matching.matcher_for(taxonomy))
        for comment, taxonomy in todo
    ]
    store(todo=todo, results=results)
    return len(todo)


def store(*, todo: list[tuple[Comment, Taxonomy | None]], results: list[Analysis]) -> None:
    now = timezone.now()
    theme_ids: dict[int, dict[str, int]] = {}
    for _, taxonomy in todo:
        if taxonomy is not None and taxonomy.pk not in theme_ids:
            theme_ids[taxonomy.pk] = dict(
                Theme.objects.filter(taxonomy=taxonomy).values_list("key", "pk")
            )
    rows = []
    for (comment, taxonomy), result in zip(todo, results, strict=True):
        rows.append(
            CommentAnalysis(
                organization_id=comment.organization_id,
                response_id=comment.response_id,
                question_key=comment.question_key,
                text=result.text,
                source_digest=comment.digest,
                language=result.language,
                sentiment=result.sentiment,
                score=result.score,
                mixed=result.mixed,
                sentences=[
                    {
                        "start": s.start,
                        "end": s.end,
                        "sentiment": s.sentiment,
                        "score": s.score,
                        "themes": s.themes,
                        "intents": s.intents,
                    }
                    for s in result.sentences
                ],
                keywords=result.keywords,
                intents=result.intents,
                emotions=result.emotions,
                summary=result.summary,
                model_version=result.model_version,
                taxonomy=taxonomy,
                taxonomy_version=taxonomy.version if taxonomy else 0,
                analysed_at=now,
            )
        )
    by_key: dict[str, list[int]] = {}
    for comment, _ in todo:
        by_key.setdefault(comment.question_key, []).append(comment.response_id)
    with transaction.atomic():
        for key, response_ids in by_key.items():  # usually one or two questions
            CommentAnalysis.objects.filter(response_id__in=response_ids, question_key=key).delete()
        created = CommentAnalysis.objects.bulk_create(rows, batch_size=CHUNK)
        mentions = []
        for row, result, (_, taxonomy) in zip(created, results, todo, strict=True):
            ids = theme_ids.get(taxonomy.pk, {}) if taxonomy else {}
            for found in result.themes:
                if found.key in ids:
                    mentions.append(
                        CommentTheme(
                            analysis_id=row.pk,
                            organization_id=row.organization_id,
                            theme_id=ids[found.key],
                            sentiment=found.sentiment,
                            score=found.score,
                            confidence=found.confidence,
                            matched_by=found.matched_by,
                        )
                    )
        CommentTheme.objects.bulk_create(mentions, batch_size=CHUNK)
    if created:
        from voxloop.textanalytics import embeddings

        embeddings.embed_later([row.pk for row in created if row.pk])


def analyse_responses(*, response_ids: Iterable[int], force: bool = False) -> int:
    """Analyse the comments of these (completed) responses."""
    return analyse_comments(
        comments=comments_in(rows=rows_for_counting(list(response_ids))), force=force
    )


def backfill(
    *,
    organization_id: int,
    force: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
) -> tuple[int, int]:
    """Analyse every comment of the organisation whose stored result is missing or stale.
    Returns (responses looked at, comments analysed)."""
    from voxloop.responses.selectors import count_for_counting

    total = count_for_counting(organization_id)
    seen = analysed = 0
    for ids in ids_for_counting(organization_id, chunk=CHUNK):
        analysed += analyse_responses(response_ids=ids, force=force)
        seen += len(ids)
        if progress:
            progress(seen, total, analysed)
    return seen, analysed
