"""The size, seed and date of the package's one demo (conftest.py seeds it)."""

from datetime import UTC, datetime

import pytest

from voxloop.demo import DemoSize

ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)
SEED = 4
# Big enough for every statistic read here: declining stores and remembered staff (80 staff,
# 6,000 responses), churn by NPS group, cases for the teams, and the customer health of 30 B2B
# accounts (a B2B account's people are the first 3 % of the contacts: ~3 each). Checked by
# running the tests, not tuned to pass: the thresholds are the ones the separate seedings had.
SHARED = DemoSize(stores=14, staff=80, accounts=30, contacts=3000, responses=6000)
# Every module of the package carries it: one xdist worker, one seeding (bin/test runs
# `--dist loadgroup`).
ONE_WORKER = pytest.mark.xdist_group("demo")
