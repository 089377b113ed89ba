"""Saved views (issue 16 item 6): save, share with the unit, publish to a role, pin, digest —
and a view never shows anyone more than their own scope."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from tests.analytics.support import respond
from voxloop.analytics import dashboard, digests, filters, home, selectors, services
from voxloop.analytics.models import SavedView, ViewDigest
from voxloop.errors import Forbidden, NotFound
from voxloop.tenancy.models import AuditEntry

NOW = datetime(2026, 11, 30, 8, tzinfo=UTC)
YES = {"confirmed": "yes"}


def client_for(org, name) -> Client:
    c = Client()
    c.force_login(org.user(name))
    return c


def visible(org, name) -> set[str]:
    return {v.name for v in selectors.saved_views(org.scope(name))}


def test_sharing_reaches_those_whose_scope_covers_the_unit(world):
    acme = world.acme
    view = services.save_view(actor=acme.scope("store"), name="My store", query="period=7d")
    assert "My store" not in visible(acme, "regional")
    services.update_view(actor=acme.scope("store"), view=view, shared=True)
    assert AuditEntry.objects.filter(action="analytics.view_shared").count() == 1
    for name in ("regional", "director", "admin", "viewer"):  # all above store 1.1.1
        assert "My store" in visible(acme, name), name
    for name in ("sibling_store",):
        assert "My store" not in visible(acme, name)
    for name in ("store", "admin", "director"):  # another tenant, same names
        assert "My store" not in visible(world.other, name)
    with pytest.raises(Forbidden):  # only the owner changes it
        services.update_view(actor=acme.scope("regional"), view=view, name="Mine now")


def test_an_admin_publishes_to_a_role_within_their_subtree(world):
    acme = world.acme
    view = services.save_view(actor=acme.scope("country_admin"), name="Country", query="")
    with pytest.raises(Forbidden):
        services.update_view(actor=acme.scope("regional"), view=view, published_role="manager")
    services.update_view(actor=acme.scope("country_admin"), view=view, published_role="manager")
    assert AuditEntry.objects.filter(action="analytics.view_published").exists()
    assert "Country" in visible(acme, "store") and "Country" in visible(acme, "regional")
    assert "Country" not in visible(acme, "viewer")  # another role
    assert "Country" not in visible(world.other, "store")
    regional = services.save_view(actor=acme.scope("regional"), name="R", query="")
    with pytest.raises(Forbidden):  # a manager cannot publish
        services.update_view(actor=acme.scope("regional"), view=regional, published_role="agent")


def test_a_shared_view_reapplies_under_the_readers_own_scope(
    world, survey, immediate_tasks, django_capture_on_commit_callbacks
):
    """A view published from the top naming a store elsewhere opens as "not found" for a store
    manager; one without a unit shows her own store's figures only."""
    acme = world.acme
    with django_capture_on_commit_callbacks(execute=True):
        respond(survey, acme.units["c2r1s1"], nps=0, at=NOW - timedelta(days=2))
        respond(survey, acme.units["c1r1s1"], nps=10, at=NOW - timedelta(days=2))
    admin = acme.scope("admin")
    elsewhere = services.save_view(
        actor=admin, name="Far store", query=f"period=30d&unit={acme.units['c2r1s1'].pk}"
    )
    everywhere = services.save_view(actor=admin, name="All", query="period=30d&min_n=1")
    for view in (elsewhere, everywhere):
        services.update_view(actor=admin, view=view, published_role="manager")
    store = client_for(acme, "store")
    listing = store.get("/analytics/views/").content.decode()
    assert "Far store" in listing and "All" in listing
    assert store.get(f"/analytics/?{elsewhere.query}").status_code == 404
    scope = acme.scope("store")
    data = dashboard.payload(
        scope, filters.parse(dict(p.split("=") for p in everywhere.query.split("&"))), ("kpis",)
    )
    assert data["unit"]["name"] == "Store 1.1.1"
    nps = next(k for k in data["kpis"] if k["metric"] == "nps")
    assert nps["figure"]["n"] == 1 and nps["figure"]["value"] == 100


