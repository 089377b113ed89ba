"""Intent and emotion from explicit cues: a question, a suggestion, a threat to leave, and a
few plainly named feelings. High precision by design: a cue is a phrase that says it, never a
guess from tone (complaint and praise come from the sentence's sentiment instead).

Cues are matched in folded text (lower case, no Latin diacritics, Simplified characters), on
word boundaries for alphabetic languages and anywhere for Chinese and Japanese."""

from __future__ import annotations

import re
from functools import cache

from voxloop.textanalytics.engine.text import CJK_LANGUAGES

INTENTS = ("complaint", "praise", "suggestion", "question", "churn_threat")
EMOTIONS = ("anger", "disappointment", "delight", "gratitude")

CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "question": {
        "en": (
            "how do i",
            "how can i",
            "can i",
            "could you tell",
            "is there",
            "are there",
            "do you",
            "does it",
            "when will",
            "where is",
            "why is",
            "why did",
            "what is",
        ),
        "zh-hans": ("吗", "怎么", "如何", "为什么", "是否", "能不能", "可不可以", "请问", "多少钱"),
        "ja": (
            "ですか",
            "ますか",
            "でしょうか",
            "どうして",
            "なぜ",
            "どこで",
            "いつ",
            "教えてください",
        ),
        "ro": (
            "cum pot",
            "cum se",
            "se poate",
            "exista",
            "este posibil",
            "de ce",
            "cand ",
            "unde este",
            "puteti",
            "aveti",
        ),
    },
    "suggestion": {
        "en": (
            "should",
            "could you",
            "please add",
            "would be nice",
            "would be great",
            "it would help",
            "i suggest",
            "suggestion",
            "recommend that you",
            "wish you",
            "why not",
            "needs more",
            "need more",
            "ought to",
            "consider",
        ),
        "zh-hans": (
            "建议",
            "希望",
            "最好",
            "应该",
            "能否",
            "如果能",
            "要是能",
            "可以考虑",
            "改进一下",
        ),
        "ja": (
            "してほしい",
            "して欲しい",
            "ほしいです",
            "欲しいです",
            "てください",
            "といいと思",
            "べき",
            "改善",
            "提案",
            "検討して",
            "あればいい",
            "あると嬉しい",
        ),
        "ro": (
            "ar trebui",
            "ar fi bine",
            "ar fi util",
            "ar fi frumos",
            "sugerez",
            "sugestie",
            "va rog sa",
            "propun",
            "recomand sa",
            "ar putea",
        ),
    },
    "churn_threat": {
        "en": (
            "cancel my",
            "cancelling",
            "canceling",
            "close my account",
            "switch to",
            "switching to",
            "moving to",
            "never again",
            "never coming back",
            "never come back",
            "won't be back",
            "will not be back",
            "shop elsewhere",
            "go elsewhere",
            "last time i",
            "taking my business",
            "leave you",
            "unsubscribe",
        ),
        "zh-hans": (
            "不会再来",
            "再也不来",
            "再也不会",
            "不会再买",
            "再也不买",
            "不会再点",
            "以后不点",
            "不再光顾",
            "换一家",
            "换别家",
            "去别家",
            "退订",
            "解约",
            "注销",
            "取消会员",
            "最后一次",
        ),
        "ja": (
            "二度と",
            "もう行かない",
            "もう来ない",
            "もう利用しない",
            "解約",
            "退会",
            "他の店に",
            "乗り換え",
            "最後にします",
        ),
        "ro": (
            "nu mai revin",
            "nu mai cumpar",
            "nu mai comand",
            "nu mai vin",
            "renunt",
            "anulez",
            "reziliez",
            "inchid contul",
            "ma mut la",
            "trec la",
            "altundeva",
            "ultima data cand",
        ),
    },
}
EMOTION_CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "anger": {
        "en": ("angry", "furious", "outraged", "livid", "fuming", "infuriating", "mad at"),
        "zh-hans": ("气死", "愤怒", "生气", "火大", "恼火", "气愤"),
        "ja": ("腹が立", "激怒", "怒り", "頭にきた", "イライラ"),
        "ro": ("furios", "furioasa", "nervos", "nervoasa", "revoltat", "revoltata", "enervat"),
    },
    "disappointment": {
        "en": ("disappointed", "disappointing", "disappointment", "let down", "let me down"),
        "zh-hans": ("失望", "遗憾", "可惜"),
        "ja": ("がっかり", "残念", "期待外れ"),
        "ro": ("dezamagit", "dezamagita", "dezamagire", "dezamagitor", "pacat"),
    },
    "delight": {
        "en": ("delighted", "thrilled", "love it", "loved it", "made my day", "over the moon"),
        "zh-hans": ("惊喜", "开心", "太喜欢", "爱了", "超爱"),
        "ja": ("嬉しい", "嬉しかった", "感動", "大好き", "最高"),
        "ro": ("incantat", "incantata", "ador", "super fericit", "super fericita"),
    },
    "gratitude": {
        "en": ("thank you", "thanks", "grateful", "appreciate"),
        "zh-hans": ("谢谢", "感谢", "多谢"),
        "ja": ("ありがとう", "感謝"),
        "ro": ("multumesc", "multumim", "mersi", "recunoscator", "recunoscatoare"),
    },
}
COMPLAINT_BELOW = -0.4
PRAISE_ABOVE = 0.4


def _key(language: str) -> str:
    return "zh-hans" if language.startswith("zh") else language


@cache
def _combined(language: str) -> re.Pattern | None:
    """Every intent and emotion cue of a language in one pattern, a named group each, so a
    sentence is searched once rather than once per cue."""
    groups = []
    for table, prefix in ((CUES, "i_"), (EMOTION_CUES, "e_")):
        for name, by_language in table.items():
            phrases = by_language.get(_key(language))
            if phrases:
                body = "|".join(
                    re.escape(p.strip()) for p in sorted(phrases, key=len, reverse=True)
                )
                groups.append(f"(?P<{prefix}{name}>{body})")
    if not groups:
        return None
    body = "|".join(groups)
    if language in CJK_LANGUAGES:
        return re.compile(body)
    return re.compile(rf"(?<![a-z])(?:{body})", re.IGNORECASE)


def _found(folded: str, language: str) -> set[str]:
    pattern = _combined(language)
    if pattern is None:
        return set()
    return {match.lastgroup for match in pattern.finditer(folded) if match.lastgroup}


def read(folded: str, raw: str, language: str, score: float) -> tuple[list[str], list[str]]:
    """Intents and emotions of one sentence (folded text, raw text, its sentiment score)."""
    cues = _found(folded, language)
    return _intents(cues, raw, score), [name for name in EMOTIONS if f"e_{name}" in cues]


def intents(folded: str, raw: str, language: str, score: float) -> list[str]:
    return _intents(_found(folded, language), raw, score)


def _intents(cues: set[str], raw: str, score: float) -> list[str]:
    found = []
    if score <= COMPLAINT_BELOW:
        found.append("complaint")
    elif score >= PRAISE_ABOVE:
        found.append("praise")
    found.extend(name for name in ("suggestion", "question", "churn_threat") if f"i_{name}" in cues)
    if "question" not in found and raw.rstrip().endswith(("?", "？")):
        found.append("question")
    return found


def emotions(folded: str, language: str) -> list[str]:
    cues = _found(folded, language)
    return [name for name in EMOTIONS if f"e_{name}" in cues]
