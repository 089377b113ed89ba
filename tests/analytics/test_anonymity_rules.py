"""The anonymity rule as readers meet it (issue 14 item 4, issue 15 item 9): through the API,
the dashboard page and the exports, for every role, unit and tenant. Each test here failed
before decision 0016."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.analytics.anonymous_world import (
    add_months,
    answers,
    closed_months,
    employee_survey,
    store_pulses,
)
from tests.analytics.attacker import Shown, counts_of, pinned_groups
from voxloop.analytics import services
from voxloop.analytics.models import AnonymityCycle
from voxloop.responses.services import import_history

LAST_MONTH = closed_months(1)[0]


@pytest.fixture
def pulse(world):
    """Last month: store 1.1.1 six answers (4 promoters, 2 detractors), store 1.1.2 two
    detractors, store 1.2.1 seven answers; the other tenant a pulse of its own."""
    acme = world.acme
    survey = employee_survey(acme, "Pulse")
    given = answers(survey, acme.units["c1r1s1"], [10, 10, 9, 9, 2, 3])
    given += answers(survey, acme.units["c1r1s2"], [0, 1])
    given += answers(survey, acme.units["c1r2s1"], [8, 8, 9, 10, 6, 7, 7])
    store_pulses(world, survey, given)
    return survey


def as_member(world, name: str, org: str = "acme") -> Client:
    client = Client()
    client.force_login(getattr(world, org).user(name))
    return client


def metrics(client: Client, **params):
    return client.get(reverse("api:analytics_metrics"), params)


def last_month_query(survey, **params) -> dict:
    end = add_months(LAST_MONTH, 1) - timedelta(days=1)
    return {"survey": survey.pk, "start": LAST_MONTH.isoformat(), "end": end.isoformat(), **params}


def test_a_region_minus_its_shown_stores_no_longer_gives_the_hidden_store(world, pulse):
    """Issue 15 item 9: region 1.1 (8) minus store 1.1.1 (6) was store 1.1.2's two
    detractors. Now store 1.1.1 is hidden with it, and nothing the director reads about the
    region, its stores and its parent solves for a group under five."""
    director = as_member(world, "director")
    region = world.acme.units["c1r1"]
    body = metrics(director, by="unit", **last_month_query(pulse, unit=region.pk)).json()
    rows = {r["label"]: r for r in body["rows"]}
    assert not body["total"]["suppressed"] and body["total"]["n"] == 8
    assert rows["Store 1.1.1"]["suppressed"] and rows["Store 1.1.2"]["suppressed"]
    assert rows["Store 1.1.1"]["se"] is None and rows["Store 1.1.1"]["n"] == 0

    acme = world.acme
    paths = {u.pk: u.path for u in acme.units.values()}
    truth = {"c1r1s1": (6, 4, 2), "c1r1s2": (2, 0, 2), "c1r2s1": (7, 2, 1)}
    truth = {acme.units[k].path: dict(zip("nPD", v, strict=True)) for k, v in truth.items()}
    shown = []
    for unit in acme.units.values():
        data = director.get(
            reverse("api:analytics_dashboard"), last_month_query(pulse, unit=unit.pk)
        ).json()
        for row in [data["units"]["unit"], *data["units"]["children"]]:
            if not row["suppressed"]:
                under = frozenset(p for p in truth if p.startswith(paths[row["unit_id"]]))
                shown.append(Shown(under, counts_of(row)))
    groups = {p: [p] for p in truth} | {"region 1.1": [p for p in truth if "c1r1" in p]}
    assert shown and pinned_groups(shown, truth, groups, 5) == []


def test_overlapping_custom_periods_are_the_same_whole_months(world, pulse):
    """Days 1–9 and 1–11 of last month differed by the answers of day 10; both are now the
    whole month, and a period never reaches into the month still running."""
    director = as_member(world, "director")
    early = metrics(
        director,
        survey=pulse.pk,
        start=LAST_MONTH.isoformat(),
        end=LAST_MONTH.replace(day=9).isoformat(),
    ).json()
    later = metrics(
        director,
        survey=pulse.pk,
        start=LAST_MONTH.isoformat(),
        end=LAST_MONTH.replace(day=11).isoformat(),
    ).json()
    assert early["total"] == later["total"] and early["total"]["n"] == 15
    assert early["filters"]["start"] == LAST_MONTH.isoformat()
    assert early["filters"]["end"] == (add_months(LAST_MONTH, 1) - timedelta(days=1)).isoformat()
    week = metrics(director, survey=pulse.pk, period="7d").json()
    assert week["filters"]["start"] == LAST_MONTH.isoformat()  # the last month that ended


def test_this_months_answers_wait_until_it_ends(world, pulse):
    director = as_member(world, "director")
    before = metrics(director, survey=pulse.pk, period="30d").json()["total"]
    live = director.get(reverse("analytics:live"), {"survey": pulse.pk, "period": "30d"})
    today = timezone.localdate()
    import_history(
        survey=pulse, submissions=answers(pulse, world.acme.units["c1r2s1"], [0] * 6, day=today)
    )
    services.rebuild(organization_id=world.acme.root.organization_id)
    assert metrics(director, survey=pulse.pk, period="30d").json()["total"] == before
    again = director.get(reverse("analytics:live"), {"survey": pulse.pk, "period": "30d"})
    assert again.json() == live.json()


@pytest.mark.parametrize(
    "by", ["language", "hour", "day", "week", "weekday", "channel", "staff", "attribute:tenure"]
)
def test_hidden_groups_show_no_keys(world, pulse, by):
    """Breakdowns whose keys say who answered (a language, an hour, a day) are refused
    outright rather than listed with their small groups hidden."""
    response = metrics(as_member(world, "director"), by=by, **last_month_query(pulse))
    assert response.status_code == 400 and response.json()["error"]["field"] == "by"


def test_no_channel_filter_heatmap_or_comment_count(world, pulse):
    director = as_member(world, "director")
    for params, field in (({"channel": "web"}, "channel"), ({"metric": "comments"}, "metric")):
        response = metrics(director, **last_month_query(pulse, **params))
        assert response.status_code == 400 and response.json()["error"]["field"] == field
    heat = director.get(reverse("api:analytics_heatmap"), last_month_query(pulse))
    assert heat.status_code == 400
    export = director.get(
        reverse("analytics:export_aggregates", args=["csv"]), last_month_query(pulse, by="hour")
    )
    assert export.status_code == 400


def test_trend_keys_are_the_calendar_not_the_answers(world, pulse):
    body = metrics(as_member(world, "director"), by="month", survey=pulse.pk, period="365d").json()
    assert len(body["rows"]) == 12  # every month, answered or not
    shown = [r for r in body["rows"] if not r["suppressed"]]
    assert [r["key"] for r in shown] == [LAST_MONTH.isoformat()]
    assert all(r["n"] == 0 and r["se"] is None for r in body["rows"] if r["suppressed"])


@pytest.mark.parametrize(
    ("reader", "unit", "shown"),
    [
        ("director", "root", True),
        ("admin", "c1", True),
        ("country_admin", "c1", True),
        ("analyst", "c1r2s1", True),  # seven people
        ("regional", "c1r1", True),
        ("store", "c1r1s1", False),  # the manager of six does not see their own six
        ("sibling_store", "c1r1s2", False),
        ("viewer", "c1r1", True),
    ],
)
def test_every_role_sees_the_same_rule_at_its_units(world, pulse, reader, unit, shown):
    body = metrics(
        as_member(world, reader), **last_month_query(pulse, unit=world.acme.units[unit].pk)
    ).json()
    assert body["total"]["suppressed"] is not shown


def test_another_tenant_or_unit_out_of_scope_is_not_found(world, pulse):
    theirs = as_member(world, "admin", org="other")
    assert metrics(theirs, **last_month_query(pulse)).status_code == 404
    store = as_member(world, "store")
    region2 = world.acme.units["c1r2"].pk
    assert metrics(store, **last_month_query(pulse, unit=region2)).status_code == 404


def test_the_dashboard_page_says_why_and_hides_what_cannot_be_shown(world, pulse):
    page = as_member(world, "director").get(
        reverse("analytics:dashboard"), {"survey": pulse.pk, "grain": "day"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="anonymity-note"' in html and "heat-heading" not in html
    assert "staff-heading" not in html
    # The export of single answers never carries the unit filter of the page.
    drilled = as_member(world, "director").get(
        reverse("analytics:dashboard"), {"survey": pulse.pk, "unit": world.acme.units["c1"].pk}
    )
    link = drilled.content.decode().split("responses.csv?")[1].split('"')[0]
    assert f"survey={pulse.pk}" in link and "unit=" not in link


def test_a_month_with_answers_but_no_record_of_its_blocks_is_worked_out_not_shown(world, pulse):
    """Rollups from before decision 0016 (or written some other way) have no cycle row: the
    rule fails closed and works the month out on first read."""
    AnonymityCycle.objects.all().delete()
    body = metrics(
        as_member(world, "director"),
        by="unit",
        **last_month_query(pulse, unit=world.acme.units["c1r1"].pk),
    ).json()
    assert all(r["suppressed"] for r in body["rows"])
    assert AnonymityCycle.objects.filter(survey=pulse, month=LAST_MONTH).exists()


def test_closed_months_are_worked_out_ahead_of_their_first_reader(world, pulse):
    from voxloop.analytics import anonymity
    from voxloop.analytics.models import HiddenNode

    assert anonymity.work_out_stale() == 2  # last month of our pulse and of theirs
    cycle = AnonymityCycle.objects.get(survey=pulse, month=LAST_MONTH)
    assert cycle.computed == cycle.version
    hidden = set(HiddenNode.objects.filter(cycle=cycle).values_list("node_path", flat=True))
    assert world.acme.units["c1r1s2"].path in hidden and world.acme.root.path not in hidden
    assert anonymity.work_out_stale() == 0


def test_anonymous_rows_carry_no_comparison_with_the_rest(world, pulse):
    """A p-value of a unit against the rest of its region would be one more equation for a
    differencing attack (issue 15 items 4 and 9): anonymous rows carry none."""
    director = as_member(world, "director")
    body = metrics(director, by="unit", **last_month_query(pulse, unit=world.acme.units["c1"].pk))
    rows = body.json()["rows"]
    assert rows and all(r.get("vs_rest") is None for r in rows)
