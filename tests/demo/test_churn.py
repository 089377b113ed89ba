"""The demo's churn: a year of customers leaving, detractors clearly more often than
promoters, as the dashboard's churn card and "who leaves" panel show."""

from datetime import UTC, datetime

import pytest

from voxloop.analytics import churn, filters, selectors
from voxloop.contacts.models import Contact, StatusChange
from voxloop.demo import DemoSize, seed_demo
from voxloop.tenancy.models import Membership
from voxloop.tenancy.scoping import Scope

pytestmark = pytest.mark.django_db
ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)


def test_demo_detractors_leave_more_often_than_promoters():
    seed_demo(DemoSize(stores=14, staff=60, accounts=8, contacts=1500, responses=6000), seed=4,
              anchor=ANCHOR)  # fmt: skip
    assert not Contact.objects.filter(customer_since__isnull=True).exists()
    assert StatusChange.objects.filter(status="active", source="demo").exists()  # won back
    director = Scope.of(Membership.objects.get(user__username="director"))
    window = filters.parse({"period": "365d", "min_n": "1"}, today=ANCHOR.date())
    result = churn.churn(selectors.context(director, window))
    assert result["churned"] > 20 and 3 < result["figure"]["value"] < 25
    rate = {g["group"]: g["value"] for g in result["by_nps_group"]}
    assert rate["detractor"] > 1.8 * rate["promoter"]
