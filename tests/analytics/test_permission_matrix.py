"""Every analytics page and API endpoint for every kind of actor and unit: who gets the
figures, who gets 403, who gets 404 (a unit elsewhere looks like no unit), who must sign in.
Expectations come from the test world's layout, not from the scoping code under test."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial

import pytest
from django.test import Client
from django.urls import reverse

from tests.analytics.support import cx_survey
from tests.factories import YES
from tests.matrix_check import check_each
from tests.web.matrix_world import ModuleWorld
from tests.web.test_page_matrix import ACTORS, UNIT_PAIRS, _client, _org, _sees
from voxloop.analytics.models import SavedView


@dataclass(frozen=True)
class Route:
    method: str = "GET"
    api: bool = False
    export: bool = False  # needs the export capability (admin, analyst)
    targets: str = "unit"  # "unit", "" (none) or "view"
    ok: int = 200
    kwargs: tuple = ()
    query: str = ""
    cases: bool = False  # reads cases: a viewer (dashboards only) is refused


ROUTES = {
    "analytics:dashboard": Route(),
    "analytics:live": Route(),
    "analytics:drivers": Route(),
    "analytics:export_responses": Route(export=True, kwargs=(("fmt", "csv"),)),
    "analytics:export_aggregates": Route(kwargs=(("fmt", "csv"),)),
    "analytics:views": Route(targets=""),
    "analytics:chart_csv": Route(kwargs=(("chart", "units"),)),
    "analytics:save_view": Route("POST", targets="", ok=302),
    "analytics:view_action": Route("POST", targets="view", ok=302),
    "analytics:delete_view": Route("POST", targets="view", ok=302),
    "api:analytics_metrics": Route(api=True, query="by=unit"),
    "api:analytics_dashboard": Route(api=True),
    "api:analytics_heatmap": Route(api=True),
    "api:analytics_churn": Route(api=True),
    "api:analytics_drivers": Route(api=True),
    # Each organisation has a survey asking the choice question "reason" (see module_world).
    "api:analytics_choices": Route(api=True, query="question=reason"),
    "api:analytics_cases": Route(api=True, cases=True),
    "api:analytics_home": Route(api=True, targets=""),
    "api:analytics_views": Route(api=True, targets=""),
    "api:analytics_view_create": Route("POST", api=True, targets="", ok=201),
    "api:analytics_view": Route(api=True, targets="view"),
    "api:analytics_view_update": Route("PATCH", api=True, targets="view"),
    "api:analytics_view_delete": Route("DELETE", api=True, targets="view", ok=204),
}
VIEW_TARGETS = ["own", "someone_elses"]
# Every actor on their own saved view; someone else's is tried by one actor of each kind of
# reach (the company admin, a store manager, another tenant's admin) — same rule for all.
VIEW_PAIRS = [(actor, "own") for actor in ACTORS] + [
    (actor, "someone_elses") for actor in ("admin", "store", "other_admin")
]


def _pairs(route: Route) -> list:
    """Unit routes: the pairs of tests/web/test_page_matrix.py that tell scope rules apart."""
    if route.targets == "unit":
        return UNIT_PAIRS
    if route.targets == "view":
        return VIEW_PAIRS
    return [(actor, None) for actor in ACTORS]


def expected(name: str, actor: str, target) -> int | str:
    route = ROUTES[name]
    if actor == "anonymous":
        return 401 if route.api else "login"
    if actor == "loner":
        return 403
    if route.export and ACTORS[actor][2] not in ("admin", "analyst"):
        return 403
    if route.targets == "unit" and not _sees(actor, *target):
        return 404
    if route.targets == "view" and target != "own":
        return 404
    if route.cases and ACTORS[actor][2] == "viewer":
        return 403
    return route.ok


ANALYTICS_MATRIX = {
    name: {(a, t): expected(name, a, t) for a, t in _pairs(route)} for name, route in ROUTES.items()
}


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), ModuleWorld() as world:
        # A survey each, so the choice question the choices route asks about exists.
        cx_survey(world.acme)
        cx_survey(world.other)
        yield world


def _view_of(world, actor: str, target: str) -> int:
    if target == "own" and ACTORS.get(actor):
        org, _, _ = ACTORS[actor]
        user = _org(world, org).user("admin" if actor == "other_admin" else actor)
        org_id = _org(world, org).root.organization_id
    else:
        someone = "viewer" if actor != "viewer" else "director"
        user, org_id = world.acme.user(someone), world.acme.root.organization_id
    view = SavedView.objects.create(organization_id=org_id, owner=user, name="v", query="")
    return view.pk


def _label(target) -> str:
    return ".".join(target) if isinstance(target, tuple) else str(target)


# One case per route, every actor × target inside it (tests/matrix_check.py).
@pytest.mark.parametrize("name", list(ROUTES))
def test_analytics_matrix(module_world, db, name):
    check_each(
        (f"{name} × {actor} × {_label(target)}", partial(_check, module_world, name, actor, target))
        for (actor, target) in ANALYTICS_MATRIX[name]
    )


def _check(world, name: str, actor: str, target) -> None:
    route = ROUTES[name]
    kwargs = dict(route.kwargs)
    if route.targets == "view":
        kwargs["view_id"] = _view_of(world, actor, target)
    url = reverse(name, kwargs=kwargs or None)
    query = route.query
    if route.targets == "unit":
        unit = _org(world, target[0]).units[target[1]]
        query = f"{query}&unit={unit.pk}".lstrip("&")
    client: Client = _client(world, actor)
    if route.api and route.method != "GET":
        body = json.dumps({"name": "Mine", "query": "period=7d"})
        response = client.generic(route.method, url, body, content_type="application/json")
    elif route.method == "POST":
        form = {"name": "Mine", "query": "period=7d", "action": "rename"}
        response = client.post(url, form | YES)
    else:
        response = client.get(f"{url}?{query}")
    want = ANALYTICS_MATRIX[name][(actor, target)]
    if want == "login":
        assert response.status_code == 302, f"got {response.status_code}, want login"
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == want, (
            f"got {response.status_code}, want {want}",
            response.content[:200],
        )
