"""Voxloop's own survey file: everything the builder edits, so export → import gives the same
survey (as a new draft with a new link)."""

from __future__ import annotations

import json
from typing import Any

from voxloop.surveys.importing.common import BadFile, Draft, DraftQuestion

FORMAT = "voxloop-survey"
VERSION = 1


def export(survey: Any) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": survey.name,
        "kind": survey.kind,
        "default_locale": survey.default_locale,
        "locales": list(survey.locales),
        "texts": survey.texts,
        "branding": survey.branding,
        "thank_you_branches": survey.thank_you_branches,
        "questions": [
            {
                "key": q.key,
                "type": q.type,
                "required": q.required,
                "texts": q.texts,
                "config": q.config,
                "show_if": q.show_if,
            }
            for q in survey.questions.order_by("position", "id")
        ],
    }


def read(data: bytes, filename: str) -> Draft:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadFile(f"The file is not valid JSON ({error}).", "file") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BadFile(f'A Voxloop survey file has "format": "{FORMAT}".', "file")
    if document.get("version") != VERSION:
        raise BadFile(
            f"Version {document.get('version')} of the Voxloop format is unknown.", "file"
        )
    questions = document.get("questions")
    if not isinstance(questions, list):
        raise BadFile("The survey's questions must be a list.", "questions")
    locales = document.get("locales") or [document.get("default_locale") or "en"]
    draft = Draft(
        name=str(document.get("name") or filename),
        format="voxloop",
        default_locale=str(document.get("default_locale") or "en"),
        locales=[str(x) for x in locales] if isinstance(locales, list) else ["en"],
        texts=_object(document.get("texts")),
        thank_you_branches=document.get("thank_you_branches") or [],
    )
    draft.languages = list(draft.locales)
    for index, item in enumerate(questions):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise BadFile(f"Question {index + 1} needs a key.", f"questions.{index}")
        draft.questions.append(
            DraftQuestion(
                key=item["key"],
                type=str(item.get("type")),
                texts=_object(item.get("texts")),
                config=_object(item.get("config")),
                required=bool(item.get("required")),
                show_if=_object(item.get("show_if")),
                source=item["key"],
            )
        )
    return draft


def _object(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}
