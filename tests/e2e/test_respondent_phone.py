"""A customer answers the store-visit survey on a phone, in English and in Chinese."""

import pytest

from tests.browser import ARTIFACTS, chromium, needs_chromium, phone_page
from tests.surveys.builders import store_visit_survey
from voxloop.responses.models import Response

IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def _phone(browser, locale: str):
    return phone_page(
        browser,
        device_scale_factor=2,
        user_agent=IPHONE_UA,
        locale=locale,
        extra_http_headers={"Accept-Language": locale},
    )


pytestmark = needs_chromium


def test_store_visit_on_a_phone_in_english_and_chinese(live_server, transactional_db, world):
    sync_api = pytest.importorskip("playwright.sync_api")
    survey = store_visit_survey(world.acme)
    url = f"{live_server.url}/s/{survey.public_slug}?u=AC1R1S1&e=AE111&src=qr"
    with chromium() as browser:
        # English, as a detractor: the logic branch asks what to improve.
        page = _phone(browser, "en-GB")
        page.goto(url)
        sync_api.expect(page.locator("html")).to_have_attribute("lang", "en")
        sync_api.expect(page.locator("legend")).to_contain_text("recommend Store 1.1.1")
        page.locator("label.pt", has_text="3").first.click()  # a tap auto-advances
        sync_api.expect(page.locator("legend")).to_contain_text("What should we improve?")
        page.get_by_label("Queue").check()
        page.get_by_label("Other, please specify").fill("Parking")
        page.screenshot(path=str(ARTIFACTS / "respondent-en.png"), full_page=True)
        page.get_by_role("button", name="Next").click()
        sync_api.expect(page.locator("legend")).to_contain_text("Satisfied?")
        page.locator("label.pt", has_text="2").click()
        sync_api.expect(page.get_by_label("Anything else?")).to_be_visible()
        page.get_by_label("Anything else?").fill("The queue was <long>")
        page.get_by_role("button", name="Submit").click()
        sync_api.expect(page.locator("h1")).to_have_text("Thank you!")

        # Chinese, as a promoter: no question about improving.
        page = _phone(browser, "zh-CN")
        page.goto(url)
        sync_api.expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        sync_api.expect(page.locator("legend")).to_contain_text("您向朋友推荐Store 1.1.1")
        page.screenshot(path=str(ARTIFACTS / "respondent-zh.png"), full_page=True)
        # Keyboard only: focus the scale, choose 10 with the arrow keys, press Next.
        page.locator("input[name=nps][value='9']").focus()
        page.keyboard.press("ArrowRight")
        page.get_by_role("button", name="下一页").click()
        sync_api.expect(page.locator("legend")).to_contain_text("Satisfied?")
        page.locator("label.pt", has_text="5").click()
        page.get_by_label("Anything else?").fill("服务很好，谢谢！")
        page.get_by_role("button", name="提交").click()
        sync_api.expect(page.locator("h1")).to_have_text("谢谢！")

    english, chinese = Response.objects.order_by("id")
    assert (english.nps, english.nps_group, english.csat) == (3, "detractor", 2)
    assert english.locale == "en" and english.is_complete
    assert english.answers["improve"] == ["queue", "other"]
    assert english.answers["improve:other"] == "Parking"
    assert english.answers["comment"] == "The queue was <long>"
    assert (chinese.nps, chinese.nps_group, chinese.csat) == (10, "promoter", 5)
    assert chinese.locale == "zh-hans" and chinese.is_complete
    assert "improve" not in chinese.answers and chinese.answers["comment"] == "服务很好，谢谢！"
    for response in (english, chinese):
        assert response.device == "mobile" and response.channel == "qr"
        assert response.unit.code == "AC1R1S1" and response.staff.code == "AE111"
