"""Accuracy floors on the public review sets and on the project-written ja and zh-Hant sets.

The English sets are partly training data: only their *test* half (fixed by each text's own
hash, `training.corpus.split_of`) is scored here. The Chinese and Romanian sets are never
trained on (their licences allow evaluation only), yet the dev half guided the lexicons, so
their floors are held on the test half too. To keep the suite fast each file gives the same
share of its test rows (at least MIN_ITEMS), taken in a fixed order, so a language's pooled
figure weighs its files as the whole sets do; `voxloop text evaluate` scores every row."""

from __future__ import annotations

import zlib

import pytest

from tests.textanalytics.support import DATA, shared_testdata
from voxloop.textanalytics.engine.pipeline import FastAnalyzer
from voxloop.textanalytics.evaluation import predictor, read_labelled, score
from voxloop.textanalytics.training.corpus import split_of

SHARE = 0.15
MIN_ITEMS = 700
# Positive vs negative, pooled over each language's files.
FLOORS = {"en": 0.85, "zh-hans": 0.85, "ro": 0.85}
FILES = {
    "en": ["reviews-en/amazon_cells_labelled.txt", "reviews-en/yelp_labelled.txt"],
    "zh-hans": [
        "reviews-zh/ChnSentiCorp_htl_all.csv",
        "reviews-zh/waimai_10k.csv",
        "reviews-zh/online_shopping_10_cats.zip",
    ],
    "ro": ["reviews-ro/laroseda_test.json"],
}


@pytest.fixture(scope="module")
def engine():
    return FastAnalyzer(with_keywords=False)


def _test_half(path):
    items = [i for i in read_labelled(path) if split_of(i.text) == "test"]
    items.sort(key=lambda i: zlib.crc32(i.text.encode("utf-8")))
    return items[: max(MIN_ITEMS, int(len(items) * SHARE))]


@pytest.mark.parametrize("language", sorted(FLOORS))
def test_positive_vs_negative_floor(engine, language):
    root = shared_testdata()
    correct = total = 0
    for name in FILES[language]:
        result = score(_test_half(root / name), predictor(engine), language)
        assert len(result.classes) == 2
        correct += result.correct
        total += result.n
    assert correct / total >= FLOORS[language], (language, correct / total)


@pytest.mark.parametrize(
    ("name", "floor", "mixed_floor"),
    [("ja-labelled.tsv", 0.75, 0.5), ("zh-hant-labelled.tsv", 0.75, 0.5)],
)
def test_three_classes_on_project_written_sets(engine, name, floor, mixed_floor):
    items = read_labelled(DATA / name)
    assert len(items) >= 100
    assert {i.label for i in items} == {"positive", "negative", "neutral", "mixed"}
    result = score(items, predictor(engine), items[0].language)
    assert len(result.classes) == 3
    assert result.accuracy >= floor, result.accuracy
    assert result.mixed_found / result.mixed >= mixed_floor
