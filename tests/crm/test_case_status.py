"""Case status from the help desk back to Voxloop, against the fake Zendesk: the ticket a
case opened or noted, solved there, resolves the case (a note and a status event by the
connector, audited, nothing sent back); reopened there, reopens it, and resolving it again
in Voxloop solves the ticket again. One organisation's webhook never reaches another's
case, even through a forged link."""

from __future__ import annotations

import json
from datetime import UTC, datetime

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
from voxloop.closedloop.models import Case, CaseEvent, CaseStatus
from voxloop.contacts.models import Contact
from voxloop.crm import inbound, syncing, writeback
from voxloop.crm.models import InboundEvent, JobKind, JobStatus, WriteBack
from voxloop.responses.services import Submission, submit
from voxloop.tenancy.models import AuditEntry

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _connector(org, zendesk, unit_key="c1"):
    interaction_type(org, "ticket_solved")
    return make_connector(
        org,
        "zendesk",
        zendesk.url,
        {"email": zendesk.email, "api_token": zendesk.token, "signing_secret": ZENDESK_SECRET},
        unit_key=unit_key,
        event_types={"ticket_solved": "ticket_solved"},
    )


def _hook(connector, ticket, event_id, current="SOLVED", previous="OPEN"):
    data = json.loads(zendesk_event(ticket=ticket, requester=11, event_id=event_id))
    data["event"] = {"current": current, "previous": previous}
    data["detail"]["status"] = current
    body = json.dumps(data).encode()
    assert post_hook(connector, body, zendesk_headers(body)).status_code == 200
    stored = InboundEvent.objects.get(connector=connector, key=event_id)
    return inbound.take_in(stored.pk)


def _case_on_ticket(world, zendesk, connector, capture):
    """A solved ticket brings Ann; her poor answer opens a case linked to that ticket."""
    _hook(connector, 301, "ev-1")
    contact = Contact.objects.get(email="ann@example.test")
    response = submit(
        submission=Submission(
            survey=store_visit_survey(world.acme),
            answers={"nps": 3, "improve": "staff"},
            unit=world.acme.units["c1r1s1"],
            contact=contact,
        )
    ).response
    with capture(execute=True):
        case = casework.open_case(actor=world.acme.scope("store"), response_id=response.pk)
    opened = WriteBack.objects.get(connector=connector, key=f"case:{case.pk}:opened")
    assert writeback.deliver(opened.pk) == JobStatus.DONE
    cause = closedloop_services.create_root_cause(actor=world.acme.scope("admin"), name="Staff")
    casework.set_root_cause(actor=world.acme.scope("store"), case=case, root_cause_id=cause.pk)
    return case


def test_solved_and_reopened_in_zendesk_resolve_and_reopen_the_case_without_echo(
    world, zendesk, django_capture_on_commit_callbacks
):
    zendesk.add_user(11, "Ann Lee", "ann@example.test", T0)
    connector = _connector(world.acme, zendesk)
    case = _case_on_ticket(world, zendesk, connector, django_capture_on_commit_callbacks)
    puts_before = len(zendesk.sent("PUT", r"/api/v2/tickets/301\.json"))

    with django_capture_on_commit_callbacks(execute=True):
        outcome = _hook(connector, 301, "ev-2")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and outcome == "interaction recorded"
    events = list(CaseEvent.objects.filter(case=case).order_by("pk"))
    assert any("solved in Zendesk" in e.text for e in events)
    status = [e for e in events if e.kind == CaseEvent.Kind.STATUS][-1]
    assert status.actor_label == f"crm:zendesk:{connector.pk}"
    assert AuditEntry.objects.filter(
        action="case.status", actor_label=f"crm:zendesk:{connector.pk}"
    ).exists()
    # No echo: the resolved status is not sent back to the ticket it came from.
    job = WriteBack.objects.get(connector=connector, key=f"case:{case.pk}:resolved")
    assert job.status == JobStatus.DONE and job.payload["from_crm"] is True
    assert writeback.due() == []
    assert len(zendesk.sent("PUT", r"/api/v2/tickets/301\.json")) == puts_before

    with django_capture_on_commit_callbacks(execute=True):
        _hook(connector, 301, "ev-3", current="OPEN", previous="SOLVED")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.resolved_at is None
    assert not WriteBack.objects.filter(key=f"case:{case.pk}:resolved").exists()

    # Resolved again in Voxloop: the ticket is solved again.
    manager = world.acme.scope("store")
    with django_capture_on_commit_callbacks(execute=True):
        casework.change_status(actor=manager, case=case, status=CaseStatus.RESOLVED)
    job = WriteBack.objects.get(connector=connector, key=f"case:{case.pk}:resolved")
    assert job.kind == JobKind.CASE_STATUS and writeback.deliver(job.pk) == JobStatus.DONE
    assert zendesk.tickets[301]["status"] == "solved"
    # Zendesk's own webhook for that solving changes nothing more.
    _hook(connector, 301, "ev-4")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_a_case_without_a_root_cause_gets_a_note_only(
    world, zendesk, django_capture_on_commit_callbacks
):
    zendesk.add_user(11, "Ann Lee", "ann@example.test", T0)
    connector = _connector(world.acme, zendesk)
    case = _case_on_ticket(world, zendesk, connector, django_capture_on_commit_callbacks)
    Case.objects.filter(pk=case.pk).update(root_cause=None)
    _hook(connector, 301, "ev-2")
    case.refresh_from_db()
    assert case.status != CaseStatus.RESOLVED
    assert CaseEvent.objects.filter(case=case, text__contains="solved in Zendesk").exists()


def test_another_organisations_webhook_never_touches_the_case(
    world, zendesk, django_capture_on_commit_callbacks
):
    zendesk.add_user(11, "Ann Lee", "ann@example.test", T0)
    mine = _connector(world.acme, zendesk)
    case = _case_on_ticket(world, zendesk, mine, django_capture_on_commit_callbacks)
    theirs = _connector(world.other, zendesk)
    # Same ticket number in the other organisation's help desk, even with a forged link to
    # this organisation's case on their connector.
    opened = WriteBack.objects.get(connector=mine, key=f"case:{case.pk}:opened")
    WriteBack.objects.create(
        connector=theirs,
        kind=JobKind.CASE_OPENED,
        key=f"case:{case.pk}:opened",
        payload=opened.payload,
        status=JobStatus.DONE,
        remote_id="301",
        next_attempt_at=T0,
        created_at=T0,
    )
    _hook(theirs, 301, "ev-other-1")
    _hook(theirs, 301, "ev-other-2", current="OPEN", previous="SOLVED")
    # Nor does their sync's poll of that ticket.
    for status in ("open", "solved"):
        zendesk.tickets[301]["status"] = status
        assert syncing.sync(theirs.pk).finished
    assert len(zendesk.sent("GET", r"/api/v2/tickets/show_many\.json")) == 2
    case.refresh_from_db()
    assert case.status != CaseStatus.RESOLVED
    assert not CaseEvent.objects.filter(case=case, text__contains="Zendesk").exists()
