"""Shared fixtures: a small organisation tree with a login per role and level, and a second
organisation, so every test can try to read across units and tenants."""

import os

# Before numpy loads: one BLAS thread. The small matrices of the tests gain nothing from more,
# and on a busy 2-core machine OpenBLAS's spinning threads made each SVD ~70 times slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest
from django.test import override_settings

from tests.factories import FAST_HASHERS, build_world, reload_world
from tests.smtp import smtp_server, smtp_settings  # noqa: F401 - fixtures for every test
from tests.web.matrix_world import ModuleWorld
from voxloop.recent import forget_everything

pytest_plugins = ["tests.xdist_groups"]


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, settings):
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    # Per-test memory cache: login throttling state must not leak between tests.
    # Argon2 is deliberately slow; tests that check hashing ask for it themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Count each response for the dashboards at once (tests of the hand-over set a delay).
    settings.ANALYTICS_COUNT_DELAY_SECONDS = 0
    # Hand comments to text analytics at once too; embed them only where a test asks.
    settings.TEXT_ANALYSE_DELAY_SECONDS = 0
    settings.TEXT_EMBEDDINGS = False
    # Health rescoring after an event: handed over at once (no timer thread in tests).
    settings.HEALTH_RESCORE_DELAY_SECONDS = 0
    # Alert evaluations: one job per response at once (the hand-over's tests set a delay).
    settings.ALERT_EVALUATION_DELAY_SECONDS = 0
    # (LocMemCache shares its store between instances of one LOCATION, hence a fresh one.)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path),
        }
    }
    # Each test's database is rolled back and its ids reused: nothing read in one test is
    # still "recent" in the next.
    forget_everything()


_TRANSACTIONAL = ("transactional_db", "live_server", "django_db_reset_sequences")


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return any(name in getattr(item, "fixturenames", ()) for name in _TRANSACTIONAL)


_DATABASE_FIXTURES = {"db", *_TRANSACTIONAL}
# Tests here start processes that reach the database on their own, without a fixture.
_SUBPROCESS_DIRS = ("tests/cli/", "tests/e2e/")


def _uses_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    if item.nodeid.startswith(_SUBPROCESS_DIRS):
        return True
    return bool(_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _is_transactional(item) and item.module is not None:
            item.module._voxloop_transactional = True
    # The second pass of bin/test (PostgreSQL) runs only what the database can change: a test
    # that never touches it gives the same answer on both, and ran in the first pass.
    if os.environ.get("VOXLOOP_TESTS_DATABASE_ONLY") == "1":
        skipped = [item for item in items if not _uses_database(item)]
        if skipped:
            config.hook.pytest_deselected(items=skipped)
            items[:] = [item for item in items if _uses_database(item)]


@pytest.fixture(scope="module")
def _module_world(request, django_db_setup, django_db_blocker):
    """The world built once per test module, inside an outer transaction that each test's own
    transaction nests in as a savepoint, and rolled back when the module ends. Building two
    organisations through the services for each of thousands of tests was most of the suite's
    time. A module with a transactional test (which commits and flushes) keeps one per test."""
    if getattr(request.module, "_voxloop_transactional", False):
        yield None
        return
    fast = override_settings(PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), fast, ModuleWorld() as built:
        yield built


@pytest.fixture
def world(_module_world, db):
    """Two organisations. Acme: company → 2 countries → 2 regions each → 2 stores each.
    Fresh instances for every test, so a change one test makes to an object (saved and rolled
    back, or not saved) never reaches the next."""
    if _module_world is None:
        return build_world()
    return reload_world(_module_world)
