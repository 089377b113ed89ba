"""Who may call each contacts and outreach operation: every actor × every operation, plus
lists checked for leaks across units and tenants."""

from __future__ import annotations

from functools import partial

import pytest
from django.test import override_settings

from tests.api.support import MEMBER_ACTORS
from tests.contacts.helpers import add_contact
from tests.factories import FAST_HASHERS
from tests.matrix_check import check_each, operations_of, representatives
from tests.surveys.api_client import ApiClient
from tests.surveys.builders import store_visit_survey
from tests.web.matrix_world import ModuleWorld
from voxloop.contacts import services as contact_services
from voxloop.contacts.api import router as contacts_router
from voxloop.distribution import services
from voxloop.distribution.api import router as distribution_router
from voxloop.distribution.campaigns import triggers
from voxloop.distribution.models import CampaignStatus, Invitation
from voxloop.distribution.widget import services as widgets

ACTORS = [*MEMBER_ACTORS, "loner", "anonymous"]
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _row(admin, country_admin, manager, others, other_admin, **overrides) -> dict[str, int]:
    row = {
        "admin": admin,
        "country_admin": country_admin,
        "regional": manager,
        "store": manager,
        "sibling_store": manager,
        "agent": others,
        "viewer": others,
        "analyst": others,
        "director": others,
        "other_admin": other_admin,
        "loner": 403,
        "anonymous": 401,
    }
    row.update(overrides)
    return row


READ = _row(200, 200, 200, 200, 200)
# Ann lives at store c1r1s1: the sibling store and the other tenant do not see her.
ANN_READ = _row(200, 200, 200, 200, 404, sibling_store=404)
ANN_WRITE = _row(200, 200, 403, 403, 404, sibling_store=404)
# The campaign belongs to region c1r1: the stores below it do not see it.
BELOW = {"store": 404, "sibling_store": 404, "agent": 404}
CAMPAIGN_READ = _row(200, 200, 200, 200, 404, **BELOW)
CAMPAIGN_WRITE = _row(200, 200, 403, 403, 404, **BELOW)
CONFIGURE_201 = _row(201, 201, 403, 403, 201)

# Contacts and invitations are records: a viewer (aggregates only) is refused them.
RECORDS = {"viewer": 403}
MATRIX: dict[str, dict[str, int]] = {
    "api:contacts": READ | RECORDS,
    "api:contact": ANN_READ | RECORDS,
    "api:contact_batch": _row(200, 200, 403, 403, 200),
    "api:contact_consent": ANN_WRITE,
    # A person's data spans units: erasure and export need a role at the top unit; other
    # roles are refused before the lookup, admins who do not see Ann do not find her.
    "api:contact_erase": _row(200, 403, 403, 403, 404),
    "api:contact_export": _row(200, 403, 403, 403, 404, director=200),
    "api:interaction_types": READ,
    "api:interaction_type_create": CONFIGURE_201,
    "api:interaction_type": _row(200, 200, 200, 200, 404),
    # The type is the company's: a country admin sees it but may not change it.
    "api:interaction_type_update": _row(200, 403, 403, 403, 404),
    "api:interaction_type_delete": _row(204, 403, 403, 403, 404),
    "api:interaction_batch": _row(200, 200, 200, 403, 200),
    "api:segments": READ,
    "api:segment_create": CONFIGURE_201,
    # The segment is the region c1r1's: usable (read) below it, changed by its admins.
    "api:segment": _row(200, 200, 200, 200, 404),
    "api:segment_update": _row(200, 200, 403, 403, 404),
    "api:segment_delete": _row(204, 204, 403, 403, 404),
    "api:customer_status": _row(200, 200, 403, 403, 200),
    "api:campaigns": READ,
    "api:campaign_create": _row(201, 201, 403, 403, 404),
    "api:campaign": CAMPAIGN_READ,
    "api:campaign_update": CAMPAIGN_WRITE,
    "api:campaign_delete": _row(204, 204, 403, 403, 404, **BELOW),
    "api:campaign_launch": CAMPAIGN_WRITE,
    "api:campaign_pause": CAMPAIGN_WRITE,
    "api:campaign_resume": CAMPAIGN_WRITE,
    "api:campaign_cancel": CAMPAIGN_WRITE,
    "api:campaign_test_send": _row(202, 202, 403, 403, 404, **BELOW),
    "api:campaign_preview": CAMPAIGN_READ,
    "api:triggers": READ,
    "api:trigger_create": _row(201, 201, 403, 403, 404),
    # The trigger belongs to region c1r1 like the campaign.
    "api:trigger": CAMPAIGN_READ,
    "api:trigger_update": CAMPAIGN_WRITE,
    "api:trigger_delete": _row(204, 204, 403, 403, 404, **BELOW),
    "api:invitations": READ | RECORDS,
    "api:outreach_stats": READ,
    "api:outreach_policy": READ,
    "api:outreach_policy_update": _row(200, 403, 403, 403, 200),
    "api:widgets": READ,
    "api:widget_create": _row(201, 201, 403, 403, 404),
    "api:widget": CAMPAIGN_READ,
    "api:widget_update": CAMPAIGN_WRITE,
    # The secret that signs user ids: those who configure the widget, like its settings.
    "api:widget_identity_secret": CAMPAIGN_WRITE,
    "api:widget_identity_secret_rotate": CAMPAIGN_WRITE,
    # The SMS callback token is the provider's credential: the organisation's admins only.
    "api:outreach_sms_hooks": _row(200, 403, 403, 403, 200),
    "api:outreach_sms_hooks_rotate": _row(200, 403, 403, 403, 200),
}

