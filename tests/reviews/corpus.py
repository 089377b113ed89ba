"""Labelled reviews from the shared test data (read in place, never copied): a few per
language to put into the fake providers' payloads."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache

from tests.textanalytics.support import shared_testdata


@dataclass(frozen=True)
class Sample:
    text: str
    stars: int  # from the label: 1 for negative, 5 for positive (ro: its own star rating)
    title: str = ""
    language: str = ""


@cache
def samples(language: str, n: int = 6) -> tuple[Sample, ...]:
    root = shared_testdata()
    found: list[Sample] = []
    if language == "en":
        with open(root / "reviews-en" / "yelp_labelled.txt", encoding="utf-8") as f:
            for line in f:
                text, label = line.rstrip("\n").rsplit("\t", 1)
                found.append(Sample(text.strip(), 5 if label.strip() == "1" else 1, "", "en"))
    elif language == "zh":
        with open(root / "reviews-zh" / "waimai_10k.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        # Both labels: the file is sorted by label.
        picked = rows[: n // 2] + rows[-(n - n // 2) :]
        found = [Sample(r["review"], 5 if r["label"] == "1" else 1, "", "zh") for r in picked]
    elif language == "ro":
        data = json.loads((root / "reviews-ro" / "laroseda_test.json").read_text("utf-8"))
        found = [
            Sample(r["content"], int(r["starRating"]), r["title"], "ro") for r in data["reviews"]
        ]
    elif language == "ja":
        with open(
            root / "reviews-ja" / "quasi_hotel.VanillaUtterance.jsonl", encoding="utf-8"
        ) as f:
            for line in f:
                doc = json.loads(line)
                text = "".join(u["text"] for u in doc["utterances"])[:400]
                found.append(Sample(text, 4, "", "ja"))
                if len(found) >= n:
                    break
    return tuple(found[:n])
