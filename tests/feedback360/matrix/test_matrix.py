"""Who may call each 360 operation and open each HR page: every actor × every one, against
a cycle at region c1r1 whose subject is the store manager of c1r1s1, closed so its report
reads. HR is the admins of the cycle's unit and above; every other role is refused (403);
another tenant's admin finds nothing (404). Changes roll back after each request. The
raters' and subjects' own pages are tested in test_pages.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.support import MEMBER_ACTORS as MEMBERS
from tests.matrix_check import check_api, check_page, operations_of
from tests.privacy.support import built_once
from voxloop.feedback360 import services
from voxloop.feedback360.api import router as f360_router

ACTORS = (*MEMBERS, "loner", "anonymous")
HR = ("admin", "country_admin")


def _row(ok, signed_out, *, other_admin=404) -> dict:
    row = dict.fromkeys(MEMBERS, 403)
    row.update(dict.fromkeys(HR, ok))
    row.update(other_admin=other_admin, loner=403, anonymous=signed_out)
    return row


API = {
    "api:f360_cycles": ("get", "/feedback360/cycles", _row(200, 401, other_admin=200)),
    "api:f360_completion": ("get", "/feedback360/cycles/{cycle}/completion", _row(200, 401)),
    "api:f360_report": ("get", "/feedback360/subjects/{subject}/report", _row(200, 401)),
}
SOON = (timezone.localdate() + timedelta(days=9)).isoformat()
PAGES = {
    "feedback360:cycles": ("GET", "/feedback360/", None, _row(200, "login", other_admin=200)),
    "feedback360:cycle_create": (
        "POST",
        "/feedback360/new/",
        {
            "name": "Stores",
            "unit_code": "AC1R1",
            "deadline": SOON,
            "competencies": "Listens",
            "remind_days_before": 2,
            "floor_peer": 3,
            "floor_report": 3,
            "floor_customer": 3,
        },
        _row(302, "login", other_admin=400),
    ),
    "feedback360:cycle": ("GET", "/feedback360/{cycle}/", None, _row(200, "login")),
    "feedback360:start": ("POST", "/feedback360/{open_cycle}/start/", {}, _row(302, "login")),
    "feedback360:close": (
        "POST",
        "/feedback360/{cycle}/close/",
        {"confirmed": "yes"},
        _row(302, "login"),
    ),
    "feedback360:release": (
        "POST",
        "/feedback360/{open_cycle}/release/",
        {"subject": "{open_subject}", "confirmed": "yes"},
        _row(302, "login"),
    ),
    "feedback360:report": ("GET", "/feedback360/report/{subject}/", None, _row(200, "login")),
    "feedback360:raters": ("GET", "/feedback360/raters/{open_subject}/", None, _row(200, "login")),
    "feedback360:rater_add": (
        "POST",
        "/feedback360/raters/{open_subject}/add/",
        {"person": "{outsider}", "relationship": "peer"},
        _row(302, "login"),
    ),
    "feedback360:rater_remove": (
        "POST",
        "/feedback360/raters/{open_subject}/remove/",
        {"invitation": "{open_rater}", "confirmed": "yes"},
        _row(302, "login"),
    ),
}
F360_API_MATRIX = {name: row for name, (_, _, row) in API.items()}
F360_PAGE_MATRIX = {name: row for name, (_, _, _, row) in PAGES.items()}


def _make(world) -> dict:
    acme = world.acme

    def cycle(name):
        return services.create_cycle(
            actor=acme.system,
            unit=acme.units["c1r1"],
            name=name,
            deadline=timezone.localdate() + timedelta(days=5),
            subject_membership_ids=[acme.members["store"].pk],
        )

    closed, still_open = cycle("Closed"), cycle("Open")
    services.close(actor=acme.system, cycle=closed)
    return {
        "cycle": closed.pk,
        "subject": closed.subjects.get().pk,
        "open_cycle": still_open.pk,
        "open_subject": still_open.subjects.get().pk,
        # Someone who does not rate the store manager yet, and one who does.
        "outsider": acme.members["analyst"].pk,
        "open_rater": still_open.subjects.get().invitations.get(relationship="manager").pk,
    }


built = built_once(_make)


def _filled(data, made):
    if data is None:
        return None
    return {k: (v.format(**made) if isinstance(v, str) else v) for k, v in data.items()}


@pytest.mark.parametrize("name", sorted(API))
def test_f360_api_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, row = API[name]
    check_api(world, name, ACTORS, row, method=method, path=path.format(**made))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_f360_page_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, data, row = PAGES[name]
    path, data = path.format(**made), _filled(data, made)
    check_page(world, name, ACTORS, row, method=method, path=path, data=data)


def test_matrix_covers_every_f360_operation():
    operations = operations_of(f360_router)
    assert set(F360_API_MATRIX) == operations
