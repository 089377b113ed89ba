"""LimeSurvey structure files: .lss (a survey), .lsq (one question) and .lsa (a zip with the
.lss and the responses). XML dumps of LimeSurvey's tables; texts live in the tables themselves
with a `language` column (LimeSurvey 2–3) or in `*_l10ns` tables (LimeSurvey 4 and later)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from xml.etree.ElementTree import Element

from voxloop.surveys import definition
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
from voxloop.uploads import open_zip, parse_xml, read_member

LISTS = {"L": "single_choice", "!": "dropdown", "O": "single_choice", "G": "single_choice"}
ARRAYS = {"A": 5, "B": 10, "E": 3, "C": 3, "F": 0, "H": 0, "1": 0}
TEXTS = {"S": "short_text", "T": "long_text", "U": "long_text", "N": "number"}
TEXTS |= {"D": "date", "K": "number", "Q": "short_text"}
NAMES = {"L": "list", "!": "dropdown", "O": "list with comment", "5": "5-point choice"}
TOKEN = re.compile(r"\{TOKEN:(FIRSTNAME|LASTNAME)\}", re.I)
BRACES = re.compile(r"\{[^{}\n]{1,200}\}")
COMPARE = re.compile(
    r"""^\(*\s*([A-Za-z0-9_]+?)(?:\.NAOK|\.value)?\s*(==|!=|eq|ne|<=|>=|<|>)\s*["']?([^"')]*)["']?\s*\)*$"""
)
OPS = {"==": "eq", "eq": "eq", "!=": "neq", "ne": "neq", "<": "lt", ">": "gt"}
OPS |= {"<=": "lte", ">=": "gte"}


def read_archive(data: bytes, filename: str) -> Draft:
    archive = open_zip(data, "LimeSurvey archive")
    names = [n for n in archive.namelist() if n.lower().endswith(".lss")]
    if not names:
        raise BadFile("The .lsa archive holds no survey (.lss) file.", "file")
    return read(read_member(archive, names[0]), filename)


def rows(root: Element, table: str) -> list[dict[str, str]]:
    found = root.find(f"{table}/rows")
    if found is None:
        return []
    return [{cell.tag: (cell.text or "") for cell in row} for row in found.findall("row")]


def read(data: bytes, filename: str) -> Draft:
    root = parse_xml(data, "LimeSurvey file")
    if root.tag != "document" or root.find("LimeSurveyDocType") is None:
        raise BadFile("A LimeSurvey file is a <document> with a LimeSurveyDocType.", "file")
    return read_document(root, filename)


def read_document(root: Element, filename: str) -> Draft:
    survey = (rows(root, "surveys") or [{}])[0]
    names = [e.text or "" for e in root.findall("languages/language") if e.text]
    if not names:
        names = [
            survey.get("language") or "en",
            *(survey.get("additional_languages") or "").split(),
        ]
    settings = {r.get("surveyls_language"): r for r in rows(root, "surveys_languagesettings")}
    first = settings.get(names[0]) or {}
    draft = Draft(name=plain(first.get("surveyls_title")) or filename, format="limesurvey")
    locales = languages(draft, names)
    for part, column in (
        ("title", "surveyls_title"),
        ("intro", "surveyls_welcometext"),
        ("thank_you", "surveyls_endtext"),
    ):
        texts = {locales[n]: plain(s.get(column)) for n, s in settings.items() if n in locales}
        draft.texts[part] = {k: v for k, v in texts.items() if v}
    _Reader(root, draft, locales, survey.get("sid", "")).run()
    return draft


class _Reader:
    def __init__(self, root: Element, draft: Draft, locales: dict[str, str], sid: str) -> None:
        self.root, self.draft, self.locales, self.sid = root, draft, locales, sid
        self.keys = Keys()
        self.texts: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
        self.questions: dict[str, dict[str, str]] = {}
        self.subs: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.by_code: dict[str, DraftQuestion] = {}
        self.attributes: dict[str, dict[str, str]] = defaultdict(dict)

    def run(self) -> None:
        self.load()
        groups = {g.get("gid"): int(g.get("group_order") or 0) for g in rows(self.root, "groups")}
        ordered = sorted(
            self.questions.values(),
            key=lambda q: (groups.get(q.get("gid"), 0), int(q.get("question_order") or 0)),
        )
        conditions = defaultdict(list)
        for condition in rows(self.root, "conditions"):
            conditions[condition.get("qid")].append(condition)
        for question in ordered:
            self.question(question, conditions.get(question["qid"], []))

    def text(self, qid: str, row: dict[str, str], column: str = "question") -> None:
        code = self.locales.get(row.get("language", ""))
        if code and row.get(column):
            self.texts[qid].setdefault(column, {})[code] = self.pipe(row[column], qid)

    def load(self) -> None:
        for row in rows(self.root, "question_attributes"):
            if row.get("value") not in (None, "") and not row.get("language"):
                self.attributes[row.get("qid", "")][row.get("attribute", "")] = row["value"]
        for row in rows(self.root, "questions"):
            self.questions.setdefault(row["qid"], row)
            self.text(row["qid"], row)
            self.text(row["qid"], row, "help")
        for row in rows(self.root, "subquestions"):
            if row["qid"] not in {s["qid"] for s in self.subs[row.get("parent_qid", "")]}:
                self.subs[row.get("parent_qid", "")].append(row)
            self.text(row["qid"], row)
        for row in rows(self.root, "question_l10ns"):
            self.text(row.get("qid", ""), row)
            self.text(row.get("qid", ""), row, "help")
        l10n: dict[str, dict[str, str]] = defaultdict(dict)
        for row in rows(self.root, "answer_l10ns"):
            if self.locales.get(row.get("language", "")):
                l10n[row.get("aid", "")][self.locales[row["language"]]] = plain(row.get("answer"))
        seen = set()
        for row in rows(self.root, "answers"):
            ident = (row.get("qid"), row.get("scale_id", "0"), row.get("code"))
            label = l10n.get(row.get("aid", ""), {})
            if row.get("language") in self.locales and row.get("answer"):
                label = {self.locales[row["language"]]: plain(row["answer"])}
            if ident in seen:
                existing = next(
                    a for a in self.answers[row["qid"]] if (a["scale"], a["code"]) == ident[1:]
                )
                existing["label"].update(label)
                continue
            seen.add(ident)
            self.answers[row["qid"]].append(
                {
                    "code": row.get("code", ""),
                    "scale": row.get("scale_id", "0"),
                    "order": int(row.get("sortorder") or 0),
                    "label": dict(label),
                }
            )
        for items in self.answers.values():
            items.sort(key=lambda a: a["order"])
        for items in self.subs.values():
            items.sort(key=lambda s: (s.get("scale_id", "0"), int(s.get("question_order") or 0)))

    def pipe(self, text: str, qid: str) -> str:
        text = TOKEN.sub(lambda m: "{{" + m.group(1).lower().replace("name", "_name") + "}}", text)

        def swap(match: re.Match) -> str:
            inner = match.group(0)
            if inner.startswith("{{"):
                return inner
            self.draft.report.drop(
                qid,
                None,
                f"expression {inner[:60]}",
                "Voxloop pipes only names, unit and staff into texts",
            )
            return "…"

        return plain(BRACES.sub(swap, text))

    def question(self, row: dict[str, str], conditions: list[dict[str, str]]) -> None:
        qid, kind, code = row["qid"], row.get("type", ""), row.get("title") or row["qid"]
        texts = {
            "title": self.texts[qid].get("question", {}),
            "help": self.texts[qid].get("help", {}),
        }
        required = row.get("mandatory") == "Y"
        source = f"{self.sid}X{row.get('gid')}X{qid}" if self.sid else qid
        made: list[DraftQuestion] = []
        if kind in LISTS or kind in ("M", "P"):
            made = [self.choice(row, texts, required)]
        elif kind == "5":
            made = [DraftQuestion(self.keys.make(code), "rating", texts, {"scale": 5}, required)]
        elif kind == "Y":
            made = [DraftQuestion(self.keys.make(code), "yes_no", texts, {}, required)]
        elif kind in ARRAYS:
            made = self.array(row, texts, required)
        elif kind in ("K", "Q"):
            for sub in self.subs.get(qid, []):
                sub_texts = {"title": self.texts[sub["qid"]].get("question", {}) or texts["title"]}
                made.append(
                    DraftQuestion(
                        self.keys.make(f"{code}_{sub.get('title')}"),
                        TEXTS[kind],
                        sub_texts,
                        {"source_part": sub.get("title", ""), **self.number_config(row)},
                        required,
                    )
                )
            self.draft.report.drop(
                qid,
                None,
                f"multiple {'numeric' if kind == 'K' else 'short text'} layout",
                "each field became its own number question"
                if kind == "K"
                else "each field became its own short-text question",
            )
        elif kind == "D":
            made = [self.date(row, code, texts, required)]
        elif kind in TEXTS:
            config = self.number_config(row) if kind == "N" else {}
            made = [DraftQuestion(self.keys.make(code), TEXTS[kind], texts, config, required)]
        else:
            what = {
                "X": "text display",
                "*": "equation",
                "|": "file upload",
                "R": "ranking",
                "I": "language switch",
                ":": "array of numbers",
                ";": "array of texts",
            }
            self.draft.report.drop(
                qid,
                None,
                f"{what.get(kind, 'type ' + kind)} question '{code}'",
                "no Voxloop question type takes this answer",
            )
            return
        for question in made:
            question.source = qid
            question.config.update({"source": source, "code": code})
        self.by_code[code] = self.by_code[source] = self.by_code[qid] = made[0] if made else None  # type: ignore[assignment]
        self.logic(row, conditions, made)
        self.draft.questions += made

    def number_config(self, row: dict[str, str]) -> dict[str, Any]:
        """The numerical question's min/max and "integer only" attributes, where set."""
        attributes = self.attributes.get(row["qid"], {})
        config: dict[str, Any] = {"integer": attributes.get("num_value_int_only") == "1"}
        for ours, theirs in (("min", "min_num_value_n"), ("max", "max_num_value_n")):
            if (value := limit_of(attributes.get(theirs, ""))) is not None:
                config[ours] = value
        return config

    def date(self, row: dict[str, str], code: str, texts: dict, required: bool) -> DraftQuestion:
        """A date; a time-only format stays free text, a date-and-time keeps the day."""
        attributes = self.attributes.get(row["qid"], {})
        shown = attributes.get("date_format", "").lower()
        key = self.keys.make(code)
        if shown and not any(part in shown for part in ("d", "y")):
            why = "imported as free text: Voxloop has no time question"
            self.draft.report.drop(row["qid"], key, f"time format '{shown.strip()}'", why)
            return DraftQuestion(key, "short_text", texts, {}, required)
        if ":" in shown:
            why = "the date is kept, the time of day is not"
            self.draft.report.drop(row["qid"], key, f"date format '{shown.strip()}'", why)
        config = {}
        for bound, theirs in (("earliest", "date_min"), ("latest", "date_max")):
            day = definition.parse_date(attributes.get(theirs, ""))
            if day:
                config[bound] = day.isoformat()
        return DraftQuestion(key, "date", texts, config, required)

    def choice(self, row: dict[str, str], texts: dict, required: bool) -> DraftQuestion:
        qid, kind = row["qid"], row.get("type", "")
        multiple = kind in ("M", "P")
        items = (
            self.subs.get(qid, [])
            if multiple
            else [a for a in self.answers.get(qid, []) if a["scale"] == "0"]
        )
        if kind == "G":
            items = [
                {"code": "F", "label": {self.draft.default_locale: "Female"}},
                {"code": "M", "label": {self.draft.default_locale: "Male"}},
            ]
        used: set[str] = {"other"}
        choices = []
        for item in items:
            code = item.get("title") if multiple else item["code"]
            label = self.texts[item["qid"]].get("question", {}) if multiple else item["label"]
            choices.append(
                {
                    "key": option_key(code, used),
                    "label": label or {self.draft.default_locale: code},
                    "source": code,
                }
            )
        if not multiple and _is_nps(choices):
            return DraftQuestion(
                self.keys.make(row.get("title") or qid), "nps", texts, {}, required
            )
        config: dict[str, Any] = {"choices": choices}
        if row.get("other") == "Y":
            config["allow_other"] = True
        if kind in ("O", "P"):
            self.draft.report.drop(
                qid,
                None,
                "comment per choice",
                "Voxloop keeps one 'other' text, not a comment per choice",
            )
        return DraftQuestion(
            self.keys.make(row.get("title") or qid),
            "multiple_choice" if multiple else LISTS[kind],
            texts,
            config,
            required,
        )

    def array(self, row: dict[str, str], texts: dict, required: bool) -> list[DraftQuestion]:
        qid, kind, code = row["qid"], row.get("type", ""), row.get("title") or row["qid"]
        scale = [a for a in self.answers.get(qid, []) if a["scale"] == "0"]
        points = ARRAYS[kind] or len(scale)
        sources = (
            [a["code"] for a in scale]
            if not ARRAYS[kind]
            else {"E": ["I", "S", "D"], "C": ["Y", "U", "N"]}.get(
                kind, [str(i) for i in range(1, points + 1)]
            )
        )
        used: set[str] = set()
        rows_ = [
            {
                "key": option_key(s.get("title"), used),
                "label": self.texts[s["qid"]].get("question", {})
                or {self.draft.default_locale: s.get("title", "")},
                "source": s.get("title", ""),
            }
            for s in self.subs.get(qid, [])
            if s.get("scale_id", "0") == "0"
        ]
        if not 2 <= points <= 10 or not rows_:
            self.draft.report.drop(
                qid,
                None,
                f"array '{code}'",
                "%(points)s scale points and %(rows)s rows: a rating matrix has 2–10 points",
                points=points,
                rows=len(rows_),
            )
            return []
        question = DraftQuestion(
            self.keys.make(code),
            "matrix",
            texts,
            {"rows": rows_, "scale": points, "scale_sources": sources},
            required,
        )
        if scale:
            question.texts["low"], question.texts["high"] = scale[0]["label"], scale[-1]["label"]
            if len(scale) > 2:
                self.draft.report.drop(
                    qid,
                    question.key,
                    "labels of the middle scale points",
                    "a rating matrix names only its two ends",
                )
        if kind in ("E", "C", "1"):
            self.draft.report.drop(
                qid,
                question.key,
                "answer labels" if kind != "1" else "second scale",
                "imported as a rating matrix in the order of the answers",
            )
        return [question]

    def logic(
        self, row: dict[str, str], conditions: list[dict[str, str]], made: list[DraftQuestion]
    ) -> None:
        relevance = (row.get("relevance") or "").strip()
        if not made or (relevance in ("", "1") and not conditions):
            return
        rule = (
            self.relevance(relevance) if relevance not in ("", "1") else self.conditions(conditions)
        )
        condition = f"condition {relevance or 'from the conditions table'}"
        self.draft.show_when(made, rule, source=row["qid"], condition=condition)

    def relevance(self, expression: str) -> dict | None:
        expression = expression.strip()
        while expression.startswith("((") and expression.endswith("))"):
            expression = expression[1:-1]
        joined = re.split(r"\s+(and|or|&&|\|\|)\s+", expression, flags=re.I)
        parts, joins = (
            joined[::2],
            {j.lower().replace("&&", "and").replace("||", "or") for j in joined[1::2]},
        )
        if len(joins) > 1:
            return None
        made = [self.compare(p) for p in parts]
        if any(c is None for c in made):
            return None
        return {"any" if joins == {"or"} else "all": made}

    def compare(self, text: str) -> dict | None:
        match = COMPARE.match(text.strip())
        if not match:
            return None
        name, op, value = match.groups()
        return self.condition(name, OPS[op], value)

    def condition(self, name: str, op: str, value: str) -> dict | None:
        target = self.by_code.get(name) or next(
            (q for c, q in self.by_code.items() if q and name.startswith(c) and c.count("X") == 2),
            None,
        )
        if target is None and "_" in name:
            # Q00_SQ009 == "Y": one option of a multiple choice is picked (or not).
            base, _, option = name.rpartition("_")
            target = self.by_code.get(base)
            if target is None or target.type != "multiple_choice" or op not in ("eq", "neq"):
                return None
            keys = {c.get("source"): c["key"] for c in target.config.get("choices", [])}
            if option not in keys or value not in ("Y", ""):
                return None
            picked = (op == "eq") == (value == "Y")
            return {"question": target.key, "op": "eq" if picked else "neq", "value": keys[option]}
        if target is None:
            return None
        if target.type == "yes_no" and value in ("Y", "N") and op in ("eq", "neq"):
            return {"question": target.key, "op": op, "value": value == "Y"}
        if target.type in ("nps", "rating") and value.lstrip("-").isdigit():
            return {"question": target.key, "op": op, "value": int(value)}
        keys = {c.get("source"): c["key"] for c in target.config.get("choices", [])}
        if value in keys and op in ("eq", "neq"):
            return {"question": target.key, "op": op, "value": keys[value]}
        return None

    def conditions(self, conditions: list[dict[str, str]]) -> dict | None:
        made = []
        for item in conditions:
            target = self.by_code.get(item.get("cqid", ""))
            op = OPS.get(item.get("method", "=="))
            if target is None or op is None:
                return None
            made.append(self.condition(item.get("cqid", ""), op, item.get("value", "")))
        if any(c is None for c in made):
            return None
        # Legacy conditions: on one question they are alternatives, across questions all hold.
        found = [c for c in made if c is not None]
        return {"any": found} if len({c["question"] for c in found}) == 1 else {"all": found}


def _is_nps(choices: list[dict]) -> bool:
    return [c["source"] for c in choices] == [str(i) for i in range(11)]
