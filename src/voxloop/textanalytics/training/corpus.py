"""The training corpus of the sentiment model, from sources whose licence allows shipping what
is learnt from them (docs/textanalytics.md lists each with its licence):

- the project-written lexicons and neutral sentences in `training/corpus/` (this project);
- the English "Sentiment Labelled Sentences" (Kotzias et al. 2015, UCI, CC BY 4.0) and the
  Women's E-Commerce Clothing Reviews (Kaggle, CC0), their *dev* half only (see `split_of`):
  the other half is the published English test;
- optionally, teacher labels (`training.teacher`) on project-generated sentences.

The Chinese and Romanian review sets are research-only / non-commercial: they are never read
here, only by `voxloop text evaluate`.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

LANGUAGES = ("en", "zh-hans", "ja", "ro")


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    label: str  # negative | neutral | positive
    weight: float
    source: str


def split_of(text: str) -> str:
    """'dev' or 'test', fixed by the text itself, so every run and every reader agree which
    rows may guide the model and which are only ever reported."""
    return "dev" if zlib.crc32(text.strip().encode("utf-8")) % 2 == 0 else "test"


def _corpus_file(name: str) -> list[str]:
    path = resources.files("voxloop.textanalytics.training").joinpath("corpus", name)
    return [
        line.strip()
        for line in path.read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def lexicon(language: str) -> list[tuple[int, str]]:
    entries = []
    for line in _corpus_file(f"lexicon-{language}.txt"):
        weight, term = line.split(" ", 1)
        entries.append((int(weight), term.strip()))
    return entries


def neutral(language: str) -> tuple[list[str], list[str]]:
    aspects, sentences = [], []
    for line in _corpus_file(f"neutral-{language}.txt"):
        if line.startswith("aspect:"):
            aspects.append(line.split(":", 1)[1].strip())
        else:
            sentences.append(line)
    return aspects, sentences


# How a lexicon entry is said of an aspect; {a} aspect, {x} entry.
TEMPLATES = {
    "en": ("{x}", "{a} was {x}", "{a} is {x}.", "really {x}", "{x}, {a} too"),
    "zh-hans": ("{x}", "{a}{x}", "{a}真的{x}", "觉得{a}{x}。", "{x}，{a}也是"),
    "ja": ("{x}", "{a}が{x}", "{a}は{x}です。", "{x}。", "本当に{x}"),
    "ro": ("{x}", "{a} a fost {x}", "{a} este {x}.", "chiar {x}", "{x}, și {a}"),
}
NEGATED = {
    "en": ("{a} was not {x}", "not {x}", "{a} isn't {x} at all"),
    "zh-hans": ("{a}不{x}", "不{x}", "{a}一点也不{x}"),
    "ro": ("{a} nu a fost {x}", "nu e {x}", "{a} nu este deloc {x}"),
}
POLARITY = {1: "positive", 2: "positive", -1: "negative", -2: "negative"}


def _negatable(language: str, term: str) -> bool:
    if language == "zh-hans":
        return len(term) <= 2 and term[0] not in "不没很太非超好差"
    return " " not in term and len(term) > 2


def project_examples(rng: random.Random) -> Iterator[Example]:
    for language in LANGUAGES:
        aspects, sentences = neutral(language)
        for weight, term in lexicon(language):
            label = POLARITY[weight]
            strength = 1.0 + 0.5 * (abs(weight) - 1)
            for template in TEMPLATES[language]:
                text = template.format(a=rng.choice(aspects), x=term)
                yield Example(text, language, label, strength, "lexicon")
            if language in NEGATED and _negatable(language, term):
                flipped = "negative" if label == "positive" else "positive"
                for template in NEGATED[language]:
                    text = template.format(a=rng.choice(aspects), x=term)
                    # "not bad" is faint praise, "not good" a real complaint.
                    yield Example(text, language, flipped, 1.0 if weight > 0 else 0.4, "negated")
        for sentence in sentences:
            yield Example(sentence, language, "neutral", 2.0, "neutral")
        yield from sentence_examples(language)
        for aspect in aspects:
            yield Example(aspect, language, "neutral", 0.3, "neutral")


def sentence_examples(language: str) -> Iterator[Example]:
    for line in _corpus_file(f"sentences-{language}.txt"):
        label, text = line.split("\t", 1)
        yield Example(text, language, label, 3.0, "sentences")


def testdata_root() -> Path | None:
    import os

    for candidate in (
        os.environ.get("VOXLOOP_TESTDATA"),
        "/work/shared/testdata",
        Path(__file__).resolve().parents[4] / "shared" / "testdata",
        Path(__file__).resolve().parents[5] / "shared" / "testdata",
    ):
        if candidate and Path(candidate, "reviews-en").is_dir():
            return Path(candidate)
    return None


def english_dev_examples() -> Iterator[Example]:
    """The dev half of the English sets whose licences allow training (CC BY 4.0, CC0)."""
    from voxloop.textanalytics.evaluation import read_labelled

    root = testdata_root()
    if root is None:
        return
    for name in (
        "amazon_cells_labelled.txt",
        "yelp_labelled.txt",
        "Womens Clothing E-Commerce Reviews.csv",
    ):
        for item in read_labelled(root / "reviews-en" / name):
            if split_of(item.text) == "dev":
                weight = 0.5 if item.label == "neutral" else 1.0
                yield Example(item.text, "en", item.label, weight, name)
