"""Who may call each reviews operation and open each reviews page: every actor × every one,
against a file source at Acme's country c1 with one review at store c1r1s1. Reviews are read
by every role but the viewer inside their subtree (a neighbouring store and another tenant
find nothing: 404), replies are written by those who act on cases, figures are for every
role, and sources are for the admins of their subtree. Changes roll back after each request."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.api.support import MEMBER_ACTORS as MEMBERS
from tests.matrix_check import check_api, check_page, operations_of
from tests.privacy.support import built_once
from voxloop.reviews import services
from voxloop.reviews.api import router as reviews_router
from voxloop.reviews.models import Review, SourceLocation

ACTORS = (*MEMBERS, "loner", "anonymous")
READERS = ("admin", "country_admin", "regional", "store", "agent", "analyst", "director")
ACTORS_ON_CASES = ("admin", "country_admin", "regional", "store")


def _row(ok, signed_out, *, allowed=MEMBERS, outside=(), other_admin=404) -> dict:
    """`allowed` get `ok`; members outside the scope (and other_admin) 404; the rest 403."""
    row = dict.fromkeys(MEMBERS, 403)
    row.update(dict.fromkeys(allowed, ok))
    row.update(dict.fromkeys(outside, 404))
    row.update(other_admin=other_admin, loner=403, anonymous=signed_out)
    return row


def _admins(ok, signed_out, other_admin=404) -> dict:
    return _row(ok, signed_out, allowed=("admin", "country_admin"), other_admin=other_admin)


def _readers(ok, signed_out) -> dict:
    return _row(ok, signed_out, allowed=READERS, outside=("sibling_store",))


def _actors(ok, signed_out) -> dict:
    return _row(ok, signed_out, allowed=ACTORS_ON_CASES, outside=("sibling_store",))


API = {
    "api:reviews": (
        "get",
        "/reviews",
        None,
        _row(200, 401, allowed=(*READERS, "sibling_store"), other_admin=200),
    ),
    "api:review_benchmark": ("get", "/reviews/benchmark", None, _row(200, 401, other_admin=200)),
    "api:review_metrics": ("get", "/reviews/metrics", None, _row(200, 401, other_admin=200)),
    "api:review": ("get", "/reviews/{review}", None, _readers(200, 401)),
    "api:review_reply": (
        "post",
        "/reviews/{review}/replies",
        {"text": "Thanks"},
        _actors(201, 401),
    ),
    "api:review_sources": ("get", "/review-sources", None, _admins(200, 401, 200)),
    "api:review_source_create": (
        "post",
        "/review-sources",
        {"name": "New", "kind": "file"},
        _admins(201, 401, 201),
    ),
    "api:review_source": ("get", "/review-sources/{source}", None, _admins(200, 401)),
    "api:review_source_update": (
        "patch",
        "/review-sources/{source}",
        {"name": "Renamed"},
        _admins(200, 401),
    ),
    "api:review_source_delete": ("delete", "/review-sources/{source}", None, _admins(204, 401)),
    "api:review_source_location": (
        "post",
        "/review-sources/{source}/locations",
        {"external_id": "s9", "unit_code": "AC1R1S2"},
        _admins(201, 401),
    ),
    "api:review_source_location_delete": (
        "delete",
        "/review-source-locations/{location}",
        None,
        _admins(204, 401),
    ),
    "api:review_source_import": (
        "post",
        "/review-sources/{source}/import",
        None,
        _admins(400, 401),
    ),
}
SOURCE_FORM = {"name": "Renamed", "unit_code": "AC1", "interval_minutes": 60, "is_active": "on"}
PAGES = {
    "reviews:list": ("GET", "/reviews/", None, _row(200, "login", other_admin=200)),
    "reviews:benchmark": ("GET", "/reviews/benchmark/", None, _row(200, "login", other_admin=200)),
    "reviews:review": ("GET", "/reviews/{review}/", None, _readers(200, "login")),
    "reviews:reply": (
        "POST",
        "/reviews/{review}/reply/",
        {"action": "send", "text": "Thanks"},
        _actors(302, "login"),
    ),
    "reviews:erase_author": ("POST", "/reviews/{review}/erase-author/", {}, _admins(200, "login")),
    "reviews:sources": ("GET", "/reviews/sources/", None, _admins(200, "login", 200)),
    "reviews:source": ("POST", "/reviews/sources/{source}/", SOURCE_FORM, _admins(302, "login")),
    "reviews:location_add": (
        "POST",
        "/reviews/sources/{source}/locations/",
        {"external_id": "s9", "unit_code": "AC1R1S2"},
        _admins(302, "login"),
    ),
    "reviews:location_remove": (
        "POST",
        "/reviews/locations/{location}/remove/",
        {},
        _admins(200, "login"),
    ),
    "reviews:source_import": (
        "POST",
        "/reviews/sources/{source}/import/",
        {},
        _admins(400, "login"),
    ),
    "reviews:source_fetch": ("POST", "/reviews/sources/{source}/fetch/", {}, _admins(302, "login")),
    "reviews:source_delete": (
        "POST",
        "/reviews/sources/{source}/delete/",
        {},
        _admins(200, "login"),
    ),
}
REVIEWS_API_MATRIX = {name: row for name, (_, _, _, row) in API.items()}
REVIEWS_PAGE_MATRIX = {name: row for name, (_, _, _, row) in PAGES.items()}


def _make(world) -> dict:
    acme = world.acme
    admin = acme.scope("admin")
    source = services.create_source(scope=admin, unit=acme.units["c1"], name="Shops", kind="file")
    services.set_location(scope=admin, source=source, external_id="s1", unit=acme.units["c1r1s1"])
    data = b'id,location,rating,date,author,text\nr1,s1,2,2026-10-01,Ann Lee,"Slow queue"\n'
    services.import_file(
        scope=admin, source=source, name="r.csv", data=data, now=datetime(2026, 11, 1, tzinfo=UTC)
    )
    return {
        "source": source.pk,
        "review": Review.objects.get(source=source).pk,
        "location": SourceLocation.objects.get(source=source).pk,
    }


built = built_once(_make)


@pytest.mark.parametrize("name", sorted(API))
def test_reviews_api_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, body, row = API[name]
    check_api(world, name, ACTORS, row, method=method, path=path.format(**made), body=body)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_reviews_page_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, data, row = PAGES[name]
    check_page(world, name, ACTORS, row, method=method, path=path.format(**made), data=data)


def test_matrix_covers_every_reviews_operation():
    operations = operations_of(reviews_router)
    assert set(REVIEWS_API_MATRIX) == operations
