"""One analysis as `voxloop text analyze` prints it and `POST /api/v1/text/analyze` returns
it: the same keys in both, so a script can switch between them."""

from __future__ import annotations

from voxloop.textanalytics.engine.pipeline import Analysis


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
