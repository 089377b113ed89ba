"""A review becomes what a comment becomes: analysed (sentiment, themes, language), announced,
and an alert rule on reviews opens a case for the store's manager — in English and Chinese —
while `review.received` reaches the event webhooks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.closedloop.receiver import Receiver
from tests.reviews.corpus import samples
from tests.reviews.payloads import google_page, google_review
from tests.reviews.support import make_source
from tests.smtp import free_port
from voxloop.closedloop.models import Case, Notification
from voxloop.reviews import fetching
from voxloop.reviews.models import Review
from voxloop.webhooks import services as webhook_services
from voxloop.webhooks.models import Delivery

LOCATION = "accounts/1/locations/9"
PATH = f"/v4/{LOCATION}/reviews"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _iso(when) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_one_star_review_opens_a_case_for_the_store_manager(
    world, provider, settings, low_rating_rule, language, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    source = make_source(
        world.acme,
        "google_business",
        base_url=f"{provider.url}/v4",
        locations={LOCATION: "c1r1s1"},
        credentials={"access_token": "t"},
    )
    bad = next(s for s in samples(language) if s.stars == 1)
    good = next(s for s in samples(language) if s.stars == 5)
    now = timezone.now()
    provider.pages[(PATH, "")] = google_page(
        [
            google_review("bad", bad, created=_iso(now - timedelta(hours=3)), name="Kim"),
            google_review("good", good, created=_iso(now - timedelta(hours=2)), name="Lee"),
            # A year-old review from the first fetch's history alerts nobody.
            google_review("old", bad, created=_iso(now - timedelta(days=300)), name="Old"),
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch(source.pk)
    review = Review.objects.get(source=source, external_id="bad")
    assert review.sentiment == "negative" and review.language.startswith(language)
    (case,) = Case.objects.filter(rule=low_rating_rule)
    assert case.review_id == review.pk and case.response_id is None
    assert case.unit == world.acme.units["c1r1s1"]
    assert case.assignee == world.acme.user("store")
    alert = Notification.objects.get(case=case, recipient=world.acme.user("store").email)
    assert "1" in alert.body and "/reviews/" in alert.body
    # Fetched again: no second case.
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch(source.pk)
    assert Case.objects.filter(rule=low_rating_rule).count() == 1


def test_the_case_page_shows_the_review_to_the_store_and_hides_it_elsewhere(
    world, provider, settings, low_rating_rule, client, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    source = make_source(
        world.acme, "google_business", base_url=f"{provider.url}/v4", locations={LOCATION: "c1r1s1"}
    )
    bad = next(s for s in samples("en") if s.stars == 1)
    provider.pages[(PATH, "")] = google_page(
        [google_review("bad", bad, created=_iso(timezone.now()), name="Kim")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch(source.pk)
    case = Case.objects.get(rule=low_rating_rule)
    client.force_login(world.acme.user("store"))
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200 and bad.text in page.content.decode()
    client.force_login(world.acme.user("sibling_store"))
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_review_received_reaches_a_subscription_above_the_store(
    world, provider, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    hook = Receiver(port=free_port())
    webhook_services.create_subscription(
        actor=world.acme.scope("admin"),
        unit=world.acme.units["c1"],
        name="reviews feed",
        url=hook.url,
        events=["review.received"],
    )
    elsewhere, _secret = webhook_services.create_subscription(
        actor=world.acme.scope("admin"),
        unit=world.acme.units["c2"],
        name="other country",
        url=hook.url,
        events=["review.received"],
    )
    source = make_source(
        world.acme, "google_business", base_url=f"{provider.url}/v4", locations={LOCATION: "c1r1s1"}
    )
    zh = samples("zh")[0]
    provider.pages[(PATH, "")] = google_page(
        [google_review("z1", zh, created=_iso(timezone.now()), name="王芳")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch(source.pk)
    (delivery,) = Delivery.objects.filter(event_type="review.received")
    assert delivery.subscription_id != elsewhere.pk
    data = delivery.payload["data"]
    assert data["rating"] == zh.stars and data["text"] == zh.text
    assert "王芳" not in str(delivery.payload)  # the reviewer is never named


def test_an_admin_sets_up_a_review_rule_with_the_form(world, client):
    from voxloop.closedloop.models import AlertRule

    client.force_login(world.acme.user("admin"))
    answer = client.post(
        "/cases/rules/new/",
        {
            "name": "One star",
            "applies_to": "reviews",
            "unit_code": world.acme.root.code,
            "match": "all",
            "rating_max": 1,
            "priority": "high",
            "sla_hours": 24,
            "second_escalation_hours": 24,
            "open_case": "on",
            "notify_roles": ["manager"],
            "email_mode": "immediate",
            "is_active": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    rule = AlertRule.objects.get(name="One star")
    assert rule.applies_to == "reviews"
    assert rule.conditions["items"] == [{"field": "rating", "op": "lte", "value": 1.0}]
    page = client.get(f"/cases/rules/{rule.pk}/").content.decode()
    assert 'value="reviews" selected' in page


def test_the_review_site_is_a_field_of_the_rule_form_and_the_builder(world, client):
    import json
    import re

    from voxloop.closedloop.models import AlertRule

    client.force_login(world.acme.user("admin"))
    page = client.get("/cases/rules/new/").content.decode()
    assert 'name="review_source"' in page and 'value="trustpilot"' in page
    builder = re.search(r'<script id="rule-builder" type="application/json">(.*?)</script>', page)
    fields = {f["name"]: f for f in json.loads(builder.group(1))["fields"]}
    assert fields["rating"]["input"] == "number"
    assert fields["review_source"]["input"] == "choice"
    assert ["google_play", "Google Play"] in fields["review_source"]["choices"]
    answer = client.post(
        "/cases/rules/new/",
        {
            "name": "Bad Trustpilot reviews",
            "applies_to": "reviews",
            "unit_code": world.acme.root.code,
            "match": "all",
            "rating_max": 2,
            "review_source": "trustpilot",
            "priority": "high",
            "sla_hours": 24,
            "second_escalation_hours": 24,
            "open_case": "on",
            "notify_roles": ["manager"],
            "email_mode": "immediate",
            "is_active": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    rule = AlertRule.objects.get(name="Bad Trustpilot reviews")
    assert rule.conditions["items"] == [
        {"field": "rating", "op": "lte", "value": 2.0},
        {"field": "review_source", "op": "eq", "value": "trustpilot"},
    ]
    page = client.get(f"/cases/rules/{rule.pk}/").content.decode()
    assert 'value="trustpilot" selected' in page
    bad = client.post(
        "/cases/rules/new/",
        {"name": "x", "unit_code": world.acme.root.code, "match": "all", "review_source": "x"},
    )
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()


def test_a_case_resolved_in_time_counts_as_follow_through(
    world, provider, settings, low_rating_rule, django_capture_on_commit_callbacks
):
    from voxloop.reviews import panel

    settings.TASKS = IMMEDIATE
    source = make_source(
        world.acme,
        "google_business",
        base_url=f"{provider.url}/v4",
        locations={LOCATION: "c1r1s1"},
        credentials={"access_token": "t"},
    )
    bad = [s for s in samples("en") if s.stars == 1][:2]
    now = timezone.now()
    provider.pages[(PATH, "")] = google_page(
        [
            google_review(f"bad{i}", s, created=_iso(now - timedelta(hours=3)), name="Kim")
            for i, s in enumerate(bad)
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        fetching.fetch(source.pk)
    reviews = panel.own_reviews(world.acme.scope("store"))
    window = (now - timedelta(days=1), now + timedelta(days=1))
    assert panel.followed_through(world.acme.scope("store"), reviews, *window) == (0, 2)
    first = Case.objects.get(review_id=Review.objects.get(external_id="bad0").pk)
    # Resolved before its due time (as `casework.resolve` would, with a root cause).
    Case.objects.filter(pk=first.pk).update(status="resolved", resolved_at=first.due_at)
    assert panel.followed_through(world.acme.scope("store"), reviews, *window) == (1, 2)
    # Another organisation's reader counts none of these reviews.
    assert panel.followed_through(
        world.other.scope("admin"), panel.own_reviews(world.other.scope("admin")), *window
    ) == (0, 0)
