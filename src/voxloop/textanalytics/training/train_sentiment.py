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
from voxloop.textanalytics.engine.sentiment import LABELS, MODEL_FILE
from voxloop.textanalytics.engine.text import fold
from voxloop.textanalytics.training.corpus import (
    Example,
    english_dev_examples,
    project_examples,
)

VERSION = "fast-sentiment-1"
L2 = 1.0
MIN_WEIGHT = 0.01


def read_teacher(path: Path) -> list[Example]:
    out = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#"):
            continue
        language, label, weight, text = line.split("\t", 3)
        out.append(Example(text, language, label, float(weight), "teacher"))
    return out


def corpus(teacher: Path | None) -> list[Example]:
    rng = random.Random(20261206)
    examples = list(project_examples(rng)) + list(english_dev_examples())
    if teacher:
        examples += read_teacher(teacher)
    return examples


def train(examples: list[Example], l2: float = L2):
    from scipy import sparse
    from scipy.optimize import minimize

    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, ex in enumerate(examples):
        language = "zh-hans" if ex.language.startswith("zh") else ex.language
        for name in set(features(fold(ex.text, language), language)):
            j = vocabulary.setdefault(name, len(vocabulary))
            rows.append(i)
            cols.append(j)
    X = sparse.csr_matrix(
        (np.ones(len(rows), np.float64), (rows, cols)), shape=(len(examples), len(vocabulary))
    )
    y = np.array([LABELS.index(ex.label) for ex in examples])
    # Each source counts in proportion to its weight, and each label evenly within it.
    sw = np.array([ex.weight for ex in examples], np.float64)
    counts = Counter(ex.label for ex in examples)
    sw *= np.array([len(examples) / (3 * counts[ex.label]) for ex in examples])
    sw /= sw.mean()
    Y = np.zeros((len(examples), 3))
    Y[np.arange(len(examples)), y] = 1
    n, d = X.shape

    def loss(flat):
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
    names = [None] * d
    for name, j in vocabulary.items():
        names[j] = name
    keep = np.abs(W - W.mean(axis=1, keepdims=True)).max(axis=1) >= MIN_WEIGHT
    return [names[j] for j in np.flatnonzero(keep)], W[keep], b


def save(path: Path, names: list[str], W: np.ndarray, b: np.ndarray) -> None:
    order = np.argsort(names)
    names = [names[i] for i in order]
    with path.open("wb") as fh:
        np.savez_compressed(
            fh,
            features=np.frombuffer("\n".join(names).encode("utf-8"), np.uint8),
            weights=W[order].astype(np.float16),
            bias=b.astype(np.float32),
            version=np.array(VERSION),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teacher", type=Path)
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / MODEL_FILE)
    args = parser.parse_args()
    examples = corpus(args.teacher)
    print(f"{len(examples)} examples", Counter((e.language, e.label) for e in examples))
    names, W, b = train(examples, args.l2)
    save(args.out, names, W, b)
    print(f"{len(names)} features → {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
