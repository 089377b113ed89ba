"""Windowed counters keep their window on every cache backend: the database cache (whose
generic incr rewrote the timeout to 300 s), local memory and Redis."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings
from freezegun import freeze_time

from voxloop import counters

REDIS = os.environ.get("REDIS_URL_FOR_TESTS", "")
BACKENDS = {
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "voxloop_cache",
    },
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ctr"},
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS,
        "KEY_PREFIX": f"vx-test-{uuid.uuid4().hex[:8]}",
    },
}
FIFTEEN_MINUTES = 900


@pytest.fixture(params=sorted(BACKENDS))
def backend(request, db):
    if request.param == "redis" and not REDIS:
        pytest.skip("REDIS_URL_FOR_TESTS is not set")
    with override_settings(CACHES={"default": BACKENDS[request.param]}):
        if request.param == "database":
            call_command("createcachetable", verbosity=0)
        caches["default"].clear()
        yield request.param
        caches["default"].clear()


def seconds_to_live(backend: str, name: str) -> float:
    """How long the cache itself will keep the count (what a generic incr used to cut)."""
    cache = caches["default"]
    key = cache.make_and_validate_key(counters.PREFIX + name)
    if backend == "redis":
        return cache._cache.get_client(key).ttl(key)
    if backend == "locmem":
        import time

        return cache._expire_info[key] - time.time()
    from datetime import UTC, datetime

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM voxloop_cache WHERE cache_key = %s", [key])
        (expires,) = cursor.fetchone()
    if isinstance(expires, str):  # SQLite may hand back text
        expires = datetime.fromisoformat(expires)
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return (expires - datetime.now(UTC)).total_seconds()


def test_a_count_lives_as_long_as_its_window_after_every_hit(backend):
    for n in range(1, 6):
        assert counters.hit("probe", FIFTEEN_MINUTES).count == n
    # A generic incr left 300 s here; the window has some 900 s to go.
    assert seconds_to_live(backend, "probe") > 850


@pytest.mark.parametrize("kind", ["database", "locmem"])
def test_a_window_closes_when_it_should_not_before(kind, db):
    """Time travels for the caches that read the clock in Python (Redis keeps its own)."""
    with override_settings(CACHES={"default": BACKENDS[kind]}):
        if kind == "database":
            call_command("createcachetable", verbosity=0)
        caches["default"].clear()
        with freeze_time("2026-03-02 10:00:00") as clock:
            first = counters.hit("lock", FIFTEEN_MINUTES)
            for _ in range(4):
                clock.tick(60)
                counters.hit("lock", FIFTEEN_MINUTES)
            clock.tick(6 * 60)  # ten minutes after the first hit
            assert counters.peek("lock").count == 5
            assert counters.hit("lock", FIFTEEN_MINUTES).count == 6
            assert counters.peek("lock").closes_at == first.closes_at
            clock.tick(5 * 60 + 1)  # the window opened fifteen minutes ago
            assert counters.peek("lock") is None
            assert counters.hit("lock", FIFTEEN_MINUTES).count == 1
        caches["default"].clear()


def test_take_back_and_clear(backend):
    counters.hit("address", 60)
    counters.hit("address", 60)
    counters.take_back("address")
    assert counters.peek("address").count == 1
    counters.clear("address")
    assert counters.peek("address") is None
    counters.take_back("address")  # nothing open: nothing to take back, never below zero
    assert counters.peek("address") is None
    assert counters.hit("address", 60).count == 1


def test_the_database_cache_does_not_cull_an_open_window(db):
    """Django's database cache deletes a third of its rows past MAX_ENTRIES (300 by default),
    first keys first: a flood of reset requests must not wipe a sign-in lock."""
    options = {"OPTIONS": {"MAX_ENTRIES": 1_000_000}}  # what settings.py gives the database
    with override_settings(CACHES={"default": {**BACKENDS["database"], **options}}):
        call_command("createcachetable", verbosity=0)
        cache = caches["default"]
        cache.clear()
        counters.hit("a-lock", FIFTEEN_MINUTES)
        cache.set_many({f"z-{n}": n for n in range(400)}, 600)
        cache.set("one-more", 1, 600)  # the write that used to cull
        assert counters.peek("a-lock").count == 1
        cache.clear()


def test_production_settings_give_the_database_cache_room():
    from voxloop.config import settings as real_settings

    if not real_settings.REDIS_URL:
        assert real_settings.CACHES["default"]["OPTIONS"]["MAX_ENTRIES"] >= 100_000
