"""Case status both ways for the four connectors, each against its fake server: a ticket or
task solved or reopened in the CRM (by its own webhook, or seen by the scheduled poll of
linked tickets and tasks) resolves or reopens the linked Voxloop case, audited as the
connector; a case reopened in Voxloop reopens its ticket or task; polling again changes
nothing. And a response is written back to the ticket whose event invited the respondent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.contacts.helpers import add_contact
from tests.crm.fakes import FakeFreshdesk, FakeSalesforce
from tests.crm.support import (
    HUBSPOT_SECRET,
    ZENDESK_SECRET,
    hook_url,
    hubspot_headers,
    interaction_type,
    make_connector,
    post_hook,
    zendesk_event,
    zendesk_headers,
)
from tests.surveys.builders import store_visit_survey
from voxloop import sealing
from voxloop.closedloop import casework
from voxloop.closedloop import services as closedloop_services
from voxloop.closedloop.models import Case, CaseEvent, CaseStatus
from voxloop.contacts.models import Interaction
from voxloop.crm import inbound, syncing, writeback
from voxloop.crm.models import (
    CrmConnector,
    InboundEvent,
    JobStatus,
    RecordKind,
    RecordLink,
    WriteBack,
)
from voxloop.distribution.models import Channel, Invitation
from voxloop.responses.models import Response
from voxloop.responses.services import Submission, submit
from voxloop.tenancy.models import AuditEntry

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def salesforce() -> Iterator[FakeSalesforce]:
    server = FakeSalesforce().start()
    yield server
    server.stop()


@pytest.fixture
def freshdesk() -> Iterator[FakeFreshdesk]:
    server = FakeFreshdesk().start()
    yield server
    server.stop()


def _connector(*args, **kwargs):
    """A connector whose sync only polls its cases' tickets and tasks (no contacts)."""
    connector = make_connector(*args, **kwargs)
    CrmConnector.objects.filter(pk=connector.pk).update(sync_contacts=False)
    connector.sync_contacts = False
    return connector


