"""Which language a comment is in: the response's (or review's) own locale first, a detector
second, and only ever one of the organisation's languages.

Scripts settle most cases at once: kana is Japanese, hangul Korean. Han characters alone are
Chinese or Japanese, so a one-word kanji comment ("満足", "满意") keeps its locale when that is
either of them. Alphabetic text trusts its locale unless the detector (lingua, limited to the
organisation's alphabetic languages) is sure it is another one of them.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import Language, LanguageDetector

from voxloop.textanalytics.engine.text import base_language, script_of, traditional_share

SUPPORTED = ("en", "zh-hans", "zh-hant", "ja", "ro")
DEFAULT_LANGUAGES = ("en", "zh-hans", "ja", "ro")
# lingua is asked only when the text is long enough to judge and must be this sure to
# overrule the locale.
MIN_LETTERS = 12
OVERRULE = 0.9
TRADITIONAL = 0.12

LINGUA_NAMES = {
    "en": "ENGLISH",
    "ro": "ROMANIAN",
    "de": "GERMAN",
    "fr": "FRENCH",
    "es": "SPANISH",
    "it": "ITALIAN",
    "nl": "DUTCH",
    "pt": "PORTUGUESE",
    "hu": "HUNGARIAN",
    "pl": "POLISH",
}


@cache
def _detector(languages: tuple[str, ...]) -> LanguageDetector | None:
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:  # the detector is optional: the locale and the script still decide
        return None
    chosen = [getattr(Language, LINGUA_NAMES[code]) for code in languages if code in LINGUA_NAMES]
    if len(chosen) < 2:
        return None
    return LanguageDetectorBuilder.from_languages(*chosen).build()


def _lingua_code(language: Language) -> str:
    name = language.name
    return next(code for code, lingua in LINGUA_NAMES.items() if lingua == name)


@cache
def _function_words(code: str) -> frozenset[str]:
    from voxloop.textanalytics.engine.keywords import stopwords

    return stopwords(code) if code in ("en", "ro") else frozenset()


def _another_seems_likelier(text: str, hint: str, alphabetic: tuple[str, ...]) -> bool:
    """Whether another language's function words outnumber the locale's (a cheap vote that
    decides when the detector, at about a millisecond a text, is worth asking)."""
    if any(not _function_words(code) for code in alphabetic):
        return True  # a language this vote cannot judge: ask the detector
    tokens = [t for t in text.lower().translate(_FOLD).split() if t.isalpha()]
    ours = sum(t in _function_words(hint) for t in tokens)
    return any(
        sum(t in _function_words(code) for t in tokens) > ours
        for code in alphabetic
        if code != hint
    )


def _clear_vote(text: str, alphabetic: tuple[str, ...]) -> str:
    """The language whose function words the text uses, when no other one's appear."""
    if any(not _function_words(code) for code in alphabetic):
        return ""
    tokens = [t for t in text.lower().translate(_FOLD).split() if t.isalpha()]
    votes = {code: sum(t in _function_words(code) for t in tokens) for code in alphabetic}
    winners = [code for code, n in votes.items() if n]
    return winners[0] if len(winners) == 1 and votes[winners[0]] >= 2 else ""


_FOLD = str.maketrans({c: " " for c in ".,;:!?()[]\"'“”„"})


def _chinese(text: str, hint: str) -> str:
    if hint in ("zh-hans", "zh-hant"):
        return hint
    return "zh-hant" if traditional_share(text) >= TRADITIONAL else "zh-hans"


def detect(text: str, locale: str = "", languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> str:
    """The language of `text` among `languages` (engine keys such as 'en', 'zh-hans')."""
    hint = base_language(locale)
    script = script_of(text)
    has_chinese = any(code.startswith("zh") for code in languages)
    if script == "kana":
        return "ja"
    if script == "hangul":
        return "ko"
    if script == "han":
        if hint == "ja" or (hint.startswith("zh") and has_chinese):
            return hint if hint == "ja" else _chinese(text, hint)
        if has_chinese:
            return _chinese(text, "")
        return "ja" if "ja" in languages else "zh-hans"
    alphabetic = tuple(code for code in languages if code in LINGUA_NAMES)
    if script != "latin":
        return hint or (alphabetic[0] if alphabetic else "en")
    if hint in alphabetic and (len(alphabetic) < 2 or len(text) < MIN_LETTERS):
        return hint
    detector = _detector(alphabetic)
    if detector is None:
        return hint if hint in alphabetic or not alphabetic else alphabetic[0]
    if hint in alphabetic:
        if not _another_seems_likelier(text, hint, alphabetic):
            return hint  # the usual case, decided without the detector
        best = detector.compute_language_confidence_values(text)[0]
        code = _lingua_code(best.language)
        return code if code != hint and best.value >= OVERRULE else hint
    clear = _clear_vote(text, alphabetic)
    if clear:
        return clear
    found = detector.detect_language_of(text)
    return _lingua_code(found) if found is not None else alphabetic[0]
