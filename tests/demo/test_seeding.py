"""`voxloop demo` is deterministic and takes its size and date from the command line.

Apart from test_feedback.py, whose tests share one demo for the whole module."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from voxloop.demo import DemoSize, seed_demo
from voxloop.responses.models import Response
from voxloop.tenancy.services import delete_organization

pytestmark = pytest.mark.django_db

ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)


def seed(size: DemoSize, seed: int):
    return seed_demo(size, seed=seed, anchor=ANCHOR)


def _fingerprint() -> list[tuple]:
    return list(
        Response.objects.order_by("pk").values_list(
            "survey__name", "unit__code", "staff__code", "contact__external_id", "nps", "csat",
            "ces", "submitted_at", "locale", "channel", "device", "answers",
        )
    )  # fmt: skip


def test_same_seed_and_date_same_responses_other_seed_other_ones():
    size = DemoSize(stores=10, staff=30, accounts=4, contacts=200, responses=800)
    seed(size, seed=11)
    first = _fingerprint()
    delete_organization(slug="demo")
    seed(size, seed=11)
    assert _fingerprint() == first
    delete_organization(slug="demo")
    seed(size, seed=12)
    assert _fingerprint() != first


def test_demo_command_takes_a_response_count_and_a_date(voxloop):
    result = voxloop(
        "demo", "--seed", "3", "--stores", "12", "--staff", "30", "--accounts", "4",
        "--contacts", "200", "--responses", "400", "--as-of", "2026-03-01",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "400 responses to 4 surveys" in result.out
    assert "Stores whose scores slide over the last three months:" in result.out
    assert Response.objects.count() == 400
    latest = Response.objects.order_by("-submitted_at").first().submitted_at
    assert datetime(2026, 2, 1, tzinfo=UTC) < latest < datetime(2026, 3, 1, tzinfo=UTC)
