"""Moving through a survey one question per page, as display logic reshapes it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from voxloop.surveys import definition
from voxloop.surveys.models import Question, Survey


def current(
    questions: Sequence[Question], answers: dict[str, Any], wanted: str = ""
) -> Question | None:
    """The question to show: the one asked for if it is shown, else the first unanswered,
    else the last (a response with every answer given but not yet sent)."""
    shown = definition.shown_questions(questions, answers)
    if not shown:
        return None
    for question in shown:
        if question.key == wanted:
            return question
    for question in shown:
        if definition.is_empty(answers.get(question.key)):
            return question
    return shown[-1]


def after(questions: Sequence[Question], answers: dict[str, Any], key: str) -> Question | None:
    shown = definition.shown_questions(questions, answers)
    keys = [q.key for q in shown]
    if key not in keys:
        return None
    index = keys.index(key)
    return shown[index + 1] if index + 1 < len(shown) else None


def before(questions: Sequence[Question], answers: dict[str, Any], key: str) -> Question | None:
    shown = definition.shown_questions(questions, answers)
    keys = [q.key for q in shown]
    if key not in keys or keys.index(key) == 0:
        return None
    return shown[keys.index(key) - 1]


def position(questions: Sequence[Question], answers: dict[str, Any], key: str) -> tuple[int, int]:
    """(1-based number of this question, how many are shown given the answers so far)."""
    keys = [q.key for q in definition.shown_questions(questions, answers)]
    return (keys.index(key) + 1 if key in keys else 1), len(keys)


def with_answer(question: Question, answers: dict[str, Any], raw: Any) -> dict[str, Any]:
    """The answers as they would be once this one is stored (to decide what comes next);
    raises AnswerError for an answer the question cannot take."""
    merged = dict(answers)
    if isinstance(raw, str):
        raw = raw.strip()
    if definition.is_empty(raw) or raw == {}:
        merged.pop(question.key, None)
    else:
        merged[question.key] = definition.clean_answer(question, raw)
    return merged


def thank_you(survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    """The first thank-you branch whose rule holds ({} when none): its "text" per locale,
    its "link" (https:// or site-relative, as the survey service accepts them) and optional
    "link_text" per locale."""
    for branch in survey.thank_you_branches or []:
        if isinstance(branch, dict) and definition.rule_holds(branch.get("when"), answers):
            link = str(branch.get("link") or "")
            return {**branch, "link": link if definition.is_safe_link(link) else ""}
    return {}


def nps_question(questions: Sequence[Question]) -> Question | None:
    return next((q for q in questions if q.type == "nps"), None)
