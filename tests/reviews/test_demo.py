"""The demo's online reviews: sources per country fed from recorded payloads (switched off:
the demo never calls a provider), a competitor in every region, answered reviews, a rule on
low ratings and reply templates in every language."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from voxloop.closedloop.models import AlertRule, Playbook
from voxloop.demo.org_tree import build_tree
from voxloop.demo.progress import Silent
from voxloop.demo.reviews import add_reviews
from voxloop.reviews.models import Review, ReviewSource
from voxloop.tenancy import services as tenancy_services
from voxloop.tenancy.scoping import Scope

ANCHOR = datetime(2026, 12, 1, tzinfo=UTC)


def test_demo_reviews(db):
    root = tenancy_services.create_organization(name="Northwind", slug="northwind-test")
    system = Scope.system(root)
    tree = build_tree(system, root, 6, random.Random(3), Silent())
    result = add_reviews(system, tree, random.Random(4), ANCHOR)
    sources = ReviewSource.objects.filter(organization_id=root.organization_id)
    assert not sources.filter(is_active=True).exists()  # nothing is ever fetched for real
    countries_with_stores = {p.country.code for p in tree.stores}
    assert result.sources == 2 * len(countries_with_stores) + 1
    assert sources.filter(is_competitor=True).count() == 1
    ours = Review.objects.filter(organization_id=root.organization_id, source__is_competitor=False)
    assert ours.count() == result.reviews > 0
    assert ours.exclude(reply_text="").exists() and ours.exclude(sentiment="").exists()
    assert {r.language[:2] for r in ours} >= {"en", "zh"}
    assert result.competitors == 40 * len(tree.regions)
    assert AlertRule.objects.filter(applies_to="reviews", organization_id=root.organization_id)
    langs = set(Playbook.objects.filter(kind="review_reply").values_list("language", flat=True))
    assert langs == {"en", "ro", "ja", "zh"}
