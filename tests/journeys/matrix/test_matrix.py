"""Who may call each journeys operation and open each journeys page: every actor × every one,
against Acme's company-wide "Buy in store" journey and a journey owned by store c1r1s1.
Journeys are read (with figures in the reader's own subtree) by every member who sees their
owner's unit; a neighbouring store and another tenant find nothing (404); they are edited by
the admins whose subtree holds their owner (a country admin does not own a company-wide
journey: 404). Changes roll back after each request."""

from __future__ import annotations

import pytest

from tests.analytics.support import cx_survey
from tests.api.support import MEMBER_ACTORS as MEMBERS
from tests.journeys.support import buy_in_store, define_types
from tests.matrix_check import check_api, check_page, operations_of
from tests.privacy.support import built_once
from voxloop.journeys import services
from voxloop.journeys.api import router as journeys_router
from voxloop.journeys.models import Stage, Touchpoint

ACTORS = (*MEMBERS, "loner", "anonymous")
ACME = tuple(a for a in MEMBERS if a != "other_admin")
NEAR_MINE = (
    "admin",
    "country_admin",
    "regional",
    "store",
    "agent",
    "viewer",
    "analyst",
    "director",
)


def _row(ok, signed_out, *, allowed=MEMBERS, outside=(), other_admin=404) -> dict:
    row = dict.fromkeys(MEMBERS, 403)
    row.update(dict.fromkeys(allowed, ok))
    row.update(dict.fromkeys(outside, 404))
    row.update(other_admin=other_admin, loner=403, anonymous=signed_out)
    return row


def _readers(ok, signed_out) -> dict:
    return _row(ok, signed_out, allowed=ACME)


def _owner(ok, signed_out) -> dict:
    """Only Acme's root admin owns the company-wide journey; a country admin gets 404."""
    return _row(ok, signed_out, allowed=("admin",), outside=("country_admin",))


API = {
    "api:journeys": ("get", "/journeys", None, _row(200, 401, other_admin=200)),
    "api:journey_create": (
        "post",
        "/journeys",
        {"name": "New"},
        _row(201, 401, allowed=("admin", "country_admin"), other_admin=201),
    ),
    "api:journey": ("get", "/journeys/{journey}", None, _readers(200, 401)),
    "api:journey_update": ("patch", "/journeys/{journey}", {"name": "Renamed"}, _owner(200, 401)),
    "api:journey_delete": ("delete", "/journeys/{journey}", None, _owner(204, 401)),
    "api:journey_map": ("get", "/journeys/{journey}/map", None, _readers(200, 401)),
    "api:journey_analytics": ("get", "/journeys/{journey}/analytics", None, _readers(200, 401)),
}
# The store's own journey: its sibling store and the other tenant find nothing.
MINE = {
    "api:journey": (
        "get",
        "/journeys/{mine}",
        _row(200, 401, allowed=NEAR_MINE, outside=("sibling_store",)),
    ),
    "api:journey_map": (
        "get",
        "/journeys/{mine}/map",
        _row(200, 401, allowed=NEAR_MINE, outside=("sibling_store",)),
    ),
}
PAGES = {
    "journeys:list": ("GET", "/journeys/", None, _row(200, "login", other_admin=200)),
    "journeys:create": (
        "GET",
        "/journeys/new/",
        None,
        _row(200, "login", allowed=("admin", "country_admin"), other_admin=200),
    ),
    "journeys:map": ("GET", "/journeys/{journey}/", None, _readers(200, "login")),
    "journeys:insights": ("GET", "/journeys/{journey}/analytics/", None, _readers(200, "login")),
    "journeys:export": ("GET", "/journeys/{journey}/export.csv", None, _readers(200, "login")),
    "journeys:edit": ("GET", "/journeys/{journey}/edit/", None, _owner(200, "login")),
    "journeys:delete": ("POST", "/journeys/{journey}/delete/", {}, _owner(302, "login")),
    "journeys:stage_add": (
        "POST",
        "/journeys/{journey}/stages/",
        {"new-name": "Return"},
        _owner(302, "login"),
    ),
    "journeys:reorder": (
        "POST",
        "/journeys/{journey}/order/",
        {"order": "{order}"},
        _owner(302, "login"),
    ),
    "journeys:stage_action": (
        "POST",
        "/journeys/stages/{stage}/",
        {"action": "down"},
        _owner(302, "login"),
    ),
    "journeys:touchpoint": (
        "POST",
        "/journeys/touchpoints/{touchpoint}/",
        {"action": "up"},
        _owner(302, "login"),
    ),
}
JOURNEYS_API_MATRIX = {name: row for name, (_, _, _, row) in API.items()}
JOURNEYS_PAGE_MATRIX = {name: row for name, (_, _, _, row) in PAGES.items()}


def _make(world) -> dict:
    acme = world.acme
    survey = cx_survey(acme)
    journey = buy_in_store(acme, survey, define_types(acme))
    mine = services.create_journey(
        scope=acme.scope("admin"), unit=acme.units["c1r1s1"], name="Store's own"
    )
    stages = list(Stage.objects.filter(journey=journey).order_by("position"))
    return {
        "journey": journey.pk,
        "mine": mine.pk,
        "stage": stages[0].pk,
        "touchpoint": Touchpoint.objects.filter(stage__journey=journey).first().pk,
        "order": ",".join(str(s.pk) for s in reversed(stages)),
    }


built = built_once(_make)


@pytest.mark.parametrize("name", sorted(API))
def test_journeys_api_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, body, row = API[name]
    check_api(world, name, ACTORS, row, method=method, path=path.format(**made), body=body)


@pytest.mark.parametrize("name", sorted(MINE))
def test_a_stores_own_journey_stays_in_its_branch(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, row = MINE[name]
    check_api(world, name, ACTORS, row, method=method, path=path.format(**made))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_journeys_page_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, data, row = PAGES[name]
    path, data = path.format(**made), {k: v.format(**made) for k, v in (data or {}).items()}
    check_page(world, name, ACTORS, row, method=method, path=path, data=data)


def test_matrix_covers_every_journeys_operation():
    operations = operations_of(journeys_router)
    assert set(JOURNEYS_API_MATRIX) == operations
