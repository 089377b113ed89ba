"""Qualtrics survey files (.qsf): JSON with `SurveyEntry` and `SurveyElements` (blocks, flow,
questions). Structure: specs/The-Structure-of-the-QSF.Rmd in the project's test data."""

from __future__ import annotations

import json
import re
from typing import Any

from voxloop.surveys.importing.common import (
    BadFile,
    Draft,
    DraftQuestion,
    Keys,
    languages,
    option_key,
    plain,
)

PIPE = re.compile(r"\$\{([a-z]+)://([^}]*)\}")
NAMED = {"firstname": "first_name", "first_name": "first_name", "lastname": "last_name"}
NAMED |= {"last_name": "last_name"}
SINGLE = {"SAVR": "single_choice", "SAHR": "single_choice", "SACOL": "single_choice"}
SINGLE |= {"DL": "dropdown", "SB": "dropdown"}
MULTIPLE = {"MAVR", "MAHR", "MACOL", "MSB"}
OPS = {"Selected": "eq", "NotSelected": "neq", "EqualTo": "eq", "NotEqualTo": "neq"}
OPS |= {"GreaterThan": "gt", "GreaterThanOrEqual": "gte", "LessThan": "lt"}
OPS |= {"LessThanOrEqual": "lte", "Displayed": "answered"}


def read(data: bytes, filename: str) -> Draft:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadFile(f"The Qualtrics file is not valid JSON ({error}).", "file") from None
    if not isinstance(document, dict) or not isinstance(document.get("SurveyElements"), list):
        raise BadFile("A Qualtrics .qsf file has SurveyEntry and SurveyElements.", "file")
    entry = document.get("SurveyEntry") or {}
    elements = [e for e in document["SurveyElements"] if isinstance(e, dict)]
    draft = Draft(name=plain(entry.get("SurveyName")) or filename, format="qualtrics")
    questions = {
        str(e["Payload"].get("QuestionID") or e.get("PrimaryAttribute")): e["Payload"]
        for e in elements
        if e.get("Element") == "SQ" and isinstance(e.get("Payload"), dict)
    }
    names = [str(entry.get("SurveyLanguage") or "EN")]
    for payload in questions.values():
        if isinstance(payload.get("Language"), dict):
            names += [n for n in payload["Language"] if n not in names]
    locales = languages(draft, names)
    order, trash = _order(elements, draft)
    for qid in trash:
        if qid in questions:
            draft.report.drop(qid, None, "the question", "it is in the trash block")
    reader = _Reader(draft, locales)
    for qid in order + [q for q in questions if q not in order and q not in trash]:
        if qid in questions:
            reader.question(qid, questions[qid])
    return draft


def _order(elements: list[dict], draft: Draft) -> tuple[list[str], list[str]]:
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


