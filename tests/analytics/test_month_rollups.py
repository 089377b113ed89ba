"""Rollups by month (decision 0053): the migrations' backfills from the rows by day give the
rows every writer keeps (hour of the week for the heat map, totals for figures not by day)."""

import importlib

from tests.analytics.support import backfilled_rows, facet_rows
from tests.analytics.test_bounded_reads import seeded  # noqa: F401 - fixture
from voxloop.analytics.models import Facet

backfill = importlib.import_module("voxloop.analytics.migrations.0012_week_hour_rollups").backfill


def test_backfill_from_the_hour_rows_equals_the_maintained_rows(world, seeded):  # noqa: F811
    maintained = facet_rows(Facet.WEEK_HOUR_MONTH)
    assert maintained and all(r[5].day == 1 and 0 <= int(r[6]) < 168 for r in maintained)
    assert backfilled_rows(Facet.WEEK_HOUR_MONTH, backfill) == maintained


def test_total_month_backfill_equals_the_maintained_rows(world, seeded):  # noqa: F811
    total = importlib.import_module("voxloop.analytics.migrations.0013_total_month_rollups")
    maintained = facet_rows(Facet.TOTAL_MONTH)
    assert maintained and all(r[5].day == 1 and r[6] == "" for r in maintained)
    assert backfilled_rows(Facet.TOTAL_MONTH, total.backfill) == maintained
