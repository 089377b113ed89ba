"""Checks a survey definition before it is saved or published; errors name the field."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import global_settings, settings

from voxloop.errors import InvalidInput
from voxloop.surveys import definition
from voxloop.surveys.models import QuestionType

# No "__": analytics reads answers by key through ORM paths, where "__" starts a lookup.
KEY = re.compile(r"^[a-z](?!.*__)[a-z0-9_]{0,59}$")
# A survey's texts may be in any language Django names (an imported survey keeps every
# translation it had, decision 0023); the pages around them use the nearest language the
# product itself is translated into.
LOCALES = {code for code, _ in settings.LANGUAGES} | {code for code, _ in global_settings.LANGUAGES}
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def refuse_nul(value: Any, field: str) -> None:
    """No NUL anywhere in a text, key or nested value: PostgreSQL refuses them in text and
    jsonb, so one would surface as a 500 instead of an error naming the field."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput("Text may not contain a NUL character.", field=field)
        if definition.SURROGATE.search(value):
            raise InvalidInput("Text is not valid Unicode (a lone surrogate).", field=field)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{field}.{key}" if field else str(key)
            refuse_nul(key, path)
            refuse_nul(item, path)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            refuse_nul(item, f"{field}.{index}" if field else str(index))


def check_key(key: str, field: str = "key") -> str:
    if not isinstance(key, str) or not KEY.match(key):
        raise InvalidInput(
            "Keys start with a letter and use a–z, 0–9 and single _ (at most 60).", field=field
        )
    return key


def check_locales(default_locale: str, locales: list[str]) -> list[str]:
    if default_locale not in LOCALES:
        raise InvalidInput(f"Unsupported language '{default_locale}'.", field="default_locale")
    for locale in locales:
        if locale not in LOCALES:
            raise InvalidInput(f"Unsupported language '{locale}'.", field="locales")
    return list(dict.fromkeys([default_locale, *locales]))


def check_texts(texts: Any, field: str, allowed: set[str]) -> dict:
    """{"title": {"en": "…"}, …}: known parts only, each a map of supported language → text."""
    if not isinstance(texts, Mapping):
        raise InvalidInput("Texts must be an object.", field=field)
    for part, by_locale in texts.items():
        if part not in allowed:
            raise InvalidInput(f"Unknown text '{part}'.", field=f"{field}.{part}")
        if not isinstance(by_locale, Mapping):
            raise InvalidInput("Give the text per language.", field=f"{field}.{part}")
        for locale, text in by_locale.items():
            if locale not in LOCALES or not isinstance(text, str) or len(text) > 5000:
                raise InvalidInput(
                    f"Bad text for language '{locale}'.", field=f"{field}.{part}.{locale}"
                )
    return dict(texts)


def _check_options(options: Any, field: str) -> list[dict]:
    if not isinstance(options, list) or not options:
        raise InvalidInput("Give at least one option.", field=field)
    seen: set[str] = set()
    for index, option in enumerate(options):
        if not isinstance(option, Mapping) or "key" not in option:
            raise InvalidInput("Each option needs a key and a label.", field=f"{field}.{index}")
        key = check_key(str(option["key"]), f"{field}.{index}.key")
        if key in seen:
            raise InvalidInput(f"The option key '{key}' is repeated.", field=f"{field}.{index}")
        seen.add(key)
        check_texts({"label": option.get("label", {})}, f"{field}.{index}", {"label"})
    return list(options)


def check_config(kind: str, config: Any) -> dict:
    if kind not in QuestionType.values:
        raise InvalidInput(f"Unknown question type '{kind}'.", field="type")
    if not isinstance(config, Mapping):
        raise InvalidInput("The question settings must be an object.", field="config")
    config = dict(config)
    if kind in ("rating", "matrix"):
        scale = config.get("scale", 5)
        if isinstance(scale, bool) or not isinstance(scale, int) or not 2 <= scale <= 10:
            raise InvalidInput("A scale goes from 2 to 10 points.", field="config.scale")
        config["scale"] = scale
    if kind in definition.CHOICE_TYPES:
        _check_options(config.get("choices"), "config.choices")
    if kind == "matrix":
        _check_options(config.get("rows"), "config.rows")
    if kind == "number":
        _check_number_config(config)
    if kind == "date":
        _check_date_config(config)
    return config


def _check_number_config(config: dict) -> None:
    for bound in ("min", "max"):
        value = config.get(bound)
        if value is None or value == "":
            config.pop(bound, None)
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise InvalidInput("A limit is a number.", field=f"config.{bound}")
        if abs(value) >= definition.NUMBER_LIMIT:
            raise InvalidInput("A limit is too large a number.", field=f"config.{bound}")
    if "min" in config and "max" in config and config["min"] > config["max"]:
        raise InvalidInput("The smallest number is above the largest.", field="config.min")
    config["integer"] = bool(config.get("integer", False))
    unit = config.get("unit", "")
    if not isinstance(unit, str) or len(unit) > 20:
        raise InvalidInput("A unit is a short text (at most 20 characters).", "config.unit")
    config["unit"] = unit.strip()


