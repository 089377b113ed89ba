"""Every survey file in the shared test data imports as a draft, with a report of what could
not be carried over; the report never loses a question silently."""

from __future__ import annotations

import json

import pytest

from tests.cli.support import voxloop  # noqa: F401 - fixture
from tests.surveys.importing.support import TESTDATA, shared_file
from voxloop.errors import InvalidInput
from voxloop.surveys import importing, services
from voxloop.surveys.models import Survey, SurveyStatus
from voxloop.tenancy.models import AuditEntry

SURVEY_FILES = sorted(
    str(path.relative_to(TESTDATA))
    for pattern in (
        "qualtrics-qsf/*.qsf",
        "limesurvey/*.ls[sqa]",
        "limesurvey/*.txt",
        "surveyjs/*.json",
        "xlsform/*.xls*",
        "kobotoolbox/*.json",
    )
    for path in TESTDATA.glob(pattern)
)


def _import(world, relative: str):
    path = shared_file(relative)
    return services.import_survey(
        actor=world.acme.system, unit=world.acme.root, filename=path.name, content=path.read_bytes()
    )


@pytest.mark.parametrize("relative", SURVEY_FILES)
def test_every_shared_survey_file_imports_as_a_draft(world, relative):
    imported = _import(world, relative)
    survey = Survey.objects.get(pk=imported.survey.pk)
    assert survey.status == SurveyStatus.DRAFT
    saved = {q.key for q in survey.questions.all()}
    drafted = {q.key for q in imported.draft.questions}
    reported = {e["key"] for e in imported.draft.report.entries if e["dropped"] == "the question"}
    # A drafted question is saved, or the report says why it is not.
    assert drafted - saved <= reported
    assert saved or imported.draft.report.entries
    for entry in imported.draft.report.entries:
        assert entry["dropped"] and entry["why"]
    assert AuditEntry.objects.filter(action="survey.import", target_id=str(survey.pk)).exists()


def test_qualtrics_types_logic_and_nps(world):
    imported = _import(world, "qualtrics-qsf/sp_qsfTestContent.qsf")
    by_key = {q.key: q for q in imported.survey.questions.all()}
    assert by_key["q15"].type == "nps"
    assert by_key["q4"].type == "multiple_choice"
    assert by_key["q3"].type == "dropdown"
    assert by_key["q5"].type == "matrix" and by_key["q5"].config["scale"] >= 2
    dropped = {e["question"]: e["why"] for e in imported.draft.report.entries}
    assert "trash" in dropped["QID2"]  # the trash block is reported, not imported
    assert "QID10" in dropped  # a rank order has no Voxloop type


def test_limesurvey_archive_keeps_german_texts_and_relevance(world):
    imported = _import(world, "limesurvey/an_other_questionnaire_different_fileformat.lsa")
    survey = imported.survey
    assert imported.draft.languages == ["de-informal"]
    assert survey.default_locale == "de"
    by_key = {q.key: q for q in survey.questions.all()}
    assert by_key["teilnahme"].type == "yes_no"
    assert by_key["nichtbesucht"].show_if == {
        "all": [{"question": "teilnahme", "op": "eq", "value": False}]
    }
    assert by_key["lehrkompetenz"].type == "matrix"
    assert by_key["engagementart"].config.get("allow_other") is True
    assert "Lehrveranstaltung" in by_key["besondersgut"].texts["title"]["de"]


def test_kobo_translations_become_languages(world):
    imported = _import(world, "kobotoolbox/kobo_formpack_grouped_translated_v1.json")
    assert imported.survey.locales == ["en", "es"]
    assert imported.draft.languages == ["English", "Español"]
    question = imported.survey.questions.get(key="do_you_descend_from_unicellular_organism")
    assert question.texts["title"]["es"].startswith("¿Desciende")
    assert question.config["choices"][0]["label"] == {"en": "Yes", "es": "Sí"}


def test_surveyjs_triggers_and_visible_if_become_display_logic(world):
    imported = _import(world, "surveyjs/trigger-visible.json")
    sedan = imported.survey.questions.get(key="sedan")
    assert sedan.show_if == {"any": [{"question": "type", "op": "eq", "value": "sedan"}]}
    kids = _import(world, "surveyjs/condition-kids.json").survey.questions.get(key="kids")
    assert kids.show_if == {"all": [{"question": "havekids", "op": "eq", "value": "yes"}]}


def test_xlsform_relevant_and_other(world):
    other = _import(world, "xlsform/specify_other.xlsx").survey.questions.get(key="sex")
    assert other.config["allow_other"] is True
    site = _import(world, "kobotoolbox/kobo_formpack_site_inspection_v1.json").survey
    assert site.questions.get(key="ping").show_if["all"][0]["value"] == "yes"


