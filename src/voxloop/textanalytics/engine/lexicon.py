"""Polarity words and phrases found in a sentence, with negation: the features that let the
sentiment model generalise beyond the n-grams it saw in training ("not friendly" is
negative because "friendly" is positive, "不大好" because "大好" is).

The lexicon ships inside the model file: the project-written lexicons plus the words the
embedding teacher scored (training/teacher.py)."""

from __future__ import annotations

from voxloop.textanalytics.engine.features import NEGATION_REACH, NEGATION_STOP, NEGATORS, words
from voxloop.textanalytics.engine.text import CJK_LANGUAGES

MAX_CJK = 6
MAX_WORDS = 4
CJK_NEGATORS = frozenset("不没沒无無非未别別莫勿")
# 不 starts these without negating what follows ("不过" but, "不少" many, "不断" constantly).
NOT_NEGATING = frozenset("过過但仅僅少断斷同久论論管然如光只")
CJK_NEGATION_REACH = 4
JA_NEGATIONS = ("ない", "なく", "なかっ", "ません", "ず", "ぬ")


class Lexicon:
    def __init__(self, entries: dict[str, int]) -> None:
        self.entries = entries
        # The longest entry starting with each character (CJK) and with each word (others),
        # so a position is only tried at lengths that can match.
        self.first: dict[str, int] = {}
        self.first_word: dict[str, int] = {}
        for term in entries:
            self.first[term[0]] = max(self.first.get(term[0], 0), len(term))
            head, _, _ = term.partition(" ")
            self.first_word[head] = max(self.first_word.get(head, 0), term.count(" ") + 1)

    def features(self, folded: str, language: str) -> list[str]:
        if language in CJK_LANGUAGES:
            return self._cjk(folded, language == "ja")
        return self._latin(folded)

    @staticmethod
    def _name(polarity: int, negated: bool) -> str:
        return f"LEX{'~' if negated else ''}{polarity:+d}"

    def _cjk(self, text: str, japanese: bool) -> list[str]:
        out: list[str] = []
        entries, first = self.entries, self.first
        i, n = 0, len(text)
        while i < n:
            longest = first.get(text[i])
            if longest is None:
                i += 1
                continue
            found = 0
            for j in range(min(n, i + longest), i, -1):
                if text[i:j] in entries:
                    found = j
                    break
            if not found:
                i += 1
                continue
            if found == i + 1 and self._starts_term(text, i + 1):
                i += 1  # "好难吃": a one-character word before a longer one only intensifies
                continue
            polarity = entries[text[i:found]]
            negated = any(
                text[k] in CJK_NEGATORS and text[k + 1 : k + 2] not in NOT_NEGATING
                for k in range(max(0, i - CJK_NEGATION_REACH), i)
            )
            if japanese:
                tail = text[found : found + 4]
                negated = negated or any(tail.startswith(w) for w in JA_NEGATIONS)
            out.append(self._name(polarity, negated))
            i = found
        return out

    def _starts_term(self, text: str, i: int) -> bool:
        longest = self.first.get(text[i]) if i < len(text) else None
        if not longest or longest < 2:
            return False
        return any(text[i:j] in self.entries for j in range(i + 2, min(len(text), i + longest) + 1))

    def _latin(self, folded: str) -> list[str]:
        tokens = words(folded)
        out: list[str] = []
        reach = 0
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token in NEGATORS:
                reach = NEGATION_REACH + 1
            elif token in NEGATION_STOP:
                reach = 0
            found = 0
            longest = self.first_word.get(token, 0)
            for k in range(min(len(tokens), i + longest), i, -1):
                if (token if k == i + 1 else " ".join(tokens[i:k])) in self.entries:
                    found = k
                    break
            if found:
                term = " ".join(tokens[i:found])
                negated = reach > 0 and token not in NEGATORS
                out.append(self._name(self.entries[term], negated))
                reach = max(0, reach - (found - i))
                i = found
                continue
            reach = max(0, reach - 1)
            i += 1
        return out
