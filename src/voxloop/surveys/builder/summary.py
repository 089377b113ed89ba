"""How the builder describes questions: the list on the survey page and the preview."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from voxloop.surveys import definition
from voxloop.surveys.builder.forms import OPERATOR_LABELS
from voxloop.surveys.builder.logic import format_value
from voxloop.surveys.models import Survey

# What piping shows in the preview, where there is no real contact, unit or staff member.
SAMPLE_PIPES = {"first_name": "Alex", "last_name": "Smith", "unit": "Store 42", "staff": "Sam"}


def logic_text(rule: dict) -> str:
    if not rule:
        return ""
    joiner = _(" and ") if "all" in rule else _(" or ")
    parts = []
    for condition in next(iter(rule.values()), []):
        op = condition.get("op", "eq")
        value = "" if op == "answered" else f" {format_value(condition.get('value'))}"
        parts.append(f"{condition.get('question')} {OPERATOR_LABELS.get(op, op)}{value}")
    return joiner.join(parts)


def question_rows(survey: Survey, questions: list) -> list[dict[str, Any]]:
    locale = survey.default_locale
    return [
        {
            "question": q,
            "title": definition.localized(q.texts.get("title"), locale, locale),
            "logic": logic_text(q.show_if),
            "first": index == 0,
            "last": index == len(questions) - 1,
        }
        for index, q in enumerate(questions)
    ]


def _text(texts: dict | None, locale: str, survey: Survey) -> str:
    return definition.piped(
        definition.localized(texts, locale, survey.default_locale), SAMPLE_PIPES
    )


def preview_items(survey: Survey, questions: list, locale: str) -> list[dict[str, Any]]:
    """Each question as the respondent reads it in `locale`, with sample values piped in."""
    items = []
    for q in questions:
        item: dict[str, Any] = {
            "key": q.key,
            "type": q.type,
            "required": q.required,
            "title": _text(q.texts.get("title"), locale, survey),
            "help": _text(q.texts.get("help"), locale, survey),
            "low": _text(q.texts.get("low"), locale, survey),
            "high": _text(q.texts.get("high"), locale, survey),
            "logic": logic_text(q.show_if),
            "style": q.config.get("style", "numbers"),
        }
        if q.type in definition.SCALED_TYPES or q.type == "matrix":
            low, high = definition.scale_of(q)
            item["points"] = list(range(low, high + 1))
        if q.type in definition.CHOICE_TYPES:
            item["choices"] = [
                (c["key"], _text(c.get("label"), locale, survey)) for c in q.config["choices"]
            ]
            item["allow_other"] = bool(q.config.get("allow_other"))
        if q.type == "number":
            item |= {"min": q.config.get("min"), "max": q.config.get("max")}
            item |= {"step": "1" if q.config.get("integer") else "any"}
            item["unit"] = q.config.get("unit", "")
        if q.type == "date":
            item |= {"min": q.config.get("earliest"), "max": q.config.get("latest")}
        if q.type == "matrix":
            item["rows"] = [
                (r["key"], _text(r.get("label"), locale, survey)) for r in q.config["rows"]
            ]
        items.append(item)
    return items
