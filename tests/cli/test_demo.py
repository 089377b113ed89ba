"""`voxloop demo`: a deterministic Northwind Group with the right tree and logins per role."""

import pytest

from voxloop.contacts.models import Account, Contact
from voxloop.demo import DEMO_PASSWORD, DemoSize, seed_demo
from voxloop.tenancy.models import Membership, Organization, OrgUnit, Staff
from voxloop.tenancy.scoping import Scope
from voxloop.tenancy.services import delete_organization

pytestmark = pytest.mark.django_db

SMALL = DemoSize(stores=14, staff=60, accounts=8, contacts=300)
SIZE_FLAGS = ["--stores", "14", "--staff", "60", "--accounts", "8", "--contacts", "300"]


def snapshot() -> dict:
    org = Organization.objects.get(slug="demo")
    return {
        "units": list(
            OrgUnit.objects.filter(organization=org).order_by("code").values_list("code", "name")
        ),
        "staff": list(
            Staff.objects.filter(organization=org)
            .order_by("code")
            .values_list("code", "name", "unit__code")
        ),
        "contacts": list(
            Contact.objects.filter(organization=org)
            .order_by("external_id")
            .values_list("external_id", "first_name", "last_name", "home_unit__code", "locale")
        ),
        "accounts": list(
            Account.objects.filter(organization=org)
            .order_by("external_id")
            .values_list("external_id", "name", "tier", "owner__username")
        ),
    }


def test_same_seed_same_demo_other_seed_other_people():
    seed_demo(SMALL, seed=5)
    first = snapshot()
    delete_organization(slug="demo")
    seed_demo(SMALL, seed=5)
    assert snapshot() == first
    delete_organization(slug="demo")
    seed_demo(SMALL, seed=6)
    other = snapshot()
    assert [c for c, _ in other["units"]] == [c for c, _ in first["units"]]
    assert other["staff"] != first["staff"] and other["contacts"] != first["contacts"]


def test_tree_shape():
    result = seed_demo(SMALL, seed=1)
    units = OrgUnit.objects.filter(organization=result.organization)
    root = units.get(parent=None)
    countries = units.filter(kind="country")
    assert {c.name for c in countries} == {"United Kingdom", "Romania", "Japan"}
    assert all(c.parent_id == root.pk for c in countries)
    regions = units.filter(kind="region")
    assert regions.count() == 10 and all(r.parent.kind == "country" for r in regions)
    stores = units.filter(kind="store")
    assert stores.count() == 14 and all(s.parent.kind == "region" for s in stores)
    assert sorted(s.code for s in stores)[:2] == ["S-0001", "S-0002"]
    division = units.get(kind="division")
    assert division.parent_id == root.pk
    assert units.filter(kind="team", parent=division).count() == 4
    assert Staff.objects.filter(organization=result.organization).count() == 60
    accounts = Account.objects.filter(organization=result.organization)
    assert accounts.count() == 8 and all(a.owner and a.unit.kind == "team" for a in accounts)
    contacts = Contact.objects.filter(organization=result.organization)
    assert contacts.count() == 300 and contacts.filter(account__isnull=False).exists()


def test_contacts_speak_the_language_of_their_country():
    seed_demo(DemoSize(stores=10, staff=0, accounts=0, contacts=600), seed=3)
    timezone_of = {"GB": "Europe/London", "RO": "Europe/Bucharest", "JP": "Asia/Tokyo"}
    locales = set()
    for contact in Contact.objects.select_related("home_unit__parent__parent"):
        country = contact.home_unit.parent.parent
        assert contact.timezone == timezone_of[country.code]
        assert contact.locale in {"en", "zh-hans", "ja", "ro"}
        assert {"tenure_months", "segment", "products", "spend_band"} <= set(contact.attributes)
        locales.add(contact.locale)
    assert {"en", "ja", "ro"} <= locales


def scope_of(username: str) -> Scope:
    return Scope.of(Membership.objects.select_related("unit", "user").get(user__username=username))


def test_each_login_sees_its_part_of_the_company(client):
    result = seed_demo(SMALL, seed=2)
    all_units = OrgUnit.objects.filter(organization=result.organization).count()
    assert scope_of("director").units().count() == all_units
    assert scope_of("director").role == "analyst" and scope_of("admin").role == "admin"
    regional = scope_of("regional")
    assert {u.kind for u in regional.units()} == {"region", "store"}
    store = scope_of("store")
    assert [u.kind for u in store.units()] == ["store"]
    assert store.units().get().parent_id == regional.unit_id
    assert scope_of("agent").unit_id == store.unit_id and scope_of("agent").role == "agent"
    manager = scope_of("accountmgr")
    owned = Account.objects.filter(owner__username="accountmgr")
    visible = manager.filter(Account.objects.all(), path_field="unit_path")
    assert owned.exists() and set(owned) <= set(visible)
    assert (
        not manager.filter(Contact.objects.all(), path_field="unit_path")
        .filter(account__isnull=True)
        .exists()
    )
    assert client.login(username="store", password=DEMO_PASSWORD)
    assert Membership.objects.get(user__username="admin").user.is_staff


def test_demo_command_seeds_then_refuses_then_resets(voxloop):
    first = voxloop("demo", "--seed", "9", *SIZE_FLAGS)
    assert first.code == 0, first.err
    assert "director" in first.out and DEMO_PASSWORD in first.out
    again = voxloop("demo", *SIZE_FLAGS)
    assert again.code == 0 and "already exists" in again.out
    before = set(Contact.objects.values_list("pk", flat=True))
    reset = voxloop("demo", "--reset", "--seed", "9", *SIZE_FLAGS)
    assert reset.code == 0, reset.err
    after = set(Contact.objects.values_list("pk", flat=True))
    assert len(after) == 300 and not before & after
    assert Organization.objects.filter(slug="demo").count() == 1


def test_demo_refuses_to_take_over_a_real_users_name(voxloop):
    from tests.factories import make_user

    make_user("director")
    result = voxloop("demo", *SIZE_FLAGS)
    assert result.code != 0
    assert result.err_lines == [
        "voxloop: error: a user named 'director' already exists outside the demo; rename it first"
    ]
    assert not Organization.objects.filter(slug="demo").exists()
