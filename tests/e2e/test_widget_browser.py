"""A customer's own shop (another origin: a tiny http.server on 127.0.0.1) includes the widget
snippet; the panel opens after its delay, the shopper answers the NPS survey inside the frame,
and the response arrives with channel "widget". A site the widget does not allow gets nothing."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser import ARTIFACTS, chromium, needs_chromium
from tests.surveys.builders import store_visit_survey
from voxloop.distribution.widget import services as widgets
from voxloop.distribution.widget import visits
from voxloop.responses.models import Response

pytestmark = needs_chromium

SHOP_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Your order</h1><p>Thanks for shopping with us.</p>
<script src="{loader}" data-user-id="SHOPPER-9" data-user-hash="{user_hash}"
  data-attributes='{{"plan": "gold"}}'></script>
</body></html>"""


@pytest.fixture
def shop_site():
    """The customer's site: serves the same page at every path; yields (server, port)."""
    page = {"html": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = page["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield page, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_shop_page_opens_the_panel_and_the_answer_is_a_widget_response(
    live_server, transactional_db, world, shop_site
):
    from playwright.sync_api import expect

    page_html, port = shop_site
    acme = world.acme
    widget = widgets.create_widget(
        actor=acme.system,
        unit=acme.units["c1r1"],
        survey=store_visit_survey(acme),
        name="Shop NPS",
        allowed_origins=[f"http://127.0.0.1:{port}"],
        url_patterns=["/orders/*"],
        delay_seconds=1,
    )
    assert live_server.url.startswith("http://localhost:")  # another site than the shop
    page_html["html"] = SHOP_PAGE.format(
        loader=f"{live_server.url}/w/{widget.key}.js",
        user_hash=visits.user_hash(widget, "SHOPPER-9"),  # as the shop's server signs it
    )
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        page.goto(f"http://127.0.0.1:{port}/orders/1001")
        panel = page.locator(f"[data-voxloop-widget='{widget.key}']")
        expect(panel).to_be_visible(timeout=10_000)
        expect(panel).to_have_attribute("role", "dialog")
        survey = page.frame_locator(f"[data-voxloop-widget='{widget.key}'] iframe")
        expect(survey.locator("legend")).to_contain_text("How likely are you to recommend")
        survey.locator("label.pt", has_text="9").first.click()  # a tap auto-advances
        expect(survey.locator("legend")).to_contain_text("Satisfied?")
        survey.locator("label.pt", has_text="5").click()
        survey.get_by_label("Anything else?").fill("Smooth checkout")
        page.screenshot(path=str(ARTIFACTS / "widget-panel.png"))
        survey.get_by_role("button", name="Submit").click()
        expect(survey.locator("h1")).to_have_text("Thank you!")
        remembered = page.evaluate(f"localStorage.getItem('voxloop.widget.{widget.key}')")
        assert remembered  # this browser is not asked again for the suppression days

        # The page's own code can open it too (here for another shopper), and close it.
        panel.get_by_role("button", name="Close the survey").click()
        expect(panel).to_have_count(0)
        # Without its signature a user id is refused, and nothing opens.
        with page.expect_response(lambda r: "/check" in r.url) as refused:
            page.evaluate("Voxloop.show({userId: 'SHOPPER-9', force: true})")
        assert refused.value.status == 403
        expect(panel).to_have_count(0)
        signed = visits.user_hash(widget, "SHOPPER-10")
        page.evaluate(
            f"Voxloop.show({{userId: 'SHOPPER-10', userHash: '{signed}',"
            " attributes: {plan: 'free'}, force: true})"
        )
        expect(panel).to_be_visible()
        expect(survey.locator("legend")).to_contain_text("How likely are you to recommend")

        # The same page under another origin (localhost, not 127.0.0.1) is not allowed.
        stranger = browser.new_context().new_page()
        with stranger.expect_request(lambda r: "/check" in r.url):
            stranger.goto(f"http://localhost:{port}/orders/1001")
        stranger.wait_for_load_state("networkidle")  # the refused check has come back
        expect(stranger.locator("[data-voxloop-widget]")).to_have_count(0)

    response = Response.objects.get(is_complete=True)
    assert response.channel == "widget" and (response.nps, response.csat) == (9, 5)
    assert response.contact.external_id == "SHOPPER-9"
    assert response.contact_snapshot["plan"] == "gold"
    assert response.unit == acme.units["c1r1"]
    assert response.answers["comment"] == "Smooth checkout"