class _Reader:
    def __init__(self, draft: Draft, locales: dict[str, str]) -> None:
        self.draft, self.locales, self.keys = draft, locales, Keys()
        self.default = next(iter(locales))

    def texts(self, payload: dict, field: str = "QuestionText", source: str = "") -> dict:
        found = {self.locales[self.default]: self.pipe(payload.get(field), source)}
        for name, translated in (payload.get("Language") or {}).items():
            if name in self.locales and isinstance(translated, dict) and translated.get(field):
                found[self.locales[name]] = self.pipe(translated[field], source)
        return {code: text for code, text in found.items() if text}

    def pipe(self, text: Any, source: str) -> str:
        def swap(match: re.Match) -> str:
            kind, path = match.group(1), match.group(2)
            name = path.rsplit("/", 1)[-1].lower()
            if kind == "e" and name in NAMED:
                return "{{" + NAMED[name] + "}}"
            self.draft.report.drop(
                source,
                None,
                f"piped text ${{{kind}://{path}}}",
                "Voxloop pipes only names, unit and staff into texts",
            )
            return "…"

        return plain(PIPE.sub(swap, str(text or "")))

    def labels(self, payload: dict, part: str, item: str) -> dict:
        found = {
            self.locales[self.default]: plain(payload.get(part, {}).get(item, {}).get("Display"))
        }
        for name, translated in (payload.get("Language") or {}).items():
            if name in self.locales and isinstance(translated, dict):
                text = ((translated.get(part) or {}).get(item) or {}).get("Display")
                if text:
                    found[self.locales[name]] = plain(text)
        return {code: text for code, text in found.items() if text}

    def question(self, qid: str, payload: dict) -> None:
        kind, selector = payload.get("QuestionType"), payload.get("Selector")
        sub = payload.get("SubSelector")
        tag = str(payload.get("DataExportTag") or qid)
        texts = {"title": self.texts(payload, source=qid)}
        required = (payload.get("Validation") or {}).get("Settings", {}).get(
            "ForceResponse"
        ) == "ON"
        made: list[DraftQuestion] = []
        if kind == "MC" and selector == "NPS":
            made = [DraftQuestion(self.keys.make(tag), "nps", texts, {}, required)]
            labels = payload.get("ColumnLabels") or []
            if len(labels) >= 2:
                made[0].texts["low"] = {self.locales[self.default]: plain(labels[0].get("Display"))}
                made[0].texts["high"] = {
                    self.locales[self.default]: plain(labels[-1].get("Display"))
                }
        elif kind == "MC" and (selector in SINGLE or selector in MULTIPLE):
            made = [self.choice(qid, tag, payload, texts, required)]
        elif kind == "Matrix" and selector in ("Likert", "Bipolar") and sub != "MultipleAnswer":
            made = self.matrix(qid, tag, payload, texts, required)
        elif kind == "SBS":
            made = self.side_by_side(qid, tag, payload, texts)
        elif kind == "TE" and selector in ("SL", "PW", "ML", "ESTB", "ESSAY"):
            made = [
                DraftQuestion(
                    self.keys.make(tag),
                    "long_text" if selector in ("ML", "ESTB", "ESSAY") else "short_text",
                    texts,
                    {},
                    required,
                )
            ]
            content = (payload.get("Validation") or {}).get("Settings", {}).get("ContentType")
            if content:
                self.draft.report.drop(
                    qid,
                    made[0].key,
                    f"content check {content}",
                    "imported as free text: Voxloop has no number or date question",
                )
        elif kind == "TE" and selector == "FORM":
            for cid in _order_of(payload):
                sub_texts = {"title": self.labels(payload, "Choices", cid)}
                made.append(
                    DraftQuestion(
                        self.keys.make(f"{tag}_{cid}"),
                        "short_text",
                        sub_texts,
                        {"source_part": cid},
                        required,
                    )
                )
            self.draft.report.drop(
                qid, None, "form layout", "each field became its own short-text question"
            )
        elif kind == "Slider":
            made = self.slider(qid, tag, payload, texts)
        else:
            why = (
                "text and graphics only: Voxloop questions take an answer"
                if kind == "DB"
                else "no Voxloop question type takes this answer"
            )
            self.draft.report.drop(qid, None, f"{kind}/{selector} question '{tag}'", why)
            return
        for question in made:
            question.source = question.source or qid
            question.config.setdefault("source", qid)
            question.config.setdefault("tag", tag)
        self.logic(qid, payload, made)
        self.draft.questions += made

    def choice(
        self, qid: str, tag: str, payload: dict, texts: dict, required: bool
    ) -> DraftQuestion:
        selector = payload.get("Selector")
        kind = "multiple_choice" if selector in MULTIPLE else SINGLE[str(selector)]
        used: set[str] = {"other"}
        choices, other = [], False
        recodes = _recodes(payload)
        for cid in _order_of(payload):
            entry = _choices(payload).get(cid) or {}
            if (
                entry.get("TextEntry") not in (None, False, "false")
                and not other
                and kind != "dropdown"
            ):
                other = True
                choices.append({"key": "other", "source": cid, "other": True})
                continue
            option = {
                "key": option_key(entry.get("Display") or cid, used),
                "label": self.labels(payload, "Choices", cid),
                "source": cid,
            }
            if cid in recodes:
                option["recode"] = str(recodes[cid])
            if _names(payload).get(cid):
                option["name"] = str(_names(payload)[cid])
            choices.append(dict(option))
        config: dict[str, Any] = {"choices": [c for c in choices if not c.get("other")]}
        if other:
            config["allow_other"] = True
            config["other_source"] = next(c["source"] for c in choices if c.get("other"))
        if payload.get("DynamicChoices"):
            self.draft.report.drop(
                qid,
                None,
                "carried-forward choices",
                "Voxloop choices are fixed; the choices written in the file were kept",
            )
        return DraftQuestion(self.keys.make(tag), kind, texts, config, required)

    def matrix(
        self, qid: str, tag: str, payload: dict, texts: dict, required: bool, part: str = ""
    ) -> list[DraftQuestion]:
        answers = [
            str(a)
            for a in (payload.get("AnswerOrder") or list((payload.get("Answers") or {}).keys()))
        ]
        rows: list[dict[str, Any]] = []
        used: set[str] = set()
        for cid in _order_of(payload):
            entry = _choices(payload).get(cid) or {}
            if entry.get("TextEntry") not in (None, False, "false"):
                self.draft.report.drop(
                    qid,
                    None,
                    f"row '{plain(entry.get('Display'))}'",
                    "a row with a text entry has no place in a rating matrix",
                )
                continue
            rows.append(
                {
                    "key": option_key(entry.get("Display") or cid, used),
                    "label": self.labels(payload, "Choices", cid),
                    "source": cid,
                }
            )
        if not 2 <= len(answers) <= 10 or not rows:
            self.draft.report.drop(
                qid,
                None,
                f"matrix '{tag}'",
                f"{len(answers)} scale points and {len(rows)} rows: "
                "a rating matrix has 2–10 points",
            )
            return []
        config = {
            "rows": rows,
            "scale": len(answers),
            "scale_sources": [str(_recodes(payload).get(a, a)) for a in answers],
            "scale_labels": [
                str(_names(payload).get(a) or plain(_answer(payload, a))) for a in answers
            ],
        }
        question = DraftQuestion(self.keys.make(tag + part), "matrix", texts, config, required)
        question.texts["low"] = self.labels(payload, "Answers", answers[0])
        question.texts["high"] = self.labels(payload, "Answers", answers[-1])
        if len(answers) > 2:
            self.draft.report.drop(
                qid,
                question.key,
                "labels of the middle scale points",
                "a rating matrix names only its two ends",
            )
        return [question]

    def side_by_side(self, qid: str, tag: str, payload: dict, texts: dict) -> list[DraftQuestion]:
        made = []
        for number, column in sorted((payload.get("AdditionalQuestions") or {}).items()):
            column = {
                **column,
                "Choices": column.get("Choices") or payload.get("Choices"),
                "ChoiceOrder": payload.get("ChoiceOrder"),
            }
            heading = plain(column.get("QuestionText"))
            title = {
                "title": {
                    code: f"{text} — {heading}".strip(" —") for code, text in texts["title"].items()
                }
            }
            if column.get("QuestionType") == "Matrix" and column.get("SubSelector") in (
                "SingleAnswer",
                "DL",
            ):
                for question in self.matrix(qid, tag, column, title, False, part=f"_{number}"):
                    question.config["source_part"] = str(number)
                    made.append(question)
            else:
                self.draft.report.drop(
                    qid,
                    None,
                    f"side-by-side column {number} ({column.get('SubSelector')})",
                    "only single-answer columns become a rating matrix",
                )
        return made

    def slider(self, qid: str, tag: str, payload: dict, texts: dict) -> list[DraftQuestion]:
        conf = payload.get("Configuration") or {}
        low, high = conf.get("CSSliderMin", 0), conf.get("CSSliderMax", 100)
        if (low, high) == (0, 10):
            kind, config = "nps", {}
        elif low == 1 and isinstance(high, int) and 2 <= high <= 10:
            kind, config = "rating", {"scale": high}
        else:
            self.draft.report.drop(
                qid,
                None,
                f"slider '{tag}' ({low}–{high})",
                "Voxloop scales are 0–10 or 1–N up to 10",
            )
            return []
        made = []
        for cid in _order_of(payload):
            title = {"title": self.labels(payload, "Choices", cid) or texts["title"]}
            made.append(
                DraftQuestion(
                    self.keys.make(f"{tag}_{cid}"), kind, title, {**config, "source_part": cid}
                )
            )
        return made

    def logic(self, qid: str, payload: dict, made: list[DraftQuestion]) -> None:
        if payload.get("SkipLogic"):
            self.draft.report.drop(
                qid,
                made[0].key if made else None,
                "skip logic",
                "Voxloop shows questions by display logic only; add a rule to the later questions",
            )
        rule = payload.get("DisplayLogic")
        if not rule or not made:
            return
        converted = self.display_logic(rule)
        if converted is None:
            self.draft.report.drop(
                qid,
                made[0].key,
                "display logic",
                "it tests something other than earlier answers, or mixes and/or",
            )
            return
        for question in made:
            question.show_if = converted

    def display_logic(self, rule: dict) -> dict | None:
        sets = [v for k, v in rule.items() if k.isdigit() and isinstance(v, dict)]
        conditions, joins = [], set()
        for group in sets:
            for index, item in sorted((k, v) for k, v in group.items() if k.isdigit()):
                if not isinstance(item, dict) or item.get("LogicType") != "Question":
                    return None
                if index != "0" or len(sets) > 1:
                    joins.add(item.get("Conjuction") or item.get("Conjunction") or "Or")
                condition = self.condition(item)
                if condition is None:
                    return None
                conditions.append(condition)
        if not conditions or len(joins) > 1:
            return None
        return {"any" if joins == {"Or"} else "all": conditions}

    def condition(self, item: dict) -> dict | None:
        parts = str(item.get("ChoiceLocator") or item.get("LeftOperand") or "").split("/")
        target = next((q for q in self.draft.questions if q.source == item.get("QuestionID")), None)
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


def _choices(payload: dict) -> dict[str, dict]:
    choices = payload.get("Choices") or {}
    if isinstance(choices, list):  # NPS questions may list their choices
        return {str(i): c for i, c in enumerate(choices) if isinstance(c, dict)}
    return {str(k): v for k, v in choices.items() if isinstance(v, dict)}


def _order_of(payload: dict) -> list[str]:
    order = [str(c) for c in payload.get("ChoiceOrder") or []]
    return [c for c in order if c in _choices(payload)] or list(_choices(payload))


def _recodes(payload: dict) -> dict[str, Any]:
    recodes = payload.get("RecodeValues")
    return {str(k): v for k, v in recodes.items()} if isinstance(recodes, dict) else {}


def _names(payload: dict) -> dict[str, Any]:
    names = payload.get("VariableNaming")
    return {str(k): v for k, v in names.items()} if isinstance(names, dict) else {}


def _answer(payload: dict, answer: str) -> str:
    answers = payload.get("Answers") or {}
    entry = answers.get(answer) if isinstance(answers, dict) else None
    return str((entry or {}).get("Display") or "")