def test_cli_prints_one_json_object(world, voxloop):  # noqa: F811
    path = shared_file("kobotoolbox/kobo_formpack_grouped_translated_v1.json")
    outcome = voxloop("import", "survey", str(path), "--org", "acme", "--json")
    assert outcome.code == 0, outcome.err
    printed = json.loads(outcome.out)
    assert Survey.objects.get(pk=printed["survey_id"]).status == "draft"
    assert {"en", "es"} <= {code for code in printed["locales"]}
    assert printed["languages"] == ["English", "Español"]
    assert len(printed["questions"]) == 4
    # Its `integer` question is a whole-number question now, not free text with a report line.
    numbers = [q for q in printed["questions"] if q["type"] == "number"]
    assert len(numbers) == 1
    assert not any(e["dropped"] == "integer check" for e in printed["report"])


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("x.qsf", b"{not json", "not valid JSON"),
        ("x.lss", b"<document><a>", "not well-formed"),
        ("x.lsa", b"PK\x03\x04broken", "not a valid zip"),
        ("x.xlsx", b"PK\x03\x04broken", "not a valid zip"),
        ("x.txt", b"hello", "not a survey file"),
        ("x.json", b"", "empty"),
        (
            "x.lss",
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
            b"<document>&b;</document>",
            "entities",
        ),
    ],
)
def test_bad_files_are_refused_with_the_reason(name, content, says):
    with pytest.raises(InvalidInput) as refused:
        importing.read_file(name, content)
    assert says in refused.value.message


def test_bad_file_is_one_cli_line(world, voxloop, tmp_path):  # noqa: F811
    path = tmp_path / "broken.qsf"
    path.write_text("{")
    outcome = voxloop("import", "survey", str(path), "--org", "acme")
    assert outcome.code == 1
    assert len(outcome.err_lines) == 1 and "not valid JSON" in outcome.err


@pytest.mark.parametrize("name", ["bomb.lsa", "bomb.xlsx"])
def test_zip_bombs_are_refused_before_unpacking(name):
    import io
    import zipfile

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("survey_1.lss", b"\0" * (60 * 2**20))  # 60 MB of zeros, ~60 KB packed
    assert len(packed.getvalue()) < 2**20
    with pytest.raises(InvalidInput) as refused:
        importing.read_file(name, packed.getvalue())
    assert "unpacks to more than 50 MB" in refused.value.message


def test_a_file_over_the_upload_limit_is_refused():
    with pytest.raises(InvalidInput) as refused:
        importing.read_file("big.json", b"{" + b" " * (21 * 2**20) + b"}")
    assert "larger than 20 MB" in refused.value.message


def test_limesurvey_text_export_keeps_both_languages(world):
    imported = _import(world, "limesurvey/testing-multilingual-export.txt")
    assert imported.survey.locales == ["en", "nl"]
    question = imported.survey.questions.get(key="onlyquestion")
    assert question.config["choices"][0]["label"]["nl"] == "Dit is antwoordoptie 1"


def _qsf(*questions: dict) -> bytes:
    elements = [
        {"Element": "SQ", "PrimaryAttribute": q["QuestionID"], "Payload": q} for q in questions
    ]
    block = {
        "Type": "Default",
        "ID": "BL_1",
        "BlockElements": [{"Type": "Question", "QuestionID": q["QuestionID"]} for q in questions],
    }
    elements.append({"Element": "BL", "Payload": [block]})
    elements.append(
        {"Element": "FL", "Payload": {"Type": "Root", "Flow": [{"Type": "Block", "ID": "BL_1"}]}}
    )
    return json.dumps(
        {"SurveyEntry": {"SurveyName": "Logic", "SurveyLanguage": "EN"}, "SurveyElements": elements}
    ).encode()


def test_qualtrics_display_logic_and_translations(world):
    language = {"DE": {"QuestionText": "Würden Sie uns empfehlen?"}}
    nps = {
        "QuestionID": "QID1",
        "DataExportTag": "Q1",
        "QuestionType": "MC",
        "Selector": "NPS",
        "QuestionText": "Recommend us? ${e://Field/FirstName}",
        "Language": language,
        "Choices": [{"Display": str(i)} for i in range(11)],
    }
    why = {
        "QuestionID": "QID2",
        "DataExportTag": "Q2",
        "QuestionType": "TE",
        "Selector": "ML",
        "QuestionText": "Why ${q://QID1/ChoiceGroup/SelectedChoices}?",
        "DisplayLogic": {
            "0": {
                "0": {
                    "LogicType": "Question",
                    "QuestionID": "QID1",
                    "ChoiceLocator": "q://QID1/SelectableChoice/6",
                    "Operator": "Selected",
                },
                "1": {
                    "LogicType": "Question",
                    "QuestionID": "QID1",
                    "ChoiceLocator": "q://QID1/SelectableChoice/5",
                    "Operator": "Selected",
                    "Conjuction": "Or",
                },
                "Type": "If",
            },
            "Type": "BooleanExpression",
        },
    }
    imported = services.import_survey(
        actor=world.acme.system, unit=world.acme.root, filename="logic.qsf", content=_qsf(nps, why)
    )
    by_key = {q.key: q for q in imported.survey.questions.all()}
    assert imported.survey.locales == ["en", "de"]
    assert by_key["q1"].texts["title"] == {
        "en": "Recommend us? {{first_name}}",
        "de": "Würden Sie uns empfehlen?",
    }
    assert by_key["q2"].show_if == {
        "any": [
            {"question": "q1", "op": "eq", "value": 6},
            {"question": "q1", "op": "eq", "value": 5},
        ]
    }
    assert by_key["q2"].texts["title"]["en"] == "Why …?"
    assert any(e["dropped"].startswith("piped text ${q://") for e in imported.draft.report.entries)
