"""Comments in the figures: the dashboard's sentiment and theme filters and breakdowns (the
analytics hooks), theme impact on NPS with its minimum-sample rule, trends, emerging themes
across languages, and the digest's top themes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.surveys.api_client import as_member
from tests.textanalytics import shop as shop_world
from voxloop.analytics import digests, filters, metrics
from voxloop.analytics import selectors as analytics_selectors
from voxloop.analytics.metrics import Counts
from voxloop.textanalytics import insights
from voxloop.textanalytics.models import CommentAnalysis, Theme


@pytest.fixture
def shop(world, settings):
    settings.TEXT_EMBEDDINGS = False
    return shop_world.build(world)


def _ctx(org, name: str, **params):
    return analytics_selectors.context(org.scope(name), filters.parse({"period": "30d", **params}))


def _staff(shop) -> Theme:
    return Theme.objects.get(taxonomy__organization=shop.acme.root.organization, key="staff")


def test_the_dashboard_filters_by_comment_sentiment_and_theme(shop):
    from voxloop.analytics import services as analytics_services

    analytics_services.rebuild(organization_id=shop.acme.root.organization_id)
    admin = as_member(shop.acme, "admin")
    everyone = admin.get("/analytics/metrics", period="30d").json()["total"]["n"]
    negative = admin.get("/analytics/metrics", period="30d", sentiment="negative").json()
    expected = CommentAnalysis.objects.filter(
        organization=shop.acme.root.organization, sentiment="negative"
    ).count()
    assert negative["total"]["n"] == expected < everyone
    staff = _staff(shop)
    about_staff = admin.get("/analytics/metrics", period="30d", theme=staff.pk).json()["total"]
    assert about_staff["n"] == 6  # four complaints and two compliments, in four languages
    rude = admin.get(
        "/analytics/metrics", period="30d", theme=staff.pk, sentiment="negative"
    ).json()["total"]
    assert rude["n"] == 4 and rude["value"] == -100.0
    assert admin.get("/analytics/metrics", sentiment="angry").status_code == 400


def test_breakdowns_by_sentiment_and_theme_for_every_role_in_its_scope(shop):
    for name, n in (("admin", 11), ("store", 10), ("viewer", 10)):
        client = as_member(shop.acme, name)
        rows = client.get("/analytics/metrics", period="30d", by="sentiment").json()["rows"]
        assert {r["key"] for r in rows} <= {"negative", "neutral", "positive"}
        assert sum(r["n"] for r in rows) == n, name
    rows = as_member(shop.acme, "store").get("/analytics/metrics", period="30d", by="theme")
    by_key = {r["label"]: r for r in rows.json()["rows"]}
    assert by_key["Staff friendliness"]["n"] == 6
    # A parent counts its children's mentions once per response.
    assert by_key["Service and staff"]["n"] == 6


def test_the_dashboard_page_shows_the_text_filters_and_breakdowns(shop):
    from django.test import Client

    client = Client()
    client.force_login(shop.acme.user("store"))
    body = client.get(f"/analytics/?theme={_staff(shop).pk}&sentiment=negative").content.decode()
    assert 'name="sentiment"' in body and "By theme mentioned" in body


def test_impact_makes_no_claim_at_tiny_n(shop):
    found = insights.theme_impact(_ctx(shop.acme, "admin"))  # the default minimum: 30
    assert found["rows"] == []
    staff = next(r for r in found["too_few"] if r["name"] == "Staff friendliness")
    assert staff == {"theme_id": _staff(shop).pk, "name": "Staff friendliness", "n": 6}
    assert set(staff) == {"theme_id", "name", "n"}  # no interval, difference or verdict


def test_impact_figures_match_a_hand_count(shop):
    found = insights.theme_impact(_ctx(shop.acme, "admin", min_n="2"))
    row = next(r for r in found["rows"] if r["name"] == "Staff friendliness")
    # Mentioned: 2, 3, 9, 4, 10, 5 → 2 promoters, 4 detractors of 6; the others: 6, 5, 6, 5, 1.
    with_it = Counts.of({"promoters": 2, "detractors": 4, "passives": 0, "nps_n": 6, "n": 6})
    without = Counts.of({"promoters": 0, "detractors": 5, "passives": 0, "nps_n": 5, "n": 5})
    assert row["with"]["value"] == pytest.approx(100 * (2 - 4) / 6, abs=1e-3)
    assert row["without"]["value"] == -100.0
    expected = metrics.change("nps", with_it, without, 2)
    assert row["difference"]["p_value"] == pytest.approx(expected.p_value, abs=1e-5)
    assert row["of_detractors"]["value"] == pytest.approx(100 * 4 / 9, abs=1e-3)
    assert row["with"]["low"] < row["with"]["value"] < row["with"]["high"]
    # Overall NPS is (2 − 9)/11; without these six it is −100.
    assert row["impact"] == pytest.approx(-100 - 100 * (2 - 9) / 11, abs=0.01)


def test_trends_need_both_periods(shop):
    found = insights.trending(_ctx(shop.acme, "admin", min_n="2"))
    assert found["previous_comments"] == 0
    assert all(r["direction"] == "unknown" and r["change"] is None for r in found["rows"])


def test_the_digest_lists_the_top_themes_without_words(shop, world):
    membership = shop.acme.members["viewer"]
    content = digests.digest_for(membership, timezone.now() + timedelta(days=1))
    names = [t["name"] for t in content["themes"]]
    assert names[0] == "Staff friendliness"
    assert (content["themes"][0]["n"], content["themes"][0]["negative"]) == (6, 4)
    from django.template.loader import render_to_string

    text = render_to_string("analytics/email/digest.txt", content)
    assert "What customers wrote about" in text
    assert "Staff friendliness: 6 comments, 4 negative" in text
    assert "rude" not in text
