"""The demo organisation's identity and help desk: an OpenID Connect provider configured but
off, with the store-managers group mapping; a Zendesk connector in demo mode whose recorded
"ticket solved" events became support interactions that fire the post-support trigger,
without any network."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import timezone

from tests.factories import FAST_HASHERS
from voxloop.contacts.models import Interaction
from voxloop.crm import demo_mode, runtime
from voxloop.crm.connectors.base import CrmError
from voxloop.crm.models import CrmConnector, InboundEvent
from voxloop.demo import DemoSize, seed_demo
from voxloop.demo.timing import default_anchor
from voxloop.distribution.campaigns import triggers
from voxloop.distribution.models import Invitation
from voxloop.errors import InvalidInput
from voxloop.identity import services as identity_services
from voxloop.identity.models import Protocol, SignInPolicy

TINY = DemoSize(stores=3, staff=0, accounts=0, contacts=40, responses=40)


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    """Seeded once for the module, its after-commit work done (the recorded events become
    interactions then); each test's transaction nests in it, rolled back at the end."""
    fast = override_settings(PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), fast, transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            seeded = seed_demo(TINY, seed=7, password="demo-pass-123456")
        yield seeded
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo, db):
    return _demo


def test_the_demo_has_an_oidc_provider_switched_off_with_a_group_mapping(demo):
    policy = SignInPolicy.objects.get(organization=demo.organization)
    assert policy.protocol == Protocol.OIDC and not policy.sso_enabled
    assert policy.issuer.startswith("http://localhost:8080/realms/")
    assert identity_services.client_secret(policy=policy)
    store = demo.tree.stores[0].unit
    number = store.code.removeprefix("S-")
    access = identity_services.access_for_groups(policy=policy, groups=[f"store-{number}-managers"])
    assert access is not None and access.role == "manager" and access.unit == store


def test_the_demo_zendesk_feeds_the_post_support_trigger_without_network(demo):
    connector = CrmConnector.objects.get(organization=demo.organization, kind="zendesk")
    assert connector.base_url == demo_mode.DEMO_URL
    assert connector.event_types == {"ticket_solved": "ticket_closed"}
    events = InboundEvent.objects.filter(connector=connector)
    assert events.count() == 6
    assert all(e.interaction_id for e in events)
    interactions = list(Interaction.objects.filter(pk__in=[e.interaction_id for e in events]))
    assert {i.type.key for i in interactions} == {"ticket_closed"}
    assert all(i.occurred_at <= timezone.now() for i in interactions)

    org_id = demo.organization.pk
    triggers.fire_triggers(org_id, [i.pk for i in interactions])
    invited = Invitation.objects.filter(interaction__in=interactions)
    assert invited.count() == len(interactions)
    assert {i.trigger.name for i in invited} == {"After a support ticket"}

    with pytest.raises(CrmError):
        runtime.session_of(connector).call("GET", "/api/v2/users/1.json")
    # The same recordings again are the same events: nothing new.
    people = [demo_mode.RecordedPerson(email=i.contact.email) for i in interactions]
    again = demo_mode.recorded_tickets(people, default_anchor())
    assert demo_mode.replay(connector=connector, bodies=again) == []


def test_only_a_demo_mode_connector_replays(world, zendesk):
    from tests.crm.support import make_connector

    live = make_connector(world.acme, "zendesk", zendesk.url, {"email": "a@b.test"})
    with pytest.raises(InvalidInput):
        demo_mode.replay(connector=live, bodies=[])
