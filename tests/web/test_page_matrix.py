"""Every page of the web shell, for every kind of actor: who gets the page, who gets 403,
who gets 404, and who is sent to sign in. Expectations come from the test world's layout
(unit keys such as c1r1s1 nest by prefix), not from the scoping code under test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from tests.factories import YES
from tests.matrix_check import check_each
from tests.web.matrix_world import ModuleWorld
from voxloop.tenancy.models import Membership, OrgUnit
from voxloop.web import urls as web_urls

# actor → (organisation, unit key, role); None for people without a membership.
ACTORS: dict[str, tuple[str, str, str] | None] = {
    "admin": ("acme", "root", "admin"),
    "country_admin": ("acme", "c1", "admin"),
    "regional": ("acme", "c1r1", "manager"),
    "store": ("acme", "c1r1s1", "manager"),
    "sibling_store": ("acme", "c1r1s2", "manager"),
    "agent": ("acme", "c1r1s1", "agent"),
    "viewer": ("acme", "c1r1", "viewer"),
    "analyst": ("acme", "c1", "analyst"),
    "director": ("acme", "root", "analyst"),
    "other_admin": ("other", "root", "admin"),
    "loner": None,
    "anonymous": None,
}
# Where each factory member sits, so membership targets have a unit to be visible or not.
MEMBER_UNITS = {"admin": "root", "director": "root", "analyst": "c1", "store": "c1r1s1"}
MEMBER_UNITS |= {"sibling_store": "c1r1s2", "regional": "c1r1"}

UNIT_TARGETS = [
    ("acme", "c1r1s1"),  # the store manager's own store
    ("acme", "c1r1s2"),  # its sibling store
    ("acme", "c2r1"),  # another country's region
    ("acme", "root"),  # the company
    ("other", "c1r1s1"),  # another organisation's store
]
MEMBERSHIP_TARGETS = [
    ("acme", "store"),
    ("acme", "sibling_store"),
    ("acme", "analyst"),
    ("acme", "director"),
    ("other", "store"),
]
# Not every actor × every unit (most of those repeat one rule): the pairs that tell the scope
# rules apart. Every actor at a unit in its reach (so each role rule is tried), and each way
# out of reach: another tenant's unit, a sibling store, another country, a unit above one's own.
_OWN_STORE = ("acme", "c1r1s1")
UNIT_PAIRS: list[tuple[str, tuple[str, str]]] = [
    ("admin", ("acme", "root")),
    ("admin", ("other", "c1r1s1")),  # another tenant's store
    ("country_admin", _OWN_STORE),
    ("country_admin", ("acme", "c2r1")),  # another country's region
    ("regional", ("acme", "c1r1s2")),
    ("regional", ("acme", "root")),  # above their own unit
    ("store", _OWN_STORE),
    ("store", ("acme", "c1r1s2")),  # the sibling store
    ("sibling_store", _OWN_STORE),  # ... and the other way round
    ("agent", _OWN_STORE),
    ("viewer", _OWN_STORE),
    ("analyst", _OWN_STORE),
    ("analyst", ("acme", "c2r1")),
    ("director", ("acme", "c2r1")),
    ("other_admin", _OWN_STORE),  # another tenant's admin
    ("other_admin", ("other", "c1r1s1")),
    ("loner", _OWN_STORE),
    ("anonymous", _OWN_STORE),
]
# Membership pages are for admins only: every other actor is refused before any lookup, so
# one target each; the admins try memberships in and out of their reach.
MEMBERSHIP_PAIRS: list[tuple[str, tuple[str, str]]] = [
    ("admin", ("acme", "director")),
    ("admin", ("other", "store")),  # another tenant's member
    ("country_admin", ("acme", "sibling_store")),
    ("country_admin", ("acme", "analyst")),
    ("country_admin", ("acme", "director")),  # a member above their country
    ("other_admin", ("acme", "store")),
    ("other_admin", ("other", "store")),
] + [
    (actor, ("acme", "store"))
    for actor in ACTORS
    if actor not in ("admin", "country_admin", "other_admin")
]


@dataclass(frozen=True)
class Page:
    method: str = "GET"
    admin_only: bool = False
    records: bool = False  # individual records: refused to the aggregate-only viewer
    acts: bool = False  # hands work to others: managers and admins only
    targets: str = ""  # "" (no object), "unit", "membership" or "switch"
    ok: int = 200  # status when the actor may use the page with the data below
    data: Callable[[object, object], dict] = field(default=lambda world, target: {})


def _unit_edit(world, unit: OrgUnit) -> dict:
    return {
        "name": f"{unit.name} (renamed)",
        "kind": unit.kind,
        "code": unit.code,
        "is_active": "on",
    }


def _new_child(world, unit: OrgUnit) -> dict:
    return {"name": "Pop-up store", "kind": "store", "code": f"NEW-{unit.pk}"}


PAGES: dict[str, Page] = {
    "web:home": Page(),
    "web:switch": Page(method="POST", targets="switch", ok=302),
    "web:units": Page(),
    "web:unit": Page(targets="unit"),
    "web:unit_create": Page("POST", admin_only=True, targets="unit", ok=302, data=_new_child),
    "web:unit_update": Page("POST", admin_only=True, targets="unit", ok=302, data=_unit_edit),
    # An empty move form: the actor is let in and told which field is missing.
    "web:unit_move": Page("POST", admin_only=True, targets="unit", ok=400),
    "web:staff": Page(records=True),
    "web:staff_add": Page("POST", admin_only=True, ok=400),
    "web:people": Page(admin_only=True),
    "web:people_invite": Page("POST", admin_only=True, ok=400),
    "web:membership": Page(admin_only=True, targets="membership"),
    "web:membership_revoke": Page("POST", admin_only=True, targets="membership", ok=302),
    "web:audit": Page(admin_only=True),
    "web:pick_units": Page(),
    "web:pick_people": Page(acts=True),
}


def _pairs(page: Page) -> list:
    if page.targets == "unit":
        return UNIT_PAIRS
    if page.targets == "membership":
        return MEMBERSHIP_PAIRS
    targets = ["own", ("other", "store")] if page.targets == "switch" else [None]
    return [(actor, target) for actor in ACTORS for target in targets]


def _sees(actor: str, org: str, unit_key: str) -> bool:
    actor_org, actor_unit, _ = ACTORS[actor]
    return actor_org == org and (actor_unit == "root" or unit_key.startswith(actor_unit))


def expected_status(name: str, actor: str, target) -> int | str:
    page = PAGES[name]
    if actor == "anonymous":
        return "login"
    if page.targets == "switch":
        return page.ok if target == "own" and ACTORS[actor] else 404
    if actor == "loner":
        return 200 if name == "web:home" else 403
    if page.admin_only and ACTORS[actor][2] != "admin":
        return 403
    if page.records and ACTORS[actor][2] == "viewer":
        return 403
    if page.acts and ACTORS[actor][2] not in ("admin", "manager"):
        return 403
    if page.targets == "unit" and not _sees(actor, target[0], target[1]):
        return 404
    if page.targets == "membership" and not _sees(actor, target[0], MEMBER_UNITS[target[1]]):
        return 404
    return page.ok


PAGE_MATRIX: dict[str, dict[tuple[str, object], int | str]] = {
    name: {(actor, target): expected_status(name, actor, target) for actor, target in _pairs(page)}
    for name, page in PAGES.items()
}


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), ModuleWorld() as world:
        yield world


def _org(world, name: str):
    return world.acme if name == "acme" else world.other


def _url_and_object(world, name: str, actor: str, target):
    page = PAGES[name]
    if page.targets == "unit":
        unit = _org(world, target[0]).units[target[1]]
        return reverse(name, kwargs={"unit_id": unit.pk}), OrgUnit.objects.get(pk=unit.pk)
    if page.targets == "membership":
        membership = _org(world, target[0]).members[target[1]]
        return reverse(name, kwargs={"membership_id": membership.pk}), membership
    return reverse(name), None


def _client(world, actor: str) -> Client:
    client = Client()
    if actor == "loner":
        client.force_login(world.loner)
    elif actor != "anonymous":
        org, _, _ = ACTORS[actor]
        key = "admin" if actor == "other_admin" else actor
        client.force_login(_org(world, org).user(key))
    return client


def _switch_data(world, actor: str, target) -> dict:
    if target == "own":
        own = Membership.objects.filter(user__username=_username(world, actor)).first()
        return {"membership": own.pk if own else 0}
    return {"membership": world.other.members["store"].pk}


def _username(world, actor: str) -> str:
    if actor == "loner":
        return world.loner.username
    org, _, _ = ACTORS[actor] if ACTORS[actor] else ("acme", "", "")
    key = "admin" if actor == "other_admin" else actor
    return _org(world, org).user(key).username if ACTORS[actor] else ""


def _label(target) -> str:
    return ".".join(target) if isinstance(target, tuple) else str(target)


# One case per page, every actor × target inside it (see tests/matrix_check.py).
@pytest.mark.parametrize("name", list(PAGES))
def test_page_matrix(module_world, db, name):
    check_each(
        (f"{name} × {actor} × {_label(target)}", partial(_check, module_world, name, actor, target))
        for (actor, target) in PAGE_MATRIX[name]
    )


def _check(world, name: str, actor: str, target) -> None:
    page = PAGES[name]
    url, obj = _url_and_object(world, name, actor, target)
    client = _client(world, actor)
    if page.targets == "switch":
        data = _switch_data(world, actor, target) if actor != "anonymous" else {"membership": 1}
    else:
        data = page.data(world, obj)
    response = client.post(url, data | YES) if page.method == "POST" else client.get(url)

    expected = PAGE_MATRIX[name][(actor, target)]
    if expected == "login":
        assert response.status_code == 302, f"got {response.status_code}, want login"
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected, (
            f"got {response.status_code}, want {expected}",
            response.content[:200],
        )
    if response.status_code in (403, 404):
        # Refusals render inside the layout, never a bare error.
        assert b'id="main"' in response.content


def test_every_web_url_is_in_the_matrix():
    names = {f"web:{p.name}" for p in web_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names, "voxloop.web.urls lists no named urls"
    missing = names - PAGE_MATRIX.keys()
    assert not missing, f"pages without access expectations: {sorted(missing)}"
    assert not PAGE_MATRIX.keys() - names, "the matrix names pages that no longer exist"


def test_matrix_covers_every_actor():
    for name, table in PAGE_MATRIX.items():
        assert {actor for actor, _ in table} == set(ACTORS), name


def test_the_pairs_try_every_target_and_every_way_out_of_reach():
    assert {target for _, target in UNIT_PAIRS} == set(UNIT_TARGETS)
    assert {target for _, target in MEMBERSHIP_PAIRS} == set(MEMBERSHIP_TARGETS)
    for name in ("web:unit", "web:membership"):
        outcomes = set(PAGE_MATRIX[name].values())
        assert {200, 403, 404, "login"} <= outcomes, (name, outcomes)
