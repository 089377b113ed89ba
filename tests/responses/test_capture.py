import threading

import pytest
from django.db import connection, connections

from tests.surveys.builders import store_visit_survey
from voxloop.contacts.models import Contact
from voxloop.errors import InvalidInput, NotFound
from voxloop.responses import services
from voxloop.responses.models import Response
from voxloop.responses.services import AlreadyCompleted, Submission, SurveyClosed
from voxloop.responses.signals import response_submitted, responses_imported
from voxloop.surveys import services as survey_services


def submit(survey, answers, **context):
    return services.submit(submission=Submission(survey=survey, answers=answers, **context))


def test_detractor_response_is_scored_and_placed(world, django_capture_on_commit_callbacks):
    survey = store_visit_survey(world.acme)
    store = world.acme.units["c1r1s1"]
    seen = []
    response_submitted.connect(
        lambda sender, response_id, **kw: seen.append(response_id), weak=False, dispatch_uid="t1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = submit(
            survey,
            {"nps": "3", "improve": ["queue"], "csat": 2},
            unit=store,
            channel="qr",
            device="mobile",
            locale="zh-hans",
        )
    response_submitted.disconnect(dispatch_uid="t1")
    response = outcome.response
    assert (response.nps, response.nps_group, response.csat) == (3, "detractor", 2)
    assert response.unit_path == store.path and response.is_complete
    assert response.submitted_at is not None and response.locale == "zh-hans"
    assert seen == [response.pk]


def test_logic_branch_required_only_when_shown(world):
    survey = store_visit_survey(world.acme)
    # A promoter is not asked what to improve, so not answering it is fine …
    assert submit(survey, {"nps": 10}).response.nps_group == "promoter"
    # … but a detractor must answer it.
    with pytest.raises(InvalidInput) as error:
        submit(survey, {"nps": 2})
    assert error.value.field == "improve"
    # An answer to a question that was not shown is dropped, not stored.
    kept = submit(survey, {"nps": 9, "improve": ["queue"]}).response
    assert "improve" not in kept.answers


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"nps": 11}, "nps"),
        ({"nps": "x"}, "nps"),
        ({"nps": 5, "bogus": 1}, "bogus"),
        ({"nps": 5, "improve": ["nope"]}, "improve"),
        ({}, "nps"),
        ({"nps": 9, "comment": "y" * 10_001}, "comment"),
        ({"nps": 9, "csat:other": "x"}, "csat:other"),
    ],
)
def test_bad_answers_name_the_field_and_store_nothing(world, answers, field):
    survey = store_visit_survey(world.acme)
    with pytest.raises(InvalidInput) as error:
        submit(survey, answers)
    assert error.value.field == field
    assert Response.objects.count() == 0


def test_html_in_comments_is_stored_verbatim(world):
    survey = store_visit_survey(world.acme)
    text = '<img src=x onerror="alert(1)"> 服务很好'
    assert submit(survey, {"nps": 9, "comment": text}).response.answers["comment"] == text


def test_closed_survey_refuses_and_import_may_backfill(world):
    survey = store_visit_survey(world.acme)
    survey_services.close(actor=world.acme.scope("admin"), survey=survey)
    with pytest.raises(SurveyClosed):
        submit(survey, {"nps": 9})
    assert submit(survey, {"nps": 9}, allow_closed=True, channel="import").created


def test_units_of_another_organisation_are_refused(world):
    survey = store_visit_survey(world.acme)
    with pytest.raises(NotFound) as error:
        submit(survey, {"nps": 9}, unit=world.other.units["c1r1s1"])
    assert error.value.field == "unit"


def test_partial_response_is_kept_and_resumed(world):
    survey = store_visit_survey(world.acme)
    partial = submit(survey, {"nps": 4}, complete=False).response
    assert not partial.is_complete and partial.nps == 4
    done = submit(
        survey,
        {"improve": ["staff"], "comment": "slow"},
        resume_token=partial.resume_token,
        locale="ja",
    ).response
    assert done.pk == partial.pk and done.is_complete
    assert done.locale == "ja"  # switched language half way: the last one counts
    assert done.answers == {"nps": 4, "improve": ["staff"], "comment": "slow"}
    with pytest.raises(AlreadyCompleted):
        submit(survey, {"nps": 10}, resume_token=partial.resume_token)


def test_idempotency_key_returns_the_first_response(world):
    survey = store_visit_survey(world.acme)
    first = submit(survey, {"nps": 9}, source_key="idem:abc")
    again = submit(survey, {"nps": 1}, source_key="idem:abc")
    assert first.created and not again.created
    assert again.response.pk == first.response.pk and again.response.nps == 9
    assert Response.objects.count() == 1