OPERATIONS = {
    "api:contacts": ("get", "/contacts", None),
    "api:contact": ("get", "/contacts/{ann}", None),
    "api:contact_batch": (
        "post",
        "/contacts/batch",
        {"contacts": [{"external_id": "NEW", "email": "n@e.test", "unit": "AC1R1S1"}]},
    ),
    "api:contact_consent": (
        "post",
        "/contacts/{ann}/consent",
        {"channel": "sms", "allowed": False},
    ),
    "api:contact_erase": ("delete", "/contacts/{ann}", None),
    "api:contact_export": ("get", "/contacts/{ann}/export", None),
    "api:interaction_types": ("get", "/interaction-types", None),
    "api:interaction_type_create": (
        "post",
        "/interaction-types",
        {"key": "visit", "name": "Visit"},
    ),
    "api:interaction_type": ("get", "/interaction-types/{type}", None),
    "api:interaction_type_update": ("patch", "/interaction-types/{type}", {"archived": True}),
    "api:interaction_type_delete": ("delete", "/interaction-types/{type}", None),
    "api:interaction_batch": (
        "post",
        "/interactions/batch",
        {"interactions": [{"type": "ticket_closed", "contact": "ANN"}]},
    ),
    "api:segments": ("get", "/segments", None),
    "api:customer_status": (
        "post",
        "/customers/status",
        {"changes": [{"external_id": "ANN", "status": "churned"}]},
    ),
    "api:segment_create": ("post", "/segments", {"name": "Locals", "filters": []}),
    "api:segment": ("get", "/segments/{segment}", None),
    "api:segment_update": ("patch", "/segments/{segment}", {"name": "Renamed"}),
    "api:segment_delete": ("delete", "/segments/{segment}", None),
    "api:campaigns": ("get", "/campaigns", None),
    "api:campaign_create": ("post", "/campaigns", {"name": "New", "survey_id": "{survey}"}),
    "api:campaign": ("get", "/campaigns/{campaign}", None),
    "api:campaign_update": ("patch", "/campaigns/{campaign}", {"name": "Renamed"}),
    "api:campaign_delete": ("delete", "/campaigns/{campaign}", None),
    "api:campaign_launch": ("post", "/campaigns/{campaign}/launch", None),
    "api:campaign_pause": ("post", "/campaigns/{campaign}/pause", None),
    "api:campaign_resume": ("post", "/campaigns/{campaign}/resume", None),
    "api:campaign_cancel": ("post", "/campaigns/{campaign}/cancel", None),
    "api:campaign_test_send": ("post", "/campaigns/{campaign}/test-send", {"contact_id": "{ann}"}),
    "api:campaign_preview": ("get", "/campaigns/{campaign}/preview", None),
    "api:triggers": ("get", "/triggers", None),
    "api:trigger_create": (
        "post",
        "/triggers",
        {"name": "After support", "survey_id": "{survey}", "interaction_type": "ticket_closed"},
    ),
    "api:trigger": ("get", "/triggers/{trigger}", None),
    "api:trigger_update": ("patch", "/triggers/{trigger}", {"delay_minutes": 30}),
    "api:trigger_delete": ("delete", "/triggers/{trigger}", None),
    "api:invitations": ("get", "/invitations", None),
    "api:outreach_stats": ("get", "/outreach/stats?by=unit", None),
    "api:outreach_policy": ("get", "/outreach/policy", None),
    "api:outreach_policy_update": ("patch", "/outreach/policy", {"min_days_between": 7}),
    "api:widgets": ("get", "/widgets", None),
    "api:widget_create": (
        "post",
        "/widgets",
        {"name": "Shop", "survey_id": "{survey}", "allowed_origins": ["https://shop.test"]},
    ),
    "api:widget": ("get", "/widgets/{widget}", None),
    "api:widget_update": ("patch", "/widgets/{widget}", {"name": "Renamed"}),
    "api:widget_identity_secret": ("get", "/widgets/{widget}/identity-secret", None),
    "api:widget_identity_secret_rotate": (
        "post",
        "/widgets/{widget}/identity-secret/rotate",
        None,
    ),
    "api:outreach_sms_hooks": ("get", "/outreach/sms-hooks", None),
    "api:outreach_sms_hooks_rotate": ("post", "/outreach/sms-hooks/rotate", None),
}
# The state an operation needs its campaign in (pause a scheduled one, resume a paused one).
CAMPAIGN_STATE = {
    "api:campaign_pause": CampaignStatus.SCHEDULED,
    "api:campaign_resume": CampaignStatus.PAUSED,
}


