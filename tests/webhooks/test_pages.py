"""The admin's webhook pages: create with the secret shown once, edit, the delivery log with
replay, rotation and deletion behind a confirmation; every string in each language."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.webhooks.support import subscribe
from voxloop.tenancy.models import AuditEntry
from voxloop.webhooks import services
from voxloop.webhooks.models import Delivery, Subscription

HOOK = "https://hooks.example.test/in"


def _admin(world, name="admin") -> Client:
    client = Client()
    client.force_login(world.acme.user(name))
    return client


def test_the_secret_is_shown_once_after_creating(world):
    client = _admin(world)
    answer = client.post(
        "/webhooks/new/",
        {"name": "CRM", "unit_code": "AC1R1", "destination": "webhook", "url": HOOK,
         "events": ["case.opened", "response.completed"], "language": "en", "is_active": "on"},
    )  # fmt: skip
    subscription = Subscription.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/webhooks/{subscription.pk}/"
    first = client.get(answer["Location"]).content.decode()
    assert subscription.secret in first and 'data-testid="webhook-secret"' in first
    assert subscription.secret not in client.get(answer["Location"]).content.decode()
    assert subscription.unit.code == "AC1R1" and subscription.events == [
        "case.opened", "response.completed"
    ]  # fmt: skip
    assert AuditEntry.objects.filter(action="webhook.create").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("url", "http://10.1.2.3/hook", "not a public address"),
        ("unit_code", "BC1", "No unit with this code"),
        ("events", [], "This field is required"),
    ],
)
def test_bad_input_is_shown_on_the_form(world, field, value, error):
    form = {"name": "CRM", "unit_code": "AC1", "destination": "webhook", "url": HOOK,
            "events": ["case.opened"], "language": "en"}  # fmt: skip
    form[field] = value
    answer = _admin(world).post("/webhooks/new/", form)
    assert answer.status_code == 400 and error in answer.content.decode()
    assert not Subscription.objects.exists()


def test_a_country_admin_sees_only_their_countrys_subscriptions(world):
    subscribe(world.acme, "c1r1", url=HOOK, name="Mine")
    subscribe(world.acme, "c2", url=HOOK, name="Theirs")
    subscribe(world.other, "root", url=HOOK, name="Other tenant")
    page = _admin(world, "country_admin").get("/webhooks/").content.decode()
    assert "Mine" in page and "Theirs" not in page and "Other tenant" not in page


def test_the_log_replays_and_deletion_asks_first(world):
    subscription, _ = subscribe(world.acme, "c1", url=HOOK)
    [pk] = services.publish(
        organization_id=world.acme.root.organization_id,
        unit_path=world.acme.units["c1r1s1"].path,
        event_type="response.completed",
        key="1",
        data={},
    )
    Delivery.objects.filter(pk=pk).update(status="failed", attempts=9, last_error="HTTP 500")
    client = _admin(world)
    page = client.get(f"/webhooks/{subscription.pk}/").content.decode()
    assert "HTTP 500" in page and f"/webhooks/deliveries/{pk}/replay/" in page
    assert client.post(f"/webhooks/deliveries/{pk}/replay/").status_code == 302
    assert Delivery.objects.get(pk=pk).status == "pending"
    confirm = client.get(f"/webhooks/{subscription.pk}/delete/")
    assert confirm.status_code == 200 and Subscription.objects.exists()
    client.post(f"/webhooks/{subscription.pk}/delete/")
    assert not Subscription.objects.exists() and not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Event webhooks"), ("zh-hans", "事件 Webhook"), ("ja", "イベント Webhook"),
     ("ro", "Webhook-uri de evenimente")],
)  # fmt: skip
def test_the_pages_speak_each_language(world, language, title):
    subscription, _ = subscribe(world.acme, "c1", url=HOOK)
    client = _admin(world)
    client.cookies["django_language"] = language
    for path in ("/webhooks/", "/webhooks/new/", f"/webhooks/{subscription.pk}/"):
        page = client.get(path, headers={"accept-language": language}).content.decode()
        assert title in page, (language, path)
