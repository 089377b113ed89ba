"""Answers entered by staff are marked, traced, audited and never raise a staff score
(issue 14, item 3); registered kiosks post their respondents' answers as the kiosk channel."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client, override_settings

from tests.analytics.support import cx_survey, staff_of
from tests.factories import YES
from tests.surveys.api_client import ApiClient, as_member
from tests.web.matrix_world import ModuleWorld
from voxloop.analytics import dashboard, filters, selectors, services
from voxloop.closedloop import evaluation
from voxloop.closedloop.outer_loop import Praise
from voxloop.errors import InvalidInput
from voxloop.responses import kiosks
from voxloop.responses.models import Kiosk, Response
from voxloop.responses.services import Submission, submit
from voxloop.tenancy.models import AuditEntry

PEOPLE_WHO_MAY_SUBMIT = ["admin", "country_admin", "regional", "store"]
CLAIMED = ["qr", "web", "email", "sms", "widget", "kiosk", "ivr"]
FAST = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), FAST, ModuleWorld() as world:
        yield world, cx_survey(world.acme)


@pytest.mark.parametrize("channel", CLAIMED)
@pytest.mark.parametrize("actor", PEOPLE_WHO_MAY_SUBMIT)
def test_a_person_cannot_pass_their_answers_off_as_a_respondents(module_world, db, actor, channel):
    """The regression: a manager posting 'qr' answers for their own store was stored as if a
    customer had scanned the code."""
    world, survey = module_world
    answer = as_member(world.acme, actor).post(
        "/responses",
        {"survey_id": survey.pk, "answers": {"nps": 10}, "channel": channel},
    )
    assert answer.status_code == 403, answer.content
    assert answer.json()["error"]["field"] == "channel"
    assert not Response.objects.exists()


def test_every_answer_a_person_enters_is_marked_traced_and_audited(module_world, db):
    world, survey = module_world
    acme = world.acme
    membership = acme.members["store"]
    client = as_member(acme, "store")
    stored = client.post("/responses", {"survey_id": survey.pk, "answers": {"nps": 10}})
    assert stored.status_code == 201 and stored.json()["origin"] == "staff"
    response = Response.objects.get(pk=stored.json()["id"])
    token = membership.api_tokens.get()
    assert response.origin == "staff" and response.channel == "api"
    assert (response.entered_by_id, response.entered_token_id) == (membership.pk, token.pk)
    entry = AuditEntry.objects.get(action="response.enter", target_id=str(response.pk))
    assert entry.actor_id == membership.user_id and entry.unit_path == response.unit_path
    assert entry.changes["token"] == token.pk and entry.changes["channel"] == "api"
    # The same through the browser session: the membership, no token.
    browser = Client()
    browser.force_login(membership.user)
    by_session = browser.post(
        "/api/v1/responses",
        {"survey_id": survey.pk, "answers": {"nps": 3}},
        content_type="application/json",
    )
    assert by_session.status_code == 201, by_session.content
    response = Response.objects.get(pk=by_session.json()["id"])
    assert (response.origin, response.entered_by_id) == ("staff", membership.pk)
    assert response.entered_token_id is None
    # Readers can pick them out; an admin's import of history is entered by staff too.
    listed = client.get("/responses", origin="staff").json()
    assert listed["count"] == 2 and {i["origin"] for i in listed["items"]} == {"staff"}
    assert client.get("/responses", origin="respondent").json()["count"] == 0
    assert client.get("/responses", origin="nobody").status_code == 422
    past = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    imported = as_member(acme, "admin").post(
        "/responses",
        {"survey_id": survey.pk, "answers": {"nps": 9}, "channel": "import", "submitted_at": past},
    )
    assert imported.status_code == 201 and imported.json()["origin"] == "staff"


def test_a_registered_kiosk_posts_respondents_answers_and_nothing_else(module_world, db):
    world, survey = module_world
    acme = world.acme
    store, sibling = acme.units["c1r1s1"], acme.units["c1r1s2"]
    device, secret = kiosks.register(
        actor=acme.scope("admin"), unit=store, name="Till 1", channel="kiosk"
    )
    kiosk = ApiClient()
    kiosk.headers["Authorization"] = f"Bearer {secret}"
    clerk = staff_of(store)
    given = kiosk.post(
        "/responses",
        {"survey_id": survey.pk, "answers": {"nps": 9}, "staff_code": clerk.code},
        **{"Idempotency-Key": "1"},
    )
    assert given.status_code == 201, given.content
    response = Response.objects.get(pk=given.json()["id"])
    assert (response.channel, response.device, response.origin) == ("kiosk", "kiosk", "respondent")
    assert (response.kiosk_id, response.entered_by_id, response.unit_id) == (
        device.pk,
        None,
        store.pk,
    )
    assert response.source_key == f"idem:kiosk{device.pk}:1"
    assert not AuditEntry.objects.filter(action="response.enter").exists()
    # A person's key "1" is their own, not the kiosk's.
    mine = as_member(acme, "store").post(
        "/responses", {"survey_id": survey.pk, "answers": {"nps": 2}}, **{"Idempotency-Key": "1"}
    )
    assert mine.status_code == 201 and mine.json()["id"] != response.pk
    refused = {
        "channel": ({"channel": "ivr"}, 403),
        "unit_code": ({"unit_code": sibling.code}, 404),
        "staff_code": ({"staff_code": staff_of(sibling).code}, 404),
        "contact_external_id": ({"contact_external_id": "C-1"}, 403),
        "submitted_at": ({"submitted_at": "2026-01-01T00:00:00Z"}, 400),
    }
    for field, (extra, status) in refused.items():
        answer = kiosk.post("/responses", {"survey_id": survey.pk, "answers": {"nps": 9}, **extra})
        assert answer.status_code == status, (field, answer.content)
        assert answer.json()["error"]["field"] == field
    foreign = cx_survey(world.other)
    assert (
        kiosk.post("/responses", {"survey_id": foreign.pk, "answers": {"nps": 9}}).status_code
        == 404
    )
    # It reads nothing, and once revoked it posts nothing.
    for path in ("/responses", f"/responses/{response.pk}", "/surveys", "/kiosks", "/me"):
        assert kiosk.get(path).status_code == 401, path
    kiosks.revoke(actor=acme.scope("country_admin"), device=device)
    assert (
        kiosk.post("/responses", {"survey_id": survey.pk, "answers": {"nps": 9}}).status_code == 401
    )
    assert AuditEntry.objects.filter(action__in=["kiosk.register", "kiosk.revoke"]).count() == 2


def test_only_admins_of_the_unit_register_kiosks_and_the_token_is_shown_once(module_world, db):
    world, _survey = module_world
    acme = world.acme
    made = as_member(acme, "country_admin").post(
        "/kiosks", {"name": "Phone line", "unit_code": "AC1R1S2", "channel": "ivr"}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("vxk_") and body["channel"] == "ivr"
    listed = as_member(acme, "admin").get("/kiosks").json()
    assert [k["name"] for k in listed] == ["Phone line"] and "secret" not in listed[0]
    assert as_member(acme, "store").get("/kiosks").status_code == 403
    assert as_member(acme, "regional").post("/kiosks", {"name": "Mine"}).status_code == 403
    outside = as_member(acme, "country_admin").post(
        "/kiosks", {"name": "X", "unit_code": "AC2R1S1"}
    )
    assert outside.status_code == 404 and outside.json()["error"]["field"] == "unit_code"
    assert (
        as_member(acme, "admin").post("/kiosks", {"name": "X", "channel": "qr"}).status_code == 422
    )
    assert ApiClient(membership=world.other.members["admin"]).get("/kiosks").json() == []


TODAY = date(2026, 11, 30)


def _at(days_ago: int) -> str:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC).isoformat()


def test_staff_entered_answers_never_count_in_anyones_staff_figures(module_world, db):
    """A store manager types in ten 10s naming their own clerk, a regional manager names a
    colleague's: the staff board does not move; the store's figures show them flagged, and
    the 'respondents' own' filter leaves them out."""
    world, survey = module_world
    acme = world.acme
    store, sibling = acme.units["c1r1s1"], acme.units["c1r1s2"]
    clerk, colleague = staff_of(store), staff_of(sibling)
    _device, secret = kiosks.register(actor=acme.system, unit=store, name="Till", channel="kiosk")
    kiosk = ApiClient()
    kiosk.headers["Authorization"] = f"Bearer {secret}"
    for _ in range(3):  # what customers said at the till about the clerk
        kiosk.post(
            "/responses",
            {"survey_id": survey.pk, "answers": {"nps": 2}, "staff_code": clerk.code},
        )
    for who, staff in (("store", clerk), ("regional", colleague)):
        client = as_member(acme, who)
        for _ in range(10):
            assert (
                client.post(
                    "/responses",
                    {"survey_id": survey.pk, "answers": {"nps": 10}, "staff_code": staff.code},
                ).status_code
                == 201
            )
    # Spread over the last days so the 30-day dashboard of TODAY counts them.
    for n, response in enumerate(Response.objects.order_by("pk")):
        Response.objects.filter(pk=response.pk).update(submitted_at=_at(n % 5))
    services.rebuild(organization_id=acme.root.organization_id)

    def f(**params):
        return filters.parse({"period": "30d", **params}, today=TODAY)

    for reader in ("admin", "regional", "store"):
        ctx = selectors.context(acme.scope(reader), f(min_n="1"))
        board = {row["key"]: row for row in selectors.by_dimension(ctx, "staff")}
        assert board[clerk.pk]["n"] == 3 and board[clerk.pk]["value"] == -100, reader
        assert colleague.pk not in board, reader
    regional = acme.scope("regional")
    everything = dashboard.payload(regional, f())
    assert everything["staff_entered"] == 20
    assert next(k for k in everything["kpis"] if k["metric"] == "nps")["figure"]["n"] == 23
    own = dashboard.payload(regional, f(origin="respondent"))
    assert own["staff_entered"] is None
    nps = next(k for k in own["kpis"] if k["metric"] == "nps")["figure"]
    assert (nps["n"], nps["value"]) == (3, -100)
    by_staff = selectors.totals(selectors.context(regional, f(origin="staff")))
    assert (by_staff.n, by_staff.promoters) == (20, 20)
    with pytest.raises(InvalidInput) as bad:
        f(origin="manager")
    assert bad.value.field == "origin"
    # Nor does a staff-entered promoter's comment become praise for the person it names.
    praised = Response.objects.filter(origin="staff", staff=clerk).first()
    praised.answers = {**praised.answers, "comment": f"{clerk.name} was great"}
    praised.save()
    evaluation.record_praise(response=praised, now=datetime.now(UTC))
    assert not Praise.objects.exists()


