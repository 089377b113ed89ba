"""The Django admin for surveys and responses: scoped for staff, written through services."""

from django.test import Client

from tests.surveys.builders import store_visit_survey
from voxloop.analytics.services import rebuild
from voxloop.responses.services import Submission, submit
from voxloop.surveys import services
from voxloop.surveys.models import Survey
from voxloop.tenancy.models import AuditEntry


def staff_client(org, name: str) -> Client:
    user = org.user(name)
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def _country_survey(world):
    actor = world.acme.scope("country_admin")
    survey = services.create_survey(
        actor=actor, unit=world.acme.units["c1"], name="Country pulse", kind="employee"
    )
    services.add_question(
        actor=actor, survey=survey, key="enps", type="nps", texts={"title": {"en": "Recommend?"}}
    )
    return survey


def test_staff_admin_sees_and_edits_only_their_subtree(world):
    company = store_visit_survey(world.acme)
    country = _country_survey(world)
    foreign = store_visit_survey(world.other)
    client = staff_client(world.acme, "country_admin")
    listing = client.get("/admin/surveys/survey/").content.decode()
    assert "Country pulse" in listing and "Store visit" not in listing
    assert client.get(f"/admin/surveys/survey/{company.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/surveys/survey/{foreign.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/surveys/survey/{country.pk}/change/").status_code == 200


def test_admin_edits_go_through_the_services(world):
    country = _country_survey(world)
    client = staff_client(world.acme, "country_admin")
    question = country.questions.get()
    form = {
        "name": "Country pulse 2026",
        "default_locale": "en",
        "locales": '["en", "ro"]',
        "texts": "{}",
        "branding": '{"colour": "#123456"}',
        "thank_you_branches": "[]",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "1",
        "questions-0-id": str(question.pk),
        "questions-0-survey": str(country.pk),
        "questions-0-type": "nps",
        "questions-0-required": "on",
        "questions-0-texts": '{"title": {"en": "Recommend us as an employer?"}}',
        "questions-0-config": "{}",
        "questions-0-show_if": "{}",
        "questions-2-TOTAL_FORMS": "1",
        "questions-2-INITIAL_FORMS": "0",
        "questions-2-0-survey": str(country.pk),
        "questions-2-0-key": "why",
        "questions-2-0-type": "long_text",
        "questions-2-0-texts": '{"title": {"en": "Why?"}}',
        "questions-2-0-config": "{}",
        "questions-2-0-show_if": '{"all": [{"question": "enps", "op": "lte", "value": 6}]}',
    }
    answer = client.post(f"/admin/surveys/survey/{country.pk}/change/", form)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    country.refresh_from_db()
    assert country.name == "Country pulse 2026" and country.locales == ["en", "ro"]
    assert country.branding == {"colour": "#123456"}
    assert [q.key for q in country.questions.all()] == ["enps", "why"]
    assert country.questions.get(key="enps").required is True
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"survey.update", "question.update", "question.create"} <= actions

    form["branding"] = '{"colour": "red"}'
    refused = client.post(f"/admin/surveys/survey/{country.pk}/change/", form, follow=True)
    assert "Colours are written like" in refused.content.decode()
    country.refresh_from_db()
    assert country.branding == {"colour": "#123456"}


def test_admin_actions_publish_and_close(world):
    country = _country_survey(world)
    client = staff_client(world.acme, "country_admin")
    client.post(
        "/admin/surveys/survey/",
        {"action": "publish_surveys", "_selected_action": [str(country.pk)]},
    )
    country.refresh_from_db()
    assert country.status == "live"
    assert AuditEntry.objects.filter(action="survey.publish").exists()


def test_responses_are_read_only_and_scoped(world):
    survey = store_visit_survey(world.acme)
    mine = submit(
        submission=Submission(survey, {"nps": 9}, unit=world.acme.units["c1r1s1"])
    ).response
    theirs = submit(
        submission=Submission(survey, {"nps": 10}, unit=world.acme.units["c2r1s1"])
    ).response
    client = staff_client(world.acme, "store")
    assert client.get(f"/admin/responses/response/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/responses/response/{theirs.pk}/change/").status_code in (302, 404)
    assert client.get("/admin/responses/response/add/").status_code == 403
    client.post(f"/admin/responses/response/{mine.pk}/change/", {"nps": "0"})
    mine.refresh_from_db()
    assert mine.nps == 9
    listing = client.get("/admin/responses/response/")
    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [mine]
    # Surveys are configuration: a store manager does not see them in the admin.
    assert client.get("/admin/surveys/survey/").status_code == 403
    assert Survey.objects.count() == 1


def test_employee_responses_are_not_in_the_admin_at_all(world):
    """The admin lists by unit, day and channel and shows a row's unit: anonymous answers are
    not there for anyone, a superuser included (decision 0016)."""
    actor = world.acme.scope("admin")
    pulse = services.create_survey(
        actor=actor, unit=world.acme.root, name="Team pulse", kind="employee"
    )
    services.add_question(
        actor=actor, survey=pulse, key="enps", type="nps", texts={"title": {"en": "Recommend?"}}
    )
    services.publish(actor=actor, survey=pulse)
    store = world.acme.units["c1r1s1"]
    answer = submit(submission=Submission(pulse, {"enps": 3}, unit=store)).response
    customer = submit(
        submission=Submission(store_visit_survey(world.acme), {"nps": 9}, unit=store)
    ).response
    rebuild(organization_id=world.acme.root.organization_id)
    root = world.acme.user("admin")
    root.is_superuser = True
    root.save()
    for name in ("store", "admin"):  # the store's manager, and a superuser
        client = staff_client(world.acme, name)
        listing = client.get(f"/admin/responses/response/?unit__id__exact={store.pk}")
        if listing.status_code == 200:
            assert answer not in listing.context["cl"].queryset
        assert list(client.get("/admin/responses/response/").context["cl"].queryset) == [customer]
        page = client.get(f"/admin/responses/response/{answer.pk}/change/")
        assert page.status_code in (302, 404)
        # Nor the rollups: a node's day of an anonymous survey is a group of any size.
        rollups = client.get("/admin/analytics/rollup/").context["cl"].queryset
        assert rollups and not [r for r in rollups if r.survey_id == pulse.pk]
