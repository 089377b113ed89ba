"""A survey as SurveyJS JSON: one page, our keys as names, choices by their keys, scales as
ratings and display logic as `visibleIf` expressions (read back by `surveyjs.read`)."""

from __future__ import annotations

import json
from typing import Any


def _localized(texts: dict[str, str] | None, default: str) -> Any:
    texts = texts or {}
    if set(texts) <= {default}:
        return texts.get(default, "")
    return {"default": texts.get(default, ""), **{k: v for k, v in texts.items() if k != default}}


def _expression(rule: dict, by_key: dict[str, Any]) -> str:
    join = " or " if "any" in rule else " and "
    ops = {"eq": "=", "neq": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
    terms = []
    for condition in next(iter(rule.values()), []):
        name, op, value = condition["question"], condition.get("op", "eq"), condition.get("value")
        if op == "answered":
            terms.append(f"{{{name}}} notempty")
        elif op in ("in", "not_in"):
            listed = ", ".join(json.dumps(v) for v in value or [])
            terms.append(f"{{{name}}} {'anyof' if op == 'in' else 'noneof'} [{listed}]")
        else:
            shown = (
                json.dumps(value).replace('"', "'") if isinstance(value, str) else json.dumps(value)
            )
            terms.append(f"{{{name}}} {ops.get(op, '=')} {shown}")
    return join.join(terms)


def export(survey: Any) -> dict[str, Any]:
    """The survey as SurveyJS JSON: one page, our keys as names, choices by their keys."""
    default = survey.default_locale
    questions = list(survey.questions.order_by("position", "id"))
    by_key = {q.key: q for q in questions}
    elements = []
    for question in questions:
        texts, config = question.texts or {}, question.config or {}
        element: dict[str, Any] = {
            "name": question.key,
            "title": _localized(texts.get("title"), default),
        }
        if texts.get("help"):
            element["description"] = _localized(texts["help"], default)
        kind = question.type
        if kind in ("nps", "csat", "ces", "rating"):
            low, high = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}.get(
                kind, (1, int(config.get("scale", 5)))
            )
            element.update({"type": "rating", "rateMin": low, "rateMax": high})
            if config.get("style") == "stars":
                element["rateType"] = "stars"
        elif kind in ("single_choice", "multiple_choice", "dropdown"):
            sjs = {"single_choice": "radiogroup", "multiple_choice": "checkbox"}
            element["type"] = sjs.get(kind, "dropdown")
            element["choices"] = [
                {"value": c["key"], "text": _localized(c.get("label"), default)}
                for c in config.get("choices", [])
            ]
            if config.get("allow_other"):
                element["showOtherItem"] = True
        elif kind == "yes_no":
            element["type"] = "boolean"
        elif kind in ("short_text", "long_text"):
            element["type"] = "text" if kind == "short_text" else "comment"
        elif kind == "number":
            element.update({"type": "text", "inputType": "number"})
            element.update({k: config[k] for k in ("min", "max") if config.get(k) is not None})
            if config.get("integer"):
                element["step"] = 1
        elif kind == "date":
            element.update({"type": "text", "inputType": "date"})
            bounds = (("earliest", "min"), ("latest", "max"))
            element.update({theirs: config[ours] for ours, theirs in bounds if config.get(ours)})
        elif kind == "matrix":
            element["type"] = "matrix"
            element["columns"] = list(range(1, int(config.get("scale", 5)) + 1))
            element["rows"] = [
                {"value": r["key"], "text": _localized(r.get("label"), default)}
                for r in config.get("rows", [])
            ]
        for part, prop in (("low", "minRateDescription"), ("high", "maxRateDescription")):
            if texts.get(part) and element.get("type") == "rating":
                element[prop] = _localized(texts[part], default)
        if question.required:
            element["isRequired"] = True
        if question.show_if:
            element["visibleIf"] = _expression(question.show_if, by_key)
        elements.append(element)
    document: dict[str, Any] = {
        "title": _localized((survey.texts or {}).get("title") or {default: survey.name}, default),
        "pages": [{"name": "page1", "elements": elements}],
    }
    if default != "en":
        document["locale"] = default
    if (survey.texts or {}).get("thank_you"):
        document["completedHtml"] = _localized(survey.texts["thank_you"], default)
    return document
