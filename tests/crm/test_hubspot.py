"""HubSpot end to end against the fake HubSpot: OAuth authorisation code and refresh, v3
signed webhooks (a won deal becomes an interaction for the deal's contact), contacts by
search pages, scores written to contact properties, a case as a task completed with it."""

from __future__ import annotations

import json
import urllib.parse
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.crm.support import (
    hook_url,
    hubspot_headers,
    interaction_type,
    make_connector,
    post_hook,
)
from tests.surveys.builders import store_visit_survey
from voxloop import sealing
from voxloop.closedloop import casework
from voxloop.closedloop import services as closedloop_services
from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.models import Contact, Interaction
from voxloop.crm import inbound, syncing, writeback
from voxloop.crm.models import CrmConnector, InboundEvent, JobStatus, WriteBack
from voxloop.responses.services import Submission, submit
from voxloop.tenancy.models import AuditEntry

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _connector(world, hubspot, authorised: bool = True) -> CrmConnector:
    interaction_type(world.acme, "deal_won")
    connector = make_connector(
        world.acme,
        "hubspot",
        hubspot.url,
        {"client_id": hubspot.client_id, "client_secret": hubspot.client_secret},
        event_types={"deal_won": "deal_won"},
    )
    if authorised:
        credentials = sealing.unseal(connector.credentials)
        credentials.update(access_token=hubspot.access_token, refresh_token="hs-rt")
        connector.credentials = sealing.seal(credentials)
        connector.save()
    return connector


def test_oauth_authorisation_code_then_refresh_on_401(world, hubspot):
    connector = _connector(world, hubspot, authorised=False)
    browser = Client()
    browser.force_login(world.acme.user("admin"))
    started = browser.post(f"/crm/{connector.pk}/authorise/")
    assert started.status_code == 302
    target = urllib.parse.urlsplit(started["Location"])
    query = dict(urllib.parse.parse_qsl(target.query))
    assert target.netloc == "app.hubspot.com" and query["client_id"] == hubspot.client_id
    assert query["redirect_uri"] == f"{settings.BASE_URL.rstrip('/')}/crm/oauth/callback/"

    refused = browser.get("/crm/oauth/callback/", {"code": "bad", "state": query["state"]})
    assert refused.status_code == 302 and not sealing.unseal(
        CrmConnector.objects.get(pk=connector.pk).credentials
    ).get("access_token")
    forged = browser.get("/crm/oauth/callback/", {"code": hubspot.code, "state": "x:y:z"})
    assert forged.status_code == 302
    done = browser.get("/crm/oauth/callback/", {"code": hubspot.code, "state": query["state"]})
    assert done.status_code == 302 and done["Location"] == f"/crm/{connector.pk}/"
    connector.refresh_from_db()
    stored = sealing.unseal(connector.credentials)
    assert stored["access_token"] == "hs-access-1" and stored["refresh_token"] == "hs-rt"
    assert "hs-access-1" not in connector.credentials  # sealed at rest
    assert AuditEntry.objects.filter(action="crm.connector.authorise").exists()

    # Another organisation's admin cannot finish an authorisation started here.
    other = Client()
    other.force_login(world.other.user("admin"))
    exchanges = len(hubspot.sent("POST", "/oauth/v1/token"))
    outsider = other.get("/crm/oauth/callback/", {"code": hubspot.code, "state": query["state"]})
    assert outsider.status_code == 302 and outsider["Location"] == "/crm/"
    assert len(hubspot.sent("POST", "/oauth/v1/token")) == exchanges  # nothing exchanged

    # HubSpot expires the token: the next call refreshes it once and carries on.
    hubspot.access_token = "revoked"
    hubspot.add_contact("51", "ann@example.test", "Ann", "Lee", T0)
    assert syncing.sync(connector.pk).finished
    connector.refresh_from_db()
    assert hubspot.refreshed == 1
    assert sealing.unseal(connector.credentials)["access_token"] == "hs-access-2"
    assert Contact.objects.filter(email="ann@example.test").exists()


def _deal_won(event_id: int, deal: str) -> bytes:
    return json.dumps(
        [
            {
                "eventId": event_id,
                "subscriptionId": 2881778,
                "portalId": 62515,
                "appId": 1160452,
                "occurredAt": 1762074000000,
                "subscriptionType": "deal.propertyChange",
                "attemptNumber": 0,
                "objectId": int(deal),
                "propertyName": "dealstage",
                "propertyValue": "closedwon",
                "changeSource": "CRM",
            },
            {
                "eventId": event_id + 1,
                "subscriptionType": "deal.propertyChange",
                "objectId": int(deal),
                "propertyName": "amount",
                "propertyValue": "1200",
                "occurredAt": 1762074000000,
            },
        ]
    ).encode()


