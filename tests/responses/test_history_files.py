"""Response files from other tools load into an imported survey through the historical
import, with a row report; counts match the files, NPS matches the files' expected figures."""

from __future__ import annotations

import csv
import json

import pytest

from tests.cli.support import voxloop  # noqa: F401 - fixture
from tests.surveys.importing.support import shared_file
from voxloop.errors import Forbidden
from voxloop.responses import services
from voxloop.responses.models import Response
from voxloop.surveys import services as survey_services


def _survey(world, relative: str):
    path = shared_file(relative)
    return survey_services.import_survey(
        actor=world.acme.system, unit=world.acme.root, filename=path.name, content=path.read_bytes()
    ).survey


def _load(world, survey, relative: str):
    path = shared_file(relative)
    return services.import_response_file(
        actor=world.acme.system, survey=survey, filename=path.name, content=path.read_bytes()
    )


@pytest.mark.parametrize(
    ("qsf", "csvs", "rows"),
    [
        (
            "qualtrics-qsf/Multiple_Answer_MC_Questions.qsf",
            ["Multiple_Answer_MC_Questions.csv", "Multiple_Answer_MC_Questions (Insights).csv"],
            5,
        ),
        (
            "qualtrics-qsf/Single_Answer_Matrix_Questions.qsf",
            ["Single_Answer_Matrix_Questions.csv", "Single_Answer_Matrix_Questions (Insights).csv"],
            5,
        ),
    ],
)
def test_qualtrics_legacy_and_current_exports(world, qsf, csvs, rows):
    survey = _survey(world, qsf)
    legacy = _load(world, survey, f"qualtrics-csv/{csvs[0]}")
    assert (legacy.rows, legacy.imported, legacy.refused) == (rows, rows, 0), legacy.errors
    current = _load(world, survey, f"qualtrics-csv/{csvs[1]}")
    # The same responses in the 3-header export: known by their response ids.
    assert (current.rows, current.imported, current.already) == (rows, 0, rows), current
    stored = Response.objects.filter(survey=survey)
    assert stored.count() == rows and all(r.answers for r in stored)
    assert {r.channel for r in stored} == {"import"}


def test_limesurvey_archive_responses(world):
    survey = _survey(world, "limesurvey/colors.lsa")
    report = _load(world, survey, "limesurvey/colors.lsa")
    assert report.rows == 2 and report.imported + report.refused + report.skipped == 2
    assert report.imported >= 1, report.errors
    answer = Response.objects.filter(survey=survey).first().answers
    assert isinstance(answer["q00"], list) and answer["q00"]


def test_kobo_submissions(world):
    survey = _survey(world, "kobotoolbox/kobo_formpack_grouped_translated_v1.json")
    report = _load(world, survey, "kobotoolbox/kobo_formpack_grouped_translated_v1.json")
    assert (report.rows, report.imported) == (3, 3), report.errors
    first = Response.objects.filter(survey=survey).order_by("submitted_at").first()
    assert first.answers["what_kind_of_symmetry_do_you_have"] == [
        "spherical",
        "radial",
        "bilateral",
    ]
    assert first.submitted_at.year == 2017


def test_surveyjs_results(world, tmp_path):
    survey = _survey(world, "surveyjs/real-productfeedback.json")
    results = [
        {
            "Quality": {"affordable": "3", "better then others": "5"},
            "satisfaction": 4,
            "price to competitors": "Less expensive",
            "email": "a@example.test",
        },
        {"satisfaction": 9},
    ]
    report = services.import_response_file(
        actor=world.acme.system,
        survey=survey,
        filename="results.json",
        content=json.dumps(results).encode(),
    )
    assert (report.rows, report.imported, report.refused) == (2, 1, 1)
    assert "between 1 and 5" in report.errors[0]["error"]
    stored = Response.objects.get(survey=survey)
    assert stored.answers["quality"] == {"affordable": 3, "better_then_others": 5}
    assert stored.answers["price_to_competitors"] == "less_expensive"


