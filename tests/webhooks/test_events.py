"""Events reach subscriptions through the other apps' signals, each subscription getting only
its subtree's events in its own organisation; anonymous answers carry no personal data; Slack
and Teams get their own message formats."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.closedloop.support import give_cause
from tests.contacts.helpers import add_contact
from tests.webhooks.support import ALL_CASE_EVENTS, submit, subscribe
from voxloop.closedloop import casework, escalation, evaluation
from voxloop.closedloop import services as closedloop_services
from voxloop.contacts import services as contact_services
from voxloop.distribution.models import Invitation
from voxloop.distribution.tracking import progress
from voxloop.responses.signals import responses_changed
from voxloop.surveys import services as survey_services
from voxloop.webhooks import delivery, services
from voxloop.webhooks.models import Delivery

HOOK = "https://hooks.example.test/in"


def _deliveries(event_type: str) -> dict[str, dict]:
    """Subscription name → payload, for every delivery of this event type."""
    rows = Delivery.objects.filter(event_type=event_type).select_related("subscription")
    found = {d.subscription.name: d.payload for d in rows}
    assert len(found) == len(rows), "one delivery per subscription"
    return found


@pytest.fixture
def everywhere(world):
    """Response subscriptions at Acme's top, a country, a store, the other country, and at the
    other tenant's top."""
    acme, other = world.acme, world.other
    for org, unit in (
        (acme, "root"),
        (acme, "c1"),
        (acme, "c1r1s1"),
        (acme, "c2"),
        (other, "root"),
    ):
        subscribe(org, unit, ["response.completed"], HOOK, name=f"{org.root.code}-{unit}")


def test_a_response_reaches_the_subscriptions_above_its_unit_only(
    world, survey, everywhere, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            survey,
            {"nps": 3, "improve": ["queue"], "comment": "Call me at ann@example.test please"},
            unit=world.acme.units["c1r1s1"],
        )
    found = _deliveries("response.completed")
    acme = world.acme.root.code
    assert set(found) == {f"{acme}-root", f"{acme}-c1", f"{acme}-c1r1s1"}
    data = found[f"{acme}-root"]["data"]
    assert data["response"]["id"] == response.pk and data["response"]["nps"] == 3
    assert data["response"]["unit_code"] == "AC1R1S1"
    assert "ann@example.test" not in json.dumps(found)  # free text is masked
    assert found[f"{acme}-root"]["type"] == "response.completed"


def test_the_other_tenant_hears_only_its_own(world, everywhere, django_capture_on_commit_callbacks):
    from tests.surveys.builders import store_visit_survey

    theirs = store_visit_survey(world.other)
    with django_capture_on_commit_callbacks(execute=True):
        submit(theirs, {"nps": 9}, unit=world.other.units["c2r2s2"])
    assert set(_deliveries("response.completed")) == {f"{world.other.root.code}-root"}


def test_an_anonymous_answer_carries_no_personal_data(
    world, everywhere, django_capture_on_commit_callbacks
):
    actor = world.acme.scope("admin")
    pulse = survey_services.create_survey(
        actor=actor, unit=world.acme.root, name="Pulse", kind="employee"
    )
    survey_services.add_question(actor=actor, survey=pulse, key="enps", type="nps", texts={})
    survey_services.add_question(
        actor=actor, survey=pulse, key="comment", type="long_text", texts={}
    )
    survey_services.publish(actor=actor, survey=pulse)
    staff = world.acme.units["c1r1s1"].staff.first()
    with django_capture_on_commit_callbacks(execute=True):
        submit(pulse, {"enps": 2, "comment": "My manager Bob"}, staff=staff)
    found = _deliveries("response.completed")
    # No unit: only the top unit hears of it, and it says only which survey, on which day.
    assert set(found) == {f"{world.acme.root.code}-root"}
    data = found[f"{world.acme.root.code}-root"]["data"]
    assert data == {"anonymous": True, "survey": {"id": pulse.pk}, "day": data["day"]}


