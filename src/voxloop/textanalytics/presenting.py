"""One analysis as `voxloop text analyze` prints it and `POST /api/v1/text/analyze` returns
it: the same keys in both, so a script can switch between them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from voxloop.textanalytics.engine.pipeline import Analysis

if TYPE_CHECKING:
    from voxloop.textanalytics.models import Theme


def public(result: Analysis) -> dict:
    return {
        "language": result.language,
        "sentiment": result.sentiment,
        "score": result.score,
        "mixed": result.mixed,
        "themes": [
            {
                "key": theme.key,
                "name": theme.name,
                "path": theme.path,
                "sentiment": theme.sentiment,
                "score": theme.score,
                "confidence": theme.confidence,
                "matched_by": theme.matched_by,
            }
            for theme in result.themes
        ],
        "sentences": [
            {
                "text": sentence.text,
                "start": sentence.start,
                "end": sentence.end,
                "sentiment": sentence.sentiment,
                "score": sentence.score,
                "themes": sentence.themes,
                "intents": sentence.intents,
            }
            for sentence in result.sentences
        ],
        "keywords": result.keywords,
        "intents": result.intents,
        "emotions": result.emotions,
        "supported": result.supported,
        "model_version": result.model_version,
        "taxonomy_version": result.taxonomy_version,
    }


def theme_out(theme: Theme) -> dict:
    """A theme with its terms, as the API returns it."""
    return {
        "id": theme.pk,
        "key": theme.key,
        "name": theme.name,
        "parent_id": theme.parent_id,
        "position": theme.position,
        "terms": [
            {"id": t.pk, "language": t.language, "kind": t.kind, "text": t.text}
            for t in theme.terms.all()
        ],
    }
