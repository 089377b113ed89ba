"""The fast sentiment model: a linear (softmax) model over `features`, shipped as weights in
the package (`model/sentiment-*.npz`, made by `training.train_sentiment`). Per sentence it
gives negative/neutral/positive probabilities; a comment's overall sentiment weighs its
sentences by how strongly each one speaks."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

import numpy as np

from voxloop.textanalytics.engine.features import features
from voxloop.textanalytics.engine.lexicon import Lexicon

LABELS = ("negative", "neutral", "positive")
MODEL_FILE = "model/sentiment.npz"
# |score| below this is "neutral" overall; a comment with a sentence above +MIXED and one
# below -MIXED is "mixed" (it keeps the label of its overall score).
NEUTRAL_BAND = 0.2
MIXED = 0.35


@dataclass(frozen=True)
class SentenceSentiment:
    label: str
    score: float  # P(positive) - P(negative), in -1…1
    probabilities: tuple[float, float, float]


class SentimentModel:
    def __init__(
        self,
        vocabulary: dict[str, int],
        weights: list[tuple[float, float, float]],
        bias: Iterable[float],
        version: str,
        lexicon: Lexicon | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.weights = weights
        # One lookup per feature: name → (negative, neutral, positive) weights.
        self.table = {name: weights[index] for name, index in vocabulary.items()}
        self.bias = tuple(float(b) for b in bias)
        self.version = version
        self.lexicon = lexicon or Lexicon({})

    def featurise(self, folded: str, language: str) -> list[str]:
        """Distinct n-grams, then every lexicon hit (repeats kept: see `logits`)."""
        return list(dict.fromkeys(features(folded, language))) + self.lexicon.features(
            folded, language
        )

    @classmethod
    def load(cls, path: Traversable | None = None) -> SentimentModel:
        source = path or resources.files("voxloop.textanalytics").joinpath(MODEL_FILE)
        with source.open("rb") as fh, np.load(fh) as data:
            names = bytes(data["features"]).decode("utf-8").split("\n")
            weights = data["weights"].astype(np.float32)
            bias = data["bias"].astype(np.float32)
            version = str(data["version"])
            terms = bytes(data["lexicon_terms"]).decode("utf-8").split("\n")
            polarity = data["lexicon_polarity"].tolist()
        vocabulary = {name: i for i, name in enumerate(names)}
        rows = [(float(n), float(o), float(p)) for n, o, p in weights.tolist()]
        lexicon = Lexicon(dict(zip(terms, polarity, strict=True)))
        return cls(vocabulary, rows, bias, version, lexicon)

    def logits(self, feature_names: list[str]) -> tuple[float, float, float]:
        """Features as `featurise` gives them: each distinct n-gram once, each lexicon hit
        every time it occurs (two complaints say more than one)."""
        n, u, p = self.bias
        get = self.table.get
        for name in feature_names:
            found = get(name)
            if found is not None:
                n += found[0]
                u += found[1]
                p += found[2]
        return n, u, p

    def sentence(self, folded: str, language: str) -> SentenceSentiment:
        return self.judge(self.featurise(folded, language))

    def judge(self, feature_names: list[str]) -> SentenceSentiment:
        """The sentiment of a bag of features (`featurise`'s, or several sentences' merged)."""
        n, u, p = self.logits(feature_names)
        top = max(n, u, p)
        en, eu, ep = math.exp(n - top), math.exp(u - top), math.exp(p - top)
        total = en + eu + ep
        probs = (en / total, eu / total, ep / total)
        label = LABELS[probs.index(max(probs))]
        return SentenceSentiment(label, round(probs[2] - probs[0], 4), probs)


def overall(
    parts: list[SentenceSentiment], lengths: list[int], emphasis: list[float] | None = None
) -> tuple[str, float, bool]:
    """A comment's label, score and whether it is mixed, from its sentences' results.

    Strong sentences count more than neutral ones (a review's facts should not dilute its
    verdict), longer ones a little more than short ones, and a part's `emphasis` (a verdict
    counts more than a hedge, see `sentences.weight`) multiplies its weight."""
    if not parts:
        return "neutral", 0.0, False
    emphasis = emphasis or [1.0] * len(parts)
    weighted = total = 0.0
    for part, length, stress in zip(parts, lengths, emphasis, strict=True):
        weight = (abs(part.score) + 0.05) * math.log2(2 + length) * stress
        weighted += weight * part.score
        total += weight
    score = round(weighted / total, 4) if total else 0.0
    mixed = max(p.score for p in parts) > MIXED and min(p.score for p in parts) < -MIXED
    if score > NEUTRAL_BAND:
        label = "positive"
    elif score < -NEUTRAL_BAND:
        label = "negative"
    else:
        label = "neutral"
    return label, score, mixed


@cache
def default_model() -> SentimentModel:
    return SentimentModel.load()


def merged(feature_lists: list[list[str]]) -> list[str]:
    """The features of several sentences read as one text: n-grams once, lexicon hits all."""
    grams: dict[str, None] = {}
    hits: list[str] = []
    for names in feature_lists:
        for name in names:
            if name.startswith("LEX"):
                hits.append(name)
            else:
                grams[name] = None
    return [*grams, *hits]
