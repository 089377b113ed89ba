"""Admin pages: people (invite, change, revoke), staff (list, add) and the audit log."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import YES
from voxloop.tenancy.models import AuditEntry, Membership, Staff


def _field_errors(body: str, field: str) -> list[str]:
    return re.findall(rf'<p class="error" id="id_{field}_error">([^<]*)</p>', body)


def test_people_lists_only_the_admins_subtree(world, client):
    client.force_login(world.acme.user("country_admin"))
    body = client.get(reverse("web:people")).content.decode()
    assert "a-store" in body and "a-analyst" in body
    assert "a-director" not in body and "b-store" not in body
    body = client.get(reverse("web:people"), {"q": "a-store"}).content.decode()
    assert "a-store" in body and "a-regional" not in body


def test_invite_creates_the_user_and_membership(world, client):
    client.force_login(world.acme.user("country_admin"))
    response = client.post(
        reverse("web:people_invite"),
        {
            "username": "nina",
            "email": "nina@example.test",
            "first_name": "Nina",
            "unit_code": "AC1R2S1",
            "role": "manager",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="nina")
    assert membership.unit_id == world.acme.units["c1r2s1"].pk and membership.role == "manager"
    assert response["Location"] == f"/people/{membership.pk}/"
    assert not get_user_model().objects.get(username="nina").has_usable_password()


def test_invite_errors_name_the_field(world, client):
    client.force_login(world.acme.user("country_admin"))
    base = {
        "username": "a-store",
        "email": "x@example.test",
        "unit_code": "AC1R1",
        "role": "viewer",
    }
    taken = client.post(reverse("web:people_invite"), base)
    assert taken.status_code == 400
    assert _field_errors(taken.content.decode(), "username")
    outside = client.post(
        reverse("web:people_invite"), base | {"username": "new", "unit_code": "AC2"}
    )
    assert outside.status_code == 400
    assert _field_errors(outside.content.decode(), "unit_code")
    assert not get_user_model().objects.filter(username="new").exists()


def test_change_role_and_unit(world, client):
    acme = world.acme
    membership = acme.members["store"]
    client.force_login(acme.user("admin"))
    url = reverse("web:membership", args=[membership.pk])
    response = client.post(url, {"role": "viewer", "unit_code": "AC2R1", "title": "Coach"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.unit_id, membership.title) == (
        "viewer",
        acme.units["c2r1"].pk,
        "Coach",
    )
    bad = client.post(url, {"role": "viewer", "unit_code": "BC1"})
    assert bad.status_code == 400 and _field_errors(bad.content.decode(), "unit_code")


def test_own_membership_cannot_be_changed_or_revoked(world, client):
    acme = world.acme
    own = acme.members["admin"]
    client.force_login(acme.user("admin"))
    page = client.get(reverse("web:membership", args=[own.pk])).content.decode()
    assert "Another admin has to change or revoke it." in page
    changed = client.post(
        reverse("web:membership", args=[own.pk]), {"role": "viewer", "unit_code": "AROOT"}
    )
    assert changed.status_code in (400, 403)
    revoked = client.post(reverse("web:membership_revoke", args=[own.pk]))
    assert revoked.status_code == 400
    own.refresh_from_db()
    assert own.role == "admin"


def test_revoke_removes_access(world, client):
    acme = world.acme
    membership = acme.members["sibling_store"]
    client.force_login(acme.user("regional"))  # a manager, not an admin
    assert client.post(reverse("web:membership_revoke", args=[membership.pk])).status_code == 403
    client.force_login(acme.user("country_admin"))
    response = client.post(reverse("web:membership_revoke", args=[membership.pk]), YES)
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(action="membership.delete").exists()


def test_staff_list_search_and_unit_filter(world, client):
    client.force_login(world.acme.user("regional"))
    body = client.get(reverse("web:staff")).content.decode()
    assert "Clerk 1.1.1" in body and "Clerk 1.1.2" in body and "Clerk 1.2.1" not in body
    body = client.get(reverse("web:staff"), {"unit": "AC1R1S2"}).content.decode()
    assert "Clerk 1.1.2" in body and "Clerk 1.1.1" not in body
    body = client.get(reverse("web:staff"), {"unit": "AC2R1S1"}).content.decode()
    assert "Clerk" not in body.split("<h1>", 1)[1]
    assert _field_errors(body, "unit")
    assert "Add a staff member" not in body


def test_admin_adds_staff(world, client):
    client.force_login(world.acme.user("country_admin"))
    response = client.post(
        reverse("web:staff_add"),
        {"name": "Ana Pop", "code": "E-777", "unit_code": "AC1R2S2", "job_title": "Cashier"},
    )
    assert response.status_code == 302 and response["Location"] == "/staff/?unit=AC1R2S2"
    staff = Staff.objects.get(code="E-777")
    assert staff.unit_id == world.acme.units["c1r2s2"].pk and staff.job_title == "Cashier"
    dup = client.post(
        reverse("web:staff_add"), {"name": "Twin", "code": "E-777", "unit_code": "AC1R2S2"}
    )
    assert dup.status_code == 400 and _field_errors(dup.content.decode(), "code")


def test_audit_log_is_scoped_and_filtered_by_action(world, client):
    acme = world.acme
    client.force_login(acme.user("country_admin"))
    client.post(
        reverse("web:unit_create", args=[acme.units["c1r1"].pk]),
        {"name": "Audit Kiosk", "kind": "team", "code": "AK-1"},
    )
    body = client.get(reverse("web:audit"), {"action": "unit."}).content.decode()
    assert "Audit Kiosk" in body
    assert "membership.create" not in body
    assert "Region 2.1" not in body  # created in Country 2, outside this admin's subtree
    everything = client.get(reverse("web:audit")).content.decode()
    assert "membership.create" in everything
    assert client.get(reverse("web:audit"), {"action": "bogus"}).status_code == 200
