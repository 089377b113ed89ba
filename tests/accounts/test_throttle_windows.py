"""Sign-in and reset limits hold for their whole window on the default database cache (whose
generic incr cut every counter to 300 s), and the Django admin's sign-in cannot go around
them."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.urls import get_resolver
from freezegun import freeze_time

from tests.factories import PASSWORD, make_user
from voxloop.accounts import services

LOGIN = "/accounts/login/"
DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "voxloop_cache",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }
}


@pytest.fixture
def database_cache(settings, db):
    settings.CACHES = DATABASE_CACHE
    call_command("createcachetable", verbosity=0)
    caches["default"].clear()
    # Load every URL (and the API's schemas) before the clock is frozen: pydantic cannot build
    # a schema around freezegun's datetime.
    get_resolver().url_patterns  # noqa: B018
    yield
    caches["default"].clear()


def make_staff(username: str):
    user = make_user(username)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def sign_in(client, username, password, path=LOGIN, **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def test_a_fifteen_minute_lock_lasts_fifteen_minutes_on_the_database_cache(
    client, database_cache, settings
):
    settings.LOGIN_RATE_LIMIT, settings.LOGIN_RATE_WINDOW_SECONDS = 5, 900
    make_user("clerk")
    with freeze_time("2026-03-02 10:00:00") as clock:
        for _ in range(5):
            assert sign_in(client, "clerk", "wrong").status_code == 200
            clock.tick(30)
        clock.tick(6 * 60)  # past the 300 s a generic incr left the counter
        blocked = sign_in(client, "clerk", PASSWORD)
        assert blocked.status_code == 429
        # The window opened at 10:00 with the first failure; it is 10:08:30.
        assert int(blocked["Retry-After"]) == 390
        clock.tick(389)
        assert sign_in(client, "clerk", PASSWORD).status_code == 429
        clock.tick(2)
        assert sign_in(client, "clerk", PASSWORD).status_code == 302


def test_three_resets_an_hour_means_an_hour(client, database_cache, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_user("clerk")
    with freeze_time("2026-03-02 10:00:00") as clock:
        allowed = []
        for _ in range(6):
            allowed.append(services._reset_allowed("clerk@example.test"))
            clock.tick(6 * 60)  # one every six minutes: 36 minutes in all
        assert allowed == [True, True, True, False, False, False]
        clock.tick(25 * 60)
        assert services._reset_allowed("clerk@example.test")


def test_admin_sign_in_goes_through_the_throttled_form(client, db, settings):
    settings.LOGIN_RATE_LIMIT = 5
    make_staff("boss")
    for _ in range(5):
        sign_in(client, "boss", "wrong")
    # The admin's own form used to check the password with no limit at all.
    answer = sign_in(client, "boss", PASSWORD, path="/admin/login/?next=/admin/")
    assert client.session.get("_auth_user_id") is None
    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/?next=/admin/"
    assert sign_in(client, "boss", PASSWORD).status_code == 429


def test_the_admin_signs_in_through_the_product_and_lands_back_in_the_admin(client, db):
    make_staff("boss")
    first = client.get("/admin/")
    assert first.status_code == 302 and first["Location"].startswith("/admin/login/")
    to_form = client.get(first["Location"])
    assert to_form["Location"] == "/accounts/login/?next=/admin/"
    answer = client.post(to_form["Location"], {"username": "boss", "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_someone_signed_in_without_admin_rights_gets_a_403_not_a_loop(client, db):
    client.force_login(make_user("clerk"))
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_a_right_password_gives_the_address_its_attempt_back(client, db, settings):
    """Attempts are counted before the password is checked; a success must not leave an office
    that signs in all morning locked out of its shared address."""
    settings.LOGIN_RATE_LIMIT = 1  # four attempts per address
    for n in range(6):
        make_user(f"user-{n}")
        assert sign_in(client, f"user-{n}", PASSWORD).status_code == 302
        client.post("/accounts/logout/")
