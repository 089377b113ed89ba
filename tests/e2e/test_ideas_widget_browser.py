"""The idea board widget on a customer's site, in a real browser: the snippet pasted into a
page of an allowed site frames the board's top ideas, at phone width; an idea opens the
public board in a tab of its own. Drives Debian's chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser import chromium, needs_chromium, phone_page
from tests.factories import build_world
from voxloop.ideas import embedding, identity, services

pytestmark = needs_chromium


@contextmanager
def customer_site(html: str) -> Iterator[ThreadingHTTPServer]:
    """The customer's own site: another origin than Voxloop's, serving one page."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def board(transactional_db):
    acme = build_world().acme
    board = services.create_board(
        actor=acme.system, unit=acme.root, name="Tell us", audience="customers"
    )
    idea = services.post_idea(
        board=board, author=identity.public_person("ann@example.test"), title="Lockers by the door"
    )
    services.moderate_idea(actor=acme.system, idea=idea, publish=True)
    return acme, board, idea


def test_the_widget_frames_the_board_on_an_allowed_site(live_server, board):
    acme, board, idea = board
    snippet = (
        f'<script src="{live_server.url}/static/ideas/board-widget.js" '
        f'data-board="{board.public_key}" data-title="Our ideas" async></script>'
    )
    html = f"<!doctype html><html><body><h1>Shop</h1>{snippet}</body></html>"
    with customer_site(html) as site:
        shop = f"http://127.0.0.1:{site.server_address[1]}"
        embedding.set_allowed_origins(actor=acme.system, board=board, origins=[shop])
        _visit(shop, live_server.url, board.public_key, idea.pk)


def _visit(shop: str, voxloop: str, key: str, idea_id: int) -> None:
    from playwright.sync_api import expect

    with chromium() as browser:
        page = phone_page(browser)
        page.goto(f"{shop}/")
        link = page.frame_locator('iframe[title="Our ideas"]').get_by_role(
            "link", name="Lockers by the door"
        )
        expect(link).to_be_visible()
        with page.context.expect_page() as opened:
            link.click()
        expect(opened.value).to_have_url(f"{voxloop}/ideas/p/{key}/{idea_id}/")
