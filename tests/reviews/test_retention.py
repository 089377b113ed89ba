"""Reviewers' names have their own retention period (the privacy settings): after N days from
the review only the name goes — the text, rating and earlier versions' text stay — and an
organisation without the setting keeps the contacts' period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.reviews.support import make_source
from voxloop.errors import InvalidInput
from voxloop.privacy import services as privacy
from voxloop.reviews import forgetting, services
from voxloop.reviews.fetching import ERASED
from voxloop.reviews.models import Review

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _csv(rows: list[tuple]) -> bytes:
    lines = ["id,location,rating,date,author,text"]
    lines += [",".join(f'"{v}"' for v in r) for r in rows]
    return "\n".join(lines).encode()


@pytest.fixture
def reviews(world):
    def load(org, prefix: str) -> None:
        source = make_source(org, "file", locations={"s1": "c1r1s1"})
        rows = [
            (f"{prefix}old", "s1", 2, (NOW - timedelta(days=20)).date().isoformat(), "Ann Lee",
             "Slow queue"),
            (f"{prefix}new", "s1", 5, (NOW - timedelta(days=3)).date().isoformat(), "Bo Chen",
             "Great"),
        ]  # fmt: skip
        services.import_file(
            scope=org.scope("admin"), source=source, name="r.csv", data=_csv(rows), now=NOW
        )

    load(world.acme, "a")
    load(world.other, "o")


def test_names_are_erased_after_their_own_period_and_the_review_stays(world, reviews):
    privacy.update_policy(actor=world.acme.scope("admin"), reviewer_name_days=14)
    assert forgetting.apply_retention(now=NOW) == 1
    old = Review.objects.get(external_id="aold")
    assert old.author_name == ERASED
    assert (old.text, old.rating) == ("Slow queue", 2)
    assert Review.objects.get(external_id="anew").author_name == "Bo Chen"
    # Another organisation's policy is its own: nothing set there, nothing erased.
    assert Review.objects.get(external_id="oold").author_name == "Ann Lee"
    assert forgetting.apply_retention(now=NOW) == 0  # done once


def test_without_its_own_period_the_contacts_period_applies(world, reviews):
    privacy.update_policy(actor=world.acme.scope("admin"), contact_days=30)
    assert forgetting.apply_retention(now=NOW + timedelta(days=15)) == 1
    assert Review.objects.get(external_id="aold").author_name == ERASED
    # Its own period wins over the contacts' one.
    privacy.update_policy(actor=world.acme.scope("admin"), reviewer_name_days=365)
    assert forgetting.apply_retention(now=NOW + timedelta(days=40)) == 0


def test_the_setting_is_checked_and_on_the_privacy_page(world, client):
    with pytest.raises(InvalidInput):
        privacy.update_policy(actor=world.acme.scope("admin"), reviewer_name_days=2)
    client.force_login(world.acme.user("admin"))
    page = client.get("/privacy/").content.decode()
    assert 'name="reviewer_name_days"' in page