def _client(world, name: str) -> ApiClient:
    if name == "anonymous":
        return ApiClient()
    if name == "loner":
        return ApiClient(user=world.loner)
    if name == "other_admin":
        return ApiClient(membership=world.other.members["admin"])
    return ApiClient(membership=world.acme.members[name])


def _fill(value, ids: dict[str, int]):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value.strip("{}")]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _targets(world) -> dict[str, int]:
    acme = world.acme
    survey = store_visit_survey(acme)
    ann = add_contact(acme, "c1r1s1", "ANN")
    kind = contact_services.define_interaction_type(
        actor=acme.system, unit=acme.root, key="ticket_closed", name="Ticket closed"
    )
    campaign = services.create_campaign(
        actor=acme.system,
        unit=acme.units["c1r1"],
        survey=survey,
        segment=None,
        name="Region pulse",
        channel="email",
    )
    widget = widgets.create_widget(
        actor=acme.system,
        unit=acme.units["c1r1"],
        survey=survey,
        name="Shop NPS",
        allowed_origins=[],
    )
    segment = contact_services.save_segment(
        actor=acme.system, unit=acme.units["c1r1"], name="Region locals", filters=[]
    )
    # Its own type: the one the matrix deletes must be used by nothing.
    visit = contact_services.define_interaction_type(
        actor=acme.system, unit=acme.root, key="store_visit", name="Store visit"
    )
    trigger = triggers.create_trigger(
        actor=acme.system,
        unit=acme.units["c1r1"],
        survey=survey,
        interaction_type=visit,
        name="After a visit",
    )
    return {
        "survey": survey.pk,
        "ann": ann.pk,
        "campaign": campaign.pk,
        "widget": widget.pk,
        "type": kind.pk,
        "segment": segment.pk,
        "trigger": trigger.pk,
    }


@pytest.fixture(scope="module")
def module_targets(django_db_setup, django_db_blocker):
    """The world and its targets built once for the module's 400-odd cases; each case's own
    changes roll back to them (the case's savepoint nests in the world's transaction)."""
    settings = override_settings(TASKS=DUMMY_TASKS, PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), settings, ModuleWorld() as world:
        yield world, _targets(world)


@pytest.mark.parametrize("operation", sorted(MATRIX))
def test_contacts_and_outreach_api_matrix(module_targets, db, settings, operation):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    def check(actor_name):
        from voxloop.distribution.models import Campaign

        settings.TASKS = DUMMY_TASKS
        world, targets = module_targets
        if operation in CAMPAIGN_STATE:
            Campaign.objects.filter(pk=targets["campaign"]).update(status=CAMPAIGN_STATE[operation])
        method, path, body = OPERATIONS[operation]
        for name in ("ann", "campaign", "widget", "type", "segment", "trigger"):
            path = path.replace(f"{{{name}}}", str(targets[name]))
        answer = _client(world, actor_name).call(method, path, _fill(body, targets))
        expected = MATRIX[operation][actor_name]
        assert answer.status_code == expected, (
            f"got {answer.status_code}, want {expected}",
            answer.content[:200],
        )

    actors = representatives(ACTORS, MATRIX[operation])
    check_each((f"{operation} × {actor_name}", partial(check, actor_name)) for actor_name in actors)


def test_matrix_covers_every_contacts_and_outreach_operation():
    operations = operations_of(contacts_router, distribution_router)
    assert set(MATRIX) == operations == set(OPERATIONS)


def test_lists_never_show_a_sibling_stores_or_another_tenants_rows(module_targets, db):
    world, targets = module_targets
    acme, other = world.acme, world.other
    add_contact(acme, "c1r1s2", "SIB")
    add_contact(other, "c1r1s1", "FOREIGN")
    from voxloop.contacts.models import Contact
    from voxloop.surveys.models import Survey

    for contact in Contact.objects.all():
        Invitation.objects.create(
            organization_id=contact.organization_id,
            unit_path=contact.unit_path,
            survey=Survey.objects.get(pk=targets["survey"])
            if contact.organization_id == acme.root.organization_id
            else store_visit_survey(other),
            contact=contact,
            channel="email",
        )
    store = _client(world, "store")
    seen = {c["external_id"] for c in store.get("/contacts").json()["items"]}
    assert seen == {"ANN"}
    invitations = store.get("/invitations").json()["items"]
    assert {i["contact_id"] for i in invitations} == {targets["ann"]}
    stats = store.get("/outreach/stats", by="unit").json()
    assert [row["label"] for row in stats] == ["Store 1.1.1"]
    assert stats[0]["invited"] == 1
    regional = {
        c["external_id"] for c in _client(world, "regional").get("/contacts").json()["items"]
    }
    assert regional == {"ANN", "SIB"}
    foreign = {
        c["external_id"] for c in _client(world, "other_admin").get("/contacts").json()["items"]
    }
    assert foreign == {"FOREIGN"}
