"""Single anonymous answers (issue 14 item 6): read only as whole released months of the
reader's whole scope, in the export, never by unit and never with what would say who or when.
Each test failed before decision 0016 (the export filtered by unit, with ids and times)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from tests.analytics.anonymous_world import answers, closed_months, employee_survey, store_pulses
from voxloop.responses.models import Response

EARLIER, LAST = closed_months(2)


@pytest.fixture
def pulse(world):
    """Two months: the earlier one has country 1 with 7 and country 2 with 2 (so country 1
    is shown that month only if country 2 is not left alone: it is hidden with it); the last
    has 6 in each country."""
    acme = world.acme
    survey = employee_survey(acme, "Pulse")
    given = answers(survey, acme.units["c1r1s1"], [9, 9, 9, 3, 3, 7, 8], EARLIER.replace(day=3))
    given += answers(survey, acme.units["c2r1s1"], [0, 10], EARLIER.replace(day=4), locale="ja")
    given += answers(survey, acme.units["c1r2s1"], [10] * 6, LAST.replace(day=3))
    given += answers(survey, acme.units["c2r2s2"], [5] * 6, LAST.replace(day=5))
    store_pulses(world, survey, given)
    return survey


def export(world, who: str, org: str = "acme", **params):
    client = Client()
    client.force_login(getattr(world, org).user(who))
    return client.get(
        reverse("analytics:export_responses", args=["csv"]), {"period": "365d", **params}
    )


def rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_whole_company_reads_each_month_whole_and_nothing_that_says_who_or_when(world, pulse):
    got = rows(export(world, "admin", survey=pulse.pk))
    assert sorted({r["submitted_at"] for r in got}) == [f"{EARLIER:%Y-%m}", f"{LAST:%Y-%m}"]
    assert len(got) == 21
    for row in got:
        assert row["id"] == "" and len(row["submitted_at"]) == 7  # the month only
        assert row["unit"] == row["unit_code"] == row["staff"] == ""
        assert row["channel"] == row["locale"] == ""  # "ja" would name the one in Japan
    # In the order of the answers' random resume tokens, not of time or id.
    last = [r["nps"] for r in got if r["submitted_at"] == f"{LAST:%Y-%m}"]
    by_token = Response.objects.filter(survey=pulse, submitted_at__date__gte=LAST)
    assert last == [str(n) for n in by_token.order_by("resume_token").values_list("nps", flat=True)]


def test_never_by_unit(world, pulse):
    for unit in ("c1", "c1r1s1"):
        response = export(world, "admin", survey=pulse.pk, unit=world.acme.units[unit].pk)
        assert response.status_code == 400


def test_a_smaller_scope_reads_only_the_months_it_holds_whole_blocks_in(world, pulse):
    """Country 1's admin: the last month (6 people) yes; the earlier month no — country 1's
    7 were hidden with country 2's 2, or the company's 9 minus them would give those 2."""
    got = rows(export(world, "country_admin", survey=pulse.pk))
    assert {r["submitted_at"] for r in got} == {f"{LAST:%Y-%m}"} and len(got) == 6
    assert rows(export(world, "analyst", survey=pulse.pk)) == got  # the analyst at c1


@pytest.mark.parametrize("who", ["regional", "store", "viewer", "agent"])
def test_roles_that_do_not_export_read_no_single_answers(world, pulse, who):
    assert export(world, who, survey=pulse.pk).status_code == 403


def test_another_tenant_reads_nothing_of_ours(world, pulse):
    assert export(world, "admin", org="other", survey=pulse.pk).status_code == 404
    theirs = rows(export(world, "admin", org="other", metric="enps"))
    assert len(theirs) == 6 and {r["survey"] for r in theirs} == {"Pulse"}
    assert rows(export(world, "admin", metric="enps")) != theirs
