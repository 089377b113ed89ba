"""The webhooks API: the secret once, bad input named, the delivery log with replay, and the
event catalogue as an enum in the schema."""

from __future__ import annotations

from tests.surveys.api_client import ApiClient
from voxloop.api.api import api
from voxloop.webhooks import services
from voxloop.webhooks.models import Delivery

HOOK = "https://hooks.example.test/in"


def _client(world, name="admin") -> ApiClient:
    return ApiClient(membership=world.acme.members[name])


def test_create_shows_the_secret_once_and_reads_never(world):
    client = _client(world)
    answer = client.post(
        "/webhooks",
        {"name": "CRM", "unit_code": "AC1", "url": HOOK, "events": ["case.opened"],
         "destination": "slack", "language": "ja"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert created["secret"].startswith("whsec_") and created["unit_code"] == "AC1"
    read = client.get(f"/webhooks/{created['id']}")
    assert read.status_code == 200 and "secret" not in read.json()
    assert created["secret"] not in client.get("/webhooks").content.decode()
    rotated = client.post(f"/webhooks/{created['id']}/rotate-secret").json()["secret"]
    assert rotated != created["secret"]


def test_bad_input_is_a_4xx_naming_the_field(world):
    client = _client(world)
    body = {"name": "CRM", "url": "http://169.254.169.254/", "events": ["case.opened"]}
    answer = client.post("/webhooks", body)
    assert answer.status_code == 400 and "url" in answer.content.decode()
    answer = client.post("/webhooks", {**body, "url": HOOK, "events": ["case.exploded"]})
    assert answer.status_code in (400, 422) and "events" in answer.content.decode()
    answer = client.post("/webhooks", {**body, "url": HOOK, "unit_code": "BC1"})
    assert answer.status_code == 404 and "unit_code" in answer.content.decode()


def test_the_log_pages_by_cursor_and_replays(world):
    subscription, _ = services.create_subscription(
        actor=world.acme.scope("admin"), unit=world.acme.root, name="All", url=HOOK,
        events=["response.completed"],
    )  # fmt: skip
    for n in range(5):
        services.publish(
            organization_id=world.acme.root.organization_id,
            unit_path=world.acme.units["c1"].path,
            event_type="response.completed",
            key=str(n),
            data={"n": n},
        )
    client = _client(world)
    first = client.get(f"/webhooks/{subscription.pk}/deliveries", limit=3).json()
    second = client.get(f"/webhooks/{subscription.pk}/deliveries", limit=3, after=first["next"])
    ids = [d["id"] for d in first["items"]] + [d["id"] for d in second.json()["items"]]
    assert first["count"] == 5 and sorted(ids) == sorted(
        Delivery.objects.values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk=ids[0]).update(status="failed")
    replayed = client.post(f"/webhooks/deliveries/{ids[0]}/replay")
    assert replayed.status_code == 202 and replayed.json()["status"] == "pending"
    failed = client.get(f"/webhooks/{subscription.pk}/deliveries", status="failed").json()
    assert failed["count"] == 0


def test_disable_and_enable_over_the_api(world):
    client = _client(world)
    created = client.post("/webhooks", {"name": "CRM", "url": HOOK, "events": ["case.opened"]})
    pk = created.json()["id"]
    assert client.patch(f"/webhooks/{pk}", {"is_active": False}).json()["is_active"] is False
    assert client.patch(f"/webhooks/{pk}", {"is_active": True}).json()["is_active"] is True
    assert client.delete(f"/webhooks/{pk}").status_code == 204
    assert client.get(f"/webhooks/{pk}").status_code == 404


def test_events_are_an_enum_in_the_schema(world):
    schema = api.get_openapi_schema()["components"]["schemas"]
    events = schema["SubscriptionIn"]["properties"]["events"]["items"]
    enum = events.get("enum") or schema[events["$ref"].split("/")[-1]]["enum"]
    assert "case.opened" in enum and "health.changed" in enum
    listed = _client(world).get("/webhooks/events").json()
    assert {e["type"] for e in listed} == set(enum)
    assert {e["type"] for e in listed if not e["emitted"]} == {"health.changed"}
