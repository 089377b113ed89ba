"""Two roles finish their main task in a real browser, in English and in Chinese: the store
manager resolves a case with its root cause on a phone; the admin builds a segment (two AND
conditions and an OR group) and launches a campaign after seeing its audience size."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.browser import ARTIFACTS, PHONE, chromium, needs_chromium
from tests.closedloop.support import submit
from tests.contacts.helpers import add_contact
from tests.factories import PASSWORD, build_world
from tests.surveys.builders import store_visit_survey
from voxloop.closedloop import evaluation, services
from voxloop.contacts.models import Segment
from voxloop.distribution.models import Campaign

pytestmark = needs_chromium
LANGUAGES = {"en": "en-GB", "zh-hans": "zh-CN"}


def said(language: str, text: str) -> str:
    """What the page says for `text` in the language; proves it is translated there."""
    with translation.override(language):
        shown = gettext(text)
    assert language == "en" or shown != text, f"not translated into {language}: {text}"
    return shown


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.press('input[name="password"]', "Enter")
    page.wait_for_url(f"{base_url}/")


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.mark.parametrize("language", LANGUAGES)
def test_store_manager_resolves_a_case_with_its_root_cause_on_a_phone(live_server, world, language):
    from playwright.sync_api import expect

    acme = world.acme
    survey = store_visit_survey(acme)
    services.create_rule(
        actor=acme.scope("admin"), unit=acme.root, name="Detractor",
        conditions={"items": [{"field": "nps", "op": "lte", "value": 6}]},
    )  # fmt: skip
    top = services.create_root_cause(actor=acme.scope("admin"), name="Waiting time")
    cause = services.create_root_cause(
        actor=acme.scope("admin"), name="Queue at the till", parent=top
    )
    answers = {"nps": 2, "improve": ["queue"], "comment": "Waited forever at the till"}
    [case] = evaluation.evaluate_response(
        response_id=submit(survey, answers, unit=acme.units["c1r1s1"]).pk
    )
    with chromium() as browser:
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale=LANGUAGES[language]
        )
        page = context.new_page()
        sign_in(page, live_server.url, acme.user("store").username)
        page.goto(f"{live_server.url}/cases/")
        row = page.get_by_test_id("case-row").first
        expect(row).to_contain_text("Waited forever")
        expect(row).to_contain_text("NPS 2")
        # The first screen is the list: the case shows without scrolling, nothing sideways.
        assert row.bounding_box()["y"] < PHONE["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / f"inbox-phone-{language}.png"), full_page=True)
        row.get_by_role("link").click()
        form = page.get_by_test_id("resolve-form")
        expect(page.locator("#case-response")).to_be_visible()
        form.locator("select[name=root_cause]").select_option(str(cause.pk))
        form.locator("textarea[name=note]").fill("Opened a second till at 16:00.")
        form.get_by_role("button", name=said(language, "Resolve")).click()
        expect(page.locator(".facts").first).to_contain_text(said(language, "Resolved"))
        expect(page.locator("ol.timeline")).to_contain_text("Opened a second till at 16:00.")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / f"resolve-phone-{language}.png"), full_page=True)
    case.refresh_from_db()
    assert case.status == "resolved" and case.root_cause == cause


def _pick(row, field: str, op: str, value: str, choice: bool = False) -> None:
    selects = row.locator("select")
    selects.nth(0).select_option(field)
    selects.nth(1).select_option(op)
    if choice:
        row.locator(f"input[type=checkbox][value='{value}']").check()
    else:
        row.locator(".cb-value input").fill(value)


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_builds_a_segment_and_launches_a_campaign_after_seeing_its_audience(
    live_server, world, language
):
    from playwright.sync_api import expect

    acme = world.acme
    survey = store_visit_survey(acme)
    rows = [("gold", "en", 0), ("gold", "ro", 1), ("silver", "ro", 2), ("gold", "ja", 5)]
    for i, (tier, locale, visits) in enumerate(rows):
        add_contact(acme, "c1r1s1", f"P{i}", locale=locale,
                    attributes={"tier": tier, "visits": visits, "city": "Cluj"})  # fmt: skip
    add_contact(acme, "c1r1s1", "ELSEWHERE", attributes={"tier": "gold", "city": "Iasi"})
    with chromium() as browser:
        page = browser.new_context(locale=LANGUAGES[language]).new_page()
        sign_in(page, live_server.url, acme.user("admin").username)
        page.goto(f"{live_server.url}/contacts/segments/")
        page.fill("#id_name", "Gold in Cluj")
        builder = page.get_by_test_id("condition-builder")
        top = builder.get_by_test_id("condition-group").first
        top.get_by_role("button", name=said(language, "Add a condition"), exact=True).last.click()
        _pick(builder.get_by_test_id("condition").nth(0), "attributes.tier", "eq", "gold")
        top.get_by_role("button", name=said(language, "Add a condition"), exact=True).last.click()
        _pick(builder.get_by_test_id("condition").nth(1), "attributes.city", "eq", "Cluj")
        top.get_by_role("button", name=said(language, "Add a group"), exact=True).last.click()
        group = builder.get_by_test_id("condition-group").nth(1)
        _pick(group.get_by_test_id("condition").nth(0), "locale", "in", "ro", choice=True)
        group.get_by_role("button", name=said(language, "Add a condition"), exact=True).click()
        _pick(group.get_by_test_id("condition").nth(1), "attributes.visits", "gte", "3")
        page.get_by_test_id("condition-count").click()  # leave the last field: it counts
        with translation.override(language):
            matches = translation.ngettext("%(n)s contact matches.", "%(n)s contacts match.", 2) % {
                "n": 2
            }
        expect(page.get_by_test_id("condition-count")).to_have_text(matches)
        page.screenshot(path=str(ARTIFACTS / f"segment-builder-{language}.png"), full_page=True)
        page.locator("form[action$='/segments/new/'] button[type=submit]").click()
        page.wait_for_url("**/contacts/segments/")

        page.goto(f"{live_server.url}/outreach/campaigns/")
        page.fill("#id_name", "Cluj gold pulse")
        page.select_option("#id_survey", str(survey.pk))
        page.select_option("#id_segment", label="Gold in Cluj")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url("**/outreach/campaigns/*/")
        campaign_url = page.url
        page.get_by_role("button", name=said(language, "Launch"), exact=True).click()
        with translation.override(language):
            launch = translation.ngettext(
                "Launch to %(n)s contact", "Launch to %(n)s contacts", 2
            ) % {"n": 2}
        confirm = page.get_by_test_id("confirm")
        expect(confirm.get_by_role("button")).to_have_text(launch)
        page.screenshot(path=str(ARTIFACTS / f"launch-confirm-{language}.png"), full_page=True)
        expect(confirm).to_contain_text("“Store visit”")
        confirm.get_by_role("button").click()
        page.wait_for_url(campaign_url)
    segment = Segment.objects.get(name="Gold in Cluj")
    assert [i.get("match") for i in segment.filters["items"]] == [None, None, "any"]
    campaign = Campaign.objects.get(name="Cluj gold pulse")
    assert campaign.segment == segment and campaign.status != "draft"


def test_pickers_find_units_and_people_by_name_as_one_types(live_server, world):
    from playwright.sync_api import expect

    acme = world.acme
    with chromium() as browser:
        page = browser.new_context(locale="en-GB").new_page()
        sign_in(page, live_server.url, acme.user("regional").username)
        page.goto(f"{live_server.url}/cases/?box=all")
        page.locator("details.filters-box > summary").click()
        unit = page.locator("#id_unit")
        unit.press_sequentially("Store 1.1.2", delay=20)
        option = page.locator(".picker-list").get_by_role("option", name="Store 1.1.2")
        expect(option).to_be_visible()
        option.click()
        expect(unit).to_have_value(acme.units["c1r1s2"].code)
        # A store elsewhere is never offered: the list is the regional manager's scope.
        unit.fill("")
        unit.press_sequentially("Store 2.1", delay=20)
        page.wait_for_timeout(400)
        expect(page.locator(".picker-list li")).to_have_count(0)


def test_the_rule_form_picks_several_people_to_notify_by_name(live_server, world):
    from playwright.sync_api import expect

    acme = world.acme
    regional, store = acme.user("regional"), acme.user("store")
    regional.first_name, regional.last_name = "Ruxandra", "Pop"
    regional.save()
    store.first_name, store.last_name = "Sofia", "Tan"
    store.save()
    with chromium() as browser:
        page = browser.new_context(locale="en-GB").new_page()
        sign_in(page, live_server.url, acme.user("admin").username)
        page.goto(f"{live_server.url}/cases/rules/new/")
        notify = page.locator("#id_notify_users")
        notify.press_sequentially("Ruxan", delay=20)
        page.locator(".picker-list").get_by_role("option", name="Ruxandra Pop").click()
        expect(notify).to_have_value(f"{regional.username}, ")
        # The second name is searched on its own, after the comma; the first stays.
        notify.press_sequentially("Sofi", delay=20)
        page.locator(".picker-list").get_by_role("option", name="Sofia Tan").click()
        expect(notify).to_have_value(f"{regional.username}, {store.username}, ")
