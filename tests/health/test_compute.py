"""Scores per account and per contact: missing signals stay missing, history and
explanations, and a fall across a band opening one call to action, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.health.support import answer, build_book
from voxloop.closedloop import selectors as case_selectors
from voxloop.health import computing, services
from voxloop.health.models import CallToAction, HealthHistory, HealthScore, Mapping

pytestmark = pytest.mark.django_db


def _nps_only(org, **extra):
    return services.save_model(
        actor=org.scope("admin"),
        name="NPS only",
        window_days=180,
        red_below=40,
        amber_below=70,
        sla_hours=48,
        signals=[
            {"kind": "nps", "weight": 2, "mapping": Mapping.CURVE, "bad": -100, "good": 100},
            {"kind": "csat", "weight": 1, "mapping": Mapping.CURVE, "bad": 0, "good": 100},
            {"kind": "attribute", "param": "seats", "weight": 1, "bad": 0, "good": 40},
        ],
        **extra,
    )


def test_missing_signals_are_left_out_not_counted_as_zero(world):
    org = world.acme
    book = build_book(org, "A")
    _nps_only(org)
    computing.compute(organization_id=org.root.organization_id)
    mine = HealthScore.objects.get(account=book.accounts["mine"])
    # No answers: NPS and CSAT missing; the score is the seats alone (40 of 40 → 100).
    parts = {p["key"]: p for p in mine.parts}
    assert parts["nps"]["points"] is None and parts["nps"]["value"] is None
    assert parts["csat"]["points"] is None
    assert parts["attribute:seats"]["points"] == 100
    assert mine.score == 100 and mine.band == "green"
    contact = HealthScore.objects.get(contact=book.contacts["mine-1"])
    assert contact.score is None and contact.band == ""  # nothing measured at all


def test_score_history_and_explanation(world):
    org = world.acme
    book = build_book(org, "A")
    _nps_only(org)
    now = timezone.now()
    answer(book, "mine-1", 10, at=now - timedelta(days=40))
    computing.compute(organization_id=org.root.organization_id, at=now - timedelta(days=30))
    answer(book, "mine-1", 0, at=now - timedelta(days=2), csat=1)
    computing.compute(organization_id=org.root.organization_id, at=now)
    score = HealthScore.objects.get(account=book.accounts["mine"])
    # Latest answer counts: NPS −100 → 0 points ×2, CSAT 50% → 50, seats 100: (0+50+100)/4.
    assert score.score == pytest.approx(37.5)
    assert score.band == "red" and score.previous_score == 100.0
    moved = {m["key"]: m["effect"] for m in score.moves}
    assert moved["nps"] < 0 and sum(moved.values()) == pytest.approx(score.score - 100.0, abs=0.2)
    days = list(
        HealthHistory.objects.filter(account=book.accounts["mine"]).values_list("score", flat=True)
    )
    assert days == [100.0, 37.5]


def test_fall_across_a_band_opens_one_case_for_the_owner(world):
    org = world.acme
    book = build_book(org, "A")
    _nps_only(org)
    now = timezone.now()
    org_id = org.root.organization_id
    answer(book, "mine-1", 10, at=now - timedelta(days=40))
    computing.compute(organization_id=org_id, at=now - timedelta(days=30))
    answer(book, "mine-1", 0, at=now - timedelta(days=2), csat=1)
    first = computing.compute(organization_id=org_id, at=now)
    again = computing.compute(organization_id=org_id, at=now + timedelta(minutes=5))
    later = computing.compute(organization_id=org_id, at=now + timedelta(days=1))
    assert (first.calls_to_action, again.calls_to_action, later.calls_to_action) == (1, 0, 0)
    call = CallToAction.objects.get()
    assert (call.from_band, call.to_band, call.owner_id) == ("green", "red", org.user("store").pk)
    case = case_selectors.case(org.scope("store"), call.case_id)
    assert case.assignee_id == org.user("store").pk
    assert case.due_at - case.created_at == timedelta(hours=48)
    # The sibling store's manager cannot read it.
    from voxloop.errors import NotFound

    with pytest.raises(NotFound):
        case_selectors.case(org.scope("sibling_store"), call.case_id)
    # Its page opens for the owner (a case about no answer and no review).
    from django.test import Client
    from django.urls import reverse

    from tests.factories import PASSWORD

    client = Client()
    assert client.login(username=org.user("store").username, password=PASSWORD)
    page = client.get(reverse("closedloop:case", args=[call.case_id]))
    assert page.status_code == 200 and "A Mine Ltd" in page.content.decode()
    # A call to action is not an "open case" signal about the customer (no loop).
    from voxloop.closedloop.selectors import cases_of_contacts

    assert cases_of_contacts(org_id, [c.pk for c in book.contacts.values()], now) == {}


def test_a_second_fall_after_recovery_opens_a_second_case(world):
    org = world.acme
    book = build_book(org, "A")
    _nps_only(org)
    now = timezone.now()
    org_id = org.root.organization_id
    computing.compute(organization_id=org_id, at=now - timedelta(days=30))  # green (seats)
    answer(book, "mine-1", 0, at=now - timedelta(days=20), csat=1)
    computing.compute(organization_id=org_id, at=now - timedelta(days=19))  # red
    answer(book, "mine-1", 10, at=now - timedelta(days=10), csat=5)
    computing.compute(organization_id=org_id, at=now - timedelta(days=9))  # green again
    answer(book, "mine-1", 0, at=now - timedelta(days=2), csat=1)
    computing.compute(organization_id=org_id, at=now)  # red again
    assert CallToAction.objects.count() == 2
