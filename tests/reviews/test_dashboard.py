"""Review figures next to the survey figures: the main dashboard's panel (average rating with
its interval, distribution, volume, share of 1–2 stars, follow-through and time to reply, each
with its change and test), scoped to the reader's units and organisation and read as a few
aggregate queries; the digest and the review metrics export carry them too."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.reviews.support import make_source
from voxloop.analytics import dashboard, digests, filters
from voxloop.reviews import panel, services
from voxloop.reviews.models import Review

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


def _csv(rows: list[tuple]) -> bytes:
    lines = ["id,location,rating,date,reply,reply_date"]
    lines += [",".join(f'"{v}"' for v in r) for r in rows]
    return "\n".join(lines).encode()


def _rows(prefix: str, location: str, ratings: list[int], month: int) -> list[tuple]:
    out = []
    for i, r in enumerate(ratings):
        posted = date(2026, month, 1 + i % 28)
        # Every other low rating is answered the next day: within the 48 h of follow-through.
        reply = (
            ("Sorry", (posted + timedelta(days=1)).isoformat()) if r <= 2 and i % 2 else ("", "")
        )
        out.append((f"{prefix}{i}", location, r, posted.isoformat(), *reply))
    return out


@pytest.fixture
def reviews(world):
    rng = random.Random(11)
    source = make_source(world.acme, "file", locations={"s1": "c1r1s1", "s2": "c1r1s2"})
    rows = _rows("sep", "s1", [rng.choice((4, 5, 5)) for _ in range(40)], 9)
    rows += _rows("oct", "s1", [rng.choice((1, 2, 3, 4)) for _ in range(40)], 10)
    rows += _rows("two", "s2", [1, 5], 10)
    admin = world.acme.scope("admin")
    services.import_file(scope=admin, source=source, name="r.csv", data=_csv(rows), now=T0)
    theirs = make_source(world.other, "file", locations={"x": "c1r1s1"})
    services.import_file(
        scope=world.other.scope("admin"), source=theirs, name="r.csv",
        data=_csv([("z", "x", 1, "2026-10-01", "", "")]), now=T0,
    )  # fmt: skip
    return source


def _panel(org, who: str) -> dict | None:
    return dashboard.payload(org.scope(who), filters.parse(OCTOBER), ("reviews",))["reviews"]


def test_the_dashboard_panel_has_the_figures_with_intervals_and_a_tested_change(world, reviews):
    found = _panel(world.acme, "admin")
    assert found["volume"] == 42 and found["previous_volume"] == 40
    october = list(Review.objects.filter(external_id__startswith="oct"))
    october += list(Review.objects.filter(external_id__startswith="two"))
    mean = sum(r.rating for r in october) / 42
    assert found["rating"]["value"] == pytest.approx(mean)
    assert found["rating"]["low"] < mean < found["rating"]["high"] and found["rating"]["n"] == 42
    assert [d["stars"] for d in found["distribution"]] == [5, 4, 3, 2, 1]
    assert sum(d["count"] for d in found["distribution"]) == 42
    low = sum(1 for r in october if r.rating <= 2)
    assert found["low_share"]["value"] == pytest.approx(100 * low / 42, abs=0.01)
    # September was mostly fives: the fall is significant, and so is the rise of 1–2 stars.
    assert found["rating_change"]["delta"] < 0 and found["rating_change"]["significant"]
    assert found["low_share_change"]["delta"] > 0 and found["low_share_change"]["significant"]
    # Half of the low ratings were answered within a day.
    answered = sum(1 for r in october if r.rating <= 2 and r.reply_text)
    assert found["follow_through"]["n"] == low
    assert found["follow_through"]["value"] == pytest.approx(100 * answered / low, abs=0.01)
    assert found["follow_through"]["low_sample"] == (low < 30)
    assert found["reply_time"]["median"] == pytest.approx(24.0)
    assert found["follow_through_change"]["reason"] in ("no_data", "low_sample")


def test_the_panel_is_scoped_to_the_readers_units_and_organisation(world, reviews, client):
    assert _panel(world.acme, "sibling_store")["volume"] == 2  # only s2's October reviews
    assert _panel(world.acme, "store")["volume"] == 40
    assert _panel(world.acme, "store")["rating_change"]["significant"]
    # The other organisation sees its one review, never Acme's.
    assert _panel(world.other, "admin")["volume"] == 1
    # A country without reviews shows no empty panel.
    assert _panel(world.acme, "viewer") is not None
    assert (
        dashboard.payload(
            world.acme.scope("admin"),
            filters.parse({**OCTOBER, "unit": str(world.acme.units["c2"].pk)}),
            ("reviews",),
        )["reviews"]
        is None
    )
    client.force_login(world.acme.user("store"))
    page = client.get("/analytics/", OCTOBER).content.decode()
    assert 'data-testid="reviews-panel"' in page and "Online reviews" in page


def test_the_panel_reads_aggregates_in_a_fixed_number_of_queries(world, reviews):
    scope = world.acme.scope("admin")
    chosen = filters.parse(OCTOBER)
    with CaptureQueriesContext(connection) as few:
        panel.dashboard_reviews(scope, chosen)
    more = [(f"more{i}", "s1", 1 + i % 5, f"2026-10-{1 + i % 28:02d}", "", "") for i in range(300)]
    services.import_file(scope=scope, source=reviews, name="more.csv", data=_csv(more), now=T0)
    with CaptureQueriesContext(connection) as many:
        found = panel.dashboard_reviews(scope, chosen)
    assert found["volume"] == 342
    assert len(many) == len(few) <= 12


def test_the_digest_carries_the_review_figures(world, reviews):
    membership = world.acme.members["regional"]
    content = digests.content_for(membership, filters.parse(OCTOBER))
    assert content["reviews"]["volume"] == 42
    from django.template.loader import render_to_string

    text = render_to_string("analytics/email/digest.txt", content)
    assert "Online reviews: 42 (before: 40)." in text and "Average rating" in text


def test_review_metrics_export_as_csv_for_the_requesters_units(
    world, reviews, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EXPORTS_ROOT = tmp_path / "exports"
    from voxloop.exports.models import Export

    client = world.acme.user("sibling_store")
    from django.test import Client

    browser = Client()
    browser.force_login(client)
    with django_capture_on_commit_callbacks(execute=True):
        answer = browser.post(
            "/exports/new/",
            {"kind": "reviews", "fmt": "csv", "since": "2026-10-01", "until": "2026-11-01"},
        )
    assert answer.status_code == 302
    export = Export.objects.get()
    body = b"".join(browser.get(f"/exports/{export.pk}/download/").streaming_content)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    total = rows[0]
    assert total["group"] == "total" and total["reviews"] == "2"
    assert {r["group"] for r in rows} >= {"total", "source", "month"}
    assert total["low_sample"] == "True"
