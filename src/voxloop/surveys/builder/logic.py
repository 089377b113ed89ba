"""Display-logic conditions as the builder's forms take them (one condition per rule)."""

from __future__ import annotations

from typing import Any

from voxloop.errors import InvalidInput
from voxloop.surveys import definition

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


def single_condition(rule: dict | None) -> dict:
    """The builder edits one condition: the first of a rule, or {} when there is none."""
    conditions = next(iter((rule or {}).values()), [])
    return dict(conditions[0]) if conditions else {}


def rule_of(condition: dict) -> dict:
    return {"all": [condition]} if condition else {}
