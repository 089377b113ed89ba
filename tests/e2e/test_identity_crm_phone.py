"""The sign-in settings, the CRM connector pages (list, one connector with its field mapping),
a pulse programme's results (a shown wave with its comment themes) and a 360 report on a
phone (390 px), in a real browser: nothing wider than the screen. Drives Debian's chromium;
the connector is in demo mode, so no help desk is needed."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, PHONE, chromium, needs_chromium, phone_page, sign_in
from tests.factories import build_world
from voxloop.contacts import services as contact_services
from voxloop.crm import services as crm_services
from voxloop.crm.connectors.base import DEMO_URL
from voxloop.feedback360 import services as f360_services
from voxloop.identity import services as identity_services
from voxloop.pulse import services as pulse_services
from voxloop.textanalytics import services as text_services

pytestmark = needs_chromium
# What sticks out furthest to the right, to say why a page is too wide.
WIDEST = """(() => {
  const all = [...document.querySelectorAll('body *')].filter(
    x => x.getBoundingClientRect().right > 391 && !x.closest('.table-wrap'));
  return all.filter(x => ![...x.children].some(c => all.includes(c))).slice(0, 4).map(
    x => x.outerHTML.slice(0, 160)); })()"""


@pytest.fixture
def setup(transactional_db):
    acme = build_world().acme
    admin = acme.scope("admin")
    identity_services.save_policy(
        actor=admin,
        fields={
            "protocol": "oidc",
            "issuer": "http://localhost:8080/realms/a-rather-long-realm-name-for-a-phone",
            "client_id": "voxloop",
        },
        client_secret="s3cret",
    )
    identity_services.save_mappings(
        actor=admin,
        rows=[
            identity_services.MappingRow(
                group="store-{code}-managers-of-the-northern-region",
                role="manager",
                unit_code="{code}",
            )
        ],
    )
    contact_services.define_interaction_type(
        actor=acme.system, unit=acme.units["root"], key="ticket_closed", name="Ticket closed"
    )
    connector = crm_services.create_connector(
        scope=admin,
        unit=acme.units["root"],
        name="Zendesk (demo mode)",
        kind="zendesk",
        base_url=DEMO_URL,
        event_types={"ticket_solved": "ticket_closed"},
    )
    return acme.user("admin"), connector, _pulse(acme), _f360(acme)


def _pulse(acme) -> int:
    """A store's programme whose one wave is shown, its comments read into themes."""
    from tests.pulse.support import staff

    text_services.install_default_taxonomy(scope=acme.system, kind="retail")
    staff(acme, "c1r1s2", 5)
    programme = pulse_services.create_programme(
        actor=acme.system,
        unit=acme.units["c1r1s2"],
        settings=pulse_services.Settings(name="Store pulse with a rather long name"),
    )
    wave = pulse_services.open_wave(programme=programme)
    for invite in wave.invites.all():
        pulse_services.answer(
            invite=invite, enps=7, drivers={}, comment="The queue at the checkout is too long"
        )
    return programme.pk


def _f360(acme) -> int:
    """A closed cycle's report with every group answered."""
    from tests.feedback360.support import answer_all, regional_cycle

    cycle = regional_cycle(acme, peers=3)
    for group in ("self", "manager", "report", "peer"):
        answer_all(cycle, group, 4, comment="Clear in every meeting, listens to the stores")
    f360_services.close(actor=acme.system, cycle=cycle)
    return cycle.subjects.get().pk


def test_sign_in_crm_pulse_and_360_pages_fit_a_phone(live_server, setup):
    from playwright.sync_api import expect

    admin, connector, programme, subject = setup
    with chromium() as browser:
        page = phone_page(browser)
        sign_in(page, live_server.url, admin.username)
        for name, path in (
            ("identity-settings", "/identity/settings/"),
            ("crm-connectors", "/crm/"),
            ("crm-connector", f"/crm/{connector.pk}/"),
            ("pulse-results", f"/pulse/{programme}/"),
            ("feedback360-report", f"/feedback360/report/{subject}/"),
        ):
            page.goto(f"{live_server.url}{path}")
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
            widest = page.evaluate(WIDEST)
            assert width <= PHONE["width"], f"{path} is {width} px wide: {widest}"
