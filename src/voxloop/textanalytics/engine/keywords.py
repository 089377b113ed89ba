"""Keywords of a comment: the phrases it is about.

- English and Romanian: candidate phrases are runs of up to three content words between stop
  words and punctuation (the RAKE idea), scored by their words' co-occurrence degree. yake
  (LGPL) scores better on long documents but measured ~790 short comments/s on one core here,
  too slow for the inline path's budget; comments are short, where the two mostly agree.
- Chinese: jieba's TF-IDF tags (jieba and its IDF table are MIT).
- Japanese: nouns and noun compounds from SudachiPy with sudachidict-small (Apache-2.0);
  janome measured ~345 sentences/s, Sudachi ~9,000.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sudachipy import SplitMode, Tokenizer

TOP = 5
LATIN_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


@cache
def stopwords(language: str) -> frozenset[str]:
    name = f"model/stopwords-{language if language in ('en', 'ro') else 'en'}.txt"
    text = resources.files("voxloop.textanalytics").joinpath(name).read_text("utf-8")
    return frozenset(w for w in text.split() if not w.startswith("#"))


def _latin(text: str, language: str) -> list[str]:
    stop = stopwords(language)
    phrases: list[tuple[str, ...]] = []
    for chunk in re.split(r"[.,;:!?()\[\]\"“”/\n]+", text.lower()):
        run: list[str] = []
        for token in LATIN_TOKEN.findall(chunk):
            if token in stop or len(token) < 3:
                if run:
                    phrases.append(tuple(run))
                run = []
            else:
                run.append(token)
                if len(run) == 3:
                    phrases.append(tuple(run))
                    run = []
        if run:
            phrases.append(tuple(run))
    if not phrases:
        return []
    freq: Counter[str] = Counter()
    degree: Counter[str] = Counter()
    for phrase in phrases:
        for word in phrase:
            freq[word] += 1
            degree[word] += len(phrase)
    scored: dict[str, float] = {}
    for phrase in phrases:
        scored[" ".join(phrase)] = sum(degree[w] / freq[w] for w in phrase)
    return [phrase for phrase, _ in Counter(scored).most_common(TOP)]


@cache
def _jieba() -> Any:  # jieba is untyped
    import logging
    import tempfile

    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = tempfile.gettempdir()
    jieba.initialize()
    return jieba.analyse.TFIDF()


@cache
def _sudachi() -> tuple[Tokenizer, SplitMode]:
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="small").tokenizer(), SplitMode.C


JA_SKIP = {"数詞", "代名詞"}


def _japanese(text: str) -> list[str]:
    tokenizer, mode = _sudachi()
    found: list[str] = []
    compound = ""
    for morpheme in tokenizer.tokenize(text, mode):
        pos = morpheme.part_of_speech()
        if pos[0] == "名詞" and pos[1] not in JA_SKIP and pos[2] != "助数詞可能":
            compound += morpheme.surface()
            continue
        if compound and pos[0] == "接尾辞" and pos[1] == "名詞的":  # 駐車 + 場
            compound += morpheme.surface()
            continue
        if len(compound) > 1 and compound not in found:
            found.append(compound)
        compound = ""
    if len(compound) > 1 and compound not in found:
        found.append(compound)
    return found[:TOP]


ZH_STOP = frozenset(
    {"我们", "你们", "他们", "这个", "那个", "就是", "还是", "但是", "因为", "所以"}
    | {"然后", "没有", "可以", "一个", "感觉", "觉得", "非常", "比较", "一下", "不是"}
)


def _chinese(text: str) -> list[str]:
    tags = _jieba().extract_tags(text, topK=TOP * 2)
    return [t for t in tags if t not in ZH_STOP and not t.isdigit() and len(t) > 1][:TOP]


def keywords(text: str, language: str) -> list[str]:
    """Up to five keywords of `text` (masked text: no personal data) in its language."""
    if language.startswith("zh"):
        return _chinese(text)
    if language == "ja":
        return _japanese(text)
    return _latin(text, language)