def test_the_pages_list_rename_pin_and_delete(world):
    acme = world.acme
    c = client_for(acme, "regional")
    saved = c.post("/analytics/views/", {"name": "Weekly", "query": "period=last_week", "pin": "1"})
    assert saved.status_code == 302
    view = SavedView.objects.get(name="Weekly")
    assert [p["name"] for p in home.home(acme.scope("regional"), {}).pinned] == ["Weekly"]
    assert "Weekly" in c.get("/").content.decode().split('data-testid="pinned"')[1]
    c.post(f"/analytics/views/{view.pk}/", {"action": "rename", "name": "Last week"})
    c.post(f"/analytics/views/{view.pk}/", {"action": "unpin"})
    view.refresh_from_db()
    assert view.name == "Last week" and not view.pinned_by.exists()
    assert c.post(f"/analytics/views/{view.pk}/", {"action": "explode"}).status_code == 400
    # someone else's view is not found, nor deletable
    assert client_for(acme, "store").post(f"/analytics/views/{view.pk}/delete/").status_code == 404
    assert client_for(world.other, "regional").get("/analytics/views/").status_code == 200
    c.post(f"/analytics/views/{view.pk}/delete/", YES)
    assert not SavedView.objects.exists()
    assert AuditEntry.objects.filter(action="analytics.view_deleted").exists()


def test_the_api_lists_creates_reads_updates_and_deletes(world):
    acme = world.acme
    c = client_for(acme, "store")
    made = c.post(
        "/api/v1/analytics/views",
        json.dumps({"name": "Mine", "query": "period=mtd&compare=year"}),
        content_type="application/json",
    )
    assert made.status_code == 201
    view_id = made.json()["view_id"]
    patched = c.patch(
        f"/api/v1/analytics/views/{view_id}",
        json.dumps({"shared": True, "pinned": True, "digest": "monthly"}),
        content_type="application/json",
    ).json()
    assert patched["shared"] and patched["pinned"] and patched["digest"] == "monthly"
    bad = c.patch(
        f"/api/v1/analytics/views/{view_id}",
        json.dumps({"published_role": "manager"}),
        content_type="application/json",
    )
    assert bad.status_code == 403
    assert (
        c.post(
            "/api/v1/analytics/views",
            json.dumps({"name": "Bad", "query": "period=forever"}),
            content_type="application/json",
        ).status_code
        == 400
    )
    regional = client_for(acme, "regional")
    assert [v["name"] for v in regional.get("/api/v1/analytics/views").json()] == ["Mine"]
    assert regional.delete(f"/api/v1/analytics/views/{view_id}").status_code == 403
    for org, name in ((acme, "sibling_store"), (world.other, "admin")):
        assert client_for(org, name).get(f"/api/v1/analytics/views/{view_id}").status_code == 404
    assert c.delete(f"/api/v1/analytics/views/{view_id}").status_code == 204
    assert not SavedView.objects.exists() and not ViewDigest.objects.exists()
    assert c.get("/api/v1/analytics/home").json()["unit"]["name"] == "Store 1.1.1"


def test_a_saved_views_digest_goes_by_email_within_the_readers_scope(world, survey, smtp_settings):
    acme = world.acme
    for i in range(3):
        respond(
            survey, acme.units["c1r1s1"], nps=2, at=NOW - timedelta(days=2), comment=f"slow {i}"
        )
    respond(survey, acme.units["c1r2s1"], nps=10, at=NOW - timedelta(days=2), comment="elsewhere")
    services.rebuild(organization_id=acme.root.organization_id)
    view = services.save_view(actor=acme.scope("regional"), name="Region week", query="period=7d")
    services.update_view(actor=acme.scope("regional"), view=view, shared=True)
    services.subscribe_view(actor=acme.scope("regional"), view=view, frequency="weekly")
    services.subscribe_view(actor=acme.scope("director"), view=view, frequency="monthly")
    assert digests.send_due_view_digests(now=NOW) == 2
    mail = {m.recipients[0].split("@")[0]: m for m in smtp_settings.wait_for(2)}
    assert "Region week at Region 1.1" in mail["a-regional"].message["subject"]
    regional = mail["a-regional"].part("text/plain")
    assert "slow 0" in regional and "elsewhere" not in regional
    assert "/analytics/?period=7d" in regional
    assert (
        "Region week at Acme Retail" in mail["a-director"].message["subject"]
    )  # the director's scope
    assert digests.send_due_view_digests(now=NOW + timedelta(days=3)) == 0
    # no longer shared: the director's subscription goes, nothing is sent to them
    services.update_view(actor=acme.scope("regional"), view=view, shared=False)
    assert digests.send_due_view_digests(now=NOW + timedelta(days=31)) == 1
    assert not ViewDigest.objects.filter(membership=acme.members["director"]).exists()
    with pytest.raises(NotFound):
        selectors.saved_view(acme.scope("director"), view.pk)
