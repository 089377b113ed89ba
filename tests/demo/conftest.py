"""One demo for the whole package: seeding is the slow part (tens of seconds even small), and
the tests here only read it. Each test's own transaction nests in the seeding's as a savepoint,
and the demo is rolled back when the package's last test is done.

pytest tears a package fixture down as soon as the next test is outside the package, so no
other test ever sees this demo; under pytest-xdist (`--dist loadgroup`, bin/test) the modules'
`xdist_group` mark keeps the package on one worker, seeded once."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from tests.demo.shared import ANCHOR, SEED, SHARED
from tests.factories import FAST_HASHERS
from voxloop.demo import DemoResult, seed_demo


@pytest.fixture(scope="package")
def shared_demo(django_db_setup, django_db_blocker) -> DemoResult:
    settings = override_settings(PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), settings, transaction.atomic():
        yield seed_demo(SHARED, seed=SEED, anchor=ANCHOR)
        transaction.set_rollback(True)


@pytest.fixture
def demo(shared_demo, db) -> DemoResult:
    return shared_demo
