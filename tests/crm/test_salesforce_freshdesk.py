"""Salesforce and Freshdesk against their fakes: a Salesforce outbound message (SOAP) for a
closed opportunity, checked against the connected organisation and acknowledged, SOQL pages
through `nextRecordsUrl`, a refused record reported per record; a Freshdesk automation
webhook with its secret header, pages of contacts, the response as a private ticket note."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.contacts.helpers import add_contact
from tests.crm.fakes import FakeFreshdesk, FakeSalesforce
from tests.crm.support import interaction_type, make_connector, post_hook
from voxloop import sealing
from voxloop.contacts.models import Contact, Interaction
from voxloop.crm import inbound, oauth, services, syncing, writeback
from voxloop.crm.connectors.base import Feedback
from voxloop.crm.models import Activity, InboundEvent, JobStatus, RecordLink, WriteBack

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


def outbound_message(organization: str, notification: str, opportunity: str, contact: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>{organization}</OrganizationId>
   <ActionId>04k5g000000XYZAAA</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/60.0/00D5g000000ABCD</EnterpriseUrl>
   <PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/60.0/00D5g000000ABCD</PartnerUrl>
   <Notification>
    <Id>{notification}</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>{opportunity}</sf:Id>
     <sf:ContactId>{contact}</sf:ContactId>
     <sf:IsClosed>true</sf:IsClosed>
     <sf:IsWon>true</sf:IsWon>
     <sf:LastModifiedDate>2026-11-02T09:00:00.000Z</sf:LastModifiedDate>
     <sf:StageName>Closed Won</sf:StageName>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>""".encode()


def _salesforce(world, salesforce):
    interaction_type(world.acme, "opportunity_closed")
    connector = make_connector(
        world.acme,
        "salesforce",
        salesforce.url,
        {"client_id": "sf-client", "client_secret": "sf-secret"},
        event_types={"opportunity_closed": "opportunity_closed"},
    )
    oauth.complete(
        scope=world.acme.scope("admin"),
        connector=connector,
        code=salesforce.code,
        redirect_uri="http://testserver/crm/oauth/callback/",
    )
    connector.refresh_from_db()
    return connector


def test_a_closed_opportunity_message_is_acknowledged_once(
    world, salesforce, django_capture_on_commit_callbacks
):
    connector = _salesforce(world, salesforce)
    stored = sealing.unseal(connector.credentials)
    assert stored["instance_url"] == salesforce.url
    assert stored["organization_id"] == salesforce.organization_id  # from the token's id URL
    salesforce.add_contact("0035g00000AAA01", "cy@example.test", "Cy", "Park", T0)
    body = outbound_message(
        salesforce.organization_id, "04l5g0000001", "0065g0000001", "0035g00000AAA01"
    )
    answer = post_hook(connector, body, {}, content_type="text/xml")
    assert answer.status_code == 200 and b"<Ack>true</Ack>" in answer.content
    post_hook(connector, body, {}, content_type="text/xml")  # Salesforce retries until acked
    assert InboundEvent.objects.filter(connector=connector).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        inbound.take_in(InboundEvent.objects.get(connector=connector).pk)
    interaction = Interaction.objects.get(contact__email="cy@example.test")
    assert interaction.attributes["stage"] == "Closed Won" and interaction.attributes["won"] is True

    stranger = outbound_message("00D000000000BADAAA", "04l5g0000002", "0065g0000002", "x")
    assert post_hook(connector, stranger, {}, content_type="text/xml").status_code == 401
    assert post_hook(connector, b"<not-soap", {}, content_type="text/xml").status_code == 401


def test_soql_pages_and_a_refused_push_reported_per_record(world, salesforce):
    connector = _salesforce(world, salesforce)
    for n in range(3):
        salesforce.add_contact(f"0035g00000BBB0{n}", f"s{n}@example.test", f"S{n}", "Ray", T0)
    assert syncing.sync(connector.pk, now=T0 + timedelta(hours=1)).finished
    assert len(salesforce.sent("GET", r"/services/data/v60\.0/query(/.*)?")) == 2
    query = salesforce.sent("GET", r"/services/data/v60\.0/query")[0].query["q"]
    assert query.startswith(
        "SELECT Id, LastModifiedDate, Email, FirstName, LastName, Phone FROM Contact"
    )
    assert RecordLink.objects.filter(connector=connector).count() == 3

    for n in (0, 1):
        contact = Contact.objects.get(email=f"s{n}@example.test")
        contact.phone = f"+4072100000{n}"
        contact.save()
    salesforce.refuse.add("0035g00000BBB01")
    assert syncing.sync(connector.pk).finished
    assert salesforce.contacts["0035g00000BBB00"]["Phone"] == "+40721000000"
    report = Activity.objects.filter(connector=connector, kind="sync").first()
    assert report.counts["pushed"] == 1
    assert report.problems[0]["record"] == "Voxloop contact s1@example.test"
    assert "invalid email" in report.problems[0]["message"]


