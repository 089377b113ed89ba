"""`voxloop init`: the organisation, its root unit and its first admin, once."""

import pytest
from django.contrib.auth import get_user_model

from voxloop.tenancy.models import Membership, Organization, OrgUnit

pytestmark = pytest.mark.django_db

FLAGS = [
    "init",
    "--username",
    "ada",
    "--email",
    "ada@example.test",
    "--password",
    "a-long-admin-password-1",
    "--organization",
    "Acme Retail",
]


def test_init_creates_the_organisation_and_its_admin(voxloop):
    result = voxloop(*FLAGS)
    assert result.code == 0, result.err
    org = Organization.objects.get(slug="acme-retail")
    root = OrgUnit.objects.get(organization=org, parent=None)
    membership = Membership.objects.get(user__username="ada")
    assert (membership.organization, membership.unit, membership.role) == (org, root, "admin")
    user = membership.user
    assert user.is_staff and user.check_password("a-long-admin-password-1")


def test_init_again_changes_nothing(voxloop):
    assert voxloop(*FLAGS).code == 0
    again = voxloop(*FLAGS)
    assert again.code == 0 and "Already initialised" in again.out
    bare = voxloop("init")
    assert bare.code == 0 and "already initialised" in bare.out
    assert Organization.objects.count() == 1
    assert get_user_model().objects.count() == 1 and Membership.objects.count() == 1


def test_init_without_flags_off_a_terminal_says_what_is_missing(voxloop):
    result = voxloop("init")
    assert result.code != 0
    assert result.err_lines == [
        "voxloop: error: missing --organization (or run interactively to be asked)"
    ]
    assert not Organization.objects.exists()


def test_init_refuses_a_weak_password(voxloop):
    argv = ["123" if arg == "a-long-admin-password-1" else arg for arg in FLAGS]
    result = voxloop(*argv)
    assert result.code != 0 and len(result.err_lines) == 1
    assert "password" in result.err_lines[0]
    assert not get_user_model().objects.filter(username="ada").exists()
    assert not Organization.objects.exists()


def test_init_no_admin_only_prepares_the_database(voxloop):
    result = voxloop("init", "--no-admin")
    assert result.code == 0 and "Database ready" in result.out
    assert not Organization.objects.exists()
