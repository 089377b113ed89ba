"""The demo's 360 cycle over a small tree: a subject per region, raters from the tree,
answers in, closed, and every report shows figures."""

from __future__ import annotations

import random

from voxloop.feedback360 import selectors
from voxloop.feedback360.demo import add_feedback360


def test_the_demo_cycle_has_reports_with_data(world):
    acme = world.acme
    regions = [acme.units[k] for k in ("c1r1", "c1r2", "c2r1", "c2r2")]
    stores = {
        r.pk: [acme.units[f"{k}s1"], acme.units[f"{k}s2"]]
        for k, r in zip(("c1r1", "c1r2", "c2r1", "c2r2"), regions, strict=True)
    }
    cycle = add_feedback360(
        acme.system, acme.root, acme.members["regional"], regions, stores, random.Random(1)
    )
    assert cycle.subjects.count() == 4 and not cycle.is_open
    for subject in cycle.subjects.all():
        report = selectors.report(subject)
        assert "self" in report.columns and "others" in report.columns
        assert report.rows[0]["cells"]["others"]["n"] >= 2
