"""Who may call each pulse operation and open each page: every actor × every one, against a
programme at store c1r1s1 with one wave and one frontline report. The programme is seen by
members of the store and of the units above it; the sibling store and another tenant find
nothing (404). Admins configure it; managers and admins act on reports; the rest are
refused (403). Changes roll back after each request."""

from __future__ import annotations

import pytest

from tests.api.support import MEMBER_ACTORS as MEMBERS
from tests.matrix_check import check_api, check_page, filled_ids, operations_of
from tests.privacy.support import built_once
from voxloop.pulse import services
from voxloop.pulse.api import router as pulse_router
from voxloop.pulse.models import Invite

ACTORS = (*MEMBERS, "loner", "anonymous")
SEERS = ("admin", "director", "country_admin", "regional", "store", "agent", "viewer", "analyst")
ACTORS_ON_REPORTS = ("admin", "country_admin", "regional", "store")
ADMINS = ("admin", "country_admin")


def _row(ok, signed_out, *, allowed=SEERS, outside=("sibling_store",), other_admin=404) -> dict:
    row = dict.fromkeys(MEMBERS, 403)
    row.update(dict.fromkeys(allowed, ok))
    row.update(dict.fromkeys(outside, 404))
    row.update(other_admin=other_admin, loner=403, anonymous=signed_out)
    return row


def _admins(ok, signed_out, other_admin=404) -> dict:
    return _row(ok, signed_out, allowed=ADMINS, outside=(), other_admin=other_admin)


SETTINGS = {"cadence": "monthly", "drivers_per_wave": 2, "reminder_after_days": 3, "floor": 5}
API = {
    "api:pulse_programmes": (
        "get",
        "/pulse/programmes",
        None,
        _row(200, 401, allowed=MEMBERS, outside=(), other_admin=200),
    ),
    "api:pulse_results": ("get", "/pulse/programmes/{programme}/results", None, _row(200, 401)),
    "api:pulse_programme_create": (
        "post",
        "/pulse/programmes",
        {"name": "Pulse", "unit_id": "{unit}"},
        _admins(201, 401),
    ),
}
PAGES = {
    "pulse:programmes": (
        "GET",
        "/pulse/",
        None,
        _row(200, "login", allowed=MEMBERS, outside=(), other_admin=200),
    ),
    "pulse:create": (
        "POST",
        "/pulse/new/",
        {"name": "New", "unit_code": "AC1R1S1", **SETTINGS, "is_active": "on"},
        _admins(302, "login", other_admin=400),
    ),
    "pulse:results": ("GET", "/pulse/{programme}/", None, _row(200, "login")),
    "pulse:edit": ("GET", "/pulse/{programme}/edit/", None, _admins(200, "login")),
    "pulse:question": (
        "POST",
        "/pulse/{programme}/questions/",
        {"driver": "tools", "text": "My till works.", "is_active": "on"},
        _admins(302, "login"),
    ),
    "pulse:send_now": ("POST", "/pulse/{programme}/send/", {}, _admins(200, "login")),
    "pulse:reports": (
        "GET",
        "/pulse/{programme}/reports/",
        None,
        _row(200, "login", allowed=ACTORS_ON_REPORTS),
    ),
    "pulse:report_plan": (
        "POST",
        "/pulse/reports/{report}/plan/",
        {"title": ""},
        _row(302, "login", allowed=ACTORS_ON_REPORTS),
    ),
}
PULSE_API_MATRIX = {name: row for name, (_, _, _, row) in API.items()}
PULSE_PAGE_MATRIX = {name: row for name, (_, _, _, row) in PAGES.items()}


def _make(world) -> dict:
    acme = world.acme
    store = acme.units["c1r1s1"]
    programme = services.create_programme(
        actor=acme.system, unit=store, settings=services.Settings(name="Store pulse")
    )
    wave = services.open_wave(programme=programme)
    invite = Invite.objects.filter(wave=wave).first()
    services.answer(
        invite=invite, enps=6, drivers={}, report_category="issue", report_text="Slow tills"
    )
    report = programme.reports.get()
    return {"programme": programme.pk, "report": report.pk, "unit": store.pk}


built = built_once(_make)


@pytest.mark.parametrize("name", sorted(API))
def test_pulse_api_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, body, row = API[name]
    path, body = path.format(**made), filled_ids(body, made)
    check_api(world, name, ACTORS, row, method=method, path=path, body=body)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pulse_page_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, data, row = PAGES[name]
    path, data = path.format(**made), filled_ids(data, made)
    check_page(world, name, ACTORS, row, method=method, path=path, data=data)


def test_matrix_covers_every_pulse_operation():
    operations = operations_of(pulse_router)
    assert set(PULSE_API_MATRIX) == operations
