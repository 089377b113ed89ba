"""LimeSurvey's tab-separated survey structure (`.txt`): one row per survey setting (S, SL),
group (G), question (Q), subquestion (SQ) and answer (A), repeated per language. Turned into
the tables of an .lss document and read by the same reader."""

from __future__ import annotations

import csv
import io
from xml.etree.ElementTree import Element, SubElement

from voxloop.surveys.importing import limesurvey
from voxloop.surveys.importing.common import BadFile, Draft
from voxloop.uploads import text_of

csv.field_size_limit(1_000_000)


def looks_like(data: bytes) -> bool:
    first = data[:400].lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return b"class\t" in first and b"\ttype/scale\t" in first


def _table(root: Element, name: str, rows: list[dict[str, str]]) -> None:
    table = SubElement(root, name)
    body = SubElement(table, "rows")
    for row in rows:
        element = SubElement(body, "row")
        for column, value in row.items():
            SubElement(element, column).text = value


def read(data: bytes, filename: str) -> Draft:
    lines = list(csv.DictReader(io.StringIO(text_of(data)), delimiter="\t"))
    if not lines or "class" not in lines[0]:
        raise BadFile("A LimeSurvey text export starts with id, related_id, class…", "file")
    settings = {r["name"]: r.get("text", "") for r in lines if r.get("class") == "S"}
    tables: dict[str, list[dict[str, str]]] = {
        "questions": [],
        "subquestions": [],
        "answers": [],
        "groups": [],
        "surveys_languagesettings": [],
    }
    language_rows: dict[str, dict[str, str]] = {}
    ids: dict[tuple[str, ...], str] = {}
    group = question = ""
    order = 0

    def ident(*key: str) -> str:
        return ids.setdefault(key, str(len(ids) + 1))

    for row in lines:
        kind, language = row.get("class", ""), row.get("language", "")
        name, text = row.get("name", ""), row.get("text", "")
        if kind == "SL":
            language_rows.setdefault(language, {"surveyls_language": language})[name] = text
        elif kind == "G":
            group = ident("G", row.get("id") or name)
            tables["groups"].append({"gid": group, "group_order": group, "language": language})
        elif kind == "Q":
            question = ident("Q", name)
            order += 1
            tables["questions"].append(
                {
                    "qid": question,
                    "parent_qid": "0",
                    "gid": group,
                    "type": row.get("type/scale", ""),
                    "title": name,
                    "question": text,
                    "help": row.get("help", ""),
                    "language": language,
                    "mandatory": row.get("mandatory", ""),
                    "other": row.get("other", ""),
                    "relevance": row.get("relevance", ""),
                    "question_order": str(order),
                }
            )
        elif kind == "SQ":
            scale = row.get("type/scale") or "0"
            tables["subquestions"].append(
                {
                    "qid": ident("SQ", question, scale, name),
                    "parent_qid": question,
                    "gid": group,
                    "title": name,
                    "question": text,
                    "language": language,
                    "scale_id": scale,
                    "question_order": str(len(tables["subquestions"])),
                }
            )
        elif kind == "A":
            tables["answers"].append(
                {
                    "qid": question,
                    "code": name,
                    "answer": text,
                    "language": language,
                    "scale_id": row.get("type/scale") or "0",
                    "sortorder": str(len(tables["answers"])),
                }
            )
    tables["surveys_languagesettings"] = list(language_rows.values())
    root = Element("document")
    SubElement(root, "LimeSurveyDocType").text = "Survey"
    languages = SubElement(root, "languages")
    for code in [
        settings.get("language") or "en",
        *settings.get("additional_languages", "").split(),
    ]:
        SubElement(languages, "language").text = code
    _table(root, "surveys", [{"sid": settings.get("sid", ""), **settings}])
    for name, rows in tables.items():
        _table(root, name, rows)
    return limesurvey.read_document(root, filename)
