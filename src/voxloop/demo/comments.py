"""Comment texts for demo feedback: per language, theme and tone, so that text analytics has
something real to find (detractors complain about a theme, promoters praise, some name staff)."""

from __future__ import annotations

import random

from voxloop.demo.comment_texts import MID, NEG, POS, THEMES

# Said of the staff member who served the customer (first name filled in).
NAMED_STAFF: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        NEG: ("{staff} was rude when I asked for help.", "{staff} did not seem to care at all."),
        POS: (
            "{staff} was brilliant, thank you!",
            "Special thanks to {staff}, who went out of the way to help.",
            "{staff} solved everything in minutes.",
        ),
    },
    "zh-hans": {
        NEG: ("我请 {staff} 帮忙时，态度很差。", "{staff} 看起来完全不在乎。"),
        POS: (
            "{staff} 太棒了，谢谢！",
            "特别感谢 {staff}，非常用心地帮助了我。",
            "{staff} 几分钟就帮我解决了所有问题。",
        ),
    },
    "ja": {
        NEG: (
            "{staff}さんに声をかけたら、態度が悪かったです。",
            "{staff}さんは全くやる気がないように見えました。",
        ),
        POS: (
            "{staff}さんの対応が素晴らしかったです。ありがとうございました！",
            "{staff}さんが親身になって助けてくれました。",
            "{staff}さんが数分ですべて解決してくれました。",
        ),
    },
    "ro": {
        NEG: (
            "{staff} a fost nepoliticos când am cerut ajutor.",
            "Lui {staff} nu părea să-i pese deloc.",
        ),
        POS: (
            "{staff} a fost extraordinar, mulțumesc!",
            "Mulțumiri speciale lui {staff}, care s-a străduit să mă ajute.",
            "{staff} a rezolvat totul în câteva minute.",
        ),
    },
}

OPENERS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        NEG: ("Very disappointed. ", "Not happy. ", ""),
        MID: ("", "Mostly fine. "),
        POS: ("Lovely experience! ", "", "Great as always. "),
    },
    "zh-hans": {
        NEG: ("非常失望。", "不太满意。", ""),
        MID: ("", "总体还行。"),
        POS: ("体验很好！", "", "一如既往地好。"),
    },
    "ja": {
        NEG: ("とても残念です。", "不満です。", ""),
        MID: ("", "おおむね満足です。"),
        POS: ("とても良い体験でした！", "", "いつも通り素晴らしいです。"),
    },
    "ro": {
        NEG: ("Foarte dezamăgit. ", "Nemulțumit. ", ""),
        MID: ("", "În mare, în regulă. "),
        POS: ("O experiență minunată! ", "", "Excelent, ca de obicei. "),
    },
}
CLOSERS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        NEG: ("", " Please sort this out.", " I might shop elsewhere next time."),
        MID: ("",),
        POS: ("", " Will be back!", " Keep it up."),
    },
    "zh-hans": {
        NEG: ("", "请尽快改进。", "下次可能会去别家了。"),
        MID: ("",),
        POS: ("", "还会再来！", "继续保持。"),
    },
    "ja": {
        NEG: ("", "改善をお願いします。", "次は別のお店に行くかもしれません。"),
        MID: ("",),
        POS: ("", "また来ます！", "これからも頑張ってください。"),
    },
    "ro": {
        NEG: ("", " Vă rog să rezolvați asta.", " Data viitoare poate merg în altă parte."),
        MID: ("",),
        POS: ("", " Revin cu drag!", " Continuați tot așa."),
    },
}


def tone_of(score: int, scale_max: int = 10) -> str:
    """Detractor/passive/promoter on 0–10, or low/middle/top box on a shorter scale."""
    if scale_max == 10:
        return NEG if score <= 6 else MID if score <= 8 else POS
    return NEG if score <= scale_max // 2 else MID if score < scale_max else POS


def write_comment(
    rng: random.Random, locale: str, theme: str, tone: str, staff_name: str | None = None
) -> str:
    """One comment in `locale` about `theme`, its tone matching the score, sometimes naming
    the staff member who served the customer."""
    locale = locale if locale in OPENERS else "en"
    sentence = rng.choice(THEMES[theme][locale][tone])
    if staff_name and tone != MID and rng.random() < 0.4:
        named = rng.choice(NAMED_STAFF[locale][tone]).format(staff=staff_name)
        joiner = "" if locale in ("zh-hans", "ja") else " "
        sentence = f"{sentence}{joiner}{named}" if rng.random() < 0.5 else named
    opener = rng.choice(OPENERS[locale][tone])
    closer = rng.choice(CLOSERS[locale][tone])
    return f"{opener}{sentence}{closer}"
