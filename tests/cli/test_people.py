"""`createuser` and `token`: the printed token authenticates, with the membership's scope."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import build_org
from voxloop.accounts.services import authenticate_token
from voxloop.tenancy.models import Membership

pytestmark = pytest.mark.django_db


def test_createuser_gives_a_role_at_a_unit(voxloop):
    build_org("acme", "A")
    result = voxloop(
        "createuser",
        "--username",
        "mia",
        "--email",
        "mia@example.test",
        "--password",
        "a-long-password-42",
        "--org",
        "acme",
        "--unit",
        "AC1R1S1",
        "--role",
        "manager",
    )
    assert result.code == 0, result.err
    membership = Membership.objects.select_related("unit", "user").get(user__username="mia")
    assert (membership.unit.code, membership.role) == ("AC1R1S1", "manager")
    assert membership.user.check_password("a-long-password-42")


def test_createuser_without_unit_is_at_the_root_and_without_password_unusable(voxloop):
    acme = build_org("acme", "A")
    result = voxloop("createuser", "--username", "zoe", "--org", "acme", "--role", "viewer")
    assert result.code == 0, result.err
    assert Membership.objects.get(user__username="zoe").unit == acme.root
    assert not get_user_model().objects.get(username="zoe").has_usable_password()


def test_printed_token_authenticates_until_revoked(voxloop):
    acme = build_org("acme", "A")
    result = voxloop("token", "create", "a-store", "--name", "crm sync")
    assert result.code == 0, result.err
    secret = result.out.strip()
    assert "\n" not in secret
    token = authenticate_token(secret=secret)
    assert token is not None and token.membership == acme.members["store"]
    assert token.name == "crm sync"
    listed = voxloop("token", "list", "a-store")
    assert str(token.pk) in listed.out and secret not in listed.out
    revoked = voxloop("token", "revoke", str(token.pk))
    assert revoked.code == 0, revoked.err
    assert authenticate_token(secret=secret) is None


def test_token_for_a_user_in_several_organisations_needs_org(voxloop):
    acme = build_org("acme", "A")
    other = build_org("globex", "G")
    from voxloop.tenancy import services

    services.grant_membership(
        actor=other.system, user=acme.user("store"), unit=other.root, role="viewer"
    )
    result = voxloop("token", "create", "a-store")
    assert result.code != 0 and "--org" in result.err_lines[0]
    chosen = voxloop("token", "create", "a-store", "--org", "globex")
    assert authenticate_token(secret=chosen.out.strip()).membership.organization.slug == "globex"