def test_the_dashboard_flags_staff_entered_answers_and_filters_them(module_world, db):
    world, survey = module_world
    acme = world.acme
    as_member(acme, "store").post("/responses", {"survey_id": survey.pk, "answers": {"nps": 10}})
    services.rebuild(organization_id=acme.root.organization_id)
    browser = Client()
    browser.force_login(acme.user("store"))
    page = browser.get("/analytics/?period=7d").content.decode()
    assert 'data-testid="staff-entered"' in page and "origin=respondent" in page
    assert 'name="origin"' in page
    filtered = browser.get("/analytics/?period=7d&origin=respondent").content.decode()
    assert 'data-testid="staff-entered"' not in filtered
    assert browser.get("/analytics/?origin=boss").status_code == 400


def test_an_admin_registers_a_kiosk_on_its_page_and_revokes_it(module_world, db):
    world, survey = module_world
    browser = Client()
    browser.force_login(world.acme.user("country_admin"))
    made = browser.post(
        "/outreach/kiosks/new/", {"name": "Till 3", "unit_code": "AC1R1S1", "channel": "kiosk"}
    )
    assert made.status_code == 200
    secret = re.search(r'<code id="kiosk-secret">(vxk_[^<]+)</code>', made.content.decode())[1]
    listed = browser.get("/outreach/kiosks/").content.decode()
    assert "Till 3" in listed and secret not in listed and "Revoke its token" in listed
    kiosk = ApiClient()
    kiosk.headers["Authorization"] = f"Bearer {secret}"
    assert (
        kiosk.post("/responses", {"survey_id": survey.pk, "answers": {"nps": 8}}).status_code == 201
    )
    outside = browser.post(
        "/outreach/kiosks/new/", {"name": "X", "unit_code": "AC2R1S1", "channel": "kiosk"}
    )
    assert outside.status_code == 400 and "No unit with this code" in outside.content.decode()
    device = Kiosk.objects.get(name="Till 3")
    assert browser.post(f"/outreach/kiosks/{device.pk}/revoke/", YES).status_code == 302
    assert (
        kiosk.post("/responses", {"survey_id": survey.pk, "answers": {"nps": 8}}).status_code == 401
    )


