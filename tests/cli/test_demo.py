"""`voxloop demo`: a deterministic Northwind Group, its size and date from the command line.

Seeding is slow even small, so the command is run three times in all, here; what the demo
contains is read from one seeded demo in tests/demo."""

from datetime import UTC, datetime

import pytest

from voxloop.contacts.models import Account, Contact
from voxloop.demo import DEMO_PASSWORD
from voxloop.responses.models import Response
from voxloop.tenancy.models import Organization, OrgUnit, Staff

pytestmark = pytest.mark.django_db

SIZE_FLAGS = ["--stores", "12", "--staff", "30", "--accounts", "4", "--contacts", "200",
              "--responses", "400", "--as-of", "2026-03-01"]  # fmt: skip


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
        "responses": list(
            Response.objects.order_by("pk").values_list(
                "survey__name", "unit__code", "staff__code", "contact__external_id", "nps",
                "csat", "ces", "submitted_at", "locale", "channel", "device", "answers",
            )
        ),
    }  # fmt: skip


def test_demo_seeds_refuses_then_resets_the_same_for_a_seed_other_for_another(voxloop):
    first = voxloop("demo", "--seed", "9", *SIZE_FLAGS)
    assert first.code == 0, first.err
    assert "director" in first.out and DEMO_PASSWORD in first.out
    assert "400 responses to 4 surveys" in first.out
    assert "Stores whose scores slide over the last three months:" in first.out
    assert Response.objects.count() == 400
    latest = Response.objects.order_by("-submitted_at").first().submitted_at
    assert datetime(2026, 2, 1, tzinfo=UTC) < latest < datetime(2026, 3, 1, tzinfo=UTC)
    seeded = snapshot()
    again = voxloop("demo", *SIZE_FLAGS)
    assert again.code == 0 and "already exists" in again.out
    before = set(Contact.objects.values_list("pk", flat=True))
    reset = voxloop("demo", "--reset", "--seed", "9", *SIZE_FLAGS)
    assert reset.code == 0, reset.err
    after = set(Contact.objects.values_list("pk", flat=True))
    assert len(after) == 200 and not before & after
    assert Organization.objects.filter(slug="demo").count() == 1
    assert snapshot() == seeded  # the same seed and date: the same people and responses
    other = voxloop("demo", "--reset", "--seed", "10", *SIZE_FLAGS)
    assert other.code == 0, other.err
    changed = snapshot()
    assert [c for c, _ in changed["units"]] == [c for c, _ in seeded["units"]]
    for part in ("staff", "contacts", "responses"):
        assert changed[part] != seeded[part], part


def test_demo_refuses_to_take_over_a_real_users_name(voxloop):
    from tests.factories import make_user

    make_user("director")
    result = voxloop("demo", *SIZE_FLAGS)
    assert result.code != 0
    assert result.err_lines == [
        "voxloop: error: a user named 'director' already exists outside the demo; rename it first"
    ]
    assert not Organization.objects.filter(slug="demo").exists()
