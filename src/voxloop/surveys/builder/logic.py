"""Display-logic conditions and thank-you branches, as the builder and the API take them.

The services check display logic; thank-you branches are only stored by them, so they are
checked here, the same way for the pages and the API, naming the field at fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from voxloop.errors import InvalidInput
from voxloop.surveys import definition
from voxloop.surveys.validation import LOCALES

BRANCH_KEYS = {"when", "text", "link"}
# Operators offered in the builder, in the order a CX admin reaches for them.
OPERATORS = ["lte", "gte", "eq", "neq", "lt", "gt", "in", "not_in", "contains", "answered"]


def parse_value(question, op: str, raw: str) -> Any:
    """A condition's value as typed into a form: numbers for scores, lists for in/not in."""
    raw = (raw or "").strip()
    if op == "answered":
        return None
    if op in ("in", "not_in"):
        return [_scalar(question, part.strip()) for part in raw.split(",") if part.strip()]
    return _scalar(question, raw)


def _scalar(question, raw: str) -> Any:
    if question is not None and question.type == "yes_no":
        return raw.lower() in ("yes", "true", "1")
    if question is not None and question.type in definition.SCALED_TYPES:
        try:
            return int(raw)
        except ValueError:
            raise InvalidInput(f"'{raw[:20]}' is not a whole number.", field="value") from None
    return raw


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def check_thank_you_branches(branches: Any, questions: Iterable) -> list[dict]:
    """[{"when": {question, op, value} or {}, "text": {locale: text}, "link": url}]."""
    if not isinstance(branches, list):
        raise InvalidInput("Thank-you branches are a list.", field="thank_you_branches")
    keys = {q.key for q in questions}
    checked = []
    for index, branch in enumerate(branches):
        field = f"thank_you_branches.{index}"
        if not isinstance(branch, Mapping):
            raise InvalidInput("Each branch is an object.", field=field)
        unknown = set(branch) - BRANCH_KEYS
        if unknown:
            raise InvalidInput(f"Unknown field '{sorted(unknown)[0]}'.", field=field)
        when = branch.get("when") or {}
        if when:
            if not isinstance(when, Mapping) or when.get("question") not in keys:
                raise InvalidInput("A branch looks at a question of the survey.", f"{field}.when")
            if when.get("op", "eq") not in definition.CONDITION_OPS:
                raise InvalidInput(f"Unknown operator '{when.get('op')}'.", f"{field}.when.op")
        text = branch.get("text") or {}
        if not isinstance(text, Mapping) or any(
            locale not in LOCALES or not isinstance(t, str) or len(t) > 5000
            for locale, t in text.items()
        ):
            raise InvalidInput("Give the text per supported language.", field=f"{field}.text")
        link = branch.get("link") or ""
        if link and (not isinstance(link, str) or not link.startswith(("https://", "/"))):
            raise InvalidInput("Links are https:// or site-relative URLs.", f"{field}.link")
        checked.append({"when": dict(when), "text": dict(text), "link": link})
    return checked