def test_case_events_follow_the_case(world, survey, django_capture_on_commit_callbacks):
    acme = world.acme
    admin = acme.scope("admin")
    subscribe(acme, "c1", ALL_CASE_EVENTS, HOOK, name="country")
    subscribe(acme, "c2", ALL_CASE_EVENTS, HOOK, name="elsewhere")
    closedloop_services.create_rule(
        actor=admin,
        unit=acme.root,
        name="Detractor",
        conditions={"match": "all", "items": [{"field": "nps", "op": "lte", "value": 6}]},
        recipients=[],
        survey_ids=[survey.pk],
    )
    response = submit(
        survey, {"nps": 1, "improve": ["staff"], "comment": "Rude"}, unit=acme.units["c1r1s1"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        [case] = evaluation.evaluate_response(response_id=response.pk)
    with django_capture_on_commit_callbacks(execute=True):
        casework.assign(actor=admin, case=case, user_id=acme.user("store").pk)
    with django_capture_on_commit_callbacks(execute=True):
        escalation.escalate_overdue(now=case.due_at + timedelta(minutes=1))
    give_cause(case)  # a case resolves only with its root cause (decision 0021)
    with django_capture_on_commit_callbacks(execute=True):
        casework.change_status(actor=admin, case=case, status="resolved")
    for event in ALL_CASE_EVENTS:
        assert set(_deliveries(event)) == {"country"}, event
    opened = _deliveries("case.opened")["country"]["data"]
    assert opened["case"]["id"] == case.pk and opened["response"]["nps"] == 1
    assert opened["case"]["url"].endswith(f"/cases/{case.pk}/")
    assert _deliveries("case.assigned")["country"]["data"]["case"]["assignee"] == "a-store"
    assert _deliveries("case.resolved")["country"]["data"]["case"]["status"] == "resolved"


def test_bounces_unsubscribes_and_changed_responses(
    world, survey, django_capture_on_commit_callbacks
):
    acme = world.acme
    events = ["invitation.bounced", "contact.unsubscribed", "response.updated"]
    subscribe(acme, "c1r1", events, HOOK, name="region")
    subscribe(acme, "c2", events, HOOK, name="elsewhere")
    ann = add_contact(acme, "c1r1s1", "ANN")
    invitation = Invitation.objects.create(
        organization_id=acme.root.organization_id,
        unit_path=ann.unit_path,
        survey=survey,
        contact=ann,
        channel="email",
        status="sent",
        sent_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        progress.apply_event({"event_type": "bounced", "metadata": {"invitation": invitation.ref}})
    bounced = _deliveries("invitation.bounced")
    assert set(bounced) == {"region"}
    assert bounced["region"]["data"]["invitation"]["bounce"] == "hard"
    assert "ann@example.test" not in json.dumps(bounced)
    with django_capture_on_commit_callbacks(execute=True):
        contact_services.unsubscribe(
            contact_id=ann.pk, organization_id=acme.root.organization_id, how="link"
        )
    gone = _deliveries("contact.unsubscribed")
    assert set(gone) == {"region"}
    assert gone["region"]["data"] == {
        "contact": {"id": ann.pk, "external_id": "ANN"},
        "how": "link",
    }
    response = submit(survey, {"nps": 8}, unit=acme.units["c1r1s2"], contact=ann)
    responses_changed.send(
        None, organization_id=acme.root.organization_id, response_ids=[response.pk]
    )
    assert set(_deliveries("response.updated")) == {"region"}


def test_nothing_is_recorded_when_nobody_subscribed(
    world, survey, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    services.listeners(organization_id=world.acme.root.organization_id)  # held for RECENT_SECONDS
    with django_capture_on_commit_callbacks(execute=True):
        submit(survey, {"nps": 9}, unit=world.acme.units["c1r1s1"])
    assert not Delivery.objects.exists()


def test_a_disabled_subscription_holds_its_deliveries_until_it_is_on_again(world, receiver):
    subscription, _ = subscribe(world.acme, url=receiver.url)
    now = timezone.now()
    [pk] = services.publish(
        organization_id=world.acme.root.organization_id,
        unit_path=world.acme.units["c1"].path,
        event_type="response.completed",
        key="held",
        data={},
        at=now,
    )
    admin = world.acme.scope("admin")
    services.update_subscription(actor=admin, subscription=subscription, is_active=False)
    assert delivery.sweep(now + timedelta(hours=30)) == 0 and receiver.requests == []
    services.update_subscription(actor=admin, subscription=subscription, is_active=True)
    assert delivery.sweep(timezone.now()) == 1
    assert Delivery.objects.get(pk=pk).status == "delivered"


def test_slack_gets_blocks_with_score_comment_unit_and_the_case_link(
    world, survey, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _case_to(world, survey, receiver, "slack")
    _send_all()
    [request] = receiver.requests
    message = json.loads(request.body)
    text = message["blocks"][0]["text"]["text"]
    assert "NPS 2" in text and "AC1R1S1" in text and "Slow &amp; rude" in text
    assert "bob@example.test" not in text
    button = message["blocks"][1]["elements"][0]
    [case_id] = Delivery.objects.values_list("payload__data__case__id", flat=True)
    assert button["url"].endswith(f"/cases/{case_id}/")
    assert message["text"].startswith("A case was opened")


def test_teams_gets_an_adaptive_card(world, survey, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _case_to(world, survey, receiver, "teams", language="ja")
    _send_all()
    [request] = receiver.requests
    card = json.loads(request.body)["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    facts = {f["title"]: f["value"] for f in card["body"][1]["facts"]}
    assert "NPS 2" in facts.values() and "AC1R1S1" in facts.values()
    assert card["actions"][0]["type"] == "Action.OpenUrl" and "/cases/" in card["actions"][0]["url"]
    assert card["body"][0]["text"].startswith("ケース")  # in the subscription's language


def _case_to(world, survey, receiver, destination, language="en"):
    acme = world.acme
    subscribe(acme, "root", ["case.opened"], receiver.url, destination=destination,
              language=language)  # fmt: skip
    closedloop_services.create_rule(
        actor=acme.scope("admin"),
        unit=acme.root,
        name="Detractor",
        conditions={"match": "all", "items": [{"field": "nps", "op": "lte", "value": 6}]},
        recipients=[],
        survey_ids=[survey.pk],
    )
    response = submit(
        survey, {"nps": 2, "improve": ["staff"], "comment": "Slow & rude, write bob@example.test"},
        unit=acme.units["c1r1s1"],
    )  # fmt: skip
    evaluation.evaluate_response(response_id=response.pk)


def _send_all():
    now = timezone.now()
    for pk in Delivery.objects.values_list("pk", flat=True):
        delivery.deliver(pk, now)


def test_erasing_a_person_scrubs_their_stored_payloads(
    world, survey, django_capture_on_commit_callbacks
):
    from voxloop.privacy import erasure

    acme = world.acme
    subscribe(acme, "root", ["response.completed", "contact.unsubscribed"], HOOK, name="all")
    ann = add_contact(acme, "c1r1s1", "ANN-CRM-7", first_name="Annabel", last_name="Quux")
    with django_capture_on_commit_callbacks(execute=True):
        submit(
            survey,
            {"nps": 9, "comment": "Annabel Quux loved it"},
            unit=acme.units["c1r1s1"],
            contact=ann,
        )
        contact_services.unsubscribe(
            contact_id=ann.pk, organization_id=acme.root.organization_id, how="link"
        )
    before = json.dumps(list(Delivery.objects.values_list("payload", flat=True)))
    assert "ANN-CRM-7" in before and "Annabel" in before
    report = erasure.erase_contact(actor=acme.scope("admin"), contact_id=ann.pk)
    assert report.counts.get("webhook_deliveries") == 2
    after = json.dumps(list(Delivery.objects.values_list("payload", flat=True)))
    assert "ANN-CRM-7" not in after and "Annabel" not in after and "Quux" not in after
    assert Delivery.objects.count() == 2  # the events stay, without the person


def test_a_moved_unit_takes_its_subscriptions_along(world):
    from voxloop.tenancy import services as tenancy_services

    acme = world.acme
    store, _ = subscribe(acme, "c1r1s1", url=HOOK, name="store")
    tenancy_services.move_unit(
        actor=acme.scope("admin"), unit=acme.units["c1r1"], new_parent=acme.units["c2"]
    )
    store.refresh_from_db()
    acme.units["c1r1s1"].refresh_from_db()
    assert store.unit_path == acme.units["c1r1s1"].path
    assert store.unit_path.startswith(acme.units["c2"].path)
    [pk] = services.publish(
        organization_id=acme.root.organization_id,
        unit_path=acme.units["c1r1s1"].path,
        event_type="response.completed",
        key="moved",
        data={},
    )
    assert Delivery.objects.get(pk=pk).subscription_id == store.pk


def test_a_failure_to_record_an_event_never_fails_the_respondent(
    world, survey, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    subscribe(world.acme, url=HOOK)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "publish", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(survey, {"nps": 10}, unit=world.acme.units["c1r1s1"])
    assert response.pk and "could not record an event" in caplog.text
