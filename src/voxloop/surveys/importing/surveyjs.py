"""SurveyJS survey JSON (also written as a JavaScript literal): pages of elements, texts either
a string or {"default": …, "de": …}, logic as `visibleIf` expressions and `visible` triggers.
Reference: specs/surveyjs-survey-json-authoring.md and the JSON schema beside it."""

from __future__ import annotations

import json
import re
from typing import Any

from voxloop.surveys import definition
from voxloop.surveys.importing import jsliteral
from voxloop.surveys.importing.common import (
    BadFile,
    Draft,
    DraftQuestion,
    Keys,
    languages,
    limit_of,
    option_key,
    plain,
)

VALUE_INPUTS = {"number", "date", "datetime-local"}
CHOICES = {"radiogroup": "single_choice", "dropdown": "dropdown", "checkbox": "multiple_choice"}
CHOICES |= {"tagbox": "multiple_choice"}
TERM = re.compile(
    r"^\(*\s*\{([^}]+)\}\s*(==|=<|=>|=|!=|<>|>=|<=|>|<|contains|notcontains|anyof|notempty|empty)"
    r"\s*(?:'([^']*)'|\"([^\"]*)\"|(-?[\d.]+)|(true|false))?\s*\)*$",
    re.I,
)
OPS = {"=": "eq", "==": "eq", "!=": "neq", "<>": "neq", ">": "gt", ">=": "gte", "<": "lt"}
OPS |= {
    "<=": "lte",
    "=<": "lte",
    "=>": "gte",
    "contains": "eq",
    "notcontains": "neq",
    "notempty": "answered",
}
PIPED = re.compile(r"\{[^{}]{1,100}\}")


def read(data: bytes, filename: str) -> Draft:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        document = jsliteral.parse(data)
    if not isinstance(document, dict):
        raise BadFile("A SurveyJS survey is a JSON object with pages or questions.", "file")
    pages = document.get("pages")
    if not isinstance(pages, list):
        pages = [{"elements": document.get("elements") or document.get("questions") or []}]
    names = _languages(document, document.get("locale") or "en")
    title = _text(document.get("title"))
    draft = Draft(
        name=plain(title.get("default") or next(iter(title.values()), "")) or filename,
        format="surveyjs",
    )
    locales = languages(draft, names)
    reader = _Reader(draft, locales, document.get("locale") or "en")
    draft.texts = {
        "title": reader.texts(document.get("title")),
        "thank_you": reader.texts(document.get("completedHtml")),
    }
    for page in pages:
        if isinstance(page, dict):
            for element in page.get("elements") or page.get("questions") or []:
                reader.element(element, page.get("visibleIf"))
    reader.triggers(document.get("triggers") or [])
    for question in reader.hidden:
        if not question.show_if:
            draft.report.drop(
                question.source,
                question.key,
                "hidden at start",
                "no trigger of the file shows it; it is shown to everyone",
            )
    return draft


def _text(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if isinstance(v, str | int | float)}
    return {"default": str(value)} if value not in (None, "") else {}


def _languages(document: Any, default: str) -> list[str]:
    found = [default]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "default" in value and all(isinstance(v, str) for v in value.values()):
                found.extend(k for k in value if k != "default" and k not in found)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    return found


