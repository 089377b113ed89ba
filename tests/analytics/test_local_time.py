"""Days, hours and periods in each unit's own time zone (issue 15 item 7)."""

from datetime import UTC, datetime

import pytest

from tests.analytics.support import respond
from voxloop.analytics import dashboard, filters, selectors
from voxloop.analytics.models import Rollup
from voxloop.errors import InvalidInput
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy import services as tenancy_services
from voxloop.tenancy.models import AuditEntry

# 07:30 UTC on 3 November is 16:30 in Tokyo; 20:00 UTC on 2 November is already the 3rd there.
AFTERNOON = datetime(2026, 11, 3, 7, 30, tzinfo=UTC)
EVENING = datetime(2026, 11, 2, 20, 0, tzinfo=UTC)


def f(**params):
    return filters.parse({"start": "2026-10-01", "end": "2026-11-30", **params})


def test_the_zone_is_inherited_down_the_tree(world):
    org = world.acme
    tenancy_services.update_unit(actor=org.system, unit=org.units["c1"], time_zone="Asia/Tokyo")
    zones = tenancy_selectors.time_zones(org.root.organization_id)
    assert tenancy_selectors.zone_of(zones, org.units["c1r1s1"].path) == "Asia/Tokyo"
    assert tenancy_selectors.zone_of(zones, org.units["c2r1s1"].path) == ""
    assert AuditEntry.objects.filter(action="unit.update", target_id=str(org.units["c1"].pk))
    with pytest.raises(InvalidInput) as error:
        tenancy_services.update_unit(
            actor=org.system, unit=org.units["c1"], time_zone="Mars/Olympus"
        )
    assert error.value.field == "time_zone"


def test_hours_and_days_count_in_the_units_local_time(
    world, survey, immediate_tasks, django_capture_on_commit_callbacks
):
    org = world.acme
    japan, store = org.units["c1"], org.units["c1r1s1"]
    with django_capture_on_commit_callbacks(execute=True):
        respond(survey, store, nps=10, at=AFTERNOON)
        respond(survey, store, nps=3, at=EVENING)
    assert set(Rollup.objects.filter(facet="hour").values_list("value", flat=True)) == {"7", "20"}
    # Setting the zone recounts the subtree: the same answers, in Tokyo's hours and days.
    with django_capture_on_commit_callbacks(execute=True):
        tenancy_services.update_unit(actor=org.system, unit=japan, time_zone="Asia/Tokyo")
    hours = set(Rollup.objects.filter(facet="hour").values_list("value", flat=True))
    assert hours == {"16", "5"}
    ctx = selectors.context(org.scope("director"), f(unit=str(japan.pk), grain="day", min_n="1"))
    days = {p["start"]: p["n"] for p in selectors.trend(ctx)}
    assert days == {"2026-11-03": 2}  # both on Tokyo's 3 November
    by_hour = {r["key"]: r["n"] for r in selectors.by_dimension(ctx, "hour")}
    assert by_hour == {5: 1, 16: 1}
    data = dashboard.payload(org.scope("director"), f(unit=str(japan.pk)))
    assert data["time_zone"] == {"zone": "Asia/Tokyo", "mixed": False}


def test_a_scope_spanning_zones_says_so(world, survey):
    org = world.acme
    tenancy_services.update_unit(actor=org.system, unit=org.units["c1"], time_zone="Asia/Tokyo")
    data = dashboard.payload(org.scope("director"), f())
    assert data["time_zone"]["mixed"] is True
    other = dashboard.payload(org.scope("director"), f(unit=str(org.units["c2"].pk)))
    assert other["time_zone"]["mixed"] is False
