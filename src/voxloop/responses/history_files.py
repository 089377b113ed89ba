"""Response files from other tools, read into answers in our stored form for the historical
import: Qualtrics CSV (legacy 2-header and current 3-header), LimeSurvey responses (.lsr XML,
the .lsa archive, the CSV export), SurveyJS results JSON, KoboToolbox submissions JSON, and a
plain CSV with one column per question (Google Forms and the like).

Columns are matched to the survey's questions by what the survey import kept in each
question's config (`source`, `tag`, `code`, `source_part`, choice `source`/`recode`), else by
the question's key or title. Values are matched to choices by code, recode or label."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from voxloop.uploads import BadFile, open_zip, parse_xml, read_member, text_of

SGQA = re.compile(r"^_?(\d+x\d+x)(\d+)(.*)$")
TRUE = {"1", "y", "yes", "true", "selected", "x", "checked"}
FALSE = {"0", "n", "no", "false", ""}
DATE_COLUMNS = (
    "submitdate",
    "enddate",
    "recordeddate",
    "_submission_time",
    "timestamp",
    "date submitted",
    "end",
    "submitted",
)
ID_COLUMNS = ("responseid", "response id", "_recordid", "_uuid", "id", "_id", "instanceid")
FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y",
)


@dataclass
class Row:
    line: int
    answers: dict[str, Any] = field(default_factory=dict)
    submitted_at: datetime | None = None
    ident: str = ""
    language: str = ""
    complete: bool = True
    problems: list[str] = field(default_factory=list)


class Questions:
    """Where a file's column goes: (question, part) by the ids the survey import kept."""

    def __init__(self, questions: list) -> None:
        self.questions = questions
        self.index: dict[str, tuple[Any, str]] = {}
        for question in questions:
            config = question.config or {}
            part = str(config.get("source_part") or "")
            names = [question.key, config.get("tag"), config.get("code")]
            names += [config.get("source") if not part else f"{config.get('source')}#{part}"]
            if part:
                names += [f"{config.get('tag') or config.get('code')}_{part}"]
                names += [f"{config.get('source')}_{part}", f"{config.get('code')}[{part}]"]
                names += [f"{config.get('tag')}#{part}"]
            names += list((question.texts or {}).get("title", {}).values())
            for name in names:
                if name:
                    self.index.setdefault(_norm(name), (question, ""))

    def find(self, column: str) -> tuple[Any, str] | None:
        name = _norm(column.split("/")[-1] if "/" in column else column)
        if name in self.index:
            return self.index[name]
        sgqa = SGQA.match(name)
        if sgqa and name.lstrip("_") in self.index:
            return self.index[name.lstrip("_")]
        if sgqa:
            # LimeSurvey: <sid>X<gid>X<qid><subquestion>; a qid may prefix another, so the
            # longest known one wins.
            digits, rest = sgqa.group(2), sgqa.group(3)
            for cut in range(len(digits), 0, -1):
                base = f"{sgqa.group(1)}{digits[:cut]}"
                if base in self.index and base != name.lstrip("_"):
                    return self.index[base][0], column.lstrip("_")[len(base) :]
        for separator in ("_", "[", "#", "-", " - "):
            base, sep, rest = name.rpartition(separator)
            while sep and base:
                if base in self.index:
                    question, _ = self.index[base]
                    return question, column[len(column) - len(rest) :].strip("[]") if rest else ""
                base, sep, more = base.rpartition(separator)
                rest = f"{more}{separator}{rest}"
        return None


