"""Splitting a comment into sentences, and sentences at a contrast ("great staff but the queue
was awful"), so each part carries its own sentiment and themes. CJK aware: 。！？ end a
sentence with no space after them, and 但是/不过/けど turn one."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

# A sentence ends at CJK stops, at ! ? ; and newlines, and at a full stop that is followed by
# a space or the end (not "3.5", not "e.g.x").
_END = re.compile(r"[。！？!?；;…\n]+[」』”\"')）]*|(?<![0-9])\.+(?=\s|$)[\"')]*")
# Commas part clauses too: a long Chinese review is often one "sentence" of ten clauses, each
# with its own verdict. Parts shorter than MIN_CLAUSE stay with their neighbour.
_COMMA = re.compile(r"[，,]+(?![0-9])")
MIN_CLAUSE = 4
# Contrast words start a new part; each pattern matches at the part's start.
_CONTRAST = re.compile(
    r"(?<=[\s,，、])(?:but|however|although|though|yet|whereas|dar|însă|insa|totuși|totusi|"
    r"deși|desi|iar)\b"
    r"|(?<=[,，、\s])(?:但是|可是|不过|不過|然而|只是)"
    r"|(?<=[^不\s,，、])(?:但是|可是|不过|不過)"
    r"|(?<=[けれ]ど)[、,]?|(?<=が)、|(?<=[、,\s])(?:しかし|でも|ただ)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def _cuts(text: str, pattern: re.Pattern, at_end: bool) -> list[int]:
    return [m.end() if at_end else m.start() for m in pattern.finditer(text)]


def split(text: str) -> list[Span]:
    """Sentences and clauses of `text` (a contrast or a comma parts a sentence), with their
    offsets into `text`; a part too short to say anything joins its neighbour."""
    cuts = {0, len(text)}
    cuts.update(_cuts(text, _END, at_end=True))
    cuts.update(_cuts(text, _CONTRAST, at_end=False))
    cuts.update(_cuts(text, _COMMA, at_end=True))
    bounds = sorted(cuts)
    spans: list[Span] = []
    carry = None
    for a, b in itertools.pairwise(bounds):
        start = carry if carry is not None else a
        piece = text[start:b]
        core = piece.strip().lstrip("、,，").strip()
        if not core:
            continue
        if len(core) < MIN_CLAUSE and b < len(text) and not _END.search(piece):
            carry = start
            continue
        carry = None
        if len(core) < MIN_CLAUSE and spans:
            last = spans[-1]
            spans[-1] = Span(last.start, b, text[last.start : b].strip())
            continue
        offset = start + piece.index(core)
        spans.append(Span(offset, offset + len(core), core))
    if carry is not None:
        piece = text[carry:]
        core = piece.strip().lstrip("、,，").strip()
        if core:
            offset = carry + piece.index(core)
            spans.append(Span(offset, offset + len(core), core))
    return spans


_OPENING_CONTRAST = re.compile(
    r"^(?:but|however|although|though|yet|dar|însă|insa|totuși|totusi|但是|可是|不过|不過|然而|"
    r"只是|就是|しかし|でも|ただ)",
    re.IGNORECASE,
)


def turns(text: str) -> bool:
    """Whether a part opens with a contrast ("but the queue…"): what follows a "but" is
    usually the verdict, so it weighs more in the comment's overall sentiment."""
    return bool(_OPENING_CONTRAST.match(text))


# A part that sums up ("overall", "总的来说", "全体的に") is the verdict; one that hedges
# ("just a bit", "就是有点", "少し") a small matter beside it.
_SUMMING_UP = re.compile(
    r"overall|all in all|in general|on the whole|to sum up|in short|总的来说|總的來說|总体|總體|"
    r"整体|整體|总之|總之|综合|綜合|总而言之|全体的|総合的|総じて|全体として|"
    r"per total|in general|in concluzie|in concluzie|una peste alta|pe scurt",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:a bit|a little|slightly|only issue|only problem|minor)\b|就是有点|只是有点|稍微|稍|"
    r"有一点|有点|唯一的不足|唯一不足|美中不足|小问题|小缺点|少し|ちょっと|やや|唯一|"
    r"\b(?:putin|un pic|singurul minus|singura problema)\b",
    re.IGNORECASE,
)


def weight(text: str) -> float:
    """How much a part counts towards its comment's overall sentiment."""
    if _SUMMING_UP.search(text):
        return 2.5
    if _HEDGE.search(text):
        return 0.5
    return 1.6 if turns(text) else 1.0
