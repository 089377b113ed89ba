"""Every survey-builder page × every kind of actor × surveys in and out of their reach.

Admins edit surveys owned by their unit or below; a survey owned higher up is visible but not
editable (403); one elsewhere, or in another organisation, does not exist for them (404).
Everyone else is refused before any lookup (403); anonymous visitors are sent to sign in.
"""

from __future__ import annotations

from functools import partial

import pytest
from django.test import Client
from django.urls import reverse

from tests.matrix_check import check_each
from tests.surveys.builders import store_visit_survey
from tests.web.matrix_world import ModuleWorld
from voxloop.surveys import services
from voxloop.surveys.builder.urls import urlpatterns
from voxloop.surveys.models import Survey

ADMINS = {"admin", "country_admin", "other_admin"}
NON_ADMINS = ["director", "regional", "store", "sibling_store", "agent", "viewer", "analyst"]
ACTORS = [*sorted(ADMINS), *NON_ADMINS, "loner", "anonymous"]
# Everyone but an admin is refused before any survey is looked up, so they try one survey
# each — and only one actor per role: regional and sibling_store are managers as store is,
# analyst is an analyst as director is (the same refusal, by the same check).
REFUSED_BEFORE_LOOKUP = ["director", "store", "agent", "viewer", "loner", "anonymous"]
# Which survey each admin may edit: owned by acme's root, by acme's country c2, by "other".
EDITABLE = {"admin": {"root", "c2"}, "country_admin": set(), "other_admin": {"other"}}
VISIBLE = {"admin": {"root", "c2"}, "country_admin": {"root"}, "other_admin": {"other"}}
POST_ONLY = {"settings", "publish", "close", "duplicate", "question_move", "question_delete"}
NO_SURVEY = {"list", "create", "import"}
ROUTES = [pattern.name for pattern in urlpatterns]


def expected(route: str, actor: str, target: str | None) -> int | str:
    if actor == "anonymous":
        return "login"
    if actor not in ADMINS:
        return 403
    if route in NO_SURVEY:
        return "ok"
    if target not in VISIBLE[actor]:
        return 404
    return "ok" if target in EDITABLE[actor] else 403


def _pairs(route: str) -> list[tuple[str, str | None]]:
    if route in NO_SURVEY:
        return [(actor, None) for actor in ACTORS]
    admins = [(a, t) for a in sorted(ADMINS) for t in ("root", "c2", "other")]
    return admins + [(actor, "root") for actor in REFUSED_BEFORE_LOOKUP]


BUILDER_MATRIX: dict[str, dict[tuple[str, str | None], int | str]] = {
    f"surveys:{route}": {
        (actor, target): expected(route, actor, target) for actor, target in _pairs(route)
    }
    for route in ROUTES
}


@pytest.fixture(scope="module")
def builder_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), ModuleWorld() as world:
        surveys = {
            "root": store_visit_survey(world.acme, publish=False),
            "other": store_visit_survey(world.other, publish=False),
        }
        c2 = world.acme.units["c2"]
        surveys["c2"] = services.create_survey(
            actor=world.acme.scope("admin"),
            unit=c2,
            name="Kiosk survey of country two",
            kind="kiosk",
        )
        services.add_question(
            actor=world.acme.scope("admin"), survey=surveys["c2"], key="nps", type="nps", texts={}
        )
        yield world, surveys


def _client(world, actor: str) -> Client:
    client = Client()
    if actor == "loner":
        client.force_login(world.loner)
    elif actor == "other_admin":
        client.force_login(world.other.user("admin"))
    elif actor != "anonymous":
        client.force_login(world.acme.user(actor))
    return client


def _url(route: str, survey: Survey | None) -> str:
    kwargs = {} if survey is None else {"survey_id": survey.pk}
    if route.startswith("question") and route != "question_add":
        kwargs["key"] = "nps"
    return reverse(f"surveys:{route}", kwargs=kwargs)


def test_every_builder_route_is_in_the_matrix():
    assert set(BUILDER_MATRIX) == {f"surveys:{route}" for route in ROUTES}


# One case per page, every actor × survey inside it (see tests/matrix_check.py).
@pytest.mark.parametrize("name", list(BUILDER_MATRIX))
def test_builder_matrix(builder_world, db, name):
    check_each(
        (f"{name} × {actor} × {target}", partial(_check, builder_world, name, actor, target))
        for (actor, target) in BUILDER_MATRIX[name]
    )


def _check(builder_world, name: str, actor: str, target: str | None) -> None:
    world, surveys = builder_world
    route = name.split(":")[1]
    survey = surveys.get(target) if target else None
    before = None if survey is None else _state(survey)
    client = _client(world, actor)
    url = _url(route, survey)
    reply = client.post(url, {}) if route in POST_ONLY else client.get(url)
    want = BUILDER_MATRIX[name][(actor, target)]
    if want == "login":
        assert reply.status_code == 302 and "/accounts/login/" in reply["Location"], (
            f"got {reply.status_code}, want login"
        )
    elif want == "ok":
        assert reply.status_code in (200, 302, 400), f"got {reply.status_code}, want it done"
    else:
        assert reply.status_code == want, f"got {reply.status_code}, want {want}"
    if want != "ok" and survey is not None:
        assert _state(survey) == before, "a refused request changed the survey"
        if reply.status_code in (403, 404):
            assert survey.name not in reply.content.decode()


def _state(survey: Survey) -> tuple:
    fresh = Survey.objects.get(pk=survey.pk)
    keys = tuple(fresh.questions.values_list("key", "position"))
    return fresh.status, fresh.name, keys, Survey.objects.count()