def test_a_won_deal_signed_v3_is_one_interaction_for_its_contact(
    world, hubspot, django_capture_on_commit_callbacks
):
    connector = _connector(world, hubspot)
    hubspot.add_contact("61", "bo@example.test", "Bo", "Chen", T0)
    hubspot.deal_contacts["7001"] = "61"
    body = _deal_won(100, "7001")
    answer = post_hook(connector, body, hubspot_headers(hook_url(connector), body))
    assert answer.json() == {"accepted": 1, "duplicates": 0}  # the amount change is no event
    again = post_hook(connector, body, hubspot_headers(hook_url(connector), body))
    assert again.json() == {"accepted": 0, "duplicates": 1}
    with django_capture_on_commit_callbacks(execute=True):
        inbound.take_in(InboundEvent.objects.get(connector=connector).pk)
    contact = Contact.objects.get(email="bo@example.test")
    interaction = Interaction.objects.get(contact=contact)
    assert interaction.type.key == "deal_won" and interaction.attributes["deal_id"] == "7001"

    old = hubspot_headers(
        hook_url(connector),
        body,
        ms=int((datetime.now(UTC) - timedelta(minutes=6)).timestamp() * 1000),
    )
    assert post_hook(connector, body, old).status_code == 401
    wrong = hubspot_headers(hook_url(connector), body, secret="other")
    assert post_hook(connector, body, wrong).status_code == 401


def test_contacts_pages_write_back_and_a_case_as_a_task(
    world, hubspot, django_capture_on_commit_callbacks
):
    connector = _connector(world, hubspot)
    for n in range(5):
        hubspot.add_contact(
            str(80 + n), f"p{n}@example.test", f"P{n}", "Doe", T0 + timedelta(minutes=n)
        )
    assert syncing.sync(connector.pk, now=T0 + timedelta(hours=1)).finished
    assert len(hubspot.sent("POST", "/crm/v3/objects/contacts/search")) == 3  # 2 + 2 + 1
    assert (
        Contact.objects.filter(email__startswith="p", email__endswith="@example.test").count() == 5
    )

    contact = Contact.objects.get(email="p0@example.test")
    survey = store_visit_survey(world.acme)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            submission=Submission(
                survey=survey,
                answers={"nps": 10, "comment": "Great"},
                unit=world.acme.units["c2r1s1"],
                contact=contact,
            )
        ).response
    job = WriteBack.objects.get(connector=connector, key=f"response:{response.pk}")
    assert writeback.deliver(job.pk) == JobStatus.DONE
    props = hubspot.contacts["80"]["properties"]
    assert props["voxloop_last_nps"] == "10" and props["voxloop_last_comment"] == "Great"

    manager = world.acme.scope("admin")
    with django_capture_on_commit_callbacks(execute=True):
        case = casework.open_case(actor=manager, response_id=response.pk, title="Thank Pat")
    opened = WriteBack.objects.get(connector=connector, key=f"case:{case.pk}:opened")
    assert writeback.deliver(opened.pk, now=timezone.now()) == JobStatus.DONE
    opened.refresh_from_db()
    task = hubspot.tasks[opened.remote_id]
    assert task["associations"][0]["to"]["id"] == "80"
    assert task["properties"]["hs_task_subject"] == "Thank Pat"
    cause = closedloop_services.create_root_cause(actor=manager, name="Praise")
    with django_capture_on_commit_callbacks(execute=True):
        casework.resolve(actor=manager, case=case, root_cause_id=cause.pk, note="Thanked")
    closing = WriteBack.objects.get(connector=connector, key=f"case:{case.pk}:resolved")
    assert writeback.deliver(closing.pk) == JobStatus.DONE
    assert hubspot.tasks[opened.remote_id]["properties"]["hs_task_status"] == "COMPLETED"


def test_a_refused_write_back_fails_at_once_and_is_reported(world, hubspot):
    connector = _connector(world, hubspot)
    job = WriteBack.objects.create(
        connector=connector,
        kind="feedback",
        key="response:999",
        payload={
            "target": {"contact": "404404", "ticket": ""},
            "feedback": {
                "response_id": 999,
                "survey": "S",
                "nps": 1,
                "csat": None,
                "ces": None,
                "comment": "",
                "submitted_at": "2026-11-01T00:00:00+00:00",
                "link": "http://x/",
            },
        },
        next_attempt_at=timezone.now(),
        created_at=timezone.now(),
    )
    assert writeback.deliver(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert "404" in job.error and job.attempts == 1
    line = connector.activity.filter(kind="write_back").first()
    assert line is not None and not line.ok and line.problems[0]["record"] == "response:999"


def test_companies_come_in_as_accounts_of_the_connectors_unit(world, hubspot):
    connector = _connector(world, hubspot)
    connector.sync_accounts = True
    connector.save()
    for n, name in enumerate(("Globex", "Initech", "株式会社ソニー")):
        hubspot.companies[str(40 + n)] = {
            "id": str(40 + n),
            "properties": {"name": name, "hs_lastmodifieddate": "2026-11-01T09:00:00Z"},
            "updatedAt": "2026-11-01T09:00:00Z",
        }
    assert syncing.sync(connector.pk).finished
    accounts = contact_selectors.visible_accounts(world.acme.scope("admin"))
    assert sorted(
        accounts.filter(external_id__startswith="hubspot:").values_list("name", flat=True)
    ) == [
        "Globex",
        "Initech",
        "株式会社ソニー",
    ]
    hubspot.companies["40"]["properties"]["name"] = "Globex Corp"
    connector.refresh_from_db()
    connector.cursor = {}
    connector.save()
    assert syncing.sync(connector.pk).finished
    assert accounts.get(external_id="hubspot:40").name == "Globex Corp"
    assert accounts.filter(external_id__startswith="hubspot:").count() == 3  # no duplicates
