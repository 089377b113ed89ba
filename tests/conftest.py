"""Shared fixtures: a small organisation tree with a login per role and level, and a second
organisation, so every test can try to read across units and tenants."""

import os

# Before numpy loads: one BLAS thread. The small matrices of the tests gain nothing from more,
# and on a busy 2-core machine OpenBLAS's spinning threads made each SVD ~70 times slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest

from tests.factories import build_world
from tests.smtp import smtp_server, smtp_settings  # noqa: F401 - fixtures for every test
from voxloop.recent import forget_everything


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


@pytest.fixture
def world(db):
    """Two organisations. Acme: company → 2 countries → 2 regions each → 2 stores each."""
    return build_world()
