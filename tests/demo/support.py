"""One demo for the whole package: seeding is the slow part (tens of seconds even small), and
the tests here only read it. Each test's own transaction nests in the seeding's as a savepoint,
and the demo is rolled back when the package's last test is done.

pytest tears a package fixture down as soon as the next test is outside the package, so no
other test ever sees this demo; under pytest-xdist (`--dist loadgroup`, bin/test) the modules'
`xdist_group` mark keeps the package on one worker, seeded once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.test import override_settings

from tests.factories import FAST_HASHERS
from voxloop.demo import DemoResult, DemoSize, seed_demo

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


@pytest.fixture(scope="package")
def shared_demo(django_db_setup, django_db_blocker) -> Iterator[DemoResult]:
    settings = override_settings(PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), settings, transaction.atomic():
        yield seed_demo(SHARED, seed=SEED, anchor=ANCHOR)
        transaction.set_rollback(True)


@pytest.fixture
def demo(shared_demo, db) -> DemoResult:
    return shared_demo