def test_prepbench_nps_matches_the_expected_output(world):
    path = shared_file("nps-datasets/prepbench-case_040/inputs/input_01.csv")
    with path.open(encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    definition = {
        "format": "voxloop-survey",
        "version": 1,
        "name": "Sudzilla",
        "kind": "relationship",
        "default_locale": "en",
        "locales": ["en"],
        "texts": {},
        "branding": {},
        "thank_you_branches": [],
        "questions": [
            {
                "key": "nps",
                "type": "nps",
                "required": False,
                "texts": {"title": {"en": header[1]}},
                "config": {},
                "show_if": {},
            },
            {
                "key": "why",
                "type": "long_text",
                "required": False,
                "texts": {"title": {"en": header[2]}},
                "config": {},
                "show_if": {},
            },
        ],
    }
    survey = survey_services.import_survey(
        actor=world.acme.system,
        unit=world.acme.root,
        filename="s.json",
        content=json.dumps(definition).encode(),
    ).survey
    report = services.import_response_file(
        actor=world.acme.system, survey=survey, filename=path.name, content=path.read_bytes()
    )
    expected_path = shared_file("nps-datasets/prepbench-case_040/expected/output_01.csv")
    with expected_path.open(encoding="utf-8-sig") as handle:
        expected = next(csv.DictReader(handle))
    stored = Response.objects.filter(survey=survey, nps__isnull=False)
    promoters = stored.filter(nps_group="promoter").count()
    detractors = stored.filter(nps_group="detractor").count()
    total = stored.count()
    assert report.imported == total == int(expected["Total Respondents"]), report.errors
    assert (promoters, detractors) == (int(expected["Promoter"]), int(expected["Detractor"]))
    assert round((promoters - detractors) / total * 100, 1) == float(expected["NPS Score"])


def test_only_admins_of_the_survey_import(world):
    survey = _survey(world, "kobotoolbox/kobo_formpack_customer_satisfaction_v1.json")
    with pytest.raises(Forbidden):
        services.import_response_file(
            actor=world.acme.scope("regional"), survey=survey, filename="x.json", content=b"[]"
        )
    with pytest.raises(Forbidden):
        services.import_response_file(
            actor=world.other.scope("admin"), survey=survey, filename="x.json", content=b"[]"
        )


@pytest.mark.parametrize(
    ("definition", "responses", "rows", "skipped"),
    [
        ("qualtrics-qsf/Sample_Survey.qsf", "qualtrics-csv/Sample_Survey.csv", 5, 0),
        ("qualtrics-qsf/Sample_Survey.qsf", "qualtrics-csv/Sample_Survey (Insights).csv", 5, 0),
        (
            "qualtrics-qsf/Side-by-Side_Questions.qsf",
            "qualtrics-csv/SidebySide_Questions (Legacy).csv",
            25,
            0,
        ),
        (
            "qualtrics-qsf/Questions_with_Text_Entry_Components.qsf",
            "qualtrics-csv/Questions_with_Text_Entry_Components.csv",
            15,
            0,
        ),
        (
            "limesurvey/an_other_questionnaire_different_fileformat.lsa",
            "limesurvey-responses/survey_293446_responses.lsr",
            4,
            1,
        ),
        ("limesurvey/colors.lss", "limesurvey-responses/survey_841748_responses.lsr", 2, 0),
        ("qualtrics-qsf/sp_qsfTestContent.qsf", "qualtrics-csv/sp_xmlTestContent.xml", 4, 1),
        (
            "kobotoolbox/kobo_formpack_literacy_test_v1.json",
            "kobotoolbox/kobo_formpack_literacy_test_v1.json",
            3,
            0,
        ),
        (
            "kobotoolbox/kobo_formpack_site_inspection_v1.json",
            "kobotoolbox/kobo_formpack_site_inspection_v1.json",
            2,
            0,
        ),
    ],
)
def test_paired_response_files_import_with_matching_counts(
    world, definition, responses, rows, skipped
):
    survey = _survey(world, definition)
    report = _load(world, survey, responses)
    assert (report.rows, report.skipped, report.refused) == (rows, skipped, 0), report.errors
    assert Response.objects.filter(survey=survey).count() == report.imported == rows - skipped
    if skipped:
        assert "not finished" in report.errors[0]["error"]


def test_api_and_cli_import_a_responses_file(world, voxloop):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.surveys.api_client import as_member

    survey = _survey(world, "kobotoolbox/kobo_formpack_customer_satisfaction_v1.json")
    path = shared_file("kobotoolbox/kobo_formpack_customer_satisfaction_v1.json")
    admin = as_member(world.acme, "admin")
    answered = admin.client.post(
        f"/api/v1/surveys/{survey.pk}/responses/import",
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
        headers=admin.headers,
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["imported"] == 3
    again = voxloop(
        "import", "responses", str(path), "--org", "acme", "--survey", str(survey.pk), "--json"
    )
    assert again.code == 0, again.err
    assert json.loads(again.out)["already_imported"] == 3
    broken = admin.client.post(
        f"/api/v1/surveys/{survey.pk}/responses/import",
        {"file": SimpleUploadedFile("r.lsr", b"<document><responses>")},
        headers=admin.headers,
    )
    assert broken.status_code == 400 and "well-formed" in broken.content.decode()
    assert Response.objects.filter(survey=survey).count() == 3
