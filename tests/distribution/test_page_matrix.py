"""Every outreach and contacts page × every kind of actor: 200, 403, 404 or sign in.
Expectations are written from the test world's layout, not from the scoping code."""

from __future__ import annotations

from functools import partial

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from tests.contacts.helpers import add_contact
from tests.factories import YES
from tests.matrix_check import check_each, representatives
from tests.surveys.builders import store_visit_survey
from tests.web.matrix_world import ModuleWorld
from voxloop.contacts import services as contact_services
from voxloop.distribution import services
from voxloop.distribution.models import Campaign, Invitation
from voxloop.distribution.widget import services as widgets
from voxloop.responses import kiosks

ACTORS = [
    "admin",
    "country_admin",
    "regional",
    "store",
    "sibling_store",
    "viewer",
    "analyst",
    "other_admin",
    "loner",
    "anonymous",
]
ADMINS = {"admin", "country_admin", "other_admin"}
MEMBERS = set(ACTORS) - {"loner", "anonymous"}
# Who sees region c1r1 (the campaign's owner, the sheet's region) and store c1r1s1.
SEES_REGION = {"admin", "country_admin", "regional", "viewer", "analyst"}
SEES_STORE = SEES_REGION | {"store"}
EXPORTERS = {
    "admin",
    "country_admin",
    "regional",
    "store",
    "sibling_store",
    "analyst",
    "other_admin",
}


def _page(
    ok_for: set, ok: int, otherwise: int, admin_only: bool = False, first: set | None = None
) -> dict[str, int | str]:
    """Status per actor: `first` are refused with 403 before anything is looked up."""
    row: dict[str, int | str] = {}
    for actor in ACTORS:
        if actor == "anonymous":
            row[actor] = "login"
        elif (
            actor == "loner"
            or (admin_only and actor not in ADMINS)
            or (first is not None and actor not in first)
        ):
            row[actor] = 403
        else:
            row[actor] = ok if actor in ok_for else otherwise
    return row


EVERYONE = _page(MEMBERS, 200, 200)
PAGES = {
    "distribution:home": ("GET", "/outreach/", EVERYONE),
    "distribution:campaigns": ("GET", "/outreach/campaigns/", EVERYONE),
    "distribution:campaign_create": (
        "POST",
        "/outreach/campaigns/new/",
        _page(ADMINS, 400, 400, admin_only=True),
    ),
    "distribution:campaign": (
        "GET",
        "/outreach/campaigns/{campaign}/",
        _page(SEES_REGION, 200, 404),
    ),
    "distribution:campaign_preview": (
        "GET",
        "/outreach/campaigns/{campaign}/preview/",
        _page(SEES_REGION, 200, 404),
    ),
    "distribution:campaign_preview_email": (
        "GET",
        "/outreach/campaigns/{campaign}/preview/email/",
        _page(SEES_REGION, 200, 404),
    ),
    "distribution:campaign_test_send": (
        "POST",
        "/outreach/campaigns/{campaign}/test-send/",
        _page(SEES_REGION, 302, 404, admin_only=True),
    ),
    "distribution:campaign_action": (
        "POST",
        "/outreach/campaigns/{campaign}/cancel/",
        _page(SEES_REGION, 302, 404, admin_only=True),
    ),
    "distribution:non_responders_csv": (
        "GET",
        "/outreach/campaigns/{campaign}/non-responders.csv",
        _page(SEES_REGION, 200, 404, first=EXPORTERS),
    ),
    "distribution:triggers": ("GET", "/outreach/triggers/", EVERYONE),
    "distribution:trigger_create": (
        "POST",
        "/outreach/triggers/new/",
        _page(ADMINS, 400, 400, admin_only=True),
    ),
    "distribution:widgets": ("GET", "/outreach/widgets/", EVERYONE),
    "distribution:widget_create": (
        "POST",
        "/outreach/widgets/new/",
        _page(ADMINS, 400, 400, admin_only=True),
    ),
    "distribution:widget": ("GET", "/outreach/widgets/{widget}/", _page(SEES_REGION, 200, 404)),
    "distribution:widget_edit": (
        "POST",
        "/outreach/widgets/{widget}/edit/",
        _page(SEES_REGION, 400, 404, admin_only=True),
    ),
    "distribution:widget_action": (
        "POST",
        "/outreach/widgets/{widget}/deactivate/",
        _page(SEES_REGION, 302, 404, admin_only=True),
    ),
    # Kiosks are the admins' (their tokens post customers' answers).
    "distribution:kiosks": ("GET", "/outreach/kiosks/", _page(ADMINS, 200, 200, admin_only=True)),
    "distribution:kiosk_create": (
        "POST",
        "/outreach/kiosks/new/",
        _page(ADMINS, 400, 400, admin_only=True),
    ),
    "distribution:kiosk_revoke": (
        "POST",
        "/outreach/kiosks/{kiosk}/revoke/",
        _page({"admin", "country_admin"}, 302, 404, admin_only=True),
    ),
    "distribution:qr": ("GET", "/outreach/qr/", EVERYONE),
    "distribution:qr_image": ("GET", "/outreach/qr/{store}.svg", _page(SEES_STORE, 200, 404)),
    "distribution:qr_sheet": ("GET", "/outreach/qr/{region}/sheet/", _page(SEES_REGION, 200, 404)),
    "distribution:qr_poster": ("GET", "/outreach/qr/{store}/poster/", _page(SEES_STORE, 200, 404)),
    "contacts:list": ("GET", "/contacts/", _page(MEMBERS, 200, 200, first=MEMBERS - {"viewer"})),
    "contacts:import": ("POST", "/contacts/import/", _page(ADMINS, 400, 400, admin_only=True)),
    "contacts:segments": ("GET", "/contacts/segments/", EVERYONE),
    "contacts:segment_count": (
        "GET",
        "/contacts/segments/count/",
        _page(MEMBERS, 200, 200, first=MEMBERS - {"viewer"}),
    ),
    "contacts:segment_create": (
        "POST",
        "/contacts/segments/new/",
        _page(ADMINS, 400, 400, admin_only=True),
    ),
    "contacts:interaction_types": ("GET", "/contacts/interaction-types/", EVERYONE),
    "contacts:interaction_type_create": (
        "POST",
        "/contacts/interaction-types/new/",
        _page(ADMINS, 400, 400, admin_only=True),
    ),
    # The type belongs to region c1r1: admins above it may archive it, nobody else sees it.
    "contacts:interaction_type_action": (
        "POST",
        "/contacts/interaction-types/{type}/archive/",
        _page(SEES_REGION, 302, 404, admin_only=True),
    ),
}
DISTRIBUTION_PAGE_MATRIX = {name: row for name, (_, _, row) in PAGES.items()}


DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def module_targets(django_db_setup, django_db_blocker):
    """The world and its targets built once for the module's cases; each case's own changes
    roll back to them (its savepoint nests in the world's transaction)."""
    settings = override_settings(TASKS=DUMMY_TASKS, PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), settings, ModuleWorld() as world:
        yield world, _targets(world)


@pytest.fixture
def world(module_targets, db, settings):
    settings.TASKS = DUMMY_TASKS
    return module_targets[0]


@pytest.fixture
def targets(module_targets):
    return module_targets[1]


def _targets(world) -> dict[str, int]:
    acme = world.acme
    survey = store_visit_survey(acme)
    add_contact(acme, "c1r1s1", "ANN")
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
    kiosk, _secret = kiosks.register(
        actor=acme.system, unit=acme.units["c1r1s1"], name="Till", channel="kiosk"
    )
    kind = contact_services.define_interaction_type(
        actor=acme.system, unit=acme.units["c1r1"], key="visit", name="V"
    )
    return {
        "kiosk": kiosk.pk,
        "type": kind.pk,
        "campaign": campaign.pk,
        "widget": widget.pk,
        "store": acme.units["c1r1s1"].pk,
        "region": acme.units["c1r1"].pk,
    }


def _client(world, actor: str) -> Client:
    client = Client()
    if actor == "loner":
        client.force_login(world.loner)
    elif actor == "other_admin":
        client.force_login(world.other.members["admin"].user)
    elif actor != "anonymous":
        client.force_login(world.acme.members[actor].user)
    return client


@pytest.mark.parametrize("name", sorted(PAGES))
def test_outreach_page_matrix(world, targets, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    def check(actor):
        method, path, row = PAGES[name]
        path = path.format(**targets)
        client = _client(world, actor)
        data = {"contact": "ANN"} if name == "distribution:campaign_test_send" else {}
        answer = client.post(path, data | YES) if method == "POST" else client.get(path)
        expected = row[actor]
        if expected == "login":
            assert answer.status_code == 302 and "/accounts/login/" in answer["Location"], (
                f"got {answer.status_code}, want login"
            )
        else:
            assert answer.status_code == expected, (
                f"got {answer.status_code}, want {expected}",
                answer.content[:200],
            )

    actors = representatives(ACTORS, PAGES[name][-1])
    check_each((f"{name} × {actor}", partial(check, actor)) for actor in actors)


def test_pages_show_only_the_actors_own_contacts(world, targets):
    acme = world.acme
    add_contact(acme, "c1r1s2", "SIBLING", last_name="Sibling")
    page = _client(world, "store").get("/contacts/").content.decode()
    assert "ANN" in page and "SIBLING" not in page


def test_non_responder_export_escapes_spreadsheet_formulas(world, targets):
    acme = world.acme
    campaign = Campaign.objects.get(pk=targets["campaign"])
    evil = add_contact(acme, "c1r1s1", "EVIL", first_name='=HYPERLINK("x")')
    Invitation.objects.create(
        organization_id=acme.root.organization_id,
        unit_path=evil.unit_path,
        survey_id=campaign.survey_id,
        contact=evil,
        campaign=campaign,
        channel="email",
        status="sent",
        sent_at=timezone.now(),
    )
    answer = _client(world, "admin").get(f"/outreach/campaigns/{campaign.pk}/non-responders.csv")
    body = b"".join(answer.streaming_content).decode()
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body
