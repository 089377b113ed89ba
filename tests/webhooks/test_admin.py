"""The Django admin lists subscriptions and deliveries of the staff admin's subtree, read-only,
without secrets; members who do not configure see none."""

from __future__ import annotations

from django.test import Client

from tests.webhooks.support import subscribe

HOOK = "https://hooks.example.test/in"


def _staff(world, name: str) -> Client:
    user = world.acme.user(name)
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_is_scoped_and_hides_secrets(world):
    mine, secret = subscribe(world.acme, "c1r1", url=HOOK, name="Country one hook")
    subscribe(world.acme, "c2", url=HOOK, name="Country two hook")
    client = _staff(world, "country_admin")
    listing = client.get("/admin/webhooks/subscription/").content.decode()
    assert "Country one hook" in listing and "Country two hook" not in listing
    page = client.get(f"/admin/webhooks/subscription/{mine.pk}/change/")
    assert page.status_code == 200 and secret not in page.content.decode()
    assert client.post("/admin/webhooks/subscription/add/", {}).status_code == 403
    assert _staff(world, "regional").get("/admin/webhooks/subscription/").status_code == 403
