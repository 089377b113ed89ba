"""Plain HTML forms for one question: what each widget shows, and reading the answer back.

Validation itself is the capture service's (definition.clean_answer); this module only turns
form fields into the raw answer shape the service takes and words errors for a respondent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from voxloop.surveys import definition
from voxloop.surveys.models import Question

NPS_ANCHORS = {"low": 0, "high": 10}


class BadEncoding(Exception):
    """The form body is not valid UTF-8."""


def check_utf8(body: bytes) -> None:
    """Django quietly decodes bad bytes as Latin-1; a respondent's answer must not be mangled."""
    try:
        parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise BadEncoding from None


@dataclass
class Option:
    value: str
    label: str
    checked: bool = False


@dataclass
class Row:
    key: str
    label: str
    options: list[Option] = field(default_factory=list)


@dataclass
class QuestionView:
    """Everything the template needs for one question, already translated and piped."""

    key: str
    widget: str  # scale, radio, checkbox, select, yes_no, short_text, long_text, matrix
    title: str
    help: str = ""
    low: str = ""
    high: str = ""
    required: bool = False
    options: list[Option] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    text: str = ""
    max_length: int = 0
    other: bool = False
    other_text: str = ""
    stars: bool = False
    columns: int = 0
    error: str = ""
    auto_advance: bool = False
    # number: min/max/step as the input's attributes ("" = none), unit shown beside it;
    # date: min/max as ISO dates.
    low_bound: str = ""
    high_bound: str = ""
    step: str = ""
    unit: str = ""


WIDGETS = {
    "nps": "scale",
    "csat": "scale",
    "ces": "scale",
    "rating": "scale",
    "single_choice": "radio",
    "multiple_choice": "checkbox",
    "dropdown": "select",
    "yes_no": "yes_no",
    "short_text": "short_text",
    "long_text": "long_text",
    "matrix": "matrix",
    "number": "number",
    "date": "date",
}


def _scale(question: Question, current: Any) -> list[Option]:
    low, high = definition.scale_of(question)
    return [Option(str(n), str(n), str(current) == str(n)) for n in range(low, high + 1)]


def question_view(
    question: Question, locale: str, default: str, values: dict[str, str], current: Any
) -> QuestionView:
    """`current` is the stored answer, or the raw one just typed when it was refused. Built in
    the page's language, which may differ from the request's (the on-page switcher)."""
    with translation.override(locale):
        return _question_view(question, locale, default, values, current)


def _question_view(
    question: Question, locale: str, default: str, values: dict[str, str], current: Any
) -> QuestionView:

    def text(name: str) -> str:
        raw = definition.localized(question.texts.get(name), locale, default)
        return definition.piped(raw, values)

    widget = WIDGETS.get(question.type, "short_text")
    view = QuestionView(
        key=question.key,
        widget=widget,
        title=text("title") or question.key,
        help=text("help"),
        low=text("low"),
        high=text("high"),
        required=question.required,
    )
    if widget == "scale":
        view.options = _scale(question, current)
        view.columns = len(view.options)
        view.stars = question.config.get("style") == "stars"
        view.auto_advance = True
        if question.type == "nps":
            view.low = view.low or _("Not at all likely")
            view.high = view.high or _("Extremely likely")
    elif widget in ("radio", "checkbox", "select"):
        picked = current if isinstance(current, list) else [current]
        picked = [str(p) for p in picked if p is not None]
        view.options = [
            Option(key, definition.localized(choice.get("label"), locale, default) or key)
            for key, choice in zip(
                definition.choice_keys(question), question.config.get("choices", []), strict=True
            )
        ]
        view.other = bool(question.config.get("allow_other")) and widget != "select"
        if view.other:
            view.options.append(Option(definition.OTHER, _("Other")))
        for option in view.options:
            option.checked = option.value in picked
        view.auto_advance = widget == "radio" and not view.other
    elif widget == "yes_no":
        as_text = {True: "yes", False: "no"}.get(current, str(current or ""))
        view.options = [
            Option("yes", _("Yes"), as_text == "yes"),
            Option("no", _("No"), as_text == "no"),
        ]
        view.auto_advance = True
    elif widget == "matrix":
        given = current if isinstance(current, dict) else {}
        for row in question.config.get("rows", []):
            label = definition.localized(row.get("label"), locale, default) or row["key"]
            view.rows.append(Row(str(row["key"]), label, _scale(question, given.get(row["key"]))))
        view.columns = len(view.rows[0].options) if view.rows else 0
    else:
        view.text = "" if current is None else str(current)
        view.max_length = definition.TEXT_LIMITS.get(question.type, 500)
        _bounds(question, view)
    return view


