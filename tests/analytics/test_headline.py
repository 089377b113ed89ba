"""Headline figures per survey, drafts and test surveys out of "all surveys" (issue 15.6)."""

from datetime import UTC, datetime

from tests.analytics.support import cx_survey, respond
from voxloop.analytics import dashboard, filters, services
from voxloop.surveys import services as survey_services
from voxloop.surveys.models import Survey

AT = datetime(2026, 11, 3, 10, tzinfo=UTC)


def f(**params):
    return filters.parse({"start": "2026-11-01", "end": "2026-11-30", **params})


def kpi(data, name):
    return next(c for c in data["kpis"] if c["metric"] == name)


def test_drafts_and_test_surveys_stay_out_and_a_headline_survey_heads(world):
    org = world.acme
    store = org.units["c1r1s1"]
    visit = cx_survey(org, name="Visit")
    support = cx_survey(org, name="Support")
    trial = cx_survey(org, name="Trial")
    survey_services.update_survey(actor=org.system, survey=trial, is_test=True)
    for _ in range(3):
        respond(visit, store, nps=10, at=AT)
        respond(support, store, nps=0, at=AT)
        respond(trial, store, nps=0, at=AT)
    services.rebuild(organization_id=org.root.organization_id)
    draft = survey_services.create_survey(
        actor=org.system, unit=org.root, name="Draft", kind="transactional", default_locale="en"
    )
    survey_services.add_question(
        actor=org.system, survey=draft, key="nps", type="nps", texts={"title": {"en": "Q"}}
    )
    pooled = dashboard.payload(org.scope("director"), f())
    assert kpi(pooled, "nps")["figure"]["n"] == 6  # visit + support, never the trial
    assert pooled["headline"] == {"pooled": True, "surveys": 2}

    survey_services.update_survey(actor=org.system, survey=visit, is_primary=True)
    headed = dashboard.payload(org.scope("director"), f())
    assert headed["headline"] == {"survey_id": visit.pk, "survey": "Visit", "pooled": False}
    assert kpi(headed, "nps")["figure"]["n"] == 3 and kpi(headed, "nps")["figure"]["value"] == 100

    # One headline per programme: naming another moves it.
    survey_services.update_survey(actor=org.system, survey=support, is_primary=True)
    assert list(Survey.objects.filter(is_primary=True)) == [support]
    # A chosen survey is shown as chosen, test or not.
    chosen = dashboard.payload(org.scope("director"), f(survey=str(trial.pk)))
    assert kpi(chosen, "nps")["figure"]["n"] == 3


def test_the_api_sets_the_headline(world):
    org = world.acme
    visit = cx_survey(org, name="Visit")
    from tests.analytics.test_pages import client_for

    c = client_for(org, "admin")
    response = c.patch(
        f"/api/v1/surveys/{visit.pk}", {"is_primary": True}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["is_primary"] is True
    visit.refresh_from_db()
    assert visit.is_primary
