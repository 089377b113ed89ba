"""Survey files from other tools (Qualtrics, LimeSurvey, SurveyJS, XLSForm/KoboToolbox) and
Voxloop's own export, read into a draft survey plus a report of what could not be carried over.

`read_file` only reads; `surveys.services.import_survey` saves the draft through the same
services (and so the same validation) as the builder. See docs/importing.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from voxloop.surveys.importing.common import BadFile, Draft
from voxloop.uploads import MAX_UPLOAD

FORMATS = (
    ".qsf, .lss, .lsa, .lsq, LimeSurvey .txt, .json (SurveyJS, KoboToolbox, Voxloop), .xlsx, .xls"
)


def _reader(filename: str, data: bytes) -> Callable[[bytes, str], Draft]:
    from voxloop.surveys.importing import limesurvey, limesurvey_tsv, qualtrics, xlsform

    name = filename.lower()
    if limesurvey_tsv.looks_like(data):
        return limesurvey_tsv.read
    if name.endswith(".qsf"):
        return qualtrics.read
    if name.endswith((".lss", ".lsq")):
        return limesurvey.read
    if name.endswith(".lsa"):
        return limesurvey.read_archive
    if name.endswith((".xlsx", ".xls")):
        return xlsform.read
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return limesurvey.read
    if head.startswith(b"PK"):
        return limesurvey.read_archive if name.endswith(".zip") else xlsform.read
    if name.endswith((".json", ".js")) or head.startswith((b"{", b"[")):
        return _json_reader(data)
    raise BadFile(f"'{filename}' is not a survey file we read ({FORMATS}).", "file")


def _json_reader(data: bytes) -> Callable[[bytes, str], Draft]:
    from voxloop.surveys.importing import jsliteral, qualtrics, surveyjs, voxloop_json, xlsform

    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        document = jsliteral.parse(data)  # SurveyJS examples are often JavaScript literals
    if isinstance(document, dict):
        if document.get("format") == voxloop_json.FORMAT:
            return voxloop_json.read
        if "SurveyElements" in document:
            return qualtrics.read
        if isinstance(document.get("content"), dict) and "survey" in document["content"]:
            return xlsform.read_kobo
    return surveyjs.read


def read_file(filename: str, data: bytes) -> Draft:
    """The draft survey a file describes, or BadFile naming what is wrong with it."""
    if len(data) > MAX_UPLOAD:
        raise BadFile(f"The file is larger than {MAX_UPLOAD // 2**20} MB.", "file")
    if not data.strip():
        raise BadFile("The file is empty.", "file")
    reader = _reader(filename, data)
    try:
        draft = reader(data, filename)
    except BadFile:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError, RecursionError) as error:
        # A file of the right kind with a shape its format never has: say so, not a 500.
        kind = reader.__module__.rsplit(".", 1)[-1]
        first = (str(error).splitlines() or [""])[0][:120]
        raise BadFile(
            f"The file is not a {kind} survey we can read ({type(error).__name__}: {first}).",
            "file",
        ) from None
    if not draft.questions:
        draft.report.drop("", None, "every question", "none of them has a Voxloop equivalent")
    return draft
