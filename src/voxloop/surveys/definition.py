"""What a question accepts, when it is shown, and how its texts read in a language.

Pure functions over Question/Survey objects (or anything with the same attributes), shared by
the respondent pages, the response capture service and the builder.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeVar

from voxloop.errors import InvalidInput

SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
SCALED_TYPES = {"nps", "csat", "ces", "rating"}
CHOICE_TYPES = {"single_choice", "multiple_choice", "dropdown"}
TEXT_LIMITS = {"short_text": 500, "long_text": 10_000}
VALUE_TYPES = {"number", "date"}
NUMBER_LIMIT = 1e15
NUMBER = re.compile(r"^-?(\d{1,15}([.,]\d{0,6})?|[.,]\d{1,6})$")
OTHER = "other"
TRADITIONAL_TAGS = ("hant", "-tw", "-hk", "-mo")
CONDITION_OPS = {"eq", "neq", "lt", "lte", "gt", "gte", "in", "not_in", "answered", "contains"}
SURROGATE = re.compile("[\ud800-\udfff]")
PIPE = re.compile(r"\{\{\s*(first_name|last_name|unit|staff)\s*\}\}")
# A name that is missing takes its separator and honorific with it ("Thank you, !", "様、").
_HONORIFIC = r"(?:[ \t]*(?:様|さん|さま))?"
_PIPE_AFTER_COMMA = r"[ \t]*[,，、][ \t]*\{\{\s*%s\s*\}\}" + _HONORIFIC
_PIPE_BEFORE_PUNCTUATION = r"[ \t]+\{\{\s*%s\s*\}\}" + _HONORIFIC + r"(?=[,，、!！.。?？])"
_PIPE_BEFORE_COMMA = r"\{\{\s*%s\s*\}\}" + _HONORIFIC + r"(?:[ \t]*[,，、])?[ \t]*"


class AnswerError(InvalidInput):
    """An answer the question cannot take; `field` is the question key."""


class QuestionLike(Protocol):
    """What these functions read of a question: a Question, or a stand-in for one check."""

    @property
    def key(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def config(self) -> Mapping[str, Any]: ...


class Conditional(Protocol):
    @property
    def show_if(self) -> Mapping[str, Any] | None: ...


ShownQ = TypeVar("ShownQ", bound=Conditional)


class SurveyLike(Protocol):
    @property
    def default_locale(self) -> str: ...
    @property
    def locales(self) -> list[str]: ...


def scale_of(question: QuestionLike) -> tuple[int, int]:
    if question.type in SCALES:
        return SCALES[question.type]
    return 1, int(question.config.get("scale", 5))


def choice_keys(question: QuestionLike) -> list[str]:
    return [str(choice["key"]) for choice in question.config.get("choices", [])]


def row_keys(question: QuestionLike) -> list[str]:
    return [str(row["key"]) for row in question.config.get("rows", [])]


def _integer(question: QuestionLike, raw: Any, field: str) -> int:
    if isinstance(raw, bool) or raw is None:
        raise AnswerError(f"'{field}' needs a whole number.", field=field)
    if isinstance(raw, str):
        raw = raw.strip()
        if not re.fullmatch(r"-?\d{1,3}", raw):
            raise AnswerError(f"'{field}' needs a whole number, not '{raw[:20]}'.", field=field)
        raw = int(raw)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if not isinstance(raw, int):
        raise AnswerError(f"'{field}' needs a whole number.", field=field)
    low, high = scale_of(question)
    if not low <= raw <= high:
        raise AnswerError(f"'{field}' must be between {low} and {high}.", field=field)
    return raw


def _text(raw: Any, field: str, limit: int) -> str:
    if not isinstance(raw, str):
        raise AnswerError(f"'{field}' needs text.", field=field)
    if "\x00" in raw:
        raise AnswerError(f"'{field}' contains a NUL character.", field=field)
    if SURROGATE.search(raw):
        # A lone surrogate (JSON "\ud800") is no character: neither UTF-8 nor jsonb takes it.
        raise AnswerError(f"'{field}' is not valid Unicode text.", field=field)
    text = raw.strip()
    if len(text) > limit:
        raise AnswerError(f"'{field}' is longer than {limit:,} characters.", field=field)
    return text


def _number(question: QuestionLike, raw: Any, field: str) -> int | float:
    """A number within the question's min and max; a whole one unless decimals are allowed.
    Text is read with a point or a comma as the decimal mark (a phone keypad may give either)."""
    if isinstance(raw, str):
        raw = raw.strip().replace(" ", "")
        if not NUMBER.match(raw):
            raise AnswerError(f"'{field}' needs a number, not '{raw[:20]}'.", field=field)
        raw = float(raw.replace(",", "."))
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw != raw:
        raise AnswerError(f"'{field}' needs a number.", field=field)
    if abs(raw) >= NUMBER_LIMIT:
        raise AnswerError(f"'{field}' is too large a number.", field=field)
    config = question.config
    if float(raw).is_integer():
        raw = int(raw)
    elif config.get("integer"):
        raise AnswerError(f"'{field}' needs a whole number.", field=field)
    low, high = config.get("min"), config.get("max")
    if low is not None and raw < low:
        raise AnswerError(f"'{field}' must be at least {low}.", field=field)
    if high is not None and raw > high:
        raise AnswerError(f"'{field}' must be at most {high}.", field=field)
    return raw


def parse_date(raw: Any) -> datetime.date | None:
    """An ISO date (YYYY-MM-DD), or None; a datetime's date part counts."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if not isinstance(raw, str):
        return None
    text = raw.strip()[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _date(question: QuestionLike, raw: Any, field: str) -> str:
    """Stored as its ISO text: answers live in JSON."""
    day = parse_date(raw)
    if day is None:
        raise AnswerError(f"'{field}' needs a date as YYYY-MM-DD.", field=field)
    earliest = parse_date(question.config.get("earliest"))
    latest = parse_date(question.config.get("latest"))
    if earliest and day < earliest:
        raise AnswerError(f"'{field}' must be on or after {earliest}.", field=field)
    if latest and day > latest:
        raise AnswerError(f"'{field}' must be on or before {latest}.", field=field)
    return day.isoformat()


def _choice(question: QuestionLike, raw: Any, field: str) -> str:
    if not isinstance(raw, str) or not raw:
        raise AnswerError(f"'{field}' needs one of its choices.", field=field)
    allowed = choice_keys(question)
    if question.config.get("allow_other"):
        allowed.append(OTHER)
    if raw not in allowed:
        raise AnswerError(f"'{raw[:40]}' is not a choice of '{field}'.", field=field)
    return raw


def clean_answer(question: QuestionLike, raw: Any) -> Any:
    """The stored form of one answer, or AnswerError naming the question."""
    field, kind = question.key, question.type
    if kind in SCALED_TYPES:
        return _integer(question, raw, field)
    if kind in ("single_choice", "dropdown"):
        return _choice(question, raw, field)
    if kind == "multiple_choice":
        values = raw if isinstance(raw, list) else [raw]
        picked = [_choice(question, value, field) for value in values]
        return list(dict.fromkeys(picked))
    if kind == "yes_no":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("yes", "no", "true", "false"):
            return raw.lower() in ("yes", "true")
        raise AnswerError(f"'{field}' needs yes or no.", field=field)
    if kind in TEXT_LIMITS:
        return _text(raw, field, TEXT_LIMITS[kind])
    if kind == "number":
        return _number(question, raw, field)
    if kind == "date":
        return _date(question, raw, field)
    if kind == "matrix":
        if not isinstance(raw, Mapping):
            raise AnswerError(f"'{field}' needs a rating per row.", field=field)
        rows = set(row_keys(question))
        cleaned = {}
        for row, value in raw.items():
            if row not in rows:
                raise AnswerError(f"'{row}' is not a row of '{field}'.", field=f"{field}.{row}")
            cleaned[row] = _integer(question, value, f"{field}.{row}")
        return cleaned
    raise AnswerError(f"'{field}' has an unknown question type.", field=field)


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def condition_holds(condition: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    value = answers.get(condition.get("question") or "")
    op, target = condition.get("op", "eq"), condition.get("value")
    if op == "answered":
        return not is_empty(value)
    if is_empty(value):
        return False
    if isinstance(value, list):
        # A multiple choice answer: each pick counts ("is one of" = any pick is one of them).
        targets = target if isinstance(target, list) else [target]
        overlap = any(pick in targets for pick in value)
        if op in ("eq", "contains", "in"):
            return overlap
        if op in ("neq", "not_in"):
            return not overlap
        return False
    if op == "contains":
        return value == target
    comparisons = {
        "eq": lambda: value == target,
        "neq": lambda: value != target,
        "in": lambda: value in (target or []),
        "not_in": lambda: value not in (target or []),
    }
    if op in comparisons:
        return comparisons[op]()
    if not isinstance(value, int | float) or not isinstance(target, int | float):
        return False
    return {
        "lt": value < target,
        "lte": value <= target,
        "gt": value > target,
        "gte": value >= target,
    }.get(op, False)


def rule_holds(rule: Mapping | None, answers: Mapping[str, Any]) -> bool:
    """An empty rule always holds; otherwise all/any of its conditions."""
    if not rule:
        return True
    if "all" in rule:
        return all(condition_holds(c, answers) for c in rule["all"])
    if "any" in rule:
        return any(condition_holds(c, answers) for c in rule["any"])
    return True


def shown_questions(questions: Iterable[ShownQ], answers: Mapping[str, Any]) -> list[ShownQ]:
    """The questions a respondent sees given the answers so far, in order."""
    return [q for q in questions if rule_holds(q.show_if, answers)]


def localized(texts: Mapping[str, str] | None, locale: str, default_locale: str) -> str:
    texts = texts or {}
    return texts.get(locale) or texts.get(default_locale) or next(iter(texts.values()), "")


def pick_locale(survey: SurveyLike, wanted: Iterable[str]) -> str:
    """The first wanted language the survey offers (exact, then by base language)."""
    offered = [survey.default_locale, *[x for x in survey.locales if x != survey.default_locale]]
    for candidate in wanted:
        candidate = (candidate or "").lower()
        if not candidate:
            continue
        if candidate in offered:
            return candidate
        base = candidate.split("-")[0]
        if base == "zh":
            # Taiwan, Hong Kong and Macao read Traditional; either script beats another language.
            script = "zh-hant" if any(t in candidate for t in TRADITIONAL_TAGS) else "zh-hans"
            chinese = [x for x in offered if x.startswith("zh")]
            match = next((x for x in chinese if x == script), chinese[0] if chinese else None)
        else:
            match = next((x for x in offered if x.split("-")[0] == base), None)
        if match:
            return match
    return survey.default_locale


def is_safe_link(link: str) -> bool:
    """https://…, or a path on this site (not //host or /\\host, which browsers send
    elsewhere)."""
    if link.startswith("https://"):
        return True
    return link.startswith("/") and not link.startswith(("//", "/\\"))


def piped(text: str, values: Mapping[str, str]) -> str:
    """Insert the contact's first name, the unit's or staff member's name into a text; where a
    value is missing (an anonymous visit), drop the placeholder with its comma or honorific."""
    for name in {m.group(1) for m in PIPE.finditer(text)}:
        if not values.get(name):
            text = re.sub(_PIPE_AFTER_COMMA % name, "", text)
            text = re.sub(_PIPE_BEFORE_PUNCTUATION % name, "", text)
            text = re.sub(_PIPE_BEFORE_COMMA % name, "", text)
    return PIPE.sub(lambda m: values.get(m.group(1), ""), text)