def _bounds(question: Question, view: QuestionView) -> None:
    config = question.config
    if question.type == "number":
        view.low_bound = "" if config.get("min") is None else str(config["min"])
        view.high_bound = "" if config.get("max") is None else str(config["max"])
        view.step = "1" if config.get("integer") else "any"
        view.unit = str(config.get("unit") or "")
    elif question.type == "date":
        view.low_bound = str(config.get("earliest") or "")
        view.high_bound = str(config.get("latest") or "")


def read_answer(question: Question, data: QueryDict) -> dict[str, Any]:
    """The raw answers one question's form fields carry, keyed as the capture service wants
    them (an "other, please specify" text under "<key>:other")."""
    key = question.key
    widget = WIDGETS.get(question.type, "short_text")
    if widget == "checkbox":
        picked = [v for v in data.getlist(key) if v]
        answer: dict[str, Any] = {key: picked}
    elif widget == "matrix":
        rows = {row: data.get(f"{key}.{row}", "") for row in definition.row_keys(question)}
        answer = {key: {row: value for row, value in rows.items() if value != ""}}
    else:
        answer = {key: data.get(key, "")}
    if question.config.get("allow_other") and widget in ("radio", "checkbox"):
        other_text = data.get(f"{key}:other", "").strip()
        # Always sent, so clearing the text replaces what was stored before.
        answer[f"{key}:other"] = other_text
        if other_text:
            if widget == "checkbox" and definition.OTHER not in picked:
                picked.append(definition.OTHER)
            elif widget == "radio" and not answer[key]:
                answer[key] = definition.OTHER
    return answer


def is_unanswered(question: Question, answer: dict[str, Any]) -> bool:
    value = answer.get(question.key)
    if question.type == "matrix" and isinstance(value, dict):
        return len(value) < len(definition.row_keys(question))
    if isinstance(value, str):
        return not value.strip()
    return definition.is_empty(value)


def error_text(question: Question, raw: Any = None, *, locale: str | None = None) -> str:
    """A respondent-facing wording of a refused answer, in the page's language."""
    with translation.override(locale or translation.get_language()):
        return _error_text(question, raw)


def _error_text(question: Question, raw: Any = None) -> str:
    if question.type in definition.SCALED_TYPES or question.type == "matrix":
        low, high = definition.scale_of(question)
        return _("Please choose a number from %(low)s to %(high)s.") % {"low": low, "high": high}
    if question.type in definition.CHOICE_TYPES:
        return _("Please choose one of the options.")
    if question.type == "yes_no":
        return _("Please answer yes or no.")
    if question.type == "number":
        return _number_error(question)
    if question.type == "date":
        return _date_error(question)
    limit = definition.TEXT_LIMITS.get(question.type, 0)
    if limit and isinstance(raw, str) and len(raw.strip()) > limit:
        return _("Please shorten your answer to %(limit)s characters.") % {"limit": limit}
    return _("Please check this answer.")


def _number_error(question: Question) -> str:
    low, high = question.config.get("min"), question.config.get("max")
    whole = bool(question.config.get("integer"))
    if low is not None and high is not None:
        if whole:
            text = _("Please enter a whole number from %(low)s to %(high)s.")
        else:
            text = _("Please enter a number from %(low)s to %(high)s.")
        return text % {"low": low, "high": high}
    if low is not None:
        return _("Please enter a number of at least %(low)s.") % {"low": low}
    if high is not None:
        return _("Please enter a number of at most %(high)s.") % {"high": high}
    return _("Please enter a whole number.") if whole else _("Please enter a number.")


def _date_error(question: Question) -> str:
    earliest, latest = question.config.get("earliest"), question.config.get("latest")
    if earliest and latest:
        return _("Please enter a date from %(earliest)s to %(latest)s.") % {
            "earliest": earliest,
            "latest": latest,
        }
    if earliest:
        return _("Please enter a date on or after %(earliest)s.") % {"earliest": earliest}
    if latest:
        return _("Please enter a date on or before %(latest)s.") % {"latest": latest}
    return _("Please enter a date (year, month, day).")


def required_text(*, locale: str | None = None) -> str:
    with translation.override(locale or translation.get_language()):
        return _("Please answer this question.")
