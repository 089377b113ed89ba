"""XLSForm (.xlsx/.xls; ODK, KoboToolbox) and KoboToolbox asset JSON: a `survey` sheet of
rows (type, name, label[::language], hint, relevant, required…), a `choices` sheet and
`settings`. Reference: specs/xlsform-spec-home-english.md."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from voxloop.surveys.importing.common import (
    BadFile,
    Draft,
    DraftQuestion,
    Keys,
    languages,
    locale_of,
    option_key,
    plain,
)
from voxloop.uploads import open_zip

MAX_ROWS = 5000
SELECT = re.compile(
    r"^(select_one|select_multiple|select one|select all that apply)(?: from)?\s+(\S+)"
    r"(?:\s+(or_other|or specify other))?$"
)
TEXTUAL = {"text": "short_text", "string": "short_text"}
VALUES = {
    "integer": ("number", {"integer": True}),
    "int": ("number", {"integer": True}),
    "decimal": ("number", {"integer": False}),
    "date": ("date", {}),
}
AS_TEXT = {"time", "datetime", "dateTime"}
META = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "calculate",
    "hidden",
    "imei",
    "start-geopoint",
    "background-audio",
    "uri:deviceid",
}
TERM = re.compile(r"^\s*\$\{(\w+)\}\s*(=|!=|>=|<=|>|<)\s*(?:'([^']*)'|\"([^\"]*)\"|(-?[\d.]+))\s*$")
PICKED = re.compile(r"^\s*selected\(\s*\$\{(\w+)\}\s*,\s*['\"]([^'\"]*)['\"]\s*\)\s*$")
OPS = {"=": "eq", "!=": "neq", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
PIPED = re.compile(r"\$\{\w+\}")


def read(data: bytes, filename: str) -> Draft:
    sheets = _xls(data) if data[:4] == b"\xd0\xcf\x11\xe0" else _xlsx(data)
    survey = _records(sheets.get("survey"))
    if not survey:
        raise BadFile("An XLSForm has a 'survey' sheet with type, name and label columns.", "file")
    settings = (_records(sheets.get("settings")) or [{}])[0]
    columns = {c for row in survey for c in row} | {
        c for row in _records(sheets.get("choices")) for c in row
    }
    names = [m.group(1) for c in sorted(columns) if (m := re.match(r"^label::?(.+)$", c))]
    default = str(settings.get("default_language") or "")
    # A plain `label` column names no language: English, as XLSForm itself assumes.
    if any(c == "label" for c in columns) or not names:
        names = [default or "en", *[n for n in names if n != default]]
    elif default in names:
        names = [default, *[n for n in names if n != default]]
    title = str(settings.get("form_title") or "")
    return _Form(filename, title, survey, _records(sheets.get("choices")), names, "xlsform").run()


def read_kobo(data: bytes, filename: str) -> Draft:
    try:
        asset = json.loads(data.decode("utf-8-sig"))
        content = asset["content"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise BadFile("A KoboToolbox asset is JSON with content.survey.", "file") from None
    translations = [t or "en" for t in content.get("translations") or [None]]

    def flatten(row: Any) -> dict[str, Any]:
        flat = {}
        for column, value in (row or {}).items():
            if isinstance(value, list) and len(value) == len(translations):
                flat.update(
                    {
                        f"{column}::{name}": item
                        for name, item in zip(translations, value, strict=True)
                    }
                )
            else:
                flat[column] = value
        if row.get("select_from_list_name"):
            flat["type"] = f"{row.get('type')} {row['select_from_list_name']}"
        return flat

    survey = [flatten(r) for r in content.get("survey") or [] if isinstance(r, dict)]
    choices = [flatten(r) for r in content.get("choices") or [] if isinstance(r, dict)]
    for row in survey + choices:
        for column in ("label", "hint"):
            if column in row:
                row[f"{column}::{translations[0]}"] = row.pop(column)
    title = str(asset.get("name") or asset.get("id_string") or "")
    return _Form(filename, title, survey, choices, translations, "kobotoolbox").run()


def _xlsx(data: bytes) -> dict[str, list[list[Any]]]:
    import openpyxl

    open_zip(data, "spreadsheet")  # refuses archives that unpack too far before openpyxl reads
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise BadFile(f"The spreadsheet cannot be read ({type(error).__name__}).", "file") from None
    sheets = {}
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS):
            rows.append(list(row))
        sheets[sheet.title.strip().lower()] = rows
    book.close()
    return sheets


def _xls(data: bytes) -> dict[str, list[list[Any]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as error:
        raise BadFile(
            f"The .xls spreadsheet cannot be read ({type(error).__name__}).", "file"
        ) from None
    sheets = {}
    for sheet in book.sheets():
        sheets[sheet.name.strip().lower()] = [
            sheet.row_values(i) for i in range(min(sheet.nrows, MAX_ROWS))
        ]
    return sheets


def _records(rows: list[list[Any]] | None) -> list[dict[str, Any]]:
    rows = [r for r in rows or [] if any(c not in (None, "") for c in r)]
    if not rows:
        return []
    header = [str(c or "").strip().replace("list name", "list_name") for c in rows[0]]
    return [
        {h: _cell(v) for h, v in zip(header, row, strict=False) if h and v not in (None, "")}
        for row in rows[1:]
    ]


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, bool) else str(value).strip()


class _Form:
    def __init__(
        self,
        filename: str,
        title: str,
        survey: list[dict],
        choices: list[dict],
        names: list[str],
        kind: str,
    ) -> None:
        self.draft = Draft(name=plain(title) or filename, format=kind)
        # `label` (English by default) and `label::english` are one language: keep the first
        # name per language for the draft, read the columns of every spelling.
        codes = {name: locale_of(name) for name in names}
        firsts = [
            n
            for i, n in enumerate(names)
            if codes[n] is None or codes[n] not in [codes[m] for m in names[:i]]
        ]
        self.locales = languages(self.draft, firsts)
        self.locales.update({n: c for n, c in codes.items() if c and c in self.draft.locales})
        self.names, self.survey, self.keys = names, survey, Keys()
        self.lists: dict[str, list[dict]] = {}
        for row in choices:
            self.lists.setdefault(str(row.get("list_name") or ""), []).append(row)

    def texts(self, row: dict, column: str, source: str = "") -> dict[str, str]:
        found: dict[str, str] = {}
        for name in self.names:
            value = row.get(f"{column}::{name}", row.get(f"{column}:{name}"))
            if value is None and name == self.names[0]:
                value = row.get(column)
            if value not in (None, "") and name in self.locales:
                found.setdefault(self.locales[name], self.pipe(str(value), source))
        return found

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

    def run(self) -> Draft:
        groups: list[str] = []
        repeat = 0
        for row in self.survey:
            kind = re.sub(r"\s+", " ", str(row.get("type") or "")).strip()
            name = str(row.get("name") or "")
            if kind in ("begin group", "begin_group"):
                groups.append(str(row.get("relevant") or row.get("bind:relevant") or ""))
                continue
            if kind in ("end group", "end_group") and groups:
                groups.pop()
                continue
            if kind.startswith(("begin repeat", "begin_repeat", "begin loop", "begin_loop")):
                repeat += 1
                self.draft.report.drop(
                    name,
                    None,
                    f"repeated group '{name}'",
                    "Voxloop asks each question once; its questions are left out",
                )
                continue
            if kind.startswith(("end repeat", "end_repeat", "end loop", "end_loop")):
                repeat = max(0, repeat - 1)
                continue
            if repeat or not kind:
                continue
            self.question(row, kind, name, [g for g in groups if g])
        return self.draft

    def question(self, row: dict, kind: str, name: str, rules: list[str]) -> None:
        texts = {
            "title": self.texts(row, "label", name) or {self.draft.default_locale: name},
            "help": self.texts(row, "hint", name),
        }
        required = str(row.get("required") or "").lower() in ("yes", "true", "1", "true()")
        select = SELECT.match(kind)
        made = None
        if select:
            made = self.select(select, name, texts, required)
        elif kind in TEXTUAL:
            long = "multiline" in str(row.get("appearance") or "")
            made = DraftQuestion(
                self.keys.make(name), "long_text" if long else "short_text", texts, {}, required
            )
        elif kind == "range":
            made = self.range(row, name, texts, required)
        elif kind in VALUES:
            value_type, config = VALUES[kind]
            made = DraftQuestion(self.keys.make(name), value_type, texts, dict(config), required)
        elif kind in AS_TEXT:
            made = DraftQuestion(self.keys.make(name), "short_text", texts, {}, required)
            self.draft.report.drop(
                name,
                made.key,
                f"{kind} check",
                "imported as free text: Voxloop has no time question",
            )
        elif kind in META:
            self.draft.report.drop(
                name, None, f"{kind} field '{name}'", "recorded by the form itself, not asked"
            )
        else:
            why = (
                "text only: Voxloop questions take an answer"
                if kind == "note"
                else "no Voxloop question type takes this answer"
            )
            self.draft.report.drop(name, None, f"{kind} question '{name}'", why)
        if made is None:
            return
        made.source = name
        made.config.setdefault("source", name)
        for column in ("constraint", "choice_filter", "calculation", "default"):
            if row.get(column) not in (None, ""):
                self.draft.report.drop(
                    name, made.key, f"{column} {row[column]}"[:200], "Voxloop has no such setting"
                )
        self.draft.questions.append(made)
        expression = [
            r for r in [*rules, str(row.get("relevant") or row.get("bind:relevant") or "")] if r
        ]
        if expression:
            rule = self.relevant(" and ".join(f"({e})" if " or " in e else e for e in expression))
            condition = f"relevant {' and '.join(expression)}"
            self.draft.show_when([made], rule, source=name, condition=condition)

    def select(
        self, match: re.Match, name: str, texts: dict, required: bool
    ) -> DraftQuestion | None:
        multiple = match.group(1) in ("select_multiple", "select all that apply")
        items = self.lists.get(match.group(2), [])
        used: set[str] = {"other"}
        choices = [
            {
                "key": option_key(c.get("name"), used),
                "label": self.texts(c, "label") or {self.draft.default_locale: str(c.get("name"))},
                "source": str(c.get("name")),
            }
            for c in items
            if c.get("name") not in (None, "")
        ]
        if not choices:
            self.draft.report.drop(
                name,
                None,
                f"choice question '{name}'",
                "its list '%(name)s' has no choices",
                name=match.group(2),
            )
            return None
        if not multiple and [c["source"] for c in choices] == [str(i) for i in range(11)]:
            return DraftQuestion(self.keys.make(name), "nps", texts, {}, required)
        config: dict[str, Any] = {"choices": choices}
        if match.group(3):
            config["allow_other"] = True
        return DraftQuestion(
            self.keys.make(name),
            "multiple_choice" if multiple else "single_choice",
            texts,
            config,
            required,
        )

    def range(self, row: dict, name: str, texts: dict, required: bool) -> DraftQuestion | None:
        found = dict(
            re.findall(r"(start|end|step)\s*=\s*(-?\d+)", str(row.get("parameters") or ""))
        )
        low, high = int(found.get("start", 0)), int(found.get("end", 10))
        if (low, high) == (0, 10):
            return DraftQuestion(self.keys.make(name), "nps", texts, {}, required)
        if low == 1 and 2 <= high <= 10:
            return DraftQuestion(self.keys.make(name), "rating", texts, {"scale": high}, required)
        self.draft.report.drop(
            name, None, f"range {low}–{high}", "Voxloop scales are 0–10 or 1–N up to 10"
        )
        return None

    def relevant(self, expression: str) -> dict | None:
        parts = re.split(r"\s+(and|or)\s+", expression.strip())
        joins = set(parts[1::2])
        if len(joins) > 1:
            return None
        conditions = [self.term(p.strip().removeprefix("(").removesuffix(")")) for p in parts[::2]]
        if any(c is None for c in conditions):
            return None
        return {"any" if joins == {"or"} else "all": conditions}

    def term(self, text: str) -> dict | None:
        picked = PICKED.match(text)
        if picked:
            name, op, value = picked.group(1), "eq", picked.group(2)
        else:
            match = TERM.match(text)
            if not match:
                return None
            name, op = match.group(1), OPS[match.group(2)]
            value = next(g for g in match.groups()[2:] if g is not None)
        target = next((q for q in self.draft.questions if q.source == name), None)
        if target is None:
            return None
        if target.type in ("nps", "rating") and value.lstrip("-").isdigit():
            return {"question": target.key, "op": op, "value": int(value)}
        keys = {c["source"]: c["key"] for c in target.config.get("choices", [])}
        if target.config.get("allow_other"):
            keys["other"] = "other"
        if value in keys and op in ("eq", "neq"):
            return {"question": target.key, "op": op, "value": keys[value]}
        return None
