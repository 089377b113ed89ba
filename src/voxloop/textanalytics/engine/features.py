"""Sparse features of one sentence: words and word pairs (with negation marked) for alphabetic
languages, character 1–3-grams for Chinese and Japanese. Shared by the sentiment model, the
theme matcher's example similarity and the trainer, so the three never disagree."""

from __future__ import annotations

import re

from voxloop.textanalytics.engine.text import CJK_LANGUAGES

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
CJK_RUN = re.compile(r"[0-9a-z\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+")
NEGATORS = frozenset(
    (  # noqa: SIM905 - a list of words reads better as words
        # English
        "not no never nothing nobody none neither nor cannot can't don't doesn't didn't isn't "
        "wasn't aren't weren't won't wouldn't couldn't shouldn't haven't hasn't hadn't without "
        "dont doesnt didnt isnt wasnt arent werent wont wouldnt couldnt hasnt havent cant "
        # Romanian (folded: fără → fara)
        "nu n nici niciun nicio niciodata fara nimic nimeni"
    ).split()
)
# Words that end a negation's reach early ("not cheap, but good").
NEGATION_STOP = frozenset(
    ["but", "however", "although", "though", "dar", "insa", "totusi", "iar", "ci"]
)
NEGATION_REACH = 3


def words(folded: str) -> list[str]:
    return WORD.findall(folded)


# Function words say nothing on their own (only in pairs: "the staff", "not the"); as single
# features they would soak up whatever their class balance says.
FUNCTION_WORDS = frozenset(
    (  # noqa: SIM905 - a list of words reads better as words
        "a an the and or of to in on at for with from by is was were are be been it its this that "
        "i me my we our you your they them their he she his her si sau de la pe cu din pentru este "
        "un o care ce"
    ).split()
)


def latin_features(folded: str) -> list[str]:
    tokens = WORD.findall(folded)
    out: list[str] = []
    reach = 0
    previous = ""
    for token in tokens:
        if token in NEGATORS:
            reach = NEGATION_REACH
            out.append(token)
        elif token in NEGATION_STOP:
            reach = 0
            out.append(token)
        elif reach:
            out.append("!" + token)
            reach -= 1
        elif token not in FUNCTION_WORDS:
            out.append(token)
        if previous:
            out.append(previous + " " + token)
        previous = token
    return out


def cjk_features(folded: str) -> list[str]:
    out: list[str] = []
    for run in CJK_RUN.findall(folded):
        n = len(run)
        out.extend(run)
        out.extend(run[i : i + 2] for i in range(n - 1))
        out.extend(run[i : i + 3] for i in range(n - 2))
    return out


def features(folded: str, language: str) -> list[str]:
    """Features of text already folded for `language` (see `text.fold`)."""
    if language in CJK_LANGUAGES:
        return cjk_features(folded)
    return latin_features(folded)