def _linked_case(world, connector, remote_contact: str, capture) -> Case:
    """A contact linked to a CRM contact answers poorly; the case opens a ticket or task."""
    contact = add_contact(world.acme, "c1r1s1", f"crm-{connector.kind}")
    RecordLink.objects.create(
        connector=connector,
        record=RecordKind.CONTACT,
        local_id=contact.pk,
        remote_id=remote_contact,
        synced_at=T0,
    )
    response = submit(
        submission=Submission(
            survey=store_visit_survey(world.acme),
            answers={"nps": 2, "improve": "staff"},
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


def _remote(connector, case) -> str:
    return WriteBack.objects.get(connector=connector, key=f"case:{case.pk}:opened").remote_id


def _status(case) -> str:
    case.refresh_from_db()
    return case.status


def _send(connector, key: str) -> None:
    assert writeback.deliver(WriteBack.objects.get(connector=connector, key=key).pk) == "done"


def _by_connector(connector, case) -> int:
    return CaseEvent.objects.filter(
        case=case, kind=CaseEvent.Kind.STATUS, actor_label=f"crm:{connector.kind}:{connector.pk}"
    ).count()


def test_freshdesk_webhook_poll_and_a_reopening_from_voxloop(
    world, freshdesk, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    connector = _connector(
        world.acme,
        "freshdesk",
        freshdesk.url,
        {"api_key": freshdesk.api_key, "webhook_secret": "fd-hook-secret"},
    )
    case = _linked_case(world, connector, "4001", capture)
    ticket = _remote(connector, case)
    assert freshdesk.tickets[ticket]["requester_id"] == 4001
    secret = {"HTTP_X_VOXLOOP_SECRET": "fd-hook-secret"}

    def hook(status: str, stamp: str) -> str:
        body = json.dumps({"ticket_id": ticket, "status": status, "updated_at": stamp}).encode()
        assert post_hook(connector, body, secret).status_code == 200
        return inbound.take_in(
            InboundEvent.objects.get(connector=connector, key__contains=stamp).pk
        )

    with capture(execute=True):
        assert hook("Resolved", "2026-11-02T10:00:00Z") == "no contact: the event names nobody"
    assert _status(case) == CaseStatus.RESOLVED and writeback.due() == []
    with capture(execute=True):
        hook("Open", "2026-11-02T11:00:00Z")
    assert _status(case) == CaseStatus.IN_PROGRESS and _by_connector(connector, case) == 2

    # Resolved in Voxloop: the ticket is resolved; reopened in Voxloop: it is opened again.
    with capture(execute=True):
        casework.change_status(actor=world.acme.scope("store"), case=case, status="resolved")
    _send(connector, f"case:{case.pk}:resolved")
    assert freshdesk.tickets[ticket]["status"] == 4
    with capture(execute=True):
        casework.change_status(actor=world.acme.scope("store"), case=case, status="in_progress")
    _send(connector, f"case:{case.pk}:reopened")
    assert freshdesk.tickets[ticket]["status"] == 2
    syncing.sync(connector.pk)  # the poll sees what Voxloop set: nothing changes
    assert _status(case) == CaseStatus.IN_PROGRESS and _by_connector(connector, case) == 2

    # Closed in Freshdesk with no webhook: the poll resolves the case, once.
    freshdesk.tickets[ticket]["status"] = 5
    with capture(execute=True):
        syncing.sync(connector.pk)
        syncing.sync(connector.pk)
    assert _status(case) == CaseStatus.RESOLVED and _by_connector(connector, case) == 3
    assert writeback.due() == []
    assert len(freshdesk.sent("GET", rf"/api/v2/tickets/{ticket}")) == 3


def test_hubspot_task_completed_by_webhook_and_poll(
    world, hubspot, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    connector = _connector(
        world.acme,
        "hubspot",
        hubspot.url,
        {"client_id": hubspot.client_id, "client_secret": HUBSPOT_SECRET},
    )
    credentials = sealing.unseal(connector.credentials)
    credentials.update(access_token=hubspot.access_token, refresh_token="hs-rt")
    connector.credentials = sealing.seal(credentials)
    connector.save()
    case = _linked_case(world, connector, "501", capture)
    task = _remote(connector, case)

    def hook(event_id: int, value: str) -> str:
        body = json.dumps(
            [
                {
                    "eventId": event_id,
                    "subscriptionType": "object.propertyChange",
                    "objectTypeId": "0-27",
                    "objectId": int(task),
                    "propertyName": "hs_task_status",
                    "propertyValue": value,
                    "occurredAt": 1793610000000,
                }
            ]
        ).encode()
        assert post_hook(connector, body, hubspot_headers(hook_url(connector), body)).json() == {
            "accepted": 1,
            "duplicates": 0,
        }
        return inbound.take_in(InboundEvent.objects.get(connector=connector, key=str(event_id)).pk)

    with capture(execute=True):
        assert hook(71, "COMPLETED") == f"case {case.pk} resolved"
    assert _status(case) == CaseStatus.RESOLVED and not Interaction.objects.exists()
    assert AuditEntry.objects.filter(
        action="case.status", actor_label=f"crm:hubspot:{connector.pk}"
    ).exists()
    assert writeback.due() == []  # nothing echoes back

    with capture(execute=True):
        casework.change_status(actor=world.acme.scope("store"), case=case, status="in_progress")
    _send(connector, f"case:{case.pk}:reopened")
    assert hubspot.tasks[task]["properties"]["hs_task_status"] == "NOT_STARTED"

    hubspot.tasks[task]["properties"]["hs_task_status"] = "COMPLETED"  # done in HubSpot
    with capture(execute=True):
        syncing.sync(connector.pk)
        syncing.sync(connector.pk)
    assert _status(case) == CaseStatus.RESOLVED and _by_connector(connector, case) == 2
    assert len(hubspot.sent("POST", r"/crm/v3/objects/tasks/batch/read")) == 2


def _task_message(organization: str, notification: str, task: str, closed: bool) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>
 <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
  <OrganizationId>{organization}</OrganizationId><ActionId>04k5g000000TSKAAA</ActionId>
  <Notification><Id>{notification}</Id>
   <sObject xsi:type="sf:Task" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
    <sf:Id>{task}</sf:Id><sf:IsClosed>{str(closed).lower()}</sf:IsClosed>
    <sf:Status>{"Completed" if closed else "Not Started"}</sf:Status>
    <sf:LastModifiedDate>2026-11-02T09:00:00.000Z</sf:LastModifiedDate>
   </sObject></Notification>
 </notifications></soapenv:Body></soapenv:Envelope>""".encode()


def test_salesforce_task_closed_by_outbound_message_reopened_by_poll(
    world, salesforce, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    connector = _connector(
        world.acme,
        "salesforce",
        salesforce.url,
        {"client_id": "sf", "client_secret": "sf-secret"},
    )
    credentials = sealing.unseal(connector.credentials)
    credentials.update(
        access_token=salesforce.access_token,
        instance_url=salesforce.url,
        organization_id=salesforce.organization_id,
    )
    connector.credentials = sealing.seal(credentials)
    connector.save()
    case = _linked_case(world, connector, "0035g00000CCC01", capture)
    task = _remote(connector, case)
    assert salesforce.tasks[task]["WhoId"] == "0035g00000CCC01"

    body = _task_message(salesforce.organization_id, "04l5g00000T1", task, closed=True)
    answer = post_hook(connector, body, {}, content_type="text/xml")
    assert b"<Ack>true</Ack>" in answer.content
    with capture(execute=True):
        inbound.take_in(InboundEvent.objects.get(connector=connector).pk)
    assert _status(case) == CaseStatus.RESOLVED and writeback.due() == []
    forged = _task_message("00D000000000BADAAA", "04l5g00000T2", task, closed=False)
    assert post_hook(connector, forged, {}, content_type="text/xml").status_code == 401

    salesforce.tasks[task]["Status"] = "In Progress"  # reopened in Salesforce, no message
    with capture(execute=True):
        syncing.sync(connector.pk)
    assert _status(case) == CaseStatus.IN_PROGRESS and _by_connector(connector, case) == 2
    assert CaseEvent.objects.filter(case=case, text__contains="Task 00T").count() == 2
    with capture(execute=True):
        casework.change_status(actor=world.acme.scope("store"), case=case, status="resolved")
    _send(connector, f"case:{case.pk}:resolved")
    assert salesforce.tasks[task]["Status"] == "Completed"
    syncing.sync(connector.pk)
    assert _status(case) == CaseStatus.RESOLVED and _by_connector(connector, case) == 2


def test_zendesk_poll_takes_a_noted_tickets_first_state_as_its_baseline(
    world, zendesk, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    zendesk.add_user(11, "Ann Lee", "ann@example.test", T0)
    interaction_type(world.acme, "ticket_solved")
    connector = _connector(
        world.acme,
        "zendesk",
        zendesk.url,
        {"email": zendesk.email, "api_token": zendesk.token, "signing_secret": ZENDESK_SECRET},
        unit_key="c1",
        event_types={"ticket_solved": "ticket_solved"},
    )
    body = zendesk_event(ticket=301, requester=11, event_id="ev-1")
    post_hook(connector, body, zendesk_headers(body))
    inbound.take_in(InboundEvent.objects.get(connector=connector).pk)
    contact = Interaction.objects.get().contact
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
    _send(connector, f"case:{case.pk}:opened")
    cause = closedloop_services.create_root_cause(actor=world.acme.scope("admin"), name="Staff")
    casework.set_root_cause(actor=world.acme.scope("store"), case=case, root_cause_id=cause.pk)
    zendesk.tickets[301]["status"] = "solved"  # solved before the case noted it

    syncing.sync(connector.pk)
    assert _status(case) == CaseStatus.NEW  # a baseline, not a solving
    zendesk.tickets[301]["status"] = "open"
    syncing.sync(connector.pk)
    assert _status(case) == CaseStatus.NEW
    zendesk.tickets[301]["status"] = "solved"
    with capture(execute=True):
        syncing.sync(connector.pk)
    assert _status(case) == CaseStatus.RESOLVED
    assert zendesk.sent("GET", r"/api/v2/tickets/show_many\.json")[0].query == {"ids": "301"}


def test_a_response_is_written_back_to_the_ticket_that_invited_it(
    world, zendesk, django_capture_on_commit_callbacks
):
    zendesk.add_user(11, "Ann Lee", "ann@example.test", T0)
    interaction_type(world.acme, "ticket_solved")
    connector = _connector(
        world.acme,
        "zendesk",
        zendesk.url,
        {"email": zendesk.email, "api_token": zendesk.token, "signing_secret": ZENDESK_SECRET},
        event_types={"ticket_solved": "ticket_solved"},
    )
    for ticket in (301, 302):  # 302 is the later ticket; the survey is about 301
        body = zendesk_event(ticket=ticket, requester=11, event_id=f"ev-{ticket}")
        post_hook(connector, body, zendesk_headers(body))
        inbound.take_in(InboundEvent.objects.get(connector=connector, key=f"ev-{ticket}").pk)
    first = InboundEvent.objects.get(connector=connector, key="ev-301")
    survey = store_visit_survey(world.acme)
    invitation = Invitation.objects.create(
        organization_id=world.acme.root.organization_id,
        survey=survey,
        contact_id=first.contact_id,
        interaction_id=first.interaction_id,
        channel=Channel.EMAIL,
    )
    response = submit(
        submission=Submission(
            survey=survey,
            answers={"nps": 4, "improve": "staff"},
            unit=world.acme.units["c1r1s1"],
            contact=invitation.contact,
        )
    ).response
    Response.objects.filter(pk=response.pk).update(source_key=f"inv:{invitation.ref}")
    response.refresh_from_db()
    WriteBack.objects.filter(connector=connector).delete()
    (job_id,) = writeback.queue_feedback(response=response)
    _send(connector, f"response:{response.pk}")
    assert WriteBack.objects.get(pk=job_id).payload["target"]["ticket"] == "301"
    assert "NPS 4" in zendesk.tickets[301]["comments"][-1]["body"]
    assert "comments" not in zendesk.tickets.get(302, {})
