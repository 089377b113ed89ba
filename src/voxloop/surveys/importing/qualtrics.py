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
from voxloop.surveys.importing.qualtrics_parts import (
    VALUE_CONTENT,
    answer_label,
    choice_order,
    choices_of,
    display_logic,
    flow_order,
    recodes_of,
    value_question,
    variable_names,
)

PIPE = re.compile(r"\$\{([a-z]+)://([^}]*)\}")
NAMED = {"firstname": "first_name", "first_name": "first_name", "lastname": "last_name"}
NAMED |= {"last_name": "last_name"}
SINGLE = {"SAVR": "single_choice", "SAHR": "single_choice", "SACOL": "single_choice"}
SINGLE |= {"DL": "dropdown", "SB": "dropdown"}
MULTIPLE = {"MAVR", "MAHR", "MACOL", "MSB"}


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
    order, trash = flow_order(elements, draft)
    for qid in trash:
        if qid in questions:
            draft.report.drop(qid, None, "the question", "it is in the trash block")
    reader = _Reader(draft, locales)
    for qid in order + [q for q in questions if q not in order and q not in trash]:
        if qid in questions:
            reader.question(qid, questions[qid])
    return draft


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
        elif kind == "Matrix" and selector == "Likert":
            made = self.rows_of_choices(qid, tag, payload, texts)
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
            settings = (payload.get("Validation") or {}).get("Settings") or {}
            content = settings.get("ContentType")
            if content in VALUE_CONTENT and selector in ("SL", "PW"):
                made[0].type, made[0].config = value_question(content, settings)
            elif content:
                self.draft.report.drop(
                    qid,
                    made[0].key,
                    f"content check {content}",
                    "imported as free text, without the format check",
                )
        elif kind == "TE" and selector == "FORM":
            for cid in choice_order(payload):
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
        recodes = recodes_of(payload)
        for cid in choice_order(payload):
            entry = choices_of(payload).get(cid) or {}
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
            if variable_names(payload).get(cid):
                option["name"] = str(variable_names(payload)[cid])
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
        for cid in choice_order(payload):
            entry = choices_of(payload).get(cid) or {}
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
                "%(points)s scale points and %(rows)s rows: a rating matrix has 2–10 points",
                points=len(answers),
                rows=len(rows),
            )
            return []
        config = {
            "rows": rows,
            "scale": len(answers),
            "scale_sources": [str(recodes_of(payload).get(a, a)) for a in answers],
            "scale_labels": [
                str(variable_names(payload).get(a) or plain(answer_label(payload, a)))
                for a in answers
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

    def rows_of_choices(
        self, qid: str, tag: str, payload: dict, texts: dict
    ) -> list[DraftQuestion]:
        """A matrix with several answers per row: a multiple choice per row."""
        used: set[str] = set()
        columns = [str(a) for a in payload.get("AnswerOrder") or list(payload.get("Answers") or {})]
        choices = [
            {
                "key": option_key(plain(_display(payload, a)) or a, used),
                "label": self.labels(payload, "Answers", a),
                "source": a,
            }
            for a in columns
        ]
        made = []
        for cid in choice_order(payload):
            entry = choices_of(payload).get(cid) or {}
            if entry.get("TextEntry") not in (None, False, "false") or not choices:
                continue
            title = {
                code: f"{text} — {label}".strip(" —")
                for code, text in texts["title"].items()
                for label in [self.labels(payload, "Choices", cid).get(code, "")]
            }
            config = {"choices": [dict(c) for c in choices], "source_part": cid}
            made.append(
                DraftQuestion(
                    self.keys.make(f"{tag}_{cid}"), "multiple_choice", {"title": title}, config
                )
            )
        self.draft.report.drop(
            qid, None, "matrix layout", "several answers per row: each row became a multiple choice"
        )
        return made

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
        for cid in choice_order(payload):
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
        converted = display_logic(self.draft, rule)
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


def _display(payload: dict, answer: str) -> str:
    return str(((payload.get("Answers") or {}).get(answer) or {}).get("Display") or "")