def test_no_staff_view_of_a_response_holds_its_resume_token(module_world, db):
    """The resume token continues a respondent's answers: staff never see it."""
    world, survey = module_world
    acme = world.acme
    given = submit(
        submission=Submission(
            survey=survey, answers={"nps": 9}, unit=acme.units["c1r1s1"], channel="qr"
        )
    ).response
    admin = as_member(acme, "admin")
    for path in (f"/responses/{given.pk}", "/responses"):
        assert given.resume_token not in admin.get(path).content.decode(), path
    browser = Client()
    browser.force_login(acme.user("admin"))
    export = browser.get("/analytics/export/responses.csv?period=7d")
    text = b"".join(export.streaming_content).decode()
    assert str(given.pk) in text and given.resume_token not in text


def test_an_anonymous_answer_entered_by_staff_keeps_no_trace_of_who(module_world, db):
    """Whoever enters an employee survey's answer may be the employee answering: the answer
    is marked as entered by staff, but neither it nor the audit log says by whom."""
    world, _survey = module_world
    acme = world.acme
    pulse = cx_survey(acme, kind="employee", name="Pulse")
    stored = as_member(acme, "store").post(
        "/responses", {"survey_id": pulse.pk, "answers": {"nps": 2}}
    )
    assert stored.status_code == 201, stored.content
    response = Response.objects.get(pk=stored.json()["id"])
    assert response.origin == "staff"
    assert (response.entered_by_id, response.entered_token_id) == (None, None)
    entry = AuditEntry.objects.get(action="response.enter")
    assert entry.target_type == "survey" and entry.target_id == str(pulse.pk)
    assert set(entry.changes) == {"survey", "channel"}
