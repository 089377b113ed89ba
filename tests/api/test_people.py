"""Users, memberships, frontline staff and the audit log over the API."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from tests.api.support import url
from voxloop.tenancy.models import AuditEntry, Membership, Staff


def test_an_invited_user_appears_with_their_membership(api_world):
    acme = api_world.world.acme
    body = {
        "username": "new-clerk",
        "email": "clerk@example.test",
        "unit": acme.units["c1r2s1"].pk,
        "role": "manager",
        "first_name": "Ada",
        "last_name": "Lovelace",
    }
    response = api_world.call("country_admin", "POST", url("user_create"), body)
    assert response.status_code == 201
    user = response.json()
    assert user["membership"]["role"] == "manager"
    assert user["membership"]["unit"]["id"] == acme.units["c1r2s1"].pk
    assert (user["first_name"], user["last_name"]) == ("Ada", "Lovelace")
    assert not get_user_model().objects.get(pk=user["id"]).has_usable_password()
    listed = api_world.call("country_admin", "GET", url("user_list") + "?q=new-clerk").json()
    assert [u["id"] for u in listed["items"]] == [user["id"]]
    detail = api_world.call("admin", "GET", url("user_detail", user_id=user["id"])).json()
    assert detail["membership"]["unit"]["code"] == acme.units["c1r2s1"].code
    assert AuditEntry.objects.filter(action="user.create", target_id=str(user["id"])).exists()


def test_user_list_carries_each_users_membership_here(api_world):
    page = api_world.call("country_admin", "GET", url("user_list") + "?limit=500").json()
    roles = {u["username"]: u["membership"]["role"] for u in page["items"]}
    assert roles["a-store"] == "manager" and roles["a-country_admin"] == "admin"
    assert "a-admin" not in roles and "b-admin" not in roles


def test_change_and_revoke_a_membership(api_world):
    acme = api_world.world.acme
    membership = acme.members["viewer"]
    body = {"role": "analyst", "title": "Insights", "unit": acme.units["c1r2"].pk}
    response = api_world.call(
        "country_admin", "PATCH", url("membership_update", membership_id=membership.pk), body
    )
    assert response.status_code == 200
    changed = response.json()
    assert (changed["role"], changed["title"], changed["unit"]["id"]) == (
        "analyst",
        "Insights",
        acme.units["c1r2"].pk,
    )
    entry = AuditEntry.objects.get(action="membership.update", target_id=str(membership.pk))
    assert entry.changes["role"] == ["viewer", "analyst"]
    gone = api_world.call(
        "country_admin", "DELETE", url("membership_delete", membership_id=membership.pk)
    )
    assert gone.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(
        action="membership.delete", target_id=str(membership.pk)
    ).exists()
    # The viewer's token died with the membership.
    me = api_world.call("viewer", "GET", url("me"))
    assert me.status_code == 401


def test_an_admin_cannot_change_or_revoke_their_own_membership(api_world):
    own = api_world.world.acme.members["country_admin"]
    patch = api_world.call(
        "country_admin", "PATCH", url("membership_update", membership_id=own.pk), {"role": "admin"}
    )
    delete = api_world.call(
        "country_admin", "DELETE", url("membership_delete", membership_id=own.pk)
    )
    assert (patch.status_code, delete.status_code) == (403, 403)
    assert Membership.objects.filter(pk=own.pk, role="admin").exists()


def test_membership_filters(api_world):
    acme = api_world.world.acme
    managers = api_world.call("admin", "GET", url("membership_list") + "?role=manager").json()
    assert {m["username"] for m in managers["items"]} == {
        "a-regional",
        "a-store",
        "a-sibling_store",
        "a-c2-store",
    }
    at_store = api_world.call(
        "admin", "GET", url("membership_list") + f"?unit={acme.units['c1r1s1'].pk}"
    ).json()
    assert {m["username"] for m in at_store["items"]} == {"a-store", "a-agent"}


def test_staff_create_update_and_scoped_reads(api_world):
    acme = api_world.world.acme
    store = acme.units["c1r1s1"]
    body = {"unit": store.pk, "name": "Grace", "code": "E-900", "email": "grace@example.test"}
    created = api_world.call("admin", "POST", url("staff_create"), body)
    assert created.status_code == 201
    staff_id = created.json()["id"]
    seen = api_world.call("agent", "GET", url("staff_list") + "?q=grace").json()
    assert [s["id"] for s in seen["items"]] == [staff_id]
    hidden = api_world.call("sibling_store", "GET", url("staff_detail", staff_id=staff_id))
    assert hidden.status_code == 404
    moved = api_world.call(
        "country_admin",
        "PATCH",
        url("staff_update", staff_id=staff_id),
        {"unit": acme.units["c1r1s2"].pk, "job_title": "Supervisor"},
    )
    assert moved.status_code == 200 and moved.json()["unit"]["id"] == acme.units["c1r1s2"].pk
    assert api_world.call("agent", "GET", url("staff_detail", staff_id=staff_id)).status_code == 404
    assert (
        api_world.call("sibling_store", "GET", url("staff_detail", staff_id=staff_id)).status_code
        == 200
    )
    actions = set(
        AuditEntry.objects.filter(target_id=str(staff_id), target_type="staff").values_list(
            "action", flat=True
        )
    )
    assert actions == {"staff.create", "staff.update"}


def test_staff_codes_are_unique_and_emails_checked(api_world):
    store = api_world.world.acme.units["c1r1s1"]
    before = Staff.objects.count()
    taken = Staff.objects.filter(unit=store).first().code
    dup = api_world.call(
        "admin", "POST", url("staff_create"), {"unit": store.pk, "name": "X", "code": taken}
    )
    assert dup.status_code == 409 and dup.json()["error"]["field"] == "code"
    bad = api_world.call(
        "admin",
        "POST",
        url("staff_create"),
        {"unit": store.pk, "name": "X", "code": "N1", "email": "@"},
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "email"
    assert Staff.objects.count() == before


def test_every_change_is_audited_and_the_log_is_scoped(api_world):
    acme = api_world.world.acme
    c2_store, c1_store = acme.units["c2r1s1"], acme.units["c1r1s1"]
    api_world.call("admin", "PATCH", url("unit_update", unit_id=c2_store.pk), {"name": "Harbour"})
    api_world.call("admin", "PATCH", url("unit_update", unit_id=c1_store.pk), {"name": "Station"})
    country = api_world.call(
        "country_admin", "GET", url("audit_list") + "?action=unit.update"
    ).json()
    assert [e["target_id"] for e in country["items"]] == [str(c1_store.pk)]
    everything = api_world.call("admin", "GET", url("audit_list") + "?action=unit.update").json()
    assert [e["target_id"] for e in everything["items"]] == [str(c1_store.pk), str(c2_store.pk)]
    entry = everything["items"][0]
    assert entry["actor"] == acme.user("admin").pk and entry["changes"]["name"][1] == "Station"
    for who, count in (("country_admin", 0), ("admin", 2)):
        query = f"?action=unit.update&actor={acme.user(who).pk}"
        assert api_world.call("admin", "GET", url("audit_list") + query).json()["count"] == count
    for actor in ("regional", "director", "viewer"):
        assert api_world.call(actor, "GET", url("audit_list")).status_code == 403
    foreign = api_world.call("other_admin", "GET", url("audit_list") + "?limit=500").json()
    seen = {(e["target_type"], e["target_id"]) for e in foreign["items"]}
    assert foreign["count"] > 0
    assert not seen & {("orgunit", str(c1_store.pk)), ("orgunit", str(c2_store.pk))}
