"""Personal invitations to an anonymous survey (issue 14 item 5): the answer keeps no link to
its invitation, the invitation no trace of the answer, reminders still skip those who answered,
and one person gives at most one answer a month. Each test failed before decision 0016."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.analytics.anonymous_world import add_months
from tests.respondent.helpers import Respondent, next_question
from voxloop.distribution import selectors, services
from voxloop.distribution.delivery import followups
from voxloop.distribution.delivery.emails import personal_token, tracked_key
from voxloop.distribution.models import Invitation
from voxloop.responses.models import Response
from voxloop.responses.services import AlreadyCompleted, Submission, submit
from voxloop.surveys import services as survey_services


@pytest.fixture
def pulse(outreach):
    acme, _, _ = outreach
    actor = acme.scope("admin")
    survey = survey_services.create_survey(
        actor=actor, unit=acme.root, name="Pulse", kind="employee", default_locale="en"
    )
    t = {"title": {"en": "?"}}
    survey_services.add_question(
        actor=actor, survey=survey, key="enps", type="nps", texts=t, required=True
    )
    survey_services.add_question(
        actor=actor, survey=survey, key="tools", type="rating", texts=t, config={"scale": 5}
    )
    survey_services.publish(actor=actor, survey=survey)
    return survey


def sent(outreach, survey, queue, capture, name="Pulse", **fields):
    acme, _, _ = outreach
    campaign = services.create_campaign(
        actor=acme.scope("admin"),
        unit=acme.units["c1r1s1"],
        survey=survey,
        segment=None,
        name=name,
        channel="email",
        **fields,
    )
    with capture(execute=True):
        services.launch(actor=acme.scope("admin"), campaign=campaign)
    queue.run()
    return {i.contact.external_id: i for i in Invitation.objects.filter(campaign=campaign)}


def answer(client, invitation, capture, *scores):
    respondent = Respondent(client, personal_token(invitation))
    with capture(execute=True):
        respondent.answer("enps", str(scores[0]))
        return respondent.answer("tools", str(scores[1]) if len(scores) > 1 else "")


def test_the_answer_keeps_no_link_to_its_invitation_nor_the_invitation_to_the_answer(
    outreach, pulse, queue, client, django_capture_on_commit_callbacks, smtp_settings
):
    invitations = sent(outreach, pulse, queue, django_capture_on_commit_callbacks)
    bo = invitations["BO"]
    assert client.get(f"/o/c/{tracked_key(bo)}").status_code == 302  # the tracked link
    done = answer(client, bo, django_capture_on_commit_callbacks, 3, 2)
    assert next_question(done) == ""
    queue.run()  # whatever the answer handed over runs now
    stored = Response.objects.get(survey=pulse)
    assert stored.is_complete and stored.contact_id is None and stored.contact_snapshot == {}
    assert stored.source_key.startswith("anon:") and bo.ref not in stored.source_key
    assert f"contact:{bo.contact_id}" not in stored.source_key
    bo.refresh_from_db()
    assert bo.status == "clicked"  # never "started" or "completed"
    assert bo.started_at is None and bo.completed_at is None
    local = timezone.localtime(bo.clicked_at)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)  # the day, not the moment
    assert all(bo.ref not in repr(r.args) for r in queue.pending())  # no task names it


def test_the_key_cannot_be_made_again_without_the_anonymity_key(
    outreach, pulse, queue, client, django_capture_on_commit_callbacks, settings, smtp_settings
):
    settings.ANONYMITY_KEY = "the-servers-own-key"
    bo = sent(outreach, pulse, queue, django_capture_on_commit_callbacks)["BO"]
    answer(client, bo, django_capture_on_commit_callbacks, 9, 4)
    stored = Response.objects.get(survey=pulse).source_key
    from voxloop.responses import anonymity

    month = anonymity.month_of(timezone.now())
    person = anonymity.person_of(bo.contact_id, bo.ref)
    assert anonymity.source_key(pulse.organization_id, pulse.pk, person, month) == stored
    settings.ANONYMITY_KEY = "a-guess"  # someone with the database but not the key
    assert anonymity.source_key(pulse.organization_id, pulse.pk, person, month) != stored


def test_a_partial_answer_resumes_and_the_link_answers_once(
    outreach, pulse, queue, client, django_capture_on_commit_callbacks, smtp_settings
):
    bo = sent(outreach, pulse, queue, django_capture_on_commit_callbacks)["BO"]
    respondent = Respondent(client, personal_token(bo))
    with django_capture_on_commit_callbacks(execute=True):
        assert next_question(respondent.answer("enps", "8")) == "tools"
    queue.run()
    partial = Response.objects.get(survey=pulse)
    assert not partial.is_complete and partial.source_key.startswith("anon:")
    bo.refresh_from_db()
    assert bo.status != "started" and bo.started_at is None
    again = Respondent(client.__class__(), personal_token(bo))  # another browser, same link
    assert 'name="tools"' in again.open().content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert next_question(again.answer("tools", "4")) == ""
    assert Response.objects.get(survey=pulse).is_complete
    assert Respondent(client.__class__(), personal_token(bo)).open().status_code == 409


def test_one_answer_per_person_per_month_whatever_the_number_of_invitations(
    outreach, pulse, queue, client, django_capture_on_commit_callbacks, smtp_settings
):
    """Two campaigns in one month: the floor counts people, so the second invitation of the
    same person finds the answer already given."""
    first = sent(outreach, pulse, queue, django_capture_on_commit_callbacks)["BO"]
    second = sent(outreach, pulse, queue, django_capture_on_commit_callbacks, name="Again")["BO"]
    answer(client, first, django_capture_on_commit_callbacks, 10, 5)
    page = Respondent(client.__class__(), personal_token(second)).open()
    assert page.status_code == 409
    assert Response.objects.filter(survey=pulse).count() == 1
    # Next month is another cycle: the same person answers again.
    person = f"contact:{first.contact_id}"
    next_month = datetime.combine(
        add_months(timezone.localdate(), 1), time(10), tzinfo=timezone.get_current_timezone()
    )
    again = submit(
        submission=Submission(pulse, {"enps": 7}, respondent=person, submitted_at=next_month)
    )
    assert again.created and Response.objects.filter(survey=pulse).count() == 2
    with pytest.raises(AlreadyCompleted):
        submit(
            submission=Submission(pulse, {"enps": 1}, respondent=person, submitted_at=next_month)
        )


def test_reminders_skip_those_who_answered_without_recording_who(
    outreach, pulse, queue, client, django_capture_on_commit_callbacks, smtp_settings
):
    acme, _, people = outreach
    invitations = sent(
        outreach,
        pulse,
        queue,
        django_capture_on_commit_callbacks,
        reminders=1,
        reminder_after_days=3,
        expires_after_days=10,
    )
    assert len(smtp_settings.wait_for(2)) == 2
    answer(client, invitations["BO"], django_capture_on_commit_callbacks, 6, 3)
    queue.run()
    assert followups.run(timezone.now() + timedelta(days=4))["reminded"] == 1
    assert smtp_settings.wait_for(3)[2].recipients == [people["ann"].email]
    statuses = {i.contact.external_id: i.status for i in Invitation.objects.filter(survey=pulse)}
    assert statuses["ANN"] == statuses["BO"]  # the two look alike to staff
    # Nor does a list of who has not answered exist for an anonymous survey.
    assert not selectors.non_responders(acme.scope("admin")).filter(survey=pulse).exists()


def test_keys_older_than_last_month_are_forgotten(outreach, pulse):
    from voxloop.responses import anonymity

    now = timezone.now()
    month = anonymity.month_of(now)
    kept, forgotten = [], []
    for months_ago, into in ((0, kept), (1, kept), (2, forgotten)):
        start = add_months(month, -months_ago)
        at = datetime.combine(start.replace(day=5), time(9), tzinfo=timezone.get_current_timezone())
        into.append(
            submit(
                submission=Submission(
                    pulse, {"enps": 9}, respondent=f"contact:{months_ago}", submitted_at=at
                )
            ).response.pk
        )
    assert anonymity.forget_old_keys(now) == 1
    keys = dict(Response.objects.values_list("pk", "source_key"))
    assert all(keys[pk].startswith("anon:") for pk in kept)
    assert all(keys[pk] is None for pk in forgotten)
