"""Zendesk end to end against the fake Zendesk: a signed "ticket solved" webhook becomes one
interaction (however often it is delivered) that fires the triggers; users sync both ways
with the conflict rules, through cursor pages, a rate limit and a refused record; a completed
response and a case go back as internal notes, a ticket and its solving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.contacts.helpers import add_contact
from tests.crm.support import (
    ZENDESK_SECRET,
    interaction_type,
    make_connector,
    post_hook,
    zendesk_event,
    zendesk_headers,
)
from tests.surveys.builders import store_visit_survey
from voxloop.closedloop import casework
from voxloop.closedloop import services as closedloop_services
from voxloop.contacts.models import Contact, Interaction
from voxloop.contacts.signals import interactions_recorded
from voxloop.crm import inbound, services, syncing, writeback
from voxloop.crm.models import (
    Activity,
    ConflictRule,
    InboundEvent,
    JobStatus,
    RecordLink,
    WriteBack,
)
from voxloop.responses.services import Submission, submit

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _connector(world, zendesk, **fields):
    interaction_type(world.acme, "ticket_solved")
    return make_connector(
        world.acme,
        "zendesk",
        zendesk.url,
        {"email": zendesk.email, "api_token": zendesk.token, "signing_secret": ZENDESK_SECRET},
        unit_key="c1",
        event_types={"ticket_solved": "ticket_solved"},
        **fields,
    )


def test_a_solved_ticket_twice_is_one_interaction_that_fires_the_triggers(
    world, zendesk, django_capture_on_commit_callbacks
):
    zendesk.add_user(11, "Ann Lee", "ann@example.test", T0)
    connector = _connector(world, zendesk)
    body = zendesk_event(ticket=301, requester=11, event_id="01HZ-event-1")
    first = post_hook(connector, body, zendesk_headers(body))
    again = post_hook(connector, body, zendesk_headers(body))
    assert first.status_code == 200 and first.json() == {"accepted": 1, "duplicates": 0}
    assert again.json() == {"accepted": 0, "duplicates": 1}
    event = InboundEvent.objects.get(connector=connector)

    fired = []
    interactions_recorded.connect(lambda **kw: fired.append(kw["interaction_ids"]), weak=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.take_in(event.pk) == "interaction recorded"
    assert inbound.take_in(event.pk) == "already taken in"

    contact = Contact.objects.get(
        organization=world.acme.root.organization, email="ann@example.test"
    )
    assert contact.home_unit == world.acme.units["c1"]  # created at the connector's unit
    assert (contact.first_name, contact.last_name) == ("Ann", "Lee")
    interaction = Interaction.objects.get(contact=contact)
    assert interaction.type.key == "ticket_solved"
    assert interaction.attributes["ticket_id"] == "301"
    assert interaction.channel == "zendesk"
    assert fired and fired[-1] == [interaction.pk]
    assert zendesk.sent("GET", r"/api/v2/users/11\.json")  # asked who the requester is
    assert RecordLink.objects.get(connector=connector, remote_id="11").local_id == contact.pk


@pytest.mark.parametrize(
    "tamper",
    ["signature", "secret", "stale", "missing"],
)
def test_unsigned_or_replayed_webhooks_are_refused(world, zendesk, tamper):
    connector = _connector(world, zendesk)
    body = zendesk_event(ticket=302, requester=11, event_id=f"ev-{tamper}")
    headers = zendesk_headers(body)
    if tamper == "signature":
        headers = zendesk_headers(body + b" ")
    elif tamper == "secret":
        headers = zendesk_headers(body, secret="not-the-secret")
    elif tamper == "stale":
        headers = zendesk_headers(body, when=datetime.now(UTC) - timedelta(minutes=10))
    else:
        headers = {}
    answer = post_hook(connector, body, headers)
    assert answer.status_code == 401
    assert not InboundEvent.objects.filter(connector=connector).exists()
    assert Activity.objects.filter(connector=connector, ok=False).exists()


def test_an_unknown_or_disconnected_address_is_not_found(world, zendesk):
    connector = _connector(world, zendesk)
    body = zendesk_event(ticket=303, requester=11, event_id="ev-x")
    services.disconnect(scope=world.acme.scope("admin"), connector=connector)
    assert post_hook(connector, body, zendesk_headers(body)).status_code == 404


def test_users_sync_through_pages_a_rate_limit_and_a_refused_record(world, zendesk):
    # A contact of another unit is keyed by the same address: never changed from here.
    add_contact(world.acme, "c2r1s1", "outside@example.test", email="outside@example.test")
    zendesk.add_user(1, "Ann Lee", "ann@example.test", T0)
    zendesk.add_user(2, "Bo Chen", "bo@example.test", T0 + timedelta(minutes=1))
    zendesk.add_user(3, "Out Side", "outside@example.test", T0 + timedelta(minutes=2))
    zendesk.add_user(4, "李 娜", "li@example.test", T0 + timedelta(minutes=3))
    connector = _connector(world, zendesk)
    zendesk.queued = []
    first_page = zendesk.handle  # the first page comes through, the second is rate limited
    calls = {"n": 0}

    def limited(seen):
        calls["n"] += 1
        if calls["n"] == 2:
            return 429, {"error": "TooManyRequests"}, {"Retry-After": "7"}
        return first_page(seen)

    zendesk.handle = limited  # type: ignore[method-assign]
    now = timezone.now()
    outcome = syncing.sync(connector.pk, now=now)
    assert not outcome.finished and outcome.retry_in == timedelta(seconds=7)
    connector.refresh_from_db()
    assert connector.next_sync_at == now + timedelta(seconds=7)
    assert connector.cursor["contact"]["page"] == "2"  # resumes at the page it stopped on

    outcome = syncing.sync(connector.pk, now=now + timedelta(seconds=8))
    assert outcome.finished
    resumed = zendesk.sent("GET", r"/api/v2/incremental/users/cursor\.json")[-1]
    assert resumed.query == {"cursor": "2"}
    scope = world.acme.scope("admin")
    synced = Contact.objects.filter(
        organization_id=scope.organization_id, home_unit=world.acme.units["c1"]
    )
    assert sorted(synced.values_list("email", flat=True)) == [
        "ann@example.test",
        "bo@example.test",
        "li@example.test",
    ]
    outside = Contact.objects.get(external_id="outside@example.test")
    assert outside.home_unit == world.acme.units["c2r1s1"] and outside.first_name != "Out"
    report = Activity.objects.filter(connector=connector, kind="sync").first()
    assert report is not None and not report.ok
    assert [p["record"] for p in report.problems] == ["contact 3"]
    assert "outside your part" in report.problems[0]["message"]

    # Idempotent: the same pass again creates and links nothing new.
    links = RecordLink.objects.filter(connector=connector).count()
    connector.refresh_from_db()
    connector.cursor = {}
    connector.save()
    syncing.sync(connector.pk, now=now + timedelta(minutes=5))
    assert RecordLink.objects.filter(connector=connector).count() == links == 3
    assert synced.count() == 3


def test_conflicts_follow_the_rule_chosen_per_field(world, zendesk):
    zendesk.add_user(1, "Ann Lee", "ann@example.test", T0, tier="gold")
    connector = _connector(world, zendesk)
    admin = world.acme.scope("admin")
    services.set_mapping(
        scope=admin,
        connector=connector,
        rows=[
            services.MappingRow("contact", "email", "email"),
            services.MappingRow("contact", "name", "name"),
            services.MappingRow(
                "contact", "attributes.tier", "user_fields.tier", rule=ConflictRule.CRM
            ),
        ],
    )
    syncing.sync(connector.pk, now=T0 + timedelta(hours=1))
    contact = Contact.objects.get(email="ann@example.test")
    assert contact.attributes["tier"] == "gold"

    # Both sides change after the first pass; Voxloop's change is the newer one.
    zendesk.users[1].update(name="Annie Lee", updated_at="2026-11-01T11:00:00Z")
    zendesk.users[1]["user_fields"]["tier"] = "silver"
    contact.first_name = "Anna"
    contact.attributes = {**contact.attributes, "tier": "bronze"}
    contact.save()
    connector.refresh_from_db()
    syncing.sync(connector.pk, now=timezone.now())
    contact.refresh_from_db()
    assert contact.first_name == "Anna"  # the newer change (Voxloop's) won
    assert contact.attributes["tier"] == "silver"  # the CRM wins this field
    pushed = zendesk.sent("PUT", r"/api/v2/users/1\.json")
    assert pushed and pushed[-1].body["user"]["name"] == "Anna Lee"
    assert "user_fields" not in pushed[-1].body["user"]  # never pushed over the CRM's field


def test_a_response_and_its_case_go_back_to_the_ticket(
    world, zendesk, django_capture_on_commit_callbacks
):
    zendesk.add_user(11, "Ann Lee", "ann@example.test", T0)
    connector = _connector(world, zendesk)
    body = zendesk_event(ticket=301, requester=11, event_id="ev-1")
    post_hook(connector, body, zendesk_headers(body))
    inbound.take_in(InboundEvent.objects.get(connector=connector).pk)
    contact = Contact.objects.get(email="ann@example.test")

    survey = store_visit_survey(world.acme)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            submission=Submission(
                survey=survey,
                answers={"nps": 3, "improve": "staff", "comment": "Nobody called me back"},
                unit=world.acme.units["c1r1s1"],
                contact=contact,
            )
        ).response
    job = WriteBack.objects.get(connector=connector, key=f"response:{response.pk}")
    assert writeback.deliver(job.pk) == JobStatus.DONE
    note = zendesk.tickets[301]["comments"][-1]
    assert note["public"] is False and "NPS 3" in note["body"] and "Nobody called" in note["body"]

    manager = world.acme.scope("store")
    with django_capture_on_commit_callbacks(execute=True):
        case = casework.open_case(actor=manager, response_id=response.pk, title="Call Ann back")
    opened = WriteBack.objects.get(connector=connector, key=f"case:{case.pk}:opened")
    assert writeback.deliver(opened.pk) == JobStatus.DONE
    opened.refresh_from_db()
    assert opened.remote_id == "301"  # linked to the ticket it came from, not a new one
    cause = closedloop_services.create_root_cause(actor=world.acme.scope("admin"), name="Callback")
    with django_capture_on_commit_callbacks(execute=True):
        casework.resolve(actor=manager, case=case, root_cause_id=cause.pk, note="Called her")
    closing = WriteBack.objects.get(connector=connector, key=f"case:{case.pk}:resolved")
    assert writeback.deliver(closing.pk) == JobStatus.DONE
    assert zendesk.tickets[301]["status"] == "solved"


def test_a_case_without_a_ticket_opens_one_and_a_rate_limit_is_retried(
    world, zendesk, django_capture_on_commit_callbacks
):
    zendesk.add_user(12, "Bo Chen", "bo@example.test", T0)
    connector = _connector(world, zendesk)
    syncing.sync(connector.pk, now=T0 + timedelta(hours=1))
    contact = Contact.objects.get(email="bo@example.test")
    survey = store_visit_survey(world.acme)
    response = submit(
        submission=Submission(
            survey=survey,
            answers={"nps": 2, "improve": "queue"},
            unit=world.acme.units["c1r1s1"],
            contact=contact,
        )
    ).response
    with django_capture_on_commit_callbacks(execute=True):
        case = casework.open_case(actor=world.acme.scope("store"), response_id=response.pk)
    job = WriteBack.objects.get(connector=connector, key=f"case:{case.pk}:opened")
    zendesk.queued = [(429, {"error": "TooManyRequests"}, {"Retry-After": "30"})]
    now = timezone.now()
    assert writeback.deliver(job.pk, now=now) == JobStatus.QUEUED
    job.refresh_from_db()
    assert job.next_attempt_at == now + timedelta(seconds=30) and job.attempts == 1
    assert writeback.deliver(job.pk, now=now) == "not due"  # Retry-After honoured
    assert writeback.deliver(job.pk, now=now + timedelta(seconds=31)) == JobStatus.DONE
    job.refresh_from_db()
    created = zendesk.tickets[int(job.remote_id)]
    assert created["requester_id"] == 12 and created["tags"] == ["voxloop"]