def _freshdesk(world, freshdesk, unit_key="c1"):
    interaction_type(world.acme, "ticket_resolved")
    return make_connector(
        world.acme,
        "freshdesk",
        freshdesk.url,
        {"api_key": freshdesk.api_key, "webhook_secret": "fd-hook-secret"},
        unit_key=unit_key,
        event_types={"ticket_resolved": "ticket_resolved"},
    )


def test_a_resolved_freshdesk_ticket_needs_the_secret_header(
    world, freshdesk, django_capture_on_commit_callbacks
):
    connector = _freshdesk(world, freshdesk)
    body = json.dumps(
        {
            "freshdesk_webhook": {
                "ticket_id": "88",
                "status": "Resolved",
                "requester_email": "dee@example.test",
                "updated_at": "2026-11-02T10:00:00Z",
            }
        }
    ).encode()
    assert post_hook(connector, body, {}).status_code == 401
    assert post_hook(connector, body, {"HTTP_X_VOXLOOP_SECRET": "guess"}).status_code == 401
    good = {"HTTP_X_VOXLOOP_SECRET": "fd-hook-secret"}
    assert post_hook(connector, body, good).json() == {"accepted": 1, "duplicates": 0}
    assert post_hook(connector, body, good).json() == {"accepted": 0, "duplicates": 1}
    with django_capture_on_commit_callbacks(execute=True):
        inbound.take_in(InboundEvent.objects.get(connector=connector).pk)
    contact = Contact.objects.get(email="dee@example.test")
    assert Interaction.objects.get(contact=contact).attributes["ticket_id"] == "88"

    feedback = Feedback(
        5, "Support", None, 2, None, "Slow", "2026-11-02T11:00:00+00:00", "http://x/"
    )
    job = WriteBack.objects.create(
        connector=connector,
        kind="feedback",
        key="response:5",
        payload=writeback.asdict_payload(
            target={"contact": "", "ticket": inbound.ticket_of(connector, contact.pk)},
            feedback=feedback,
        ),
        next_attempt_at=T0,
        created_at=T0,
    )
    assert writeback.deliver(job.pk) == JobStatus.DONE
    note = freshdesk.notes["88"][0]
    assert note["private"] is True and "CSAT 2" in note["body"] and "&ldquo;" not in note["body"]


def test_freshdesk_contacts_in_full_pages_stay_in_the_connectors_unit(world, freshdesk):
    add_contact(world.acme, "c2", "fd-7@example.test", email="fd-7@example.test")
    freshdesk.contacts = [
        {
            "id": n,
            "name": f"Fd {n}",
            "email": f"fd-{n}@example.test",
            "updated_at": "2026-11-01T09:00:00Z",
        }
        for n in range(1, 103)
    ]
    connector = _freshdesk(world, freshdesk, unit_key="c1")
    assert syncing.sync(connector.pk).finished
    pages = [r.query["page"] for r in freshdesk.sent("GET", "/api/v2/contacts")]
    assert pages == ["1", "2"]
    assert (
        Contact.objects.filter(home_unit=world.acme.units["c1"], email__startswith="fd-").count()
        == 101
    )
    problems = Activity.objects.filter(connector=connector, kind="sync").first().problems
    assert problems == [
        {
            "record": "contact 7",
            "message": "external_id: this contact is outside your part of the organisation",
        }
    ]


def test_disconnecting_keeps_contacts_and_says_so(world, freshdesk):
    connector = _freshdesk(world, freshdesk)
    freshdesk.contacts = [
        {"id": 1, "name": "A B", "email": "ab@example.test", "updated_at": "2026-11-01T09:00:00Z"}
    ]
    syncing.sync(connector.pk)
    counts = services.disconnect(scope=world.acme.scope("admin"), connector=connector)
    assert counts["links"] == 1
    assert Contact.objects.filter(email="ab@example.test").exists()
