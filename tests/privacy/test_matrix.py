"""Who may open each privacy page and call each privacy operation: every actor × every one,
against Ann at store c1r1s1 of Acme. Expectations are written out by hand; each request's
changes roll back to the world built once for the module."""

from __future__ import annotations

import pytest

from tests.api.support import MEMBER_ACTORS as MEMBERS
from tests.contacts.helpers import add_contact
from tests.factories import YES
from tests.matrix_check import check_api, check_page, operations_of
from tests.privacy.support import built_once
from voxloop.privacy.api import router as privacy_router

ACTORS = (*MEMBERS, "loner", "anonymous")


def _row(default, signed_out, **exceptions) -> dict:
    row = dict.fromkeys(MEMBERS, default)
    row.update(loner=403, anonymous=signed_out)
    row.update(exceptions)
    return row


# Everyone reads the policy; the top unit's admins (each tenant's own) change it and see
# what it would delete.
TOP_ADMINS = {"admin": 200, "other_admin": 200}
PRIVACY_API = {
    "api:privacy_policy": ("get", "/privacy/policy", None, _row(200, 401)),
    "api:privacy_policy_update": (
        "patch",
        "/privacy/policy",
        {"audit_days": 400},
        _row(403, 401, **TOP_ADMINS),
    ),
    "api:privacy_retention": (
        "get",
        "/privacy/retention?response_days=90",
        None,
        _row(403, 401, **TOP_ADMINS),
    ),
}
SEES_ANN = ("admin", "country_admin", "regional", "store", "agent", "viewer", "analyst")
PAGES = {
    "contacts:detail": (
        "GET",
        "/contacts/{ann}/",
        None,
        # A viewer reads figures only: a contact is a record (docs/security.md).
        _row(404, "login", **{**dict.fromkeys((*SEES_ANN, "director"), 200), "viewer": 403}),
    ),
    "contacts:export": (
        "GET",
        "/contacts/{ann}/export/",
        None,
        _row(403, "login", admin=200, director=200, other_admin=404),
    ),
    "contacts:erase": (
        "POST",
        "/contacts/{ann}/erase/",
        {},
        _row(403, "login", admin=302, other_admin=404),
    ),
    "privacy:settings": (
        "POST",
        "/privacy/",
        {"audit_days": "400", "confirmed": ",,,400,"},
        _row(403, "login", admin=302, other_admin=302),
    ),
}
PRIVACY_API_MATRIX = {name: row for name, (_, _, _, row) in PRIVACY_API.items()}
PRIVACY_PAGE_MATRIX = {name: row for name, (_, _, _, row) in PAGES.items()}
# The same pages read (GET) before anything changes: the erasure's confirmation page and
# the settings page are shown to admins only.
READ_PAGES = {
    "contacts:erase": _row(403, "login", admin=200, country_admin=403, other_admin=404),
    "privacy:settings": _row(403, "login", admin=200, country_admin=200, other_admin=200),
}


built = built_once(lambda world: {"ann": add_contact(world.acme, "c1r1s1", "ANN").pk})


@pytest.mark.parametrize("name", sorted(PRIVACY_API))
def test_privacy_api_matrix(world, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, body, row = PRIVACY_API[name]
    check_api(world, name, ACTORS, row, method=method, path=path, body=body)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_privacy_page_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, data, row = PAGES[name]
    path, data = path.format(**made), YES | (data or {})
    check_page(world, name, ACTORS, row, method=method, path=path, data=data)


@pytest.mark.parametrize("name", sorted(READ_PAGES))
def test_privacy_pages_read_before_acting(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    path = PAGES[name][1].format(**made)
    check_page(world, name, ACTORS, READ_PAGES[name], method="GET", path=path)


def test_matrix_covers_every_privacy_operation():
    operations = operations_of(privacy_router)
    assert set(PRIVACY_API_MATRIX) == operations
