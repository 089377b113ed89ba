"""The shell's small things (#17): a real favicon at /favicon.ico, one highlighted section."""

from __future__ import annotations

from django.test import Client


def test_favicon_is_a_real_icon(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/x-icon"
    body = b"".join(answer.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00" and b"PNG" in body[:40]


def test_outreach_tabs_mark_the_current_page(world):
    client = Client()
    client.force_login(world.acme.user("admin"))
    page = client.get("/outreach/triggers/").content.decode()
    assert '<ul class="tabs">' in page
    assert 'aria-current="page">Triggers</a>' in page
    assert 'aria-current="page">Home</a>' not in page
    home = client.get("/").content.decode()
    assert 'aria-current="page">Home</a>' in home