def test_employee_survey_keeps_no_identity(world):
    actor = world.acme.scope("admin")
    pulse = survey_services.create_survey(
        actor=actor, unit=world.acme.root, name="Pulse", kind="employee"
    )
    survey_services.add_question(actor=actor, survey=pulse, key="enps", type="nps", texts={})
    survey_services.publish(actor=actor, survey=pulse)
    staff = world.acme.units["c1r1s1"].staff.first()
    response = submit(pulse, {"enps": 8}, staff=staff).response
    assert response.staff_id is None and response.contact_id is None
    assert response.unit_id == staff.unit_id


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_of_one_invitation_yield_one_response():
    from tests.factories import build_org

    org = build_org("race", "R")
    survey = store_visit_survey(org)
    barrier = threading.Barrier(8)
    outcomes, errors = [], []

    def worker(score):
        try:
            barrier.wait()
            outcomes.append(submit(survey, {"nps": score}, source_key="inv:42"))
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(9 + s % 2,)) for s in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if connection.vendor == "sqlite" and errors:
        pytest.skip("SQLite's in-memory test database is not shared across threads")
    # One submission wins; every other one is told the invitation was already answered.
    assert all(isinstance(e, AlreadyCompleted) for e in errors), errors
    assert len(outcomes) == 1 and outcomes[0].created
    assert len(errors) == 7
    assert Response.objects.filter(source_key="inv:42").count() == 1


def test_import_history_validates_scores_and_sends_no_events(
    world, django_capture_on_commit_callbacks
):
    from datetime import UTC, datetime

    survey = store_visit_survey(world.acme)
    store = world.acme.units["c2r1s1"]
    when = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    rows = [
        Submission(
            survey=survey,
            answers={"nps": n % 11, "improve": ["queue"]},
            unit=store,
            submitted_at=when,
            channel="import",
        )
        for n in range(25)
    ]
    submitted, imported = [], []
    response_submitted.connect(lambda **kw: submitted.append(kw), weak=False, dispatch_uid="t9")
    responses_imported.connect(lambda **kw: imported.append(kw), weak=False, dispatch_uid="t10")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.import_history(survey=survey, submissions=rows, batch_size=10) == 25
    finally:
        response_submitted.disconnect(dispatch_uid="t9")
        responses_imported.disconnect(dispatch_uid="t10")
    # Nobody is paged about the past; analytics is told which rows each batch stored.
    assert submitted == []
    assert [len(kw["response_ids"]) for kw in imported] == [10, 10, 5]
    stored = Response.objects.filter(survey=survey)
    assert stored.count() == 25
    assert {r.submitted_at for r in stored} == {when}
    assert stored.filter(nps_group="promoter").count() == sum(1 for n in range(25) if n % 11 >= 9)
    # Promoters were not shown "improve", so it was dropped for them.
    assert all("improve" not in r.answers for r in stored.filter(nps__gte=7))
    with pytest.raises(InvalidInput):
        services.import_history(
            survey=survey, submissions=[Submission(survey=survey, answers={"nps": 99})]
        )


@pytest.mark.parametrize("what", ["unit", "staff", "channel"])
def test_history_import_places_responses_like_live_capture(world, what):
    survey = store_visit_survey(world.acme)
    foreign_store = world.other.units["c1r1s1"]
    context = {
        "unit": {"unit": foreign_store},
        "staff": {"staff": foreign_store.staff.first()},
        "channel": {"channel": "carrier-pigeon"},
    }[what]
    with pytest.raises((InvalidInput, NotFound)) as refused:
        services.import_history(
            survey=survey, submissions=[Submission(survey, {"nps": 9}, **context)]
        )
    assert refused.value.field == what
    assert not Response.objects.exists()


def test_responses_stay_inside_the_surveys_part_of_the_organisation(world):
    actor = world.acme.scope("admin")
    store = world.acme.units["c1r1s1"]
    survey = survey_services.create_survey(
        actor=actor, unit=store, name="Store 1.1.1 only", kind="transactional"
    )
    survey_services.add_question(
        actor=actor, survey=survey, key="nps", type="nps", texts={"title": {"en": "?"}}
    )
    survey_services.publish(actor=actor, survey=survey)
    elsewhere = world.acme.units["c2r1s1"]
    with pytest.raises(InvalidInput) as refused:
        submit(survey, {"nps": 9}, staff=elsewhere.staff.get())
    assert refused.value.field == "staff"
    contact = Contact.objects.create(
        organization_id=store.organization_id, external_id="far", home_unit=elsewhere
    )
    response = submit(survey, {"nps": 9}, contact=contact).response
    assert response.unit_path == store.path


def test_a_required_matrix_needs_every_row_as_on_the_respondent_page(world):
    actor = world.acme.scope("admin")
    survey = survey_services.create_survey(
        actor=actor, unit=world.acme.root, name="Visit", kind="transactional"
    )
    rows = [{"key": k, "label": {"en": k}} for k in ("speed", "staff", "price")]
    survey_services.add_question(
        actor=actor,
        survey=survey,
        key="grid",
        type="matrix",
        texts={},
        config={"rows": rows, "scale": 5},
        required=True,
    )
    survey_services.publish(actor=actor, survey=survey)
    with pytest.raises(InvalidInput) as refused:
        submit(survey, {"grid": {"speed": 4}})
    assert refused.value.field == "grid"
    assert submit(survey, {"grid": {"speed": 4}}, complete=False).response.answers
    done = submit(survey, {"grid": {"speed": 4, "staff": 5, "price": 3}}).response
    assert done.is_complete
