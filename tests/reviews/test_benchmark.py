"""The benchmark ranks my locations against competitors' listings in a region, with intervals,
the gap and its test, and stays inside the reader's subtree and organisation."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from tests.matrix_actors import api_as
from tests.reviews.support import make_source
from voxloop.reviews import services

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _csv(rows: list[tuple]) -> bytes:
    lines = ["id,location,rating,date,text"] + [",".join(f'"{v}"' for v in r) for r in rows]
    return "\n".join(lines).encode()


def _import(org, source, location: str, ratings: list[int], prefix: str) -> None:
    rows = [
        (
            f"{prefix}{i}",
            location,
            r,
            f"2026-{9 + i % 2:02d}-{1 + i % 27:02d}",
            "The queue was slow",
        )
        for i, r in enumerate(ratings)
    ]
    services.import_file(
        scope=org.scope("admin"), source=source, name="r.csv", data=_csv(rows), now=T0
    )


@pytest.fixture
def region(world):
    rng = random.Random(5)
    ours = make_source(world.acme, "file", locations={"s1": "c1r1s1", "s2": "c1r1s2"})
    theirs = make_source(
        world.acme, "file", locations={"rival": "c1r1"}, name="Rival", is_competitor=True
    )
    _import(world.acme, ours, "s1", [rng.choice((4, 5, 5)) for _ in range(40)], "a")
    _import(world.acme, ours, "s2", [rng.choice((3, 4, 5)) for _ in range(40)], "b")
    _import(world.acme, theirs, "rival", [rng.choice((1, 2, 3)) for _ in range(40)], "c")
    return world


def test_my_locations_rank_above_a_weaker_competitor_with_a_significant_gap(region):
    body = api_as(region, "regional").get("/reviews/benchmark").json()
    labels = [(r["label"], r["mine"]) for r in body["rows"]]
    assert len(labels) == 3 and labels[-1][1] is False  # the rival ranks last
    last = body["rows"][-1]
    assert last["rank_low"] == last["rank_high"] == 3  # surely last
    assert body["gap"]["delta"] > 1.5 and body["gap"]["significant"]
    assert body["ours"]["n"] == 80 and body["theirs"]["n"] == 40
    assert [m["month"] for m in body["trend"]] == ["2026-09-01", "2026-10-01"]


def test_competitor_reviews_stay_out_of_our_figures_and_lists(region):
    store = api_as(region, "regional")
    assert store.get("/reviews/metrics").json()["summary"]["volume"] == 80
    assert store.get("/reviews").json()["count"] == 80


def test_the_benchmark_is_scoped(region, client):
    sibling = api_as(region, "sibling_store").get("/reviews/benchmark").json()
    assert {r["mine"] for r in sibling["rows"]} == {True} and len(sibling["rows"]) == 1
    assert api_as(region, "other_admin").get("/reviews/benchmark").json()["rows"] == []
    other_unit = region.acme.units["c1r1"].pk
    assert (
        api_as(region, "other_admin").get(f"/reviews/benchmark?unit_id={other_unit}").status_code
        == 404
    )
    client.force_login(region.acme.user("viewer"))
    page = client.get("/reviews/benchmark/")
    assert page.status_code == 200 and "Rival" in page.content.decode()


def test_the_benchmark_draws_its_charts_and_marks_what_has_too_few_reviews(region, client):
    import json
    import re

    from voxloop.reviews import benchmark, page_parts
    from voxloop.reviews.selectors import ReviewFilters

    scope = region.acme.scope("regional")
    result = benchmark.benchmark(scope, ReviewFilters())
    charts = page_parts.benchmark_charts(result)
    ranking = charts["ranking"]
    assert ranking["kind"] == "whiskers" and ranking["axis"] == {"min": 1, "max": 5}
    assert len(ranking["labels"]) == 3 and "competitor" in ranking["labels"][-1]
    assert all(
        low < v < high
        for v, low, high in zip(ranking["value"], ranking["low"], ranking["high"], strict=True)
    )
    # 40 reviews each: enough on the whole, but each month holds about 20 — low sample.
    assert ranking["hollow"] == [False, False, False]
    gap = charts["gap"]
    assert gap["kind"] == "trend" and gap["x"] == ["2026-09", "2026-10"]
    assert gap["hollow"] == [True, True]
    assert all(lo < v < hi for v, lo, hi in zip(gap["value"], gap["low"], gap["high"], strict=True))
    # Each of my locations against the competitors pooled, with its test.
    mine = [r for r in result["rows"] if r["mine"]]
    assert all(r["vs_competitors"]["significant"] for r in mine)
    client.force_login(region.acme.user("regional"))
    page = client.get("/reviews/benchmark/").content.decode()
    spec = re.search(r'<script id="ranking-spec" type="application/json">(.*?)</script>', page)
    assert spec and json.loads(spec.group(1))["kind"] == "whiskers"
    assert 'id="gap-spec"' in page and "vendor/echarts/echarts.min.js" in page
