"""The home page is the answer, not a menu (issue 16 item 1): each reader's own scope's figures,
the units that moved, their cases and the newest comments — and nothing outside the scope."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.analytics.support import cx_survey, respond
from tests.analytics.test_case_panel import make_cases
from voxloop.analytics import home


def client_for(org, name) -> Client:
    c = Client()
    c.force_login(org.user(name))
    return c


@pytest.fixture
def moved(world, immediate_tasks, django_capture_on_commit_callbacks):
    """Store 1.1.1 fell from all promoters to all detractors (40 answers each side); store
    1.2.1 stayed where it was; one open case at store 1.1.1 is past due."""
    acme = world.acme
    survey = cx_survey(acme)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(40):
            respond(survey, acme.units["c1r1s1"], nps=10, at=now - timedelta(days=45))
            respond(
                survey,
                acme.units["c1r1s1"],
                nps=2,
                at=now - timedelta(days=3),
                comment="Queue far too long" if i < 3 else "",
            )
            for days in (45, 3):
                respond(survey, acme.units["c1r2s1"], nps=9, at=now - timedelta(days=days))
    make_cases(acme)
    return survey


def test_the_store_managers_home_is_her_stores_answer(world, moved):
    html = client_for(world.acme, "store").get("/").content.decode()
    assert "<h1>Store 1.1.1</h1>" in html
    kpis = html.split('data-testid="home-kpis"')[1].split("</section>")[0]
    nps = kpis.split('data-metric="nps"')[1].split("</article>")[0]
    assert '<span class="value">-' in nps  # detractors now
    assert "▼" in nps and "significant" in nps
    assert 'data-testid="overdue">1<' in html
    comments = html.split('data-testid="home-comments"')[1].split("</section>")[0]
    assert "Queue far too long" in comments
    assert "Store 1.2" not in comments


def test_the_directors_home_shows_the_regions_that_moved(world, moved):
    answer = home.home(world.acme.scope("director"), {"period": "30d"})
    down = [(r["name"], r["change"]["significant"]) for r in answer.movers["down"]]
    assert ("Region 1.1", True) in down and ("Country 1", True) in down
    assert all(r["name"] != "Region 1.2" for r in answer.movers["down"] + answer.movers["up"])
    assert answer.movers["down"][0]["change"]["correction"] == "benjamini_hochberg"
    html = client_for(world.acme, "director").get("/", {"period": "30d"}).content.decode()
    assert "Region 1.1" in html.split('data-testid="movers"')[1].split("</section>")[0]


def test_a_viewer_reads_figures_without_comments_or_cases(world, moved):
    answer = home.home(world.acme.scope("viewer"), {})
    assert answer.comments is None and answer.cases is None
    assert {k["metric"] for k in answer.kpis} >= {"nps", "responses"}
    html = client_for(world.acme, "viewer").get("/").content.decode()
    assert "Queue far too long" not in html and 'data-testid="home-cases"' not in html


def test_neighbours_and_other_tenants_see_nothing_of_the_store(world, moved):
    for org, name in (
        (world.acme, "sibling_store"),
        (world.other, "store"),
        (world.other, "admin"),
    ):
        answer = home.home(org.scope(name), {"period": "30d"})
        nps = next(k for k in answer.kpis if k["metric"] == "nps") if answer.kpis else None
        assert nps is None or nps["figure"]["n"] == 0
        assert answer.movers["up"] == answer.movers["down"] == []
        assert not answer.comments
        assert answer.cases is not None and answer.cases["open"] == 0
        html = client_for(org, name).get("/").content.decode()
        assert "Queue far too long" not in html


def test_the_period_and_comparison_come_from_the_address(world, moved):
    c = client_for(world.acme, "store")
    page = c.get("/", {"period": "last_quarter", "compare": "year"})
    assert page.status_code == 200
    assert 'value="year" selected' in page.content.decode()
    assert c.get("/", {"period": "fortnight"}).status_code == 400
    # the home is always the reader's own scope: a unit in the address changes nothing
    answer = home.home(world.acme.scope("store"), {"unit": str(world.acme.units["c1r2s1"].pk)})
    assert answer.unit["name"] == "Store 1.1.1"


def test_someone_without_a_membership_keeps_a_page(world):
    c = Client()
    c.force_login(world.loner)
    assert c.get("/").status_code == 200


def test_newest_comments_look_past_the_last_week_when_it_holds_too_few(world, moved):
    old = timezone.now() - timedelta(days=20)
    respond(moved, world.acme.units["c1r2s1"], nps=8, at=old, comment="Three weeks ago")
    texts = [c["text"] for c in home.home(world.acme.scope("director"), {"period": "30d"}).comments]
    assert texts[:3] == ["Queue far too long"] * 3 and texts[3] == "Three weeks ago"
    week = home.home(world.acme.scope("director"), {"period": "7d"}).comments
    assert "Three weeks ago" not in [c["text"] for c in week]
