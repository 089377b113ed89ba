"""The unit tree over the API: list, filter, page, tree, create, rename, move."""

from __future__ import annotations

from tests.api.support import url
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH, AuditEntry, OrgUnit


def test_a_created_unit_is_visible_in_the_list_and_audited(api_world):
    acme = api_world.world.acme
    region = acme.units["c1r1"]
    body = {"parent": region.pk, "name": " Airport Kiosk ", "kind": "store", "code": "AK-1"}
    response = api_world.call("country_admin", "POST", url("unit_create"), body)
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "Airport Kiosk" and created["parent"] == region.pk
    assert created["depth"] == region.depth + 1
    listed = api_world.call("regional", "GET", url("unit_list") + "?q=airport").json()
    assert [u["id"] for u in listed["items"]] == [created["id"]]
    entry = AuditEntry.objects.get(action="unit.create", target_id=str(created["id"]))
    assert entry.actor_id == acme.user("country_admin").pk
    # The other organisation cannot see it, nor its audit entry.
    other = api_world.call("other_admin", "GET", url("unit_detail", unit_id=created["id"]))
    assert other.status_code == 404
    audit = api_world.call("other_admin", "GET", url("audit_list") + "?action=unit.create").json()
    assert entry.pk not in {e["id"] for e in audit["items"]}


def test_list_filters_and_pagination(api_world):
    acme = api_world.world.acme
    page = api_world.call("admin", "GET", url("unit_list") + "?kind=store&limit=3&offset=2").json()
    assert page["count"] == 8 and page["limit"] == 3 and page["offset"] == 2
    assert len(page["items"]) == 3 and {u["kind"] for u in page["items"]} == {"store"}
    everything = api_world.call("admin", "GET", url("unit_list") + "?kind=store").json()
    assert [u["id"] for u in everything["items"][2:5]] == [u["id"] for u in page["items"]]
    children = api_world.call("admin", "GET", url("unit_list") + f"?parent={acme.units['c1'].pk}")
    assert {u["id"] for u in children.json()["items"]} == {
        acme.units["c1r1"].pk,
        acme.units["c1r2"].pk,
    }
    by_code = api_world.call("admin", "GET", url("unit_list") + f"?q={acme.units['c2r2s1'].code}")
    assert [u["id"] for u in by_code.json()["items"]] == [acme.units["c2r2s1"].pk]


def test_default_page_is_100_and_the_envelope_is_complete(api_world):
    body = api_world.call("admin", "GET", url("unit_list")).json()
    assert set(body) == {"count", "items", "limit", "offset", "next"}
    assert body["next"] is None  # units page by offset only
    assert (body["count"], body["limit"], body["offset"]) == (15, 100, 0)


def test_tree_is_nested_and_depth_limited(api_world):
    acme = api_world.world.acme
    tree = api_world.call("regional", "GET", url("unit_tree")).json()
    assert tree["id"] == acme.units["c1r1"].pk
    assert {c["id"] for c in tree["children"]} == {acme.units["c1r1s1"].pk, acme.units["c1r1s2"].pk}
    shallow = api_world.call("admin", "GET", url("unit_tree") + "?depth=1").json()
    assert shallow["id"] == acme.root.pk
    assert [len(c["children"]) for c in shallow["children"]] == [0, 0]
    rooted = api_world.call("admin", "GET", url("unit_tree") + f"?root={acme.units['c2'].pk}")
    assert rooted.json()["id"] == acme.units["c2"].pk


def test_rename_and_deactivate(api_world):
    store = api_world.world.acme.units["c1r1s1"]
    body = {"name": "Flagship", "is_active": False}
    response = api_world.call("admin", "PATCH", url("unit_update", unit_id=store.pk), body)
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["is_active"]) == ("Flagship", False)
    store.refresh_from_db()
    assert (store.name, store.is_active, store.code) == ("Flagship", False, "AC1R1S1")
    entry = AuditEntry.objects.get(action="unit.update", target_id=str(store.pk))
    assert entry.changes["name"] == ["Store 1.1.1", "Flagship"]


def test_move_keeps_every_descendant_path_right(api_world):
    acme = api_world.world.acme
    region, new_country = acme.units["c1r1"], acme.units["c2"]
    response = api_world.call(
        "admin", "POST", url("unit_move", unit_id=region.pk), {"parent": new_country.pk}
    )
    assert response.status_code == 200 and response.json()["parent"] == new_country.pk
    for unit in OrgUnit.objects.filter(organization=acme.root.organization):
        parent = unit.parent
        expected = (parent.path if parent else "") + str(unit.pk).zfill(PATH_SEGMENT_WIDTH)
        assert unit.path == expected, unit.name
        assert unit.depth == (parent.depth + 1 if parent else 0)
    # The country admin of c1 no longer sees the region; the director still does.
    gone = api_world.call(
        "country_admin", "GET", url("unit_detail", unit_id=acme.units["c1r1s1"].pk)
    )
    assert gone.status_code == 404
    tree = api_world.call("admin", "GET", url("unit_tree") + f"?root={new_country.pk}").json()
    assert region.pk in {c["id"] for c in tree["children"]}
    assert AuditEntry.objects.filter(action="unit.move", target_id=str(region.pk)).exists()


def test_an_admin_cannot_move_their_own_root(api_world):
    acme = api_world.world.acme
    response = api_world.call(
        "country_admin",
        "POST",
        url("unit_move", unit_id=acme.units["c1"].pk),
        {"parent": acme.units["c1r1"].pk},
    )
    assert response.status_code == 403
