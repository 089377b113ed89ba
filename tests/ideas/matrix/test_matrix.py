"""Who may call each idea-board operation and open each page: every actor × every one,
against an employee board at store c1r1s1 with two published ideas. The board is seen by
members of the store and of the units above it; the sibling store and another tenant find
nothing (404). Moderators are the admins and managers of the store and above; analysts,
agents and viewers are refused (403). Changes roll back after each request."""

from __future__ import annotations

import pytest

from tests.api.support import MEMBER_ACTORS as MEMBERS
from tests.matrix_check import check_api, check_page, filled_ids, operations_of
from tests.privacy.support import built_once
from voxloop.ideas import identity, services
from voxloop.ideas.api import router as ideas_router

ACTORS = (*MEMBERS, "loner", "anonymous")
SEERS = ("admin", "director", "country_admin", "regional", "store", "agent", "viewer", "analyst")
MODERATORS = ("admin", "country_admin", "regional", "store")


def _row(ok, signed_out, *, allowed=SEERS, outside=("sibling_store",), other_admin=404) -> dict:
    row = dict.fromkeys(MEMBERS, 403)
    row.update(dict.fromkeys(allowed, ok))
    row.update(dict.fromkeys(outside, 404))
    row.update(other_admin=other_admin, loner=403, anonymous=signed_out)
    return row


def _moderators(ok, signed_out) -> dict:
    return _row(ok, signed_out, allowed=MODERATORS)


API = {
    "api:idea_boards": (
        "get",
        "/idea-boards",
        None,
        _row(200, 401, allowed=MEMBERS, outside=(), other_admin=200),
    ),
    "api:board_ideas": ("get", "/idea-boards/{board}/ideas", None, _row(200, 401)),
    "api:board_idea_create": (
        "post",
        "/idea-boards/{board}/ideas",
        {"title": "More stools"},
        _row(201, 401),
    ),
    "api:idea": ("get", "/ideas/{idea}", None, _row(200, 401)),
    "api:idea_vote": ("post", "/ideas/{idea}/votes", None, _row(200, 401)),
    "api:idea_status": (
        "post",
        "/ideas/{idea}/status",
        {"status": "planned"},
        _moderators(200, 401),
    ),
    "api:idea_merge": (
        "post",
        "/ideas/{idea}/merge",
        {"into": "{other}"},
        _moderators(200, 401),
    ),
}
PAGES = {
    "ideas:boards": (
        "GET",
        "/ideas/",
        None,
        _row(200, "login", allowed=MEMBERS, outside=(), other_admin=200),
    ),
    "ideas:board_create": (
        "POST",
        "/ideas/new/",
        {"name": "New", "audience": "employees", "unit_code": "AC1R1S1"},
        _row(302, "login", allowed=("admin", "country_admin"), outside=(), other_admin=400),
    ),
    "ideas:moderation": (
        "GET",
        "/ideas/moderation/",
        None,
        _row(200, "login", allowed=(*MODERATORS, "sibling_store"), outside=(), other_admin=200),
    ),
    "ideas:board": ("GET", "/ideas/{board}/", None, _row(200, "login")),
    # The matrix's board is an employee board, which no other site may show: admins are
    # answered 400 (naming the field); everyone else is refused before that.
    "ideas:embed": (
        "POST",
        "/ideas/{board}/embed/",
        {"allowed_origins": "https://shop.example.com"},
        _row(400, "login", allowed=("admin", "country_admin"), outside=()),
    ),
    "ideas:post": ("POST", "/ideas/{board}/post/", {"title": "Stools"}, _row(302, "login")),
    "ideas:promote": (
        "POST",
        "/ideas/{board}/promote/",
        {"response_id": 987654},
        _moderators(400, "login"),
    ),
    "ideas:idea": ("GET", "/ideas/i/{idea}/", None, _row(200, "login")),
    "ideas:vote": ("POST", "/ideas/i/{idea}/vote/", {}, _row(302, "login")),
    "ideas:follow": ("POST", "/ideas/i/{idea}/follow/", {}, _row(302, "login")),
    "ideas:comment": ("POST", "/ideas/i/{idea}/comment/", {"body": "+1"}, _row(302, "login")),
    "ideas:status": (
        "POST",
        "/ideas/i/{idea}/status/",
        {"status": "planned"},
        _moderators(302, "login"),
    ),
    "ideas:merge": (
        "POST",
        "/ideas/i/{idea}/merge/",
        {"into": "{other}", "confirmed": "yes"},
        _moderators(302, "login"),
    ),
    "ideas:plan": ("POST", "/ideas/i/{idea}/plan/", {"title": ""}, _moderators(302, "login")),
    "ideas:theme": (
        "POST",
        "/ideas/i/{idea}/theme/",
        {"theme": "Seats"},
        _moderators(302, "login"),
    ),
}
IDEAS_API_MATRIX = {name: row for name, (_, _, _, row) in API.items()}
IDEAS_PAGE_MATRIX = {name: row for name, (_, _, _, row) in PAGES.items()}


def _make(world) -> dict:
    acme = world.acme
    board = services.create_board(
        actor=acme.system, unit=acme.units["c1r1s1"], name="Store ideas", audience="employees"
    )
    author = identity.member(acme.user("store").pk, "store")
    ideas = [
        services.post_idea(board=board, author=author, title=title)
        for title in ("Stools at tills", "Seats at tills")
    ]
    for idea in ideas:
        services.moderate_idea(actor=acme.system, idea=idea, publish=True)
    return {"board": board.pk, "idea": ideas[0].pk, "other": ideas[1].pk}


built = built_once(_make)


@pytest.mark.parametrize("name", sorted(API))
def test_ideas_api_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, body, row = API[name]
    path, body = path.format(**made), filled_ids(body, made)
    check_api(world, name, ACTORS, row, method=method, path=path, body=body)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_ideas_page_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, data, row = PAGES[name]
    path, data = path.format(**made), filled_ids(data, made)
    check_page(world, name, ACTORS, row, method=method, path=path, data=data)


def test_matrix_covers_every_ideas_operation():
    operations = operations_of(ideas_router)
    assert set(IDEAS_API_MATRIX) == operations
