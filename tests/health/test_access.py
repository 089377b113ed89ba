"""Who sees which health: an account manager their own book, a store its subtree, nobody
another tenant's; the API and the pages say "not found" across units and tenants; the
model is the top admins' (form and API), personas and tiers are segments with a kind."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.health.support import answer, build_book
from voxloop.contacts import services as contact_services
from voxloop.errors import InvalidInput, NotFound
from voxloop.health import computing, selectors, services
from voxloop.health.models import HealthModel, HealthScore

pytestmark = pytest.mark.django_db


def _client(org, name: str) -> Client:
    client = Client()
    assert client.login(username=org.user(name).username, password=PASSWORD)
    return client


def _red(org, book):
    services.save_model(
        actor=org.scope("admin"), name="Seats", window_days=90, red_below=40, amber_below=70,
        sla_hours=48,
        signals=[{"kind": "attribute", "param": "seats", "weight": 1, "bad": 0, "good": 100},
                 {"kind": "nps", "weight": 1, "bad": -100, "good": 100}],
    )  # fmt: skip
    computing.compute(organization_id=org.root.organization_id)


@pytest.fixture
def books(world):
    a, b = build_book(world.acme, "A"), build_book(world.other, "B")
    _red(world.acme, a)
    _red(world.other, b)
    return a, b


def test_account_manager_sees_only_their_accounts(world, books):
    a, _b = books
    acme = world.acme
    mine = selectors.at_risk(acme.scope("store"), mine=True)
    assert [s.account_id for s in mine] == [a.accounts["mine"].pk]
    # The store's whole subtree is the same book here; the sibling store sees its own only.
    assert [s.account_id for s in selectors.at_risk(acme.scope("sibling_store"))] == [
        a.accounts["next"].pk
    ]
    everything = selectors.account_scores(acme.scope("regional"))
    assert {s.account_id for s in everything} == {x.pk for x in a.accounts.values()}
    with pytest.raises(NotFound):
        selectors.account_health(acme.scope("store"), a.accounts["next"].pk)


def test_no_read_across_tenants(world, books):
    a, b = books
    other_admin = world.other.scope("admin")
    assert {s.account_id for s in selectors.account_scores(other_admin)} == {
        x.pk for x in b.accounts.values()
    }
    with pytest.raises(NotFound):
        selectors.account_health(other_admin, a.accounts["mine"].pk)
    client = _client(world.other, "admin")
    page = client.get(reverse("health:account", args=[a.accounts["mine"].pk]))
    assert page.status_code == 404
    api = client.get(f"/api/v1/health/accounts/{a.accounts['mine'].pk}")
    assert api.status_code == 404


def test_pages_for_the_account_manager(world, books):
    a, _b = books
    client = _client(world.acme, "store")
    page = client.get(reverse("health:at_risk"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "A Mine Ltd" in body and "A Next Ltd" not in body
    detail = client.get(reverse("health:account", args=[a.accounts["mine"].pk]))
    assert detail.status_code == 200 and "health-spec" in detail.content.decode()
    assert "Missing (not counted)" in detail.content.decode()  # no NPS answer yet
    assert client.get(reverse("health:account", args=[a.accounts["next"].pk])).status_code == 404
    assert client.get(reverse("health:model")).status_code == 403
    viewer = _client(world.acme, "viewer")
    assert viewer.get(reverse("health:at_risk")).status_code == 403


def test_api_lists_scores_with_missing_signals_as_null(world, books):
    a, _b = books
    client = _client(world.acme, "store")
    found = client.get("/api/v1/health/accounts?mine=true").json()
    assert found["count"] == 1
    item = found["items"][0]
    assert item["account_id"] == a.accounts["mine"].pk and item["band"] == "amber"  # 40 seats
    nps = next(p for p in item["parts"] if p["key"] == "nps")
    assert nps["points"] is None and nps["value"] is None
    detail = client.get(f"/api/v1/health/accounts/{a.accounts['mine'].pk}").json()
    assert detail["history"][0]["band"] == "amber"
    summary = _client(world.acme, "viewer").get("/api/v1/health/summary").json()
    assert summary["bands"]["red"] == 1  # the viewer's region holds one of the two


def test_model_form_saves_signals_and_refuses_bad_input(world):
    acme = world.acme
    client = _client(acme, "admin")
    page = client.get(reverse("health:model"))
    assert page.status_code == 200 and "signals-TOTAL_FORMS" in page.content.decode()
    data = {
        "name": "Tuned", "window_days": 120, "red_below": 30, "amber_below": 60,
        "sla_hours": 48, "playbook": "",
        "signals-TOTAL_FORMS": 2, "signals-INITIAL_FORMS": 0,
        "signals-MIN_NUM_FORMS": 1, "signals-MAX_NUM_FORMS": 20,
        "signals-0-kind": "nps", "signals-0-param": "", "signals-0-weight": 2,
        "signals-0-mapping": "curve", "signals-0-bad": -50, "signals-0-good": 50,
        "signals-1-kind": "interactions", "signals-1-param": "", "signals-1-weight": 1,
        "signals-1-mapping": "curve", "signals-1-bad": 0, "signals-1-good": 10,
    }  # fmt: skip
    refused = client.post(reverse("health:model"), data)
    assert refused.status_code == 400
    assert "Name the interaction type" in refused.content.decode()
    data["signals-1-param"] = "login"
    saved = client.post(reverse("health:model"), data)
    assert saved.status_code == 302
    model = HealthModel.objects.get(organization_id=acme.root.organization_id)
    assert model.name == "Tuned" and model.red_below == 30
    assert sorted(s.key for s in model.signals.all()) == ["interactions:login", "nps"]
    # Only an admin of the whole organisation sets it.
    with pytest.raises(InvalidInput):
        services.save_model(
            actor=acme.scope("country_admin"), name="x", window_days=90, red_below=10,
            amber_below=20, sla_hours=48,
            signals=[{"kind": "nps", "weight": 1, "bad": 0, "good": 1}],
        )  # fmt: skip
    put = client.put(
        "/api/v1/health/model",
        data=json.dumps({"name": "Api", "red_below": 50, "amber_below": 40, "signals": [
            {"kind": "nps", "weight": 1, "bad": -50, "good": 50}]}),
        content_type="application/json",
    )  # fmt: skip
    assert put.status_code == 400 and "red_below" in put.content.decode()
    got = client.get("/api/v1/health/model").json()
    assert got["name"] == "Tuned" and got["validation"]["auc"] is None


def test_personas_are_segments_with_a_kind_and_break_health_down(world, books):
    a, _b = books
    acme = world.acme
    admin = acme.scope("admin")
    segment = contact_services.save_segment(
        actor=admin, unit=acme.root, name="Big seats",
        filters=[{"field": "account.attributes.seats", "op": "gte", "value": 10}],
    )  # fmt: skip
    client = _client(acme, "admin")
    made = client.post(
        reverse("health:audiences"),
        {"kind": "persona", "name": "Power users", "segment_id": segment.pk},
    )
    assert made.status_code == 302
    persona = selectors.audiences(admin).get()
    counts = dict(selectors.breakdown(admin, "persona"))[persona]
    assert counts["amber"] == 1 and counts["red"] == 0  # A Mine Ltd (40 seats), not Next (2)
    scores = selectors.account_scores(admin, audience=persona)
    assert [s.account_id for s in scores] == [a.accounts["mine"].pk]
    groups = selectors.audience_groups(admin)
    assert groups == [("Persona", [(segment.pk, "Power users")])]
    dashboard = client.get(reverse("analytics:dashboard"))
    assert 'optgroup label="Persona"' in dashboard.content.decode()
    other = world.other.scope("admin")
    assert not selectors.audiences(other).exists()
    with pytest.raises(NotFound):
        services.save_audience(actor=other, kind="tier", name="Steal", segment_id=segment.pk)


def test_an_answer_rescored_on_the_event(
    world, books, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    a, _b = books
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        answer(a, "mine-1", 10)
    # The response_submitted event rescored the contact and its account (on commit).
    contact_score = HealthScore.objects.get(contact=a.contacts["mine-1"])
    parts = {p["key"]: p for p in contact_score.parts}
    assert parts["nps"]["value"] == 100.0
