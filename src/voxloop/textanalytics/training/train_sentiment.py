"""Train the fast sentiment model and write `model/sentiment.npz`.

    python -m voxloop.textanalytics.training.train_sentiment [--teacher FILE] [--out PATH]

Needs scipy (a development dependency); the product only reads the weights. Deterministic:
the same corpus gives the same weights."""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

import numpy as np

from voxloop.textanalytics.engine.features import features
from voxloop.textanalytics.engine.lexicon import Lexicon
from voxloop.textanalytics.engine.sentiment import LABELS, MODEL_FILE, SentimentModel
from voxloop.textanalytics.engine.text import fold
from voxloop.textanalytics.training.corpus import (
    LANGUAGES,
    Example,
    english_dev_examples,
    lexicon,
    project_examples,
)

VERSION = "fast-sentiment-1"
LEXICON_SOURCES = frozenset({"lexicon", "negated", "teacher-words"})
L2 = 2.0
MIN_WEIGHT = 0.01


def read_teacher(path: Path) -> list[Example]:
    out = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#") or line.count("\t") < 3:
            continue
        language, label, weight, text = line.split("\t", 3)
        source = "teacher-words" if len(text) <= 6 else "teacher"
        out.append(Example(text, language, label, float(weight), source))
    return out


def corpus(teachers: list[Path]) -> tuple[list[Example], list[Example]]:
    rng = random.Random(20261206)
    examples = list(project_examples(rng)) + list(english_dev_examples())
    taught = [example for path in teachers for example in read_teacher(path)]
    return examples + taught, taught


def build_lexicon(teacher: list[Example]) -> dict[str, int]:
    """Every lexicon term (folded) with its polarity: the project's, then the teacher's words
    where the project says nothing."""
    entries: dict[str, int] = {}
    for language in LANGUAGES:
        for weight, term in lexicon(language):
            entries.setdefault(fold(term, language), 1 if weight > 0 else -1)
    for example in teacher:
        if example.label != "neutral" and len(example.text) <= 6:
            entries.setdefault(
                fold(example.text, example.language), 1 if example.label == "positive" else -1
            )
    return entries


def train(
    examples: list[Example], entries: dict[str, int], l2: float = L2
) -> tuple[list[str], np.ndarray, np.ndarray]:
    from scipy import sparse
    from scipy.optimize import minimize

    featuriser = SentimentModel({}, [], (0, 0, 0), "", Lexicon(entries))
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, ex in enumerate(examples):
        language = "zh-hans" if ex.language.startswith("zh") else ex.language
        folded = fold(ex.text, language)
        # A lexicon entry's own example would make its lexicon feature a perfect (and so
        # overweighted) predictor: lexicon features are learnt from sentences only.
        if ex.source in LEXICON_SOURCES:
            names = list(dict.fromkeys(features(folded, language)))
        else:
            names = featuriser.featurise(folded, language)
        for name in names:
            j = vocabulary.setdefault(name, len(vocabulary))
            rows.append(i)
            cols.append(j)
    # Duplicate (row, column) pairs add up: lexicon hits count each time, as in `logits`.
    X = sparse.csr_matrix(
        (np.ones(len(rows), np.float64), (rows, cols)), shape=(len(examples), len(vocabulary))
    )
    y = np.array([LABELS.index(ex.label) for ex in examples])
    # Each source counts in proportion to its weight, and each label evenly within it.
    sw = np.array([ex.weight for ex in examples], np.float64)
    counts = Counter(ex.label for ex in examples)
    # Balanced by the square root: rare neutral examples must not turn every word they hold
    # ("the", "staff") into a strong sign of neutrality.
    sw *= np.array([np.sqrt(len(examples) / (3 * counts[ex.label])) for ex in examples])
    sw /= sw.mean()
    Y = np.zeros((len(examples), 3))
    Y[np.arange(len(examples)), y] = 1
    n, d = X.shape

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        W = flat[: d * 3].reshape(d, 3)
        b = flat[d * 3 :]
        Z = X @ W + b
        Z -= Z.max(axis=1, keepdims=True)
        P = np.exp(Z)
        P /= P.sum(axis=1, keepdims=True)
        value = -np.sum(sw * np.log(P[np.arange(n), y] + 1e-12)) / n + 0.5 * l2 / n * np.sum(W * W)
        G = (P - Y) * sw[:, None] / n
        gW = X.T @ G + l2 / n * W
        return value, np.concatenate([gW.ravel(), G.sum(axis=0)])

    result = minimize(
        loss, np.zeros(d * 3 + 3), jac=True, method="L-BFGS-B", options={"maxiter": 500}
    )
    W = result.x[: d * 3].reshape(d, 3)
    b = result.x[d * 3 :]
    names = [""] * d
    for name, j in vocabulary.items():
        names[j] = name
    keep = np.abs(W - W.mean(axis=1, keepdims=True)).max(axis=1) >= MIN_WEIGHT
    return [names[j] for j in np.flatnonzero(keep)], W[keep], b


def save(path: Path, names: list[str], W: np.ndarray, b: np.ndarray, entries: dict) -> None:
    order = np.argsort(names)
    names = [names[i] for i in order]
    terms = sorted(entries)
    with path.open("wb") as fh:
        np.savez_compressed(
            fh,
            features=np.frombuffer("\n".join(names).encode("utf-8"), np.uint8),
            weights=W[order].astype(np.float16),
            bias=b.astype(np.float32),
            version=np.array(VERSION),
            lexicon_terms=np.frombuffer("\n".join(terms).encode("utf-8"), np.uint8),
            lexicon_polarity=np.array([entries[t] for t in terms], np.int8),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teacher", type=Path, action="append", default=[])
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / MODEL_FILE)
    args = parser.parse_args()
    examples, taught = corpus(args.teacher)
    print(f"{len(examples)} examples", Counter((e.language, e.label) for e in examples))
    entries = build_lexicon(taught)
    names, W, b = train(examples, entries, args.l2)
    save(args.out, names, W, b, entries)
    print(f"{len(names)} features → {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
