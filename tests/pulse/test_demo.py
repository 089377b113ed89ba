"""The demo's monthly pulse: twelve waves across the stores, generated in bulk; a small
store shows "too few answers" while the company's figures show every month."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from voxloop.pulse.demo import add_pulse
from voxloop.pulse.results import unit_results


def test_the_demo_pulse(world):
    acme = world.acme
    stores = [u for key, u in acme.units.items() if len(key) == 6]
    p = add_pulse(
        acme.system, acme.root, stores, random.Random(3), datetime(2026, 12, 1, tzinfo=UTC)
    )
    assert p.waves.count() == 12 and p.reports.exists()
    company = unit_results(p, acme.root.path, comments=True)
    assert all(r.shown for r in company)
    assert any(r.enps_change is not None for r in company)
    per_store = [unit_results(p, s.path, comments=False) for s in stores]
    assert any(not r.shown for waves in per_store for r in waves)
