"""`voxloop text evaluate`: accuracy and macro-F1 per language on labelled files.

Files are read in the formats the project's test sets come in (UCI sentences, CSV with a
label and a text column, a zip of one, LaRoSeDa's JSON, and our own TSV `label<TAB>text`).
Three classes are scored where a file has neutral items; otherwise positive vs negative, each
comment taking the side of its score."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from voxloop.errors import InvalidInput
from voxloop.textanalytics.engine.pipeline import FastAnalyzer

LABELS = ("negative", "neutral", "positive")
TEXT_COLUMNS = ("text", "review", "review text", "content", "comment")
LABEL_COLUMNS = ("label", "sentiment", "rating", "starrating", "stars")
FOLDER_LANGUAGE = {
    "reviews-en": "en",
    "reviews-zh": "zh-hans",
    "reviews-ro": "ro",
    "reviews-ja": "ja",
}


@dataclass(frozen=True)
class Labelled:
    text: str
    label: str
    language: str = ""


def _label(value: str, column: str) -> str:
    value = value.strip().lower()
    if value in LABELS:
        return value
    if value == "mixed":
        return value
    if value in {"pos", "neg", "neu"}:
        return {"pos": "positive", "neg": "negative", "neu": "neutral"}[value]
    if column in {"rating", "starrating", "stars"}:
        stars = int(float(value))
        return "negative" if stars <= 2 else "neutral" if stars == 3 else "positive"
    if value in {"0", "1"}:
        return "positive" if value == "1" else "negative"
    raise InvalidInput(f"Unknown label {value!r}.", field="label")


def _from_rows(rows: Iterable[dict], language: str) -> Iterator[Labelled]:
    for row in rows:
        keys = {k.strip().lower(): k for k in row if k}
        label_key = next((keys[c] for c in LABEL_COLUMNS if c in keys), None)
        text_keys = [keys[c] for c in ("title",) if c in keys]
        text_key = next((keys[c] for c in TEXT_COLUMNS if c in keys), None)
        if label_key is None or text_key is None:
            raise InvalidInput("A CSV needs a label (or rating) and a text column.", field="file")
        parts = [row.get(k) or "" for k in (*text_keys, text_key)]
        text = ". ".join(p.strip() for p in parts if p and p.strip())
        if text and (row.get(label_key) or "").strip():
            yield Labelled(text, _label(row[label_key], label_key.strip().lower()), language)


def _named(name: str) -> str:
    """The language a file's name starts with ("zh-hant-labelled.tsv" → zh-hant)."""
    for code in ("zh-hans", "zh-hant", "en", "ja", "ro"):
        if name.lower().startswith(code + "-") or name.lower().startswith(code + "_"):
            return code
    return ""


def read_labelled(path: Path, language: str = "") -> list[Labelled]:
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"No such file: {path}", field="file")
    language = language or FOLDER_LANGUAGE.get(path.parent.name, "") or _named(path.name)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            name = next(n for n in archive.namelist() if n.endswith(".csv"))
            with archive.open(name) as fh:
                return list(_from_rows(csv.DictReader(io.TextIOWrapper(fh, "utf-8")), language))
    if suffix == ".json":
        data = json.loads(path.read_text("utf-8"))
        rows = data.get("reviews", data) if isinstance(data, dict) else data
        return list(_from_rows(rows, language))
    text = path.read_text("utf-8-sig")
    if suffix == ".csv":
        return list(_from_rows(csv.DictReader(io.StringIO(text)), language))
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if "\t" not in line:
            raise InvalidInput(f"Line {number} has no tab between text and label.", field="file")
        left, right = line.split("\t", 1)
        # UCI puts the label last, our own files first.
        if right.strip() in {"0", "1"}:
            items.append(Labelled(left.strip(), _label(right, "label"), language))
        else:
            items.append(Labelled(right.strip(), _label(left, "label"), language))
    return items


@dataclass
class Scores:
    language: str
    classes: tuple[str, ...]
    n: int = 0
    correct: int = 0
    confusion: dict = field(default_factory=lambda: defaultdict(int))
    # Comments labelled "mixed" are not in the classes; counted is how many had both a
    # positive and a negative sentence found in them.
    mixed: int = 0
    mixed_found: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def macro_f1(self) -> float:
        f1s = []
        for c in self.classes:
            tp = self.confusion[(c, c)]
            fp = sum(v for (gold, pred), v in self.confusion.items() if pred == c and gold != c)
            fn = sum(v for (gold, pred), v in self.confusion.items() if gold == c and pred != c)
            f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        return sum(f1s) / len(f1s)


@dataclass(frozen=True)
class Prediction:
    label: str
    score: float
    both: bool = False  # a positive and a negative sentence in the same comment


def score(
    items: list[Labelled],
    predict: Callable[[list[Labelled]], list[Prediction]],
    language: str,
) -> Scores:
    """Score one file: three classes if any item is neutral, else positive vs negative;
    items labelled "mixed" count towards `mixed_found` when both sides were found."""
    three = any(item.label == "neutral" for item in items)
    result = Scores(language, LABELS if three else ("negative", "positive"))
    for item, found in zip(items, predict(items), strict=True):
        if item.label == "mixed":
            result.mixed += 1
            result.mixed_found += found.both
            continue
        predicted = found.label if three else ("positive" if found.score >= 0 else "negative")
        result.n += 1
        result.correct += predicted == item.label
        result.confusion[(item.label, predicted)] += 1
    return result


def predictor(engine: FastAnalyzer) -> Callable[[list[Labelled]], list[Prediction]]:
    """`score`'s predict for an analyzer: each item read in its file's language."""

    def predict(items: list[Labelled]) -> list[Prediction]:
        out = []
        for item in items:
            found = engine.analyse_one(item.text, item.language)
            sides = {part.sentiment for part in found.sentences}
            out.append(Prediction(found.sentiment, found.score, {"positive", "negative"} <= sides))
        return out

    return predict
