"""Display-logic conditions as the builder's forms take them (one condition per rule)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from voxloop.errors import InvalidInput
from voxloop.surveys import definition
from voxloop.surveys.definition import QuestionLike
from voxloop.surveys.models import Question, Survey

# Operators offered in the builder, in the order a CX admin reaches for them.
OPERATORS = ["lte", "gte", "eq", "neq", "lt", "gt", "in", "not_in", "contains", "answered"]


def parse_value(question: QuestionLike | None, op: str, raw: str) -> Any:
    """A condition's value as typed into a form: numbers for scores, lists for in/not in."""
    raw = (raw or "").strip()
    if op == "answered":
        return None
    if op in ("in", "not_in"):
        return [_scalar(question, part.strip()) for part in raw.split(",") if part.strip()]
    return _scalar(question, raw)


def _scalar(question: QuestionLike | None, raw: str) -> Any:
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


def tree_of_rule(rule: dict | None) -> dict:
    """Display logic ({"all"|"any": [{question, op, value}]}) as the builder's condition tree."""
    match, items = next(iter((rule or {}).items()), ("all", []))
    return {"match": match, "items": [_leaf_of(c) for c in items]}


def _leaf_of(condition: dict) -> dict:
    leaf = {"field": condition.get("question"), "op": condition.get("op", "eq")}
    if "value" in condition:
        value = condition["value"]
        leaf["value"] = ("yes" if value else "no") if isinstance(value, bool) else value
    return leaf


def rule_of_tree(raw: str) -> dict:
    """The builder's tree as display logic; validation.check_show_if then checks each
    condition against the earlier questions and stores values as the answers are stored."""
    try:
        tree = json.loads(raw)
    except ValueError:
        raise InvalidInput("These conditions could not be read.", field="show_if") from None
    if not isinstance(tree, dict) or not isinstance(tree.get("items"), list):
        raise InvalidInput("These conditions could not be read.", field="show_if")
    match = tree.get("match", "all")
    if match not in ("all", "any"):
        raise InvalidInput("'match' is 'all' (AND) or 'any' (OR).", field="show_if")
    items = []
    for index, item in enumerate(tree["items"]):
        if not isinstance(item, dict) or "items" in item:
            raise InvalidInput("Display logic takes conditions, not groups.", f"show_if.{index}")
        condition = {"question": item.get("field"), "op": item.get("op", "eq")}
        if condition["op"] != "answered":
            condition["value"] = item.get("value")
        items.append(condition)
    return {match: items} if items else {}


def single_condition(rule: dict[str, Any] | None) -> dict[str, Any]:
    """The builder edits one condition: the first of a rule, or {} when there is none."""
    conditions: list[Any] = next(iter((rule or {}).values()), [])
    return dict(conditions[0]) if conditions else {}


def rule_of(condition: dict) -> dict:
    return {"all": [condition]} if condition else {}


def builder_config(survey: Survey, earlier: Iterable[Question], count_url: str) -> dict[str, Any]:
    """The condition builder's fields for display logic: the questions before this one."""
    from django.utils.translation import gettext as _

    from voxloop.web import conditions

    locale = survey.default_locale
    fields = []
    for question in earlier:
        title = definition.localized(question.texts.get("title"), locale, locale) or question.key
        field: dict[str, Any] = {
            "name": question.key,
            "label": title,
            "ops": ["answered"],
            "input": "text",
        }
        if question.type in definition.SCALED_TYPES or question.type == "number":
            field |= {"ops": ["lte", "gte", "eq", "neq", "lt", "gt", "answered"]}
            field |= {"input": "number"}
        elif question.type in definition.CHOICE_TYPES:
            choices = [
                [c["key"], definition.localized(c.get("label"), locale, locale) or c["key"]]
                for c in question.config.get("choices", [])
            ]
            if question.config.get("allow_other"):
                choices.append([definition.OTHER, _("Other")])
            field |= {"ops": ["eq", "neq", "in", "not_in", "answered"], "input": "choice"}
            field["choices"] = choices
        elif question.type == "yes_no":
            field |= {"ops": ["eq", "answered"], "input": "choice"}
            field["choices"] = [["yes", _("Yes")], ["no", _("No")]]
        fields.append(field)
    return conditions.config(fields, groups=False, count_url=count_url)
