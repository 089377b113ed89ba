"""Answers as staff read them: question titles, choice and row labels and scale ends in the
reader's language, never the stored keys (`nps`, `improve: staff, queue`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from voxloop.surveys.definition import (
    OTHER,
    SCALED_TYPES,
    localized,
    pick_locale,
    piped,
    scale_of,
)
from voxloop.surveys.models import Question, Survey


@dataclass(frozen=True)
class AnswerLine:
    key: str
    question: str
    answer: str


def _choice_label(question: Question, key: str, locale: str, default: str) -> str:
    if key == OTHER:
        return _("Other")
    for choice in question.config.get("choices", []):
        if str(choice["key"]) == key:
            return localized(choice.get("label"), locale, default) or key
    return key


def _scaled(question: Question, value: Any, locale: str, default: str) -> str:
    low, high = scale_of(question)
    text = f"{value} / {high}" if isinstance(value, int) else str(value)
    end = {low: "low", high: "high"}.get(value) if isinstance(value, int) else None
    label = localized(question.texts.get(end), locale, default) if end else ""
    return f"{text} ({label})" if label else text


def answer_text(question: Question, value: Any, locale: str, default: str) -> str:
    kind = question.type
    if kind in SCALED_TYPES:
        return _scaled(question, value, locale, default)
    if kind in ("single_choice", "dropdown"):
        return _choice_label(question, str(value), locale, default)
    if kind == "multiple_choice" and isinstance(value, list):
        return ", ".join(_choice_label(question, str(v), locale, default) for v in value)
    if kind == "yes_no":
        return _("Yes") if value else _("No")
    if kind == "matrix" and isinstance(value, Mapping):
        rows = {str(r["key"]): r.get("label") for r in question.config.get("rows", [])}
        return "; ".join(
            f"{localized(rows.get(k), locale, default) or k}: {v}" for k, v in value.items()
        )
    if kind == "number" and question.config.get("unit"):
        return f"{value} {question.config['unit']}"
    return str(value)


def answer_lines(
    survey: Survey,
    questions: Iterable[Question],
    answers: Mapping[str, Any],
    language: str | None = None,
    values: Mapping[str, str] | None = None,
) -> list[AnswerLine]:
    """One line per answered question, in the survey's order; answers to questions no longer
    in the survey keep their key (nothing a customer said is hidden). `values` fills the
    titles' {{unit}} and {{staff}} as the respondent read them."""
    locale = pick_locale(survey, [language or get_language() or ""])
    default = survey.default_locale
    lines, seen = [], set()
    for question in questions:
        key = question.key
        if key not in answers:
            continue
        seen.add(key)
        title = piped(localized(question.texts.get("title"), locale, default), values or {})
        title = title or key
        text = answer_text(question, answers[key], locale, default)
        if other := answers.get(f"{key}:other"):
            seen.add(f"{key}:other")
            text = f"{text} — {other}"
        lines.append(AnswerLine(key, title, text))
    for key, value in answers.items():
        if key not in seen:
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            lines.append(AnswerLine(key, key, shown))
    return lines
