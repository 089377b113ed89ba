"""Alert-rule conditions: a small, validated language evaluated against one response.

    {"match": "all" | "any", "items": [
        {"field": "nps", "op": "lte", "value": 6},
        {"field": "csat", "op": "lte", "value": 2},
        {"field": "nps_group", "op": "eq", "value": "promoter"},
        {"field": "answer:improve", "op": "includes", "value": "queue"},
        {"field": "comment", "op": "contains_any", "value": ["rude", "dirty"]},
        {"field": "comment_sentiment", "op": "eq", "value": "negative"},
        {"field": "comment_theme", "op": "mentions_negative", "value": "staff"},
        {"field": "comment_intent", "op": "includes", "value": "churn_threat"},
        {"field": "rating", "op": "lte", "value": 2},                 (online reviews)
        {"field": "review_source", "op": "eq", "value": "google_business"},
    ]}

"comment" looks in every text answer; "answer:<key>" in one question's answer. The
"comment_*" fields read what text analytics found in the comments (any comment's overall
sentiment; a theme by key, its sub-themes included, mentioned at all or with a sentiment; an
intent): they hold once the comments are analysed, which happens a moment after submission,
and the rules that use them are evaluated again then. Conditions are data, never code:
nothing here evaluates user input as an expression.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeGuard

from voxloop import conditions as tree
from voxloop.errors import InvalidInput

if TYPE_CHECKING:
    from voxloop.responses.models import Response

SCORES = ("nps", "csat", "ces", "rating")  # rating: an online review's 1–5 stars
NUMERIC_OPS = {
    "lte": lambda a, b: a <= b,
    "lt": lambda a, b: a < b,
    "gte": lambda a, b: a >= b,
    "gt": lambda a, b: a > b,
    "eq": lambda a, b: a == b,
}
THEME_OPS = {"mentions": None, "mentions_negative": "negative", "mentions_positive": "positive"}
TEXT_FIELDS = ("comment_sentiment", "comment_theme", "comment_intent")
SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("complaint", "praise", "suggestion", "question", "churn_threat")
OPS = set(NUMERIC_OPS) | {"includes", "contains_any"} | set(THEME_OPS)
THEME_KEY = re.compile(r"^[-a-z0-9_]{1,60}$")
MAX_ITEMS = 20
MAX_WORDS = 50


def clean_conditions(raw: Any) -> dict:
    """The stored form of a rule's conditions (a condition tree: voxloop.conditions, groups
    allowed), or InvalidInput naming what is wrong."""
    if raw not in (None, "", {}) and not isinstance(raw, dict):
        raise InvalidInput("Conditions must be an object with 'match' and 'items'.", "conditions")
    return tree.clean_tree(raw, _clean_item, field="conditions")


def _clean_item(item: Any, where: str) -> dict:
    if not isinstance(item, dict):
        raise InvalidInput("Each condition is an object.", where)
    field, op, value = item.get("field"), item.get("op"), item.get("value")
    if field in TEXT_FIELDS:
        return _clean_text_item(field, op, value, where)
    if field == "review_source":
        if op != "eq" or not isinstance(value, str) or not THEME_KEY.match(value):
            raise InvalidInput("review_source equals a connector's name.", where)
        return {"field": field, "op": op, "value": value}
    if not isinstance(field, str) or not (
        field in (*SCORES, "nps_group", "comment")
        or (field.startswith("answer:") and len(field) > 7)
    ):
        raise InvalidInput(
            "Unknown field: use nps, csat, ces, rating, nps_group, comment, comment_sentiment, "
            "comment_theme, comment_intent, review_source or answer:<key>.",
            f"{where}.field",
        )
    if op not in OPS or op in THEME_OPS:
        raise InvalidInput(f"Unknown operator: use one of {sorted(OPS)}.", f"{where}.op")
    if field in SCORES:
        if op not in NUMERIC_OPS or not _is_number(value):
            raise InvalidInput(f"{field} is compared with a number.", f"{where}.value")
        value = float(value)
    elif field == "nps_group":
        if op != "eq" or value not in ("promoter", "passive", "detractor"):
            raise InvalidInput("nps_group equals promoter, passive or detractor.", f"{where}")
    elif op == "contains_any":
        words = [value] if isinstance(value, str) else value
        if (
            not isinstance(words, list)
            or not 0 < len(words) <= MAX_WORDS
            or not all(isinstance(w, str) and w.strip() for w in words)
        ):
            raise InvalidInput("contains_any takes a list of words.", f"{where}.value")
        value = [w.strip() for w in words]
    elif field == "comment":
        raise InvalidInput("comment only takes contains_any.", f"{where}.op")
    elif op in NUMERIC_OPS and op != "eq" and not _is_number(value):
        raise InvalidInput("This operator compares with a number.", f"{where}.value")
    return {"field": field, "op": op, "value": value}


def _clean_text_item(field: str, op: Any, value: Any, where: str) -> dict:
    if field == "comment_sentiment":
        if op != "eq" or value not in SENTIMENTS:
            raise InvalidInput("comment_sentiment equals negative, neutral or positive.", where)
    elif field == "comment_theme":
        if op not in THEME_OPS:
            raise InvalidInput(f"comment_theme takes one of {sorted(THEME_OPS)}.", f"{where}.op")
        if not isinstance(value, str) or not THEME_KEY.match(value):
            raise InvalidInput("comment_theme names a theme by its key.", f"{where}.value")
    elif op != "includes" or value not in INTENTS:
        raise InvalidInput(f"comment_intent includes one of {', '.join(INTENTS)}.", where)
    return {"field": field, "op": op, "value": value}


def uses_text(conditions: dict) -> bool:
    """Whether the conditions read what text analytics found in the comments."""
    return any(item.get("field") in TEXT_FIELDS for item in tree.leaves(conditions or {}))


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def matches(
    conditions: dict[str, Any],
    response: Response,
    findings: Callable[[], dict[str, Any] | None] | None = None,
) -> bool:
    """True when the response meets the conditions; an empty list matches nothing (a rule
    with no conditions would open a case for every response). `findings` returns what text
    analytics found in its comments (None until they are analysed)."""
    if not conditions.get("items"):
        return False
    return tree.holds(conditions, lambda item: _holds(item, response, findings), empty=False)


def _holds_text(item: dict, found: dict | None) -> bool:
    if found is None:
        return False
    field, op, value = item["field"], item["op"], item["value"]
    if field == "comment_sentiment":
        return value in found["sentiments"]
    if field == "comment_intent":
        return value in found["intents"]
    said = found["themes"].get(value)
    return bool(said) and (THEME_OPS[op] is None or THEME_OPS[op] in said)


def _holds(
    item: dict[str, Any],
    response: Response,
    findings: Callable[[], dict[str, Any] | None] | None = None,
) -> bool:
    field, op, value = item["field"], item["op"], item["value"]
    if field in TEXT_FIELDS:
        return _holds_text(item, findings() if findings else None)
    if field in SCORES:
        actual = getattr(response, field, None)
        return actual is not None and NUMERIC_OPS[op](float(actual), value)
    if field == "review_source":
        return getattr(response, "source_kind", None) == value
    if field == "nps_group":
        return response.nps_group == value
    if field == "comment":
        return _contains_any(_texts(response.answers.values()), value)
    answer = response.answers.get(field[len("answer:") :])
    if answer is None:
        return False
    if op == "contains_any":
        return _contains_any(_texts([answer]), value)
    if op == "includes":
        picked = answer if isinstance(answer, list) else [answer]
        return str(value) in [str(p) for p in picked]
    if op == "eq":
        return str(answer) == str(value)
    return _is_number(answer) and NUMERIC_OPS[op](float(answer), float(value))


def _texts(values: Iterable[object]) -> str:
    return " ".join(v for v in values if isinstance(v, str)).casefold()


def _contains_any(text: str, words: list[str]) -> bool:
    # Whole words for alphabetic scripts ("rude" not in "prudent"); a plain substring for
    # scripts written without spaces (Chinese, Japanese), where a word boundary means nothing.
    for word in words:
        needle = word.casefold()
        if needle.isascii():
            if re.search(rf"\b{re.escape(needle)}\b", text):
                return True
        elif needle in text:
            return True
    return False
