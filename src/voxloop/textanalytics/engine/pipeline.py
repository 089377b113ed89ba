"""One comment in, one analysis out: language → personal data masked → sentences →
sentiment → themes → keywords → intents and emotions.

Every analyzer has the same shape (`Analyzer`): the default `FastAnalyzer` is offline and runs
inline; the embedding stage and an organisation's own OpenAI-compatible endpoint are optional
and add to its results. An analysis carries the versions that made it, so stored results
can be recomputed when the model or the taxonomy changes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import Protocol

from voxloop.textanalytics.engine import cues, language, sentences, sentiment
from voxloop.textanalytics.engine.keywords import keywords as extract_keywords
from voxloop.textanalytics.engine.pii import Masker, mask_basic, unmasked_words
from voxloop.textanalytics.engine.text import fold
from voxloop.textanalytics.engine.themes import Hit, ThemeMatcher

# Bump when a change to this code (not to the weights) changes results.
ENGINE_REVISION = "1"
MAX_CHARS = 5000
WHOLE_SHARE = 0.5


@dataclass(frozen=True)
class TextInput:
    text: str
    locale: str = ""


@dataclass
class SentenceResult:
    start: int
    end: int
    text: str
    sentiment: str
    score: float
    themes: list[str] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)


@dataclass
class ThemeResult:
    key: str
    name: str
    path: list[str]
    confidence: float
    matched_by: str
    sentiment: str
    score: float
    evidence: str = ""


@dataclass
class Analysis:
    text: str  # as analysed: personal data masked; sentence offsets point into it
    language: str
    sentiment: str
    score: float
    mixed: bool
    sentences: list[SentenceResult]
    themes: list[ThemeResult]
    keywords: list[str]
    intents: list[str]
    emotions: list[str]
    model_version: str
    taxonomy_version: str = ""
    supported: bool = True
    summary: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


class Analyzer(Protocol):
    """What every analyzer offers; `version` names everything that shapes its results."""

    name: str

    @property
    def version(self) -> str: ...

    def analyse(
        self, items: Sequence[TextInput], matcher: ThemeMatcher | None = None
    ) -> list[Analysis]: ...

    def analyse_one(
        self, text: str, locale: str = "", matcher: ThemeMatcher | None = None
    ) -> Analysis: ...


@cache
def _model_digest() -> str:
    data = resources.files("voxloop.textanalytics").joinpath(sentiment.MODEL_FILE).read_bytes()
    return hashlib.sha256(data).hexdigest()[:10]


def sentiment_label(score: float) -> str:
    if score > sentiment.NEUTRAL_BAND:
        return "positive"
    if score < -sentiment.NEUTRAL_BAND:
        return "negative"
    return "neutral"


class FastAnalyzer:
    """The default: linear sentiment over n-gram features, keyword and example themes,
    light keywords, cue intents; about a millisecond a comment on one core."""

    name = "fast"

    def __init__(
        self,
        languages: Sequence[str] = language.DEFAULT_LANGUAGES,
        masker: Masker = mask_basic,
        with_keywords: bool = True,
        with_cues: bool = True,
    ) -> None:
        self.languages = tuple(languages)
        self.masker = masker
        self.with_keywords = with_keywords
        # Intents and emotions (cues) and keywords never change language, sentiment or themes:
        # callers that keep only those (online reviews) skip them, a third of the work.
        self.with_cues = with_cues
        self.model = sentiment.default_model()

    @property
    def version(self) -> str:
        return f"{self.name}-{ENGINE_REVISION}/{self.model.version}@{_model_digest()}"

    def analyse(
        self, items: Sequence[TextInput], matcher: ThemeMatcher | None = None
    ) -> list[Analysis]:
        return [self.analyse_one(item.text, item.locale, matcher) for item in items]

    def analyse_one(
        self, text: str, locale: str = "", matcher: ThemeMatcher | None = None
    ) -> Analysis:
        text = (text or "")[:MAX_CHARS]
        lang = language.detect(text, locale, self.languages)
        text = self.masker(text, lang)
        supported = lang in language.SUPPORTED
        spans = sentences.split(text)
        parts: list[SentenceResult] = []
        scored: list[sentiment.SentenceSentiment] = []
        lengths: list[int] = []
        feature_lists: list[list[str]] = []
        weights: list[float] = []
        hits_by_theme: dict[str, list[tuple[Hit, float]]] = {}
        all_intents: list[str] = []
        all_emotions: list[str] = []
        for span in spans:
            folded = fold(unmasked_words(span.text), lang)
            if supported:
                names = self.model.featurise(folded, lang)
                feature_lists.append(names)
                result = self.model.judge(names)
            else:
                result = sentiment.SentenceSentiment("neutral", 0.0, (0.0, 1.0, 0.0))
            scored.append(result)
            lengths.append(len(span.text))
            weights.append(sentences.weight(span.text))
            part = SentenceResult(span.start, span.end, span.text, result.label, result.score)
            if matcher is not None:
                for hit in matcher.match(folded, lang):
                    part.themes.append(hit.key)
                    hits_by_theme.setdefault(hit.key, []).append((hit, result.score))
            if supported and self.with_cues:
                part.intents, feelings = cues.read(folded, span.text, lang, result.score)
                for name in feelings:
                    if name not in all_emotions:
                        all_emotions.append(name)
            for name in part.intents:
                if name not in all_intents:
                    all_intents.append(name)
            parts.append(part)
        label, score, mixed = sentiment.overall(scored, lengths, weights)
        if supported and len(spans) > 1:
            # The sentences' verdicts, and the comment read as one: long reviews weigh many
            # small remarks that only add up when seen together.
            whole = self.model.judge(sentiment.merged(feature_lists)).score
            score = round(WHOLE_SHARE * whole + (1 - WHOLE_SHARE) * score, 4)
            label = sentiment_label(score)
        return Analysis(
            text=text,
            language=lang,
            sentiment=label,
            score=score,
            mixed=mixed,
            sentences=parts,
            themes=self._themes(hits_by_theme, matcher, lang),
            keywords=extract_keywords(unmasked_words(text), lang)
            if self.with_keywords and supported
            else [],
            intents=all_intents,
            emotions=all_emotions,
            model_version=self.version,
            taxonomy_version=matcher.version if matcher is not None else "",
            supported=supported,
        )

    @staticmethod
    def _themes(
        hits_by_theme: dict[str, list[tuple[Hit, float]]], matcher: ThemeMatcher | None, lang: str
    ) -> list[ThemeResult]:
        if matcher is None:  # no theme was looked for
            return []
        out = []
        for key, found in hits_by_theme.items():
            best = max(found, key=lambda pair: pair[0].score)[0]
            mean = round(sum(score for _, score in found) / len(found), 4)
            spec = matcher.themes[key]
            out.append(
                ThemeResult(
                    key=key,
                    name=spec.label(lang),
                    path=matcher.path(key),
                    confidence=best.score,
                    matched_by=best.how,
                    sentiment=sentiment_label(mean),
                    score=mean,
                    evidence=best.evidence,
                )
            )
        out.sort(key=lambda theme: -theme.confidence)
        return out
