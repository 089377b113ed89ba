"""Rollups by month (decision 0053): the migrations' backfills from the rows by day give the
rows every writer keeps (hour of the week for the heat map, totals for figures not by day)."""

import importlib

from django.db import connection

from tests.analytics.test_bounded_reads import seeded  # noqa: F401 - fixture
from voxloop.analytics.models import Facet, Rollup

backfill = importlib.import_module("voxloop.analytics.migrations.0012_week_hour_rollups").backfill


def test_backfill_from_the_hour_rows_equals_the_maintained_rows(world, seeded):  # noqa: F811
    keys = ("node_path", "depth", "survey_id", "channel", "origin", "day", "value", "n")
    counters = ("nps_n", "promoters", "passives", "detractors", "csat_n", "csat_sum")
    counters += ("csat_sq", "csat_top2", "ces_n", "ces_sum", "ces_sq", "ces_agree", "comments")

    def rows():
        found = Rollup.objects.filter(facet=Facet.WEEK_HOUR_MONTH).values_list(*keys, *counters)
        return sorted(found)

    maintained = rows()
    assert maintained and all(r[5].day == 1 and 0 <= int(r[6]) < 168 for r in maintained)
    Rollup.objects.filter(facet=Facet.WEEK_HOUR_MONTH).delete()
    backfill(None, type("Editor", (), {"connection": connection})())
    assert rows() == maintained


def test_total_month_backfill_equals_the_maintained_rows(world, seeded):  # noqa: F811
    total = importlib.import_module("voxloop.analytics.migrations.0013_total_month_rollups")
    keys = ("node_path", "depth", "survey_id", "channel", "origin", "day", "value", "n")
    keys += ("nps_n", "promoters", "detractors", "csat_sum", "csat_sq", "comments")

    def rows():
        return sorted(Rollup.objects.filter(facet=Facet.TOTAL_MONTH).values_list(*keys))

    maintained = rows()
    assert maintained and all(r[5].day == 1 and r[6] == "" for r in maintained)
    Rollup.objects.filter(facet=Facet.TOTAL_MONTH).delete()
    total.backfill(None, type("Editor", (), {"connection": connection})())
    assert rows() == maintained
