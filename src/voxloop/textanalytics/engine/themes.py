"""Themes from an organisation's taxonomy: by keyword, and by likeness to the theme's example
sentences. Both are cheap enough for the inline path; the embedding stage (`embeddings.py`)
adds semantic likeness later, in batches.

Keywords are matched in folded text: anywhere for Chinese and Japanese, on word starts for
alphabetic languages, where a keyword of four letters or more also matches longer forms of
the word ("queue" → "queues", "personal" → "personalul"). Chinese keywords serve both
scripts (Traditional text is folded to Simplified characters first)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from voxloop.textanalytics.engine.features import features, words
from voxloop.textanalytics.engine.keywords import stopwords
from voxloop.textanalytics.engine.text import CJK_LANGUAGES, fold

PREFIX_MIN = 4
# Endings a keyword may take ("queue" → "queues", "personal" → "personalului").
MAX_ENDING = 5
SIMILAR = 0.45
MAX_CJK_KEYWORD = 10


@dataclass(frozen=True)
class ThemeSpec:
    key: str
    name: str
    parent: str = ""
    names: dict[str, str] = field(default_factory=dict)
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def label(self, language: str) -> str:
        return self.names.get(language) or self.name


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    how: str  # "keyword" | "example" | "embedding"
    evidence: str = ""


def _group(language: str) -> str:
    return "zh" if language.startswith("zh") else language


STOPWORDS = stopwords("en") | stopwords("ro")


class _LanguageIndex:
    def __init__(self, language: str) -> None:
        self.language = language
        self.cjk = language in CJK_LANGUAGES or language == "zh"
        self.exact: dict[str, set[str]] = defaultdict(set)  # CJK keyword → theme keys
        self.phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = defaultdict(list)
        self.first_chars: set[str] = set()
        self.max_len = 1
        self.example_keys: list[str] = []
        self.example_vectors: list[dict[str, float]] = []
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.idf: dict[str, float] = {}

    def add_keyword(self, keyword: str, key: str) -> None:
        folded = fold(keyword, self._fold_language).strip()
        if not folded:
            return
        if self.cjk:
            self.exact[folded].add(key)
            self.first_chars.add(folded[0])
            self.max_len = min(MAX_CJK_KEYWORD, max(self.max_len, len(folded)))
            return
        tokens = tuple(words(folded))
        if tokens:
            self.phrases[tokens[0][:PREFIX_MIN]].append((tokens, key, keyword))

    @property
    def _fold_language(self) -> str:
        return "zh-hans" if self.language == "zh" else self.language

    def _similarity_features(self, folded: str) -> set[str]:
        names = features(folded, self._fold_language)
        if self.cjk:
            return {n for n in names if len(n) > 1}
        return {n for n in names if n not in STOPWORDS and not n.startswith("!")}

    def add_examples(self, examples: list[tuple[str, str]]) -> None:
        bags = [
            (key, self._similarity_features(fold(text, self._fold_language)))
            for key, text in examples
        ]
        df: dict[str, int] = defaultdict(int)
        for _, bag in bags:
            for name in bag:
                df[name] += 1
        n = len(bags) + 1
        self.idf = {name: math.log(n / count) + 1.0 for name, count in df.items()}
        for key, bag in bags:
            vector = {name: self.idf[name] for name in bag}
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            index = len(self.example_keys)
            self.example_keys.append(key)
            for name, value in vector.items():
                self.postings[name].append((index, value / norm))

    def keyword_hits(self, folded: str) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.cjk:
            exact, first, longest = self.exact, self.first_chars, self.max_len
            for i, ch in enumerate(folded):
                if ch not in first:
                    continue
                for j in range(i + 1, min(len(folded), i + longest) + 1):
                    keys = exact.get(folded[i:j])
                    if keys:
                        for key in keys:
                            found.setdefault(key, folded[i:j])
            return found
        tokens = words(folded)
        for i, token in enumerate(tokens):
            for phrase, key, keyword in self.phrases.get(token[:PREFIX_MIN], ()):
                if key in found or i + len(phrase) > len(tokens):
                    continue
                if all(
                    tokens[i + k] == part
                    or (
                        len(part) >= PREFIX_MIN
                        and tokens[i + k].startswith(part)
                        and len(tokens[i + k]) - len(part) <= MAX_ENDING
                    )
                    for k, part in enumerate(phrase)
                ):
                    found[key] = keyword
        return found

    def similar(self, folded: str) -> dict[str, float]:
        if not self.example_keys:
            return {}
        bag = self._similarity_features(folded)
        weights = {name: self.idf[name] for name in bag if name in self.idf}
        if not weights:
            return {}
        norm = math.sqrt(sum(v * v for v in weights.values()))
        dots: dict[int, float] = defaultdict(float)
        for name, value in weights.items():
            for index, example_value in self.postings[name]:
                dots[index] += value * example_value
        best: dict[str, float] = {}
        for index, dot in dots.items():
            cosine = dot / norm
            key = self.example_keys[index]
            if cosine >= SIMILAR and cosine > best.get(key, 0.0):
                best[key] = round(cosine, 3)
        return best


class ThemeMatcher:
    """A taxonomy compiled for matching; build once per taxonomy version and reuse."""

    def __init__(self, themes: list[ThemeSpec], version: str = "") -> None:
        self.version = version
        self.themes = {theme.key: theme for theme in themes}
        self._indexes: dict[str, _LanguageIndex] = {}
        examples: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for theme in themes:
            for language, keywords in theme.keywords.items():
                index = self._index(_group(language))
                for keyword in keywords:
                    index.add_keyword(keyword, theme.key)
            for language, sentences in theme.examples.items():
                examples[_group(language)].extend((theme.key, s) for s in sentences)
        for group, pairs in examples.items():
            self._index(group).add_examples(pairs)

    def _index(self, group: str) -> _LanguageIndex:
        if group not in self._indexes:
            self._indexes[group] = _LanguageIndex(group)
        return self._indexes[group]

    def path(self, key: str) -> list[str]:
        """The theme's ancestors, root first, then the theme."""
        chain, seen = [], set()
        while key and key in self.themes and key not in seen:
            seen.add(key)
            chain.append(key)
            key = self.themes[key].parent
        return chain[::-1]

    def match(self, folded: str, language: str) -> list[Hit]:
        index = self._indexes.get(_group(language))
        if index is None:
            return []
        hits = [Hit(key, 1.0, "keyword", word) for key, word in index.keyword_hits(folded).items()]
        if hits:
            # A sentence that names its themes needs no likeness search (half the cost).
            return hits
        return [Hit(key, cosine, "example") for key, cosine in index.similar(folded).items()]