class _Reader:
    def __init__(self, draft: Draft, locales: dict[str, str], default: str) -> None:
        self.draft, self.locales, self.default, self.keys = draft, locales, default, Keys()
        self.hidden: list[DraftQuestion] = []

    def texts(self, value: Any, source: str = "") -> dict[str, str]:
        found = {}
        for name, text in _text(value).items():
            code = self.locales.get(self.default if name == "default" else name)
            if code:
                found[code] = self.pipe(text, source)
        return {k: v for k, v in found.items() if v}

    def pipe(self, text: str, source: str) -> str:
        def swap(match: re.Match) -> str:
            self.draft.report.drop(
                source,
                None,
                f"piped text {match.group(0)}",
                "Voxloop pipes only names, unit and staff into texts",
            )
            return "…"

        return plain(PIPED.sub(swap, text))

    def value(self, element: dict, name: str, texts: dict, required: bool) -> DraftQuestion:
        """A text box of inputType number, date or datetime-local, with its min and max."""
        key, low, high = self.keys.make(name), element.get("min"), element.get("max")
        if element["inputType"] == "number":
            config: dict[str, Any] = {"integer": element.get("step") in (1, "1")}
            for bound, raw in (("min", low), ("max", high)):
                if (number := limit_of(raw)) is not None:
                    config[bound] = number
            return DraftQuestion(key, "number", texts, config, required)
        if element["inputType"] == "datetime-local":
            why = "the date is kept, the time of day is not"
            self.draft.report.drop(name, key, "input type datetime-local", why)
        config = {}
        for bound, raw in (("earliest", low), ("latest", high)):
            day = definition.parse_date(raw)
            if day:
                config[bound] = day.isoformat()
        return DraftQuestion(key, "date", texts, config, required)

    def element(self, element: Any, page_rule: str | None) -> None:
        if not isinstance(element, dict):
            return
        kind, name = element.get("type", ""), str(element.get("name") or "")
        if kind == "panel":
            rule = " and ".join(r for r in (page_rule, element.get("visibleIf")) if r) or None
            for child in element.get("elements") or element.get("questions") or []:
                self.element(child, rule)
            return
        texts = {
            "title": self.texts(element.get("title") or name, name),
            "help": self.texts(element.get("description"), name),
        }
        required = bool(element.get("isRequired"))
        made: list[DraftQuestion] = []
        if kind in CHOICES:
            made = [self.choice(element, texts, required)]
        elif kind == "boolean":
            made = [DraftQuestion(self.keys.make(name), "yes_no", texts, {}, required)]
        elif kind == "rating":
            made = self.rating(element, texts, required)
        elif kind == "text" and element.get("inputType") in VALUE_INPUTS:
            made = [self.value(element, name, texts, required)]
        elif kind in ("text", "comment"):
            made = [
                DraftQuestion(
                    self.keys.make(name),
                    "long_text" if kind == "comment" else "short_text",
                    texts,
                    {},
                    required,
                )
            ]
            if element.get("inputType") not in (None, "text"):
                self.draft.report.drop(
                    name,
                    made[0].key,
                    f"input type {element['inputType']}",
                    "imported as free text, without the format check",
                )
        elif kind == "matrix":
            made = self.matrix(element, texts, required)
        elif kind == "multipletext":
            for item in element.get("items") or []:
                sub = str(item.get("name") if isinstance(item, dict) else item)
                title = {
                    "title": self.texts(
                        (item.get("title") if isinstance(item, dict) else None) or sub, name
                    )
                }
                made.append(
                    DraftQuestion(
                        self.keys.make(f"{name}_{sub}"),
                        "short_text",
                        title,
                        {"source_part": sub},
                        required,
                    )
                )
            self.draft.report.drop(
                name, None, "multiple text layout", "each item became its own short-text question"
            )
        else:
            self.draft.report.drop(
                name,
                None,
                f"{kind} question '{name}'",
                "no Voxloop question type takes this answer",
            )
            return
        for question in made:
            question.source = name
            question.config.setdefault("source", name)
        if element.get("visible") is False:
            self.hidden += made
        self.logic(name, " and ".join(r for r in (page_rule, element.get("visibleIf")) if r), made)
        self.draft.questions += made

    def options(self, items: Any) -> list[dict[str, Any]]:
        used: set[str] = {"other", "none"}
        options = []
        for item in items or []:
            if isinstance(item, dict):
                value, label = item.get("value"), item.get("text") or item.get("value")
            else:
                value, _, text = str(item).partition("|")
                label = text or value
            options.append(
                {
                    "key": option_key(value, used),
                    "label": self.texts(label) or {self.draft.default_locale: str(value)},
                    "source": str(value),
                }
            )
        return options

    def choice(self, element: dict, texts: dict, required: bool) -> DraftQuestion:
        name = str(element.get("name"))
        choices = self.options(element.get("choices"))
        if [c["source"] for c in choices] == [str(i) for i in range(11)]:
            return DraftQuestion(self.keys.make(name), "nps", texts, {}, required)
        if element["type"] == "radiogroup" and sorted(c["source"] for c in choices) == list(
            "12345"
        ):
            # A five-point satisfaction scale written as radio buttons: CSAT, scored as such.
            ordered = sorted(choices, key=lambda c: c["source"])
            question = DraftQuestion(self.keys.make(name), "csat", texts, {}, required)
            question.texts["low"], question.texts["high"] = (
                ordered[0]["label"],
                ordered[-1]["label"],
            )
            self.draft.report.drop(
                name, question.key, "labels of the middle points", "a 1–5 scale names only its ends"
            )
            return question
        config: dict[str, Any] = {"choices": choices}
        if element.get("hasOther") or element.get("showOtherItem"):
            config["allow_other"] = True
        for flag in (
            "hasNone",
            "showNoneItem",
            "hasSelectAll",
            "showSelectAllItem",
            "choicesByUrl",
            "choicesFromQuestion",
        ):
            if element.get(flag):
                self.draft.report.drop(name, None, flag, "Voxloop choices are the ones listed")
        return DraftQuestion(
            self.keys.make(name), CHOICES[element["type"]], texts, config, required
        )

    def rating(self, element: dict, texts: dict, required: bool) -> list[DraftQuestion]:
        name = str(element.get("name"))
        values = element.get("rateValues")
        if values:
            numbers = [
                int(str(v.get("value") if isinstance(v, dict) else v))
                for v in values
                if str(v.get("value") if isinstance(v, dict) else v).lstrip("-").isdigit()
            ]
            low, high = (min(numbers), max(numbers)) if numbers else (1, len(values))
        else:
            low = int(element.get("rateMin", 1))
            high = int(element.get("rateMax", low + int(element.get("rateCount", 5)) - 1))
        if (low, high) == (0, 10):
            question = DraftQuestion(self.keys.make(name), "nps", texts, {}, required)
        elif low == 1 and 2 <= high <= 10:
            style = {"style": "stars"} if element.get("rateType") == "stars" else {}
            question = DraftQuestion(
                self.keys.make(name), "rating", texts, {"scale": high, **style}, required
            )
        else:
            self.draft.report.drop(
                name, None, f"rating {low}–{high}", "Voxloop scales are 0–10 or 1–N up to 10"
            )
            return []
        for part, prop in (("low", "minRateDescription"), ("high", "maxRateDescription")):
            if element.get(prop):
                question.texts[part] = self.texts(element[prop])
        return [question]

    def matrix(self, element: dict, texts: dict, required: bool) -> list[DraftQuestion]:
        name = str(element.get("name"))
        columns, rows = self.options(element.get("columns")), self.options(element.get("rows"))
        if not 2 <= len(columns) <= 10 or not rows:
            self.draft.report.drop(
                name,
                None,
                f"matrix '{name}'",
                "%(columns)s columns: a rating matrix has 2–10 points",
                columns=len(columns),
            )
            return []
        config = {
            "rows": rows,
            "scale": len(columns),
            "scale_sources": [c["source"] for c in columns],
        }
        question = DraftQuestion(self.keys.make(name), "matrix", texts, config, required)
        question.texts["low"], question.texts["high"] = columns[0]["label"], columns[-1]["label"]
        if len(columns) > 2:
            self.draft.report.drop(
                name,
                question.key,
                "labels of the middle columns",
                "a rating matrix names only its two ends",
            )
        return [question]

    def logic(self, name: str, expression: str, made: list[DraftQuestion]) -> None:
        if not expression or not made:
            return
        rule = self.expression(expression)
        self.draft.show_when(made, rule, source=name, condition=f"condition {expression}")

    def expression(self, expression: str) -> dict | None:
        parts = re.split(r"\s+(and|or)\s+", expression.strip(), flags=re.I)
        joins = {j.lower() for j in parts[1::2]}
        if len(joins) > 1:
            return None
        conditions = [self.term(p) for p in parts[::2]]
        if any(c is None for c in conditions):
            return None
        return {"any" if joins == {"or"} else "all": conditions}

    def term(self, text: str) -> dict | None:
        match = TERM.match(text.strip())
        if not match:
            return None
        name, op = match.group(1), OPS.get(match.group(2).lower())
        value = next((g for g in match.groups()[2:] if g is not None), None)
        return self.condition(name, op, value)

    def condition(self, name: str, op: str | None, value: Any) -> dict | None:
        target = next((q for q in self.draft.questions if q.source == name), None)
        if target is None or op is None:
            return None
        if op == "answered":
            return {"question": target.key, "op": "answered"}
        text = str(value)
        if target.type in ("nps", "rating", "csat", "ces") and text.lstrip("-").isdigit():
            return {"question": target.key, "op": op, "value": int(text)}
        if target.type == "yes_no" and text in ("true", "false"):
            return {"question": target.key, "op": op, "value": text == "true"}
        keys = {c["source"]: c["key"] for c in target.config.get("choices", [])}
        if target.config.get("allow_other"):
            keys["other"] = "other"
        if text in keys and op in ("eq", "neq"):
            return {"question": target.key, "op": op, "value": keys[text]}
        return None

    def triggers(self, triggers: list[Any]) -> None:
        for trigger in triggers:
            if not isinstance(trigger, dict) or trigger.get("type") != "visible":
                kind = trigger.get("type") if isinstance(trigger, dict) else "?"
                self.draft.report.drop(
                    "",
                    None,
                    f"trigger {kind}",
                    "Voxloop has no triggers; only 'visible' ones become display logic",
                )
                continue
            op = OPS.get(
                str(trigger.get("operator") or "equal").replace("equal", "=").replace("not=", "!=")
            )
            condition = self.condition(str(trigger.get("name")), op, trigger.get("value"))
            for target in trigger.get("questions") or []:
                question = next((q for q in self.draft.questions if q.source == target), None)
                if question is None:
                    continue
                if condition is None or question.show_if.get("all"):
                    self.draft.report.drop(
                        target,
                        question.key,
                        f"trigger on '{trigger.get('name')}'",
                        "it cannot be written as display logic",
                    )
                    continue
                question.show_if = {"any": [*question.show_if.get("any", []), condition]}