def _check_date_config(config: dict) -> None:
    for bound in ("earliest", "latest"):
        value = config.get(bound)
        if value is None or value == "":
            config.pop(bound, None)
            continue
        day = definition.parse_date(value)
        if day is None or not isinstance(value, str) or len(value) != 10:
            raise InvalidInput("A date is written YYYY-MM-DD.", field=f"config.{bound}")
    if config.get("earliest", "") > config.get("latest", "9999-12-31"):
        raise InvalidInput("The earliest date is after the latest.", field="config.earliest")


def check_show_if(rule: Any, earlier: Mapping[str, Any]) -> dict:
    """Display logic may only look at questions that come earlier in the survey."""
    if not rule:
        return {}
    if not isinstance(rule, Mapping) or len(rule) != 1 or next(iter(rule)) not in ("all", "any"):
        raise InvalidInput('Logic is {"all": [...]} or {"any": [...]}.', field="show_if")
    conditions = next(iter(rule.values()))
    if not isinstance(conditions, list) or not conditions:
        raise InvalidInput("Logic needs at least one condition.", field="show_if")
    conditions = list(conditions)
    for index, condition in enumerate(conditions):
        field = f"show_if.{index}"
        if not isinstance(condition, Mapping):
            raise InvalidInput("Each condition is an object.", field=field)
        if condition.get("question") not in earlier:
            raise InvalidInput(
                "A condition can only look at an earlier question.", field=f"{field}.question"
            )
        if condition.get("op", "eq") not in definition.CONDITION_OPS:
            raise InvalidInput(f"Unknown operator '{condition.get('op')}'.", field=f"{field}.op")
        conditions[index] = _check_condition(dict(condition), earlier[condition["question"]], field)
    return {next(iter(rule)): conditions}


ORDERING_OPS = {"lt", "lte", "gt", "gte"}


def _check_condition(condition: dict, question: Any, field: str) -> dict:
    """The condition's value in the form the answer is stored in (a score as a number, a
    choice by its key, yes/no as true/false): otherwise it could never hold, and the question
    or thank-you message behind it would silently never show."""
    op = condition.get("op", "eq")
    if op == "answered":
        condition.pop("value", None)
        return condition
    if question.type == "matrix":
        raise InvalidInput("A matrix can only be tested for being answered.", f"{field}.op")
    comparable = definition.SCALED_TYPES | {"number"}
    if op in ORDERING_OPS and question.type not in comparable:
        raise InvalidInput("Only scores and numbers compare as more or less.", f"{field}.op")
    value = condition.get("value")
    as_choice = _SingleAnswer(question)
    try:
        if op in ("in", "not_in"):
            if not isinstance(value, list) or not value:
                raise InvalidInput("Give a list of values.", f"{field}.value")
            condition["value"] = [definition.clean_answer(as_choice, v) for v in value]
        else:
            condition["value"] = definition.clean_answer(as_choice, value)
    except definition.AnswerError as error:
        raise InvalidInput(error.message, f"{field}.value") from None
    return condition


class _SingleAnswer:
    """A question as one value of a condition sees it: a multiple choice holds one key."""

    def __init__(self, question: Any) -> None:
        self.key, self.config = "value", question.config
        multiple = question.type == "multiple_choice"
        self.type = "single_choice" if multiple else question.type


BRANCH_KEYS = {"when", "text", "link", "link_text"}


def check_thank_you_branches(branches: Any, questions: Iterable) -> list[dict]:
    """[{"when": rule like show_if (empty = always), "text": {locale: text}, "link": url,
    "link_text": {locale: text}}].

    The first branch whose rule holds picks the thank-you text, e.g. promoters are invited to
    leave a public review.
    """
    if not isinstance(branches, list):
        raise InvalidInput("Thank-you branches are a list.", field="thank_you_branches")
    every_question = {q.key: q for q in questions}
    checked = []
    for index, branch in enumerate(branches):
        field = f"thank_you_branches.{index}"
        if not isinstance(branch, Mapping):
            raise InvalidInput("Each branch is an object.", field=field)
        unknown = set(branch) - BRANCH_KEYS
        if unknown:
            raise InvalidInput(f"Unknown field '{sorted(unknown)[0]}'.", field=field)
        try:
            when = check_show_if(branch.get("when") or {}, every_question)
        except InvalidInput as error:
            raise InvalidInput(error.message, f"{field}.when") from None
        texts = {"text": branch.get("text") or {}, "link_text": branch.get("link_text") or {}}
        texts = check_texts(texts, field, {"text", "link_text"})
        link = branch.get("link") or ""
        if link and (not isinstance(link, str) or not definition.is_safe_link(link)):
            raise InvalidInput("Links are https:// or site-relative URLs.", f"{field}.link")
        checked.append({"when": when, "text": dict(texts["text"]), "link": link})
        if texts["link_text"]:
            checked[-1]["link_text"] = dict(texts["link_text"])
    return checked
