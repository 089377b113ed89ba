"""Number and date questions from other tools' files come in typed (decision 0032), their past
answers as numbers and ISO dates; and the report's reasons are a translated catalogue."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import polib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from tests.surveys.importing.support import shared_file
from voxloop.responses import services as response_services
from voxloop.responses.models import Response
from voxloop.surveys import importing, services
from voxloop.surveys.importing import reasons
from voxloop.surveys.importing.common import Report

IMPORTING = Path(importing.__file__).parent
LOCALE = IMPORTING.parent / "locale"


def _typed(draft) -> dict[str, tuple[str, dict]]:
    return {q.key: (q.type, q.config) for q in draft.questions}


def _read(relative: str):
    path = shared_file(relative)
    return importing.read_file(path.name, path.read_bytes())


def test_limesurvey_dates_keep_the_day_and_a_time_stays_text():
    draft = _read("limesurvey/date_and_time.lss")
    typed = _typed(draft)
    assert typed["q00"][0] == "date" and typed["q02"][0] == "date"
    assert typed["q01"][0] == "short_text"  # HH:MM only: Voxloop has no time question
    why = {e["key"]: e["why"] for e in draft.report.entries}
    assert why["q00"] == "the date is kept, the time of day is not"
    assert why["q01"] == "imported as free text: Voxloop has no time question"
    assert not any("no number or date" in e["why"] for e in draft.report.entries)


def test_limesurvey_numerical_question_from_the_text_export():
    typed = _typed(_read("limesurvey/same_questionnaire_different_fileformat.txt"))
    assert typed["yob"][0] == "number"


def test_xlsform_integer_decimal_and_date_are_typed():
    draft = _read("xlsform/widgets.xls")
    typed = _typed(draft)
    assert typed["my_int"] == ("number", {"integer": True, "source": "my_int"})
    assert typed["my_decimal"][0] == "number" and typed["my_decimal"][1]["integer"] is False
    assert typed["my_date"][0] == "date"
    assert typed["my_time"][0] == "short_text"
    assert {e["key"] for e in draft.report.entries if "no time question" in e["why"]} >= {"my_time"}


def test_kobo_integer_is_a_whole_number_question():
    typed = _typed(_read("kobotoolbox/kobo_formpack_grouped_translated_v1.json"))
    assert typed["how_many_segments_does_your_body_have"][0] == "number"


def test_surveyjs_input_types_number_date_and_datetime():
    document = {
        "pages": [
            {
                "elements": [
                    {
                        "type": "text",
                        "name": "age",
                        "inputType": "number",
                        "min": 18,
                        "max": "99",
                        "step": 1,
                    },
                    {"type": "text", "name": "weight", "inputType": "number", "min": "x"},
                    {"type": "text", "name": "born", "inputType": "date", "max": "2010-12-31"},
                    {"type": "text", "name": "at", "inputType": "datetime-local"},
                    {"type": "text", "name": "mail", "inputType": "email"},
                ]
            }
        ]
    }
    draft = importing.read_file("s.json", json.dumps(document).encode())
    typed = _typed(draft)
    assert typed["age"] == ("number", {"integer": True, "min": 18, "max": 99, "source": "age"})
    assert typed["weight"] == ("number", {"integer": False, "source": "weight"})
    assert typed["born"] == ("date", {"latest": "2010-12-31", "source": "born"})
    assert typed["at"][0] == "date" and typed["mail"][0] == "short_text"
    why = {e["key"]: e["why"] for e in draft.report.entries}
    assert why == {
        "at": "the date is kept, the time of day is not",
        "mail": "imported as free text, without the format check",
    }


def _qsf(*payloads: dict) -> bytes:
    elements = [
        {"Element": "SQ", "PrimaryAttribute": p["QuestionID"], "Payload": p} for p in payloads
    ]
    block = {
        "Type": "Default",
        "ID": "BL_1",
        "BlockElements": [{"Type": "Question", "QuestionID": p["QuestionID"]} for p in payloads],
    }
    elements += [
        {"Element": "BL", "Payload": [block]},
        {"Element": "FL", "Payload": {"Type": "Root", "Flow": [{"Type": "Block", "ID": "BL_1"}]}},
    ]
    survey = {"SurveyEntry": {"SurveyName": "Values", "SurveyLanguage": "EN"}}
    return json.dumps({**survey, "SurveyElements": elements}).encode()


def _text_entry(qid: str, tag: str, settings: dict) -> dict:
    return {
        "QuestionID": qid,
        "DataExportTag": tag,
        "QuestionType": "TE",
        "Selector": "SL",
        "QuestionText": tag,
        "Validation": {"Settings": settings},
    }


def test_qualtrics_content_checks_become_number_and_date_questions():
    number = {
        "Type": "ContentType",
        "ContentType": "ValidNumber",
        "ValidNumber": {"Min": "0", "Max": "10.5", "NumDecimals": ""},
    }
    whole = {"ContentType": "ValidNumber", "ValidNumber": {"Min": "", "NumDecimals": "0"}}
    day = {"ContentType": "ValidDate", "ValidDateType": "DateWithFormat"}
    mail = {"ContentType": "ValidEmail"}
    draft = importing.read_file(
        "v.qsf",
        _qsf(
            _text_entry("QID1", "Q1", number),
            _text_entry("QID2", "Q2", whole),
            _text_entry("QID3", "Q3", day),
            _text_entry("QID4", "Q4", mail),
        ),
    )
    typed = _typed(draft)
    assert typed["q1"][0] == "number" and typed["q1"][1]["max"] == 10.5
    assert typed["q1"][1]["min"] == 0 and typed["q1"][1]["integer"] is False
    assert typed["q2"][0] == "number" and typed["q2"][1]["integer"] is True
    assert "min" not in typed["q2"][1]
    assert typed["q3"][0] == "date" and typed["q4"][0] == "short_text"
    assert [e["key"] for e in draft.report.entries] == ["q4"]


def test_past_answers_come_in_as_numbers_and_iso_dates(world):
    actor = world.acme.scope("admin")
    content = _qsf(
        _text_entry(
            "QID1", "nights", {"ContentType": "ValidNumber", "ValidNumber": {"NumDecimals": "0"}}
        ),
        _text_entry("QID2", "arrived", {"ContentType": "ValidDate"}),
    )
    survey = services.import_survey(
        actor=actor, unit=world.acme.root, filename="v.qsf", content=content
    ).survey
    csv = b"nights,arrived\n3,2026-03-01\n4,03/15/2026\nmany,2026-03-02\n"
    report = response_services.import_response_file(
        actor=actor, survey=survey, filename="old.csv", content=csv
    )
    answers = sorted(
        (r.answers for r in Response.objects.filter(survey=survey)), key=lambda a: a["nights"]
    )
    assert answers == [
        {"nights": 3, "arrived": "2026-03-01"},
        {"nights": 4, "arrived": "2026-03-15"},
    ]
    assert report.refused == 1  # "many" is no number: that row is refused, the others kept


def test_every_reason_an_importer_writes_is_in_the_catalogue():
    """Reasons are plain strings (or `why` variables holding them), never f-strings: the
    page looks each up in the catalogue to translate it."""
    found: set[str] = set()

    def strings(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return strings(node.body) + strings(node.orelse)
        if isinstance(node, ast.Dict):
            return [s for value in node.values for s in strings(value)]
        if isinstance(node, ast.Call):  # why.get(kind, "default")
            return [s for arg in node.args[1:] for s in strings(arg)]
        assert isinstance(node, ast.Name | ast.Attribute), ast.unparse(node)
        return []

    for module in IMPORTING.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "drop":
                found.update(strings(node.args[3]))
            elif isinstance(node, ast.Assign) and any(
                getattr(t, "id", "") == "why" for t in node.targets
            ):
                found.update(strings(node.value))
    assert len(found) > 30
    assert found - reasons.REASONS == set()


@pytest.mark.parametrize("language", ["ja", "ro", "zh_Hans", "zh_Hant"])
def test_every_reason_is_translated(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    translated = {e.msgid for e in po.translated_entries()}
    assert reasons.REASONS - translated == set()


def test_reason_text_translates_with_values_and_falls_back_to_english():
    report = Report()
    report.drop(
        "q", None, "matrix", "%(columns)s columns: a rating matrix has 2–10 points", columns=12
    )
    report.drop("", None, "the question", "a message from before the catalogue")
    entry, old = report.entries
    assert entry["why"] == "12 columns: a rating matrix has 2–10 points"  # the CLI's English
    with translation.override("ja"):
        assert reasons.reason_text(entry) == "12 列：評価マトリックスは 2～10 点です"
        assert reasons.reason_text(old) == "a message from before the catalogue"
        assert reasons.reason_text({**entry, "params": {}}) == entry["why"]


def test_the_import_page_shows_the_reasons_in_the_readers_language(world):
    path = shared_file("qualtrics-qsf/sp_qsfTestContent.qsf")
    client = Client(headers={"accept-language": "ja"})
    client.force_login(world.acme.user("admin"))
    page = client.post(
        "/surveys/import/",
        {"file": SimpleUploadedFile(path.name, path.read_bytes()), "kind": "relationship"},
    ).content.decode()
    assert "ごみ箱のブロックにあります" in page and "it is in the trash block" not in page


def _table(name: str, *records: dict[str, str]) -> str:
    rows = "".join(
        "<row>" + "".join(f"<{k}>{v}</{k}>" for k, v in r.items()) + "</row>" for r in records
    )
    return f"<{name}><rows>{rows}</rows></{name}>"


def test_limesurvey_numerical_and_multiple_numerical_with_their_limits():
    question = {"gid": "1", "language": "en", "mandatory": "N", "question_order": "1"}
    document = (
        "<document><LimeSurveyDocType>Survey</LimeSurveyDocType>"
        "<languages><language>en</language></languages>"
        + _table(
            "questions",
            {**question, "qid": "1", "type": "N", "title": "age", "question": "Age?"},
            {**question, "qid": "2", "type": "K", "title": "spend", "question": "Spent?"},
        )
        + _table(
            "subquestions",
            {"qid": "3", "parent_qid": "2", "title": "food", "question": "Food", "language": "en"},
            {
                "qid": "4",
                "parent_qid": "2",
                "title": "rooms",
                "question": "Rooms",
                "language": "en",
            },
        )
        + _table(
            "question_attributes",
            {"qid": "1", "attribute": "min_num_value_n", "value": "18"},
            {"qid": "1", "attribute": "max_num_value_n", "value": "120"},
            {"qid": "1", "attribute": "num_value_int_only", "value": "1"},
            {"qid": "2", "attribute": "min_num_value_n", "value": "0"},
        )
        + "</document>"
    )
    draft = importing.read_file("n.lss", document.encode())
    typed = _typed(draft)
    assert typed["age"][0] == "number"
    assert {k: typed["age"][1][k] for k in ("min", "max", "integer")} == {
        "min": 18,
        "max": 120,
        "integer": True,
    }
    assert typed["spend_food"][0] == typed["spend_rooms"][0] == "number"
    assert typed["spend_food"][1]["min"] == 0 and typed["spend_food"][1]["integer"] is False
    why = [e["why"] for e in draft.report.entries]
    assert why == ["each field became its own number question"]
