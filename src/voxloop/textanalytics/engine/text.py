"""Normalising text and telling scripts apart: the cheap first steps every stage shares."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

CJK_LANGUAGES = frozenset({"zh-hans", "zh-hant", "ja"})


def base_language(code: str) -> str:
    """The engine's language key for a locale: en-GB → en, zh-TW → zh-hant, ja-JP → ja."""
    code = (code or "").strip().lower().replace("_", "-")
    if not code:
        return ""
    if code.startswith("zh"):
        return "zh-hant" if any(tag in code for tag in ("hant", "-tw", "-hk", "-mo")) else "zh-hans"
    return code.split("-", 1)[0]


@cache
def _latin_fold() -> dict[int, str]:
    """Lower case and no diacritics for Latin letters (ă→a, ș→s, é→e): Romanian comments are
    often typed without them, so both spellings must meet. CJK text is left alone (NFKD
    would split Japanese kana from their voicing marks)."""
    table: dict[int, str] = {}
    for cp in range(0x41, 0x250):
        ch = chr(cp)
        folded = "".join(c for c in unicodedata.normalize("NFKD", ch.lower()) if c.isascii())
        if folded != ch and folded:
            table[cp] = folded
    for ch, folded in {
        "ș": "s",
        "ş": "s",
        "ț": "t",
        "ţ": "t",
        "Ș": "s",
        "Ş": "s",
        "Ț": "t",
    }.items():
        table[ord(ch)] = folded
    for quote in "’‘`´":
        table[ord(quote)] = "'"
    return table


@cache
def _t2s() -> dict[int, str]:
    """Traditional → Simplified characters (derived from OpenCC's TSCharacters, Apache-2.0)."""
    text = (
        resources.files("voxloop.textanalytics").joinpath("model/t2s-chars.txt").read_text("utf-8")
    )
    return {ord(line[0]): line[1] for line in text.splitlines() if len(line) == 2}


@cache
def _cjk_table() -> dict[int, str]:
    table = dict(_latin_fold())
    # Full-width ASCII → ASCII, so "ＯＫ" and "OK" are one feature.
    for cp in range(0xFF01, 0xFF5F):
        table[cp] = chr(cp - 0xFEE0).lower()
    return table


@cache
def _zh_table() -> dict[int, str]:
    table = dict(_cjk_table())
    table.update(_t2s())
    return table


def fold(text: str, language: str) -> str:
    """The form features and keywords are matched in: lower case, no Latin diacritics,
    Simplified characters for any Chinese, full-width ASCII narrowed."""
    if language.startswith("zh"):
        return text.translate(_zh_table())
    if language == "ja":
        return text.translate(_cjk_table())
    return text.lower().translate(_latin_fold())


def to_simplified(text: str) -> str:
    return text.translate(_t2s())


def traditional_share(text: str) -> float:
    """Share of Han characters that only Traditional Chinese writes (0 for Simplified)."""
    t2s = _t2s()
    han = [c for c in text if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"]
    if not han:
        return 0.0
    return sum(1 for c in han if ord(c) in t2s) / len(han)


KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def script_of(text: str) -> str:
    """'kana' (Japanese), 'han' (Chinese or Japanese), 'hangul', 'latin' or '' (none)."""
    if KANA.search(text):
        return "kana"
    if HANGUL.search(text):
        return "hangul"
    han = len(HAN.findall(text))
    latin = len(LATIN.findall(text))
    if han and han * 2 >= latin:
        return "han"
    if latin:
        return "latin"
    return "han" if han else ""
