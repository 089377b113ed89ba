"""What every format's reader produces: a draft survey in our terms and a report of what
could not be carried over (per question: what was dropped and why)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import global_settings
from django.conf.locale import LANG_INFO

from voxloop.uploads import BadFile

__all__ = ["BadFile", "Draft", "DraftQuestion", "Keys", "Report", "locale_of", "plain"]

TAG = re.compile(r"<[^>]*>")
BLANKS = re.compile(r"[ \t\r\f\v]+")
KEEP = re.compile(r"[^a-z0-9]+")
# Languages the file may hold that our codes spell differently (Qualtrics, LimeSurvey).
ALIASES = {
    "zh-s": "zh-hans",
    "zh-cn": "zh-hans",
    "zh": "zh-hans",
    "zh-t": "zh-hant",
    "zh-tw": "zh-hant",
    "zh-hk": "zh-hant",
    "pt-br": "pt-br",
    "chinese": "zh-hans",
    "español": "es",
    "english": "en",
}


@dataclass
class DraftQuestion:
    key: str
    type: str
    texts: dict[str, dict[str, str]]
    config: dict[str, Any] = field(default_factory=dict)
    required: bool = False
    show_if: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # the question's id or name in the file


@dataclass
class Report:
    """Entries: {"question": id in the file or "" for the survey, "key": ours or None,
    "dropped": what, "why": reason}."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def drop(
        self, question: str, key: str | None, dropped: str, why: str, **params: str | int
    ) -> None:
        """`why` is one of `reasons.REASONS` (English, %(name)s for `params`): the entry keeps
        it as `reason` for the page to translate, and the English text as `why`."""
        entry: dict[str, Any] = {
            "question": question,
            "key": key,
            "dropped": dropped,
            "why": why % params if params else why,
        }
        entry["reason"] = why
        if params:
            entry["params"] = dict(params)
        self.entries.append(entry)


@dataclass
class Draft:
    name: str
    format: str
    default_locale: str = "en"
    locales: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # as the file names them
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    questions: list[DraftQuestion] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    thank_you_branches: list[dict[str, Any]] = field(default_factory=list)

    def by_source(self) -> dict[str, DraftQuestion]:
        return {q.source: q for q in self.questions if q.source}

    def show_when(
        self, questions: list[DraftQuestion], rule: dict | None, *, source: str, condition: str
    ) -> None:
        """Display logic on the questions one source question became, or a report entry when
        the file's condition could not be read as our rules."""
        if rule is None:
            self.report.drop(
                source,
                questions[0].key,
                condition[:200],
                "only comparisons of earlier answers joined by one of and/or are carried over",
            )
            return
        for question in questions:
            question.show_if = rule


class Keys:
    """Our question keys from the file's names: a–z, 0–9, single _, unique, ≤ 60."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, name: str, fallback: str = "q") -> str:
        base = KEEP.sub("_", str(name).lower()).strip("_") or fallback
        if not base[0].isalpha():
            base = f"{fallback}_{base}"
        base = base[:56].rstrip("_")
        key, n = base, 2
        while key in self.used:
            key, n = f"{base}_{n}", n + 1
        self.used.add(key)
        return key


def option_key(value: Any, used: set[str]) -> str:
    """A choice or row key from the file's code for it (kept in `source` for answers)."""
    base = KEEP.sub("_", str(value).lower()).strip("_") or "c"
    if not base[0].isalpha():
        base = f"c_{base}"
    base = base[:56].rstrip("_")
    key, n = base, 2
    while key in used:
        key, n = f"{base}_{n}", n + 1
    used.add(key)
    return key


def limit_of(raw: Any) -> int | float | None:
    """A number's limit as a file writes it ("10", 10.5, ""), or None; whole ones as int."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None
    try:
        number = float(str(raw).strip())
    except ValueError:
        return None
    if number != number or abs(number) >= 1e15:
        return None
    return int(number) if number.is_integer() else number


def plain(text: Any) -> str:
    """Text without HTML tags and entities, line breaks kept, at most 5,000 characters."""
    if text is None:
        return ""
    text = str(text).replace("<br>", "\n").replace("<br />", "\n").replace("<br/>", "\n")
    text = html.unescape(TAG.sub(" ", text)).replace("\xa0", " ").replace("\x00", "")
    lines = [BLANKS.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)[:5000]


def _content_locales() -> dict[str, str]:
    codes = {code: code for code, _ in global_settings.LANGUAGES}
    for code, info in LANG_INFO.items():
        if code in codes and isinstance(info, dict):
            for name in (info.get("name"), info.get("name_local")):
                if name:
                    codes.setdefault(str(name).lower(), code)
    return codes


CONTENT_LOCALES = _content_locales()


def locale_of(name: str) -> str | None:
    """Our code for a language as a file names it (`de-informal`, `ZH-S`, `English`)."""
    wanted = str(name or "").strip().lower().replace("_", "-")
    wanted = ALIASES.get(wanted, wanted)
    if wanted in CONTENT_LOCALES:
        return CONTENT_LOCALES[wanted]
    base = wanted.split("-")[0].split(" ")[0].split("(")[0].strip()
    base = ALIASES.get(base, base)
    return CONTENT_LOCALES.get(base)


def languages(draft: Draft, names: list[str]) -> dict[str, str]:
    """Set the draft's languages from the file's; returns file name → our code. The first
    language the file gives is the default; one we cannot place is reported."""
    mapping: dict[str, str] = {}
    for name in names:
        code = locale_of(name)
        if code is None:
            draft.report.drop("", None, f"language '{name}'", "not a language code we know")
            continue
        if code in mapping.values():
            draft.report.drop(
                "", None, f"language '{name}'", "same language as '%(code)s'", code=code
            )
            continue
        mapping[name] = code
        draft.languages.append(str(name))
    if not mapping:
        mapping = {"": "en"}
    codes = list(mapping.values())
    draft.default_locale, draft.locales = codes[0], codes
    return mapping
