"""Qualtrics survey files, the parts that are plain lookups: the order the survey flow shows
the questions in, and a question's choices, recodes and variable names."""

from __future__ import annotations

from typing import Any

from voxloop.surveys.importing.common import Draft, limit_of

OPS = {"Selected": "eq", "NotSelected": "neq", "EqualTo": "eq", "NotEqualTo": "neq"}
OPS |= {"GreaterThan": "gt", "GreaterThanOrEqual": "gte", "LessThan": "lt"}
OPS |= {"LessThanOrEqual": "lte", "Displayed": "answered"}


def flow_order(elements: list[dict], draft: Draft) -> tuple[list[str], list[str]]:
    """Question ids in the order the survey flow shows the blocks, and the trashed ones."""
    blocks: dict[str, dict] = {}
    for element in elements:
        if element.get("Element") == "BL":
            payload = element.get("Payload") or {}
            items = payload.values() if isinstance(payload, dict) else payload
            blocks.update({str(b.get("ID")): b for b in items if isinstance(b, dict)})
    flow = next((e.get("Payload") for e in elements if e.get("Element") == "FL"), None)
    block_ids: list[str] = []

    def walk(item: dict) -> None:
        kind = item.get("Type")
        if kind in ("Block", "Standard") and item.get("ID"):
            block_ids.append(str(item["ID"]))
        elif kind in ("Branch", "BlockRandomizer", "Randomizer", "Group"):
            why = {"Branch": "Voxloop has no branches in a survey flow; logic on questions only"}
            draft.report.drop(
                "",
                None,
                f"flow element {kind} ({item.get('FlowID', '')})",
                why.get(kind, "Voxloop shows every question in one fixed order"),
            )
        elif kind in ("EmbeddedData", "WebService", "EndSurvey", "Authenticator"):
            draft.report.drop("", None, f"flow element {kind}", "no equivalent in Voxloop")
        for child in item.get("Flow") or []:
            if isinstance(child, dict):
                walk(child)

    if isinstance(flow, dict):
        walk(flow)
    trash = [b for b, v in blocks.items() if v.get("Type") == "Trash"]
    block_ids += [b for b in blocks if b not in block_ids and b not in trash]
    order: list[str] = []
    trashed: list[str] = []
    for block_id in block_ids + trash:
        for element in (blocks.get(block_id) or {}).get("BlockElements") or []:
            if isinstance(element, dict) and element.get("Type") == "Question":
                target = trashed if block_id in trash else order
                target.append(str(element.get("QuestionID")))
    return order, trashed


def choices_of(payload: dict) -> dict[str, dict]:
    choices = payload.get("Choices") or {}
    if isinstance(choices, list):  # NPS questions may list their choices
        return {str(i): c for i, c in enumerate(choices) if isinstance(c, dict)}
    return {str(k): v for k, v in choices.items() if isinstance(v, dict)}


def choice_order(payload: dict) -> list[str]:
    order = [str(c) for c in payload.get("ChoiceOrder") or []]
    return [c for c in order if c in choices_of(payload)] or list(choices_of(payload))


def recodes_of(payload: dict) -> dict[str, Any]:
    recodes = payload.get("RecodeValues")
    return {str(k): v for k, v in recodes.items()} if isinstance(recodes, dict) else {}


def variable_names(payload: dict) -> dict[str, Any]:
    names = payload.get("VariableNaming")
    return {str(k): v for k, v in names.items()} if isinstance(names, dict) else {}


def answer_label(payload: dict, answer: str) -> str:
    answers = payload.get("Answers") or {}
    entry = answers.get(answer) if isinstance(answers, dict) else None
    return str((entry or {}).get("Display") or "")


def display_logic(draft: Draft, rule: dict) -> dict | None:
    """Qualtrics display logic as our rule, when it compares earlier answers only."""
    sets = [v for k, v in rule.items() if k.isdigit() and isinstance(v, dict)]
    conditions, joins = [], set()
    for group in sets:
        for index, item in sorted((k, v) for k, v in group.items() if k.isdigit()):
            if not isinstance(item, dict) or item.get("LogicType") != "Question":
                return None
            if index != "0" or len(sets) > 1:
                joins.add(item.get("Conjuction") or item.get("Conjunction") or "Or")
            condition = _condition(draft, item)
            if condition is None:
                return None
            conditions.append(condition)
    if not conditions or len(joins) > 1:
        return None
    return {"any" if joins == {"Or"} else "all": conditions}


def _condition(draft: Draft, item: dict) -> dict | None:
    parts = str(item.get("ChoiceLocator") or item.get("LeftOperand") or "").split("/")
    target = next((q for q in draft.questions if q.source == item.get("QuestionID")), None)
    op = OPS.get(str(item.get("Operator")))
    if target is None or op is None or len(parts) != 5:
        return None
    if op == "answered":
        return {"question": target.key, "op": "answered"}
    cid = parts[4]
    if target.type == "nps":
        return {"question": target.key, "op": op, "value": int(cid) if cid.isdigit() else cid}
    if target.type == "yes_no" or target.type not in (
        "single_choice",
        "multiple_choice",
        "dropdown",
    ):
        return None
    choices = {c.get("source"): c["key"] for c in target.config.get("choices", [])}
    if target.config.get("other_source") == cid:
        choices[cid] = "other"
    if cid not in choices or op not in ("eq", "neq"):
        return None
    return {"question": target.key, "op": op, "value": choices[cid]}


VALUE_CONTENT = {"ValidNumber", "ValidDate"}


def value_question(content: str, settings: dict) -> tuple[str, dict[str, Any]]:
    """A text entry's content check as our number or date question: ValidNumber's Min, Max
    and NumDecimals ("0" = whole numbers); ValidDate's format is the respondent's concern."""
    if content == "ValidDate":
        return "date", {}
    check = settings.get("ValidNumber") or {}
    config: dict[str, Any] = {"integer": str(check.get("NumDecimals", "")).strip() == "0"}
    for ours, theirs in (("min", "Min"), ("max", "Max")):
        value = limit_of(check.get(theirs, ""))
        if value is not None:
            config[ours] = value
    if "min" in config and "max" in config and config["min"] > config["max"]:
        config.pop("min"), config.pop("max")
    return "number", config
