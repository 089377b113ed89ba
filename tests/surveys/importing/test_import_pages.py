"""The staff pages: upload a survey file, see the report, open the draft; load past responses
into a survey and see the row report. In every language the product speaks."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.surveys.importing.support import shared_file
from voxloop.responses.models import Response
from voxloop.surveys.models import Survey


def _admin(world, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(world.acme.user("admin"))
    return client


def test_upload_a_survey_see_the_report_and_open_the_draft(world):
    path = shared_file("qualtrics-qsf/sp_qsfTestContent.qsf")
    answered = _admin(world).post(
        "/surveys/import/",
        {"file": SimpleUploadedFile(path.name, path.read_bytes()), "kind": "relationship"},
    )
    assert answered.status_code == 200
    survey = Survey.objects.get(name="Test survey")
    page = answered.content.decode()
    assert f"/surveys/{survey.pk}/" in page and "Open the draft" in page
    assert "it is in the trash block" in page  # the report, per question


def test_a_bad_file_is_shown_next_to_the_field(world):
    answered = _admin(world).post(
        "/surveys/import/",
        {"file": SimpleUploadedFile("x.lss", b"<document"), "kind": "relationship"},
    )
    assert answered.status_code == 400
    assert "not well-formed XML" in answered.content.decode()
    assert not Survey.objects.exists()


def test_load_past_responses_and_see_the_row_report(world):
    path = shared_file("kobotoolbox/kobo_formpack_site_inspection_v1.json")
    admin = _admin(world)
    admin.post(
        "/surveys/import/",
        {"file": SimpleUploadedFile(path.name, path.read_bytes()), "kind": "relationship"},
    )
    survey = Survey.objects.get()
    answered = admin.post(
        f"/surveys/{survey.pk}/responses/import/",
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    assert answered.status_code == 200
    assert Response.objects.filter(survey=survey).count() == 2
    assert "Row report" in answered.content.decode()


@pytest.mark.parametrize(
    ("language", "heading"),
    [("zh-hans", "导入问卷"), ("ja", "アンケートをインポート"), ("ro", "Importă un chestionar")],
)
def test_the_page_speaks_every_language(world, language, heading):
    page = _admin(world, language).get("/surveys/import/").content.decode()
    assert heading in page


def test_a_german_draft_keeps_its_language_on_the_settings_form(world):
    path = shared_file("limesurvey/an_other_questionnaire_different_fileformat.lsa")
    admin = _admin(world)
    admin.post(
        "/surveys/import/",
        {"file": SimpleUploadedFile(path.name, path.read_bytes()), "kind": "relationship"},
    )
    survey = Survey.objects.get()
    page = admin.get(f"/surveys/{survey.pk}/").content.decode()
    assert 'value="de" selected' in page
    saved = admin.post(
        f"/surveys/{survey.pk}/settings/",
        {"name": "Lehrevaluation", "default_locale": "de", "locales": ["de"]},
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    survey.refresh_from_db()
    assert (survey.name, survey.default_locale) == ("Lehrevaluation", "de")


def test_an_imported_survey_in_another_language_is_answerable(world):
    from voxloop.surveys import services

    path = shared_file("kobotoolbox/kobo_formpack_grouped_translated_v1.json")
    imported = services.import_survey(
        actor=world.acme.system, unit=world.acme.root, filename=path.name, content=path.read_bytes()
    )
    services.publish(actor=world.acme.system, survey=imported.survey)
    page = Client().get(f"/s/{imported.survey.public_slug}?lang=es")
    assert page.status_code == 200
    assert "¿Qué tipo de simetría tiene?" in page.content.decode()