def _norm(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().lower()


# --- values ---------------------------------------------------------------------------------


def _choice_key(question: Any, raw: str) -> str | None:
    wanted = _norm(raw)
    for option in (question.config or {}).get("choices", []):
        labels = [_norm(v) for v in (option.get("label") or {}).values()]
        codes = [option.get(part) for part in ("source", "recode", "name", "key")]
        if wanted in {_norm(c) for c in codes if c is not None} or wanted in labels:
            return str(option["key"])
    other = (question.config or {}).get("other_source")
    if wanted == "-oth-" or (other is not None and wanted == _norm(other)):
        return "other"
    return None


def _point(question: Any, raw: str) -> int | None:
    config = question.config or {}
    for names in (config.get("scale_sources", []), config.get("scale_labels", [])):
        found = [_norm(n) for n in names]
        if _norm(raw) in found:
            return found.index(_norm(raw)) + 1
    try:
        number = float(raw)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def put(row: Row, question: Any, part: str, raw: Any) -> None:
    """One cell of the file into the row's answers, in the form the question stores."""
    if raw is None or (isinstance(raw, str) and raw.strip() in ("", "-99")):
        return  # Qualtrics writes -99 for "seen, not answered"
    kind, key, text = question.type, question.key, raw.strip() if isinstance(raw, str) else raw
    if isinstance(text, list) or (isinstance(text, dict) and kind != "matrix"):
        row.answers[key] = text
        return
    if isinstance(text, str) and (
        part.upper().endswith("TEXT") or part.lower() in ("other", "comment")
    ):
        if kind in ("single_choice", "multiple_choice", "dropdown"):
            row.answers[f"{key}:other"] = text
            if kind == "multiple_choice" and "other" not in row.answers.get(key, []):
                row.answers.setdefault(key, []).append("other")  # LimeSurvey: the text alone
            elif kind != "multiple_choice":
                row.answers.setdefault(key, "other")
        return  # a text beside a matrix row or a choice: not kept (the survey report says so)
    if kind == "matrix":
        cells = text.items() if isinstance(text, dict) else [(part, text)]
        rows = {
            str(r.get("source", r["key"])).lower(): r["key"]
            for r in question.config.get("rows", [])
        }
        target = row.answers.setdefault(key, {})
        for cell, value in cells:
            row_key = rows.get(str(cell).lower()) or rows.get(str(cell).lower().split("_")[-1])
            point = _point(question, str(value))
            if row_key is None:
                continue  # a row the survey import left out, and reported
            if point is None:
                row.problems.append(f"'{cell}' = '{value}' is no row and point of '{key}'")
            else:
                target[row_key] = point
        return
    text = str(text)
    if kind in ("multiple_choice",) and part:
        if _norm(text) in FALSE:
            return
        picked = _choice_key(question, part) or (
            _choice_key(question, text) if _norm(text) not in TRUE else None
        )
        if picked is None:
            row.problems.append(f"'{part}' is not a choice of '{key}'")
            return
        row.answers.setdefault(key, []).append(picked)
        return
    if kind == "multiple_choice":
        parts = (
            [p for p in re.split(r"[;,]\s*|\s+", text) if p]
            if _choice_key(question, text) is None
            else [text]
        )
        chosen = [_choice_key(question, p) for p in parts]
        row.answers[key] = [p if p else "other" for p in chosen]
        if None in chosen and question.config.get("allow_other"):
            row.answers[f"{key}:other"] = text
        return
    if kind in ("single_choice", "dropdown"):
        picked = _choice_key(question, text)
        if picked is None and question.config.get("allow_other"):
            row.answers[key], row.answers[f"{key}:other"] = "other", text
        else:
            row.answers[key] = picked if picked is not None else text
        return
    if kind in ("nps", "csat", "ces", "rating"):
        point = _point(question, text)
        row.answers[key] = point if point is not None else text
        return
    if kind == "yes_no":
        row.answers[key] = _norm(text) in TRUE if _norm(text) in TRUE | FALSE else text
        return
    if kind == "date":
        parsed = when(text)
        row.answers[key] = parsed.date().isoformat() if parsed else text
        return
    row.answers[key] = text


def when(raw: Any) -> datetime | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for pattern in FORMATS:
            try:
                parsed = datetime.strptime(text[:19], pattern)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _fill(row: Row, questions: Questions, record: dict[str, Any], unmatched: set[str]) -> Row:
    for column, value in record.items():
        name = _norm(column)
        if name in DATE_COLUMNS and row.submitted_at is None:
            row.submitted_at = when(value)
            continue
        if name in ID_COLUMNS and not row.ident:
            row.ident = str(value or "")
            continue
        if name in ("startlanguage", "start language", "userlanguage", "q_language"):
            row.language = str(value or "")
            continue
        found = questions.find(column)
        if found is None:
            unmatched.add(column)
        else:
            put(row, found[0], found[1], value)
    return row


# --- formats --------------------------------------------------------------------------------


def read(filename: str, data: bytes, questions: list, unmatched: set[str]) -> Iterator[Row]:
    index = Questions(questions)
    name, head = filename.lower(), data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if name.endswith(".lsa") or head.startswith(b"PK"):
        archive = open_zip(data, "LimeSurvey archive")
        found = [n for n in archive.namelist() if n.lower().endswith(".lsr")]
        if not found:
            raise BadFile("The archive holds no responses (.lsr) file.", "file")
        yield from _lsr(read_member(archive, found[0]), index, unmatched)
    elif head.startswith(b"<"):
        yield from _lsr(data, index, unmatched)
    elif head.startswith((b"{", b"[")):
        yield from _json(data, index, unmatched)
    else:
        yield from _csv(text_of(data), index, unmatched)


def _lsr(data: bytes, index: Questions, unmatched: set[str]) -> Iterator[Row]:
    root = parse_xml(data, "responses file")
    if root.tag == "Responses":  # Qualtrics' XML export: <Response><QID1>…</QID1>…
        for line, element in enumerate(root.findall("Response"), start=1):
            record = {cell.tag: (cell.text or "") for cell in element}
            row = _fill(Row(line), index, record, unmatched)
            row.complete = record.get("finished", "True").strip().lower() not in ("false", "0")
            yield row
        return
    rows = root.find("responses/rows")
    if rows is None:
        raise BadFile("A LimeSurvey responses file has <responses><rows>.", "file")
    for line, element in enumerate(rows.findall("row"), start=1):
        record = {cell.tag: (cell.text or "") for cell in element}
        row = _fill(Row(line), index, record, unmatched)
        row.complete = bool(record.get("submitdate"))
        yield row


def _json(data: bytes, index: Questions, unmatched: set[str]) -> Iterator[Row]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadFile(f"The file is not valid JSON ({error}).", "file") from None
    if isinstance(document, dict):
        document = document.get("submissions") or document.get("results") or document.get("data")
        document = document if document is not None else []
    if not isinstance(document, list):
        raise BadFile("Results JSON is a list of answers, or has 'submissions'/'data'.", "file")
    for line, record in enumerate(document, start=1):
        if isinstance(record, dict) and isinstance(record.get("data"), dict):
            record = {**record["data"], **{k: v for k, v in record.items() if k != "data"}}
        if not isinstance(record, dict):
            yield Row(line, problems=["not an object of answers"])
            continue
        record = {k: v for k, v in record.items() if not str(k).startswith(("__", "formhub/"))}
        for column, value in list(record.items()):
            found = index.find(str(column))
            if found and found[0].type == "multiple_choice" and isinstance(value, str):
                # Kobo: picks separated by spaces, "null" for an empty slot.
                record[column] = [v for v in value.split() if v != "null"]
        yield _fill(
            Row(line),
            index,
            {str(k): _cell(v, index.find(str(k))) for k, v in record.items()},
            unmatched,
        )


def _cell(value: Any, found: tuple[Any, str] | None) -> Any:
    if found is None or not isinstance(value, list):
        return value
    question = found[0]
    if question.type == "multiple_choice":
        return [_choice_key(question, str(v)) or str(v) for v in value]
    return value


def _csv(text: str, index: Questions, unmatched: set[str]) -> Iterator[Row]:
    sample = text[:65536]
    try:
        dialect: Any = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = list(csv.reader(io.StringIO(text), dialect))
    if not lines or not lines[0]:
        raise BadFile("The CSV file has no header row.", "file")
    header, first = lines[0], 1
    import_ids = _import_ids(lines[2]) if len(lines) > 2 else None
    if import_ids:
        header, first = [import_ids[i] or h for i, h in enumerate(header)], 3
    elif len(lines) > 1 and header and re.fullmatch(r"V\d+", header[0] or ""):
        header, first = (
            [lines[1][i] if re.fullmatch(r"V\d+", h) else h for i, h in enumerate(header)],
            2,
        )
    for line, cells in enumerate(lines[first:], start=first + 1):
        if not any(c.strip() for c in cells):
            continue
        record = dict(zip(header, cells, strict=False))
        row = _fill(Row(line), index, record, unmatched)
        finished = record.get("Finished", record.get("finished"))
        row.complete = (
            str(finished).strip().lower() not in ("0", "false") if finished is not None else True
        )
        yield row


def _import_ids(cells: list[str]) -> list[str] | None:
    """Qualtrics' third header row: {"ImportId":"QID1"} (or Python-dict style, 2017)."""
    found, any_id = [], False
    for cell in cells:
        value = ""
        if cell.strip().startswith("{"):
            try:
                parsed = json.loads(cell)
            except ValueError:
                try:
                    parsed = ast.literal_eval(cell)
                except (ValueError, SyntaxError):
                    parsed = {}
            value = str(parsed.get("ImportId", "")) if isinstance(parsed, dict) else ""
            any_id = any_id or bool(value)
        found.append(value)
    return found if any_id else None
