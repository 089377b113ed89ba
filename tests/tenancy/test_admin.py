"""Django admin: superusers see all; other staff only their membership's subtree, and every
admin save goes through the services into the audit log."""

import pytest

from tests.factories import make_member, make_user
from voxloop.accounts import services as account_services
from voxloop.accounts.models import ApiToken
from voxloop.contacts.models import Contact
from voxloop.tenancy.models import AuditEntry, Membership, OrgUnit, Staff

ADMIN = "/admin"


def staffify(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def region_admin(world):
    """A non-superuser staff admin of region c1r1 of acme."""
    acme = world.acme
    membership = make_member(acme.system, "region-admin", acme.units["c1r1"], "admin")
    return staffify(membership.user)


@pytest.fixture
def admin_client(client, region_admin):
    client.force_login(region_admin)
    return client


def changelist(client, model: str):
    response = client.get(f"{ADMIN}/{model}/")
    assert response.status_code == 200
    return list(response.context["cl"].queryset)


def unit_form(unit, **overrides):
    data = {
        "parent": unit.parent_id or "",
        "name": unit.name,
        "kind": unit.kind,
        "code": unit.code,
        "is_active": "on" if unit.is_active else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_region_admin_sees_only_the_region_subtree(admin_client, world):
    acme = world.acme
    units = {u.code for u in changelist(admin_client, "tenancy/orgunit")}
    assert units == {"AC1R1", "AC1R1S1", "AC1R1S2"}
    staff = {s.code for s in changelist(admin_client, "tenancy/staff")}
    assert staff == {"AE111", "AE112"}
    members = {m.user.username for m in changelist(admin_client, "tenancy/membership")}
    assert members == {
        "region-admin",
        "a-regional",
        "a-store",
        "a-sibling_store",
        "a-agent",
        "a-viewer",
    }
    organizations = changelist(admin_client, "tenancy/organization")
    assert [o.pk for o in organizations] == [acme.root.organization_id]
    entries = changelist(admin_client, "tenancy/auditentry")
    assert entries and all(e.unit_path.startswith(acme.units["c1r1"].path) for e in entries)


def test_out_of_scope_change_pages_are_not_reachable(admin_client, world):
    inside = world.acme.units["c1r1s1"]
    assert admin_client.get(f"{ADMIN}/tenancy/orgunit/{inside.pk}/change/").status_code == 200
    outside = [world.acme.units["c1r2"], world.acme.units["c1"], world.other.units["c1r1"]]
    for unit in outside:
        response = admin_client.get(f"{ADMIN}/tenancy/orgunit/{unit.pk}/change/")
        assert response.status_code == 302 and response["Location"] == f"{ADMIN}/"
        before = OrgUnit.objects.get(pk=unit.pk).name
        admin_client.post(
            f"{ADMIN}/tenancy/orgunit/{unit.pk}/change/", unit_form(unit, name="Hacked")
        )
        assert OrgUnit.objects.get(pk=unit.pk).name == before
    sibling_staff = Staff.objects.get(code="AE121")
    assert admin_client.get(f"{ADMIN}/tenancy/staff/{sibling_staff.pk}/change/").status_code == 302
    other_member = world.other.members["store"]
    url = f"{ADMIN}/tenancy/membership/{other_member.pk}/change/"
    assert admin_client.get(url).status_code == 302


def test_admin_rename_goes_through_the_service_into_the_audit_log(
    admin_client, world, region_admin
):
    store = world.acme.units["c1r1s1"]
    response = admin_client.post(
        f"{ADMIN}/tenancy/orgunit/{store.pk}/change/", unit_form(store, name="Flagship")
    )
    assert response.status_code == 302
    assert OrgUnit.objects.get(pk=store.pk).name == "Flagship"
    entry = AuditEntry.objects.filter(action="unit.update", target_id=str(store.pk)).latest("id")
    assert entry.actor == region_admin
    assert entry.changes == {"name": ["Store 1.1.1", "Flagship"]}


def test_parent_choices_are_scoped_and_moves_are_audited(admin_client, world):
    acme = world.acme
    response = admin_client.get(f"{ADMIN}/tenancy/orgunit/add/")
    choices = set(response.context["adminform"].form.fields["parent"].queryset)
    assert choices == {acme.units["c1r1"], acme.units["c1r1s1"], acme.units["c1r1s2"]}
    refused = admin_client.post(
        f"{ADMIN}/tenancy/orgunit/add/",
        {"parent": acme.units["c1r2"].pk, "name": "Pop-up", "kind": "store", "code": "POP"},
    )
    assert refused.status_code == 200 and refused.context["adminform"].form.errors["parent"]
    assert not OrgUnit.objects.filter(code="POP").exists()
    created = admin_client.post(
        f"{ADMIN}/tenancy/orgunit/add/",
        {"parent": acme.units["c1r1s1"].pk, "name": "Kiosk", "kind": "team", "code": "KIOSK"},
    )
    assert created.status_code == 302
    kiosk = OrgUnit.objects.get(code="KIOSK")
    assert kiosk.path.startswith(acme.units["c1r1s1"].path) and kiosk.depth == 4
    assert AuditEntry.objects.filter(action="unit.create", target_id=str(kiosk.pk)).exists()
    moved = admin_client.post(
        f"{ADMIN}/tenancy/orgunit/{kiosk.pk}/change/",
        unit_form(kiosk, parent=acme.units["c1r1s2"].pk),
    )
    assert moved.status_code == 302
    kiosk.refresh_from_db()
    assert kiosk.parent_id == acme.units["c1r1s2"].pk
    assert kiosk.path.startswith(acme.units["c1r1s2"].path)
    assert AuditEntry.objects.filter(action="unit.move", target_id=str(kiosk.pk)).exists()


def test_refused_move_is_a_message_not_a_500(admin_client, world):
    region = world.acme.units["c1r1"]  # the admin's own root: the service refuses to move it
    response = admin_client.post(
        f"{ADMIN}/tenancy/orgunit/{region.pk}/change/",
        unit_form(region, parent=world.acme.units["c1r1s1"].pk),
    )
    assert response.status_code == 302
    assert OrgUnit.objects.get(pk=region.pk).parent_id == world.acme.units["c1"].pk
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("cannot move" in m for m in messages)


def test_token_revoke_action_only_reaches_tokens_in_scope(admin_client, world):
    acme = world.acme
    mine = account_services.create_token(membership=acme.members["store"], name="in region")
    theirs = account_services.create_token(membership=acme.members["analyst"], name="country level")
    foreign = account_services.create_token(
        membership=world.other.members["store"], name="other org"
    )
    listed = {t.pk for t in changelist(admin_client, "accounts/apitoken")}
    assert listed == {mine.token.pk}
    response = admin_client.post(
        f"{ADMIN}/accounts/apitoken/",
        {
            "action": "revoke",
            "_selected_action": [mine.token.pk, theirs.token.pk, foreign.token.pk],
            "index": 0,
        },
    )
    assert response.status_code == 302
    revoked = set(ApiToken.objects.filter(revoked_at__isnull=False).values_list("pk", flat=True))
    assert revoked == {mine.token.pk}
    assert AuditEntry.objects.filter(action="token.revoke", target_id=str(mine.token.pk)).exists()


def test_membership_role_change_and_revoke_are_audited(admin_client, world):
    viewer = world.acme.members["viewer"]
    response = admin_client.post(
        f"{ADMIN}/tenancy/membership/{viewer.pk}/change/",
        {"unit": viewer.unit_id, "role": "analyst", "title": "Insights"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=viewer.pk).role == "analyst"
    assert AuditEntry.objects.filter(action="membership.update", target_id=str(viewer.pk)).exists()
    response = admin_client.post(f"{ADMIN}/tenancy/membership/{viewer.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=viewer.pk).exists()
    assert AuditEntry.objects.filter(action="membership.delete").exists()


def test_audit_log_is_read_only_even_for_superusers(client, world):
    superuser = make_user("root", is_superuser=True)
    client.force_login(superuser)
    entry = AuditEntry.objects.first()
    url = f"{ADMIN}/tenancy/auditentry/{entry.pk}/"
    assert client.get(url + "change/").status_code == 200
    assert client.post(url + "delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{ADMIN}/tenancy/auditentry/add/").status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_superuser_sees_every_organisation_and_is_named_in_the_audit(client, world):
    superuser = make_user("root", is_superuser=True)
    client.force_login(superuser)
    units = changelist(client, "tenancy/orgunit")
    assert len(units) == OrgUnit.objects.count()
    other_store = world.other.units["c2r2s2"]
    response = client.post(
        f"{ADMIN}/tenancy/orgunit/{other_store.pk}/change/", unit_form(other_store, name="B-Shop")
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="unit.update").latest("id")
    assert entry.actor == superuser and entry.organization_id == other_store.organization_id


def test_staff_with_a_non_admin_role_may_look_but_not_change(client, world):
    manager = staffify(world.acme.user("regional"))
    client.force_login(manager)
    units = {u.code for u in changelist(client, "tenancy/orgunit")}
    assert units == {"AC1R1", "AC1R1S1", "AC1R1S2"}
    store = world.acme.units["c1r1s1"]
    response = client.post(
        f"{ADMIN}/tenancy/orgunit/{store.pk}/change/", unit_form(store, name="Mine now")
    )
    assert response.status_code == 403
    assert OrgUnit.objects.get(pk=store.pk).name == "Store 1.1.1"
    assert client.get(f"{ADMIN}/tenancy/membership/").status_code == 403


def test_staff_without_membership_sees_nothing(client, world):
    client.force_login(staffify(world.loner))
    index = client.get(f"{ADMIN}/")
    assert index.status_code == 200
    assert index.context["app_list"] == []
    assert client.get(f"{ADMIN}/tenancy/orgunit/").status_code == 403


def test_contacts_admin_is_scoped_and_saves_are_audited(admin_client, world):
    acme, other = world.acme, world.other
    for key, org in (("c1r1s1", acme), ("c1r2s1", acme), ("c1r1s1", other)):
        unit = org.units[key]
        Contact.objects.create(
            organization_id=unit.organization_id,
            home_unit=unit,
            unit_path=unit.path,
            external_id=f"{org.root.organization.slug}-{key}",
        )
    visible = {c.external_id for c in changelist(admin_client, "contacts/contact")}
    assert visible == {"acme-c1r1s1"}
    response = admin_client.post(
        f"{ADMIN}/contacts/contact/add/",
        {
            "home_unit": acme.units["c1r1s2"].pk,
            "external_id": "NEW-1",
            "email": "new@example.test",
            "locale": "en",
            "timezone": "UTC",
            "attributes": "{}",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get(external_id="NEW-1")
    assert contact.unit_path == acme.units["c1r1s2"].path
    assert contact.organization_id == acme.root.organization_id
    assert AuditEntry.objects.filter(action="contact.bulk_create").exists()
    outside = Contact.objects.get(external_id="acme-c1r2s1")
    assert admin_client.get(f"{ADMIN}/contacts/contact/{outside.pk}/change/").status_code == 302
