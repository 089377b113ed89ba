"""The embeddable widget of a customer board: the admin's snippet and the sites it may show
on; the framed page may be framed by those sites only (frame-ancestors), lists the top ideas
and sends visitors to the public board in a tab of their own to take part."""

from __future__ import annotations

from django.test import Client

from tests.ideas.support import customer_board, employee_board
from voxloop.ideas import embedding, identity, services


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_copies_the_snippet_and_names_the_sites(world):
    acme = world.acme
    board = customer_board(acme)
    admin = _signed_in(acme.user("admin"))
    page = admin.get(f"/ideas/{board.pk}/").content.decode()
    assert f'/static/ideas/board-widget.js" data-board="{board.public_key}"' in page.replace(
        "&quot;", '"'
    )
    url = f"/ideas/{board.pk}/embed/"
    bad = admin.post(url, {"allowed_origins": "https://shop.example.com/path"})
    assert bad.status_code == 400 and "is not an origin" in bad.content.decode()
    admin.post(url, {"allowed_origins": "https://Shop.Example.com/\nhttp://localhost:8080"})
    board.refresh_from_db()
    assert board.allowed_origins == ["https://shop.example.com", "http://localhost:8080"]
    staff = employee_board(acme, name="Staff")
    assert "board-widget.js" not in admin.get(f"/ideas/{staff.pk}/").content.decode()
    store = _signed_in(acme.user("store"))  # a manager moderates but does not configure
    assert store.post(url, {"allowed_origins": ""}).status_code == 403
    assert "board-widget.js" not in store.get(f"/ideas/{board.pk}/").content.decode()


def test_the_framed_board_may_be_framed_by_its_sites_only(world, client):
    acme = world.acme
    board = customer_board(acme)
    idea = services.post_idea(
        board=board, author=identity.public_person("ann@example.test"), title="Lockers"
    )
    services.moderate_idea(actor=acme.system, idea=idea, publish=True)
    url = f"/ideas/p/{board.public_key}/embed/"
    closed = client.get(url)
    assert "frame-ancestors 'none'" in closed["Content-Security-Policy"]
    embedding.set_allowed_origins(actor=acme.system, board=board, origins=["https://a.example"])
    framed = client.get(url)
    assert "frame-ancestors https://a.example;" in framed["Content-Security-Policy"] + ";"
    assert "X-Frame-Options" not in framed
    body = framed.content.decode()
    assert "Lockers" in body and 'target="_blank"' in body
    assert f"/ideas/p/{board.public_key}/{idea.pk}/" in body
    assert client.get("/ideas/p/no-such-board/embed/").status_code == 404
    staff = employee_board(acme, name="Staff")
    assert client.get(f"/ideas/p/{staff.public_key}/embed/").status_code == 404
