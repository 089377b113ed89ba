"""Accounts to the CRM, against the fakes: a Voxloop account is created as a company (HubSpot),
organization (Zendesk), Account (Salesforce) or company (Freshdesk) and renamed there when
renamed here; a repeated sync sends nothing; when both sides changed, "the newer change wins"
and "the CRM wins" decide as they do for contacts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.crm.fakes import FakeFreshdesk, FakeSalesforce
from tests.crm.support import make_connector
from voxloop import sealing
from voxloop.contacts import services as contact_services
from voxloop.contacts.models import Account
from voxloop.crm import syncing
from voxloop.crm.models import Activity, ConflictRule, CrmConnector, FieldMapping, RecordLink

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _accounts_only(connector: CrmConnector) -> CrmConnector:
    CrmConnector.objects.filter(pk=connector.pk).update(sync_contacts=False, sync_accounts=True)
    connector.refresh_from_db()
    return connector


def _account(world, external_id: str, name: str) -> Account:
    return contact_services.bulk_add_accounts(
        actor=world.acme.system,
        accounts=[Account(unit=world.acme.units["c1"], external_id=external_id, name=name)],
    )[0]


def _rename(account: Account, name: str) -> None:
    Account.objects.filter(pk=account.pk).update(name=name)


def _company(hubspot, cid: str, name: str, when: datetime) -> None:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    hubspot.companies[cid] = {
        "id": cid,
        "properties": {"name": name, "hs_lastmodifieddate": stamp},
        "updatedAt": stamp,
    }


def test_hubspot_accounts_out_with_both_conflict_rules(world, hubspot):
    connector = make_connector(
        world.acme,
        "hubspot",
        hubspot.url,
        {"client_id": hubspot.client_id, "client_secret": hubspot.client_secret},
    )
    credentials = sealing.unseal(connector.credentials)
    credentials.update(access_token=hubspot.access_token, refresh_token="hs-rt")
    CrmConnector.objects.filter(pk=connector.pk).update(credentials=sealing.seal(credentials))
    connector = _accounts_only(connector)
    _company(hubspot, "40", "Globex", T0)
    initech = _account(world, "ACC-INI", "Initech")

    hour = timedelta(hours=1)
    t1 = datetime.now(UTC) + hour  # each run's time, so the CRM's changes fall between runs
    assert syncing.sync(connector.pk, now=t1).finished
    (created,) = hubspot.sent("POST", r"/crm/v3/objects/companies")
    assert created.body == {"properties": {"name": "Initech"}}
    link = RecordLink.objects.get(connector=connector, record="account", local_id=initech.pk)
    assert hubspot.companies[link.remote_id]["properties"]["name"] == "Initech"
    globex = Account.objects.get(external_id="hubspot:40")
    sent = len(hubspot.requests)
    assert syncing.sync(connector.pk, now=t1 + hour).finished
    writes = [r for r in hubspot.requests[sent:] if r.method == "PATCH" or r.path.endswith("ies")]
    assert writes == []

    # Renamed in Voxloop: renamed in HubSpot. Both changed, HubSpot's before Voxloop's was
    # seen: Voxloop's wins and goes out.
    _rename(initech, "Initech Ltd")
    _rename(globex, "Globex (Voxloop)")
    _company(hubspot, "40", "Globex (HubSpot)", t1 + 2 * hour)
    assert syncing.sync(connector.pk, now=t1 + 3 * hour).finished
    assert hubspot.companies[link.remote_id]["properties"]["name"] == "Initech Ltd"
    assert Account.objects.get(pk=globex.pk).name == "Globex (Voxloop)"
    assert hubspot.companies["40"]["properties"]["name"] == "Globex (Voxloop)"
    # A change in HubSpot after that: HubSpot's wins.
    _company(hubspot, "40", "Globex Inc", t1 + 4 * hour)
    assert syncing.sync(connector.pk, now=t1 + 5 * hour).finished
    assert Account.objects.get(pk=globex.pk).name == "Globex Inc"

    # "The CRM wins": HubSpot's value is taken over Voxloop's, and never pushed over.
    FieldMapping.objects.filter(connector=connector, record="account").update(rule=ConflictRule.CRM)
    _rename(globex, "Globex (mine)")
    _company(hubspot, "40", "Globex Corp", t1 + 5 * hour)
    sent = len(hubspot.sent("PATCH", r"/crm/v3/objects/companies/40"))
    assert syncing.sync(connector.pk, now=t1 + 6 * hour).finished
    assert Account.objects.get(pk=globex.pk).name == "Globex Corp"
    assert len(hubspot.sent("PATCH", r"/crm/v3/objects/companies/40")) == sent
    assert hubspot.companies["40"]["properties"]["name"] == "Globex Corp"


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


@pytest.mark.parametrize("kind", ["zendesk", "salesforce", "freshdesk"])
def test_an_account_is_created_then_renamed_in_the_crm(world, kind, request):
    server = request.getfixturevalue(kind)
    credentials = {
        "zendesk": {"email": "agent@acme.test", "api_token": "zd-token", "signing_secret": "s"},
        "salesforce": {"client_id": "sf", "client_secret": "sf-secret"},
        "freshdesk": {"api_key": "fd-key", "webhook_secret": "s"},
    }[kind]
    connector = make_connector(world.acme, kind, server.url, credentials)
    if kind == "salesforce":
        credentials.update(access_token=server.access_token, instance_url=server.url)
        CrmConnector.objects.filter(pk=connector.pk).update(credentials=sealing.seal(credentials))
    connector = _accounts_only(connector)
    account = _account(world, "ACC-UMB", "Umbrella")
    refused = _account(world, "ACC-BAD", "")
    Account.objects.filter(pk=refused.pk).update(name="")  # nothing to send: left alone

    assert syncing.sync(connector.pk).finished
    assert syncing.sync(connector.pk).finished  # nothing new: nothing sent
    stored = {
        "zendesk": lambda: server.organizations,
        "salesforce": lambda: server.accounts,
        "freshdesk": lambda: server.companies,
    }[kind]()
    name = "Name" if kind == "salesforce" else "name"
    assert [a[name] for a in stored.values()] == ["Umbrella"]

    _rename(account, "Umbrella Corp")
    assert syncing.sync(connector.pk).finished
    assert [a[name] for a in stored.values()] == ["Umbrella Corp"]
    line = Activity.objects.filter(connector=connector, kind="sync").first()
    assert line.counts["pushed"] == 1 and line.ok
